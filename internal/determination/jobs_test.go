package determination_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// installVariant stores and approves a copy of a shipped program under
// another code with quotas.
func installVariant(t *testing.T, db *store.DB, from, code string, quotas map[string]int64) {
	t.Helper()
	d, err := program.Default(from)
	if err != nil {
		t.Fatal(err)
	}
	d.Program, d.Name, d.Quotas = code, "Uji kuota "+from, quotas
	ps := program.NewStore(db)
	v, err := ps.CreateDraft(context.Background(), d, "perancang", "uji kuota")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Approve(context.Background(), code, v.Version, "penyetuju"); err != nil {
		t.Fatal(err)
	}
}

// Quotas are applied poorest first within each quota's region, whatever
// the order the families were read in, per family or per person.
func TestQuotas(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		installVariant(t, db, "BPNT", "UJI", map[string]int64{"": 100, "32.01.01": 1})
		installVariant(t, db, "PBI_JK", "UJI_JIWA", map[string]int64{"32.01.01.2002": 5})
		dets := w.determine(determination.Spec{Program: "UJI", Period: "2026-B1"}, determination.Spec{Program: "UJI_JIWA", Period: "2026-01"})
		sembako := want{determination.ItemNew, 400_000, "layak", "Saldo pangan"}
		iuran := want{determination.ItemNew, 42_000, "layak", "Iuran JKN"}
		for _, d := range dets {
			switch d.Program {
			case "UJI":
				// F1 (decile 1) and F4 (decile 3) are eligible in district 32.01.01 of quota 1.
				check(t, w.items(d.ID), map[string][]want{
					"F1": {sembako}, "F2": {asn}, "F3": {desil64}, "F5": {sembako}, "F6": {unrank},
					"F4": {{determination.ItemExcluded, 0, "kuota_habis", "kuota kecamatan 32.01.01 habis (batas 1 penerima)"}},
				})
				if d.Summary.QuotaCut != 1 || d.Recipients != 2 {
					t.Errorf("UJI: %+v", d.Summary)
				}
			case "UJI_JIWA":
				// Village 32.01.01.2002 has room for 5 people: F1's four, then F4's first member.
				cut := want{determination.ItemExcluded, 0, "kuota_habis", "kuota desa/kelurahan 32.01.01.2002 habis (batas 5 penerima)"}
				check(t, w.items(d.ID), map[string][]want{
					"F1": rep(4, iuran), "F2": rep(2, asn), "F3": rep(2, desil65), "F4": {iuran, cut}, "F5": rep(2, iuran), "F6": {unrank},
				})
			}
		}
	})
}

