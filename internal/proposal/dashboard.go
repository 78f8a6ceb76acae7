package proposal

import (
	"context"
	"fmt"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// Waiting is what waits at one step (status) in one region.
type Waiting struct {
	Region  string
	Status  Status
	Count   int64
	Overdue int64
	// Oldest is how long the oldest item has waited.
	Oldest time.Duration
}

// Board counts the open items of a region (narrowed to the caller's
// scope) per status: how many, how many overdue (Limits; a sanggah past
// its deadline), and the oldest's age. ByVillage repeats it per village
// (at most 500 villages, most waiting first). Two grouped queries.
type Board struct {
	Region    string
	Now       time.Time
	Total     []Waiting // one per open status, in path order
	ByVillage []Waiting
	Lapsing   int64 // sanggahan waiting for the district
}

// Dashboard returns the board of a region.
func (s *Service) Dashboard(ctx context.Context, region string) (Board, error) {
	region, ok := authz.Narrow(ctx, region)
	if !ok {
		return Board{}, errs.NotFound("wilayah %s", region)
	}
	now := s.now()
	b := Board{Region: region, Now: now}
	cond, args := scopeCond("village_code", region, 6)
	// overdue: the step's limit, or a sanggah's deadline.
	q := `SELECT village_code, status, COUNT(*),
		SUM(CASE WHEN (kind = 'sanggah' AND deadline < $5) OR (kind <> 'sanggah' AND (
			(status = 'diajukan' AND step_at < $1) OR (status = 'diperiksa_desa' AND step_at < $2) OR
			(status = 'disetujui_musdes' AND step_at < $3) OR (status = 'diperiksa_dinsos' AND step_at < $4))) THEN 1 ELSE 0 END),
		MIN(step_at)
		FROM proposal WHERE status IN ('diajukan', 'diperiksa_desa', 'disetujui_musdes', 'diperiksa_dinsos')` + cond + `
		GROUP BY village_code, status ORDER BY village_code, status`
	at := func(st Status) int64 { return store.Micros(now.Add(-Limits[st])) }
	rows, err := s.DB.Query(ctx, q, append([]any{at(Submitted), at(VillageChecked), at(MeetingAgreed), at(DistrictChecked), store.Micros(now)}, args...)...)
	if err != nil {
		return b, fmt.Errorf("proposal: dashboard: %w", err)
	}
	defer rows.Close()
	totals := map[Status]*Waiting{}
	for _, st := range []Status{Submitted, VillageChecked, MeetingAgreed, DistrictChecked} {
		totals[st] = &Waiting{Region: region, Status: st}
	}
	for rows.Next() {
		var w Waiting
		var status string
		var oldest int64
		if err := rows.Scan(&w.Region, &status, &w.Count, &w.Overdue, &oldest); err != nil {
			return b, err
		}
		w.Status = Status(status)
		w.Oldest = now.Sub(store.FromMicros(oldest))
		if len(b.ByVillage) < 2000 {
			b.ByVillage = append(b.ByVillage, w)
		}
		t := totals[w.Status]
		t.Count += w.Count
		t.Overdue += w.Overdue
		t.Oldest = max(t.Oldest, w.Oldest)
	}
	if err := rows.Err(); err != nil {
		return b, err
	}
	for _, st := range []Status{Submitted, VillageChecked, MeetingAgreed, DistrictChecked} {
		b.Total = append(b.Total, *totals[st])
	}
	cond2, args2 := scopeCond("village_code", region, 1)
	err = s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM proposal WHERE kind = 'sanggah' AND status = 'diajukan'`+cond2, args2...).Scan(&b.Lapsing)
	return b, err
}
