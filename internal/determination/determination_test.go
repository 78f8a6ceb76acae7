package determination_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// want is one expected item: status, amount, reason codes and a part of
// the reason text.
type want struct {
	status string
	amount int64
	codes  string
	text   string
}

func check(t *testing.T, got map[string][]determination.Item, exp map[string][]want) {
	t.Helper()
	names := make([]string, 0, len(exp))
	for n := range exp {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ws := exp[n]
		its := got[n]
		if len(its) != len(ws) {
			t.Errorf("%s: %d items, want %d: %+v", n, len(its), len(ws), its)
			continue
		}
		for i, w := range ws {
			it := its[i]
			codes := strings.Join(it.ReasonCodes, " ")
			if it.Status != w.status || it.Amount != w.amount || codes != w.codes || !strings.Contains(it.Reasons, w.text) {
				t.Errorf("%s[%d]: got %s Rp%d [%s] %q\nwant %s Rp%d [%s] containing %q", n, i, it.Status, it.Amount, codes, it.Reasons,
					w.status, w.amount, w.codes, w.text)
			}
		}
	}
	if len(got) != len(exp) {
		t.Errorf("items for %d families, want %d", len(got), len(exp))
	}
}

func rep(n int, w want) []want {
	out := make([]want, n)
	for i := range out {
		out[i] = w
	}
	return out
}

var (
	asn     = want{determination.ItemExcluded, 0, "pekerjaan_dikecualikan", "anggota keluarga Agus berstatus ASN (PNS/PPPK)"}
	unrank  = want{determination.ItemExcluded, 0, "belum_diperingkat", "keluarga belum diperingkat (belum ada desil)"}
	desil64 = want{determination.ItemExcluded, 0, "desil_di_atas_batas", "desil 6 di atas batas desil 4"}
	desil65 = want{determination.ItemExcluded, 0, "desil_di_atas_batas", "desil 6 di atas batas desil 5"}
)

