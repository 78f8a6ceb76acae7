package program

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/registry"
)

func TestBuildFamily(t *testing.T) {
	area := 36
	rf := &registry.Family{ID: 7, VillageCode: "32.01.01.2001", Status: "aktif", FloorMaterial: "tanah", FloorArea: &area,
		Assets: []string{"sepeda"}, Goats: 3}
	people := []registry.Person{
		{ID: 1, Name: "BUDI", Sex: "L", BirthDate: "1980-01-02", Relation: "kepala_keluarga", Status: "aktif", Occupation: "asn"},
		{ID: 2, Name: "SITI", Sex: "P", BirthDate: "1990-01-01", Relation: "istri", Pregnant: true},
		{ID: 3, Name: "ADIK", Sex: "L", BirthDate: "2020-03-01", Relation: "anak", SchoolLevel: "paud"},
		{ID: 4, Name: "KAKAK", Sex: "P", BirthDate: "2012-03-01", Relation: "anak", SchoolLevel: "smp"},
		{ID: 5, Name: "ABANG", Sex: "L", BirthDate: "2014-03-01", Relation: "anak", SchoolLevel: "sd", SchoolID: "0123456789", Status: "meninggal"},
		{ID: 6, Name: "BAYI", Sex: "L", BirthDate: "2026-02-01", Relation: "cucu"},
		{ID: 7, Name: "X", Sex: "L", BirthDate: "19xx-01-01", Relation: "famili_lain"},
	}
	f := BuildFamily(rf, people, 3, time.Date(2026, 1, 1, 15, 0, 0, 0, time.UTC))
	if f.Decile != 3 || f.Province != "32" || f.Regency != "32.01" || f.District != "32.01.01" || f.Village != "32.01.01.2001" ||
		f.Size != 6 || f.FloorArea != 36 || f.Goats != 3 || f.Floor != "tanah" {
		t.Errorf("family %+v", f)
	}
	type want struct {
		age                int64
		order, pregnancy   int64
		enrolled, excluded bool
		status             string
	}
	wants := []want{
		{45, 0, 0, false, true, "aktif"},  // born 2 Jan 1980: still 45 on 1 Jan 2026
		{36, 0, 4, false, false, "aktif"}, // 3 children: 4th pregnancy
		{5, 3, 0, true, false, "aktif"},   // paud counts without a school ID
		{13, 1, 0, false, false, "aktif"}, // smp without an ID is not enrolled
		{11, 2, 0, true, false, "meninggal"},
		{-1, 1, 0, false, false, "aktif"}, // not yet born
		{-1, 0, 0, false, false, "aktif"}, // no valid birth date
	}
	for i, w := range wants {
		m := f.Members[i]
		got := want{m.Age, m.BirthOrder, m.PregnancyOrder, m.SchoolEnrolled, m.ExcludedOccupation, m.Status}
		if got != w {
			t.Errorf("%s: %+v, want %+v", m.Name, got, w)
		}
	}
}

