package cli_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/store"
)

// TestAuditCommands: regions and an import go into the trail, audit export
// writes it, audit verify passes, then fails with exit code 1 naming the
// entry edited directly in the database.
func TestAuditCommands(t *testing.T) {
	engines(t, func(t *testing.T, db string) {
		dir := t.TempDir()
		env := map[string]string{"JARING_DB": db, "USER": "budi"}
		write := func(name, content string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
		if code, out, errOut := run(t, env, "migrate"); code != 0 {
			t.Fatalf("migrate: %d %s %s", code, out, errOut)
		}
		if code, out, errOut := run(t, env, "regions", "import", write("wilayah.csv", regionsCSV)); code != 0 {
			t.Fatalf("regions: %d %s %s", code, out, errOut)
		}
		run(t, env, "import", "--quiet", write("data.csv", peopleCSV))
		code, out, errOut := run(t, env, "audit", "verify")
		if code != 0 || !strings.Contains(out, "2 entri diperiksa") || !strings.Contains(out, "Rantai audit utuh") {
			t.Fatalf("verify: %d %s %s", code, out, errOut)
		}
		head := out[strings.Index(out, "Kepala rantai: ")+len("Kepala rantai: "):]
		head = strings.TrimSpace(head[:strings.IndexByte(head, '\n')])
		if code, out, errOut := run(t, env, "audit", "verify", "--anchor", head); code != 0 || !strings.Contains(out, "Jangkar entri 2 cocok") {
			t.Fatalf("verify with its anchor %q: %d %s %s", head, code, out, errOut)
		}
		wrong := head[:len(head)-1] + "x"
		if code, _, errOut := run(t, env, "audit", "verify", "--anchor", wrong); code != 1 || !strings.Contains(errOut, "jangkar") {
			t.Fatalf("verify with a wrong anchor: %d %s", code, errOut)
		}
		csvPath := filepath.Join(dir, "jejak.csv")
		if code, out, errOut := run(t, env, "audit", "export", "--out", csvPath, "--action", "import.keluarga.massal"); code != 0 || !strings.Contains(out, "1 entri") {
			t.Fatalf("export: %d %s %s", code, out, errOut)
		}
		f, err := os.Open(csvPath)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(recs) != 2 || recs[1][2] != "cli:budi" || recs[1][6] != "import.keluarga.massal" {
			t.Fatalf("export: %v %q", err, recs)
		}
		if code, _, errOut := run(t, env, "audit", "export", "--out", csvPath, "--person", "x"); code != 1 || !strings.Contains(errOut, "person") {
			t.Fatalf("bad filter: %d %s", code, errOut)
		}
		if code, _, _ := run(t, env, "audit"); code != 2 {
			t.Fatalf("audit without a subcommand: %d", code)
		}
		// The export itself is entry 3; edit entry 2 behind the program's back.
		sdb, err := store.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		err = sdb.Write(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(context.Background(), `UPDATE audit_log SET actor = 'orang lain' WHERE seq = 2`)
			return err
		})
		sdb.Close()
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut = run(t, env, "audit", "verify", "--workers", "1")
		if code != 1 || !strings.Contains(errOut, "rantai audit rusak pada entri 2: isi entri diubah") || !strings.Contains(out, "entri diperiksa") {
			t.Fatalf("verify after tampering: %d %s %s", code, out, errOut)
		}
	})
}
