package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/store"
)

// Job is a running job as its handler sees it.
type Job struct {
	ID          int64
	Kind        Kind
	Attempt     int // 1 on the first run; a resumed job has Attempt > 1
	MaxAttempts int

	r     *Runner
	owner string

	mu         sync.Mutex
	done       int64
	total      int64
	note       string
	progressAt time.Time
	dirty      bool
	checkpoint json.RawMessage
	result     json.RawMessage
}

// Progress reports how far the job is: done of total units (rows,
// families, payments; total 0 when unknown) and a short note. It only
// records the numbers; they are written at most once per
// Options.ProgressEvery, and at every checkpoint.
func (j *Job) Progress(done, total int64, note string) {
	now := time.Now()
	j.mu.Lock()
	j.done, j.total, j.note, j.progressAt, j.dirty = done, total, note, now, true
	j.mu.Unlock()
}

// Resume decodes the last checkpoint into dst and reports whether there was
// one. On a first run it returns false and leaves dst alone.
func (j *Job) Resume(dst any) (bool, error) {
	j.mu.Lock()
	cp := j.checkpoint
	j.mu.Unlock()
	if len(cp) == 0 {
		return false, nil
	}
	if err := json.Unmarshal(cp, dst); err != nil {
		return false, Permanent(fmt.Errorf("jobs: checkpoint of job %d: %w", j.ID, err))
	}
	return true, nil
}

// Checkpoint saves data (small, JSON-encodable) as the point to resume
// from, with the current progress, in its own transaction. Inside a
// store.Write use CheckpointTx instead. It returns ErrLeaseLost when another
// runner has taken the job over.
func (j *Job) Checkpoint(ctx context.Context, data any) error {
	return j.r.db.Write(ctx, func(tx *store.Tx) error { return j.CheckpointTx(ctx, tx, data) })
}

// CheckpointTx saves data as the point to resume from inside tx, so that the
// checkpoint commits or rolls back with the work it describes. It returns
// ErrLeaseLost when another runner has taken the job over; the caller must
// then roll back (return the error from the store.Write function).
func (j *Job) CheckpointTx(ctx context.Context, tx *store.Tx, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return Permanent(fmt.Errorf("jobs: encode checkpoint: %w", err))
	}
	j.mu.Lock()
	done, total, note, at := j.done, j.total, j.note, j.progressAt
	j.mu.Unlock()
	now := store.Now()
	if at.IsZero() {
		at = now
	}
	res, err := tx.Exec(ctx, `UPDATE jobs SET checkpoint = $3, lease_until = $4, done = $5, total = $6, note = $7, progress_at = $8
		WHERE id = $1 AND lease_owner = $2 AND state = 'running'`,
		j.ID, j.owner, string(b), store.Micros(now.Add(j.r.o.Lease)), done, total, note, store.Micros(at))
	if err != nil {
		return fmt.Errorf("jobs: checkpoint: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("jobs: checkpoint: %w", err)
	} else if n == 0 {
		return ErrLeaseLost
	}
	j.mu.Lock()
	j.checkpoint = b
	j.mu.Unlock()
	return nil
}

// SetResult records a small JSON-encodable result, saved when the job
// finishes successfully (for example the ID of what it created).
func (j *Job) SetResult(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("jobs: encode result: %w", err)
	}
	j.mu.Lock()
	j.result = b
	j.mu.Unlock()
	return nil
}

func (j *Job) snapshot() (done, total int64, note string, at time.Time, dirty bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.done, j.total, j.note, j.progressAt, j.dirty
}

// claimed is a job row just claimed by this runner.
type claimed struct {
	id              int64
	kind            Kind
	args            json.RawMessage
	attempt         int
	maxAttempts     int
	checkpoint      json.RawMessage
	principal       *authz.Principal
	done, total     int64
	note            string
	cancelRequested bool
	owner           string
}

const claimSet = `UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, attempt = attempt + 1,
	started_at = COALESCE(started_at, $3), attempt_started_at = $3, attempt_done = done`

const claimReturning = ` RETURNING id, kind, args, attempt, max_attempts, checkpoint, principal, done, total, note, cancel_requested`

// due is the condition of a claimable job at time $n.
func due(n int) string {
	p := "$" + strconv.Itoa(n)
	return `((state = 'queued' AND run_after <= ` + p + `) OR (state = 'running' AND lease_until < ` + p + `))`
}

func kindList(from int, kinds []Kind) (string, []any) {
	ps := make([]string, len(kinds))
	args := make([]any, len(kinds))
	for i, k := range kinds {
		ps[i] = "$" + strconv.Itoa(from+i)
		args[i] = string(k)
	}
	return "kind IN (" + strings.Join(ps, ", ") + ")", args
}

