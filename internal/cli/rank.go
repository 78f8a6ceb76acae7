package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/welfare"
)

func runRank(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("rank", env, "rank [--db URL] [--model VERSI] [--by-province] [--add-model BERKAS.json] [--list-models] [--print-query]")
	var df dbFlags
	df.register(fs, env)
	model := fs.String("model", "", "model version to apply (default: the version in effect today)")
	byProvince := fs.Bool("by-province", false, "rank into deciles within each province instead of nationally")
	addModel := fs.String("add-model", "", "store a model document (JSON, docs/welfare-model.md) as a new version, then rank with it")
	list := fs.Bool("list-models", false, "list the stored model versions and exit")
	printQuery := fs.Bool("print-query", false, "print the two queries the ranking reads the register with (families; aggregates of their members), one a line, and exit")
	actor := fs.String("actor", "", "who ranks (default: cli:$USER)")
	streams := fs.Int("streams", 0, "ranges of families read at once, each on its own connection (default: one per CPU, at most 4)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	who := *actor
	if who == "" {
		who = "cli:" + firstNonEmpty(env.Getenv("USER"), "operator")
	}
	if *list {
		models, err := welfare.ListModels(ctx, db, time.Now().UTC().Format(time.DateOnly))
		if err != nil {
			return err
		}
		for _, m := range models {
			mark := " "
			if m.InEffect {
				mark = "*"
			}
			fmt.Fprintf(env.Stdout, "%s %-24s berlaku %s  %2d indikator  %s\n", mark, m.Version, m.EffectiveFrom, m.Indicators, m.Title)
		}
		return nil
	}
	if *printQuery {
		version := *model
		if version == "" {
			models, err := welfare.ListModels(ctx, db, time.Now().UTC().Format(time.DateOnly))
			if err != nil {
				return err
			}
			for _, m := range models {
				if m.InEffect {
					version = m.Version
				}
			}
		}
		m, err := welfare.GetModel(ctx, db, version)
		if err != nil {
			return err
		}
		families, members := welfare.HouseholdQueries(m, time.Now().UTC())
		fmt.Fprintln(env.Stdout, families+";")
		fmt.Fprintln(env.Stdout, members+";")
		return nil
	}
	if *addModel != "" {
		doc, err := os.ReadFile(*addModel)
		if err != nil {
			return err
		}
		m, err := welfare.CreateModel(ctx, db, doc, who)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Model %s disimpan (%d indikator).\n", m.Version, len(m.Indicators))
		if *model == "" {
			*model = m.Version
		}
	}
	// The ranking runs as a durable job: here, with a progress bar, or, when
	// a server has already taken it, followed. Ctrl+C puts it back in the
	// queue; the next `jaring rank` or the server does it again.
	ctx = authz.With(ctx, authz.System(who))
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	r := newJobRunner(db, logger)
	start := time.Now()
	id, existing, err := welfare.Enqueue(ctx, r, welfare.JobArgs{Model: *model, ByProvince: *byProvince, Streams: *streams})
	if err != nil {
		return err
	}
	if existing {
		fmt.Fprintf(env.Stderr, "Pemeringkatan lain sudah antre atau berjalan (tugas %d); tugas itu yang diikuti.\n", id)
	}
	in, err := followJob(ctx, env, r, id, true, *quiet)
	if err != nil {
		return err
	}
	var jr welfare.JobResult
	if err := json.Unmarshal(in.Result, &jr); err != nil {
		return fmt.Errorf("hasil tugas %d: %w", id, err)
	}
	run, err := welfare.GetRun(ctx, db, jr.RunID)
	if err != nil {
		return err
	}
	printRank(env.Stdout, welfare.RunResult{Run: run, Read: time.Duration(jr.ReadMS) * time.Millisecond,
		Write: time.Duration(jr.WriteMS) * time.Millisecond}, time.Since(start))
	return nil
}

func printRank(w io.Writer, res welfare.RunResult, took time.Duration) {
	scope := "nasional"
	if res.ByProvince {
		scope = "per provinsi"
	}
	rate := float64(res.Families) / took.Seconds()
	fmt.Fprintf(w, "Pemeringkatan %d selesai: model %s, desil %s.\n", res.ID, res.Model, scope)
	fmt.Fprintf(w, "  %d keluarga diperingkat dalam %s (%.0f keluarga/detik; hitung %s, tulis %s)",
		res.Families, took.Round(time.Millisecond), rate, res.Read.Round(time.Millisecond), res.Write.Round(time.Millisecond))
	if res.Skipped > 0 {
		fmt.Fprintf(w, "; %d keluarga aktif tanpa anggota aktif dilewati", res.Skipped)
	}
	fmt.Fprintln(w, ".")
	groups := make([]string, 0, len(res.Deciles))
	for g := range res.Deciles {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	if !res.ByProvince {
		fmt.Fprintln(w, "  desil  skor terendah  skor tertinggi   keluarga")
		for _, d := range res.Deciles[""] {
			fmt.Fprintf(w, "  %5d  %13.2f  %14.2f  %9d  %s\n", d.Decile, d.Min, d.Max, d.Families, welfare.DecileLabel(d.Decile))
		}
		return
	}
	fmt.Fprintln(w, "  provinsi  keluarga  batas atas skor desil 1 ... 9")
	for _, g := range groups {
		var n int64
		var cuts []string
		for _, d := range res.Deciles[g] {
			n += d.Families
			if d.Decile < 10 {
				cuts = append(cuts, fmt.Sprintf("%.2f", d.Max))
			}
		}
		fmt.Fprintf(w, "  %-8s  %8d  %s\n", g, n, strings.Join(cuts, " "))
	}
}
