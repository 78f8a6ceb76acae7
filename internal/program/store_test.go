package program_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

func mustDefault(t *testing.T, code string) *program.Document {
	t.Helper()
	d, err := program.Default(code)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func problems(err error) string {
	inv, ok := program.IsInvalid(err)
	if !ok {
		return "not invalid: " + err.Error()
	}
	var out []string
	for _, p := range inv.Problems {
		out = append(out, p.String())
	}
	return strings.Join(out, "\n")
}

func TestMakerChecker(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := program.NewStore(db)
		if _, err := st.Active(ctx, program.PKH, "2026-03-01"); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("empty store: %v", err)
		}
		v, err := st.CreateDraft(ctx, mustDefault(t, program.PKH), "ani", "indeks 2026")
		if err != nil {
			t.Fatal(err)
		}
		if v.Version != 1 || v.Status != program.StatusDraft {
			t.Fatalf("%+v", v)
		}
		// A draft does not apply.
		if _, err := st.Active(ctx, program.PKH, "2026-03-01"); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("draft applies: %v", err)
		}
		// The maker cannot approve.
		if _, err := st.Approve(ctx, program.PKH, 1, "ani"); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("maker approves: %v", err)
		}
		a, err := st.Approve(ctx, program.PKH, 1, "budi")
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != program.StatusApproved || a.ApprovedBy != "budi" || a.ApprovedAt == nil {
			t.Fatalf("%+v", a)
		}
		if _, err := st.Approve(ctx, program.PKH, 1, "citra"); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("approved twice: %v", err)
		}
		// Drafting and approving are in the audit trail, under who did them.
		for _, want := range []struct{ action, actor string }{{"program.draf", "ani"}, {"program.setujui", "budi"}} {
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = $1 AND actor = $2 AND object_type = 'program'`,
				want.action, want.actor).Scan(&n); err != nil || n != 1 {
				t.Fatalf("audit entries for %s by %s: %d %v", want.action, want.actor, n, err)
			}
		}
		if _, err := st.Approve(ctx, program.PKH, 9, "citra"); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("missing version: %v", err)
		}
		if _, err := st.Active(ctx, program.PKH, "2025-12-31"); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("before the effective date: %v", err)
		}
		c, err := st.Compiled(ctx, program.PKH, "2026-03-01")
		if err != nil {
			t.Fatal(err)
		}
		if c.Version != 1 || c.Doc.Benefit.Components[6].Code != "lansia" {
			t.Fatalf("%+v", c)
		}
		again, _ := st.Compiled(ctx, program.PKH, "2026-06-01")
		if again != c {
			t.Error("compiled twice")
		}

		// From July the elderly component starts at 70 (the older rule).
		d := mustDefault(t, program.PKH)
		d.EffectiveFrom = "2026-07-01"
		d.Benefit.Components[6].Expr = "member.age >= 70"
		d.Benefit.Components[6].Label = "Lanjut usia 70 tahun ke atas"
		d.Calendars = []program.Calendar{
			{Channel: "bank", Periods: []program.Period{{Code: "2026-Q3", Start: "2026-07-01", End: "2026-09-30"}, {Code: "2026-Q4", Start: "2026-10-01", End: "2026-12-31"}}},
			{Channel: "pos", Periods: []program.Period{{Code: "2026-Q3", Start: "2026-07-01", End: "2026-09-30"}, {Code: "2026-Q4", Start: "2026-10-01", End: "2026-12-31"}}},
		}
		v2, err := st.CreateDraft(ctx, d, "citra", "lansia 70+")
		if err != nil {
			t.Fatal(problems(err))
		}
		if _, err := st.Approve(ctx, program.PKH, v2.Version, "ani"); err != nil {
			t.Fatal(err)
		}
		for date, want := range map[string]int{"2026-06-30": 1, "2026-07-01": 2, "2027-01-01": 2} {
			v, err := st.Active(ctx, program.PKH, date)
			if err != nil || v.Version != want {
				t.Errorf("%s: %v %v, want version %d", date, v, err, want)
			}
		}
		for period, want := range map[string]int{"2026-Q2": 1, "2026-Q3": 2} {
			c, p, err := st.ForPeriod(ctx, program.PKH, "pos", period)
			if err != nil || c.Version != want || p.Code != period {
				t.Errorf("%s: %v %+v %v, want version %d", period, c, p, err, want)
			}
		}
		if _, _, err := st.ForPeriod(ctx, program.PKH, "pos", "2026-B1"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("unknown period: %v", err)
		}
		list, err := st.List(ctx, "")
		if err != nil || len(list) != 2 || list[1].CreatedBy != "citra" || list[1].ApprovedBy != "ani" || list[1].Document != nil {
			t.Fatalf("%+v %v", list, err)
		}
		got, err := st.Get(ctx, program.PKH, 2)
		if err != nil || got.Document.Benefit.Components[6].Expr != "member.age >= 70" || got.Note != "lansia 70+" {
			t.Fatalf("%+v %v", got, err)
		}
	})
}

func TestDraftsRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := program.NewStore(db)
		if _, err := st.InstallDefaults(ctx); err != nil {
			t.Fatal(err)
		}

		// Expressions that do not compile: every problem at its place.
		d := mustDefault(t, program.BPNT)
		d.EffectiveFrom = "2027-01-01"
		d.Calendars = []program.Calendar{{Channel: "bank", Cadence: "bimonthly", Year: 2027}}
		d.Eligibility = []program.Rule{{Code: "gaji", Expr: "family.members.exists(m, m.salary > 0)", Reason: "x"}}
		_, err := st.CreateDraft(ctx, d, "ani", "")
		if got := problems(err); got != "eligibility[0].expr:1:27: undefined field 'salary'" {
			t.Errorf("%s", got)
		}

		cases := []struct {
			name string
			edit func(d *program.Document)
			want string
		}{
			{"the same effective date", func(d *program.Document) {},
				"effective_from: versi 1 (disetujui) program BPNT sudah berlaku mulai 2026-01-01"},
			{"a period overlapping another version's", func(d *program.Document) {
				d.EffectiveFrom = "2026-06-01"
				d.Calendars = []program.Calendar{{Channel: "bank", Periods: []program.Period{
					{Code: "2026-JUN", Start: "2026-06-01", End: "2026-06-30"}}}}
			}, "calendars[0].periods[0]: periode 2026-JUN saluran bank (2026-06-01 s.d. 2026-06-30) tumpang tindih dengan periode 2026-B3 (2026-05-01 s.d. 2026-06-30) versi 1"},
			{"a period code with other dates", func(d *program.Document) {
				d.EffectiveFrom = "2026-07-01"
				d.Calendars = []program.Calendar{{Channel: "bank", Periods: []program.Period{
					{Code: "2026-B4", Start: "2026-07-01", End: "2026-09-30"}}}}
			}, "calendars[0].periods[0].code: periode 2026-B4 saluran bank di versi 1 adalah 2026-07-01 s.d. 2026-08-31, bukan 2026-07-01 s.d. 2026-09-30"},
		}
		for _, tc := range cases {
			d := mustDefault(t, program.BPNT)
			tc.edit(d)
			_, err := st.CreateDraft(ctx, d, "ani", "")
			if got := problems(err); got != tc.want {
				t.Errorf("%s:\n%s\nwant\n%s", tc.name, got, tc.want)
			}
		}

		// A new version that starts mid-year with periods on the old
		// calendar's boundaries, and changes the cadence of the pos
		// channel from its own start: accepted.
		d = mustDefault(t, program.BPNT)
		d.EffectiveFrom = "2026-07-01"
		d.Calendars = []program.Calendar{
			{Channel: "bank", Periods: []program.Period{{Code: "2026-B4", Start: "2026-07-01", End: "2026-08-31"}}},
			{Channel: "pos", Periods: []program.Period{{Code: "2026-Q3", Start: "2026-07-01", End: "2026-09-30"}}},
		}
		v, err := st.CreateDraft(ctx, d, "ani", "pos tiap triwulan")
		if err != nil {
			t.Fatal(problems(err))
		}
		// A draft with another draft's effective date is refused too; once
		// that draft is rejected the date is free.
		d2 := mustDefault(t, program.BPNT)
		d2.EffectiveFrom = "2026-07-01"
		d2.Calendars = d.Calendars
		if _, err := st.CreateDraft(ctx, d2, "budi", ""); !strings.Contains(problems(err), "versi 2 (draf)") {
			t.Errorf("%v", err)
		}
		if _, err := st.Reject(ctx, program.BPNT, v.Version, "ani", "salah kalender"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Approve(ctx, program.BPNT, v.Version, "budi"); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("approving a rejected draft: %v", err)
		}
		v3, err := st.CreateDraft(ctx, d2, "budi", "")
		if err != nil || v3.Version != 3 {
			t.Fatalf("%v %v", v3, problems(err))
		}
		rejected, _ := st.Get(ctx, program.BPNT, 2)
		if rejected.Status != program.StatusRejected || rejected.RejectReason != "salah kalender" || rejected.RejectedBy != "ani" {
			t.Errorf("%+v", rejected)
		}
	})
}

func TestInstallDefaults(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := program.NewStore(db)
		vs, err := st.InstallDefaults(ctx)
		if err != nil || len(vs) != 5 {
			t.Fatalf("%v %v", vs, err)
		}
		again, err := st.InstallDefaults(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second install: %v %v", again, err)
		}
		for _, code := range program.Codes {
			c, err := st.Compiled(ctx, code, "2026-01-01")
			if err != nil || c.Version != 1 {
				t.Fatalf("%s: %v", code, err)
			}
		}
		c, p, err := st.ForPeriod(ctx, program.BPNT, "bank", "2026-B2")
		if err != nil || p.Start != "2026-03-01" || p.End != "2026-04-30" || c.Doc.Program != program.BPNT {
			t.Fatalf("%+v %v", p, err)
		}
	})
}