// The three programs decided together on a hand-checked register, then
// approved by a second person, then decided again after the register
// changed: statuses, amounts and reasons exactly, and the diff.
func TestDetermineApproveAndCompare(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		dets := w.determine(
			determination.Spec{Program: "PKH", Period: "2026-Q1"},
			determination.Spec{Program: "BPNT", Period: "2026-B1"},
			determination.Spec{Program: "PBI_JK", Period: "2026-01"},
		)
		byProg := map[string]*determination.Determination{}
		for _, d := range dets {
			if d.Status != determination.StatusDraft || d.Number != 1 || d.BaseID != 0 || d.WelfareRun != 1 {
				t.Fatalf("%s: %+v", d.Title(), d)
			}
			byProg[d.Program] = d
		}
		pkh, bpnt, pbi := byProg["BPNT"], byProg["BPNT"], byProg["PBI_JK"]
		pkh = byProg["PKH"]
		if pkh.Channel != "bank" || bpnt.Channel != "bank" || pbi.Channel != "bpjs" || pbi.Unit != "person" {
			t.Errorf("channels %s %s %s, unit %s", pkh.Channel, bpnt.Channel, pbi.Channel, pbi.Unit)
		}

		// PKH: F1 SD Rp900.000 + SMP Rp1.500.000 a year = Rp600.000 a
		// quarter; F5 two elderly Rp2.400.000 each = Rp1.200.000.
		check(t, w.items(pkh.ID), map[string][]want{
			"F1": {{determination.ItemNew, 600_000, "layak dihitung", "layak: 2 komponen PKH, Rp600.000 untuk periode 2026-Q1; Rizki dihitung untuk komponen Anak SMP/sederajat"}},
			"F2": {asn},
			"F3": {desil64},
			"F4": {{determination.ItemExcluded, 0, "tanpa_komponen", "tidak ada anggota keluarga yang memenuhi komponen PKH"}},
			"F5": {{determination.ItemNew, 1_200_000, "layak dihitung", "Kakek dihitung untuk komponen Lanjut usia 60 tahun ke atas"}},
			"F6": {unrank},
		})
		if pkh.Recipients != 2 || pkh.Amount != 1_800_000 || pkh.Units != 6 {
			t.Errorf("PKH totals: %d recipients Rp%d of %d", pkh.Recipients, pkh.Amount, pkh.Units)
		}
		// BPNT: Rp200.000 a month, Rp400.000 for January-February.
		sembako := want{determination.ItemNew, 400_000, "layak", "layak: Saldo pangan Rp400.000 untuk periode 2026-B1"}
		check(t, w.items(bpnt.ID), map[string][]want{
			"F1": {sembako}, "F2": {asn}, "F3": {desil64}, "F4": {sembako}, "F5": {sembako}, "F6": {unrank},
		})
		if bpnt.Recipients != 3 || bpnt.Amount != 1_200_000 {
			t.Errorf("BPNT totals: %d recipients Rp%d", bpnt.Recipients, bpnt.Amount)
		}
		// PBI-JK: every member of an eligible family, Rp42.000 for January;
		// the ASN excludes the whole family.
		iuran := want{determination.ItemNew, 42_000, "layak", "layak: Iuran JKN dibayar negara untuk"}
		check(t, w.items(pbi.ID), map[string][]want{
			"F1": rep(4, iuran), "F2": rep(2, asn), "F3": rep(2, desil65), "F4": rep(2, iuran), "F5": rep(2, iuran), "F6": {unrank},
		})
		if pbi.Recipients != 8 || pbi.Amount != 336_000 || pbi.Units != 13 {
			t.Errorf("PBI-JK totals: %d recipients Rp%d of %d", pbi.Recipients, pbi.Amount, pbi.Units)
		}

		// Maker-checker: the runner cannot approve their own determination.
		if _, err := w.svc.Approve(maker, pkh.ID); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("maker approves own determination: %v", err)
		}
		fin, err := w.svc.Approve(checker, pkh.ID)
		if err != nil || fin.Status != determination.StatusFinal || fin.ApprovedBy != "pemeriksa" {
			t.Fatalf("approve: %+v %v", fin, err)
		}
		if _, err := w.svc.Approve(checker, pkh.ID); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("approve twice: %v", err)
		}

		// PENA serves PKH families (family.programs, from the final PKH
		// determination covering its period) with a productive member in business.
		pena := w.determine(determination.Spec{Program: "PENA", Period: "2026"})[0]
		bukanPKH := want{determination.ItemExcluded, 0, "penerima_pkh usia_produktif_berusaha", "keluarga bukan penerima PKH"}
		check(t, w.items(pena.ID), map[string][]want{
			"F1": {{determination.ItemNew, 6_000_000, "layak", "layak: Modal usaha (paling banyak) Rp6.000.000 untuk periode 2026"}},
			"F2": {{determination.ItemExcluded, 0, "penerima_pkh usia_produktif_berusaha pekerjaan_dikecualikan", "keluarga bukan penerima PKH"}},
			"F3": {bukanPKH}, "F4": {bukanPKH}, "F6": {bukanPKH},
			"F5": {{determination.ItemExcluded, 0, "usia_produktif_berusaha", "tidak ada anggota aktif berusia 25-45 tahun"}},
		})

		// The register changes: F1 moves away, F4 gets a child in SD, the
		// grandfather of F5 dies.
		e := registryEdit()
		f1, _, _ := w.reg.GetFamily(ctx, w.fam["F1"], zeroTime)
		if _, err := w.reg.SetFamilyStatus(ctx, e, f1.ID, f1.Version, "pindah", "pindah ke luar kota"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.reg.AddMember(ctx, e, w.fam["F4"], child("3201010505180001", "Dodi", "2018-05-05")); err != nil {
			t.Fatal(err)
		}
		kakek, err := w.reg.FindByNIK(ctx, nikKakek)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.reg.SetPersonStatus(ctx, e, kakek.ID, kakek.Version, "meninggal", "wafat"); err != nil {
			t.Fatal(err)
		}

		again := w.determine(determination.Spec{Program: "PKH", Period: "2026-Q1"})[0]
		if again.Number != 2 || again.BaseID != pkh.ID || again.Status != determination.StatusDraft {
			t.Fatalf("second: %+v", again)
		}
		check(t, w.items(again.ID), map[string][]want{
			"F1": {{determination.ItemGraduated, 0, "keluarga_tidak_aktif", "keluarga berstatus Pindah"}},
			"F2": {asn},
			"F3": {desil64},
			"F4": {{determination.ItemNew, 225_000, "layak dihitung", "Dodi dihitung untuk komponen Anak SD/sederajat"}},
			"F5": {{determination.ItemContinuing, 600_000, "layak dihitung anggota_tidak_aktif", "anggota keluarga Kakek berstatus Meninggal"}},
			"F6": {unrank},
		})
		sm := again.Summary
		if sm.Status["new"].Units != 1 || sm.Status["graduated"].Units != 1 || sm.Changed != 1 || sm.Missing != 0 ||
			sm.BaseUnits != 2 || sm.BaseAmount != 1_800_000 {
			t.Errorf("summary: %+v", sm)
		}
		rows, err := w.svc.ByRegion(ctx, again.ID, "32.01")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range rows {
			got[r.Region] = fmt.Sprintf("masuk %d keluar %d berubah %d penerima %d Rp%d dasar %d Rp%d",
				r.Entered, r.Left, r.Changed, r.Recipients, r.Amount, r.BaseUnits, r.BaseAmount)
		}
		wantRegions := map[string]string{
			"32.01.01": "masuk 1 keluar 1 berubah 0 penerima 1 Rp225000 dasar 1 Rp600000",
			"32.01.02": "masuk 0 keluar 0 berubah 1 penerima 1 Rp600000 dasar 1 Rp1200000",
		}
		if fmt.Sprint(got) != fmt.Sprint(wantRegions) {
			t.Errorf("by region:\n got %v\nwant %v", got, wantRegions)
		}
		changes, err := w.svc.Items(ctx, again.ID, determination.ItemOptions{Changes: true})
		if err != nil || len(changes) != 3 {
			t.Fatalf("changes: %+v %v", changes, err)
		}

		// Approving the second supersedes the first.
		if _, err := w.svc.Approve(checker, again.ID); err != nil {
			t.Fatal(err)
		}
		first, _ := w.svc.Get(ctx, pkh.ID)
		if first.Status != determination.StatusSuperseded {
			t.Errorf("first after the second's approval: %s", first.Status)
		}
		// A simulation can never be approved; a rejected draft stays rejected.
		third := w.determine(determination.Spec{Program: "PKH", Period: "2026-Q1"})[0]
		if _, err := w.svc.Reject(checker, third.ID, ""); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("reject without reason: %v", err)
		}
		if d, err := w.svc.Reject(checker, third.ID, "data belum dipadankan"); err != nil || d.Status != determination.StatusRejected {
			t.Errorf("reject: %+v %v", d, err)
		}
		if _, err := w.svc.Approve(checker, third.ID); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("approve rejected: %v", err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action IN ('penetapan.jalankan', 'penetapan.setujui', 'penetapan.tolak')`).Scan(&n); err != nil || n != 9 {
			t.Errorf("audit entries: %d %v", n, err)
		}
	})
}

// An export names families by ID, carries amounts and reason codes, stays
// within the caller's region and is in the audit trail.
func TestExportScope(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		d := w.determine(determination.Spec{Program: "BPNT", Period: "2026-B1"})[0]
		district := authz.With(context.Background(), authz.Principal{Username: "dinsos", Role: authz.District, Region: "32.01.02"})
		var b strings.Builder
		n, err := w.svc.Export(district, d.ID, "", registry.NewCSVWriter(&b))
		if err != nil || n != 2 {
			t.Fatalf("export: %d rows, %v", n, err)
		}
		recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{determination.ExportColumns,
			{fmt.Sprint(d.ID), "BPNT", "2026-B1", "1", fmt.Sprint(w.fam["F3"]), "", "32.01.02.2001", "6", "excluded", "0", "bukan_penerima", "0",
				"desil_di_atas_batas", "desil 6 di atas batas desil 4"},
			{fmt.Sprint(d.ID), "BPNT", "2026-B1", "1", fmt.Sprint(w.fam["F5"]), "", "32.01.02.2001", "4", "new", "400000", "bukan_penerima", "0",
				"layak", "layak: Saldo pangan Rp400.000 untuk periode 2026-B1"}}
		if fmt.Sprint(recs) != fmt.Sprint(want) {
			t.Fatalf("export:\n got %v\nwant %v", recs, want)
		}
		if _, err := w.svc.Export(district, d.ID, "32.01.01", registry.NewCSVWriter(&b)); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("export outside the region: %v", err)
		}
		if rows, err := w.svc.ByRegion(district, d.ID, ""); err != nil || len(rows) != 1 || rows[0].Region != "32.01.02.2001" {
			t.Fatalf("by region in a district: %+v %v", rows, err)
		}
		var region string
		if err := db.QueryRow(context.Background(), `SELECT region FROM audit_log WHERE action = 'penetapan.ekspor'`).Scan(&region); err != nil || region != "32.01.02" {
			t.Fatalf("audit of the export: %q %v", region, err)
		}
	})
}
