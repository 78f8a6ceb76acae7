package program

import (
	"context"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/registry"
)

// PKH annual indexes (DOMAIN.md): pregnancy 3,000,000; early childhood
// 3,000,000; SD 900,000; SMP 1,500,000; SMA 2,000,000; severe disability
// 2,400,000; elderly 2,400,000. Ages are on 2026-01-01; a quarter is a
// quarter of the annual amount.
func TestPKH(t *testing.T) {
	head := func(age int, opts ...opt) registry.Person { return member("kepala_keluarga", "BUDI", age, opts...) }
	wife := func(age int, opts ...opt) registry.Person { return member("istri", "SITI", age, opts...) }
	child := func(name string, age int, opts ...opt) registry.Person { return member("anak", name, age, opts...) }
	enrolled := func(level string) opt { return school(level, "NISN"+level) }

	cases := []struct {
		name       string
		decile     int
		people     []registry.Person
		outcome    Outcome
		annual     int64
		quarter    int64
		counted    string // NAME:component, sorted
		notCounted string // NAME:component:reason, sorted
		reasons    string // decision reason codes
		text       string // a reason text the decision must contain
	}{
		{
			name: "one enrolled primary-school child", decile: 2,
			people:  []registry.Person{head(40), wife(35), child("ANI", 8, enrolled("sd"))},
			outcome: Eligible, annual: 900_000, quarter: 225_000,
			counted: "ANI:sd",
		},
		{
			name: "school component without enrolment", decile: 1,
			people: []registry.Person{head(40), wife(35), child("DEDI", 13, enrolled("smp")),
				child("ANI", 8, school("sd", ""))},
			outcome: Eligible, annual: 1_500_000, quarter: 375_000,
			counted: "DEDI:smp", notCounted: "ANI:sd:tidak_terdaftar_sekolah",
			text: "ANI (jenjang SD/MI) tidak terdaftar di Dapodik/EMIS",
		},
		{
			// The grandmother fits severe disability and elderly (both
			// 2,400,000): she counts once, for severe disability, listed
			// first. The 6-year-old in SD fits early childhood (3,000,000)
			// and SD (900,000): early childhood.
			name: "a member fitting two components counts once", decile: 3,
			people: []registry.Person{head(45), wife(40), member("orang_tua", "NENEK", 65, disabled("berat")),
				child("RINA", 6, enrolled("sd"))},
			outcome: Eligible, annual: 2_400_000 + 3_000_000, quarter: 1_350_000,
			counted:    "NENEK:disabilitas_berat RINA:anak_usia_dini",
			notCounted: "NENEK:lansia:dihitung_sekali RINA:sd:dihitung_sekali",
		},
		{
			name: "second pregnancy counts", decile: 2,
			people:  []registry.Person{head(30), wife(28, pregnant()), child("ADI", 3)},
			outcome: Eligible, annual: 3_000_000 + 3_000_000, quarter: 1_500_000,
			counted: "ADI:anak_usia_dini SITI:hamil",
		},
		{
			name: "third pregnancy does not count", decile: 2,
			people: []registry.Person{head(33), wife(31, pregnant()), child("ANI", 8, enrolled("sd")),
				child("DODI", 4)},
			outcome: Eligible, annual: 900_000 + 3_000_000, quarter: 975_000,
			counted: "ANI:sd DODI:anak_usia_dini", notCounted: "SITI:hamil:melebihi_urutan",
			text: "SITI kehamilan ke-3: komponen Ibu hamil/nifas hanya sampai kehamilan ke-2",
		},
		{
			// Early childhood only up to the 2nd child: the 3rd (6, in SD)
			// counts for SD instead; the 4th (3) counts for nothing.
			name: "third and fourth child", decile: 1,
			people: []registry.Person{head(42), wife(38), child("A1", 14, enrolled("smp")),
				child("A2", 10, enrolled("sd")), child("A3", 6, enrolled("sd")), child("A4", 3)},
			outcome: Eligible, annual: 1_500_000 + 900_000 + 900_000, quarter: 825_000,
			counted:    "A1:smp A2:sd A3:sd",
			notCounted: "A3:anak_usia_dini:melebihi_urutan A4:anak_usia_dini:melebihi_urutan",
			text:       "A4 anak ke-4: komponen Anak usia dini 0-6 tahun hanya sampai anak ke-2",
		},
		{
			name: "at most three children", decile: 4,
			people: []registry.Person{head(45), wife(42), child("K1", 17, enrolled("sma")),
				child("K2", 14, enrolled("smp")), child("K3", 11, enrolled("sd")), child("K4", 8, enrolled("sd"))},
			outcome: Eligible, annual: 2_000_000 + 1_500_000 + 900_000, quarter: 1_100_000,
			counted: "K1:sma K2:smp K3:sd", notCounted: "K4:sd:batas_anak",
		},
		{
			// Candidates 3.0 (pregnancy, 2nd), 2.4, 2.4, 2.4, 2.0: the SMA
			// child is the fifth.
			name: "at most four components", decile: 1,
			people: []registry.Person{head(62), wife(35, pregnant()), child("A1", 16, enrolled("sma")),
				member("orang_tua", "NENEK", 70), member("famili_lain", "PAMAN", 30, disabled("berat"))},
			outcome: Eligible, annual: 3_000_000 + 3*2_400_000, quarter: 2_550_000,
			counted:    "BUDI:lansia NENEK:lansia PAMAN:disabilitas_berat SITI:hamil",
			notCounted: "A1:sma:batas_komponen",
			text:       "paling banyak 4 komponen per keluarga",
		},
		{
			// Children first: K1, K2 (SMA) and K3 (SMP) of five; then the
			// family: 2.4 + 2.4 + 2.0 + 2.0, K3 is the fifth component.
			name: "both caps", decile: 3,
			people: []registry.Person{head(61), wife(45), child("K1", 18, enrolled("sma")),
				child("K2", 16, enrolled("sma")), child("K3", 13, enrolled("smp")), child("K4", 10, enrolled("sd")),
				child("K5", 8, enrolled("sd")), member("famili_lain", "PAMAN", 40, disabled("berat"))},
			outcome: Eligible, annual: 2*2_400_000 + 2*2_000_000, quarter: 2_200_000,
			counted:    "BUDI:lansia K1:sma K2:sma PAMAN:disabilitas_berat",
			notCounted: "K3:smp:batas_komponen K4:sd:batas_anak K5:sd:batas_anak",
		},
		{
			name: "an excluded occupation anywhere in the family", decile: 1,
			people: []registry.Person{head(50), wife(45), child("RUDI", 25, occupation("asn")),
				child("ANI", 8, enrolled("sd"))},
			outcome: Ineligible, reasons: "pekerjaan_dikecualikan",
			text: "anggota keluarga RUDI berstatus ASN (PNS/PPPK)",
		},
		{
			name: "a pensioner grandparent excludes too", decile: 1,
			people: []registry.Person{head(50), wife(45), member("orang_tua", "KAKEK", 75, occupation("pensiunan")),
				child("ANI", 8, enrolled("sd"))},
			outcome: Ineligible, reasons: "pekerjaan_dikecualikan",
			text: "anggota keluarga KAKEK berstatus Pensiunan ASN/TNI/Polri",
		},
		{
			name: "a deceased member is not counted", decile: 2,
			people: []registry.Person{head(45), wife(40), member("orang_tua", "KAKEK", 75, status("meninggal")),
				child("ANI", 8, enrolled("sd"))},
			outcome: Eligible, annual: 900_000, quarter: 225_000,
			counted: "ANI:sd", notCounted: "KAKEK:lansia:anggota_tidak_aktif",
			text: "anggota keluarga KAKEK berstatus Meninggal, tidak dihitung untuk komponen Lanjut usia 60 tahun ke atas",
		},
		{
			name: "a deceased pensioner does not exclude", decile: 2,
			people: []registry.Person{head(45), wife(40),
				member("orang_tua", "KAKEK", 80, occupation("pensiunan"), status("meninggal")), child("ANI", 8, enrolled("sd"))},
			outcome: Eligible, annual: 900_000, quarter: 225_000,
			counted: "ANI:sd", notCounted: "KAKEK:lansia:anggota_tidak_aktif",
		},
		{
			name: "decile above the limit", decile: 6,
			people:  []registry.Person{head(40), wife(35), child("ANI", 8, enrolled("sd"))},
			outcome: Ineligible, reasons: "desil_di_atas_batas", text: "desil 6 di atas batas desil 4",
		},
		{
			name: "not ranked", decile: 0,
			people:  []registry.Person{head(40), child("ANI", 8, enrolled("sd"))},
			outcome: Ineligible, reasons: "belum_diperingkat",
		},
		{
			name: "every reason is given", decile: 7,
			people:  []registry.Person{head(40, occupation("tni")), child("ANI", 8, enrolled("sd"))},
			outcome: Ineligible, reasons: "desil_di_atas_batas,pekerjaan_dikecualikan",
		},
		{
			name: "no component left", decile: 1,
			people:  []registry.Person{head(35), wife(33)},
			outcome: Ineligible, reasons: "tanpa_komponen",
		},
		{
			name: "no active member", decile: 1,
			people:  []registry.Person{head(70, status("meninggal"))},
			outcome: Ineligible, reasons: "tanpa_anggota_aktif",
		},
	}
	c := shipped(t, PKH)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := c.Evaluate(context.Background(), fam(tc.decile, tc.people...))
			if d.Outcome != tc.outcome {
				t.Fatalf("outcome %s, want %s; reasons %+v", d.Outcome, tc.outcome, d.Reasons)
			}
			if got := reasonCodes(d.Reasons); got != tc.reasons {
				t.Errorf("reasons %q, want %q (%+v)", got, tc.reasons, d.Reasons)
			}
			if d.Annual != tc.annual {
				t.Errorf("annual %d, want %d", d.Annual, tc.annual)
			}
			if got := choices(d.Counted, false); got != tc.counted {
				t.Errorf("counted %q, want %q", got, tc.counted)
			}
			if got := choices(d.NotCounted, true); got != tc.notCounted {
				t.Errorf("not counted %q, want %q", got, tc.notCounted)
			}
			var sum int64
			for _, q := range []string{"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"} {
				for _, ch := range []string{"bank", "pos"} {
					amt, err := c.PeriodAmount(d, ch, q)
					if err != nil {
						t.Fatal(err)
					}
					if amt != tc.quarter {
						t.Errorf("%s %s: %d, want %d", ch, q, amt, tc.quarter)
					}
					if ch == "bank" {
						sum += amt
					}
				}
			}
			if sum != tc.annual {
				t.Errorf("four quarters add up to %d, want %d", sum, tc.annual)
			}
			if tc.text != "" && !containsText(d, tc.text) {
				t.Errorf("no reason says %q: %+v %+v %+v", tc.text, d.Reasons, d.Counted, d.NotCounted)
			}
			for _, ch := range d.Counted {
				if ch.Reason.Code != ReasonCounted || ch.Reason.Text == "" || ch.Reason.MemberID != ch.MemberID {
					t.Errorf("counted without its reason: %+v", ch)
				}
			}
		})
	}
}

func containsText(d *Decision, s string) bool {
	for _, r := range d.Reasons {
		if strings.Contains(r.Text, s) {
			return true
		}
	}
	for _, cs := range [][]ComponentChoice{d.Counted, d.NotCounted} {
		for _, c := range cs {
			if strings.Contains(c.Reason.Text, s) {
				return true
			}
		}
	}
	for _, p := range d.Persons {
		for _, r := range p.Reasons {
			if strings.Contains(r.Text, s) {
				return true
			}
		}
	}
	return false
}

func TestPKHExcludedReasonNamesMember(t *testing.T) {
	people := []registry.Person{member("kepala_keluarga", "BUDI", 50), member("anak", "RUDI", 25, occupation("asn"))}
	f := fam(1, people...)
	d := shipped(t, PKH).Evaluate(context.Background(), f)
	if len(d.Reasons) != 1 {
		t.Fatalf("%+v", d.Reasons)
	}
	r := d.Reasons[0]
	if r.MemberID != people[1].ID || r.Value != "ASN (PNS/PPPK)" || r.Text != "anggota keluarga RUDI berstatus ASN (PNS/PPPK)" {
		t.Errorf("%+v", r)
	}
}
