package privacy_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/privacy"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
	"github.com/kemensos/jaring/internal/welfare"
)

const (
	villageA = "32.04.28.2001"
	villageB = "53.07.01.2001"
	nikHead  = "3204281205800001"
	nikWife  = "3204284703850001"
	nikB     = "5307011205800001"
)

type world struct {
	db         *store.DB
	reg        *registry.Registry
	head, wife registry.Person
	famA       registry.Family
	op         auth.User // a village operator of A
	opCtx      context.Context
}

func setup(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	if _, err := region.Import(ctx, db, region.Demo()); err != nil {
		t.Fatal(err)
	}
	w := &world{db: db, reg: registry.New(db)}
	edit := registry.Edit{Actor: "test", Reason: "data awal"}
	f, m, err := w.reg.CreateFamily(ctx, edit, registry.Family{KK: "3204281506100001", VillageCode: villageA, Address: "JL. MELATI 1", FloorMaterial: "tanah"},
		[]registry.Person{{NIK: nikHead, Name: "BUDI SANTOSO", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"},
			{NIK: nikWife, Name: "SITI AMINAH", Sex: "P", BirthDate: "1985-03-07", Relation: "istri"}})
	if err != nil {
		t.Fatal(err)
	}
	w.famA, w.head, w.wife = f, m[0], m[1]
	if _, _, err := w.reg.CreateFamily(ctx, edit, registry.Family{KK: "5307011506100001", VillageCode: villageB, Address: "JL. MAUMERE 7"},
		[]registry.Person{{NIK: nikB, Name: "AHMAD WOLOR", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"}}); err != nil {
		t.Fatal(err)
	}
	a := auth.New(db)
	if w.op, err = a.CreateUser(ctx, "operator-a", "kata-sandi-operator-1", "desa", villageA); err != nil {
		t.Fatal(err)
	}
	w.opCtx = audit.WithRequest(authz.With(ctx, authz.Principal{UserID: w.op.ID, Username: w.op.Username, Role: authz.Village, Region: villageA, Via: "sesi"}),
		"r1", "198.51.100.7")
	return w
}

// TestReveal: the reveal needs a reason, stays in the region and is in the trail.
func TestReveal(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		if _, err := privacy.RevealNIK(w.opCtx, w.reg, w.head.ID, " "); !errors.Is(err, errs.ErrInvalid) {
			t.Fatalf("no reason: %v", err)
		}
		p, err := privacy.RevealNIK(w.opCtx, w.reg, w.head.ID, "verifikasi")
		if err != nil || p.NIK != nikHead {
			t.Fatalf("reveal: %+v %v", p, err)
		}
		out := authz.With(context.Background(), authz.Principal{Username: "luar", Role: authz.Village, Region: "32.73.12.1001"})
		if _, err := privacy.RevealNIK(out, w.reg, w.head.ID, "ingin tahu"); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("outside the region: %v", err)
		}
		es, err := audit.Search(context.Background(), db, audit.Filter{Action: privacy.ActRevealNIK})
		if err != nil || len(es) != 1 || es[0].Actor != "operator-a" || es[0].PersonID != w.head.ID || es[0].After["alasan"] != "verifikasi" {
			t.Fatalf("trail: %+v %v", es, err)
		}
	})
}

