package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// Short timings keep the suite fast; the lease is what a crash costs.
const testLease = 600 * time.Millisecond

func testOptions(id string) jobs.Options {
	var w io.Writer = io.Discard
	if os.Getenv("JOBS_TEST_LOG") != "" {
		w = os.Stderr
	}
	return jobs.Options{
		ID: id, Workers: 2, Lease: testLease, Poll: 20 * time.Millisecond, ProgressEvery: 20 * time.Millisecond,
		Backoff: func(int) time.Duration { return 10 * time.Millisecond },
		Logger:  slog.New(slog.NewTextHandler(w, nil)),
	}
}

func start(t *testing.T, r *jobs.Runner) {
	t.Helper()
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
}

func wait(t *testing.T, r *jobs.Runner, id int64) jobs.Info {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	in, err := r.Wait(ctx, id, nil)
	if err != nil {
		t.Fatalf("wait for job %d: %v (last state %s, error %q)", id, err, in.State, in.Error)
	}
	return in
}

// engines runs fn on both engines with the database's address, for tests
// that open it more than once (several runners, a child process).
func engines(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "jaring.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.PostgresURL(t)) })
}

func open(t *testing.T, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestEnqueueRunProgress(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := jobs.New(db, testOptions("a"))
		half := make(chan struct{})
		release := make(chan struct{})
		type args struct {
			N int `json:"n"`
		}
		var seen authz.Principal
		jobs.Register(r, "count", func(ctx context.Context, j *jobs.Job, a args) error {
			seen, _ = authz.From(ctx)
			for i := 1; i <= a.N; i++ {
				j.Progress(int64(i), int64(a.N), fmt.Sprintf("baris %d", i))
				if i == a.N/2 {
					if err := j.Checkpoint(ctx, i); err != nil {
						return err
					}
					close(half)
					<-release
				}
			}
			return j.SetResult(map[string]int{"rows": a.N})
		})
		p := authz.Principal{UserID: 7, Username: "dinsos.bogor", Role: authz.District, Region: "32.01"}
		id, existing, err := r.Enqueue(authz.With(ctx, p), "count", args{N: 100}, nil)
		if err != nil || existing || id == 0 {
			t.Fatalf("enqueue: %d %v %v", id, existing, err)
		}
		if in, err := r.Get(ctx, id); err != nil || in.State != jobs.Queued || in.CreatedBy != "dinsos.bogor" {
			t.Fatalf("queued job: %+v %v", in, err)
		}
		start(t, r)
		<-half
		// Another runner (another node) sees the progress written with the checkpoint.
		other := jobs.New(db, testOptions("b"))
		in, err := other.Get(ctx, id)
		if err != nil || in.State != jobs.Running || in.Done != 50 || in.Total != 100 || in.Note != "baris 50" || in.Attempt != 1 {
			t.Fatalf("running job seen from elsewhere: %+v %v", in, err)
		}
		close(release)
		var readings int
		in, err = r.Wait(ctx, id, func(jobs.Info) { readings++ })
		if err != nil || in.State != jobs.Done || in.Done != 100 || in.Total != 100 || readings == 0 {
			t.Fatalf("done job: %+v %v (%d readings)", in, err, readings)
		}
		if string(in.Result) != `{"rows":100}` || in.Error != "" || in.FinishedAt.IsZero() || in.StartedAt.IsZero() || in.Err() != nil {
			t.Fatalf("done job: %+v", in)
		}
		if in.Rate <= 0 || in.Remaining != 0 {
			t.Fatalf("rate %v remaining %v", in.Rate, in.Remaining)
		}
		if seen != p {
			t.Fatalf("handler ran as %+v, want %+v", seen, p)
		}
		list, err := r.List(ctx, jobs.ListOptions{State: jobs.Done, Kind: "count"})
		if err != nil || len(list) != 1 || list[0].ID != id {
			t.Fatalf("list: %+v %v", list, err)
		}
		if _, _, err := r.Enqueue(ctx, "nope", nil, nil); err == nil {
			t.Fatal("enqueued an unregistered kind")
		}
		if _, err := r.Get(ctx, id+1000); !errors.Is(err, jobs.ErrNotFound) {
			t.Fatalf("get unknown: %v", err)
		}
	})
}

