package welfare

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// ModelInfo describes a stored model version.
type ModelInfo struct {
	Version       string    `json:"version"`
	EffectiveFrom string    `json:"effective_from"`
	Title         string    `json:"title"`
	Indicators    int       `json:"indicators"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
	// InEffect marks the version a ranking uses today when none is named.
	InEffect bool `json:"in_effect"`
}

// EnsureDefault stores the embedded default model unless its version is
// already there.
func EnsureDefault(ctx context.Context, db *store.DB) error {
	m := DefaultModel()
	var stored string
	err := db.QueryRow(ctx, `SELECT document FROM welfare_models WHERE version = $1`, m.Version).Scan(&stored)
	switch {
	case err == nil && stored != string(defaultModelJSON):
		// A version never changes: an edited default needs a new version.
		return fmt.Errorf("welfare: model bawaan %s yang tersimpan berbeda dari yang dibawa program ini; "+
			"versi model bawaan harus dinaikkan setiap kali isinya diubah", m.Version)
	case err == nil:
		return nil
	case !store.IsNoRows(err):
		return fmt.Errorf("welfare: default model: %w", err)
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO welfare_models (version, effective_from, title, document, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (version) DO NOTHING`,
			m.Version, m.EffectiveFrom, m.Title, string(defaultModelJSON), "jaring", store.Micros(store.Now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("welfare: default model: %w", err)
	}
	return nil
}

