package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/welfare"
)

// newJobRunner returns this process's job runner with every kind of
// background work registered: the server starts it, and a command uses it
// to enqueue a job and run or follow it (followJob).
func newJobRunner(db *store.DB, logger *slog.Logger) *jobs.Runner {
	r := jobs.New(db, jobs.Options{Logger: logger})
	registerJobKinds(r, db)
	return r
}

// registerJobKinds registers the handler of each kind of background work
// (rankings, determinations, payment batches, matching), so that the
// server and the command line know the same kinds:
//
//	jobs.Register(r, "determination", determinationJob(db))
func registerJobKinds(r *jobs.Runner, db *store.DB) {
	welfare.RegisterJob(r, db)
	determination.RegisterJob(r, db)
	n := notify.New(db)
	n.Addresses = citizen.Addresses{DB: db}
	n.Register(r)
	proposal.New(db).RegisterJobs(r)
	complaints := complaint.New(db, nil)
	complaints.Notify = n // the sweep tells handlers of reminders and escalations
	complaint.RegisterJob(r, complaints)
}

// followJob shows job id's progress on a bar until it finishes: running it
// in this process when runHere is set (a command without a server; Ctrl+C
// puts it back in the queue to resume later), otherwise following the
// server that runs it. A failed or cancelled job is an error.
func followJob(ctx context.Context, env *Env, r *jobs.Runner, id int64, runHere, quiet bool) (jobs.Info, error) {
	var bar *progressbar.ProgressBar
	var barTotal int64
	show := func(in jobs.Info) {
		if quiet || in.State == jobs.Queued && in.Done == 0 {
			return
		}
		if bar == nil {
			barTotal = in.Total
			bar = newJobBar(env, in)
		} else if in.Total > 0 && in.Total != barTotal {
			barTotal = in.Total
			bar.ChangeMax64(barTotal)
		}
		_ = bar.Set64(in.Done)
		desc := fmt.Sprintf("tugas %d %s", in.ID, in.Kind)
		if in.Note != "" {
			desc += ": " + in.Note
		}
		bar.Describe(desc)
	}
	var in jobs.Info
	var err error
	if runHere {
		wctx, cancel := context.WithCancel(ctx)
		followed := make(chan struct{})
		go func() {
			defer close(followed)
			_, _ = r.Wait(wctx, id, show)
		}()
		in, err = r.RunNow(ctx, id)
		cancel()
		<-followed
	} else {
		in, err = r.Wait(ctx, id, show)
	}
	if err == nil {
		show(in)
	}
	if bar != nil {
		if in.State == jobs.Done {
			_ = bar.Finish()
		}
		fmt.Fprintln(env.Stderr)
	}
	if err == nil {
		err = in.Err()
	}
	return in, err
}

func newJobBar(env *Env, in jobs.Info) *progressbar.ProgressBar {
	total := in.Total
	if total <= 0 {
		total = -1
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(env.Stderr),
		progressbar.OptionSetDescription(fmt.Sprintf("tugas %d %s", in.ID, in.Kind)),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("baris"),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetPredictTime(true),
	)
}

const jobsUsage = `Penggunaan: jaring jobs PERINTAH [--db URL]
  list [--state antre|berjalan|selesai|gagal|dibatalkan] [--kind JENIS] [--limit N]   daftar tugas latar, terbaru dulu
  show ID     rincian satu tugas: status, kemajuan, laju, sisa waktu, galat
  wait ID     ikuti tugas yang dijalankan server dengan bilah kemajuan
  cancel ID   batalkan tugas (yang berjalan diminta berhenti)`

func runJobs(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, jobsUsage)
		return errUsage
	}
	switch args[0] {
	case "list":
		return jobsList(ctx, env, args[1:])
	case "show", "wait", "cancel":
		return jobsOne(ctx, env, args[0], args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(env.Stdout, jobsUsage)
		return nil
	}
	fmt.Fprintln(env.Stderr, jobsUsage)
	return errUsage
}

// parseState accepts a state in English or its Indonesian label.
func parseState(s string) (jobs.State, error) {
	for _, st := range []jobs.State{jobs.Queued, jobs.Running, jobs.Done, jobs.Failed, jobs.Cancelled} {
		if s == string(st) || s == st.Label() {
			return st, nil
		}
	}
	return "", fmt.Errorf("status tidak dikenal %q (antre, berjalan, selesai, gagal, dibatalkan)", s)
}