func TestUniqueKey(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := jobs.New(db, testOptions("a"))
		type args struct{ Program, Period string }
		jobs.Register(r, "determination", func(ctx context.Context, j *jobs.Job, a args) error { return nil })
		const n = 8
		ids := make([]int64, n)
		existing := make([]bool, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				ids[i], existing[i], errs[i] = r.Enqueue(ctx, "determination", args{"PKH", "2026-Q1"}, &jobs.EnqueueOptions{UniqueKey: "PKH:2026-Q1"})
			})
		}
		wg.Wait()
		created := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("two jobs for one key: %v", ids)
			}
			if !existing[i] {
				created++
			}
		}
		var count int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = 'determination'`).Scan(&count); err != nil || count != 1 || created != 1 {
			t.Fatalf("%d jobs, %d created, %v", count, created, err)
		}
		other, existed, err := r.Enqueue(ctx, "determination", args{"BPNT", "2026-Q1"}, &jobs.EnqueueOptions{UniqueKey: "BPNT:2026-Q1"})
		if err != nil || existed || other == ids[0] {
			t.Fatalf("another key: %d %v %v", other, existed, err)
		}
		// Once the job has finished, the key is free for a new run.
		if in, err := r.RunNow(ctx, ids[0]); err != nil || in.State != jobs.Done {
			t.Fatalf("run: %+v %v", in, err)
		}
		again, existed, err := r.Enqueue(ctx, "determination", args{"PKH", "2026-Q1"}, &jobs.EnqueueOptions{UniqueKey: "PKH:2026-Q1"})
		if err != nil || existed || again == ids[0] {
			t.Fatalf("after done: %d %v %v", again, existed, err)
		}
	})
}

// effectsArgs drive a handler that applies items 1..N, each with its
// checkpoint in one transaction, and stops after Block on the first attempt.
type effectsArgs struct {
	N     int `json:"n"`
	Block int `json:"block"`
}

const effectsTable = `CREATE TABLE job_test_effect (job_id BIGINT NOT NULL, item INTEGER NOT NULL)`

func createEffects(t *testing.T, db *store.DB) {
	t.Helper()
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), effectsTable)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// registerEffects registers the "effects" kind; blocked is called (on the
// first attempt) once item Block is committed, and the handler then waits
// for its context to end.
func registerEffects(r *jobs.Runner, db *store.DB, blocked func()) {
	jobs.Register(r, "effects", func(ctx context.Context, j *jobs.Job, a effectsArgs) error {
		var next int
		if ok, err := j.Resume(&next); err != nil {
			return err
		} else if !ok {
			next = 1
		}
		for i := next; i <= a.N; i++ {
			err := db.Write(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO job_test_effect (job_id, item) VALUES ($1, $2)`, j.ID, i); err != nil {
					return err
				}
				j.Progress(int64(i), int64(a.N), "")
				return j.CheckpointTx(ctx, tx, i+1)
			})
			if err != nil {
				return err
			}
			if i == a.Block && j.Attempt == 1 {
				blocked()
				<-ctx.Done()
				return ctx.Err()
			}
		}
		return nil
	})
}

func checkEffects(t *testing.T, db *store.DB, id int64, n int) {
	t.Helper()
	var count, distinct int
	err := db.QueryRow(context.Background(), `SELECT COUNT(*), COUNT(DISTINCT item) FROM job_test_effect WHERE job_id = $1`, id).Scan(&count, &distinct)
	if err != nil || count != n || distinct != n {
		t.Fatalf("job %d: %d effects (%d distinct), want %d once each; %v", id, count, distinct, n, err)
	}
}

// A runner stopping (a deploy, Ctrl+C) puts its job back; the next runner
// resumes from the checkpoint, and the stop does not use up an attempt.
func TestStopAndResume(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		createEffects(t, db)
		a := jobs.New(db, testOptions("a"))
		blocked := make(chan struct{})
		registerEffects(a, db, func() { close(blocked) })
		id, _, err := a.Enqueue(ctx, "effects", effectsArgs{N: 10, Block: 4}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Start(ctx); err != nil {
			t.Fatal(err)
		}
		<-blocked
		if err := a.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		in, err := a.Get(ctx, id)
		if err != nil || in.State != jobs.Queued || in.Attempt != 0 || in.Done != 4 || in.LeaseOwner != "" {
			t.Fatalf("after stop: %+v %v", in, err)
		}
		b := jobs.New(db, testOptions("b"))
		registerEffects(b, db, func() { t.Error("blocked on a resumed run") })
		start(t, b)
		in = wait(t, b, id)
		if in.State != jobs.Done || in.Attempt != 1 || in.Done != 10 {
			t.Fatalf("resumed: %+v", in)
		}
		checkEffects(t, db, id, 10)
	})
}

// TestMain doubles as the child process of TestKilledResumes: with
// JOBS_TEST_CHILD set it runs jobs until it is killed.
func TestMain(m *testing.M) {
	if dsn := os.Getenv("JOBS_TEST_CHILD"); dsn != "" {
		runChild(dsn, os.Getenv("JOBS_TEST_FLAG"))
		return
	}
	os.Exit(m.Run())
}