// CreateModel validates a model document and stores it as a new version.
// A version that exists already is a conflict: versions never change.
func CreateModel(ctx context.Context, db *store.DB, doc []byte, actor string) (*Model, error) {
	m, err := ParseModel(doc)
	if err != nil {
		return nil, err
	}
	if err := EnsureDefault(ctx, db); err != nil {
		return nil, err
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM welfare_models WHERE version = $1`, m.Version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.Conflict("versi model %s sudah ada; model tidak diubah, simpan sebagai versi baru", m.Version)
		}
		_, err := tx.Exec(ctx, `INSERT INTO welfare_models (version, effective_from, title, document, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6)`, m.Version, m.EffectiveFrom, m.Title, string(doc), actor, store.Micros(store.Now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// ListModels lists the stored model versions, newest effective date first.
func ListModels(ctx context.Context, db *store.DB, today string) ([]ModelInfo, error) {
	if err := EnsureDefault(ctx, db); err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, `SELECT version, effective_from, title, document, created_by, created_at FROM welfare_models
ORDER BY effective_from DESC, created_at DESC, version`)
	if err != nil {
		return nil, fmt.Errorf("welfare: list models: %w", err)
	}
	defer rows.Close()
	var out []ModelInfo
	marked := false
	for rows.Next() {
		var mi ModelInfo
		var doc string
		var at int64
		if err := rows.Scan(&mi.Version, &mi.EffectiveFrom, &mi.Title, &doc, &mi.CreatedBy, &at); err != nil {
			return nil, err
		}
		mi.CreatedAt = store.FromMicros(at)
		var m struct {
			Indicators []json.RawMessage `json:"indicators"`
		}
		_ = json.Unmarshal([]byte(doc), &m)
		mi.Indicators = len(m.Indicators)
		if !marked && mi.EffectiveFrom <= today {
			mi.InEffect, marked = true, true
		}
		out = append(out, mi)
	}
	return out, rows.Err()
}

// GetModel returns a stored model version.
func GetModel(ctx context.Context, db *store.DB, version string) (*Model, error) {
	if err := EnsureDefault(ctx, db); err != nil {
		return nil, err
	}
	var doc string
	err := db.QueryRow(ctx, `SELECT document FROM welfare_models WHERE version = $1`, version).Scan(&doc)
	if store.IsNoRows(err) {
		return nil, errs.NotFound("model %s", version)
	}
	if err != nil {
		return nil, fmt.Errorf("welfare: get model: %w", err)
	}
	return ParseModel([]byte(doc))
}

// modelInEffect returns the version in effect on a day: the latest
// effective date on or before it, the latest stored on a tie.
func modelInEffect(ctx context.Context, db *store.DB, day string) (string, error) {
	if err := EnsureDefault(ctx, db); err != nil {
		return "", err
	}
	var v string
	err := db.QueryRow(ctx, `SELECT version FROM welfare_models WHERE effective_from <= $1
ORDER BY effective_from DESC, created_at DESC, version LIMIT 1`, day).Scan(&v)
	if store.IsNoRows(err) {
		return "", errs.NotFound("tidak ada model yang berlaku pada %s", day)
	}
	return v, err
}

// Run is one ranking.
type Run struct {
	ID         int64      `json:"id"`
	Model      string     `json:"model_version"`
	ByProvince bool       `json:"by_province"`
	State      string     `json:"state"` // berjalan, selesai, gagal
	DataAsOf   time.Time  `json:"data_as_of"`
	Started    time.Time  `json:"started_at"`
	Finished   *time.Time `json:"finished_at,omitempty"`
	StartedBy  string     `json:"started_by"`
	Families   int64      `json:"families"`
	Skipped    int64      `json:"skipped"`
	// Deciles are the decile boundaries: the national ones, or per province.
	Deciles DecileTable `json:"deciles"`
	Error   string      `json:"error,omitempty"`
}

// Run states.
const (
	StateRunning  = "berjalan"
	StateFinished = "selesai"
	StateFailed   = "gagal"
)

// DecileRange is the span of scores and the number of families of a decile.
type DecileRange struct {
	Decile   int     `json:"decile"`
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	Families int64   `json:"families"`
}

// DecileTable holds decile ranges by group: "" for a national ranking, the
// province code for a ranking by province.
type DecileTable map[string][]DecileRange

const runCols = `id, model_version, by_province, state, data_as_of, started_at, finished_at, started_by, families, skipped, deciles, error`

func scanRun(s interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var asOf, started int64
	var finished sql.NullInt64
	var deciles string
	if err := s.Scan(&r.ID, &r.Model, &r.ByProvince, &r.State, &asOf, &started, &finished, &r.StartedBy,
		&r.Families, &r.Skipped, &deciles, &r.Error); err != nil {
		return r, err
	}
	r.DataAsOf, r.Started = store.FromMicros(asOf), store.FromMicros(started)
	if finished.Valid {
		t := store.FromMicros(finished.Int64)
		r.Finished = &t
	}
	if deciles != "" {
		if err := json.Unmarshal([]byte(deciles), &r.Deciles); err != nil {
			return r, fmt.Errorf("welfare: run %d deciles: %w", r.ID, err)
		}
	}
	return r, nil
}

// GetRun returns a run.
func GetRun(ctx context.Context, db *store.DB, id int64) (Run, error) {
	r, err := scanRun(db.QueryRow(ctx, `SELECT `+runCols+` FROM welfare_runs WHERE id = $1`, id))
	if store.IsNoRows(err) {
		return r, errs.NotFound("pemeringkatan %d", id)
	}
	return r, err
}

// CurrentRun returns the latest finished run: the ranking in force.
func CurrentRun(ctx context.Context, db *store.DB) (Run, error) {
	r, err := scanRun(db.QueryRow(ctx, `SELECT `+runCols+` FROM welfare_runs WHERE state = $1 ORDER BY id DESC LIMIT 1`, StateFinished))
	if store.IsNoRows(err) {
		return r, errs.NotFound("belum ada pemeringkatan kesejahteraan yang selesai")
	}
	return r, err
}

// Runs lists the latest runs, newest first.
func Runs(ctx context.Context, db *store.DB, limit int) ([]Run, error) {
	rows, err := db.Query(ctx, `SELECT `+runCols+` FROM welfare_runs ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("welfare: runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