func jobsList(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("jobs list", env, "jobs list [--db URL] [--state STATUS] [--kind JENIS] [--limit N]")
	var df dbFlags
	df.register(fs, env)
	state := fs.String("state", "", "only jobs in this state (antre, berjalan, selesai, gagal, dibatalkan)")
	kind := fs.String("kind", "", "only jobs of this kind")
	limit := fs.Int("limit", 50, "at most this many jobs")
	if err := parse(fs, args); err != nil {
		return err
	}
	o := jobs.ListOptions{Kind: jobs.Kind(*kind), Limit: *limit}
	if *state != "" {
		st, err := parseState(*state)
		if err != nil {
			return err
		}
		o.State = st
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	list, err := jobs.New(db, jobs.Options{}).List(ctx, o)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(env.Stdout, "Tidak ada tugas.")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tJENIS\tSTATUS\tKEMAJUAN\tPERCOBAAN\tDIBUAT\tOLEH\tKUNCI")
	for _, in := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d/%d\t%s\t%s\t%s\n", in.ID, in.Kind, in.State.Label(), progressText(in),
			in.Attempt, in.MaxAttempts, in.CreatedAt.Local().Format("2006-01-02 15:04:05"), orDash(in.CreatedBy), orDash(in.UniqueKey))
	}
	return tw.Flush()
}

func jobsOne(ctx context.Context, env *Env, verb string, args []string) error {
	fs := newFlagSet("jobs "+verb, env, "jobs "+verb+" [--db URL] ID")
	var df dbFlags
	df.register(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		return fmt.Errorf("ID tugas bukan angka: %q", fs.Arg(0))
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	r := jobs.New(db, jobs.Options{})
	switch verb {
	case "cancel":
		ok, err := r.Cancel(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			in, err := r.Get(ctx, id)
			if err != nil {
				return err
			}
			return fmt.Errorf("tugas %d sudah %s", id, in.State.Label())
		}
		fmt.Fprintf(env.Stdout, "Tugas %d dibatalkan (yang sedang berjalan berhenti sebentar lagi).\n", id)
		return nil
	case "wait":
		in, err := followJob(ctx, env, r, id, false, false)
		printJob(env, in)
		return err
	}
	in, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	printJob(env, in)
	return nil
}

func printJob(env *Env, in jobs.Info) {
	if in.ID == 0 {
		return
	}
	w := env.Stdout
	ts := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.Local().Format("2006-01-02 15:04:05")
	}
	fmt.Fprintf(w, "Tugas %d (%s)\n", in.ID, in.Kind)
	fmt.Fprintf(w, "  status:     %s\n", in.State.Label())
	if in.UniqueKey != "" {
		fmt.Fprintf(w, "  kunci:      %s\n", in.UniqueKey)
	}
	fmt.Fprintf(w, "  kemajuan:   %s", progressText(in))
	if in.Note != "" {
		fmt.Fprintf(w, " (%s)", in.Note)
	}
	fmt.Fprintln(w)
	if in.Rate > 0 {
		fmt.Fprintf(w, "  laju:       %.0f/detik\n", in.Rate)
	}
	if in.Remaining > 0 {
		fmt.Fprintf(w, "  sisa waktu: ±%s\n", in.Remaining.Round(time.Second))
	}
	fmt.Fprintf(w, "  percobaan:  %d dari %d\n", in.Attempt, in.MaxAttempts)
	fmt.Fprintf(w, "  dibuat:     %s oleh %s\n", ts(in.CreatedAt), orDash(in.CreatedBy))
	fmt.Fprintf(w, "  mulai:      %s\n", ts(in.StartedAt))
	fmt.Fprintf(w, "  selesai:    %s\n", ts(in.FinishedAt))
	if in.State == jobs.Queued && in.RunAfter.After(time.Now()) {
		fmt.Fprintf(w, "  dijalankan: setelah %s\n", ts(in.RunAfter))
	}
	if in.State == jobs.Running {
		fmt.Fprintf(w, "  dijalankan: %s (sewa sampai %s)\n", in.LeaseOwner, ts(in.LeaseUntil))
	}
	if in.CancelRequested && !in.State.Finished() {
		fmt.Fprintln(w, "  pembatalan diminta")
	}
	if in.Error != "" {
		fmt.Fprintf(w, "  galat:      %s\n", strings.TrimSpace(in.Error))
	}
	if len(in.Result) > 0 {
		fmt.Fprintf(w, "  hasil:      %s\n", in.Result)
	}
}

func progressText(in jobs.Info) string {
	switch {
	case in.Total > 0:
		return fmt.Sprintf("%d/%d (%.0f%%)", in.Done, in.Total, 100*float64(in.Done)/float64(in.Total))
	case in.Done > 0:
		return strconv.FormatInt(in.Done, 10)
	}
	return "-"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// stopJobRunner stops a started runner, giving running jobs up to 30
// seconds to return and go back to the queue (a later start resumes them).
func stopJobRunner(r *jobs.Runner) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = r.Stop(ctx)
}
