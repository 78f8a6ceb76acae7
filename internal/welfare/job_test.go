package welfare_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
	"github.com/kemensos/jaring/internal/welfare"
)

func TestRankingJob(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := setup(t, db)
		addModel(t, db, areaModel)
		ids := areaFamilies(t, r, []int{4, 2, 9, 7})
		runner := jobs.New(db, jobs.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		welfare.RegisterJob(runner, db)

		id, existing, err := welfare.Enqueue(ctx, runner, welfare.JobArgs{Model: "luas-1"})
		if err != nil || existing {
			t.Fatal(existing, err)
		}
		// A second request while the first is queued is the same job.
		if again, existing, err := welfare.Enqueue(ctx, runner, welfare.JobArgs{Model: "luas-1"}); err != nil || !existing || again != id {
			t.Fatalf("second enqueue: %d %v %v", again, existing, err)
		}
		in, err := runner.RunNow(ctx, id)
		if err != nil || in.State != jobs.Done || in.Done != in.Total || in.Total != 8 {
			t.Fatalf("job: %+v %v", in, err)
		}
		var res welfare.JobResult
		if err := json.Unmarshal(in.Result, &res); err != nil || res.Families != 4 {
			t.Fatalf("result %s: %v", in.Result, err)
		}
		got := decilesOf(t, db, res.RunID)
		if got[ids[1]] != 1 || got[ids[2]] != 8 {
			t.Errorf("deciles %v", got)
		}

		// A job that died after creating its run: the checkpoint names the
		// run, whose partial rows are thrown away and which is done again.
		id2, _, err := welfare.Enqueue(ctx, runner, welfare.JobArgs{Model: "luas-1"})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO welfare_runs (id, model_version, by_province, state, data_as_of, started_at, started_by)
VALUES (500, 'luas-1', FALSE, 'berjalan', 0, 0, 'job')`); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO welfare_scores (run_id, family_id, family_version, province, score, decile, contributions)
VALUES (500, 999, 1, '31', 5, 3, '[5]')`); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE jobs SET checkpoint = '{"run_id": 500}' WHERE id = $1`, id2)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		in, err = runner.RunNow(ctx, id2)
		if err != nil || in.State != jobs.Done {
			t.Fatalf("resumed job: %+v %v", in, err)
		}
		if err := json.Unmarshal(in.Result, &res); err != nil || res.RunID != 500 || res.Families != 4 {
			t.Fatalf("resumed result %s: %v", in.Result, err)
		}
		if d := decilesOf(t, db, 500); len(d) != 4 || d[999] != 0 {
			t.Errorf("resumed run rows %v", d)
		}

		// A job naming an unknown model fails at once, with the reason.
		id3, _, err := welfare.Enqueue(ctx, runner, welfare.JobArgs{Model: "tidak-ada"})
		if err != nil {
			t.Fatal(err)
		}
		in, err = runner.RunNow(ctx, id3)
		if err != nil || in.State != jobs.Failed || in.Attempt != 1 || !strings.Contains(in.Error, "tidak-ada") {
			t.Fatalf("job with an unknown model: %+v %v", in, err)
		}
	})
}
