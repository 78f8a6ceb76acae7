package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/registry"
)

// runDetermine is `jaring determine`: one or more program determinations
// for their periods as one durable job, run here with a progress bar (or
// followed when a server already runs it).
func runDetermine(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("determine", env, "determine [--db URL] --program KODE[,KODE...] --period PERIODE[,PERIODE...] [--channel SALURAN] [--actor NAMA]")
	var df dbFlags
	df.register(fs, env)
	progs := fs.String("program", "", "program code(s), comma-separated (PKH,BPNT,PBI_JK): decided together, each family built once")
	periods := fs.String("period", "", "payment period(s): one for every program, or one per program in the same order (2026-Q1,2026-B1,2026-01)")
	channel := fs.String("channel", "", "payment channel whose calendar gives the period (default: the first listing it)")
	actor := fs.String("actor", "", "who runs the determination (default: cli:$USER)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parse(fs, args); err != nil {
		return err
	}
	specs, err := parseSpecs(*progs, *periods, *channel)
	if err != nil || fs.NArg() != 0 {
		if err != nil {
			fmt.Fprintln(env.Stderr, err)
		}
		fs.Usage()
		return errUsage
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = authz.With(ctx, authz.System(cliActor(env, *actor)))
	r := newJobRunner(db, slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	svc := determination.New(db, r)
	start := time.Now()
	st, err := svc.Start(ctx, specs)
	if err != nil {
		return err
	}
	if st.Existing {
		fmt.Fprintf(env.Stderr, "Penetapan ini sudah berjalan (tugas %d); tugas itu yang diikuti.\n", st.JobID)
	}
	if _, err := followJob(ctx, env, r, st.JobID, true, *quiet); err != nil {
		return err
	}
	took := time.Since(start)
	for _, d := range st.Determinations {
		got, err := svc.Get(ctx, d.ID)
		if err != nil {
			return err
		}
		printDetermination(env.Stdout, got)
	}
	fmt.Fprintf(env.Stdout, "Selesai dalam %s.\n", took.Round(time.Millisecond))
	return nil
}

func cliActor(env *Env, actor string) string {
	if actor != "" {
		return actor
	}
	return "cli:" + firstNonEmpty(env.Getenv("USER"), "operator")
}

// parseSpecs pairs programs with periods: one period for all, or one each.
func parseSpecs(progs, periods, channel string) ([]determination.Spec, error) {
	ps := splitList(progs)
	pers := splitList(periods)
	if len(ps) == 0 || len(pers) == 0 {
		return nil, fmt.Errorf("--program dan --period wajib diisi")
	}
	if len(pers) != 1 && len(pers) != len(ps) {
		return nil, fmt.Errorf("%d program tetapi %d periode: sebutkan satu periode, atau satu per program", len(ps), len(pers))
	}
	var out []determination.Spec
	for i, p := range ps {
		per := pers[0]
		if len(pers) > 1 {
			per = pers[i]
		}
		out = append(out, determination.Spec{Program: strings.ToUpper(p), Period: per, Channel: channel})
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func rupiah(n int64) string { return program.Rupiah(n) }

func printDetermination(w io.Writer, d *determination.Determination) {
	unit := "keluarga"
	if d.Unit == program.UnitPerson {
		unit = "jiwa"
	}
	fmt.Fprintf(w, "%s (id %d): %s, versi program %d, saluran %s, periode %s s.d. %s", d.Title(), d.ID, d.Status.Label(),
		d.ProgramVersion, d.Channel, d.PeriodStart, d.PeriodEnd)
	if d.WelfareRun != 0 {
		fmt.Fprintf(w, ", pemeringkatan %d", d.WelfareRun)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  dijalankan oleh %s pada %s", d.CreatedBy, d.CreatedAt.Local().Format("2006-01-02 15:04:05"))
	if d.ApprovedBy != "" {
		fmt.Fprintf(w, "; disetujui oleh %s", d.ApprovedBy)
	}
	if d.ClosedBy != "" {
		fmt.Fprintf(w, "; %s oleh %s: %s", d.Status.Label(), d.ClosedBy, d.CloseReason)
	}
	fmt.Fprintln(w)
	if d.Error != "" {
		fmt.Fprintf(w, "  galat: %s\n", d.Error)
	}
	sm := d.Summary
	if sm == nil {
		return
	}
	fmt.Fprintf(w, "  %d %s: %d penerima, %s", d.Units, unit, d.Recipients, rupiah(d.Amount))
	if sm.ElapsedMS > 0 {
		ms := func(n int64) time.Duration { return (time.Duration(n) * time.Millisecond).Round(time.Millisecond) }
		fmt.Fprintf(w, " (dihitung dalam %s: baca %s, putuskan %s, tulis %s, kuota %s)", ms(sm.ElapsedMS), ms(sm.ReadMS),
			ms(sm.DecideMS), ms(sm.WriteMS), ms(sm.QuotaMS))
	}
	fmt.Fprintln(w)
	for _, st := range determination.ItemStatuses {
		c := sm.Status[st]
		fmt.Fprintf(w, "    %-18s %9d  %s\n", determination.ItemLabel(st), c.Units, rupiah(c.Amount))
	}
	base := "penetapan final sebelumnya"
	if d.Kind == determination.KindSimulation {
		base = "aturan yang berlaku"
	} else if d.BaseID == 0 {
		base = "tanpa penetapan final sebelumnya"
	}
	fmt.Fprintf(w, "  dibanding %s: %d penerima (%s); masuk %d, keluar %d, nilai berubah %d", base, sm.BaseUnits,
		rupiah(sm.BaseAmount), sm.Status[determination.ItemNew].Units, sm.Status[determination.ItemGraduated].Units+sm.Missing, sm.Changed)
	if sm.Missing > 0 {
		fmt.Fprintf(w, " (%d di antaranya tidak lagi di register)", sm.Missing)
	}
	if sm.QuotaCut > 0 {
		fmt.Fprintf(w, "; %d layak tetapi di luar kuota", sm.QuotaCut)
	}
	fmt.Fprintln(w)
}

const determinationUsage = `Penggunaan: jaring determination PERINTAH [--db URL]
  list [--program KODE] [--period PERIODE] [--kind penetapan|simulasi]   daftar penetapan, terbaru dulu
  show (--id ID | --program KODE --period PERIODE [--number N])           rincian dan jumlah per wilayah
  diff (--id ID | --program KODE --period PERIODE [--number N]) [--region KODE] [--list]
        perbandingan dengan penetapan final sebelumnya: masuk, keluar, nilai berubah per wilayah
  approve (--id ID | --program KODE --period PERIODE [--number N]) --actor NAMA
        setujui draf menjadi final (oleh orang lain dari yang menjalankan)
  reject (--id ID | ...) --actor NAMA --reason ALASAN                     tolak draf
  export (--id ID | --program KODE --period PERIODE [--number N]) --format csv|xlsx [--out BERKAS] [--region KODE]
        tulis hasil dengan nominal dan kode alasan
Tanpa --number: penetapan final, atau yang terbaru.`

func runDetermination(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, determinationUsage)
		return errUsage
	}
	switch args[0] {
	case "list", "show", "diff", "approve", "reject", "export":
		return determinationCmd(ctx, env, args[0], args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(env.Stdout, determinationUsage)
		return nil
	}
	fmt.Fprintln(env.Stderr, determinationUsage)
	return errUsage
}

type pickFlags struct {
	id     *int64
	prog   *string
	period *string
	number *int
	kind   *string
	region *string
	actor  *string
	reason *string
	format *string
	out    *string
	list   *bool
	limit  *int
}

func determinationCmd(ctx context.Context, env *Env, verb string, args []string) error {
	fs := newFlagSet("determination "+verb, env, "determination "+verb+" [--db URL] [OPSI]")
	var df dbFlags
	df.register(fs, env)
	pf := pickFlags{
		id:     fs.Int64("id", 0, "determination ID"),
		prog:   fs.String("program", "", "program code"),
		period: fs.String("period", "", "payment period"),
		number: fs.Int("number", 0, "determination number (default: the final one, else the newest)"),
		kind:   fs.String("kind", "", "penetapan or simulasi"),
		region: fs.String("region", "", "region code to limit counts, lists and exports to"),
		actor:  fs.String("actor", "", "who acts (default: cli:$USER)"),
		reason: fs.String("reason", "", "why (reject)"),
		format: fs.String("format", "csv", "export format: csv or xlsx"),
		out:    fs.String("out", "", "export file (default: standard output)"),
		list:   fs.Bool("list", false, "diff: list the families that entered, left or changed amount"),
		limit:  fs.Int("limit", 100, "at most this many rows in lists"),
	}
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
	ctx = authz.With(ctx, authz.System(cliActor(env, *pf.actor)))
	svc := determination.New(db, nil)
	if verb == "list" {
		return determinationList(ctx, env, svc, &pf)
	}
	d, err := pf.pick(ctx, svc)
	if err != nil {
		return err
	}
	switch verb {
	case "show":
		printDetermination(env.Stdout, d)
		return printRegions(ctx, env, svc, d, *pf.region)
	case "diff":
		return determinationDiff(ctx, env, svc, d, &pf)
	case "approve":
		if *pf.actor == "" {
			return fmt.Errorf("--actor wajib: persetujuan harus atas nama orang lain dari yang menjalankan (%s)", d.CreatedBy)
		}
		got, err := svc.Approve(ctx, d.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s disetujui oleh %s: kini final.\n", got.Title(), got.ApprovedBy)
		return nil
	case "reject":
		got, err := svc.Reject(ctx, d.ID, *pf.reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s ditolak oleh %s.\n", got.Title(), got.ClosedBy)
		return nil
	case "export":
		return determinationExport(ctx, env, svc, d, &pf)
	}
	return errUsage
}

func (pf *pickFlags) pick(ctx context.Context, svc *determination.Service) (*determination.Determination, error) {
	if *pf.id != 0 {
		return svc.Get(ctx, *pf.id)
	}
	if *pf.prog == "" || *pf.period == "" {
		return nil, fmt.Errorf("sebutkan --id, atau --program dan --period")
	}
	return svc.Find(ctx, *pf.kind, strings.ToUpper(*pf.prog), *pf.period, *pf.number)
}

func determinationList(ctx context.Context, env *Env, svc *determination.Service, pf *pickFlags) error {
	list, err := svc.List(ctx, determination.ListOptions{Kind: *pf.kind, Program: strings.ToUpper(*pf.prog), Period: *pf.period, Limit: *pf.limit})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(env.Stdout, "Belum ada penetapan.")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tJENIS\tPROGRAM\tPERIODE\tNO\tSTATUS\tUNIT\tPENERIMA\tNILAI\tOLEH\tDISETUJUI")
	for _, d := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%s\t%s\t%s\n", d.ID, d.Kind, d.Program, d.Period, d.Number, d.Status.Label(),
			d.Units, d.Recipients, rupiah(d.Amount), d.CreatedBy, orDash(d.ApprovedBy))
	}
	return tw.Flush()
}

func printRegions(ctx context.Context, env *Env, svc *determination.Service, d *determination.Determination, region string) error {
	rows, err := svc.ByRegion(ctx, d.ID, region)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "WILAYAH\tBARU\tLANJUTAN\tTIDAK\tKELUAR\tGALAT\tPENERIMA\tNILAI\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", r.Region, r.Status[determination.ItemNew].Units, r.Status[determination.ItemContinuing].Units,
			r.Status[determination.ItemExcluded].Units, r.Status[determination.ItemGraduated].Units, r.Status[determination.ItemError].Units,
			r.Recipients, rupiah(r.Amount))
	}
	return tw.Flush()
}

func determinationDiff(ctx context.Context, env *Env, svc *determination.Service, d *determination.Determination, pf *pickFlags) error {
	base := "penetapan final sebelumnya"
	switch {
	case d.Kind == determination.KindSimulation:
		base = "aturan yang berlaku"
	case d.BaseID == 0:
		base = "tidak ada (penetapan pertama program ini)"
	default:
		if b, err := svc.Get(ctx, d.BaseID); err == nil {
			base = b.Title()
		}
	}
	fmt.Fprintf(env.Stdout, "%s dibandingkan dengan %s\n", d.Title(), base)
	if err := printComparison(ctx, env.Stdout, svc, d, *pf.region); err != nil {
		return err
	}
	if !*pf.list {
		return nil
	}
	items, err := svc.Items(ctx, d.ID, determination.ItemOptions{Region: *pf.region, Changes: true, Limit: *pf.limit})
	if err != nil {
		return err
	}
	left, err := svc.Left(ctx, d.ID, *pf.region, *pf.limit)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nKELUARGA\tORANG\tWILAYAH\tDESIL\tSTATUS\tNILAI\tSEBELUMNYA\tALASAN")
	for _, it := range append(items, left...) {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", it.FamilyID, orDash(personText(it.PersonID)), it.VillageCode, it.Decile, it.StatusLabel,
			rupiah(it.Amount), rupiah(it.BaseAmount), it.Reasons)
	}
	return tw.Flush()
}

func personText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// printComparison prints a determination beside its base per region:
// recipients and rupiah, entered, left and changed amounts.
func printComparison(ctx context.Context, w io.Writer, svc *determination.Service, d *determination.Determination, region string) error {
	rows, err := svc.ByRegion(ctx, d.ID, region)
	if err != nil {
		return err
	}
	now, before := "SEKARANG", "SEBELUMNYA"
	if d.Kind == determination.KindSimulation {
		now, before = "SIMULASI", "BERLAKU"
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "WILAYAH\tPENERIMA %s\tNILAI %s\tPENERIMA %s\tNILAI %s\tMASUK\tKELUAR\tNILAI BERUBAH\t\n", before, before, now, now)
	var t determination.RegionRow
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%d\t%d\t%d\t\n", r.Region, r.BaseUnits, rupiah(r.BaseAmount), r.Recipients, rupiah(r.Amount),
			r.Entered, r.Left, r.Changed)
		t.BaseUnits += r.BaseUnits
		t.BaseAmount += r.BaseAmount
		t.Recipients += r.Recipients
		t.Amount += r.Amount
		t.Entered += r.Entered
		t.Left += r.Left
		t.Changed += r.Changed
	}
	fmt.Fprintf(tw, "JUMLAH\t%d\t%s\t%d\t%s\t%d\t%d\t%d\t\n", t.BaseUnits, rupiah(t.BaseAmount), t.Recipients, rupiah(t.Amount),
		t.Entered, t.Left, t.Changed)
	if err := tw.Flush(); err != nil {
		return err
	}
	if d.Summary != nil && d.Summary.Missing > 0 {
		fmt.Fprintf(w, "Ditambah %d penerima sebelumnya yang tidak lagi di register (keluar).\n", d.Summary.Missing)
	}
	return nil
}

