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
// is read once per MetaTTL. On PostgreSQL the NIK lookups of concurrent
// checks are gathered into one statement (s.nikBatch, a gatherer), as their audit
// entries are into one transaction: under a crowd, a round trip serves
// many checks, and no check holds a database connection of its own.
//
// Every answered check is in the audit trail (action publik.cek, the person
// and family by ID, the subject masked) before the answer leaves: the
// entries of concurrent checks are written together in one transaction
// (group commit, see gatherer), and a check whose entry could not be
// written fails.
package cekbansos

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kemensos/jaring/internal/audit"
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
	db       *store.DB
	meta     atomic.Pointer[meta]
	metaM    sync.Mutex
	appender audit.Appender
	audit    gatherer[audit.Entry, struct{}] // the checks' audit entries, see record
	nikBatch gatherer[nikQuery, nikRows]     // the checks' NIK lookups on PostgreSQL
	// Now is the clock of the shared facts' age; time.Now when nil.
	Now func() time.Time
}

// New returns the service.
func New(db *store.DB) *Service {
	s := &Service{db: db}
	s.appender.DB = db
	s.audit = gatherer[audit.Entry, struct{}]{max: maxBatch, run: s.writeAudit}
	s.nikBatch = gatherer[nikQuery, nikRows]{max: maxNIKBatch, run: s.lookupNIKBatch}
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
	a, items, m, err := s.lookup(ctx, m, q)
	if err != nil || a.Result != Found {
		return a, err
	}
	s.fill(m, a, items)
	via := "nama"
	if q.ByNIK() {
		via = "nik"
	}
	if err := s.record(ctx, a, via); err != nil {
		return nil, err
	}
	return a, nil
}

// item is one determination item of the family found.
type item struct {
	det, person int64
	status      string
	codes       []string
}

// lookupRow is one row of the lookup statement: a matching member (kind
// 1, with the family's decile) or an item of their family (kind 2).
type lookupRow struct {
	kind, id, fam, det    int64
	name, village, status string
	codes                 string
	decile                int
}

// lookup finds the person and reads their family's decile and items of
// the latest final determinations in one statement, one round trip: the
// matching members (kind 1, at most three by name: three rows tell one
// family from several, and members of one family may share a name), then
// the items of their families (kind 2). Every read is served by an index.
// On PostgreSQL the NIK lookups of concurrent checks share one statement
// (s.nikBatch); the shared facts the answer is read with are returned, as
// a batch's may be newer than m.
func (s *Service) lookup(ctx context.Context, m *meta, q Query) (*Answer, []item, *meta, error) {
	var rows []lookupRow
	var err error
	if q.ByNIK() && s.db.Engine() == store.Postgres {
		var r nikRows
		r, err = s.nikBatch.do(nikQuery{q.NIK, m})
		rows, m = r.rows, cmp.Or(r.m, m)
	} else {
		rows, err = s.lookupOne(ctx, m, q)
	}
	if err != nil {
		return nil, nil, m, fmt.Errorf("cekbansos: lookup: %w", err)
	}
	a, items, err := s.answer(ctx, q, rows)
	return a, items, m, err
}

// lookupOne runs the lookup statement of one query.
func (s *Service) lookupOne(ctx context.Context, m *meta, q Query) ([]lookupRow, error) {
	var match string
	var args []any
	if q.ByNIK() {
		match = `SELECT id, family_id, name, village_code FROM person WHERE nik = $1 AND valid_to IS NULL`
		args = []any{q.NIK}
	} else {
		match = `SELECT id, family_id, name, village_code FROM person
			WHERE village_code = $1 AND name_key = $2 AND valid_to IS NULL ORDER BY family_id, id LIMIT 3`
		args = []any{q.Village, registry.NameKey(q.Name)}
	}
	n := len(args)
	stmt := `WITH p AS (` + match + `)
		SELECT 1, p.id, p.family_id, p.name, p.village_code, 0, '', '',
			COALESCE((SELECT w.decile FROM welfare_scores w WHERE w.run_id = $` + strconv.Itoa(n+1) + ` AND w.family_id = p.family_id), 0)
		FROM p`
	args = append(args, m.run)
	if ids := m.finalIDs(); ids != "" {
		stmt += ` UNION ALL SELECT 2, i.person_id, i.family_id, '', '', i.determination_id, i.status, i.reason_codes, 0
		FROM (SELECT DISTINCT family_id FROM p) f JOIN determination_item i ON i.family_id = f.family_id
		WHERE i.determination_id IN (` + ids + `)`
	}
	rs, err := s.db.Lookup(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var rows []lookupRow
	for rs.Next() {
		var r lookupRow
		if err := rs.Scan(&r.kind, &r.id, &r.fam, &r.name, &r.village, &r.det, &r.status, &r.codes, &r.decile); err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, rs.Err()
}

// finalIDs lists the IDs of the latest final determinations, comma
// separated, to be written into a statement: integers read from the
// database, so its text changes only when a determination becomes final,
// and PostgreSQL then plans it once per connection, where an array
// parameter of unknown length would make it plan every execution anew.
func (m *meta) finalIDs() string {
	ids := make([]string, len(m.finals))
	for i, f := range m.finals {
		ids[i] = strconv.FormatInt(f.id, 10)
	}
	return strings.Join(ids, ", ")
}

// answer reads the lookup's rows into the answer to q and the items of
// the family found.
func (s *Service) answer(ctx context.Context, q Query, rows []lookupRow) (*Answer, []item, error) {
	a := &Answer{Result: NotFound}
	var items []item
	families := 0
	for _, r := range rows {
		switch {
		case r.kind == 2:
			items = append(items, item{det: r.det, person: r.id, status: r.status, codes: strings.Fields(r.codes)})
		case a.familyID == 0 || r.fam < a.familyID || (r.fam == a.familyID && r.id < a.personID):
			// The first member by family and person, as the match orders them.
			if r.fam != a.familyID {
				families++
			}
			a.Result, a.familyID, a.personID, a.village, a.Decile = Found, r.fam, r.id, r.village, r.decile
			a.MaskedName = MaskName(r.name)
		case r.fam != a.familyID:
			families++
		}
	}
	if families > 1 {
		r := reasons[string(NeedNIK)]
		return &Answer{Result: NeedNIKResult, Message: &r}, nil, nil
	}
	if a.Result == NotFound {
		if !q.ByNIK() {
			var one int
			err := s.db.QueryRow(ctx, `SELECT 1 FROM regions WHERE code = $1 AND level = 4`, q.Village).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return nil, nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "wilayah", Reason: "desa/kelurahan tidak dikenal (unknown village)"}}}
			} else if err != nil {
				return nil, nil, err
			}
			r := reasons[NotFoundByName]
			a.Message = &r
		} else {
			r := reasons[string(NotRegistered)]
			a.Message = &r
		}
		return a, nil, nil
	}
	if q.ByNIK() {
		a.subject = maskNIK(q.NIK)
	} else {
		a.subject = a.MaskedName
	}
	return a, items, nil
}

// maskNIK keeps the region part of a NIK: what the audit trail keeps.
func maskNIK(n string) string {
	if len(n) != 16 {
		return "****************"
	}
	return n[:6] + strings.Repeat("*", 10)
}

// fill turns the family's items into the status per program.
func (s *Service) fill(m *meta, a *Answer, all []item) {
	items := map[int64][]item{}
	for _, it := range all {
		items[it.det] = append(items[it.det], it)
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
}