func TestRuleExpressions(t *testing.T) {
	f := fam(3, member("kepala_keluarga", "BUDI", 40), member("istri", "SITI", 35, ppks("fakir_miskin")),
		member("anak", "ANI", 8, school("sd", "1")))
	cases := []struct {
		expr  string
		scope Scope
		want  bool
	}{
		{"family.decile <= 4 && family.size == 3", ScopeFamily, true},
		{"family.members.exists(m, m.school_enrolled && m.school_level == 'sd')", ScopeFamily, true},
		{"family.members.filter(m, m.age < 18).size() == 1", ScopeFamily, true},
		{"family.district == '32.01.01' && family.village.startsWith('32.01')", ScopeFamily, true},
		{"'sepeda' in family.assets", ScopeFamily, false},
		{"member.age >= 18 && 'fakir_miskin' in member.ppks", ScopeMember, false}, // BUDI (evaluated for the first member)
		{"family.members.all(m, m.status == 'aktif')", ScopeFamily, true},
		{"label('occupation', 'asn') == 'ASN (PNS/PPPK)'", ScopeFamily, true},
	}
	for _, tc := range cases {
		x, err := compileExpr(tc.expr, tc.scope, nil)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		ev := evaluator{ctx: context.Background(), f: f, bounded: true, act: activation{fam: f}}
		var m *Member
		if tc.scope == ScopeMember {
			m = f.Members[0]
		}
		for _, bounded := range []bool{true, false} {
			ev.bounded = bounded
			got, err := ev.test(x, m)
			if err != nil || got != tc.want {
				t.Errorf("%s (bounded %v): %v %v, want %v", tc.expr, bounded, got, err, tc.want)
			}
		}
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		expr      string
		scope     Scope
		line, col int
		msg       string
	}{
		{"family.decile <= ", ScopeFamily, 1, 18, "mismatched input"},
		{"family.members.exists(m, m.salary > 0)", ScopeFamily, 1, 27, "undefined field 'salary'"},
		{"family.income > 0", ScopeFamily, 1, 7, "undefined field 'income'"},
		{"family.decile <= 4 &&\n  family.members.exists(m,\n    m.nik == '3201')", ScopeFamily, 3, 6, "undefined field 'nik'"},
		{"member.age > 60", ScopeFamily, 1, 1, "undeclared reference to 'member'"},
		{"famly.decile < 4", ScopeFamily, 1, 1, "undeclared reference to 'famly'"},
		{"family.decile + 1", ScopeFamily, 1, 1, "harus bernilai bool"},
		{"family.decile == 'empat'", ScopeFamily, 1, 15, "no matching overload"},
		{"", ScopeFamily, 0, 0, "ekspresi kosong"},
		{"family.members.all(a, family.members.all(b, family.members.all(c, a.age + b.age + c.age > 0)))", ScopeFamily, 1, 1,
			"perkiraan biaya terburuk"},
	}
	for _, tc := range cases {
		err := CompileExpr(tc.expr, tc.scope, true)
		var ce *CompileError
		if !errors.As(err, &ce) {
			t.Errorf("%q: %v, want a compile error", tc.expr, err)
			continue
		}
		e := ce.Errors[0]
		if e.Line != tc.line || e.Column != tc.col || !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%q: %d:%d %s, want %d:%d %s", tc.expr, e.Line, e.Column, e.Message, tc.line, tc.col, tc.msg)
		}
		if tc.line > 0 && !strings.Contains(e.Snippet, "^") {
			t.Errorf("%q: snippet %q", tc.expr, e.Snippet)
		}
	}
}

// A document with bad rules reports every problem at its place.
func TestDocumentProblems(t *testing.T) {
	d, _ := Default(PKH)
	d.Eligibility = []Rule{
		{Code: "pendapatan", Expr: "family.income < 3000000", Reason: "pendapatan di atas UMR"},
		{Code: "anggota", Scope: ScopeMember, Expr: "member.age > 0", Reason: "x"},
	}
	d.Exclusions = append(d.Exclusions,
		Rule{Code: "pendapatan", Expr: "family.decile > 'a'", Reason: "{nama} {umur}"},
		Rule{Code: "lain", Scope: ScopeMember, Expr: "member.age > 100", Reason: "anggota {nama} berumur {nilai}", Effect: EffectMember})
	d.Benefit.Components[2].Expr = "member.school_level == sd"
	d.Calendars = append(d.Calendars, Calendar{Channel: "pos", Periods: []Period{
		{Code: "2026-X", Start: "2026-01-15", End: "2026-02-28"},
		{Code: "2026-Y", Start: "2025-12-01", End: "2026-01-30"}}})
	d.Quotas = map[string]int64{"32.1": 5, "33": -1}
	_, err := Compile(d)
	inv, ok := IsInvalid(err)
	if !ok || !errors.Is(err, errs.ErrInvalid) {
		t.Fatalf("%v", err)
	}
	want := []string{
		"eligibility[0].expr:1:7: undefined field 'income'",
		"eligibility[1].scope: syarat lingkup member hanya untuk program per orang",
		"exclusions[1].code: kode aturan \"pendapatan\" sudah dipakai di eligibility[0]",
		"exclusions[1].reason: {nama} hanya untuk aturan lingkup member",
		"exclusions[1].reason: penanda {umur} tidak dikenal",
		"exclusions[1].expr:1:15: found no matching overload for '_>_' applied to '(int, string)'",
		"exclusions[2].value: alasan memakai {nilai}: ekspresi value wajib diisi",
		"exclusions[2].effect: effect member hanya untuk aturan lingkup member pada program per orang",
		"benefit.components[2].expr:1:24: undeclared reference to 'sd'",
		"calendars[2].channel: saluran \"pos\" ganda",
		"calendars[2].periods[0].start: periode dimulai pada tanggal 1",
		"calendars[2].periods[1].start: periode 2026-Y dimulai 2025-12-01, sebelum tanggal berlaku 2026-01-01",
		"calendars[2].periods[1].end: periode berakhir pada hari terakhir bulan",
		"calendars[2].periods[1]: periode 2026-Y (2025-12-01 s.d. 2026-01-30) tumpang tindih dengan periode 2026-X",
		`quotas["32.1"]: kode wilayah tidak valid`,
		`quotas["33"]: kuota -1 tidak boleh negatif`,
	}
	var got []string
	for _, p := range inv.Problems {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("missing %q in\n%s", w, all)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(got), len(want), all)
	}
	found := false
	for _, fe := range inv.FieldErrors() {
		if fe.Field == "eligibility[0].expr" {
			found = fe.Reason == "baris 1 kolom 7: undefined field 'income'"
		}
	}
	if !found {
		t.Errorf("%+v", inv.FieldErrors())
	}
}