func determinationExport(ctx context.Context, env *Env, svc *determination.Service, d *determination.Determination, pf *pickFlags) error {
	var out io.Writer = env.Stdout
	if *pf.out != "" {
		f, err := os.Create(*pf.out)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	bw := bufio.NewWriterSize(out, 1<<16)
	var w registry.RowWriter
	switch *pf.format {
	case "csv":
		w = registry.NewCSVWriter(bw)
	case "xlsx":
		w = registry.NewXLSXWriter(bw)
	default:
		return fmt.Errorf("format %q tidak dikenal (csv atau xlsx)", *pf.format)
	}
	n, err := svc.Export(ctx, d.ID, *pf.region, w)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if *pf.out != "" {
		fmt.Fprintf(env.Stderr, "%d baris %s ditulis ke %s.\n", n, d.Title(), *pf.out)
	}
	return nil
}

// runSimulate is `jaring simulate`: the determination engine on a what-if
// rule set beside the live rules, without touching live determinations.
func runSimulate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("simulate", env, "simulate [--db URL] --program KODE --period PERIODE --rules BERKAS.json [--region KODE]")
	var df dbFlags
	df.register(fs, env)
	prog := fs.String("program", "", "program code")
	period := fs.String("period", "", "payment period")
	channel := fs.String("channel", "", "payment channel (default: the first listing the period)")
	rules := fs.String("rules", "", "what-if program document (JSON, docs/programs.md); without calendars the live ones apply")
	region := fs.String("region", "", "region code to compare within (default: the nation, by province)")
	actor := fs.String("actor", "", "who simulates (default: cli:$USER)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	asJSON := fs.Bool("json", false, "print the comparison as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *prog == "" || *period == "" || *rules == "" || fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	raw, err := os.ReadFile(*rules)
	if err != nil {
		return err
	}
	doc, err := program.ParseDocument(raw)
	if err != nil {
		return err
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = authz.With(ctx, authz.System(cliActor(env, *actor)))
	r := newJobRunner(db, slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	svc := determination.New(db, r)
	st, err := svc.Simulate(ctx, determination.Spec{Program: strings.ToUpper(*prog), Period: *period, Channel: *channel}, doc)
	if err != nil {
		return err
	}
	if _, err := followJob(ctx, env, r, st.JobID, true, *quiet); err != nil {
		return err
	}
	d, err := svc.Get(ctx, st.Determinations[0].ID)
	if err != nil {
		return err
	}
	if *asJSON {
		rows, err := svc.ByRegion(ctx, d.ID, *region)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"simulation": d, "regions": rows})
	}
	printDetermination(env.Stdout, d)
	return printComparison(ctx, env.Stdout, svc, d, *region)
}
