package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/welfare"
)

func TestRank(t *testing.T) {
	engines(t, func(t *testing.T, db string) {
		dir := t.TempDir()
		env := map[string]string{"JARING_DB": db}
		if code, out, errOut := run(t, env, "migrate"); code != 0 {
			t.Fatalf("migrate: %d %s %s", code, out, errOut)
		}
		regions := filepath.Join(dir, "wilayah.csv")
		if err := os.WriteFile(regions, []byte(regionsCSV), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, out, errOut := run(t, env, "regions", "import", regions); code != 0 {
			t.Fatalf("regions import: %d %s %s", code, out, errOut)
		}
		if code, out, errOut := run(t, env, "seed", "--quiet", "--families", "300"); code != 0 {
			t.Fatalf("seed: %d %s %s", code, out, errOut)
		}
		code, out, errOut := run(t, env, "rank")
		if code != 0 || !strings.Contains(out, "300 keluarga diperingkat") || !strings.Contains(out, welfare.DefaultModel().Version) ||
			!strings.Contains(errOut, "peringkat") {
			t.Fatalf("rank: code %d\n%s\n%s", code, out, errOut)
		}
		// Ten decile lines with their boundaries and 30 families each.
		lines := regexp.MustCompile(`(?m)^\s+(\d+)\s+-?\d+\.\d\d\s+-?\d+\.\d\d\s+(\d+)`).FindAllStringSubmatch(out, -1)
		if len(lines) != 10 || lines[0][1] != "1" || lines[9][1] != "10" {
			t.Fatalf("decile table:\n%s", out)
		}
		// A model naming an unknown attribute is refused, and says which.
		bad := filepath.Join(dir, "model.json")
		doc := strings.Replace(string(welfare.DefaultModelJSON()), `"source": "atap"`, `"source": "atap_rumah"`, 1)
		doc = strings.Replace(doc, welfare.DefaultModel().Version, "uji-2", 1)
		if err := os.WriteFile(bad, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errOut = run(t, env, "rank", "--quiet", "--add-model", bad)
		if code != 1 || !strings.Contains(errOut, "indicators[2].source: sumber tidak dikenal") {
			t.Fatalf("bad model: code %d\n%s\n%s", code, out, errOut)
		}
		good := strings.Replace(doc, "atap_rumah", "atap", 1)
		if err := os.WriteFile(bad, []byte(good), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errOut = run(t, env, "rank", "--quiet", "--by-province", "--add-model", bad)
		if code != 0 || !strings.Contains(out, "Model uji-2 disimpan") || !strings.Contains(out, "desil per provinsi") ||
			!regexp.MustCompile(`(?m)^\s+32\s+300\s`).MatchString(out) {
			t.Fatalf("rank by province with a new model: code %d\n%s\n%s", code, out, errOut)
		}
		// The newer of two versions effective the same day is in effect.
		code, out, _ = run(t, env, "rank", "--list-models")
		if code != 0 || !strings.Contains(out, "* uji-2") || !strings.Contains(out, "  "+welfare.DefaultModel().Version) {
			t.Fatalf("list models: %d\n%s", code, out)
		}
	})
}
