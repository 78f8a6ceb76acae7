package welfare

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// DecileLabel returns the Indonesian label of a decile (DOMAIN.md).
func DecileLabel(d int) string {
	switch {
	case d == 1:
		return "Sangat miskin"
	case d == 2:
		return "Miskin"
	case d == 3:
		return "Hampir miskin"
	case d == 4:
		return "Rentan"
	case d == 5:
		return "Pas-pasan"
	case d >= 6 && d <= 10:
		return "Menengah ke atas"
	}
	return ""
}

// Breakdown is a family's score in a run and what made it.
type Breakdown struct {
	FamilyID      int64          `json:"family_id"`
	RunID         int64          `json:"run_id"`
	Model         string         `json:"model_version"`
	ModelTitle    string         `json:"model_title"`
	RankedAt      time.Time      `json:"ranked_at"`
	DataAsOf      time.Time      `json:"data_as_of"`
	ByProvince    bool           `json:"by_province"`
	Province      string         `json:"province"`
	FamilyVersion int            `json:"family_version"`
	Score         float64        `json:"score"`
	Base          float64        `json:"base"`
	Decile        int            `json:"decile"`
	DecileLabel   string         `json:"decile_label"`
	Contributions []Contribution `json:"contributions"`
	History       []HistoryEntry `json:"history"`
}

// Contribution is what one indicator added to a score (negative: poorer).
type Contribution struct {
	Indicator string `json:"indicator"`
	Label     string `json:"label"`
	// Value is the family's value as the ranking read it (a code's label or
	// a number, "" when unknown); omitted when it can no longer be shown.
	Value  *string `json:"value,omitempty"`
	Points float64 `json:"points"`
}

// HistoryEntry is a family's decile in one finished run.
type HistoryEntry struct {
	RunID      int64     `json:"run_id"`
	Model      string    `json:"model_version"`
	RankedAt   time.Time `json:"ranked_at"`
	ByProvince bool      `json:"by_province"`
	Score      float64   `json:"score"`
	Decile     int       `json:"decile"`
}

// FamilyBreakdown returns a family's score in the current run, its
// contributions sorted by absolute effect, and its deciles in earlier runs.
// The family is looked up with reg and ctx first, so a family outside the
// caller's region is not found. A family the current run did not rank is
// not found either.
func FamilyBreakdown(ctx context.Context, reg *registry.Registry, familyID int64) (Breakdown, error) {
	db := reg.DB
	if _, _, err := reg.GetFamily(ctx, familyID, time.Time{}); err != nil {
		return Breakdown{}, err
	}
	run, err := CurrentRun(ctx, db)
	if err != nil {
		return Breakdown{}, err
	}
	b := Breakdown{FamilyID: familyID, RunID: run.ID, Model: run.Model, DataAsOf: run.DataAsOf, ByProvince: run.ByProvince}
	if run.Finished != nil {
		b.RankedAt = *run.Finished
	}
	var doc string
	err = db.QueryRow(ctx, `SELECT family_version, province, score, decile, contributions FROM welfare_scores WHERE run_id = $1 AND family_id = $2`,
		run.ID, familyID).Scan(&b.FamilyVersion, &b.Province, &b.Score, &b.Decile, &doc)
	if store.IsNoRows(err) {
		return b, errs.NotFound("keluarga %d tidak diperingkat pada pemeringkatan %d", familyID, run.ID)
	}
	if err != nil {
		return b, fmt.Errorf("welfare: family score: %w", err)
	}
	b.DecileLabel = DecileLabel(b.Decile)
	m, err := GetModel(ctx, db, run.Model)
	if err != nil {
		return b, err
	}
	b.ModelTitle, b.Base = m.Title, m.Base
	var pts []float64
	if err := json.Unmarshal([]byte(doc), &pts); err != nil || len(pts) != len(m.Indicators) {
		return b, fmt.Errorf("welfare: family %d run %d: contributions do not match model %s", familyID, run.ID, m.Version)
	}
	values := valuesAt(ctx, reg, m, familyID, b.FamilyVersion, run.DataAsOf, pts)
	for i, ind := range m.Indicators {
		c := Contribution{Indicator: ind.Name, Label: ind.Label, Points: pts[i]}
		if values != nil {
			c.Value = &values[i]
		}
		b.Contributions = append(b.Contributions, c)
	}
	sort.SliceStable(b.Contributions, func(i, j int) bool {
		return math.Abs(b.Contributions[i].Points) > math.Abs(b.Contributions[j].Points)
	})
	b.History, err = familyHistory(ctx, db, familyID)
	return b, err
}

// valuesAt recomputes the family's values as the run read them, from the
// register as of the run's data time. It returns nil unless they give back
// exactly the stored contributions (the family changed in the instant the
// ranking read it, or the rules of a source changed since).
func valuesAt(ctx context.Context, reg *registry.Registry, m *Model, id int64, version int, asOf time.Time, stored []float64) []string {
	f, members, err := reg.GetFamily(ctx, id, asOf)
	if err != nil || f.Version != version {
		return nil
	}
	ref := newRefDates(asOf)
	h := householdOf(&f, members, &ref)
	c := compile(m)
	out := make([]string, len(c.inds))
	for i := range c.inds {
		if float64(c.inds[i].contribution(&h))/100 != stored[i] {
			return nil
		}
		out[i] = c.inds[i].src.value(&h)
	}
	return out
}

// familyHistory lists the family's deciles in the finished runs, newest first.
func familyHistory(ctx context.Context, db *store.DB, familyID int64) ([]HistoryEntry, error) {
	rows, err := db.Query(ctx, `SELECT r.id, r.model_version, r.finished_at, r.by_province, s.score, s.decile
FROM welfare_runs r JOIN welfare_scores s ON s.run_id = r.id AND s.family_id = $1
WHERE r.state = $2 ORDER BY r.id DESC LIMIT 50`, familyID, StateFinished)
	if err != nil {
		return nil, fmt.Errorf("welfare: family history: %w", err)
	}
	defer rows.Close()
	out := []HistoryEntry{}
	for rows.Next() {
		var e HistoryEntry
		var at int64
		if err := rows.Scan(&e.RunID, &e.Model, &at, &e.ByProvince, &e.Score, &e.Decile); err != nil {
			return nil, err
		}
		e.RankedAt = store.FromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
