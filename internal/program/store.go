package program

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// Status of a stored version.
type Status string

const (
	StatusDraft    Status = "draft"    // made, waiting for a second person
	StatusApproved Status = "approved" // applies from its effective date
	StatusRejected Status = "rejected" // withdrawn or refused; kept, never applies
)

// SystemUser makes and approves the shipped configuration (InstallDefaults).
const SystemUser = "sistem"

// Version is one stored version of a program's configuration.
type Version struct {
	Program       string     `json:"program"`
	Version       int        `json:"version"`
	EffectiveFrom string     `json:"effective_from"`
	Status        Status     `json:"status"`
	Note          string     `json:"note,omitempty"`
	CreatedBy     string     `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	ApprovedBy    string     `json:"approved_by,omitempty"`
	ApprovedAt    *time.Time `json:"approved_at,omitempty"`
	RejectedBy    string     `json:"rejected_by,omitempty"`
	RejectedAt    *time.Time `json:"rejected_at,omitempty"`
	RejectReason  string     `json:"reject_reason,omitempty"`
	Document      *Document  `json:"document,omitempty"`
}

// Store keeps program versions in the database and hands out compiled
// versions, compiled once per process (approved versions never change).
type Store struct {
	db    *store.DB
	cache sync.Map // "PKH/3" → *Compiled
}

// NewStore returns a Store on db.
func NewStore(db *store.DB) *Store { return &Store{db: db} }

const versionCols = `program, version, effective_from, status, note, created_by, created_at,
	approved_by, approved_at, rejected_by, rejected_at, reject_reason`

type scanner interface{ Scan(...any) error }

func scanVersion(s scanner, withDoc bool) (*Version, error) {
	var (
		v                      Version
		created                int64
		approvedBy, rejectedBy sql.NullString
		approvedAt, rejectedAt sql.NullInt64
		doc                    string
	)
	dest := []any{&v.Program, &v.Version, &v.EffectiveFrom, &v.Status, &v.Note, &v.CreatedBy, &created,
		&approvedBy, &approvedAt, &rejectedBy, &rejectedAt, &v.RejectReason}
	if withDoc {
		dest = append(dest, &doc)
	}
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	v.CreatedAt = store.FromMicros(created)
	v.ApprovedBy, v.RejectedBy = approvedBy.String, rejectedBy.String
	if approvedAt.Valid {
		t := store.FromMicros(approvedAt.Int64)
		v.ApprovedAt = &t
	}
	if rejectedAt.Valid {
		t := store.FromMicros(rejectedAt.Int64)
		v.RejectedAt = &t
	}
	if withDoc {
		d, err := ParseDocument([]byte(doc))
		if err != nil {
			return nil, fmt.Errorf("program %s version %d: stored document: %w", v.Program, v.Version, err)
		}
		v.Document = d
	}
	return &v, nil
}

// lock serializes changes to one program's versions: the counter row is
// locked until the transaction ends (PostgreSQL; SQLite has one writer).
// With next it also reserves the next version number.
func lock(ctx context.Context, tx *store.Tx, program string, next bool) (int, error) {
	name := "program_version:" + program
	if next {
		id, err := tx.ReserveIDs(ctx, name, 1)
		return int(id), err
	}
	if _, err := tx.Exec(ctx, `UPDATE id_counters SET next_id = next_id WHERE name = $1`, name); err != nil {
		return 0, fmt.Errorf("program: lock %s: %w", program, err)
	}
	return 0, nil
}

// CreateDraft validates and stores a new version of a program as a draft
// made by `by`, with a note saying why. The document is compiled (every
// expression, each error at its place) and checked against the program's
// other live versions: an effective date another version already has, a
// period overlapping a period of another version, or a period code that
// another version gives other dates, is refused with an *Invalid.
func (s *Store) CreateDraft(ctx context.Context, d *Document, by, note string) (*Version, error) {
	if strings.TrimSpace(by) == "" {
		return nil, fmt.Errorf("program: draft without a maker: %w", errs.ErrInvalid)
	}
	if _, err := Compile(d); err != nil {
		return nil, err
	}
	doc := string(d.JSON())
	var v *Version
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		n, err := lock(ctx, tx, d.Program, true)
		if err != nil {
			return err
		}
		others, err := loadTimeline(ctx, tx, d.Program, false)
		if err != nil {
			return err
		}
		if ps := checkTimeline(others, timelineEntry{version: n, status: StatusDraft, doc: d}); len(ps) > 0 {
			return &Invalid{Problems: ps}
		}
		now := store.Micros(store.Now())
		if _, err := tx.Exec(ctx, `INSERT INTO program_version (program, version, effective_from, document, status, note, created_by, created_at)
			VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7)`, d.Program, n, d.EffectiveFrom, doc, note, by, now); err != nil {
			if store.IsUniqueViolation(err) {
				return &Invalid{Problems: []Problem{{Path: "effective_from", Message: "program " + d.Program + " sudah punya versi yang berlaku mulai " + d.EffectiveFrom}}}
			}
			return fmt.Errorf("program: insert version: %w", err)
		}
		if err := insertPeriods(ctx, tx, d, n); err != nil {
			return err
		}
		v = &Version{Program: d.Program, Version: n, EffectiveFrom: d.EffectiveFrom, Status: StatusDraft, Note: note,
			CreatedBy: by, CreatedAt: store.FromMicros(now), Document: d}
		return recordVersion(ctx, tx, audit.ActProgramDraft, by, d.Program, n,
			map[string]any{"effective_from": d.EffectiveFrom, "note": note})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

func insertPeriods(ctx context.Context, tx *store.Tx, d *Document, version int) error {
	for _, c := range d.Calendars {
		for _, p := range c.Periods {
			if _, err := tx.Exec(ctx, `INSERT INTO program_period (program, version, channel, code, start_date, end_date)
				VALUES ($1, $2, $3, $4, $5, $6)`, d.Program, version, c.Channel, p.Code, p.Start, p.End); err != nil {
				return fmt.Errorf("program: insert period: %w", err)
			}
		}
	}
	return nil
}

// Approve approves a draft. The approver must not be its maker
// (maker-checker): that is refused with errs.ErrForbidden. A version that
// is not a draft is refused with errs.ErrConflict, and so is one whose
// calendar would overlap an approved version's.
func (s *Store) Approve(ctx context.Context, program string, version int, by string) (*Version, error) {
	if strings.TrimSpace(by) == "" {
		return nil, fmt.Errorf("program: approval without an approver: %w", errs.ErrInvalid)
	}
	var out *Version
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := lock(ctx, tx, program, false); err != nil {
			return err
		}
		v, err := getVersion(ctx, tx.QueryRow, program, version)
		if err != nil {
			return err
		}
		if v.Status != StatusDraft {
			return errs.Conflict("versi %d program %s berstatus %s, bukan draf", version, program, v.Status)
		}
		if v.CreatedBy == by {
			return fmt.Errorf("versi %d program %s dibuat oleh %s: persetujuan harus oleh orang lain: %w",
				version, program, by, errs.ErrForbidden)
		}
		approved, err := loadTimeline(ctx, tx, program, true)
		if err != nil {
			return err
		}
		if ps := checkTimeline(approved, timelineEntry{version: version, status: StatusDraft, doc: v.Document}); len(ps) > 0 {
			return errs.Conflict("versi %d program %s bertabrakan dengan versi yang sudah disetujui: %s",
				version, program, (&Invalid{Problems: ps}).Error())
		}
		now := store.Now()
		if _, err := tx.Exec(ctx, `UPDATE program_version SET status = 'approved', approved_by = $3, approved_at = $4
			WHERE program = $1 AND version = $2`, program, version, by, store.Micros(now)); err != nil {
			return fmt.Errorf("program: approve: %w", err)
		}
		v.Status, v.ApprovedBy, v.ApprovedAt = StatusApproved, by, &now
		out = v
		return recordVersion(ctx, tx, audit.ActProgramApprove, by, program, version,
			map[string]any{"status": StatusApproved, "created_by": v.CreatedBy})
	})
	return out, err
}

// Reject withdraws (the maker) or refuses (anyone else) a draft, with a
// reason. The version is kept and never applies; its effective date and
// periods are free again.
func (s *Store) Reject(ctx context.Context, program string, version int, by, reason string) (*Version, error) {
	if strings.TrimSpace(by) == "" || strings.TrimSpace(reason) == "" {
		return nil, fmt.Errorf("program: rejection needs who and why: %w", errs.ErrInvalid)
	}
	var out *Version
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := lock(ctx, tx, program, false); err != nil {
			return err
		}
		v, err := getVersion(ctx, tx.QueryRow, program, version)
		if err != nil {
			return err
		}
		if v.Status != StatusDraft {
			return errs.Conflict("versi %d program %s berstatus %s, bukan draf", version, program, v.Status)
		}
		now := store.Now()
		if _, err := tx.Exec(ctx, `UPDATE program_version SET status = 'rejected', rejected_by = $3, rejected_at = $4, reject_reason = $5
			WHERE program = $1 AND version = $2`, program, version, by, store.Micros(now), reason); err != nil {
			return fmt.Errorf("program: reject: %w", err)
		}
		v.Status, v.RejectedBy, v.RejectedAt, v.RejectReason = StatusRejected, by, &now, reason
		out = v
		return recordVersion(ctx, tx, audit.ActProgramReject, by, program, version,
			map[string]any{"status": StatusRejected, "reason": reason})
	})
	return out, err
}

// recordVersion writes the audit entry of a change to a rule version, last
// in the change's transaction. The program and version name the object.
func recordVersion(ctx context.Context, tx *store.Tx, action, by, program string, version int, after map[string]any) error {
	after["program"], after["version"] = program, version
	e := audit.Entry{Action: action, ObjectType: "program", ObjectID: int64(version), After: after}
	if _, ok := authz.From(ctx); !ok {
		e.Actor = by
	}
	return audit.Record(ctx, tx, e)
}

func getVersion(ctx context.Context, queryRow func(context.Context, string, ...any) *sql.Row, program string, version int) (*Version, error) {
	v, err := scanVersion(queryRow(ctx, `SELECT `+versionCols+`, document FROM program_version WHERE program = $1 AND version = $2`,
		program, version), true)
	if store.IsNoRows(err) {
		return nil, errs.NotFound("program %s versi %d", program, version)
	}
	return v, err
}

// Get returns a version with its document.
func (s *Store) Get(ctx context.Context, program string, version int) (*Version, error) {
	return getVersion(ctx, s.db.QueryRow, program, version)
}

// List returns the versions of a program ("" for every program), without
// documents, by program and version.
func (s *Store) List(ctx context.Context, program string) ([]Version, error) {
	rows, err := s.db.Query(ctx, `SELECT `+versionCols+` FROM program_version
		WHERE $1 = '' OR program = $1 ORDER BY program, version`, program)
	if err != nil {
		return nil, fmt.Errorf("program: list: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		v, err := scanVersion(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// Active returns the approved version of a program that applies on date
// (YYYY-MM-DD): the one with the latest effective date on or before it.
func (s *Store) Active(ctx context.Context, program, date string) (*Version, error) {
	if _, ok := parseDate(date); !ok {
		return nil, fmt.Errorf("program: date %q: %w", date, errs.ErrInvalid)
	}
	v, err := scanVersion(s.db.QueryRow(ctx, `SELECT `+versionCols+`, document FROM program_version
		WHERE program = $1 AND status = 'approved' AND effective_from <= $2
		ORDER BY effective_from DESC LIMIT 1`, program, date), true)
	if store.IsNoRows(err) {
		return nil, errs.NotFound("tidak ada versi program %s yang disetujui dan berlaku pada %s", program, date)
	}
	return v, err
}

// Compiled returns the compiled version that applies on date, compiled
// once per process.
func (s *Store) Compiled(ctx context.Context, program, date string) (*Compiled, error) {
	v, err := s.Active(ctx, program, date)
	if err != nil {
		return nil, err
	}
	return s.compile(v)
}

func (s *Store) compile(v *Version) (*Compiled, error) {
	key := fmt.Sprintf("%s/%d", v.Program, v.Version)
	if c, ok := s.cache.Load(key); ok {
		return c.(*Compiled), nil
	}
	c, err := Compile(v.Document)
	if err != nil {
		return nil, fmt.Errorf("program %s version %d: %w", v.Program, v.Version, err)
	}
	c.Version = v.Version
	actual, _ := s.cache.LoadOrStore(key, c)
	return actual.(*Compiled), nil
}

// ForPeriod returns the compiled version that governs a payment period of
// a channel (the approved version in force on the period's first day,
// which must list the period) and the period. The determination engine
// builds each family at period.Start and evaluates it with this version.
func (s *Store) ForPeriod(ctx context.Context, program, channel, code string) (*Compiled, Period, error) {
	var start string
	err := s.db.QueryRow(ctx, `SELECT p.start_date FROM program_period p
		JOIN program_version v ON v.program = p.program AND v.version = p.version
		WHERE p.program = $1 AND p.channel = $2 AND p.code = $3 AND v.status = 'approved'
		ORDER BY p.version DESC LIMIT 1`, program, channel, code).Scan(&start)
	if store.IsNoRows(err) {
		return nil, Period{}, errs.NotFound("periode %s saluran %s program %s", code, channel, program)
	}
	if err != nil {
		return nil, Period{}, fmt.Errorf("program: period: %w", err)
	}
	c, err := s.Compiled(ctx, program, start)
	if err != nil {
		return nil, Period{}, err
	}
	p, err := c.Period(channel, code)
	if err != nil {
		return nil, Period{}, errs.NotFound("periode %s saluran %s tidak ada di versi %d program %s yang berlaku %s",
			code, channel, c.Version, program, start)
	}
	return c, p, nil
}

// InstallDefaults stores the shipped configuration (Default) of every
// program that has no version yet, as version 1 made and approved by
// SystemUser: it is part of the reviewed release, so maker-checker does not
// apply. It returns the versions installed (none when all were there).
func (s *Store) InstallDefaults(ctx context.Context) ([]Version, error) {
	ds, err := Defaults()
	if err != nil {
		return nil, err
	}
	var out []Version
	for _, d := range ds {
		if _, err := Compile(d); err != nil {
			return nil, fmt.Errorf("program: default %s: %w", d.Program, err)
		}
		err := s.db.Write(ctx, func(tx *store.Tx) error {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM program_version WHERE program = $1`, d.Program).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			v, err := lock(ctx, tx, d.Program, true)
			if err != nil {
				return err
			}
			now := store.Micros(store.Now())
			if _, err := tx.Exec(ctx, `INSERT INTO program_version (program, version, effective_from, document, status, note,
				created_by, created_at, approved_by, approved_at) VALUES ($1, $2, $3, $4, 'approved', $5, $6, $7, $6, $7)`,
				d.Program, v, d.EffectiveFrom, string(d.JSON()), "konfigurasi bawaan", SystemUser, now); err != nil {
				return fmt.Errorf("program: install %s: %w", d.Program, err)
			}
			if err := insertPeriods(ctx, tx, d, v); err != nil {
				return err
			}
			t := store.FromMicros(now)
			out = append(out, Version{Program: d.Program, Version: v, EffectiveFrom: d.EffectiveFrom, Status: StatusApproved,
				Note: "konfigurasi bawaan", CreatedBy: SystemUser, CreatedAt: t, ApprovedBy: SystemUser, ApprovedAt: &t})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// timelineEntry is a version as the calendar check sees it.
