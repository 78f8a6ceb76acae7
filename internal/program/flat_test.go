package program

import (
	"context"
	"testing"

	"github.com/kemensos/jaring/internal/registry"
)

// BPNT: Rp200,000 a month, credited Rp400,000 every two months (DOMAIN.md).
func TestBPNT(t *testing.T) {
	c := shipped(t, BPNT)
	cases := []struct {
		name    string
		decile  int
		people  []registry.Person
		outcome Outcome
		monthly int64
		period  int64 // each of 2026-B1..B6
		reasons string
	}{
		{"decile 1", 1, []registry.Person{member("kepala_keluarga", "BUDI", 40)}, Eligible, 200_000, 400_000, ""},
		{"decile 4, any size", 4, []registry.Person{member("kepala_keluarga", "BUDI", 40), member("istri", "SITI", 38),
			member("anak", "ANI", 8), member("anak", "DODI", 4), member("orang_tua", "NENEK", 70)}, Eligible, 200_000, 400_000, ""},
		{"decile 5", 5, []registry.Person{member("kepala_keluarga", "BUDI", 40)}, Ineligible, 0, 0, "desil_di_atas_batas"},
		{"village official", 2, []registry.Person{member("kepala_keluarga", "BUDI", 40, occupation("perangkat_desa"))},
			Ineligible, 0, 0, "pekerjaan_dikecualikan"},
		{"migrant worker abroad", 2, []registry.Person{member("kepala_keluarga", "BUDI", 40),
			member("istri", "SITI", 38, occupation("pekerja_migran"))}, Ineligible, 0, 0, "pekerjaan_dikecualikan"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := c.Evaluate(context.Background(), fam(tc.decile, tc.people...))
			if d.Outcome != tc.outcome || d.Monthly != tc.monthly || d.Annual != 0 || reasonCodes(d.Reasons) != tc.reasons {
				t.Fatalf("got %s monthly %d annual %d reasons %+v", d.Outcome, d.Monthly, d.Annual, d.Reasons)
			}
			var year int64
			for _, p := range []string{"2026-B1", "2026-B2", "2026-B3", "2026-B4", "2026-B5", "2026-B6"} {
				for _, ch := range []string{"bank", "pos"} {
					amt, err := c.PeriodAmount(d, ch, p)
					if err != nil {
						t.Fatal(err)
					}
					if amt != tc.period {
						t.Errorf("%s %s: %d, want %d", ch, p, amt, tc.period)
					}
				}
				amt, _ := c.PeriodAmount(d, "bank", p)
				year += amt
			}
			if year != 12*tc.monthly {
				t.Errorf("year %d, want %d", year, 12*tc.monthly)
			}
			if _, err := c.PeriodAmount(d, "bank", "2026-Q1"); err == nil {
				t.Error("a quarter is not a BPNT period")
			}
		})
	}
}

// PBI-JK: the state pays Rp42,000 a month per person (DOMAIN.md).
func TestPBIJK(t *testing.T) {
	c := shipped(t, PBIJK)
	four := func(opts ...opt) []registry.Person {
		return []registry.Person{member("kepala_keluarga", "BUDI", 45), member("istri", "SITI", 40),
			member("anak", "ANI", 12), member("orang_tua", "KAKEK", 78, opts...)}
	}
	cases := []struct {
		name     string
		decile   int
		people   []registry.Person
		outcome  Outcome
		persons  int // eligible persons
		monthly  int64
		reasons  string
		personOf map[string]string // name → reason code of an ineligible member
	}{
		{"four members, decile 5", 5, four(), Eligible, 4, 4 * 42_000, "", nil},
		{"a deceased member is not covered", 3, four(status("meninggal")), Eligible, 3, 3 * 42_000, "",
			map[string]string{"KAKEK": ReasonMemberInactive}},
		{"a member who moved away", 3, four(status("pindah")), Eligible, 3, 126_000, "",
			map[string]string{"KAKEK": ReasonMemberInactive}},
		{"decile 6", 6, four(), Ineligible, 0, 0, "desil_di_atas_batas", nil},
		{"a police officer in the family", 2, four(occupation("polri")), Ineligible, 0, 0, "pekerjaan_dikecualikan", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := c.Evaluate(context.Background(), fam(tc.decile, tc.people...))
			if d.Outcome != tc.outcome || d.Monthly != tc.monthly || reasonCodes(d.Reasons) != tc.reasons {
				t.Fatalf("got %s monthly %d reasons %+v", d.Outcome, d.Monthly, d.Reasons)
			}
			n := 0
			for _, p := range d.Persons {
				if p.Outcome == Eligible {
					n++
					if p.Monthly != 42_000 {
						t.Errorf("%s: %d a month", p.Member, p.Monthly)
					}
				} else if want := tc.personOf[p.Member]; reasonCodes(p.Reasons) != want {
					t.Errorf("%s: %+v, want %s", p.Member, p.Reasons, want)
				}
			}
			if n != tc.persons {
				t.Errorf("%d persons covered, want %d", n, tc.persons)
			}
			for _, p := range []string{"2026-01", "2026-06", "2026-12"} {
				amt, err := c.PeriodAmount(d, "bpjs", p)
				if err != nil || amt != tc.monthly {
					t.Errorf("%s: %d %v, want %d", p, amt, err, tc.monthly)
				}
			}
		})
	}
}

