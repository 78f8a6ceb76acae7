package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kemensos/jaring/internal/program"
)

const programsUsage = `programs list | show PROGRAM [--version N | --date YYYY-MM-DD | --default] | check FILE.json | install`

func runPrograms(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "Penggunaan: jaring "+programsUsage)
		return errUsage
	}
	switch args[0] {
	case "list":
		return programsList(ctx, env, args[1:])
	case "show":
		return programsShow(ctx, env, args[1:])
	case "check":
		return programsCheck(env, args[1:])
	case "install":
		return programsInstall(ctx, env, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(env.Stdout, "Penggunaan: jaring "+programsUsage)
		return nil
	}
	fmt.Fprintf(env.Stderr, "jaring programs: subperintah tidak dikenal %q\nPenggunaan: jaring %s\n", args[0], programsUsage)
	return errUsage
}

func programsList(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("programs list", env, "programs list [--db URL]")
	var df dbFlags
	df.register(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	vs, err := program.NewStore(db).List(ctx, "")
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		fmt.Fprintln(env.Stdout, "Belum ada versi program. Pasang konfigurasi bawaan: jaring programs install")
		return nil
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "PROGRAM\tVERSI\tBERLAKU\tSTATUS\tDIBUAT OLEH\tDISETUJUI OLEH\tCATATAN")
	for _, v := range vs {
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", v.Program, v.Version, v.EffectiveFrom, v.Status, v.CreatedBy, v.ApprovedBy, v.Note)
	}
	return w.Flush()
}

func programsShow(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("programs show", env, "programs show PROGRAM [--version N | --date YYYY-MM-DD | --default]")
	var df dbFlags
	df.register(fs, env)
	version := fs.Int("version", 0, "stored version number")
	date := fs.String("date", "", "show the approved version in force on this date (default today)")
	def := fs.Bool("default", false, "show the configuration shipped with this binary (no database)")
	code, rest := "", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		code, rest = strings.ToUpper(args[0]), args[1:]
	}
	if err := parse(fs, rest); err != nil {
		return err
	}
	if code == "" && fs.NArg() > 0 {
		code = strings.ToUpper(fs.Arg(0))
	}
	if code == "" {
		fs.Usage()
		return errUsage
	}
	if *def {
		d, err := program.Default(code)
		if err != nil {
			return err
		}
		_, err = env.Stdout.Write(append(d.JSON(), '\n'))
		return err
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	st := program.NewStore(db)
	var v *program.Version
	if *version > 0 {
		v, err = st.Get(ctx, code, *version)
	} else {
		d := *date
		if d == "" {
			d = time.Now().Format("2006-01-02")
		}
		v, err = st.Active(ctx, code, d)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "%s versi %d, berlaku mulai %s, %s (dibuat %s", v.Program, v.Version, v.EffectiveFrom, v.Status, v.CreatedBy)
	if v.ApprovedBy != "" {
		fmt.Fprintf(env.Stderr, ", disetujui %s", v.ApprovedBy)
	}
	fmt.Fprintln(env.Stderr, ")")
	_, err = env.Stdout.Write(append(v.Document.JSON(), '\n'))
	return err
}

func programsCheck(env *Env, args []string) error {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(env.Stderr, "Penggunaan: jaring programs check FILE.json")
		return errUsage
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	d, err := program.ParseDocument(data)
	if err == nil {
		_, err = program.Compile(d)
	}
	var inv *program.Invalid
	if errors.As(err, &inv) {
		for _, p := range inv.Problems {
			fmt.Fprintf(env.Stdout, "%s: %s\n", args[0], p.String())
			if p.Snippet != "" {
				for _, l := range strings.Split(p.Snippet, "\n") {
					fmt.Fprintln(env.Stdout, "    | "+l)
				}
			}
		}
		return fmt.Errorf("%s: %d masalah", args[0], len(inv.Problems))
	}
	if err != nil {
		return err
	}
	periods := 0
	for _, c := range d.Calendars {
		periods += len(c.Periods)
	}
	fmt.Fprintf(env.Stdout, "%s: %s berlaku mulai %s: %d syarat, %d pengecualian, %d kalender (%d periode): valid\n",
		args[0], d.Program, d.EffectiveFrom, len(d.Eligibility), len(d.Exclusions), len(d.Calendars), periods)
	return nil
}

func programsInstall(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("programs install", env, "programs install [--db URL]")
	var df dbFlags
	df.register(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	vs, err := program.NewStore(db).InstallDefaults(ctx)
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		fmt.Fprintln(env.Stdout, "Semua program sudah punya versi; tidak ada yang dipasang.")
		return nil
	}
	for _, v := range vs {
		fmt.Fprintf(env.Stdout, "%s versi %d berlaku mulai %s dipasang (konfigurasi bawaan).\n", v.Program, v.Version, v.EffectiveFrom)
	}
	return nil
}