func TestParseDocument(t *testing.T) {
	cases := []struct {
		json      string
		path      string
		line, col int
	}{
		{"{\n  \"program\": \"PKH\",\n  \"desil\": 4\n}", "$", 0, 0},
		{"{\n  \"program\": \"PKH\",\n  \"decile_max\": \"empat\"\n}", "decile_max", 3, 23},
		{"{\n  \"program\": \"PKH\"\n  \"unit\": \"family\"\n}", "$", 3, 3},
		{"{} {}", "$", 0, 0},
	}
	for _, tc := range cases {
		_, err := ParseDocument([]byte(tc.json))
		inv, ok := IsInvalid(err)
		if !ok {
			t.Errorf("%q: %v", tc.json, err)
			continue
		}
		p := inv.Problems[0]
		if p.Path != tc.path || p.Line != tc.line || p.Column != tc.col {
			t.Errorf("%q: %+v, want %s %d:%d", tc.json, p, tc.path, tc.line, tc.col)
		}
	}
	for _, code := range Codes {
		d, _ := Default(code)
		again, err := ParseDocument(d.JSON())
		if err != nil {
			t.Fatal(err)
		}
		if string(again.JSON()) != string(d.JSON()) {
			t.Errorf("%s does not round-trip", code)
		}
	}
}

// A rule that divides by zero fails for the family it meets, with a reason,
// and never stops the evaluation or crashes.
func TestDivisionByZero(t *testing.T) {
	d, _ := Default(BPNT)
	d.Eligibility = []Rule{{Code: "per_kapita", Expr: "family.floor_area / family.size >= 8", Reason: "luas lantai per orang kurang dari 8 m²"}}
	d.Exclusions = append(d.Exclusions, Rule{Code: "anak_per_dewasa", Scope: ScopeMember,
		Expr: "member.age / (member.age - member.age) > 1", Reason: "x"})
	c, err := Compile(d)
	if err != nil {
		t.Fatal(err)
	}
	f := fam(2, member("kepala_keluarga", "BUDI", 40, status("meninggal")), member("anak", "ANI", 8, status("meninggal")))
	dec := c.Evaluate(context.Background(), f)
	if dec.Outcome != Error {
		t.Fatalf("%+v", dec)
	}
	var errReasons []Reason
	for _, r := range dec.Reasons {
		if r.Code == ReasonRuleError {
			errReasons = append(errReasons, r)
		}
	}
	if len(errReasons) != 3 || errReasons[0].Rule != "per_kapita" ||
		errReasons[0].Text != "aturan per_kapita tidak dapat dievaluasi: pembagian dengan nol" ||
		errReasons[1].Rule != "anak_per_dewasa" || !strings.Contains(errReasons[1].Text, "(anggota BUDI)") {
		t.Errorf("%+v", dec.Reasons)
	}
	if amt, _ := c.PeriodAmount(dec, "bank", "2026-B1"); amt != 0 {
		t.Errorf("a family with a rule error is paid %d", amt)
	}
}

