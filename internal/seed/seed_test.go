package seed

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/registry"
)

var testVillages = []Village{
	{"11.01.01.2001", 1},
	{"31.71.01.1001", 3},
	{"32.04.05.2010", 4},
	{"32.04.06.2001", 2},
	{"32.73.01.1002", 3},
	{"33.74.02.1003", 2},
	{"35.15.01.2002", 4},
	{"53.71.01.1005", 1},
	{"91.03.04.2001", 1},
	{"95.01.02.3001", 0.5},
}

var testNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func testOptions(families int, dirty float64) Options {
	return Options{Seed: 42, Families: families, Dirty: dirty, Villages: testVillages, Names: BuiltinNames(), Now: testNow}
}

type generated struct {
	rows  [][]string
	truth []TruthRecord
}

func generate(t testing.TB, o Options) generated {
	t.Helper()
	g, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	var out generated
	g.SetTruthSink(func(r TruthRecord) { out.truth = append(out.truth, r) })
	for {
		row, err := g.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out.rows = append(out.rows, append([]string(nil), row...))
	}
	if g.FamiliesDone() != o.Families {
		t.Fatalf("FamiliesDone = %d, want %d", g.FamiliesDone(), o.Families)
	}
	if g.PeopleDone() != len(out.rows) {
		t.Fatalf("PeopleDone = %d, want %d", g.PeopleDone(), len(out.rows))
	}
	return out
}

// families splits rows into families by no_kk, failing when a family's rows
// are not consecutive.
func families(t testing.TB, rows [][]string) [][][]string {
	t.Helper()
	var out [][][]string
	seen := map[string]bool{}
	for i, r := range rows {
		if len(out) > 0 && out[len(out)-1][0][cNoKK] == r[cNoKK] {
			out[len(out)-1] = append(out[len(out)-1], r)
			continue
		}
		if seen[r[cNoKK]] {
			t.Fatalf("row %d: family %s is not on consecutive rows", i+1, r[cNoKK])
		}
		seen[r[cNoKK]] = true
		out = append(out, [][]string{r})
	}
	return out
}

func col(name string) int {
	for i, c := range Columns {
		if c == name {
			return i
		}
	}
	panic(name)
}

func TestColumns(t *testing.T) {
	if len(Columns) != nColumns {
		t.Fatalf("len(Columns) = %d, want %d", len(Columns), nColumns)
	}
	for name, want := range map[string]int{"no_kk": cNoKK, "ternak_unggas": cUnggas, "nik": cNIK, "nama": cNama,
		"hubungan": cHubungan, "id_sekolah": cIDSekolah, "ppks": cPPKS, "alasan_status": cAlasan} {
		if got := col(name); got != want {
			t.Errorf("column %s at %d, constant says %d", name, got, want)
		}
	}
	// every column is documented in the import format
	doc, err := os.ReadFile("../../docs/import-format.md")
	if err != nil {
		t.Skip("docs/import-format.md absent")
	}
	for _, c := range Columns {
		if !bytes.Contains(doc, []byte("`"+c+"`")) {
			t.Errorf("column %s is not in docs/import-format.md", c)
		}
	}
}

