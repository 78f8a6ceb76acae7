package proposal_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// seedWaiting stores n items of village A that the Musdes agreed to, as
// the path leaves them, in one bulk insert.
func seedWaiting(tb testing.TB, db *store.DB, n int, at time.Time) {
	tb.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		first, err := tx.ReserveIDs(ctx, "proposal", int64(n))
		if err != nil {
			return err
		}
		rows := make([][]any, n)
		for i := range rows {
			id := first + int64(i)
			rows[i] = []any{id, "usul_program", villageA, fmt.Sprintf("keluarga:%d:PKH", 1000000+id), "PKH", "Usul penerima program",
				"miskin", "{}", "operator", int64(11), "op-a1", "disetujui_musdes", store.Micros(at), store.Micros(at), "op-a2"}
		}
		_, err = tx.CopyFrom(ctx, "proposal", []string{"id", "kind", "village_code", "subject_key", "program", "title", "reason",
			"payload", "source", "maker_user_id", "maker", "status", "created_at", "step_at", "village_by"}, rows)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// TestDistrictBatch10000 decides 10,000 waiting items in one call: one
// batch, every item moved, one audit entry and one step line each.
func TestDistrictBatch10000(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 items: skipped in -short")
	}
	run(t, func(t *testing.T, w *world) {
		const n = 10000
		seedWaiting(t, w.db, n, w.clock.Now())
		auditBefore := w.count(`SELECT COUNT(*) FROM audit_log`)
		start := time.Now()
		res, err := w.svc.Decide(as(dis1), proposal.Decision{Step: proposal.StepDistrict, Verdict: proposal.Approve,
			Items: proposal.Selection{All: true, Region: villageA}})
		took := time.Since(start)
		if err != nil || res.Count != n || res.BatchID == 0 {
			t.Fatalf("decide: %+v %v", res, err)
		}
		t.Logf("%s: %d items decided in one action in %v", w.db.Engine(), n, took.Round(time.Millisecond))
		if got := w.count(`SELECT COUNT(*) FROM proposal WHERE status = 'diperiksa_dinsos' AND batch_id = $1 AND district_by = 'dinsos-1'`, res.BatchID); got != n {
			t.Fatalf("moved %d of %d", got, n)
		}
		if got := w.count(`SELECT COUNT(*) FROM audit_log`) - auditBefore; got != n {
			t.Fatalf("audit entries %d, want %d", got, n)
		}
		if got := w.count(`SELECT COUNT(*) FROM proposal_step WHERE step = 'dinsos.setuju'`); got != n {
			t.Fatalf("steps %d", got)
		}
		if got := w.count(`SELECT COUNT(*) FROM proposal_pick`); got != 0 {
			t.Fatalf("selection left behind: %d", got)
		}
		// The same 10,000 by their IDs, ratified by another officer in one call.
		ids := make([]int64, 0, n)
		rows, err := w.db.Query(context.Background(), `SELECT id FROM proposal WHERE batch_id = $1`, res.BatchID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			_ = rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		start = time.Now()
		r2, err := w.svc.Decide(as(dis2), proposal.Decision{Step: proposal.StepRatify, Verdict: proposal.Return, Reason: "lengkapi data",
			Items: proposal.Selection{IDs: ids}})
		if err != nil || r2.Count != n {
			t.Fatalf("return by IDs: %+v %v", r2, err)
		}
		t.Logf("%s: %d items by ID sent back in %v", w.db.Engine(), n, time.Since(start).Round(time.Millisecond))
		if got := w.count(`SELECT COUNT(*) FROM proposal WHERE status = 'disetujui_musdes' AND batch_id IS NULL`); got != n {
			t.Fatalf("returned %d", got)
		}
	})
}

// BenchmarkDistrictBatch10000 measures one district decision on 10,000
// items (docs/benchmarks.md):
//
//	JARING_TEST_POSTGRES=... go test ./internal/proposal -run '^$' -bench DistrictBatch -benchtime 3x
func BenchmarkDistrictBatch10000(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var db *store.DB
			if engine == "sqlite" {
				db = storetest.OpenSQLite(b)
			} else {
				db = storetest.OpenPostgres(b)
			}
			svc := proposal.New(db)
			at := store.Now()
			var total time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if err := db.Write(context.Background(), func(tx *store.Tx) error {
					_, err := tx.Exec(context.Background(), `DELETE FROM proposal`)
					return err
				}); err != nil {
					b.Fatal(err)
				}
				seedWaiting(b, db, 10000, at)
				b.StartTimer()
				start := time.Now()
				res, err := svc.Decide(as(dis1), proposal.Decision{Step: proposal.StepDistrict, Verdict: proposal.Approve,
					Items: proposal.Selection{All: true}})
				total += time.Since(start)
				if err != nil || res.Count != 10000 {
					b.Fatal(res, err)
				}
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/10k-items")
		})
	}
}