// claimNext claims the next due job of one of kinds, or returns nil.
func (r *Runner) claimNext(ctx context.Context, kinds []Kind) (*claimed, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	now := store.Micros(store.Now())
	// A read first, so that an idle runner does not take the writer (SQLite)
	// or a row lock (PostgreSQL) every poll.
	in, kargs := kindList(2, kinds)
	var one int
	err := r.db.QueryRow(ctx, `SELECT 1 FROM jobs WHERE `+due(1)+` AND `+in+` LIMIT 1`, append([]any{now}, kargs...)...).Scan(&one)
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: poll: %w", err)
	}
	lock := ""
	if r.db.Engine() == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	in, kargs = kindList(4, kinds)
	q := claimSet + ` WHERE id = (SELECT id FROM jobs WHERE ` + due(3) + ` AND ` + in + ` ORDER BY run_after, id LIMIT 1` + lock + `)` + claimReturning
	return r.claim(ctx, q, kargs)
}

// claimID claims job id if it is queued (whatever its RunAfter) or its lease
// has run out; it returns nil when the job is running elsewhere or finished.
func (r *Runner) claimID(ctx context.Context, id int64) (*claimed, error) {
	q := claimSet + ` WHERE id = $4 AND (state = 'queued' OR (state = 'running' AND lease_until < $3))` + claimReturning
	return r.claim(ctx, q, []any{id})
}

func (r *Runner) claim(ctx context.Context, q string, extra []any) (*claimed, error) {
	owner := r.o.ID + "/" + randomHex(4)
	var c *claimed
	err := r.db.Write(ctx, func(tx *store.Tx) error {
		c = nil
		now := store.Now()
		args := append([]any{owner, store.Micros(now.Add(r.o.Lease)), store.Micros(now)}, extra...)
		var kind, args2 string
		var checkpoint, principal *string
		cl := claimed{owner: owner}
		err := tx.QueryRow(ctx, q, args...).Scan(&cl.id, &kind, &args2, &cl.attempt, &cl.maxAttempts, &checkpoint, &principal,
			&cl.done, &cl.total, &cl.note, &cl.cancelRequested)
		if store.IsNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		cl.kind, cl.args = Kind(kind), json.RawMessage(args2)
		if checkpoint != nil {
			cl.checkpoint = json.RawMessage(*checkpoint)
		}
		if principal != nil {
			var p authz.Principal
			if err := json.Unmarshal([]byte(*principal), &p); err == nil {
				cl.principal = &p
			}
		}
		c = &cl
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: claim: %w", err)
	}
	return c, nil
}

// execute runs a claimed job to the end of this attempt and records the
// outcome. parent's cancellation means the runner is stopping: the job goes
// back to the queue without using up an attempt.
func (r *Runner) execute(parent context.Context, c *claimed) {
	log := r.log.With("job", c.id, "kind", string(c.kind), "attempt", c.attempt)
	j := &Job{ID: c.id, Kind: c.kind, Attempt: c.attempt, MaxAttempts: c.maxAttempts, r: r, owner: c.owner,
		done: c.done, total: c.total, note: c.note, checkpoint: c.checkpoint}
	h, ok := r.handlers[c.kind]
	switch {
	case c.cancelRequested:
		r.finish(j, Cancelled, "", log)
		return
	case c.attempt > c.maxAttempts:
		r.finish(j, Failed, fmt.Sprintf("%d percobaan habis; yang terakhir terhenti di tengah jalan (proses mati atau sewa habis)", c.maxAttempts), log)
		return
	case !ok:
		r.release(j, fmt.Sprintf("jenis tugas %q tidak dikenal runner ini", c.kind), log)
		return
	}
	log.Info("tugas mulai", "resume", len(c.checkpoint) > 0)

	ctx := parent
	if c.principal != nil {
		ctx = authz.With(ctx, *c.principal)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r.mu.Lock()
	r.local[j.ID] = j
	r.mu.Unlock()
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		r.heartbeat(j, cancel, stop, log)
	}()

	err := call(ctx, h, j, c.args)

	close(stop)
	<-stopped
	cause := context.Cause(ctx)
	r.mu.Lock()
	delete(r.local, j.ID)
	r.mu.Unlock()

	switch {
	case errors.Is(cause, ErrLeaseLost) || errors.Is(err, ErrLeaseLost):
		log.Warn("tugas diambil alih runner lain; hasil percobaan ini dibuang")
	case err == nil:
		r.finish(j, Done, "", log)
	case errors.Is(cause, ErrCancelled):
		r.finish(j, Cancelled, "", log)
	case parent.Err() != nil:
		r.release(j, "", log)
	case IsPermanent(err) || c.attempt >= c.maxAttempts:
		r.finish(j, Failed, err.Error(), log)
	default:
		r.retry(j, err, log)
	}
}

// call runs the handler, turning a panic into an error.
func call(ctx context.Context, h handler, j *Job, args json.RawMessage) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, j, args)
}

