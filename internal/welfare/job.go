package welfare

import (
	"context"
	"errors"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/store"
)

// JobKind is the kind of the durable ranking job.
const JobKind jobs.Kind = "peringkat"

// JobKey is the unique key of ranking jobs: one ranking queued or running
// at a time.
const JobKey = "peringkat"

// JobArgs are the arguments of a ranking job.
type JobArgs struct {
	Model      string `json:"model,omitempty"`
	ByProvince bool   `json:"by_province,omitempty"`
	Streams    int    `json:"streams,omitempty"`
}

// JobResult is what a finished ranking job records.
type JobResult struct {
	RunID    int64 `json:"run_id"`
	Families int64 `json:"families"`
	ReadMS   int64 `json:"read_ms"`
	WriteMS  int64 `json:"write_ms"`
}

type jobCheckpoint struct {
	RunID int64 `json:"run_id"`
}

// RegisterJob registers the ranking job with a runner. The run's ID is
// checkpointed in the transaction that creates it; a job taken up again
// after a crash or a lost lease does that run again from the start (its
// partial rows are deleted first), so the result is that of one clean run.
func RegisterJob(r *jobs.Runner, db *store.DB) {
	jobs.Register(r, JobKind, func(ctx context.Context, j *jobs.Job, a JobArgs) error {
		var cp jobCheckpoint
		if _, err := j.Resume(&cp); err != nil {
			return err
		}
		o := Options{Model: a.Model, ByProvince: a.ByProvince, Streams: a.Streams, RunID: cp.RunID, Actor: "jaring"}
		if p, ok := authz.From(ctx); ok && p.Username != "" {
			o.Actor = p.Username
		}
		o.Started = func(ctx context.Context, tx *store.Tx, runID int64) error {
			return j.CheckpointTx(ctx, tx, jobCheckpoint{RunID: runID})
		}
		res, err := Rank(ctx, db, o, func(done, total int64) {
			note := "hitung skor"
			if done > total/2 {
				note = "tulis skor dan desil"
			}
			j.Progress(done, total, note)
		})
		if err != nil {
			if errors.Is(err, errs.ErrInvalid) || errors.Is(err, errs.ErrNotFound) {
				return jobs.Permanent(err) // an unknown or broken model does not heal by itself
			}
			return err
		}
		return j.SetResult(JobResult{RunID: res.ID, Families: res.Families,
			ReadMS: res.Read.Milliseconds(), WriteMS: res.Write.Milliseconds()})
	})
}

// Enqueue adds a ranking job, or returns the one already queued or running.
func Enqueue(ctx context.Context, r *jobs.Runner, a JobArgs) (id int64, existing bool, err error) {
	return r.Enqueue(ctx, JobKind, a, &jobs.EnqueueOptions{UniqueKey: JobKey, MaxAttempts: 3})
}