func runChild(dsn, flag string) {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	r := jobs.New(db, testOptions("child"))
	registerEffects(r, db, func() { _ = os.WriteFile(flag, []byte("x"), 0o600) })
	if err := r.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	select {}
}

// A process killed halfway (kill -9: no cleanup at all) leaves its job
// running with a lease that runs out; another runner then resumes it from
// the checkpoint and every effect is applied exactly once.
func TestKilledResumes(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		createEffects(t, db)
		b := jobs.New(db, testOptions("b"))
		registerEffects(b, db, func() { t.Error("blocked on a resumed run") })
		id, _, err := b.Enqueue(ctx, "effects", effectsArgs{N: 10, Block: 6}, nil)
		if err != nil {
			t.Fatal(err)
		}
		flag := filepath.Join(t.TempDir(), "blocked")
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), "JOBS_TEST_CHILD="+dsn, "JOBS_TEST_FLAG="+flag)
		child.Stderr = os.Stderr
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			if _, err := os.Stat(flag); err == nil {
				break
			}
			if time.Now().After(deadline) {
				_ = child.Process.Kill()
				_ = child.Wait()
				t.Fatal("the child did not reach item 6")
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := child.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = child.Wait()
		killed := time.Now()
		in, err := b.Get(ctx, id)
		// Progress is saved at most so often, so the last saved count may lag
		// the item the child had reached; exactly-once is checked below.
		if err != nil || in.State != jobs.Running || in.Done < 1 || in.Done > 6 || in.Attempt != 1 {
			t.Fatalf("after kill: %+v %v", in, err)
		}
		start(t, b)
		in = wait(t, b, id)
		took := time.Since(killed)
		if in.State != jobs.Done || in.Attempt != 2 || in.Done != 10 {
			t.Fatalf("resumed: %+v", in)
		}
		if took > testLease+5*time.Second {
			t.Errorf("resumed %s after the kill; the lease is %s", took, testLease)
		}
		checkEffects(t, db, id, 10)
	})
}

func TestRetryAndFailure(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := jobs.New(db, testOptions("a"))
		var attempts atomic.Int64
		jobs.Register(r, "flaky", func(ctx context.Context, j *jobs.Job, failures int) error {
			attempts.Add(1)
			if j.Attempt <= failures {
				return fmt.Errorf("gangguan sementara %d", j.Attempt)
			}
			return nil
		})
		jobs.Register(r, "broken", func(ctx context.Context, j *jobs.Job, permanent bool) error {
			if permanent {
				return jobs.Permanent(errors.New("data tidak sah"))
			}
			panic("rusak")
		})
		start(t, r)
		flaky, _, err := r.Enqueue(ctx, "flaky", 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		permanent, _, err := r.Enqueue(ctx, "broken", true, nil)
		if err != nil {
			t.Fatal(err)
		}
		panics, _, err := r.Enqueue(ctx, "broken", false, &jobs.EnqueueOptions{MaxAttempts: 2})
		if err != nil {
			t.Fatal(err)
		}
		if in := wait(t, r, flaky); in.State != jobs.Done || in.Attempt != 3 || in.Error != "" || attempts.Load() != 3 {
			t.Fatalf("flaky: %+v, %d runs", in, attempts.Load())
		}
		if in := wait(t, r, permanent); in.State != jobs.Failed || in.Attempt != 1 || in.Error != "data tidak sah" || in.Err() == nil {
			t.Fatalf("permanent: %+v", in)
		}
		if in := wait(t, r, panics); in.State != jobs.Failed || in.Attempt != 2 || in.Error == "" {
			t.Fatalf("panics: %+v", in)
		}
		// Arguments that do not decode fail at once.
		bad, _, err := r.Enqueue(ctx, "flaky", "dua", nil)
		if err != nil {
			t.Fatal(err)
		}
		if in := wait(t, r, bad); in.State != jobs.Failed || in.Attempt != 1 {
			t.Fatalf("bad arguments: %+v", in)
		}
	})
}