// heartbeat renews the lease every Lease/3 and writes progress at most once
// per ProgressEvery, until stop is closed. It cancels the handler when the
// lease is found taken or the job cancelled.
func (r *Runner) heartbeat(j *Job, cancel context.CancelCauseFunc, stop <-chan struct{}, log *slog.Logger) {
	every := min(r.o.ProgressEvery, r.o.Lease/3)
	t := time.NewTicker(every)
	defer t.Stop()
	lastRenew := time.Now()
	cancelled := false
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		_, _, _, _, dirty := j.snapshot()
		if !dirty && time.Since(lastRenew) < r.o.Lease/3 {
			continue
		}
		cancelRequested, err := r.renew(j)
		switch {
		case errors.Is(err, ErrLeaseLost):
			cancel(ErrLeaseLost)
			return
		case err != nil:
			// Keep trying: a later renewal may succeed, and the writes that
			// matter (checkpoints, the outcome) are fenced by the owner anyway.
			log.Warn("sewa tugas tidak dapat diperbarui", "err", err)
		default:
			lastRenew = time.Now()
			if cancelRequested && !cancelled {
				cancelled = true
				cancel(ErrCancelled)
			}
		}
	}
}

func (r *Runner) renew(j *Job) (cancelRequested bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), r.o.Lease)
	defer cancel()
	done, total, note, at, dirty := j.snapshot()
	now := store.Now()
	if at.IsZero() {
		at = now
	}
	err = r.db.Write(ctx, func(tx *store.Tx) error {
		var row interface{ Scan(...any) error }
		if dirty {
			row = tx.QueryRow(ctx, `UPDATE jobs SET lease_until = $3, done = $4, total = $5, note = $6, progress_at = $7
				WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING cancel_requested`,
				j.ID, j.owner, store.Micros(now.Add(r.o.Lease)), done, total, note, store.Micros(at))
		} else {
			row = tx.QueryRow(ctx, `UPDATE jobs SET lease_until = $3 WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING cancel_requested`,
				j.ID, j.owner, store.Micros(now.Add(r.o.Lease)))
		}
		err := row.Scan(&cancelRequested)
		if store.IsNoRows(err) {
			return ErrLeaseLost
		}
		return err
	})
	if err == nil && dirty {
		j.mu.Lock()
		if j.done == done && j.total == total && j.note == note {
			j.dirty = false
		}
		j.mu.Unlock()
	}
	return cancelRequested, err
}

// finish records a final state, with the last progress and the result.
func (r *Runner) finish(j *Job, st State, errText string, log *slog.Logger) {
	done, total, note, at, _ := j.snapshot()
	now := store.Now()
	if at.IsZero() {
		at = now
	}
	j.mu.Lock()
	var result any
	if st == Done && j.result != nil {
		result = string(j.result)
	}
	j.mu.Unlock()
	n, err := r.outcome(`UPDATE jobs SET state = $3, error = $4, result = $5, finished_at = $6, done = $7, total = $8, note = $9, progress_at = $10,
		lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 AND state = 'running'`,
		j.ID, j.owner, string(st), errText, result, store.Micros(now), done, total, note, store.Micros(at))
	switch {
	case err != nil:
		log.Warn("hasil tugas tidak dapat dicatat; tugas akan diambil lagi setelah sewanya habis", "state", string(st), "err", err)
	case n == 0:
		log.Warn("tugas diambil alih runner lain; hasil percobaan ini dibuang", "state", string(st))
	case st == Failed:
		log.Warn("tugas gagal", "err", errText)
	default:
		log.Info("tugas "+st.Label(), "done", done, "total", total)
	}
}

// retry puts the job back in the queue after a failed attempt.
func (r *Runner) retry(j *Job, cause error, log *slog.Logger) {
	done, total, note, at, _ := j.snapshot()
	now := store.Now()
	if at.IsZero() {
		at = now
	}
	delay := r.o.Backoff(j.Attempt)
	_, err := r.outcome(`UPDATE jobs SET state = 'queued', error = $3, run_after = $4, done = $5, total = $6, note = $7, progress_at = $8,
		lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 AND state = 'running'`,
		j.ID, j.owner, cause.Error(), store.Micros(now.Add(delay)), done, total, note, store.Micros(at))
	if err != nil {
		log.Warn("percobaan tugas gagal dan tidak dapat dijadwalkan ulang", "err", err)
		return
	}
	log.Warn("percobaan tugas gagal; diulang", "err", cause, "after", delay)
}