func TestDeterministic(t *testing.T) {
	o := testOptions(3000, 0.1)
	d1, d2 := t.TempDir(), t.TempDir()
	if err := WriteFiles(d1, o, nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteFiles(d2, o, nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"people.csv", "truth.csv"} {
		a, err := os.ReadFile(filepath.Join(d1, f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(d2, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same options", f)
		}
		if len(a) < 1000 {
			t.Errorf("%s is only %d bytes", f, len(a))
		}
	}
	// Next gives the same rows as the file
	g := generate(t, o)
	var buf bytes.Buffer
	buf.Write(appendRecord(nil, Columns))
	for _, r := range g.rows {
		buf.Write(appendRecord(nil, r))
	}
	a, _ := os.ReadFile(filepath.Join(d1, "people.csv"))
	if !bytes.Equal(a, buf.Bytes()) {
		t.Error("WriteFiles and Next disagree")
	}
	// the file is valid CSV with len(Columns) fields a record
	recs, err := csv.NewReader(bytes.NewReader(a)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(g.rows)+1 {
		t.Errorf("people.csv has %d records, want %d", len(recs), len(g.rows)+1)
	}
	// another seed, another population
	o.Seed++
	d3 := t.TempDir()
	if err := WriteFiles(d3, o, nil); err != nil {
		t.Fatal(err)
	}
	c, _ := os.ReadFile(filepath.Join(d3, "people.csv"))
	if bytes.Equal(a, c) {
		t.Error("a different seed gave the same output")
	}
}

// checkDate parses YYYY-MM-DD and checks it is a real date.
func checkDate(s string) (y, m, d int, err error) {
	tm, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, 0, 0, err
	}
	return tm.Year(), int(tm.Month()), tm.Day(), nil
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// checkNIK checks a NIK against the person's sex and birth date.
func checkNIK(nik, sex, birth string) error {
	if len(nik) != 16 || !isDigits(nik) {
		return fmt.Errorf("NIK %q is not 16 digits", nik)
	}
	y, m, d, err := checkDate(birth)
	if err != nil {
		return fmt.Errorf("birth date %q: %v", birth, err)
	}
	dd, _ := strconv.Atoi(nik[6:8])
	mm, _ := strconv.Atoi(nik[8:10])
	yy, _ := strconv.Atoi(nik[10:12])
	if sex == "P" {
		dd -= 40
	}
	if mm < 1 || mm > 12 || dd < 1 || dd > daysIn(y, mm) {
		return fmt.Errorf("NIK %s: bad day/month", nik)
	}
	if dd != d || mm != m || yy != y%100 {
		return fmt.Errorf("NIK %s does not match sex %s born %s", nik, sex, birth)
	}
	if nik[12:] == "0000" {
		return fmt.Errorf("NIK %s: serial 0000", nik)
	}
	return nil
}

var codeColumns = map[int]*registry.CodeSet{
	cLantai: registry.FloorMaterial, cDinding: registry.WallMaterial, cAtap: registry.RoofMaterial,
	cAir: registry.WaterSource, cSanitasi: registry.Sanitation, cListrik: registry.Electricity,
	cBahanBakar: registry.CookingFuel, cStatusRumah: registry.HouseOwnership, cStatusLahan: registry.LandOwnership,
	cAset: registry.Asset, cJK: registry.Sex, cHubungan: registry.Relation, cStatusKawin: registry.MaritalStatus,
	cPendidikan: registry.Education, cJenjang: registry.SchoolLevel, cPekerjaan: registry.Occupation,
	cDisabilitas: registry.Disability, cTingkatDis: registry.DisabilitySeverity, cPPKS: registry.PPKS,
	cStatus: registry.Status,
}

func ageAt(birth string) int {
	y, m, d, _ := checkDate(birth)
	a := testNow.Year() - y
	if int(testNow.Month()) < m || int(testNow.Month()) == m && testNow.Day() < d {
		a--
	}
	return a
}

func TestCleanIsValid(t *testing.T) {
	o := testOptions(5000, 0)
	gen := generate(t, o)
	villages := map[string]bool{}
	provinceOf := map[string]bool{}
	for _, v := range testVillages {
		villages[v.Code] = true
		provinceOf[v.Code[:2]] = true
	}
	niks := map[string]bool{}
	kks := map[string]bool{}
	nisns := map[string]bool{}
	fams := families(t, gen.rows)
	if len(fams) != o.Families {
		t.Fatalf("%d families, want %d", len(fams), o.Families)
	}
	otherDistrict := 0
	errs := 0
	fail := func(format string, a ...any) {
		errs++
		if errs <= 20 {
			t.Errorf(format, a...)
		}
	}
	for _, fam := range fams {
		head := fam[0]
		if head[cHubungan] != "kepala_keluarga" {
			fail("family %s: first row is %s", head[cNoKK], head[cHubungan])
		}
		kk := head[cNoKK]
		if len(kk) != 16 || !isDigits(kk) {
			fail("bad KK %q", kk)
			continue
		}
		if kks[kk] {
			fail("KK %s used twice", kk)
		}
		kks[kk] = true
		code := head[cKode]
		if !villages[code] {
			fail("unknown village %s", code)
		}
		if kk[:6] != code[0:2]+code[3:5]+code[6:8] {
			fail("KK %s not of district of %s", kk, code)
		}
		kd, _ := strconv.Atoi(kk[6:8])
		km, _ := strconv.Atoi(kk[8:10])
		ky, _ := strconv.Atoi(kk[10:12])
		issue := time.Date(2000+ky, time.Month(km), kd, 0, 0, 0, 0, time.UTC)
		if km < 1 || km > 12 || kd < 1 || kd > daysIn(2000+ky, km) || !issue.Before(testNow) {
			fail("KK %s: bad issue date", kk)
		}
		if head[cAlamat] == "" || head[cRT] == "" || head[cLantai] == "" || head[cLuas] == "" {
			fail("family %s: missing family columns on the head row: %v", kk, head)
		}
		if (head[cLintang] == "") != (head[cBujur] == "") {
			fail("family %s: only one coordinate", kk)
		}
		if head[cLintang] != "" {
			lat, err1 := strconv.ParseFloat(head[cLintang], 64)
			lon, err2 := strconv.ParseFloat(head[cBujur], 64)
			if err1 != nil || err2 != nil || lat < -11 || lat > 6 || lon < 95 || lon > 141 {
				fail("family %s: bad coordinates %s %s", kk, head[cLintang], head[cBujur])
			}
		}
		for _, c := range []int{cRT, cRW} {
			if len(head[c]) != 3 || !isDigits(head[c]) || head[c] == "000" {
				fail("family %s: bad %s %q", kk, Columns[c], head[c])
			}
		}
		for _, c := range []int{cLuas, cSapi, cKerbau, cKambing, cBabi, cKuda, cUnggas} {
			if n, err := strconv.Atoi(head[c]); err != nil || n < 0 {
				fail("family %s: bad %s %q", kk, Columns[c], head[c])
			}
		}
		heads := 0
		for j, r := range fam {
			if len(r) != len(Columns) {
				fail("row has %d values, want %d", len(r), len(Columns))
				continue
			}
			if r[cHubungan] == "kepala_keluarga" {
				heads++
			}
			if r[cKode] != code {
				fail("family %s: rows in two villages", kk)
			}
			if j > 0 {
				for c := cAlamat; c < familyColumns; c++ {
					if r[c] != "" {
						fail("family %s row %d: family column %s repeated", kk, j, Columns[c])
					}
				}
			}
			for c, set := range codeColumns {
				if r[c] == "" {
					continue
				}
				vals := []string{r[c]}
				if c == cAset || c == cPPKS {
					vals = strings.Split(r[c], "|")
				}
				for _, v := range vals {
					if !set.Has(v) {
						fail("%s: %q is not a code", Columns[c], v)
					}
				}
			}
			for _, c := range []int{cNIK, cNama, cJK, cTanggalLahir, cHubungan, cStatusKawin, cPendidikan, cPekerjaan, cStatus} {
				if r[c] == "" {
					fail("family %s row %d: empty %s", kk, j, Columns[c])
				}
			}
			nik := r[cNIK]
			if err := checkNIK(nik, r[cJK], r[cTanggalLahir]); err != nil {
				fail("%v", err)
			}
			if niks[nik] {
				fail("NIK %s used twice", nik)
			}
			niks[nik] = true
			if nik[:2] != code[:2] {
				fail("NIK %s outside the province of %s", nik, code)
			}
			if nik[:6] != kk[:6] {
				otherDistrict++
			}
			if n := len(r[cNama]); n < 2 || n > 100 {
				fail("bad name %q", r[cNama])
			}
			age := ageAt(r[cTanggalLahir])
			if age < 0 || age > 105 {
				fail("age %d", age)
			}
			if r[cJK] == "L" && r[cHamil] != "" || r[cHamil] != "" && r[cHamil] != "ya" && r[cHamil] != "tidak" {
				fail("hamil %q for %s", r[cHamil], r[cJK])
			}
			if r[cHamil] == "ya" && (age < 15 || age > 50) {
				fail("pregnant at %d", age)
			}
			if (r[cDisabilitas] == "") != (r[cTingkatDis] == "") {
				fail("disability %q with severity %q", r[cDisabilitas], r[cTingkatDis])
			}
			if r[cStatus] != "aktif" || r[cAlasan] != "" {
				fail("status %q %q", r[cStatus], r[cAlasan])
			}
			// school and education by age
			level, id := r[cJenjang], r[cIDSekolah]
			ranges := map[string][2]int{"paud": {4, 6}, "sd": {7, 12}, "smp": {13, 15}, "sma": {16, 18}, "pt": {19, 24}}
			if level != "" {
				rg := ranges[level]
				if age < rg[0] || age > rg[1] {
					fail("%s at age %d", level, age)
				}
			}
			switch {
			case level == "" || level == "paud":
				if id != "" {
					fail("id_sekolah %q with level %q", id, level)
				}
			case len(id) != 10 || !isDigits(id):
				fail("bad id_sekolah %q", id)
			case nisns[id]:
				fail("id_sekolah %s used twice", id)
			default:
				nisns[id] = true
			}
			edu := r[cPendidikan]
			minAge := map[string]int{"tidak_sekolah": 0, "sd": 12, "smp": 15, "sma": 18, "diploma": 21, "s1": 22, "s2_s3": 24}
			if age < minAge[edu] {
				fail("pendidikan %s at age %d", edu, age)
			}
			if level == "smp" && edu != "sd" || level == "sma" && edu != "smp" || level == "sd" && edu != "tidak_sekolah" {
				fail("enrolled in %s with pendidikan %s", level, edu)
			}
			if age < 15 && r[cPekerjaan] != "tidak_bekerja" && r[cPekerjaan] != "pelajar" {
				fail("pekerjaan %s at age %d", r[cPekerjaan], age)
			}
			if r[cHubungan] == "anak" && age > ageAt(head[cTanggalLahir])-14 {
				fail("child aged %d of a head aged %d", age, ageAt(head[cTanggalLahir]))
			}
		}
		if heads != 1 {
			fail("family %s has %d heads", kk, heads)
		}
		// siblings listed oldest first, ten months apart or twins
		for j := 1; j < len(fam); j++ {
			a, b := fam[j-1], fam[j]
			if a[cHubungan] != b[cHubungan] || a[cHubungan] != "anak" && a[cHubungan] != "cucu" {
				continue
			}
			ta, _ := time.Parse("2006-01-02", a[cTanggalLahir])
			tb, _ := time.Parse("2006-01-02", b[cTanggalLahir])
			if gap := tb.Sub(ta).Hours() / 24; gap != 0 && gap < 300 {
				fail("family %s: siblings born %s and %s", kk, a[cTanggalLahir], b[cTanggalLahir])
			}
		}
	}
	share := float64(otherDistrict) / float64(len(gen.rows))
	if share > 0.05 {
		t.Errorf("%.1f%% of NIKs from another district, want about 2%%", 100*share)
	}
	for _, r := range gen.truth {
		if r.Kind != "" {
			t.Fatalf("Dirty=0 gave a truth record of kind %q", r.Kind)
		}
	}
}

func TestSizeDistribution(t *testing.T) {
	gen := generate(t, testOptions(20000, 0))
	fams := families(t, gen.rows)
	counts := map[int]int{}
	for _, f := range fams {
		counts[len(f)]++
	}
	n := float64(len(fams))
	mean := float64(len(gen.rows)) / n
	t.Logf("mean size %.2f; shares 1:%.3f 2:%.3f 3:%.3f 4:%.3f 5:%.3f 6+:%.3f", mean,
		float64(counts[1])/n, float64(counts[2])/n, float64(counts[3])/n, float64(counts[4])/n, float64(counts[5])/n,
		1-float64(counts[1]+counts[2]+counts[3]+counts[4]+counts[5])/n)
	if mean < 3.3 || mean > 3.8 {
		t.Errorf("mean family size %.2f, want about 3.5", mean)
	}
	want := map[int][2]float64{1: {0.08, 0.14}, 2: {0.15, 0.22}, 3: {0.19, 0.26}, 4: {0.19, 0.26}, 5: {0.10, 0.16}}
	for size, rg := range want {
		s := float64(counts[size]) / n
		if s < rg[0] || s > rg[1] {
			t.Errorf("share of families of %d is %.3f, want %.2f-%.2f", size, s, rg[0], rg[1])
		}
	}
	for size := range counts {
		if size < 1 || size > 9 {
			t.Errorf("family of %d", size)
		}
	}
}

// TestRates checks the documented rates loosely.
func TestRates(t *testing.T) {
	gen := generate(t, testOptions(20000, 0))
	fams := families(t, gen.rows)
	var people, disabled, berat, marriedWomen, pregnant, workers, excludedJobs, single, coords, femaleHeads float64
	var poorRural, rural, livestockRural, livestockUrban, urban float64
	var school7to12, enrolled7to12, school16to18, enrolled16to18 float64
	excl := map[string]bool{}
	for _, o := range registry.ExcludedOccupations {
		excl[o] = true
	}
	for _, fam := range fams {
		head := fam[0]
		isRural := head[cKode][9] != '1'
		hasLivestock := head[cSapi] != "0" || head[cKambing] != "0" || head[cUnggas] != "0" || head[cKerbau] != "0" || head[cBabi] != "0"
		if isRural {
			rural++
			if head[cLantai] == "tanah" || head[cDinding] == "anyaman_bambu" || head[cDinding] == "bambu" {
				poorRural++
			}
			if hasLivestock {
				livestockRural++
			}
		} else {
			urban++
			if hasLivestock {
				livestockUrban++
			}
		}
		if head[cLintang] != "" {
			coords++
		}
		if head[cJK] == "P" {
			femaleHeads++
		}
		for _, r := range fam {
			people++
			age := ageAt(r[cTanggalLahir])
			if r[cDisabilitas] != "" {
				disabled++
				if r[cTingkatDis] == "berat" {
					berat++
				}
			}
			if r[cJK] == "P" && r[cStatusKawin] == "kawin" && age >= 18 && age <= 45 {
				marriedWomen++
				if r[cHamil] == "ya" {
					pregnant++
				}
			}
			if age >= 19 && age <= 64 {
				switch r[cPekerjaan] {
				case "tidak_bekerja", "mengurus_rumah_tangga", "pelajar":
				default:
					workers++
					if excl[r[cPekerjaan]] {
						excludedJobs++
					}
				}
			}
			if !strings.Contains(r[cNama], " ") {
				single++
			}
			if age >= 7 && age <= 12 {
				school7to12++
				if r[cJenjang] == "sd" {
					enrolled7to12++
				}
			}
			if age >= 16 && age <= 18 {
				school16to18++
				if r[cJenjang] == "sma" {
					enrolled16to18++
				}
			}
		}
	}
	nf := float64(len(fams))
	checks := []struct {
		name   string
		v      float64
		lo, hi float64
	}{
		{"disabled share of people", disabled / people, 0.015, 0.035},
		{"berat share of disabled", berat / disabled, 0.1, 0.35},
		{"pregnant share of married women 18-45", pregnant / marriedWomen, 0.01, 0.035},
		{"excluded occupations among working adults", excludedJobs / workers, 0.02, 0.08},
		{"single names", single / people, 0.35, 0.65},
		{"families with coordinates", coords / nf, 0.45, 0.55},
		{"female heads", femaleHeads / nf, 0.12, 0.30},
		{"sd enrolment at 7-12", enrolled7to12 / school7to12, 0.9, 1},
		{"sma enrolment at 16-18", enrolled16to18 / school16to18, 0.45, 0.85},
		{"livestock in desa", livestockRural / rural, 0.4, 0.75},
		{"livestock in kelurahan", livestockUrban / urban, 0.05, 0.25},
	}
	for _, c := range checks {
		t.Logf("%-45s %.4f", c.name, c.v)
		if c.v < c.lo || c.v > c.hi {
			t.Errorf("%s = %.4f, want %.3f-%.3f", c.name, c.v, c.lo, c.hi)
		}
	}
}

// TestWelfareDrivesHousing checks that a crude housing score separates
// families with excluded occupations (better-off) from fakir miskin ones.
func TestWelfareDrivesHousing(t *testing.T) {
	gen := generate(t, testOptions(20000, 0))
	rank := func(set *registry.CodeSet, c string) float64 {
		for i, x := range set.Codes {
			if x == c {
				return float64(i)
			}
		}
		return 0
	}
	score := func(h []string) float64 {
		return rank(registry.Electricity, h[cListrik]) + float64(strings.Count(h[cAset], "|")) + float64(len(h[cAset])/20)
	}
	var poor, poorN, rich, richN float64
	for _, fam := range families(t, gen.rows) {
		s := score(fam[0])
		if strings.Contains(fam[0][cPPKS], "fakir_miskin") {
			poor += s
			poorN++
		}
		for _, r := range fam {
			if r[cPekerjaan] == "asn" || r[cPekerjaan] == "dokter" || r[cPekerjaan] == "karyawan_bumn" {
				rich += s
				richN++
				break
			}
		}
	}
	if poorN < 50 || richN < 50 {
		t.Fatalf("too few families: %v fakir miskin, %v with formal jobs", poorN, richN)
	}
	t.Logf("housing score: fakir miskin %.2f (%v), formal jobs %.2f (%v)", poor/poorN, poorN, rich/richN, richN)
	if poor/poorN+1 > rich/richN {
		t.Errorf("housing does not follow welfare: poor %.2f, rich %.2f", poor/poorN, rich/richN)
	}
}

func TestDirtyTruth(t *testing.T) {
	o := testOptions(5000, 0.1)
	gen := generate(t, o)
	if len(gen.truth) != len(gen.rows) {
		t.Fatalf("%d truth records for %d rows", len(gen.truth), len(gen.rows))
	}
	kinds := map[string]int{}
	rowsOf := map[string][]int{}
	for i, r := range gen.truth {
		if r.Row != i+1 {
			t.Fatalf("truth record %d has row %d", i+1, r.Row)
		}
		if len(r.PersonKey) != 10 || r.PersonKey[0] != 'p' {
			t.Fatalf("bad person key %q", r.PersonKey)
		}
		kinds[r.Kind]++
		rowsOf[r.PersonKey] = append(rowsOf[r.PersonKey], i)
	}
	t.Logf("kinds: %v", kinds)
	errors := len(gen.rows) - kinds[""]
	share := float64(errors) / float64(len(gen.rows))
	if share < 0.07 || share > 0.13 {
		t.Errorf("%.3f of rows have errors, want about 0.1", share)
	}
	for _, k := range dirtyKinds {
		if kinds[k.kind] == 0 {
			t.Errorf("no rows of kind %s", k.kind)
		}
	}
	fams := families(t, gen.rows)
	famOf := make([]int, 0, len(gen.rows))
	for f, fam := range fams {
		for range fam {
			famOf = append(famOf, f)
		}
		heads := 0
		for _, r := range fam {
			if r[cHubungan] == "kepala_keluarga" {
				heads++
			}
		}
		if heads != 1 {
			t.Errorf("family %s has %d heads", fam[0][cNoKK], heads)
		}
	}
	for i, r := range gen.truth {
		row := gen.rows[i]
		switch r.Kind {
		case "duplicate_person":
			rows := rowsOf[r.PersonKey]
			if len(rows) < 2 {
				t.Errorf("duplicate row %d: person %s appears once", r.Row, r.PersonKey)
				continue
			}
			orig := gen.rows[rows[0]]
			if rows[0] == i || famOf[rows[0]] == famOf[i] {
				t.Errorf("duplicate row %d is not a copy of a person of another family", r.Row)
			}
			if orig[cTanggalLahir] != row[cTanggalLahir] || orig[cJK] != row[cJK] {
				t.Errorf("duplicate row %d does not copy row %d", r.Row, rows[0]+1)
			}
		case "nik_short":
			if len(row[cNIK]) != 15 {
				t.Errorf("nik_short row %d: %q", r.Row, row[cNIK])
			}
		case "nik_letter":
			if isDigits(row[cNIK]) {
				t.Errorf("nik_letter row %d: %q", r.Row, row[cNIK])
			}
		case "nik_day32":
			if row[cNIK][7] != '2' || row[cNIK][6] != '3' && row[cNIK][6] != '7' {
				t.Errorf("nik_day32 row %d: %q", r.Row, row[cNIK])
			}
		case "date_swap":
			if checkNIK(row[cNIK], row[cJK], row[cTanggalLahir]) == nil {
				t.Errorf("date_swap row %d: NIK still matches the date", r.Row)
			}
		case "":
			if len(row[cNIK]) != 16 || !isDigits(row[cNIK]) {
				t.Errorf("clean row %d has NIK %q", r.Row, row[cNIK])
			}
		}
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(Options{Families: 1}); err == nil {
		t.Error("no villages: want an error")
	}
	if _, err := New(Options{Families: -1, Villages: testVillages}); err == nil {
		t.Error("negative families: want an error")
	}
	if _, err := New(Options{Families: 1, Villages: []Village{{"11.01", 1}}}); err == nil {
		t.Error("bad village code: want an error")
	}
	if _, err := New(Options{Families: 1, Dirty: 2, Villages: testVillages}); err == nil {
		t.Error("dirty 2: want an error")
	}
	g, err := New(Options{Villages: testVillages})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("zero families: Next gave %v, want io.EOF", err)
	}
	// a single village, no names, zero weights still work
	gen := generate(t, Options{Seed: 1, Families: 300, Villages: []Village{{"32.04.05.2010", 0}}})
	if len(gen.rows) < 300 {
		t.Errorf("%d rows", len(gen.rows))
	}
}

func TestLoadNames(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "names.csv")
	data := "kind,name\nfirst_names_male,Budi\nfirst_names_female,Siti\nfirst_names_female,Ani\n" +
		"last_names_male,Santoso\nlast_names_female,Lestari\nprefixes_male,H.\nsuffixes,S.E.\n"
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	n, err := LoadNames(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.MaleFirst) != 1 || len(n.FemaleFirst) != 2 || n.MaleLast[0] != "Santoso" || n.FemaleLast[0] != "Lestari" {
		t.Errorf("got %+v", n)
	}
	if err := os.WriteFile(p, []byte("kind,name\nfirst_names_male,Budi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadNames(p); err == nil {
		t.Error("missing kinds: want an error")
	}
	b := BuiltinNames()
	if len(b.MaleFirst) < 30 || len(b.FemaleFirst) < 30 || len(b.MaleLast) < 15 || len(b.FemaleLast) < 5 {
		t.Errorf("builtin names too short: %+v", b)
	}
}

func TestVillages(t *testing.T) {
	codes := []string{"11.01.01.2001", "11.01.01.2002", "11.02.01.2001", "99.01.01.2001", "11.01", "bad"}
	vs := Villages(codes, map[string]int64{"11.01": 1000, "11.02": 300})
	if len(vs) != 4 {
		t.Fatalf("got %d villages: %v", len(vs), vs)
	}
	want := []float64{500, 500, 300, (500 + 500 + 300) / 3.0}
	for i, v := range vs {
		if v.Code != codes[i] || v.Weight != want[i] {
			t.Errorf("village %d = %+v, want %s %v", i, v, codes[i], want[i])
		}
	}
}

const sharedData = "../../../shared/data"

func TestSharedData(t *testing.T) {
	namesPath := filepath.Join(sharedData, "names", "indonesian-names.csv")
	popPath := filepath.Join(sharedData, "regions", "population-2024.csv")
	regPath := filepath.Join(sharedData, "regions", "kemendagri-2025.csv")
	for _, p := range []string{namesPath, popPath, regPath} {
		if _, err := os.Stat(p); err != nil {
			t.Skip("../shared/data absent: ", err)
		}
	}
	names, err := LoadNames(namesPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(names.MaleFirst) < 400 || len(names.FemaleFirst) < 200 || len(names.MaleLast) < 100 || len(names.FemaleLast) < 60 {
		t.Errorf("names: %d %d %d %d", len(names.MaleFirst), len(names.FemaleFirst), len(names.MaleLast), len(names.FemaleLast))
	}
	weights, err := LoadPopulationWeights(popPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(weights) != 514 {
		t.Errorf("%d regencies, want 514", len(weights))
	}
	if weights["11.01"] != 239629 {
		t.Errorf("11.01 = %d, want 239629", weights["11.01"])
	}
	var total int64
	for _, w := range weights {
		total += w
	}
	if total < 280e6 || total > 290e6 {
		t.Errorf("total population %d", total)
	}
	f, err := os.Open(regPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, r := range recs[1:] {
		codes = append(codes, r[0]) // Villages skips the non-village levels
	}
	vs := Villages(codes, weights)
	if len(vs) < 80000 {
		t.Fatalf("%d villages", len(vs))
	}
	gen := generate(t, Options{Seed: 7, Families: 2000, Villages: vs, Names: names, Now: testNow})
	for _, r := range gen.rows {
		if err := checkNIK(r[cNIK], r[cJK], r[cTanggalLahir]); err != nil {
			t.Fatal(err)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	const fams = 10000
	o := testOptions(fams, 0.05)
	b.ReportAllocs()
	start := time.Now()
	rows := 0
	for i := 0; i < b.N; i++ {
		g, err := New(o)
		if err != nil {
			b.Fatal(err)
		}
		var buf []byte
		for {
			row, err := g.Next()
			if err != nil {
				break
			}
			buf = appendRecord(buf[:0], row)
			rows++
		}
	}
	el := time.Since(start).Seconds()
	b.ReportMetric(float64(fams*b.N)/el, "families/s")
	b.ReportMetric(float64(rows)/el, "rows/s")
}