func TestATENSI(t *testing.T) {
	c := shipped(t, ATENSI)
	people := []registry.Person{member("kepala_keluarga", "NENEK", 72, ppks("lansia_terlantar")),
		member("cucu", "ANI", 10, ppks("anak_terlantar")), member("cucu", "DODI", 19, ppks("anak_terlantar")),
		member("famili_lain", "RINA", 30)}
	d := c.Evaluate(context.Background(), fam(5, people...))
	if d.Outcome != Eligible || d.Monthly != 200_000 {
		t.Fatalf("%s %d %+v", d.Outcome, d.Monthly, d)
	}
	want := map[string]string{"NENEK": "layanan", "ANI": "dukungan_anak", "DODI": "layanan", "RINA": ""}
	for _, p := range d.Persons {
		if p.Tier != want[p.Member] {
			t.Errorf("%s: tier %q, want %q", p.Member, p.Tier, want[p.Member])
		}
	}
	if !containsText(d, "anggota keluarga RINA tidak tercatat sebagai PPKS") {
		t.Errorf("%+v", d.Persons)
	}
	if amt, _ := c.PeriodAmount(d, "bank", "2026-03"); amt != 200_000 {
		t.Errorf("March: %d", amt)
	}
	if d := c.Evaluate(context.Background(), fam(6, people...)); d.Outcome != Ineligible {
		t.Errorf("decile 6: %s", d.Outcome)
	}
}

func TestPENA(t *testing.T) {
	c := shipped(t, PENA)
	people := []registry.Person{member("kepala_keluarga", "BUDI", 38, occupation("pedagang")), member("istri", "SITI", 35)}
	f := fam(3, people...)
	d := c.Evaluate(context.Background(), f)
	if d.Outcome != Ineligible || reasonCodes(d.Reasons) != "penerima_pkh" || !containsText(d, "keluarga bukan penerima PKH") {
		t.Fatalf("not a PKH family: %+v", d)
	}
	f.Programs = []string{PKH}
	d = c.Evaluate(context.Background(), f)
	if d.Outcome != Eligible || d.Annual != 6_000_000 {
		t.Fatalf("%+v", d)
	}
	if amt, _ := c.PeriodAmount(d, "bank", "2026"); amt != 6_000_000 {
		t.Errorf("2026: %d", amt)
	}
	old := fam(3, member("kepala_keluarga", "BUDI", 50, occupation("pedagang")))
	old.Programs = []string{PKH}
	if d := c.Evaluate(context.Background(), old); reasonCodes(d.Reasons) != "usia_produktif_berusaha" {
		t.Errorf("50-year-old trader: %+v", d.Reasons)
	}
}

// Annual amounts are cut at month boundaries so a year's periods add up.
func TestPeriodShare(t *testing.T) {
	bi, _ := CadencePeriods("bimonthly", 2026)
	q, _ := CadencePeriods("quarterly", 2026)
	m, _ := CadencePeriods("monthly", 2026)
	cases := []struct {
		annual  int64
		periods []Period
		want    []int64
	}{
		{900_000, q, []int64{225_000, 225_000, 225_000, 225_000}},
		{1_000_000, bi, []int64{166_666, 166_667, 166_667, 166_666, 166_667, 166_667}},
		{1_000_000, q, []int64{250_000, 250_000, 250_000, 250_000}},
		{100, m, []int64{8, 8, 9, 8, 8, 9, 8, 8, 9, 8, 8, 9}},
	}
	for _, tc := range cases {
		var sum int64
		for i, p := range tc.periods {
			got := periodShare(tc.annual, 0, p)
			if got != tc.want[i] {
				t.Errorf("%d in %s: %d, want %d", tc.annual, p.Code, got, tc.want[i])
			}
			sum += got
		}
		if sum != tc.annual {
			t.Errorf("%d: periods add up to %d", tc.annual, sum)
		}
	}
	if got := periodShare(0, 200_000, bi[0]); got != 400_000 {
		t.Errorf("monthly 200,000 over two months: %d", got)
	}
}

func TestQuotas(t *testing.T) {
	d, _ := Default(PKH)
	d.Quotas = map[string]int64{"": 10, "32": 5, "32.01.01": 2, "33": 1}
	c, err := Compile(d)
	if err != nil {
		t.Fatal(err)
	}
	got := c.QuotasFor("32.01.01.2001")
	if len(got) != 3 || got[0].Region != "" || got[1].Region != "32" || got[2] != (Quota{"32.01.01", 2}) {
		t.Fatalf("%+v", got)
	}
	r := QuotaReason(got[2])
	if r.Code != ReasonQuota || r.Text != "kuota kecamatan 32.01.01 habis (batas 2 penerima)" {
		t.Errorf("%+v", r)
	}
	if r := QuotaReason(Quota{"", 10_000_000}); r.Text != "kuota nasional habis (batas 10.000.000 penerima)" {
		t.Errorf("%+v", r)
	}
}