type timelineEntry struct {
	version int
	status  Status
	doc     *Document
}

// loadTimeline reads the live versions of a program: approved only, or
// approved and drafts.
func loadTimeline(ctx context.Context, tx *store.Tx, program string, approvedOnly bool) ([]timelineEntry, error) {
	q := `SELECT version, status, document FROM program_version WHERE program = $1 AND status <> 'rejected'`
	if approvedOnly {
		q = `SELECT version, status, document FROM program_version WHERE program = $1 AND status = 'approved'`
	}
	rows, err := tx.Query(ctx, q, program)
	if err != nil {
		return nil, fmt.Errorf("program: timeline: %w", err)
	}
	defer rows.Close()
	var out []timelineEntry
	for rows.Next() {
		var e timelineEntry
		var doc string
		if err := rows.Scan(&e.version, &e.status, &doc); err != nil {
			return nil, err
		}
		d, err := ParseDocument([]byte(doc))
		if err != nil {
			return nil, fmt.Errorf("program %s version %d: stored document: %w", program, e.version, err)
		}
		e.doc = d
		out = append(out, e)
	}
	return out, rows.Err()
}

// checkTimeline checks a new version against the program's other live
// versions and returns the problems, placed in the new document:
//
//   - two versions may not share an effective date;
//   - a period code means the same dates in every version of a channel;
//   - a version governs its periods that start from its effective date
//     until the next version's; governed periods of different versions
//     may not overlap (a family would be paid twice for the same months).
//
// A period that a later version supersedes (it starts after the later
// version's effective date) is not governed and cannot overlap.
func checkTimeline(others []timelineEntry, nv timelineEntry) []Problem {
	var ps problems
	all := make([]timelineEntry, 0, len(others)+1)
	for _, o := range others {
		if o.version == nv.version {
			continue
		}
		if o.doc.EffectiveFrom == nv.doc.EffectiveFrom {
			ps.add("effective_from", "versi %d (%s) program %s sudah berlaku mulai %s", o.version, statusLabel(o.status), o.doc.Program, o.doc.EffectiveFrom)
		}
		all = append(all, o)
	}
	if len(ps) > 0 {
		return ps
	}
	all = append(all, nv)
	sort.Slice(all, func(i, j int) bool { return all[i].doc.EffectiveFrom < all[j].doc.EffectiveFrom })
	type governed struct {
		version int
		channel string
		p       Period
		path    string
	}
	var gov []governed
	for i, e := range all {
		until := "9999-12-31"
		if i+1 < len(all) {
			until = all[i+1].doc.EffectiveFrom
		}
		for ci, c := range e.doc.Calendars {
			for pi, p := range c.Periods {
				if p.Start >= e.doc.EffectiveFrom && p.Start < until {
					gov = append(gov, governed{e.version, c.Channel, p, fmt.Sprintf("calendars[%d].periods[%d]", ci, pi)})
				}
			}
		}
	}
	for ci, c := range nv.doc.Calendars {
		for pi, p := range c.Periods {
			path := fmt.Sprintf("calendars[%d].periods[%d]", ci, pi)
			for _, o := range others {
				if o.version == nv.version {
					continue
				}
				for _, oc := range o.doc.Calendars {
					if oc.Channel != c.Channel {
						continue
					}
					for _, op := range oc.Periods {
						if op.Code == p.Code && (op.Start != p.Start || op.End != p.End) {
							ps.add(path+".code", "periode %s saluran %s di versi %d adalah %s s.d. %s, bukan %s s.d. %s",
								p.Code, c.Channel, o.version, op.Start, op.End, p.Start, p.End)
						}
					}
				}
			}
		}
	}
	for _, g := range gov {
		if g.version != nv.version {
			continue
		}
		for _, o := range gov {
			if o.version == nv.version || o.channel != g.channel {
				continue
			}
			if overlaps(g.p.Start, g.p.End, o.p.Start, o.p.End) {
				ps.add(g.path, "periode %s saluran %s (%s s.d. %s) tumpang tindih dengan periode %s (%s s.d. %s) versi %d",
					g.p.Code, g.channel, g.p.Start, g.p.End, o.p.Code, o.p.Start, o.p.End, o.version)
			}
		}
	}
	// An older version's period that runs past the new version's effective
	// date while the new version governs periods in the same months is
	// caught above; so is a new period running into a later version's.
	return ps
}

func statusLabel(s Status) string {
	switch s {
	case StatusDraft:
		return "draf"
	case StatusApproved:
		return "disetujui"
	case StatusRejected:
		return "ditolak"
	}
	return string(s)
}

// IsInvalid reports whether err is a document problem list.
func IsInvalid(err error) (*Invalid, bool) {
	var inv *Invalid
	ok := errors.As(err, &inv)
	return inv, ok
}
