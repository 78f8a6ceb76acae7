// Package jobs runs Jaring's long work — imports, rankings, determinations,
// payment batches, matching — as durable background jobs: they are rows in
// the jobs table, survive a restart, resume from a checkpoint, run on
// several nodes against PostgreSQL, and report progress (rows done, rate,
// time left) to the command line and the UI.
//
// # Model
//
// A job has a Kind, JSON arguments and a state: queued, running, done, failed
// or cancelled. A Runner claims a queued job by writing a lease (its owner
// token and an expiry) and renews the lease while the handler runs. When a
// process dies, its leases run out and any runner claims those jobs again;
// the handler then resumes from its last checkpoint. On PostgreSQL runners
// claim with SELECT ... FOR UPDATE SKIP LOCKED, so two runners never claim one
// job; on SQLite the single writer serializes claims. A runner that loses a
// lease (it was partitioned from the database longer than the lease) is
// fenced: its checkpoints and its completion are refused (ErrLeaseLost) and
// its handler's context is cancelled. Leases compare the clocks of the
// nodes, which must agree (NTP) to well within a lease.
//
// # Writing a handler
//
//	type rankArgs struct{ Program string `json:"program"` }
//	type rankCursor struct {
//		LastFamily int64 `json:"last_family"`
//		Done       int64 `json:"done"`
//	}
//
//	jobs.Register(r, "ranking", func(ctx context.Context, j *jobs.Job, a rankArgs) error {
//		var cur rankCursor
//		if _, err := j.Resume(&cur); err != nil { // zero cursor on the first attempt
//			return err
//		}
//		total := countFamilies(ctx, a.Program)
//		for {
//			batch, err := nextFamilies(ctx, cur.LastFamily, 2000)
//			if err != nil || len(batch) == 0 {
//				return err
//			}
//			cur.LastFamily = batch[len(batch)-1].ID
//			cur.Done += int64(len(batch))
//			err = db.Write(ctx, func(tx *store.Tx) error {
//				if err := writeScores(ctx, tx, batch); err != nil {
//					return err
//				}
//				return j.CheckpointTx(ctx, tx, cur) // effects and cursor commit together
//			})
//			if err != nil {
//				return err
//			}
//			j.Progress(cur.Done, total, "")
//		}
//	})
//
// The contract:
//
//   - A handler may run more than once for one job (after a crash, a lost
//     lease, a retry or a shutdown), so it must be idempotent: starting again
//     from the last checkpoint must give the same result as one clean run.
//     The surest way is to commit each batch's effects and its checkpoint in
//     the same transaction with CheckpointTx; then no effect is ever applied
//     twice. Work not covered by a checkpoint is redone.
//   - Resume returns the last checkpoint (false when there is none).
//   - Do not call Checkpoint (which opens its own transaction) inside a
//     store.Write: on SQLite the single writer connection is already held and
//     it would wait forever. Use CheckpointTx there.
//   - Honour ctx: it is cancelled on shutdown (the job is put back in the
//     queue, not counted as an attempt), on Cancel, and when the lease is
//     lost. Return ctx's error, or any error, promptly.
//   - Return nil when done; an error to retry with backoff (up to
//     MaxAttempts); Permanent(err) to fail without retrying.
//   - Progress(done, total, note) is cheap: it is kept in memory and written
//     at most once per Options.ProgressEvery, together with the lease.
//   - UniqueKey (EnqueueOptions) keeps one queued or running job per key,
//     e.g. "PKH:2026-Q1" for a determination. It does not stop a new run
//     after the first one finished: a handler whose result must exist once
//     (one determination per program and period) also checks for, or has a
//     unique constraint on, its result.
//   - The handler runs as the principal that enqueued the job
//     (authz.From(ctx)), within that principal's region.
//
// # Running
//
// jaring serve calls Start: a few workers poll for jobs. A command-line
// command enqueues a job and either runs it itself with RunNow or follows a
// server running it with Wait, drawing a progress bar from Info.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/store"
)

// Kind names a kind of job, e.g. "ranking" or "determination".
type Kind string

// State is where a job is in its life.
type State string

const (
	Queued    State = "queued"    // waiting to run (also after a failed attempt, until RunAfter)
	Running   State = "running"   // a runner holds its lease
	Done      State = "done"      // finished successfully
	Failed    State = "failed"    // failed permanently or out of attempts
	Cancelled State = "cancelled" // cancelled before finishing
)

// Label is the state in Indonesian, for the UI and the command line.
func (s State) Label() string {
	switch s {
	case Queued:
		return "antre"
	case Running:
		return "berjalan"
	case Done:
		return "selesai"
	case Failed:
		return "gagal"
	case Cancelled:
		return "dibatalkan"
	}
	return string(s)
}

