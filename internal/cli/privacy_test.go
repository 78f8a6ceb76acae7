package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPrivacyCommands: a data subject's report from a NIK in a file (JSON
// and text), and a breach list of an account, both in the audit trail.
func TestPrivacyCommands(t *testing.T) {
	engines(t, func(t *testing.T, db string) {
		dir := t.TempDir()
		env := map[string]string{"JARING_DB": db, "JARING_DATA": dir, "USER": "petugas"}
		write := func(name, content string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
		// The second family of the file is refused: one family, two people.
		run(t, env, "migrate")
		run(t, env, "regions", "import", write("wilayah.csv", regionsCSV))
		run(t, env, "import", "--quiet", write("data.csv", peopleCSV))
		for _, args := range [][]string{{"users", "add", "--username", "operator", "--role", "desa", "--region", "32.01.01.2002"}} {
			if code, out, errOut := run(t, env, args...); code != 0 {
				t.Fatalf("%v: %d %s %s", args, code, out, errOut)
			}
		}
		nikFile := write("nik.txt", "3201011205800001\n")
		jsonOut := filepath.Join(dir, "laporan.json")
		code, out, errOut := run(t, env, "privacy", "report", "--nik-file", nikFile, "--out", jsonOut)
		if code != 0 || !strings.Contains(out, "3201**********01") || strings.Contains(out+errOut, "3201011205800001") {
			t.Fatalf("report: %d %s %s", code, out, errOut)
		}
		var r struct {
			Person struct {
				NIK  string `json:"nik"`
				Name string `json:"nama"`
			} `json:"person"`
			Families []struct {
				Members []struct {
					Name string `json:"nama"`
					NIK  string `json:"nik"`
				} `json:"members"`
			} `json:"families"`
			Access []struct {
				Actor, Action string
			} `json:"access"`
		}
		b, err := os.ReadFile(jsonOut)
		if err != nil || json.Unmarshal(b, &r) != nil {
			t.Fatalf("report file: %v %s", err, b)
		}
		if r.Person.NIK != "3201011205800001" || r.Person.Name != "Budi Santoso" || len(r.Families) != 1 || len(r.Families[0].Members) != 1 ||
			r.Families[0].Members[0].NIK != "3201**********01" || len(r.Access) == 0 || r.Access[len(r.Access)-1].Actor != "cli:petugas" ||
			r.Access[len(r.Access)-1].Action != "privasi.laporan" {
			t.Errorf("report: %s", b)
		}
		if st, err := os.Stat(jsonOut); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("report file mode: %v %v", st.Mode(), err)
		}
		txtOut := filepath.Join(dir, "laporan.txt")
		if code, out, errOut := run(t, env, "privacy", "report", "--nik-file", nikFile, "--out", txtOut); code != 0 {
			t.Fatalf("text report: %d %s %s", code, out, errOut)
		}
		if b, _ := os.ReadFile(txtOut); !strings.Contains(string(b), "LAPORAN DATA PRIBADI") || !strings.Contains(string(b), "Siti Aminah (istri)") {
			t.Errorf("text report: %s", b)
		}
		// Refusals: a NIK on the command line is no flag; a bad or unknown NIK.
		if code, _, _ := run(t, env, "privacy", "report", "--nik", "3201011205800001", "--out", jsonOut); code != 2 {
			t.Errorf("--nik: %d", code)
		}
		if code, _, errOut := run(t, env, "privacy", "report", "--nik-file", write("x.txt", "1234"), "--out", jsonOut); code != 1 || !strings.Contains(errOut, "tidak memuat NIK") {
			t.Errorf("bad NIK: %d %s", code, errOut)
		}
		if code, _, errOut := run(t, env, "privacy", "report", "--nik-file", write("y.txt", "3201011205800099"), "--out", jsonOut); code != 1 || !strings.Contains(errOut, "tidak ditemukan") {
			t.Errorf("unknown NIK: %d %s", code, errOut)
		}
		if code, _, _ := run(t, env, "privacy", "report", "--nik-file", nikFile, "--out", filepath.Join(dir, "x.pdf")); code != 2 {
			t.Errorf("pdf: %d", code)
		}

		csvOut := filepath.Join(dir, "terdampak.csv")
		day := time.Now().UTC().Format(time.DateOnly)
		code, out, errOut = run(t, env, "privacy", "breach", "--username", "operator", "--from", day, "--to", day, "--out", csvOut)
		if code != 0 || !strings.Contains(out, "2 orang dalam jangkauan") || !strings.Contains(out, "0 orang dilihat") {
			t.Fatalf("breach: %d %s %s", code, out, errOut)
		}
		f, err := os.Open(csvOut)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(recs) != 3 || recs[0][1] != "nik" || recs[1][1] != "3201011205800001" || recs[1][4] != "ya" {
			t.Errorf("breach list: %v %q", err, recs)
		}
		if code, _, _ := run(t, env, "privacy", "breach", "--from", day, "--out", csvOut); code != 2 {
			t.Errorf("no account: %d", code)
		}
		if code, _, errOut := run(t, env, "privacy", "breach", "--username", "siapa", "--from", day, "--out", csvOut); code != 1 || !strings.Contains(errOut, "tidak ditemukan") {
			t.Errorf("unknown account: %d %s", code, errOut)
		}
		if code, _, _ := run(t, env, "privacy"); code != 2 {
			t.Errorf("privacy alone: %d", code)
		}
	})
}
