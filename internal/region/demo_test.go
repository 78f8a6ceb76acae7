package region

import (
	"os"
	"strings"
	"testing"
)

// kemendagriCSV is the official list, shared outside the repository.
const kemendagriCSV = "../../../shared/data/regions/kemendagri-2025.csv"

// readKemendagri reads the official list or skips the test when it is absent.
func readKemendagri(t testing.TB) []Region {
	t.Helper()
	f, err := os.Open(kemendagriCSV)
	if os.IsNotExist(err) {
		t.Skip("../shared/data absent: " + kemendagriCSV + " not found, official region list tests skipped")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := ReadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestDemoIsConsistent(t *testing.T) {
	d := Demo()
	seen := map[string]bool{}
	perLevel := map[int]int{}
	kinds := map[string]int{}
	for i, r := range d {
		if err := Validate(r.Code); err != nil {
			t.Errorf("%v", err)
		}
		if i > 0 && d[i-1].Code >= r.Code {
			t.Errorf("not sorted: %s after %s", r.Code, d[i-1].Code)
		}
		if r.Level != Level(r.Code) || r.Parent != Parent(r.Code) || !r.Active {
			t.Errorf("bad derived fields: %+v", r)
		}
		if r.Name == "" || r.Name != strings.TrimSpace(r.Name) {
			t.Errorf("bad name: %+v", r)
		}
		if r.Parent != "" && !seen[r.Parent] {
			t.Errorf("%s: parent %s missing", r.Code, r.Parent)
		}
		seen[r.Code] = true
		perLevel[r.Level]++
		kinds[Kind(r.Code)]++
	}
	if perLevel[1] != 38 || perLevel[2] != 4 || perLevel[3] != 8 || perLevel[4] < 90 {
		t.Errorf("per level %v, want 38 provinces, 4 regencies/cities, 8 districts, 90+ villages", perLevel)
	}
	for _, k := range []string{KindKabupaten, KindKota, KindKelurahan, KindDesa} {
		if kinds[k] == 0 {
			t.Errorf("no %s in the demo set", k)
		}
	}
	d[0].Name = "changed"
	if Demo()[0].Name == "changed" {
		t.Error("Demo shares its slice between calls")
	}
}

// TestDemoMatchesOfficialList checks the hand-copied demo against the file:
// same names, every province, every village of the chosen districts.
func TestDemoMatchesOfficialList(t *testing.T) {
	official := readKemendagri(t)
	byCode := make(map[string]Region, len(official))
	for _, r := range official {
		byCode[r.Code] = r
	}
	demo := Demo()
	inDemo := map[string]bool{}
	for _, r := range demo {
		inDemo[r.Code] = true
		if o, ok := byCode[r.Code]; !ok {
			t.Errorf("%s %q is not in the official list", r.Code, r.Name)
		} else if o.Name != r.Name {
			t.Errorf("%s: demo name %q, official %q", r.Code, r.Name, o.Name)
		}
	}
	for _, o := range official {
		if (o.Level == LevelProvince || o.Level == LevelVillage && inDemo[o.Parent]) && !inDemo[o.Code] {
			t.Errorf("demo lacks %s %q", o.Code, o.Name)
		}
	}
}
