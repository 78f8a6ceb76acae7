package complaint

import (
	"context"
	"fmt"
	"time"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// ErrNoCase is the one answer to a tracking code that is unknown or whose
// secret is wrong: the two are indistinguishable from outside.
var ErrNoCase = errs.NotFound("kode pelacakan atau kode rahasia tidak cocok")

// dummyHash is compared with when a code is unknown, so that an unknown
// code costs the same as a wrong secret.
var dummyHash = hashSecret(randomString(SecretLen))

// PublicEvent is a line of the history the filer sees.
type PublicEvent struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Status Status    `json:"status,omitempty"`
	Body   string    `json:"body,omitempty"`
	Files  int       `json:"files,omitempty"`
}

// PublicView is what the filer sees of a case: never who handles it by
// name, never internal notes, never the contact.
type PublicView struct {
	Code        string        `json:"code"`
	Kind        Kind          `json:"kind"`
	Category    Category      `json:"category"`
	Region      string        `json:"region"`
	Description string        `json:"description"`
	Status      Status        `json:"status"`
	Resolution  string        `json:"resolution,omitempty"`
	Unit        Unit          `json:"unit"`
	Due         time.Time     `json:"due"`
	Filed       time.Time     `json:"filed"`
	Files       int           `json:"files"`
	Events      []PublicEvent `json:"events"`
}

// Follow returns the filer's view of a case, given its tracking code and
// secret as typed (case, spaces and dashes do not matter).
func (s *Service) Follow(ctx context.Context, code, secret string) (PublicView, error) {
	id, err := s.check(ctx, code, secret)
	if err != nil {
		return PublicView{}, err
	}
	var v PublicView
	var filed, due int64
	var c string
	err = s.DB.QueryRow(ctx, `SELECT code, kind, category, region_code, description, status, resolution, unit_kind, unit_region, due_at, created_at,
		(SELECT COUNT(*) FROM complaint_file f WHERE f.complaint_id = c.id)
		FROM complaint c WHERE id = $1`, id).Scan(&c, &v.Kind, &v.Category, &v.Region, &v.Description, &v.Status, &v.Resolution,
		&v.Unit.Kind, &v.Unit.Region, &due, &filed, &v.Files)
	if err != nil {
		return PublicView{}, fmt.Errorf("complaint: follow: %w", err)
	}
	v.Code, v.Due, v.Filed = FormatCode(c), store.FromMicros(due), store.FromMicros(filed)
	rows, err := s.DB.Query(ctx, `SELECT e.at, e.kind, e.status, e.body, (SELECT COUNT(*) FROM complaint_file f WHERE f.event_id = e.id)
		FROM complaint_event e WHERE e.complaint_id = $1 AND e.public ORDER BY e.id`, id)
	if err != nil {
		return PublicView{}, fmt.Errorf("complaint: follow: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e PublicEvent
		var at int64
		if err := rows.Scan(&at, &e.Kind, &e.Status, &e.Body, &e.Files); err != nil {
			return PublicView{}, err
		}
		e.At = store.FromMicros(at)
		v.Events = append(v.Events, e)
	}
	return v, rows.Err()
}

// check returns the ID of the case of code whose secret matches, or ErrNoCase.
func (s *Service) check(ctx context.Context, code, secret string) (int64, error) {
	c, sec := normalize(code, CodeLen), normalize(secret, SecretLen)
	var id int64
	stored := dummyHash
	if c != "" {
		err := s.DB.QueryRow(ctx, `SELECT id, secret_hash FROM complaint WHERE code = $1`, c).Scan(&id, &stored)
		if err != nil && !store.IsNoRows(err) {
			return 0, fmt.Errorf("complaint: look up code: %w", err)
		}
		if err != nil {
			id, stored = 0, dummyHash
		}
	}
	if !secretMatches(sec, stored) || id == 0 || sec == "" {
		return 0, ErrNoCase
	}
	return id, nil
}

// AddInfo adds the filer's information (text and files) to an open case.
func (s *Service) AddInfo(ctx context.Context, code, secret, text string, files []Upload) error {
	id, err := s.check(ctx, code, secret)
	if err != nil {
		return err
	}
	var fs []errs.FieldError
	text = checkText("informasi", text, 1, MaxText, &fs)
	evidence, err := prepareFiles(files, &fs)
	if err != nil {
		return err
	}
	if len(fs) > 0 {
		return &errs.Invalid{Fields: fs}
	}
	now := s.now()
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		var st Status
		var nfiles int
		err := tx.QueryRow(ctx, `SELECT status, (SELECT COUNT(*) FROM complaint_file WHERE complaint_id = $1) FROM complaint WHERE id = $1`, id).Scan(&st, &nfiles)
		if err != nil {
			return fmt.Errorf("complaint: add information: %w", err)
		}
		if !st.Open() {
			return errs.Conflict("pengaduan ini sudah ditutup; ajukan pengaduan baru bila masih ada masalah")
		}
		if nfiles+len(evidence) > MaxFilesPerCase {
			return &errs.Invalid{Fields: []errs.FieldError{{Field: "berkas", Reason: fmt.Sprintf("satu pengaduan paling banyak %d berkas", MaxFilesPerCase)}}}
		}
		evID, err := addEvent(ctx, tx, id, now, event{Kind: EvInfo, Actor: ActorFiler, Public: true, Body: text})
		if err != nil {
			return err
		}
		if err := addFiles(ctx, tx, id, evID, now, evidence); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE complaint SET updated_at = $2 WHERE id = $1`, id, store.Micros(now))
		return err
	})
}