// Finished reports whether the state is final.
func (s State) Finished() bool { return s == Done || s == Failed || s == Cancelled }

var (
	// ErrLeaseLost means another runner took the job over: this runner's
	// handler must stop, and its writes are refused.
	ErrLeaseLost = errors.New("jobs: lease lost to another runner")
	// ErrCancelled is the cause of a handler's context when the job is cancelled.
	ErrCancelled = errors.New("jobs: job cancelled")
	// ErrNotFound is returned for an unknown job ID.
	ErrNotFound = errors.New("jobs: job not found")
	// errShutdown is the cause of a handler's context when its runner stops.
	errShutdown = errors.New("jobs: runner stopping")
)

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying: the job fails at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Options configure a Runner. Zero values take the defaults.
type Options struct {
	// Workers is how many jobs run at once in Start (default 2).
	Workers int
	// Lease is how long a claim lasts without renewal (default 1 minute).
	// It is renewed every Lease/3 while the handler runs, so a dead
	// process's jobs are picked up again after at most Lease. On SQLite keep
	// it longer than the longest single transaction a handler runs, since
	// the renewal waits for the one writer.
	Lease time.Duration
	// Poll is how often an idle runner looks for work, and how often Wait
	// reads a job (default 1 second).
	Poll time.Duration
	// ProgressEvery is how often progress is written at most (default 1 second).
	ProgressEvery time.Duration
	// Backoff is the delay before retrying after a failed attempt (1-based);
	// default 5 s × attempt², at most 10 minutes.
	Backoff func(attempt int) time.Duration
	// Logger receives job events (default slog.Default()).
	Logger *slog.Logger
	// ID names this runner in leases (default host:pid:random).
	ID string
}

// DefaultMaxAttempts is the number of attempts a job gets unless
// EnqueueOptions says otherwise.
const DefaultMaxAttempts = 5

type handler func(ctx context.Context, j *Job, args json.RawMessage) error

// Runner enqueues, claims and runs jobs. Create one per process with New,
// register every kind it may run, then Start it (a server) or use RunNow
// and Wait (a command).
type Runner struct {
	db       *store.DB
	o        Options
	log      *slog.Logger
	handlers map[Kind]handler
	wake     chan struct{}

	mu      sync.Mutex
	local   map[int64]*Job // jobs running in this process, for live progress
	started bool
	cancel  context.CancelCauseFunc
	wg      sync.WaitGroup
	stopped chan struct{}
}

