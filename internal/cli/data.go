package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

func runRegions(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprintln(env.Stderr, "Penggunaan: jaring regions import [--db URL] FILE.csv   (kolom kode,nama; misalnya ../shared/data/regions/kemendagri-2025.csv)")
		return errUsage
	}
	fs := newFlagSet("regions import", env, "regions import [--db URL] FILE.csv")
	var df dbFlags
	df.register(fs, env)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := region.ReadCSV(f)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	res, err := region.Import(ctx, db, rows)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s\nSelesai dalam %s.\n", res, time.Since(start).Round(time.Millisecond))
	return nil
}

func runImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("import", env, "import [--db URL] [--allow-move] [--latin1] [--reason TEKS] FILE.csv|FILE.xlsx ...")
	var df dbFlags
	df.register(fs, env)
	allowMove := fs.Bool("allow-move", false, "let a NIK registered in another family move to the family in the file")
	latin1 := fs.Bool("latin1", false, "read CSV bytes as Windows-1252/Latin-1 instead of UTF-8")
	reason := fs.String("reason", "", "reason kept with every version written (default: impor berkas NAME)")
	actor := fs.String("actor", "", "who imports (default: cli:$USER)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if db.Engine() == store.Postgres {
		batchGC(env)
	}
	reg := registry.New(db)
	who := *actor
	if who == "" {
		who = "cli:" + firstNonEmpty(env.Getenv("USER"), "operator")
	}
	failed := 0
	for _, path := range fs.Args() {
		res, err := importFile(ctx, env, reg, path, registry.ImportOptions{Actor: who, Reason: *reason, AllowMove: *allowMove},
			registry.SourceOptions{Latin1: *latin1}, *quiet)
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s: %v\n", path, err)
			failed++
			continue
		}
		if res.Errors > 0 || res.Stopped != "" {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d berkas dengan galat; lihat laporan galat di samping berkas", failed)
	}
	return nil
}

// importFile imports one file, writing FILE.errors.csv beside it.
func importFile(ctx context.Context, env *Env, reg *registry.Registry, path string, o registry.ImportOptions, so registry.SourceOptions, quiet bool) (registry.ImportResult, error) {
	src, err := registry.OpenFile(path, so)
	if err != nil {
		return registry.ImportResult{}, err
	}
	defer src.Close()
	reportPath := path + ".errors.csv"
	report, err := os.Create(reportPath)
	if err != nil {
		return registry.ImportResult{}, fmt.Errorf("laporan galat: %w", err)
	}
	o.Report = report
	if o.Reason == "" {
		o.Reason = "impor berkas " + filepath.Base(path)
	}
	_, total := src.Progress()
	bar := newBar(env, quiet, total, "impor "+filepath.Base(path))
	start := time.Now()
	o.Progress = func(p registry.ImportProgress) {
		if bar != nil {
			_ = bar.Set64(p.Bytes)
			bar.Describe(fmt.Sprintf("impor %s: %d baris, %d keluarga", filepath.Base(path), p.Rows, p.Families))
		}
	}
	res, err := reg.Import(ctx, src, o)
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(env.Stderr)
	}
	report.Close()
	took := time.Since(start)
	if err == nil && res.Errors == 0 && res.Warnings == 0 {
		os.Remove(reportPath)
		reportPath = ""
	}
	printImportResult(env.Stdout, path, res, took, reportPath)
	return res, err
}

func printImportResult(w io.Writer, path string, res registry.ImportResult, took time.Duration, reportPath string) {
	rate := float64(res.Rows) / took.Seconds()
	fmt.Fprintf(w, "%s: %d baris dalam %s (%.0f baris/detik)\n", filepath.Base(path), res.Rows, took.Round(time.Millisecond), rate)
	fmt.Fprintf(w, "  keluarga: %d baru, %d berubah, %d tetap, %d ditolak\n", res.FamiliesAdded, res.FamiliesChanged, res.FamiliesUnchanged, res.FamiliesRejected)
	fmt.Fprintf(w, "  jiwa:     %d baru, %d berubah, %d tetap\n", res.PeopleAdded, res.PeopleChanged, res.PeopleUnchanged)
	if res.Stopped != "" {
		fmt.Fprintf(w, "  BERHENTI: %s\n", res.Stopped)
	}
	if reportPath != "" {
		fmt.Fprintf(w, "  %d galat, %d peringatan: lihat %s\n", res.Errors, res.Warnings, reportPath)
	}
}

func newBar(env *Env, quiet bool, total int64, desc string) *progressbar.ProgressBar {
	if quiet {
		return nil
	}
	if total <= 0 {
		total = -1
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(env.Stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetPredictTime(true),
	)
}

func newBarCount(env *Env, total int64, desc, unit string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(env.Stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetPredictTime(true),
	)
}

func runExport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("export", env, "export [--db URL] --region KODE --out FILE.csv|FILE.xlsx")
	var df dbFlags
	df.register(fs, env)
	scope := fs.String("region", "", "region code (province, regency, district or village); empty = the whole register")
	out := fs.String("out", "", "output file, .csv or .xlsx")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return errUsage
	}
	if *scope != "" {
		if err := region.Validate(*scope); err != nil {
			return fmt.Errorf("--region: %w", err)
		}
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	tmp := *out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	var w registry.RowWriter
	switch strings.ToLower(filepath.Ext(*out)) {
	case ".csv":
		w = registry.NewCSVWriter(f)
	case ".xlsx":
		w = registry.NewXLSXWriter(f)
	default:
		f.Close()
		return errors.New("--out harus berakhiran .csv atau .xlsx")
	}
	start := time.Now()
	n, err := registry.New(db).Export(ctx, *scope, w)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d baris ditulis ke %s dalam %s.\n", n, *out, time.Since(start).Round(time.Millisecond))
	return nil
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// batchGC lets the garbage collector run a third as often as by default
// during a long import into PostgreSQL, whose live heap is small and
// steady (the batches in flight): at a million people this saves about a
// tenth of the CPU time and stays under the 500 MB the import is held to
// (docs/benchmarks.md). Not on SQLite: its page cache lives outside the Go
// heap, where the soft limit does not see it, and the process came to
// 490-500 MB.
func batchGC(env *Env) { tuneGC(env, 300, 400<<20) }

// tuneGC sets the collector's percent and a soft memory limit, which
// brings collection back early should the heap grow; GOGC and GOMEMLIMIT,
// when set, win.
func tuneGC(env *Env, percent int, limit int64) {
	if env.Getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
	if env.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(limit)
	}
}
