// Package cekbansos is the public status check (Cek Bansos): a citizen
// looks their family up by NIK, or by village and the name as on the KTP,
// and learns the family's decile and, for each program, the status and
// period of the latest final determination, with the reason in public
// categories when the family receives nothing (see Category).
//
// What an answer may carry: the looked-up person's name masked (MaskName),
// the family's decile, per program the status, the period and the public
// reasons. Never a full NIK, a full name, an address, nor anything about
// another family. A name lookup answers only when the name, folded as the
// register's name_key folds it, equals a current member's exactly and
// points at one family; with two families it asks for the NIK.
//
// A check costs two indexed reads (the person by NIK or by village and
// name_key; then the family's determination items and decile together)
// plus its audit entry. What every check shares (the latest final
// determination of each program, the latest welfare run, program names)
// is read once per MetaTTL.
//
// Every answered check is in the audit trail (action publik.cek, the person
// and family by ID, the subject masked) before the answer leaves: the
// entries of concurrent checks are written together in one transaction
// (group commit, see auditor), and a check whose entry could not be
// written fails.
package cekbansos

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// MetaTTL is how long the shared facts of every check are kept: a
// determination made final shows within this time.
const MetaTTL = 10 * time.Second

// Results of a check.
const (
	Found         = "found"     // one family: Answer.Programs
	NotFound      = "not_found" // no current member with this NIK, or this name in this village
	NeedNIKResult = "need_nik"  // the name matches members of several families
)

// Statuses of a program in an answer.
const (
	Receiving    = "receiving"
	NotReceiving = "not_receiving"
)

// Answer is what a check shows.
type Answer struct {
	Result     string          `json:"result"`
	MaskedName string          `json:"masked_name,omitempty"`
	Decile     int             `json:"decile,omitempty"` // 0: not ranked in the latest run
	Programs   []ProgramStatus `json:"programs,omitempty"`
	// Message explains not_found and need_nik.
	Message *Reason `json:"message,omitempty"`

	familyID, personID int64
	village, subject   string
}

// ProgramStatus is a program's latest final determination for the family.
type ProgramStatus struct {
	Program     string   `json:"program"`
	Name        string   `json:"name"`
	Period      string   `json:"period"`
	PeriodStart string   `json:"period_start"`
	PeriodEnd   string   `json:"period_end"`
	Status      string   `json:"status"`
	Members     int      `json:"members,omitempty"` // per-person programs: members receiving
	Reasons     []Reason `json:"reasons,omitempty"` // when not receiving
}

// Service answers checks.
type Service struct {
	db    *store.DB
	meta  atomic.Pointer[meta]
	metaM sync.Mutex
	audit auditor
	// Now is the clock of the shared facts' age; time.Now when nil.
	Now func() time.Time
}