// New returns a runner on db.
func New(db *store.DB, o Options) *Runner {
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Lease <= 0 {
		o.Lease = time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = time.Second
	}
	if o.Backoff == nil {
		o.Backoff = func(attempt int) time.Duration {
			return min(time.Duration(attempt*attempt)*5*time.Second, 10*time.Minute)
		}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.ID == "" {
		host, _ := os.Hostname()
		o.ID = host + ":" + strconv.Itoa(os.Getpid()) + ":" + randomHex(4)
	}
	return &Runner{
		db: db, o: o, log: o.Logger.With("runner", o.ID),
		handlers: map[Kind]handler{}, wake: make(chan struct{}, 1), local: map[int64]*Job{},
	}
}

// Register adds the handler of a kind. Args is decoded from the job's JSON
// arguments; a job whose arguments do not decode fails permanently.
// Register before Start.
func Register[Args any](r *Runner, kind Kind, fn func(ctx context.Context, j *Job, args Args) error) {
	r.handlers[kind] = func(ctx context.Context, j *Job, raw json.RawMessage) error {
		var a Args
		if err := json.Unmarshal(raw, &a); err != nil {
			return Permanent(fmt.Errorf("argumen tugas %s: %w", kind, err))
		}
		return fn(ctx, j, a)
	}
}

// Kinds lists the registered kinds.
func (r *Runner) Kinds() []Kind {
	ks := make([]Kind, 0, len(r.handlers))
	for k := range r.handlers {
		ks = append(ks, k)
	}
	return ks
}

// EnqueueOptions refine Enqueue. The zero value is a plain job.
type EnqueueOptions struct {
	// UniqueKey, when set, allows one queued or running job of the kind with
	// this key: enqueueing another returns the existing job instead.
	UniqueKey string
	// MaxAttempts bounds the attempts (default DefaultMaxAttempts). A lease
	// that runs out (the process died) counts as an attempt.
	MaxAttempts int
	// RunAfter delays the first run.
	RunAfter time.Time
}

// Enqueue adds a job and returns its ID. With a UniqueKey held by a queued or
// running job of the same kind it adds nothing and returns that job's ID with
// existing set. The principal of ctx (authz.From) is recorded and the
// handler runs as it.
func (r *Runner) Enqueue(ctx context.Context, kind Kind, args any, o *EnqueueOptions) (id int64, existing bool, err error) {
	err = r.db.Write(ctx, func(tx *store.Tx) error {
		id, existing, err = r.EnqueueTx(ctx, tx, kind, args, o)
		return err
	})
	if err == nil && !existing {
		r.poke()
	}
	return id, existing, err
}

// EnqueueTx is Enqueue inside the caller's transaction: the job exists when
// the transaction commits, and not if it rolls back.
func (r *Runner) EnqueueTx(ctx context.Context, tx *store.Tx, kind Kind, args any, o *EnqueueOptions) (id int64, existing bool, err error) {
	if _, ok := r.handlers[kind]; !ok {
		return 0, false, fmt.Errorf("jobs: kind %q is not registered", kind)
	}
	if o == nil {
		o = &EnqueueOptions{}
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return 0, false, fmt.Errorf("jobs: encode arguments: %w", err)
	}
	maxAttempts := o.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	now := store.Now()
	runAfter := now
	if o.RunAfter.After(now) {
		runAfter = o.RunAfter
	}
	var key, principal any
	var createdBy string
	if o.UniqueKey != "" {
		key = o.UniqueKey
	}
	if p, ok := authz.From(ctx); ok {
		b, _ := json.Marshal(p)
		principal = string(b)
		createdBy = p.Username
	}
	// ON CONFLICT DO NOTHING: on PostgreSQL a concurrent insert of the same
	// key waits for the other transaction, then inserts nothing; the SELECT
	// (a new snapshot) then finds the job it committed. The loop covers that
	// job finishing in between.
	for range 5 {
		newID, err := tx.ReserveIDs(ctx, "jobs", 1)
		if err != nil {
			return 0, false, err
		}
		rows, err := tx.Query(ctx, `INSERT INTO jobs (id, kind, unique_key, args, state, max_attempts, run_after, principal, created_by, created_at)
			VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $8, $9)
			ON CONFLICT (kind, unique_key) WHERE unique_key IS NOT NULL AND state IN ('queued', 'running') DO NOTHING
			RETURNING id`,
			newID, string(kind), key, string(raw), maxAttempts, store.Micros(runAfter), principal, createdBy, store.Micros(now))
		if err != nil {
			return 0, false, fmt.Errorf("jobs: enqueue: %w", err)
		}
		inserted := rows.Next()
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, false, fmt.Errorf("jobs: enqueue: %w", err)
		}
		if inserted {
			return newID, false, nil
		}
		err = tx.QueryRow(ctx, `SELECT id FROM jobs WHERE kind = $1 AND unique_key = $2 AND state IN ('queued', 'running')`,
			string(kind), o.UniqueKey).Scan(&id)
		if err == nil {
			return id, true, nil
		}
		if !store.IsNoRows(err) {
			return 0, false, fmt.Errorf("jobs: enqueue: %w", err)
		}
	}
	return 0, false, fmt.Errorf("jobs: enqueue %s %q: the key keeps changing hands", kind, o.UniqueKey)
}

// Info is what is known of a job: for the command line, the API and the UI.
type Info struct {
	ID          int64
	Kind        Kind
	UniqueKey   string
	State       State
	Attempt     int
	MaxAttempts int
	// Progress as last reported by the handler.
	Done, Total int64
	Note        string
	// Rate is units done per second in the current (or last) attempt, and
	// Remaining the estimated time left; both zero when unknown.
	Rate      float64
	Remaining time.Duration
	// Error is the last attempt's error (also set while queued for a retry).
	Error           string
	CancelRequested bool
	CreatedBy       string
	Result          json.RawMessage // set by the handler with Job.SetResult
	CreatedAt       time.Time
	RunAfter        time.Time
	StartedAt       time.Time // first attempt; zero before
	FinishedAt      time.Time // zero until finished
	ProgressAt      time.Time // when Done was measured
	LeaseOwner      string
	LeaseUntil      time.Time
	attemptStarted  time.Time
	attemptDone     int64
}

// Err is nil for a job that is done or still in progress, and describes why
// otherwise.
func (in Info) Err() error {
	switch in.State {
	case Failed:
		return fmt.Errorf("tugas %d (%s) gagal: %s", in.ID, in.Kind, in.Error)
	case Cancelled:
		return fmt.Errorf("tugas %d (%s) dibatalkan", in.ID, in.Kind)
	}
	return nil
}

func (in *Info) computeRate() {
	in.Rate, in.Remaining = 0, 0
	if in.attemptStarted.IsZero() || in.ProgressAt.IsZero() {
		return
	}
	secs := in.ProgressAt.Sub(in.attemptStarted).Seconds()
	if secs <= 0 || in.Done <= in.attemptDone {
		return
	}
	in.Rate = float64(in.Done-in.attemptDone) / secs
	if in.State == Running && in.Total > in.Done {
		in.Remaining = time.Duration(float64(in.Total-in.Done) / in.Rate * float64(time.Second))
	}
}

