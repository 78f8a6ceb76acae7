package cli

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/store"
)

const auditUsage = "audit verify [--db URL] | audit export [--db URL] --out FILE.csv [--actor U] [--person ID] [--region KODE] [--action A] [--from T] [--to T]"

func runAudit(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "verify":
			return runAuditVerify(ctx, env, args[1:])
		case "export":
			return runAuditExport(ctx, env, args[1:])
		}
	}
	fmt.Fprintln(env.Stderr, "Penggunaan: jaring "+auditUsage)
	return errUsage
}

// runAuditVerify checks the whole hash chain and fails naming the first
// broken entry.
func runAuditVerify(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("audit verify", env, "audit verify [--db URL] [--workers N] [--anchor SEQ:HASH]")
	var df dbFlags
	df.register(fs, env)
	workers := fs.Int("workers", 4, "ranges of the chain checked at once, each on its own connection")
	anchor := fs.String("anchor", "", "SEQ:HASH of a head noted at an earlier verification, which the chain must still hold")
	if err := parse(fs, args); err != nil {
		return err
	}
	var anchorSeq int64
	var anchorHash string
	if *anchor != "" {
		s, h, ok := strings.Cut(*anchor, ":")
		n, err := strconv.ParseInt(s, 10, 64)
		if !ok || err != nil || n < 1 || len(h) != 64 {
			return fmt.Errorf("--anchor %q: gunakan SEQ:HASH seperti yang dicetak pemeriksaan sebelumnya", *anchor)
		}
		anchorSeq, anchorHash = n, h
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(env.Stderr, "Memeriksa rantai audit di %s ...\n", db.Where())
	res, err := audit.Verify(ctx, db, audit.VerifyOptions{Workers: *workers})
	if err != nil {
		return err
	}
	rate := float64(res.Entries) / max(res.Took.Seconds(), 1e-9)
	fmt.Fprintf(env.Stdout, "%d entri diperiksa dalam %s (%.0f entri/detik).\n", res.Entries, res.Took.Round(time.Millisecond), rate)
	if res.Broken != nil {
		return res.Broken
	}
	if anchorSeq > 0 {
		if b := audit.CheckAnchor(ctx, db, anchorSeq, anchorHash); b != nil {
			return b
		}
		fmt.Fprintf(env.Stdout, "Jangkar entri %d cocok.\n", anchorSeq)
	}
	fmt.Fprintf(env.Stdout, "Rantai audit utuh. Kepala rantai: %d:%s\n", res.HeadSeq, res.HeadHash)
	fmt.Fprintln(env.Stdout, "Catat kepala rantai di luar sistem dan berikan pada pemeriksaan berikutnya: --anchor SEQ:HASH.")
	return nil
}

// runAuditExport writes the entries matching the filters as CSV, and
// records the export in the trail first.
func runAuditExport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("audit export", env, "audit export [--db URL] --out FILE.csv [filters]")
	var df dbFlags
	df.register(fs, env)
	out := fs.String("out", "", "output CSV file")
	q := url.Values{}
	for _, f := range []struct{ name, help string }{
		{"actor", "user name of who acted"},
		{"person", "internal ID of the person concerned (not a NIK)"},
		{"region", "region code: entries of that region and below"},
		{"action", "action, e.g. lihat, keluarga.ubah, import.keluarga"},
		{"from", "from this instant (RFC 3339) or day (YYYY-MM-DD, UTC)"},
		{"to", "until this instant (RFC 3339) or day (YYYY-MM-DD, UTC, inclusive)"},
	} {
		fs.Func(f.name, f.help, func(v string) error { q.Set(f.name, v); return nil })
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	filter, err := api.AuditFilter(q)
	if err != nil {
		return err
	}
	db, err := df.open(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	detail := map[string]any{"berkas": "csv"}
	for k := range q {
		detail[k] = audit.MaskDigits(q.Get(k))
	}
	actor := "cli:" + firstNonEmpty(env.Getenv("USER"), "operator")
	err = db.Write(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: audit.ActAuditExport, ObjectType: audit.ObjAudit,
			Region: filter.Region, After: detail})
	})
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	n, err := audit.Export(ctx, db, filter, bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d entri ditulis ke %s.\n", n, *out)
	return nil
}
