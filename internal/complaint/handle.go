package complaint

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// Audit actions and object types of this package.
const (
	ObjComplaint = "pengaduan"
	ObjWBS       = "wbs"

	ActView   = audit.ActView        // a case with its contact was shown
	ActFile   = "pengaduan.berkas"   // an evidence file was downloaded
	ActAct    = "pengaduan.tindak"   // a note, reply or status change
	ActReveal = "wbs.buka_identitas" // a whistleblower's identity was shown, with the reason
)

// Summary is a case in a list: no contact, no description.
type Summary struct {
	ID          int64     `json:"id"`
	Kind        Kind      `json:"kind"`
	Code        string    `json:"code"`
	Category    Category  `json:"category"`
	Region      string    `json:"region"`
	Unit        Unit      `json:"unit"`
	Status      Status    `json:"status"`
	Escalations int       `json:"escalations"`
	Due         time.Time `json:"due"`
	Reminded    bool      `json:"reminded"`
	Overdue     bool      `json:"overdue"`
	Filed       time.Time `json:"filed"`
	Updated     time.Time `json:"updated"`
}

// Event is a line of a case's history as handlers see it.
type Event struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Actor  string    `json:"actor"`
	Public bool      `json:"public"`
	Status Status    `json:"status,omitempty"`
	Body   string    `json:"body,omitempty"`
	Files  []FileRef `json:"files,omitempty"`
}

// FileRef names an evidence file.
type FileRef struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// Case is a case as handlers see it.
type Case struct {
	Summary
	Description string `json:"description"`
	Resolution  string `json:"resolution,omitempty"`
	Anonymous   bool   `json:"anonymous"`
	// Contact is shown for complaints; a whistleblower's only through Reveal.
	Contact *Contact `json:"contact,omitempty"`
	// CanHandle says whether the caller may act on the case.
	CanHandle bool    `json:"can_handle"`
	Events    []Event `json:"events"`
}

const summaryColumns = `c.id, c.kind, c.code, c.category, c.region_code, c.unit_kind, c.unit_region, c.status, c.escalations,
	c.due_at, c.reminded_at, c.created_at, c.updated_at`

func (s *Service) scanSummary(sc rowScanner, now time.Time) (Summary, error) {
	var x Summary
	var due, filed, updated int64
	var reminded *int64
	err := sc.Scan(&x.ID, &x.Kind, &x.Code, &x.Category, &x.Region, &x.Unit.Kind, &x.Unit.Region, &x.Status, &x.Escalations,
		&due, &reminded, &filed, &updated)
	if err != nil {
		return x, err
	}
	x.Code = FormatCode(x.Code)
	x.Due, x.Filed, x.Updated = store.FromMicros(due), store.FromMicros(filed), store.FromMicros(updated)
	x.Reminded = reminded != nil
	x.Overdue = x.Status.Open() && (x.Escalations > 0 || !x.Due.After(now))
	return x, nil
}

// visible returns the condition (on alias c) of the cases the principal
// of ctx may see, with its arguments numbered from $from.
func visible(ctx context.Context, from int) (string, []any) {
	wbs, insp := sees(ctx)
	var conds []string
	var args []any
	if !wbs {
		conds = append(conds, "c.kind = 'pengaduan'")
	}
	if !insp {
		conds = append(conds, "c.unit_kind = 'dinsos'")
	}
	if scope := authz.Scope(ctx); scope != "" {
		conds = append(conds, fmt.Sprintf("(c.region_code = $%d OR c.region_code LIKE $%d)", from, from+1))
		args = append(args, scope, scope+".%")
	}
	if len(conds) == 0 {
		return "TRUE", nil
	}
	return strings.Join(conds, " AND "), args
}

// Filter selects cases for a queue.
type Filter struct {
	Kind Kind
	// Unit, when set, is the responsible unit.
	Unit *Unit
	// Region narrows to a region within the caller's scope.
	Region string
	// Open only open cases; Overdue only open cases past a limit.
	Open, Overdue bool
	Status        Status
	Category      Category
	// After pages: cases with a smaller ID (newest first).
	After int64
	Limit int
}