const infoColumns = `id, kind, COALESCE(unique_key, ''), state, attempt, max_attempts, done, total, note, error,
	cancel_requested, created_by, result, created_at, run_after, started_at, finished_at, progress_at,
	COALESCE(lease_owner, ''), lease_until, attempt_started_at, attempt_done`

type scanner interface{ Scan(...any) error }

func scanInfo(s scanner) (Info, error) {
	var in Info
	var kind, state string
	var result *string
	var created, runAfter int64
	var started, finished, progressAt, leaseUntil, attemptStarted *int64
	err := s.Scan(&in.ID, &kind, &in.UniqueKey, &state, &in.Attempt, &in.MaxAttempts, &in.Done, &in.Total, &in.Note, &in.Error,
		&in.CancelRequested, &in.CreatedBy, &result, &created, &runAfter, &started, &finished, &progressAt,
		&in.LeaseOwner, &leaseUntil, &attemptStarted, &in.attemptDone)
	if err != nil {
		return in, err
	}
	in.Kind, in.State = Kind(kind), State(state)
	if result != nil {
		in.Result = json.RawMessage(*result)
	}
	in.CreatedAt, in.RunAfter = store.FromMicros(created), store.FromMicros(runAfter)
	in.StartedAt, in.FinishedAt, in.ProgressAt = optTime(started), optTime(finished), optTime(progressAt)
	in.LeaseUntil, in.attemptStarted = optTime(leaseUntil), optTime(attemptStarted)
	return in, nil
}

func optTime(us *int64) time.Time {
	if us == nil {
		return time.Time{}
	}
	return store.FromMicros(*us)
}

// Get returns a job. For a job running in this process the progress is the
// live one, not the last written.
func (r *Runner) Get(ctx context.Context, id int64) (Info, error) {
	in, err := scanInfo(r.db.QueryRow(ctx, `SELECT `+infoColumns+` FROM jobs WHERE id = $1`, id))
	if store.IsNoRows(err) {
		return in, fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	if err != nil {
		return in, fmt.Errorf("jobs: get %d: %w", id, err)
	}
	if in.State == Running {
		r.mu.Lock()
		j := r.local[id]
		r.mu.Unlock()
		if j != nil && j.owner == in.LeaseOwner {
			j.mu.Lock()
			in.Done, in.Total, in.Note = j.done, j.total, j.note
			if !j.progressAt.IsZero() {
				in.ProgressAt = j.progressAt
			}
			j.mu.Unlock()
		}
	}
	in.computeRate()
	return in, nil
}

// ListOptions filter List. Zero values mean no filter; Limit defaults to 50.
type ListOptions struct {
	State State
	Kind  Kind
	Limit int
}

// List returns jobs newest first.
func (r *Runner) List(ctx context.Context, o ListOptions) ([]Info, error) {
	if o.Limit <= 0 {
		o.Limit = 50
	}
	var where []string
	var args []any
	if o.State != "" {
		args = append(args, string(o.State))
		where = append(where, "state = $"+strconv.Itoa(len(args)))
	}
	if o.Kind != "" {
		args = append(args, string(o.Kind))
		where = append(where, "kind = $"+strconv.Itoa(len(args)))
	}
	q := `SELECT ` + infoColumns + ` FROM jobs`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, o.Limit)
	q += " ORDER BY created_at DESC, id DESC LIMIT $" + strconv.Itoa(len(args))
	rows, err := r.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	defer rows.Close()
	var out []Info
	for rows.Next() {
		in, err := scanInfo(rows)
		if err != nil {
			return nil, fmt.Errorf("jobs: list: %w", err)
		}
		in.computeRate()
		out = append(out, in)
	}
	return out, rows.Err()
}

// Cancel cancels a job: a queued one at once; a running one is asked to
// stop (its handler's context is cancelled within ProgressEvery) and is
// marked cancelled when its handler returns. It reports whether the job was
// still unfinished.
func (r *Runner) Cancel(ctx context.Context, id int64) (bool, error) {
	var n int64
	now := store.Micros(store.Now())
	err := r.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE jobs SET state = 'cancelled', finished_at = $2, lease_owner = NULL, lease_until = NULL
			WHERE id = $1 AND state = 'queued'`, id, now)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		res, err = tx.Exec(ctx, `UPDATE jobs SET cancel_requested = TRUE WHERE id = $1 AND state = 'running'`, id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("jobs: cancel %d: %w", id, err)
	}
	return n > 0, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