// New returns the service.
func New(db *store.DB) *Service {
	s := &Service{db: db}
	s.audit.db = db
	return s
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// final is the latest final determination of a program.
type final struct {
	id                                int64
	program, period, start, end, unit string
}

// meta is what every check shares.
type meta struct {
	at     time.Time
	run    int64 // latest finished welfare run, 0 when none
	finals []final
	names  map[string]string
}

// Invalidate drops the shared facts, so that the next check reads them.
func (s *Service) Invalidate() { s.meta.Store(nil) }

// shared returns the shared facts, reading them when older than MetaTTL.
// While one check reads them, the others go on with the old ones.
func (s *Service) shared(ctx context.Context) (*meta, error) {
	m := s.meta.Load()
	if m != nil && s.now().Sub(m.at) < MetaTTL {
		return m, nil
	}
	if m != nil && !s.metaM.TryLock() {
		return m, nil
	}
	if m == nil {
		s.metaM.Lock()
		if m = s.meta.Load(); m != nil && s.now().Sub(m.at) < MetaTTL {
			s.metaM.Unlock()
			return m, nil
		}
	}
	defer s.metaM.Unlock()
	fresh, err := s.readMeta(ctx)
	if err != nil {
		return nil, err
	}
	s.meta.Store(fresh)
	return fresh, nil
}

func (s *Service) readMeta(ctx context.Context) (*meta, error) {
	m := &meta{at: s.now(), names: map[string]string{}}
	err := s.db.QueryRow(ctx, `SELECT id FROM welfare_runs WHERE state = 'selesai' ORDER BY finished_at DESC, id DESC LIMIT 1`).Scan(&m.run)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("cekbansos: latest welfare run: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT id, program, period, period_start, period_end, unit FROM determination
		WHERE kind = 'penetapan' AND status = 'final' ORDER BY program, period_start DESC, approved_at DESC`)
	if err != nil {
		return nil, fmt.Errorf("cekbansos: final determinations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f final
		if err := rows.Scan(&f.id, &f.program, &f.period, &f.start, &f.end, &f.unit); err != nil {
			return nil, err
		}
		if n := len(m.finals); n == 0 || m.finals[n-1].program != f.program {
			m.finals = append(m.finals, f)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	prows, err := s.db.Query(ctx, `SELECT program, document FROM program_version WHERE status = 'approved' ORDER BY program, version`)
	if err != nil {
		return nil, fmt.Errorf("cekbansos: program names: %w", err)
	}
	defer prows.Close()
	for prows.Next() {
		var code, doc string
		if err := prows.Scan(&code, &doc); err != nil {
			return nil, err
		}
		var d struct {
			Name string `json:"name"`
		}
		if json.Unmarshal([]byte(doc), &d) == nil && d.Name != "" {
			m.names[code] = d.Name
		}
	}
	return m, prows.Err()
}

// Check answers q. Bad input is an *errs.Invalid naming the field; an
// unknown village too (only when no member matched, so it costs nothing
// on the common path).
func (s *Service) Check(ctx context.Context, q Query) (*Answer, error) {
	q = q.Clean()
	if err := q.Validate(); err != nil {
		return nil, err
	}
	m, err := s.shared(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.find(ctx, q)
	if err != nil || a.Result != Found {
		return a, err
	}
	if err := s.fill(ctx, m, a); err != nil {
		return nil, err
	}
	via := "nama"
	if q.ByNIK() {
		via = "nik"
	}
	if err := s.audit.record(ctx, a, via); err != nil {
		return nil, err
	}
	return a, nil
}

// find looks the person up: one indexed read.
func (s *Service) find(ctx context.Context, q Query) (*Answer, error) {
	var rows *sql.Rows
	var err error
	if q.ByNIK() {
		rows, err = s.db.Query(ctx, `SELECT id, family_id, name, village_code FROM person WHERE nik = $1 AND valid_to IS NULL`, q.NIK)
	} else {
		// Three rows tell one family from several; members of one family
		// may share a name.
		rows, err = s.db.Query(ctx, `SELECT id, family_id, name, village_code FROM person
			WHERE village_code = $1 AND name_key = $2 AND valid_to IS NULL ORDER BY family_id, id LIMIT 3`, q.Village, registry.NameKey(q.Name))
	}
	if err != nil {
		return nil, fmt.Errorf("cekbansos: find: %w", err)
	}
	defer rows.Close()
	a := &Answer{Result: NotFound}
	for rows.Next() {
		var id, fam int64
		var name, village string
		if err := rows.Scan(&id, &fam, &name, &village); err != nil {
			return nil, err
		}
		switch {
		case a.familyID == 0:
			a.Result, a.familyID, a.personID, a.village = Found, fam, id, village
			a.MaskedName = MaskName(name)
		case fam != a.familyID:
			r := reasons[string(NeedNIK)]
			return &Answer{Result: NeedNIKResult, Message: &r}, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if a.Result == NotFound {
		if !q.ByNIK() {
			var one int
			err := s.db.QueryRow(ctx, `SELECT 1 FROM regions WHERE code = $1 AND level = 4`, q.Village).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "wilayah", Reason: "desa/kelurahan tidak dikenal (unknown village)"}}}
			} else if err != nil {
				return nil, err
			}
			r := reasons[NotFoundByName]
			a.Message = &r
		} else {
			r := reasons[string(NotRegistered)]
			a.Message = &r
		}
		return a, nil
	}
	if q.ByNIK() {
		a.subject = maskNIK(q.NIK)
	} else {
		a.subject = a.MaskedName
	}
	return a, nil
}

// maskNIK keeps the region part of a NIK: what the audit trail keeps.
func maskNIK(n string) string {
	if len(n) != 16 {
		return "****************"
	}
	return n[:6] + strings.Repeat("*", 10)
}

// fill reads the family's decile and determination items: one indexed read.
func (s *Service) fill(ctx context.Context, m *meta, a *Answer) error {
	e := s.db.Engine()
	ids := make([]int64, len(m.finals))
	for i, f := range m.finals {
		ids[i] = f.id
	}
	q := `SELECT 0, 0, '', '', decile FROM welfare_scores WHERE run_id = $1 AND family_id = $2`
	args := []any{m.run, a.familyID}
	if len(ids) > 0 {
		in, inArgs := e.InInt64("determination_id", 4, ids)
		q += ` UNION ALL SELECT determination_id, person_id, status, reason_codes, 0 FROM determination_item WHERE family_id = $3 AND ` + in
		args = append(append(args, a.familyID), inArgs...)
	}
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("cekbansos: family: %w", err)
	}
	defer rows.Close()
	type item struct {
		person int64
		status string
		codes  []string
	}
	items := map[int64][]item{}
	for rows.Next() {
		var det, person int64
		var status, codes string
		var decile int
		if err := rows.Scan(&det, &person, &status, &codes, &decile); err != nil {
			return err
		}
		if det == 0 {
			a.Decile = decile
			continue
		}
		items[det] = append(items[det], item{person, status, strings.Fields(codes)})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range m.finals {
		ps := ProgramStatus{Program: f.program, Name: m.names[f.program], Period: f.period, PeriodStart: f.start, PeriodEnd: f.end, Status: NotReceiving}
		if ps.Name == "" {
			ps.Name = f.program
		}
		its := items[f.id]
		var codes []string
		for _, it := range its {
			if it.status == "new" || it.status == "continuing" {
				ps.Status = Receiving
				if it.person != 0 {
					ps.Members++
				}
			}
			if it.status == "error" {
				codes = append(codes, "galat_aturan")
			}
			codes = append(codes, it.codes...)
		}
		switch {
		case ps.Status == Receiving:
		case len(its) == 0:
			// Registered after the determination's data: the next one decides.
			ps.Reasons = []Reason{reasonOf(Waiting)}
		default:
			ps.Reasons = publicReasons(codes)
		}
		a.Programs = append(a.Programs, ps)
	}
	return nil
}
