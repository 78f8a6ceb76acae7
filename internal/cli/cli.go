// Package cli implements the jaring command and its subcommands.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/schollz/progressbar/v3"
)

// Env is what every subcommand receives.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "jalankan server (back office dan API)", runServe},
		{"migrate", "perbarui skema basis data", runMigrate},
		{"regions", "kelola daftar wilayah Kemendagri (regions import FILE)", runRegions},
		{"import", "impor keluarga dan anggota dari CSV/XLSX", runImport},
		{"export", "ekspor register suatu wilayah ke CSV/XLSX", runExport},
		{"seed", "buat populasi sintetis (ke basis data atau ke berkas)", runSeed},
		{"users", "kelola akun (users add|disable|list|totp)", runUsers},
		{"tokens", "token API untuk klien mesin dan skrip (tokens create|list|revoke)", runTokens},
		{"programs", "konfigurasi program bantuan (programs list|show|check|install)", runPrograms},
		{"rank", "peringkat kesejahteraan: skor PMT dan desil semua keluarga", runRank},
		{"jobs", "tugas latar: daftar, rincian, ikuti, batalkan (jobs list|show|wait|cancel)", runJobs},
		{"audit", "jejak audit: periksa rantai hash (audit verify), ekspor CSV (audit export)", runAudit},
		{"privacy", "UU PDP: laporan data pribadi (privacy report), daftar terdampak kebocoran (privacy breach)", runPrivacy},
		{"determine", "penetapan penerima program untuk suatu periode (tugas latar), mis. --program PKH --period 2026-Q1", runDetermine},
		{"determination", "hasil penetapan (determination list|show|diff|approve|reject|export)", runDetermination},
		{"simulate", "simulasi aturan program (what-if) dibanding aturan yang berlaku", runSimulate},
	}
}

// errUsage marks an error whose message is the usage already printed.
var errUsage = errors.New("usage")

// Run runs the jaring command with args (without the program name) and
// returns the process exit code.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Getenv: getenv, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, env, args[1:])
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			default:
				fmt.Fprintln(stderr, "jaring "+c.name+": "+err.Error())
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "jaring: perintah tidak dikenal %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Penggunaan: jaring PERINTAH [OPSI]\n\nPerintah:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nBasis data: --db URL atau JARING_DB (postgres://...), bawaan SQLite di DATA/jaring.db (--data atau JARING_DATA, bawaan ./data).")
	fmt.Fprintln(w, "Bantuan tiap perintah: jaring PERINTAH -h")
}

// dbFlags are the flags every database command takes.
type dbFlags struct {
	db   string
	data string
}

func (f *dbFlags) register(fs *flag.FlagSet, env *Env) {
	fs.StringVar(&f.db, "db", env.Getenv("JARING_DB"), "PostgreSQL URL (postgres://...) or SQLite file; default DATA/jaring.db (env JARING_DB)")
	def := env.Getenv("JARING_DATA")
	if def == "" {
		def = "data"
	}
	fs.StringVar(&f.data, "data", def, "data directory for the embedded database and uploads (env JARING_DATA)")
}

func (f *dbFlags) dsn() string {
	if f.db != "" {
		return f.db
	}
	return filepath.Join(f.data, "jaring.db")
}

// open opens the database and checks that its schema is current, unless migrate is set,
// in which case it migrates.
func (f *dbFlags) open(ctx context.Context, env *Env, migrate bool) (*store.DB, error) {
	db, err := store.Open(ctx, f.dsn())
	if err != nil {
		return nil, err
	}
	if migrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		if len(applied) > 0 {
			fmt.Fprintf(env.Stderr, "Skema basis data diperbarui ke versi %d (%s).\n", db.LatestVersion(), db.Where())
		}
		if err := refreshNameKeys(ctx, env, db, env.Stderr); err != nil {
			db.Close()
			return nil, err
		}
		return db, nil
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if v < db.LatestVersion() {
		db.Close()
		return nil, fmt.Errorf("skema basis data versi %d, program butuh versi %d: jalankan `jaring migrate` (atau `jaring serve --migrate`)", v, db.LatestVersion())
	}
	if v > db.LatestVersion() {
		db.Close()
		return nil, fmt.Errorf("skema basis data versi %d lebih baru dari program ini (versi %d): perbarui program", v, db.LatestVersion())
	}
	warnStaleNameKeys(ctx, env, db)
	return db, nil
}

// refreshNameKeys recomputes the name keys when the rules that fold names
// changed since they were built, with a progress bar, and says how many
// rows changed on w.
func refreshNameKeys(ctx context.Context, env *Env, db *store.DB, w io.Writer) error {
	var bar *progressbar.ProgressBar
	n, err := registry.New(db).RefreshNameKeys(ctx, cliActor(env, ""), func(done, total int64) {
		if bar == nil && total > 0 {
			bar = newBarCount(env, total, "kunci nama", "jiwa")
		}
		if bar != nil {
			bar.Set64(done)
		}
	})
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(env.Stderr)
	}
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintf(w, "Kunci pencarian nama disusun ulang dengan aturan terbaru: %d baris diubah.\n", n)
	}
	return nil
}

// warnStaleNameKeys says so when the register holds people whose name keys
// were built by other rules than this program's: searches by name may then
// miss them until `jaring migrate` rebuilds the keys.
func warnStaleNameKeys(ctx context.Context, env *Env, db *store.DB) {
	stale, err := registry.New(db).NameKeysStale(ctx)
	if err != nil || !stale {
		return
	}
	var any int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM person LIMIT 1) p`).Scan(&any); err != nil || any == 0 {
		return
	}
	fmt.Fprintln(env.Stderr, "Peringatan: kunci pencarian nama disusun dengan aturan lama; pencarian nama bisa tidak lengkap. Jalankan `jaring migrate` untuk menyusunnya ulang.")
}

func newFlagSet(name string, env *Env, usageLine string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "Penggunaan: jaring "+usageLine)
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// sharedPath returns ../shared/REL when it exists (the reference data beside
// the repository), or "".
func sharedPath(rel string) string {
	for _, base := range []string{"../shared", "../../shared", "../../../shared"} {
		p := filepath.Join(base, rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("migrate", env, "migrate [--db URL]")
	var df dbFlags
	df.register(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, df.dsn())
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(env.Stdout, "Skema sudah terbaru (versi %d) di %s.\n", db.LatestVersion(), db.Where())
	} else {
		fmt.Fprintf(env.Stdout, "Migrasi %s diterapkan; skema versi %d di %s.\n", joinInts(applied), db.LatestVersion(), db.Where())
	}
	return refreshNameKeys(ctx, env, db, env.Stdout)
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