// Starting the same determination twice at once gives one job and one
// determination; a different set that overlaps a running one is refused.
func TestStartTwiceAtOnce(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		spec := []determination.Spec{{Program: "PKH", Period: "2026-Q1"}, {Program: "BPNT", Period: "2026-B1"}}
		var wg sync.WaitGroup
		res := make([]*determination.Started, 4)
		errs4 := make([]error, 4)
		for i := range res {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res[i], errs4[i] = w.svc.Start(maker, spec)
			}()
		}
		wg.Wait()
		existing := 0
		for i := range res {
			if errs4[i] != nil {
				t.Fatalf("start %d: %v", i, errs4[i])
			}
			if res[i].JobID != res[0].JobID || len(res[i].Determinations) != 2 {
				t.Fatalf("start %d: %+v, first %+v", i, res[i], res[0])
			}
			if res[i].Existing {
				existing++
			}
		}
		if existing != 3 {
			t.Errorf("%d of 4 starts found the running job, want 3", existing)
		}
		// Part of a running set follows its job; a set overlapping it is refused.
		if part, err := w.svc.Start(maker, spec[1:]); err != nil || !part.Existing || part.JobID != res[0].JobID {
			t.Errorf("start of a part: %+v %v", part, err)
		}
		if _, err := w.svc.Start(maker, []determination.Spec{spec[0], {Program: "PBI_JK", Period: "2026-01"}}); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("overlapping start: %v", err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM determination`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("%d determinations, want 2 (%v)", n, err)
		}
		// The DB refuses a second pending determination whatever the code does.
		err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO determination (id, kind, program, period, number, channel, unit, period_start, period_end,
				program_version, status, data_as_of, created_by, created_at) VALUES (999, 'penetapan', 'PKH', '2026-Q1', 9, 'bank', 'family',
				'2026-01-01', '2026-03-31', 1, 'draft', 0, 'x', 0)`)
			return err
		})
		if !store.IsUniqueViolation(err) {
			t.Errorf("second pending determination: %v", err)
		}
		w.run(res[0].JobID)

		// A job cancelled before it ran leaves its determination failed,
		// and the next start is a new determination.
		st, err := w.svc.Start(maker, spec[:1])
		if err != nil || st.Existing {
			t.Fatalf("start after finish: %+v %v", st, err)
		}
		if _, err := w.runner.Cancel(ctx, st.JobID); err != nil {
			t.Fatal(err)
		}
		again, err := w.svc.Start(maker, spec[:1])
		if err != nil || again.Existing || again.Determinations[0].Number != 3 {
			t.Fatalf("start after cancel: %+v %v", again, err)
		}
		old, _ := w.svc.Get(ctx, st.Determinations[0].ID)
		if old.Status != determination.StatusFailed {
			t.Errorf("cancelled determination: %s", old.Status)
		}
		// The draft of the first run was superseded by the second start.
		first, _ := w.svc.Get(ctx, res[0].Determinations[1].ID) // PKH (sorted after BPNT)
		if first.Status != determination.StatusSuperseded {
			t.Errorf("draft after a new start: %s", first.Status)
		}
	})
}

// A runner stopped halfway (a deploy, Ctrl+C) puts the job back; another
// runner resumes after the last committed batch and writes every item once.
func TestStopAndResume(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		defer func(n int) { determination.BatchSize = n }(determination.BatchSize)
		determination.BatchSize = 2
		reached := make(chan struct{})
		release := make(chan struct{})
		var once sync.Once
		determination.SetAfterBatch(func(done int64) {
			once.Do(func() {
				close(reached)
				<-release
			})
		})
		defer determination.SetAfterBatch(nil)

		st, err := w.svc.Start(maker, []determination.Spec{{Program: "PKH", Period: "2026-Q1"}, {Program: "PBI_JK", Period: "2026-01"}})
		if err != nil {
			t.Fatal(err)
		}
		a := testRunner(db, "a")
		if err := a.Start(ctx); err != nil {
			t.Fatal(err)
		}
		<-reached
		stopped := make(chan error, 1)
		go func() { stopped <- a.Stop(ctx) }()
		time.Sleep(100 * time.Millisecond)
		close(release)
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		in, err := a.Get(ctx, st.JobID)
		if err != nil || in.State != jobs.Queued || in.Done != 2 {
			t.Fatalf("after stop: %+v %v", in, err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM determination_item`).Scan(&n); err != nil || n != 2+4+2 {
			t.Fatalf("items after the first batch: %d, want 8 (%v)", n, err)
		}
		b := testRunner(db, "b")
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		in, err = b.RunNow(rctx, st.JobID)
		if err != nil || in.State != jobs.Done {
			t.Fatalf("resume: %+v %v", in, err)
		}
		for _, d := range st.Determinations {
			got, _ := w.svc.Get(ctx, d.ID)
			var count, distinct int
			if err := db.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT family_id * 1000000 + person_id) FROM determination_item
				WHERE determination_id = $1`, d.ID).Scan(&count, &distinct); err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"PKH": 6, "PBI_JK": 13}[d.Program]
			if count != want || distinct != want || got.Status != determination.StatusDraft || got.Units != int64(want) {
				t.Errorf("%s: %d items (%d distinct), status %s, want %d once each", d.Program, count, distinct, got.Status, want)
			}
		}
	})
}
