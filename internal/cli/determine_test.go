package cli_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// jaring determine on a seeded register: the three programs at once, the
// maker cannot approve, another person can, a second run compares with the
// first, exports in CSV and XLSX, and a simulation leaves the live
// determinations alone.
func TestDetermine(t *testing.T) {
	engines(t, func(t *testing.T, db string) {
		dir := t.TempDir()
		env := map[string]string{"JARING_DB": db, "USER": "budi"}
		must := func(args ...string) string {
			t.Helper()
			code, out, errOut := run(t, env, args...)
			if code != 0 {
				t.Fatalf("%v: code %d\n%s\n%s", args, code, out, errOut)
			}
			return out
		}
		must("migrate")
		regions := filepath.Join(dir, "wilayah.csv")
		if err := os.WriteFile(regions, []byte(regionsCSV), 0o600); err != nil {
			t.Fatal(err)
		}
		must("regions", "import", regions)
		must("seed", "--quiet", "--families", "300")
		must("programs", "install")
		must("rank", "--quiet")
		out := must("determine", "--quiet", "--program", "PKH,BPNT,PBI_JK", "--period", "2026-Q1,2026-B1,2026-01")
		for _, want := range []string{"Penetapan PKH 2026-Q1 no. 1", "Penetapan BPNT 2026-B1 no. 1", "Penetapan PBI_JK 2026-01 no. 1",
			"300 keluarga:", "jiwa:", "tanpa penetapan final sebelumnya"} {
			if !strings.Contains(out, want) {
				t.Fatalf("determine output lacks %q:\n%s", want, out)
			}
		}
		// BPNT: every recipient gets Rp400.000 for January-February.
		m := regexp.MustCompile(`Penetapan BPNT 2026-B1 no\. 1 .*\n.*\n  300 keluarga: (\d+) penerima, Rp([0-9.]+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("BPNT line:\n%s", out)
		}
		n, _ := strconv.Atoi(m[1])
		if n == 0 || strings.ReplaceAll(m[2], ".", "") != strconv.Itoa(n*400000) {
			t.Fatalf("BPNT: %s recipients, Rp%s", m[1], m[2])
		}

		code, _, errOut := run(t, env, "determination", "approve", "--program", "PKH", "--period", "2026-Q1", "--actor", "cli:budi")
		if code != 1 || !strings.Contains(errOut, "persetujuan harus oleh orang lain") {
			t.Fatalf("maker approves: %d %s", code, errOut)
		}
		out = must("determination", "approve", "--program", "PKH", "--period", "2026-Q1", "--actor", "siti")
		if !strings.Contains(out, "disetujui oleh siti: kini final") {
			t.Fatalf("approve: %s", out)
		}
		out = must("determination", "list")
		if !regexp.MustCompile(`PKH\s+2026-Q1\s+1\s+final`).MatchString(out) || !strings.Contains(out, "draf") {
			t.Fatalf("list:\n%s", out)
		}
		out = must("determine", "--quiet", "--program", "PKH", "--period", "2026-Q1")
		if !strings.Contains(out, "Penetapan PKH 2026-Q1 no. 2") || !strings.Contains(out, "masuk 0, keluar 0, nilai berubah 0") {
			t.Fatalf("second run:\n%s", out)
		}
		out = must("determination", "diff", "--program", "PKH", "--period", "2026-Q1", "--number", "2", "--list")
		if !strings.Contains(out, "dibandingkan dengan Penetapan PKH 2026-Q1 no. 1") || !regexp.MustCompile(`JUMLAH\s+\d+`).MatchString(out) {
			t.Fatalf("diff:\n%s", out)
		}
		out = must("determination", "show", "--program", "PKH", "--period", "2026-Q1", "--region", "32.01")
		if !strings.Contains(out, "32.01.01") {
			t.Fatalf("show:\n%s", out)
		}

		csvPath := filepath.Join(dir, "pkh.csv")
		must("determination", "export", "--program", "PKH", "--period", "2026-Q1", "--format", "csv", "--out", csvPath)
		f, err := os.Open(csvPath)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(recs) != 301 || recs[0][8] != "status" || recs[0][12] != "kode_alasan" {
			t.Fatalf("csv: %d rows %v %v", len(recs), recs[0], err)
		}
		paid := 0
		for _, r := range recs[1:] {
			if r[1] != "PKH" || r[3] != "1" {
				t.Fatalf("row %v", r)
			}
			if r[8] == "new" {
				paid++
				if r[9] == "0" || !strings.HasPrefix(r[12], "layak") {
					t.Fatalf("recipient row %v", r)
				}
			} else if r[9] != "0" || r[13] == "" {
				t.Fatalf("non-recipient row %v", r)
			}
		}
		if paid == 0 {
			t.Fatal("no PKH recipient in the export")
		}
		xlsxPath := filepath.Join(dir, "pbi.xlsx")
		must("determination", "export", "--program", "PBI_JK", "--period", "2026-01", "--format", "xlsx", "--out", xlsxPath)
		x, err := excelize.OpenFile(xlsxPath)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows("Data1")
		x.Close()
		if err != nil || len(rows) < 301 || rows[0][5] != "id_orang" || rows[1][1] != "PBI_JK" {
			t.Fatalf("xlsx: %d rows %v", len(rows), err)
		}

		// A what-if BPNT with decile limit 6 and Rp250.000 a month.
		rules := filepath.Join(dir, "bpnt.json")
		doc := `{"program": "BPNT", "name": "BPNT uji", "effective_from": "2026-01-01", "unit": "family", "decile_max": 6,
			"benefit": {"kind": "flat", "amounts": [{"code": "sembako", "label": "Saldo pangan", "monthly": 250000}]}}`
		if err := os.WriteFile(rules, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		before := must("determination", "list")
		out = must("simulate", "--quiet", "--program", "BPNT", "--period", "2026-B1", "--rules", rules)
		if !strings.Contains(out, "Simulasi BPNT 2026-B1 no. 1") || !strings.Contains(out, "PENERIMA SIMULASI") ||
			!regexp.MustCompile(`JUMLAH\s+\d+\s+Rp[0-9.]+\s+\d+\s+Rp[0-9.]+\s+[1-9]\d*\s`).MatchString(out) {
			t.Fatalf("simulate:\n%s", out)
		}
		after := must("determination", "list", "--kind", "penetapan")
		if strings.Count(after, "\n") != strings.Count(before, "\n") {
			t.Fatalf("a simulation changed the live list:\n%s\n%s", before, after)
		}
		code, _, errOut = run(t, env, "determination", "approve", "--kind", "simulasi", "--program", "BPNT", "--period", "2026-B1", "--actor", "siti")
		if code != 1 || !strings.Contains(errOut, "simulasi tidak dapat ditetapkan") {
			t.Fatalf("approve a simulation: %d %s", code, errOut)
		}
	})
}
