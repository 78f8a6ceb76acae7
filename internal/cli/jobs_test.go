package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

func TestJobsCommands(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { testJobsCommands(t, engine) })
	}
}

func testJobsCommands(t *testing.T, engine string) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "jaring.db")
	if engine == "postgres" {
		dsn = storetest.PostgresURL(t)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	{
		r := jobs.New(db, jobs.Options{Poll: 20 * time.Millisecond, ProgressEvery: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		jobs.Register(r, "hitung", func(ctx context.Context, j *jobs.Job, n int) error {
			for i := 1; i <= n; i++ {
				j.Progress(int64(i), int64(n), "keluarga")
				time.Sleep(time.Millisecond)
			}
			if n < 0 {
				return jobs.Permanent(errors.New("n negatif"))
			}
			return j.SetResult(map[string]int{"n": n})
		})
		var out, errOut bytes.Buffer
		env := &Env{Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errOut}
		id, _, err := r.Enqueue(ctx, "hitung", 50, &jobs.EnqueueOptions{UniqueKey: "PKH:2026-Q1"})
		if err != nil {
			t.Fatal(err)
		}
		in, err := followJob(ctx, env, r, id, true, false)
		if err != nil || in.State != jobs.Done || !strings.Contains(errOut.String(), "50/50") {
			t.Fatalf("follow: %+v %v\n%s", in, err, errOut.String())
		}
		bad, _, err := r.Enqueue(ctx, "hitung", -1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := followJob(ctx, env, r, bad, true, true); err == nil || !strings.Contains(err.Error(), "n negatif") {
			t.Fatalf("failed job: %v", err)
		}
		queued, _, err := r.Enqueue(ctx, "hitung", 1, &jobs.EnqueueOptions{RunAfter: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}

		cmd := func(args ...string) (int, string, string) {
			var o, e bytes.Buffer
			code := Run(ctx, args, func(k string) string {
				if k == "JARING_DB" {
					return dsn
				}
				return ""
			}, strings.NewReader(""), &o, &e)
			return code, o.String(), e.String()
		}
		if code, o, e := cmd("jobs", "list"); code != 0 || strings.Count(o, "hitung") != 3 || !strings.Contains(o, "PKH:2026-Q1") || !strings.Contains(o, "gagal") {
			t.Fatalf("list: %d\n%s%s", code, o, e)
		}
		if code, o, e := cmd("jobs", "list", "--state", "selesai"); code != 0 || strings.Count(o, "hitung") != 1 {
			t.Fatalf("list selesai: %d\n%s%s", code, o, e)
		}
		if code, o, e := cmd("jobs", "show", strconv.FormatInt(id, 10)); code != 0 || !strings.Contains(o, "selesai") || !strings.Contains(o, `{"n":50}`) || !strings.Contains(o, "50/50 (100%)") {
			t.Fatalf("show: %d\n%s%s", code, o, e)
		}
		if code, o, e := cmd("jobs", "cancel", strconv.FormatInt(queued, 10)); code != 0 || !strings.Contains(o, "dibatalkan") {
			t.Fatalf("cancel: %d\n%s%s", code, o, e)
		}
		if code, o, e := cmd("jobs", "wait", strconv.FormatInt(queued, 10)); code != 1 || !strings.Contains(e, "dibatalkan") {
			t.Fatalf("wait on a cancelled job: %d\n%s%s", code, o, e)
		}
		if code, _, e := cmd("jobs", "show", "999999"); code != 1 || !strings.Contains(e, "not found") {
			t.Fatalf("show unknown: %d %s", code, e)
		}
	}
}
