package proposal

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// Item is one proposal, objection or change request.
type Item struct {
	ID          int64
	Kind        Kind
	VillageCode string
	SubjectKey  string `json:"-"`
	FamilyID    int64
	PersonID    int64
	Program     string
	Title       string
	Reason      string
	Payload     json.RawMessage `json:"-"`
	Source      string          // warga or operator
	CitizenID   int64
	MakerUserID int64
	Maker       string
	Status      Status
	CreatedAt   time.Time
	StepAt      time.Time
	Deadline    *time.Time
	Latitude    *float64
	Longitude   *float64
	SessionID   int64
	BatchID     int64
	VillageBy   string
	DistrictBy  string
	RatifiedBy  string
	Note        string // the reason of the last decision or return
	AppliedAt   *time.Time
	ApplyError  string
}

func (it Item) event() EventItem {
	return EventItem{ID: it.ID, Kind: it.Kind, VillageCode: it.VillageCode, CitizenID: it.CitizenID, MakerUserID: it.MakerUserID}
}

// Age is how long the item has waited at its current step.
func (it Item) Age(now time.Time) time.Duration { return now.Sub(it.StepAt) }

// Overdue reports whether the item waited longer than its step allows.
func (it Item) Overdue(now time.Time) bool {
	if it.Kind == Objection && it.Status == Submitted && it.Deadline != nil {
		return now.After(*it.Deadline)
	}
	l, ok := Limits[it.Status]
	return ok && now.Sub(it.StepAt) > l
}

const itemCols = `id, kind, village_code, subject_key, family_id, person_id, program, title, reason, payload, source,
	citizen_id, maker_user_id, maker, status, created_at, step_at, deadline, latitude, longitude, session_id, batch_id,
	village_by, district_by, ratified_by, note, applied_at, apply_error`

type scanner interface{ Scan(...any) error }

func scanItem(r scanner) (Item, error) {
	var it Item
	var fam, per, cit, mk, dl, sess, batch, applied sql.NullInt64
	var created, step int64
	var payload string
	var kind, status string
	err := r.Scan(&it.ID, &kind, &it.VillageCode, &it.SubjectKey, &fam, &per, &it.Program, &it.Title, &it.Reason, &payload, &it.Source,
		&cit, &mk, &it.Maker, &status, &created, &step, &dl, &it.Latitude, &it.Longitude, &sess, &batch,
		&it.VillageBy, &it.DistrictBy, &it.RatifiedBy, &it.Note, &applied, &it.ApplyError)
	if err != nil {
		return it, err
	}
	it.Kind, it.Status = Kind(kind), Status(status)
	it.Payload = json.RawMessage(payload)
	it.FamilyID, it.PersonID, it.CitizenID, it.MakerUserID = fam.Int64, per.Int64, cit.Int64, mk.Int64
	it.SessionID, it.BatchID = sess.Int64, batch.Int64
	it.CreatedAt, it.StepAt = store.FromMicros(created), store.FromMicros(step)
	if dl.Valid {
		t := store.FromMicros(dl.Int64)
		it.Deadline = &t
	}
	if applied.Valid {
		t := store.FromMicros(applied.Int64)
		it.AppliedAt = &t
	}
	return it, nil
}

// scopeCond limits village_code to a region: "" is everything.
func scopeCond(col, region string, argN int) (string, []any) {
	if region == "" {
		return "", nil
	}
	return fmt.Sprintf(" AND %s >= $%d AND %s < $%d", col, argN, col, argN+1), []any{region, region + "/"}
}

// Get returns an item within the caller's region. Objects outside it are
// answered as not found.
func (s *Service) Get(ctx context.Context, id int64) (Item, error) {
	cond, args := scopeCond("village_code", authz.Scope(ctx), 2)
	it, err := scanItem(s.DB.QueryRow(ctx, `SELECT `+itemCols+` FROM proposal WHERE id = $1`+cond, append([]any{id}, args...)...))
	if store.IsNoRows(err) {
		return it, errs.NotFound("usulan %d", id)
	}
	if err != nil {
		return it, fmt.Errorf("proposal: get: %w", err)
	}
	return it, nil
}

// Filter selects items for a list.
type Filter struct {
	Region    string // narrowed to the caller's scope
	Status    Status
	Kind      Kind
	CitizenID int64
	SessionID int64
	BatchID   int64
	Limit     int
	Offset    int
}

// List returns items matching f, oldest step first.
func (s *Service) List(ctx context.Context, f Filter) ([]Item, error) {
	region, ok := authz.Narrow(ctx, f.Region)
	if !ok {
		return nil, errs.NotFound("wilayah %s", f.Region)
	}
	where := []string{"1 = 1"}
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if region != "" {
		add("village_code >= $%d", region)
		add("village_code < $%d", region+"/")
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if f.Kind != "" {
		add("kind = $%d", string(f.Kind))
	}
	if f.CitizenID != 0 {
		add("citizen_id = $%d", f.CitizenID)
	}
	if f.SessionID != 0 {
		add("session_id = $%d", f.SessionID)
	}
	if f.BatchID != 0 {
		add("batch_id = $%d", f.BatchID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := `SELECT ` + itemCols + ` FROM proposal WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(` ORDER BY step_at, id LIMIT %d OFFSET %d`, f.Limit, max(f.Offset, 0))
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("proposal: list: %w", err)
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Step is one line of an item's history.
type Step struct {
	At     time.Time
	Step   string
	Status Status
	Actor  string
	Reason string
}

// History returns an item's steps, oldest first.
func (s *Service) History(ctx context.Context, id int64) ([]Step, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT at, step, status, actor, reason FROM proposal_step WHERE proposal_id = $1 ORDER BY at, step`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Step
	for rows.Next() {
		var st Step
		var at int64
		var status string
		if err := rows.Scan(&at, &st.Step, &status, &st.Actor, &st.Reason); err != nil {
			return nil, err
		}
		st.At, st.Status = store.FromMicros(at), Status(status)
		out = append(out, st)
	}
	return out, rows.Err()
}

// Files lists an item's files (without content).
func (s *Service) Files(ctx context.Context, id int64) ([]FileInfo, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT id, purpose, name, content_type, size, sha256 FROM proposal_file WHERE proposal_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FileInfo
	for rows.Next() {
		var f FileInfo
		if err := rows.Scan(&f.ID, &f.Purpose, &f.Name, &f.ContentType, &f.Size, &f.SHA256); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// DecodePayload returns what an item carries.
func (it Item) DecodePayload() (Payload, error) {
	var p Payload
	if len(it.Payload) == 0 {
		return p, nil
	}
	err := json.Unmarshal(it.Payload, &p)
	return p, err
}

// FamilyOfKK returns the current family holding a KK number, 0 when none.
func (s *Service) FamilyOfKK(ctx context.Context, kk string) (int64, error) {
	var id int64
	err := s.DB.QueryRow(ctx, `SELECT id FROM family WHERE kk = $1 AND valid_to IS NULL`, strings.TrimSpace(kk)).Scan(&id)
	if store.IsNoRows(err) {
		return 0, nil
	}
	return id, err
}
