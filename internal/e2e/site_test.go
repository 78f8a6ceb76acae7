package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/auth/authtest"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/seed"
	"github.com/kemensos/jaring/internal/server"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/welfare"
)

// The village operator of the back-office flow. Role desa needs no second
// factor.
const (
	operatorUser = "operator-e2e"
	operatorPass = "kata-sandi-uji-e2e-123"
)

// families is the size of the synthetic register: enough for every decile
// and for recipients and non-recipients in each program.
const families = 300

// site is the real server on a loopback port, on a database holding the
// demo regions, a synthetic register, a finished welfare ranking and a
// final determination of PKH and BPNT made by the real engines.
type site struct {
	URL string
	db  *store.DB
	reg *registry.Registry
	// operatorVillage is the village whose operator signs in.
	operatorVillage string
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := region.Import(ctx, db, region.Demo()); err != nil {
		t.Fatal(err)
	}
	reg := registry.New(db)
	seedRegister(t, ctx, db, reg)
	runner := jobs.New(db, jobs.Options{Logger: logger})
	welfare.RegisterJob(runner, db)
	determination.RegisterJob(runner, db)
	rank(t, ctx, runner)
	determine(t, ctx, db, runner)

	a := auth.New(db)
	a.Key = authtest.Key // seals complainants' contacts
	s := &site{db: db, reg: reg}
	if err := db.QueryRow(ctx, `SELECT village_code FROM family WHERE valid_to IS NULL ORDER BY id LIMIT 1`).Scan(&s.operatorVillage); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateUser(ctx, operatorUser, operatorPass, string(authz.Village), s.operatorVillage); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateUser(ctx, handlerUser, handlerPass, string(authz.District), s.operatorVillage[:5]); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Deps{DB: db, Registry: reg, Auth: a, Imports: registry.NewJobs(reg, t.TempDir()), Logger: logger})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

// seedRegister imports synthetic families into the demo villages through
// the registry's importer, as `jaring seed` does.
func seedRegister(t *testing.T, ctx context.Context, db *store.DB, reg *registry.Registry) {
	t.Helper()
	codes, err := region.Store{DB: db}.VillageCodes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	g, err := seed.New(seed.Options{Seed: 5, Families: families, Villages: seed.Villages(codes, nil), Now: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := reg.Import(ctx, &generated{g: g, total: families}, registry.ImportOptions{Actor: "seed", Reason: "populasi sintetis uji e2e"})
	if err != nil || res.Errors > 0 || res.FamiliesAdded != families {
		t.Fatalf("seed: %+v %v", res, err)
	}
}

// rank runs the welfare ranking job here, as `jaring rank` does.
func rank(t *testing.T, ctx context.Context, r *jobs.Runner) {
	t.Helper()
	ctx = authz.With(ctx, authz.System("e2e-peringkat"))
	id, _, err := welfare.Enqueue(ctx, r, welfare.JobArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if in, err := r.RunNow(ctx, id); err != nil || in.State != jobs.Done {
		t.Fatalf("ranking job: %+v %v", in, err)
	}
}

// determine installs the shipped programs, makes the PKH and BPNT
// determinations of their first 2026 periods and has a second person
// approve them, so that the check has final determinations to read.
func determine(t *testing.T, ctx context.Context, db *store.DB, r *jobs.Runner) {
	t.Helper()
	if _, err := program.NewStore(db).InstallDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	svc := determination.New(db, r)
	st, err := svc.Start(authz.With(ctx, authz.System("e2e-pembuat")),
		[]determination.Spec{{Program: "PKH", Period: "2026-Q1"}, {Program: "BPNT", Period: "2026-B1"}})
	if err != nil {
		t.Fatal(err)
	}
	if in, err := r.RunNow(ctx, st.JobID); err != nil || in.State != jobs.Done {
		t.Fatalf("determination job: %+v %v", in, err)
	}
	checker := authz.With(ctx, authz.System("e2e-pemeriksa"))
	for _, d := range st.Determinations {
		got, err := svc.Approve(checker, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != determination.StatusFinal {
			t.Fatalf("%s: status %s after approval", got.Title(), got.Status)
		}
	}
}

// generated feeds the generator's rows to the importer.
type generated struct {
	g     *seed.Generator
	row   int
	total int64
}

func (s *generated) Header() []string { return seed.Columns }

func (s *generated) Next() ([]string, registry.Pos, error) {
	r, err := s.g.Next()
	if err != nil {
		return nil, registry.Pos{}, err
	}
	s.row++
	return r, registry.Pos{Row: s.row + 1}, nil
}

func (s *generated) Progress() (int64, int64) { return int64(s.g.FamiliesDone()), s.total }
func (s *generated) Close() error             { return nil }

// person is someone in the register, read straight from the database to
// drive the pages and to check that they never show what they must hide.
type person struct {
	ID          int64
	FamilyID    int64
	NIK, Name   string
	VillageCode string
}

// findPerson returns the current head of a family with the given item
// status in the final PKH determination ("" for any family).
func (s *site) findPerson(t *testing.T, where string, args ...any) person {
	t.Helper()
	var p person
	q := `SELECT p.id, p.family_id, p.nik, p.name, p.village_code FROM person p
		WHERE p.valid_to IS NULL AND p.relation = 'kepala_keluarga' AND p.status = 'aktif'` + where + ` ORDER BY p.id LIMIT 1`
	if err := s.db.QueryRow(context.Background(), q, args...).Scan(&p.ID, &p.FamilyID, &p.NIK, &p.Name, &p.VillageCode); err != nil {
		t.Fatalf("find person (%s): %v", where, err)
	}
	return p
}
