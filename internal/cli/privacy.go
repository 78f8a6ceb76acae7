package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/privacy"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

const privacyUsage = "privacy report --nik-file F --out FILE.json|FILE.txt | privacy breach (--username U | --token ID) --from T [--to T] --out FILE.csv"

func runPrivacy(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "report":
			return runPrivacyReport(ctx, env, args[1:])
		case "breach":
			return runPrivacyBreach(ctx, env, args[1:])
		}
	}
	fmt.Fprintln(env.Stderr, "Penggunaan: jaring "+privacyUsage)
	return errUsage
}

// createPrivate creates a file only its owner may read: it holds personal data.
func createPrivate(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
}

// runPrivacyReport writes a data subject's report. The NIK is read from a
// file, never the command line, where it would stay in the shell's history
// and the process list.
func runPrivacyReport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("privacy report", env, "privacy report [--db URL] --nik-file F --out FILE.json|FILE.txt")
	var df dbFlags
	df.register(fs, env)
	nikFile := fs.String("nik-file", "", "file holding the person's NIK (first line)")
	out := fs.String("out", "", "output file: .json, or .txt for a readable letter")
	if err := parse(fs, args); err != nil {
		return err
	}
	format := ""
	switch strings.ToLower(filepath.Ext(*out)) {
	case ".json":
		format = "json"
	case ".txt":
		format = "teks"
	}
	if *nikFile == "" || format == "" || fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	raw, err := os.ReadFile(*nikFile)
	if err != nil {
		return err
	}
	n, _, _ := strings.Cut(strings.TrimSpace(string(raw)), "\n")
	n = strings.TrimSpace(n)
	if _, err := nik.Parse(n); err != nil {
		return fmt.Errorf("berkas %s tidak memuat NIK yang sah (%s): %w", *nikFile, nik.Mask(n), err)
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := privacy.MakeReport(ctx, registry.New(db), n, privacy.ReportOptions{Actor: cliActor(env, ""), Format: format})
	if err != nil {
		return err
	}
	f, err := createPrivate(*out)
	if err != nil {
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	} else {
		err = r.WriteText(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Laporan data pribadi NIK %s ditulis ke %s: %d versi, %d keluarga, %d catatan akses, %d penetapan.\n",
		nik.Mask(n), *out, len(r.Versions), len(r.Families), len(r.Access), len(r.Decisions))
	return nil
}

// parseInstant reads RFC 3339, or a date (YYYY-MM-DD, UTC): its start, or
// with end set the start of the next day.
func parseInstant(name, v string, end bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		if end {
			d = d.Add(24 * time.Hour)
		}
		return d, nil
	}
	return time.Time{}, fmt.Errorf("--%s %q: gunakan RFC 3339 atau TTTT-BB-HH", name, v)
}

// runPrivacyBreach writes the people a leaked account or token could reach
// in a window, streamed, and prints the counts.
func runPrivacyBreach(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("privacy breach", env, "privacy breach [--db URL] (--username U | --token ID) --from T [--to T] --out FILE.csv")
	var df dbFlags
	df.register(fs, env)
	username := fs.String("username", "", "the account that leaked")
	token := fs.Int64("token", 0, "or the ID of the token that leaked (jaring tokens list)")
	fromS := fs.String("from", "", "window start: RFC 3339, or a day (YYYY-MM-DD, UTC)")
	toS := fs.String("to", "", "window end: RFC 3339, or a day (inclusive); default now")
	out := fs.String("out", "", "output CSV file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*username == "") == (*token == 0) || *fromS == "" || *out == "" || fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	from, err := parseInstant("from", *fromS, false)
	if err != nil {
		return err
	}
	to := store.Now()
	if *toS != "" {
		if to, err = parseInstant("to", *toS, true); err != nil {
			return err
		}
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	f, err := createPrivate(*out)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	_ = w.Write([]string{"id_orang", "nik", "nama", "kode_wilayah", "dalam_wilayah", "dilihat", "diubah", "diekspor", "akses_terakhir"})
	yn := func(b bool) string {
		if b {
			return "ya"
		}
		return "tidak"
	}
	b, err := privacy.FindBreach(ctx, db, privacy.BreachQuery{Username: *username, TokenID: *token, From: from, To: to, Actor: cliActor(env, "")},
		func(x privacy.Exposed) error {
			last := ""
			if !x.Last.IsZero() {
				last = x.Last.Format(time.RFC3339)
			}
			return w.Write([]string{strconv.FormatInt(x.PersonID, 10), x.NIK, x.Name, x.Village, yn(x.Reachable),
				strconv.Itoa(x.Views), strconv.Itoa(x.Changes), yn(x.Exported), last})
		})
	if err == nil {
		w.Flush()
		err = errors.Join(w.Error(), bw.Flush())
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return err
	}
	region := b.Region
	if region == "" {
		region = "nasional"
	}
	fmt.Fprintf(env.Stdout, "Akun %s (%s, wilayah %s), %s s.d. %s:\n", b.Account, b.Role, region, b.From.Format(time.RFC3339), b.To.Format(time.RFC3339))
	if b.ReadsAll {
		fmt.Fprintf(env.Stdout, "  %d orang dalam jangkauan wilayahnya (batas atas: daftar dan pencarian tidak tercatat)\n", b.Reachable)
	} else {
		fmt.Fprintln(env.Stdout, "  perannya tidak membaca register: tidak ada orang dalam jangkauan wilayah")
	}
	fmt.Fprintf(env.Stdout, "  %d orang dilihat datanya, %d diubah, %d diekspor (%d ekspor)\nDaftar ditulis ke %s.\n",
		b.Viewed, b.Changed, b.Exported, len(b.Exports), *out)
	return nil
}
