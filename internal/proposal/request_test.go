package proposal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/welfare"
)

// TestRatifiedRequestsReachDetermination: a family's resignation from BPNT
// and a proposal that it receive PBI-JK, ratified in March, are read by
// the determinations of the next periods: the family is no BPNT recipient
// with the proposal's number in the reason, and its PBI-JK items record
// the proposal. A determination of a period that began before the
// ratification is not changed by it.
func TestRatifiedRequestsReachDetermination(t *testing.T) {
	run(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		w.clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		resign, err := w.svc.Submit(ctx, citizenA, proposal.Input{Kind: proposal.Resign, FamilyID: w.famA, Program: "BPNT", Reason: "usaha sudah cukup"})
		if err != nil {
			t.Fatal(err)
		}
		usul, err := w.svc.Submit(ctx, citizenA, proposal.Input{Kind: proposal.UsulProgram, FamilyID: w.famA, Program: "PBI_JK", Reason: "tidak punya BPJS"})
		if err != nil {
			t.Fatal(err)
		}
		w.throughMeeting(resign.ID, usul.ID)
		w.clock.Set(time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC))
		if _, err := w.svc.Decide(as(dis1), proposal.Decision{Step: proposal.StepDistrict, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{resign.ID, usul.ID}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Decide(as(dis2), proposal.Decision{Step: proposal.StepRatify, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{resign.ID, usul.ID}}}); err != nil {
			t.Fatal(err)
		}
		if n := w.count(`SELECT COUNT(*) FROM program_request WHERE family_id = $1`, w.famA); n != 2 {
			t.Fatalf("program requests: %d", n)
		}

		// Family A is ranked decile 1; the world's hand-written PKH
		// determination goes (its ID is the engine's next).
		if err := welfare.EnsureDefault(ctx, w.db); err != nil {
			t.Fatal(err)
		}
		if err := w.db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `DELETE FROM determination_item WHERE determination_id = 1`); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM determination WHERE id = 1`); err != nil {
				return err
			}
			now := store.Micros(store.Now())
			if _, err := tx.Exec(ctx, `INSERT INTO welfare_runs (id, model_version, by_province, state, data_as_of, started_at, finished_at, started_by, families)
				VALUES (1, $1, FALSE, 'selesai', $2, $2, $2, 'tes', 1)`, welfare.DefaultModel().Version, now); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO welfare_scores (run_id, family_id, family_version, province, score, decile, contributions)
				VALUES (1, $1, 1, '32', 5, 1, '[]')`, w.famA)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		runner := testRunner(w.db, "penetapan")
		determination.RegisterJob(runner, w.db)
		dsvc := determination.New(w.db, runner)
		items := func(spec determination.Spec) []determination.Item {
			t.Helper()
			st, err := dsvc.Start(authz.With(ctx, authz.Principal{Username: "pembuat", Role: authz.Program}), []determination.Spec{spec})
			if err != nil {
				t.Fatal(err)
			}
			rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			if in, err := runner.RunNow(rctx, st.JobID); err != nil || in.State != jobs.Done {
				t.Fatalf("job: %+v %v", in, err)
			}
			its, err := dsvc.Items(ctx, st.Determinations[0].ID, determination.ItemOptions{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var out []determination.Item
			for _, it := range its {
				if it.FamilyID == w.famA {
					out = append(out, it)
				}
			}
			return out
		}

		// January-February began before the ratification: family A receives.
		if its := items(determination.Spec{Program: "BPNT", Period: "2026-B1"}); len(its) != 1 || its[0].Status != determination.ItemNew {
			t.Fatalf("BPNT 2026-B1: %+v", its)
		}
		// May-June: it resigned.
		its := items(determination.Spec{Program: "BPNT", Period: "2026-B3"})
		want := "mengundurkan diri dari program melalui usulan nomor " + fmtInt(resign.ID)
		if len(its) != 1 || its[0].Status != determination.ItemExcluded || its[0].Amount != 0 ||
			strings.Join(its[0].ReasonCodes, " ") != determination.ReasonResigned || its[0].Reasons != want {
			t.Fatalf("BPNT 2026-B3: %+v, want %q", its, want)
		}
		// April PBI-JK: both members receive, and the proposal is recorded.
		its = items(determination.Spec{Program: "PBI_JK", Period: "2026-04"})
		if len(its) != 2 {
			t.Fatalf("PBI_JK 2026-04: %+v", its)
		}
		for _, it := range its {
			if it.Status != determination.ItemNew || strings.Join(it.ReasonCodes, " ") != "layak diusulkan_musdes" ||
				!strings.HasSuffix(it.Reasons, "; diusulkan melalui Musdes, usulan nomor "+fmtInt(usul.ID)) {
				t.Errorf("PBI_JK 2026-04: %+v", it)
			}
		}
	})
}