func TestCancel(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := jobs.New(db, testOptions("a"))
		running := make(chan struct{})
		jobs.Register(r, "long", func(ctx context.Context, j *jobs.Job, _ struct{}) error {
			close(running)
			<-ctx.Done()
			return context.Cause(ctx)
		})
		later, _, err := r.Enqueue(ctx, "long", struct{}{}, &jobs.EnqueueOptions{RunAfter: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := r.Cancel(ctx, later); err != nil || !ok {
			t.Fatalf("cancel queued: %v %v", ok, err)
		}
		if in, _ := r.Get(ctx, later); in.State != jobs.Cancelled {
			t.Fatalf("queued job: %+v", in)
		}
		id, _, err := r.Enqueue(ctx, "long", struct{}{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		start(t, r)
		<-running
		if ok, err := r.Cancel(ctx, id); err != nil || !ok {
			t.Fatalf("cancel running: %v %v", ok, err)
		}
		if in := wait(t, r, id); in.State != jobs.Cancelled || in.Err() == nil {
			t.Fatalf("running job: %+v", in)
		}
		if ok, err := r.Cancel(ctx, id); err != nil || ok {
			t.Fatalf("cancel finished: %v %v", ok, err)
		}
	})
}

// A runner whose lease was taken over (it was cut off from the database
// longer than the lease) is stopped, and its writes are refused.
func TestLeaseLost(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := jobs.New(db, testOptions("a"))
		running := make(chan struct{})
		result := make(chan error, 1)
		jobs.Register(r, "slow", func(ctx context.Context, j *jobs.Job, _ struct{}) error {
			close(running)
			<-ctx.Done()
			result <- j.Checkpoint(context.Background(), "late")
			return ctx.Err()
		})
		id, _, err := r.Enqueue(ctx, "slow", struct{}{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		start(t, r)
		<-running
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE jobs SET lease_owner = 'elsewhere' WHERE id = $1`, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-result:
			if !errors.Is(err, jobs.ErrLeaseLost) {
				t.Fatalf("checkpoint after losing the lease: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("handler not stopped after losing its lease")
		}
		in, err := r.Get(ctx, id)
		if err != nil || in.State != jobs.Running || in.LeaseOwner != "elsewhere" {
			t.Fatalf("job after the lease was lost: %+v %v", in, err)
		}
	})
}

// Two runners (two nodes) on one database run each of 50 jobs exactly once.
func TestTwoRunners(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		createEffects(t, db)
		var ran [2]atomic.Int64
		runners := make([]*jobs.Runner, 2)
		for i := range runners {
			node := open(t, dsn)
			o := testOptions(fmt.Sprint("node", i))
			// No lease may run out here: two SQLite connections contending
			// for the file under the race detector can take longer than
			// the short test lease.
			o.Lease = 10 * time.Second
			r := jobs.New(node, o)
			jobs.Register(r, "pay", func(ctx context.Context, j *jobs.Job, batch int) error {
				ran[i].Add(1)
				time.Sleep(2 * time.Millisecond)
				return node.Write(ctx, func(tx *store.Tx) error {
					if _, err := tx.Exec(ctx, `INSERT INTO job_test_effect (job_id, item) VALUES ($1, $2)`, j.ID, batch); err != nil {
						return err
					}
					return j.CheckpointTx(ctx, tx, "paid")
				})
			})
			runners[i] = r
		}
		ids := make([]int64, 50)
		for i := range ids {
			var err error
			if ids[i], _, err = runners[0].Enqueue(ctx, "pay", i, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range runners {
			start(t, r)
		}
		for _, id := range ids {
			if in := wait(t, runners[1], id); in.State != jobs.Done || in.Attempt != 1 {
				t.Fatalf("job %d: %+v", id, in)
			}
		}
		var count, distinct int
		if err := db.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT job_id) FROM job_test_effect`).Scan(&count, &distinct); err != nil || count != 50 || distinct != 50 {
			t.Fatalf("%d effects for %d jobs, want 50 once each; %v", count, distinct, err)
		}
		if n := ran[0].Load() + ran[1].Load(); n != 50 {
			t.Fatalf("handlers ran %d times, want 50", n)
		}
		t.Logf("node0 ran %d, node1 ran %d", ran[0].Load(), ran[1].Load())
	})
}

// RunNow runs a job in the calling process (a command without a server),
// while Wait reports its live progress.
func TestRunNowWithProgress(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := jobs.New(db, testOptions("cli"))
		jobs.Register(r, "steps", func(ctx context.Context, j *jobs.Job, n int) error {
			for i := 1; i <= n; i++ {
				j.Progress(int64(i), int64(n), "")
				time.Sleep(5 * time.Millisecond)
			}
			if j.Attempt == 1 {
				return errors.New("sekali gagal")
			}
			return nil
		})
		id, _, err := r.Enqueue(ctx, "steps", 20, nil)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var maxDone int64
		go func() {
			_, _ = r.Wait(ctx, id, func(in jobs.Info) {
				mu.Lock()
				maxDone = max(maxDone, in.Done)
				mu.Unlock()
			})
		}()
		in, err := r.RunNow(ctx, id)
		if err != nil || in.State != jobs.Done || in.Attempt != 2 || in.Done != 20 {
			t.Fatalf("run now: %+v %v", in, err)
		}
		time.Sleep(30 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		if maxDone == 0 {
			t.Fatal("no progress seen while running")
		}
	})
}