// List returns the cases the caller may see that match f, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Summary, error) {
	if f.Kind == "" {
		f.Kind = KindComplaint
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	now := s.now()
	cond, args := visible(ctx, 1)
	add := func(c string, v any) {
		args = append(args, v)
		cond += " AND " + strings.ReplaceAll(c, "?", "$"+strconv.Itoa(len(args)))
	}
	add("c.kind = ?", string(f.Kind))
	if f.Unit != nil {
		add("c.unit_kind = ?", string(f.Unit.Kind))
		add("c.unit_region = ?", f.Unit.Region)
	}
	if f.Region != "" {
		r, ok := authz.Narrow(ctx, f.Region)
		if !ok {
			return nil, errs.NotFound("wilayah %s", f.Region)
		}
		if r != "" {
			args = append(args, r, r+".%")
			cond += fmt.Sprintf(" AND (c.region_code = $%d OR c.region_code LIKE $%d)", len(args)-1, len(args))
		}
	}
	if f.Open || f.Overdue {
		cond += " AND c.status IN ('diterima', 'diproses')"
	}
	if f.Overdue {
		add("(c.escalations > 0 OR c.due_at <= ?)", store.Micros(now))
	}
	if f.Status != "" {
		add("c.status = ?", string(f.Status))
	}
	if f.Category != "" {
		add("c.category = ?", string(f.Category))
	}
	if f.After > 0 {
		add("c.id < ?", f.After)
	}
	rows, err := s.DB.Query(ctx, `SELECT `+summaryColumns+` FROM complaint c WHERE `+cond+` ORDER BY c.id DESC LIMIT `+strconv.Itoa(f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("complaint: list: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		x, err := s.scanSummary(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// UnitCount is the workload of a unit.
type UnitCount struct {
	Unit      Unit `json:"unit"`
	Open      int  `json:"open"`
	Overdue   int  `json:"overdue"`
	Reminded  int  `json:"reminded"`
	CanHandle bool `json:"can_handle"`
}

// Units returns the units with open cases of kind the caller may see, with
// their counts, in unit order.
func (s *Service) Units(ctx context.Context, k Kind) ([]UnitCount, error) {
	now := s.now()
	cond, args := visible(ctx, 3)
	rows, err := s.DB.Query(ctx, `SELECT c.unit_kind, c.unit_region, COUNT(*),
		SUM(CASE WHEN c.escalations > 0 OR c.due_at <= $2 THEN 1 ELSE 0 END),
		SUM(CASE WHEN c.reminded_at IS NOT NULL THEN 1 ELSE 0 END)
		FROM complaint c WHERE c.kind = $1 AND c.status IN ('diterima', 'diproses') AND `+cond+`
		GROUP BY c.unit_kind, c.unit_region ORDER BY c.unit_kind, c.unit_region`, append([]any{string(k), store.Micros(now)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("complaint: units: %w", err)
	}
	defer rows.Close()
	var out []UnitCount
	for rows.Next() {
		var u UnitCount
		if err := rows.Scan(&u.Unit.Kind, &u.Unit.Region, &u.Open, &u.Overdue, &u.Reminded); err != nil {
			return nil, err
		}
		u.CanHandle = canHandle(ctx, u.Unit)
		out = append(out, u)
	}
	return out, rows.Err()
}

// Count is the number of cases of a region (one level below the asked
// one) and category.
type Count struct {
	Region   string   `json:"region"`
	Category Category `json:"category"`
	Open     int      `json:"open"`
	Total    int      `json:"total"`
}

// Counts returns the cases of kind per region one level below region
// (within the caller's scope; "" for the whole scope) and per category.
func (s *Service) Counts(ctx context.Context, k Kind, regionCode string) (string, []Count, error) {
	r, ok := authz.Narrow(ctx, regionCode)
	if !ok {
		return "", nil, errs.NotFound("wilayah %s", regionCode)
	}
	width := map[int]int{0: 2, 2: 5, 5: 8, 8: 13, 13: 13}[len(r)]
	if width == 0 {
		return "", nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "wilayah", Value: truncate(regionCode, 20), Reason: "kode wilayah tidak sah"}}}
	}
	cond, args := visible(ctx, 2)
	q := `SELECT SUBSTR(c.region_code, 1, ` + strconv.Itoa(width) + `) AS r, c.category,
		SUM(CASE WHEN c.status IN ('diterima', 'diproses') THEN 1 ELSE 0 END), COUNT(*)
		FROM complaint c WHERE c.kind = $1 AND ` + cond
	if r != "" {
		args = append(args, r, r+".%")
		q += fmt.Sprintf(" AND (c.region_code = $%d OR c.region_code LIKE $%d)", len(args), len(args)+1)
	}
	q += ` GROUP BY SUBSTR(c.region_code, 1, ` + strconv.Itoa(width) + `), c.category ORDER BY 1, 2`
	rows, err := s.DB.Query(ctx, q, append([]any{string(k)}, args...)...)
	if err != nil {
		return "", nil, fmt.Errorf("complaint: counts: %w", err)
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Region, &c.Category, &c.Open, &c.Total); err != nil {
			return "", nil, err
		}
		out = append(out, c)
	}
	return r, out, rows.Err()
}

// get reads a case the caller may see, without its history.
func (s *Service) get(ctx context.Context, k Kind, id int64) (Case, string, error) {
	cond, args := visible(ctx, 3)
	var c Case
	var sealed string
	var x Summary
	now := s.now()
	row := s.DB.QueryRow(ctx, `SELECT `+summaryColumns+`, c.description, c.resolution, c.anonymous, c.contact_sealed
		FROM complaint c WHERE c.id = $1 AND c.kind = $2 AND `+cond, append([]any{id, string(k)}, args...)...)
	var due, filed, updated int64
	var reminded *int64
	err := row.Scan(&x.ID, &x.Kind, &x.Code, &x.Category, &x.Region, &x.Unit.Kind, &x.Unit.Region, &x.Status, &x.Escalations,
		&due, &reminded, &filed, &updated, &c.Description, &c.Resolution, &c.Anonymous, &sealed)
	if store.IsNoRows(err) {
		return Case{}, "", errs.NotFound("%s %d", k, id)
	}
	if err != nil {
		return Case{}, "", fmt.Errorf("complaint: get: %w", err)
	}
	x.Code = FormatCode(x.Code)
	x.Due, x.Filed, x.Updated = store.FromMicros(due), store.FromMicros(filed), store.FromMicros(updated)
	x.Reminded = reminded != nil
	x.Overdue = x.Status.Open() && (x.Escalations > 0 || !x.Due.After(now))
	c.Summary = x
	c.CanHandle = canHandle(ctx, x.Unit)
	return c, sealed, nil
}

// Get returns a case with its history. A complaint's contact is opened
// and the look is written to the audit trail; a whistleblower's stays
// sealed (see Reveal). A case the caller may not see is not found.
func (s *Service) Get(ctx context.Context, k Kind, id int64) (Case, error) {
	c, sealed, err := s.get(ctx, k, id)
	if err != nil {
		return Case{}, err
	}
	if k == KindComplaint && sealed != "" {
		ct, err := s.open(sealed, id)
		if err != nil {
			return Case{}, err
		}
		c.Contact = &ct
		err = s.DB.Write(ctx, func(tx *store.Tx) error {
			return audit.Record(ctx, tx, audit.Entry{Action: ActView, ObjectType: ObjComplaint, ObjectID: id, Region: c.Region})
		})
		if err != nil {
			return Case{}, err
		}
	}
	if c.Events, err = s.events(ctx, id); err != nil {
		return Case{}, err
	}
	return c, nil
}

func (s *Service) open(sealed string, id int64) (Contact, error) {
	plain, err := auth.Unseal(s.Key, sealed, sealContext(id))
	if err != nil {
		return Contact{}, fmt.Errorf("complaint: open contact of case %d: %w", id, err)
	}
	var c Contact
	if err := json.Unmarshal([]byte(plain), &c); err != nil {
		return Contact{}, fmt.Errorf("complaint: contact of case %d: %w", id, err)
	}
	return c, nil
}

func (s *Service) events(ctx context.Context, id int64) ([]Event, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, at, kind, actor, public, status, body FROM complaint_event WHERE complaint_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("complaint: history: %w", err)
	}
	var out []Event
	index := map[int64]int{}
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Kind, &e.Actor, &e.Public, &e.Status, &e.Body); err != nil {
			rows.Close()
			return nil, err
		}
		e.At = store.FromMicros(at)
		index[e.ID] = len(out)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	frows, err := s.DB.Query(ctx, `SELECT id, event_id, name, content_type, size, sha256 FROM complaint_file WHERE complaint_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("complaint: files: %w", err)
	}
	defer frows.Close()
	for frows.Next() {
		var f FileRef
		var ev int64
		if err := frows.Scan(&f.ID, &ev, &f.Name, &f.ContentType, &f.Size, &f.SHA256); err != nil {
			return nil, err
		}
		if i, ok := index[ev]; ok {
			out[i].Files = append(out[i].Files, f)
		}
	}
	return out, frows.Err()
}

// FileData returns an evidence file of a case the caller may see, and
// writes the download to the audit trail.
func (s *Service) FileData(ctx context.Context, k Kind, id, fileID int64) (FileRef, []byte, error) {
	c, _, err := s.get(ctx, k, id)
	if err != nil {
		return FileRef{}, nil, err
	}
	var f FileRef
	var data []byte
	err = s.DB.QueryRow(ctx, `SELECT id, name, content_type, size, sha256, data FROM complaint_file WHERE id = $1 AND complaint_id = $2`, fileID, id).
		Scan(&f.ID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &data)
	if store.IsNoRows(err) {
		return FileRef{}, nil, errs.NotFound("berkas %d", fileID)
	}
	if err != nil {
		return FileRef{}, nil, fmt.Errorf("complaint: file: %w", err)
	}
	obj := ObjComplaint
	if k == KindWBS {
		obj = ObjWBS
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: ActFile, ObjectType: obj, ObjectID: id, Region: c.Region,
			After: map[string]any{"berkas": f.ID}})
	})
	if err != nil {
		return FileRef{}, nil, err
	}
	return f, data, nil
}

// Action is what a handler records on a case.
type Action struct {
	// Kind is EvNote (internal), EvReply (the filer reads it) or EvStatus.
	Kind string `json:"kind"`
	// Status is the new status of EvStatus.
	Status Status `json:"status,omitempty"`
	// Text is the note, the reply, or with a closing status the
	// resolution the filer reads (required to close).
	Text string `json:"text"`
}

// Act records a handler's action on a case of their unit.
func (s *Service) Act(ctx context.Context, k Kind, id int64, a Action) (Case, error) {
	c, _, err := s.get(ctx, k, id)
	if err != nil {
		return Case{}, err
	}
	if !c.CanHandle {
		return Case{}, fmt.Errorf("kasus ini ditangani %s: %w", unitLabel(c.Unit), errs.ErrForbidden)
	}
	var fs []errs.FieldError
	switch a.Kind {
	case EvNote, EvReply:
		a.Text = checkText("teks", a.Text, 1, MaxText, &fs)
	case EvStatus:
		switch a.Status {
		case Processing:
			a.Text = checkText("teks", a.Text, 0, MaxText, &fs)
		case Resolved, Rejected:
			a.Text = checkText("teks", a.Text, 1, MaxText, &fs)
			if len(fs) > 0 {
				fs[len(fs)-1].Reason = "tulis penyelesaian atau alasan penolakan yang akan dibaca pelapor"
			}
		default:
			fs = append(fs, errs.FieldError{Field: "status", Value: truncate(string(a.Status), 20), Reason: "status: diproses, selesai atau ditolak"})
		}
	default:
		fs = append(fs, errs.FieldError{Field: "jenis", Value: truncate(a.Kind, 20), Reason: "tindakan: catatan, balasan atau status"})
	}
	if len(fs) > 0 {
		return Case{}, &errs.Invalid{Fields: fs}
	}
	now := s.now()
	actor := "sistem"
	if p, ok := authz.From(ctx); ok {
		actor = p.Username
	}
	obj := ObjComplaint
	if k == KindWBS {
		obj = ObjWBS
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		var st Status
		if err := tx.QueryRow(ctx, `SELECT status FROM complaint WHERE id = $1`, id).Scan(&st); err != nil {
			return err
		}
		if !st.Open() {
			return errs.Conflict("kasus sudah ditutup (%s)", st)
		}
		e := event{Kind: a.Kind, Actor: actor, Public: a.Kind != EvNote, Body: a.Text}
		after := map[string]any{"tindakan": a.Kind}
		if a.Kind == EvStatus {
			if a.Status == st {
				return errs.Conflict("status sudah %s", st)
			}
			e.Status = a.Status
			after["status"] = string(a.Status)
			closed := any(nil)
			resolution := ""
			if !a.Status.Open() {
				closed, resolution = store.Micros(now), a.Text
			}
			if _, err := tx.Exec(ctx, `UPDATE complaint SET status = $2, resolution = $3, closed_at = $4, updated_at = $5 WHERE id = $1`,
				id, string(a.Status), resolution, closed, store.Micros(now)); err != nil {
				return err
			}
		} else if _, err := tx.Exec(ctx, `UPDATE complaint SET updated_at = $2 WHERE id = $1`, id, store.Micros(now)); err != nil {
			return err
		}
		if _, err := addEvent(ctx, tx, id, now, e); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: ActAct, ObjectType: obj, ObjectID: id, Region: c.Region, After: after})
	})
	if err != nil {
		return Case{}, err
	}
	return s.getQuiet(ctx, k, id)
}

// getQuiet is Get without opening the contact (no audit entry).
func (s *Service) getQuiet(ctx context.Context, k Kind, id int64) (Case, error) {
	c, _, err := s.get(ctx, k, id)
	if err != nil {
		return Case{}, err
	}
	c.Events, err = s.events(ctx, id)
	return c, err
}

// MaxReason is the longest reveal reason, in characters.
const MaxReason = 200

// Reveal returns a whistleblower's identity and contact after writing the
// reveal, with its reason, to the audit trail and the case's history. A
// report the caller may not see is not found; an anonymous one has none.
func (s *Service) Reveal(ctx context.Context, id int64, reason string) (Contact, error) {
	var fs []errs.FieldError
	reason = checkText("alasan", reason, 1, MaxReason, &fs)
	if len(fs) > 0 {
		return Contact{}, &errs.Invalid{Fields: fs}
	}
	if p, ok := authz.From(ctx); ok && !authz.Can(p.Role, authz.WBSReveal) {
		return Contact{}, errs.ErrForbidden
	}
	c, sealed, err := s.get(ctx, KindWBS, id)
	if err != nil {
		return Contact{}, err
	}
	if sealed == "" {
		return Contact{}, errs.Conflict("pelapor tidak mencantumkan identitas")
	}
	ct, err := s.open(sealed, id)
	if err != nil {
		return Contact{}, err
	}
	actor := "sistem"
	if p, ok := authz.From(ctx); ok {
		actor = p.Username
	}
	now := s.now()
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := addEvent(ctx, tx, id, now, event{Kind: EvRevealed, Actor: actor, Body: "Identitas pelapor dibuka; alasan di jejak audit"}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: ActReveal, ObjectType: ObjWBS, ObjectID: id, Region: c.Region,
			After: map[string]any{"alasan": audit.MaskDigits(reason)}})
	})
	if err != nil {
		return Contact{}, err
	}
	return ct, nil
}

type rowScanner interface{ Scan(...any) error }