// TestReport: the person's own record in full, every version, their family
// with the other members minimised, who viewed and changed it, rankings and
// final determinations; the report is in the trail; outside the caller's
// region the NIK is not found.
func TestReport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		ctx := context.Background()
		// The operator views and changes the record.
		if _, err := w.reg.ViewPerson(w.opCtx, w.head.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		upd := w.head
		upd.Occupation = "petani"
		if _, err := w.reg.UpdatePerson(w.opCtx, registry.Edit{Actor: "user:operator-a", Reason: "pekerjaan"}, w.head.ID, 1, upd); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.reg.ViewFamily(w.opCtx, w.famA.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		// A ranking and a final determination.
		if _, err := welfare.Rank(ctx, db, welfare.Options{TempDir: t.TempDir()}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := program.NewStore(db).InstallDefaults(ctx); err != nil {
			t.Fatal(err)
		}
		svc := determination.New(db, nil)
		st, err := svc.Start(ctx, []determination.Spec{{Program: "BPNT", Period: "2026-B1"}})
		if err != nil {
			t.Fatal(err)
		}
		runner := jobs.New(db, jobs.Options{Poll: 20 * time.Millisecond})
		determination.RegisterJob(runner, db)
		if in, err := runner.RunNow(ctx, st.JobID); err != nil || in.State != jobs.Done {
			t.Fatalf("determination: %+v %v", in, err)
		}
		checker := authz.With(ctx, authz.Principal{Username: "pemeriksa", Role: authz.Program})
		if _, err := svc.Approve(checker, st.Determinations[0].ID); err != nil {
			t.Fatal(err)
		}

		if _, err := privacy.MakeReport(ctx, w.reg, "3204", privacy.ReportOptions{}); !errors.Is(err, errs.ErrInvalid) {
			t.Fatalf("a bad NIK: %v", err)
		}
		inspector := authz.With(ctx, authz.Principal{Username: "inspektur", Role: authz.Inspectorate, Region: "53"})
		if _, err := privacy.MakeReport(inspector, w.reg, nikHead, privacy.ReportOptions{}); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("outside the region: %v", err)
		}
		r, err := privacy.MakeReport(ctx, w.reg, " "+nikHead+"\n", privacy.ReportOptions{Actor: "cli:budi", Format: "json"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Person.NIK != nikHead || r.Person.Occupation != "petani" || len(r.Versions) != 2 || r.Versions[0].Occupation != "" {
			t.Errorf("person: %+v versions %d", r.Person, len(r.Versions))
		}
		if len(r.Families) != 1 || r.Families[0].Family.KK != "3204281506100001" || len(r.Families[0].Members) != 1 ||
			r.Families[0].Members[0].Name != "SITI AMINAH" || r.Families[0].Members[0].NIK != nik.Mask(nikWife) {
			t.Errorf("families: %+v", r.Families)
		}
		var actions []string
		for _, a := range r.Access {
			actions = append(actions, a.Actor+" "+a.Action)
		}
		want := []string{"test keluarga.buat", "test orang.buat", "operator-a lihat", "operator-a orang.ubah", "operator-a lihat", "cli:budi privasi.laporan"}
		if strings.Join(actions, ",") != strings.Join(want, ",") {
			t.Errorf("access:\n%v\nwant\n%v", actions, want)
		}
		if len(r.Welfare) != 1 || r.Welfare[0].Decile < 1 || r.Welfare[0].FamilyID != w.famA.ID {
			t.Errorf("welfare: %+v", r.Welfare)
		}
		if len(r.Decisions) != 1 || r.Decisions[0].Program != "BPNT" || r.Decisions[0].State != "final" {
			t.Errorf("decisions: %+v", r.Decisions)
		}
		var b strings.Builder
		if err := r.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{nikHead, "BUDI SANTOSO", "SITI AMINAH (istri)", "operator-a (desa, wilayah 32.04.28.2001): orang.ubah", "BPNT periode 2026-B1"} {
			if !strings.Contains(b.String(), s) {
				t.Errorf("text lacks %q:\n%s", s, b.String())
			}
		}
		if strings.Contains(b.String(), nikWife) || strings.Contains(b.String(), "198.51.100.7") {
			t.Errorf("text holds another member's NIK or an officer's address:\n%s", b.String())
		}
	})
}

// TestBreach: every person of the account's region in the window, and
// apart the people it viewed, changed and exported; a token narrows the
// window to its life; an account outside the caller's region is not found.
func TestBreach(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		ctx := context.Background()
		start := store.Now()
		if _, err := w.reg.ViewPerson(w.opCtx, w.head.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		upd := w.wife
		upd.Occupation = "pedagang"
		if _, err := w.reg.UpdatePerson(w.opCtx, registry.Edit{Actor: "user:operator-a", Reason: "x"}, w.wife.ID, 1, upd); err != nil {
			t.Fatal(err)
		}
		if _, err := w.reg.Export(w.opCtx, "", registry.NewCSVWriter(io.Discard)); err != nil {
			t.Fatal(err)
		}
		var people []privacy.Exposed
		collect := func(x privacy.Exposed) error { people = append(people, x); return nil }
		q := privacy.BreachQuery{Username: "Operator-A", From: start.Add(-time.Hour), To: start.Add(time.Hour), Actor: "cli:root"}
		b, err := privacy.FindBreach(ctx, db, q, collect)
		if err != nil {
			t.Fatal(err)
		}
		if b.Account != "operator-a" || b.Region != villageA || !b.ReadsAll || b.Reachable != 2 || b.Viewed != 1 || b.Changed != 1 ||
			b.Exported != 2 || len(b.Exports) != 1 || b.Exports[0].Region != villageA {
			t.Errorf("breach: %+v", b)
		}
		if len(people) != 2 || people[0].NIK != nikHead || people[0].Views != 1 || people[1].Changes != 1 || people[1].Name != "SITI AMINAH" {
			t.Errorf("people: %+v", people)
		}
		// Before the activity, the region only.
		people = nil
		q.To = start
		if b, err = privacy.FindBreach(ctx, db, q, collect); err != nil || b.Reachable != 2 || b.Viewed != 0 || b.Changed != 0 {
			t.Errorf("before: %+v %v", b, err)
		}
		// A token's window is its life.
		_, tk, err := auth.New(db).CreateToken(ctx, w.op.ID, "skrip", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		people = nil
		b, err = privacy.FindBreach(ctx, db, privacy.BreachQuery{TokenID: tk.ID, From: start.Add(-24 * time.Hour), To: start.Add(24 * time.Hour)}, collect)
		if err != nil || b.TokenID != tk.ID || b.From.Before(tk.CreatedAt.Add(-time.Second)) || b.To.After(tk.ExpiresAt.Add(time.Second)) || b.Viewed != 0 {
			t.Errorf("token: %+v %v", b, err)
		}
		// The caller's region bounds the accounts they may ask about.
		other := authz.With(ctx, authz.Principal{Username: "inspektur", Role: authz.Inspectorate, Region: "53"})
		if _, err := privacy.FindBreach(other, db, privacy.BreachQuery{Username: "operator-a", From: q.From, To: q.To}, collect); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("outside the region: %v", err)
		}
		if _, err := privacy.FindBreach(ctx, db, privacy.BreachQuery{Username: "tidak-ada", From: q.From, To: q.To}, collect); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("unknown: %v", err)
		}
		if _, err := privacy.FindBreach(ctx, db, privacy.BreachQuery{Username: "operator-a", From: q.To, To: q.From}, collect); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("empty window: %v", err)
		}
		es, err := audit.Search(ctx, db, audit.Filter{Action: privacy.ActBreach})
		if err != nil || len(es) != 3 || es[len(es)-1].Actor != "cli:root" {
			t.Errorf("trail: %+v %v", es, err)
		}
	})
}