// release gives the job back to the queue at once, without using up an
// attempt (the runner is stopping, or cannot run the kind).
func (r *Runner) release(j *Job, why string, log *slog.Logger) {
	done, total, note, at, _ := j.snapshot()
	now := store.Now()
	if at.IsZero() {
		at = now
	}
	_, err := r.outcome(`UPDATE jobs SET state = 'queued', attempt = attempt - 1, run_after = $3, done = $4, total = $5, note = $6, progress_at = $7,
		lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2 AND state = 'running'`,
		j.ID, j.owner, store.Micros(now), done, total, note, store.Micros(at))
	if err != nil {
		log.Warn("tugas tidak dapat dikembalikan ke antrean; diambil lagi setelah sewanya habis", "err", err)
		return
	}
	if why != "" {
		log.Warn("tugas dikembalikan ke antrean: " + why)
	} else {
		log.Info("tugas dikembalikan ke antrean (runner berhenti)")
	}
}

// outcome writes a job's outcome on a fresh context: the runner's may be
// cancelled already.
func (r *Runner) outcome(q string, args ...any) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var n int64
	err := r.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// Start runs jobs in the background until ctx is cancelled or Stop is
// called: Options.Workers at a time, of the registered kinds, looking for
// work every Options.Poll and at once after an Enqueue in this process.
func (r *Runner) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return errors.New("jobs: runner already started")
	}
	r.started = true
	ctx, r.cancel = context.WithCancelCause(ctx)
	r.stopped = make(chan struct{})
	go r.loop(ctx)
	return nil
}

func (r *Runner) loop(ctx context.Context) {
	defer close(r.stopped)
	defer r.wg.Wait()
	kinds := r.Kinds()
	slots := make(chan struct{}, r.o.Workers)
	for ctx.Err() == nil {
		for len(slots) < cap(slots) && ctx.Err() == nil {
			c, err := r.claimNext(ctx, kinds)
			if err != nil {
				if ctx.Err() == nil {
					r.log.Warn("mencari tugas", "err", err)
				}
				break
			}
			if c == nil {
				break
			}
			slots <- struct{}{}
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				r.execute(ctx, c)
				<-slots
				r.poke()
			}()
		}
		t := time.NewTimer(r.o.Poll)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-r.wake:
		}
		t.Stop()
	}
}

// Stop stops a started runner: no new jobs are claimed, running handlers'
// contexts are cancelled, and their jobs go back to the queue as they
// return. It waits for that until ctx ends.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	cancel, stopped := r.cancel, r.stopped
	r.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel(errShutdown)
	select {
	case <-stopped:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Runner) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// RunNow runs job id in this process until it finishes: it claims the job
// (queued, or left behind by a dead process) and runs its attempts here,
// waiting out retry delays. When another runner holds the job it follows
// that one instead, and takes over if its lease runs out. Cancelling ctx
// puts the job back in the queue for a server or a later RunNow to resume.
func (r *Runner) RunNow(ctx context.Context, id int64) (Info, error) {
	in, err := r.Get(ctx, id)
	if err != nil {
		return in, err
	}
	if _, ok := r.handlers[in.Kind]; !ok && !in.State.Finished() {
		return in, fmt.Errorf("jobs: kind %q is not registered", in.Kind)
	}
	for {
		c, err := r.claimID(ctx, id)
		if err != nil {
			return in, err
		}
		if c != nil {
			r.execute(ctx, c)
		}
		if in, err = r.Get(context.WithoutCancel(ctx), id); err != nil {
			return in, err
		}
		if in.State.Finished() {
			return in, nil
		}
		if ctx.Err() != nil {
			return in, ctx.Err()
		}
		wait := r.o.Poll
		if in.State == Queued {
			wait = time.Until(in.RunAfter)
		}
		if err := sleep(ctx, wait); err != nil {
			return in, err
		}
	}
}

// Wait follows job id until it finishes, calling onProgress (when not nil)
// with each reading, and returns the final Info. A failed or cancelled job
// is not an error here: see Info.Err.
func (r *Runner) Wait(ctx context.Context, id int64, onProgress func(Info)) (Info, error) {
	every := min(r.o.Poll, 500*time.Millisecond)
	for {
		in, err := r.Get(ctx, id)
		if err != nil {
			return in, err
		}
		if onProgress != nil {
			onProgress(in)
		}
		if in.State.Finished() {
			return in, nil
		}
		if err := sleep(ctx, every); err != nil {
			return in, err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