// An expression the estimate accepts for families up to EstimateMembers
// stops at the cost limit on a much larger (bad-data) family: that family
// gets a rule error, nothing else happens.
func TestRunawayStopsAtCostLimit(t *testing.T) {
	d, _ := Default(BPNT)
	d.Eligibility = []Rule{{Code: "berpasangan", Expr: "family.members.all(a, family.members.all(b, a.age + b.age >= 0))",
		Reason: "x"}}
	c, err := Compile(d)
	if err != nil {
		t.Fatal(err)
	}
	if cost := c.eligibility[0].expr.cost; cost > CostLimit {
		t.Fatalf("estimate %d", cost)
	}
	small := fam(2, member("kepala_keluarga", "BUDI", 40))
	if dec := c.Evaluate(context.Background(), small); dec.Outcome != Eligible {
		t.Fatalf("%+v", dec)
	}
	var people []registry.Person
	for i := 0; i < 400; i++ {
		people = append(people, member("famili_lain", "X", 30))
	}
	big := fam(2, people...)
	start := time.Now()
	dec := c.Evaluate(context.Background(), big)
	if dec.Outcome != Error || !containsText(dec, "melebihi batas biaya evaluasi") {
		t.Fatalf("%+v", dec.Reasons)
	}
	t.Logf("400 members: stopped after %v", time.Since(start))

	// A cancelled run interrupts a long evaluation.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dec = c.Evaluate(ctx, big)
	if dec.Outcome != Error || !containsText(dec, "evaluasi dihentikan") {
		t.Fatalf("cancelled: %+v", dec.Reasons)
	}
}

func TestLabelsAndValues(t *testing.T) {
	d, _ := Default(PBIJK)
	d.Exclusions = append(d.Exclusions, Rule{Code: "aset_mobil", Expr: "'mobil' in family.assets",
		Value: "family.assets.map(a, label('assets', a))", Reason: "keluarga memiliki {nilai}"})
	c, err := Compile(d)
	if err != nil {
		t.Fatal(err)
	}
	rf := &registry.Family{ID: 1, VillageCode: "32.01.01.2001", Status: "aktif", Assets: []string{"mobil", "kulkas"}}
	f := BuildFamily(rf, []registry.Person{member("kepala_keluarga", "BUDI", 40)}, 2, refDate)
	dec := c.Evaluate(context.Background(), f)
	if !containsText(dec, "keluarga memiliki Mobil, Lemari es/kulkas") {
		t.Errorf("%+v", dec.Reasons)
	}
}

func TestFamilyStatus(t *testing.T) {
	rf := &registry.Family{ID: 1, VillageCode: "32.01.01.2001", Status: "pindah"}
	f := BuildFamily(rf, []registry.Person{member("kepala_keluarga", "BUDI", 40)}, 2, refDate)
	dec := shipped(t, BPNT).Evaluate(context.Background(), f)
	if reasonCodes(dec.Reasons) != ReasonFamilyInactive || dec.Reasons[0].Text != "keluarga berstatus Pindah" {
		t.Errorf("%+v", dec.Reasons)
	}
}

func TestDefaults(t *testing.T) {
	for _, code := range Codes {
		c := shipped(t, code)
		if c.Doc.Program != code || c.Doc.EffectiveFrom != "2026-01-01" || c.Doc.Notes == "" {
			t.Errorf("%s: %+v", code, c.Doc)
		}
	}
	pkh := shipped(t, PKH).Doc
	idx := map[string]int64{}
	for _, comp := range pkh.Benefit.Components {
		idx[comp.Code] = comp.Annual
	}
	want := map[string]int64{"hamil": 3_000_000, "anak_usia_dini": 3_000_000, "sd": 900_000, "smp": 1_500_000,
		"sma": 2_000_000, "disabilitas_berat": 2_400_000, "lansia": 2_400_000}
	for k, v := range want {
		if idx[k] != v {
			t.Errorf("PKH %s: %d, want %d", k, idx[k], v)
		}
	}
	if pkh.DecileMax != 4 || pkh.Benefit.MaxComponents != 4 || pkh.Benefit.MaxChildren != 3 || len(pkh.Calendars[0].Periods) != 4 {
		t.Errorf("PKH %+v", pkh)
	}
	if d := shipped(t, BPNT).Doc; d.Benefit.Amounts[0].Monthly != 200_000 || len(d.Calendars[0].Periods) != 6 || d.DecileMax != 4 {
		t.Errorf("BPNT %+v", d)
	}
	if d := shipped(t, PBIJK).Doc; d.Benefit.Amounts[0].Monthly != 42_000 || d.Unit != UnitPerson || d.DecileMax != 5 {
		t.Errorf("PBI-JK %+v", d)
	}
}
