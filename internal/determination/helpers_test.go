package determination_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/welfare"
)

// testRegions is a small region tree.
var testRegions = [][2]string{
	{"32", "Jawa Barat"}, {"32.01", "Kabupaten Bogor"},
	{"32.01.01", "Cibinong"}, {"32.01.01.1001", "Cibinong"}, {"32.01.01.2002", "Pabuaran"},
	{"32.01.02", "Gunung Putri"}, {"32.01.02.2001", "Wanaherang"},
}

const csvHeader = "no_kk,kode_wilayah,nik,nama,jenis_kelamin,tanggal_lahir,hubungan,pekerjaan,jenjang_sekolah,id_sekolah"

// The register of the tests. Deciles (set directly in a welfare run):
// F1 1, F2 2, F3 6, F4 3, F5 4, F6 not ranked.
//
//	F1 Pabuaran: Budi (45, wiraswasta), Siti, Rizki (SMP, enrolled), Ani (SD, enrolled)
//	F2 Cibinong: Agus (ASN), Rina
//	F3 Wanaherang: Joko, Wati
//	F4 Pabuaran: Dedi, Euis (no PKH component)
//	F5 Wanaherang: Kakek (65), Nenek (63)
//	F6 Cibinong: Yanto (not ranked)
const (
	kk1 = "3201011506100001"
	kk2 = "3201011506100002"
	kk3 = "3201011506100003"
	kk4 = "3201011506100004"
	kk5 = "3201011506100005"
	kk6 = "3201011506100006"

	nikKakek = "3201010303600001"
)

var registerCSV = csvHeader + "\n" +
	kk1 + ",32.01.01.2002,3201011205800001,Budi,L,1980-05-12,kepala_keluarga,wiraswasta,,\n" +
	kk1 + ",,3201014703850001,Siti,P,1985-03-07,istri,mengurus_rumah_tangga,,\n" +
	kk1 + ",,3201010101120001,Rizki,L,2012-01-01,anak,pelajar,smp,0101234567\n" +
	kk1 + ",,3201014202170001,Ani,P,2017-02-02,anak,pelajar,sd,0101234568\n" +
	kk2 + ",32.01.01.1001,3201012008750001,Agus,L,1975-08-20,kepala_keluarga,asn,,\n" +
	kk2 + ",,3201014404780001,Rina,P,1978-04-04,istri,mengurus_rumah_tangga,,\n" +
	kk3 + ",32.01.02.2001,3201011501700001,Joko,L,1970-01-15,kepala_keluarga,buruh,,\n" +
	kk3 + ",,3201014606720001,Wati,P,1972-06-06,istri,mengurus_rumah_tangga,,\n" +
	kk4 + ",32.01.01.2002,3201010202900001,Dedi,L,1990-02-02,kepala_keluarga,petani,,\n" +
	kk4 + ",,3201014909920001,Euis,P,1992-09-09,istri,mengurus_rumah_tangga,,\n" +
	kk5 + ",32.01.02.2001," + nikKakek + ",Kakek,L,1960-03-03,kepala_keluarga,petani,,\n" +
	kk5 + ",,3201014707620001,Nenek,P,1962-07-07,istri,mengurus_rumah_tangga,,\n" +
	kk6 + ",32.01.01.1001,3201010808880001,Yanto,L,1988-08-08,kepala_keluarga,petani,,\n"

// world is a migrated database with the test register, the shipped
// programs, deciles and a job runner.
type world struct {
	t      *testing.T
	db     *store.DB
	reg    *registry.Registry
	svc    *determination.Service
	runner *jobs.Runner
	fam    map[string]int64 // "F1" → family ID
}

var deciles = map[string]struct {
	decile int
	score  float64
}{"F1": {1, 10}, "F2": {2, 20}, "F3": {6, 60}, "F4": {3, 30}, "F5": {4, 40}}

var kks = map[string]string{"F1": kk1, "F2": kk2, "F3": kk3, "F4": kk4, "F5": kk5, "F6": kk6}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testRunner(db *store.DB, id string) *jobs.Runner {
	r := jobs.New(db, jobs.Options{ID: id, Lease: 2 * time.Second, Poll: 20 * time.Millisecond,
		ProgressEvery: 20 * time.Millisecond, Backoff: func(int) time.Duration { return 10 * time.Millisecond },
		Logger: quietLogger()})
	determination.RegisterJob(r, db)
	return r
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	var rows [][]any
	for _, r := range testRegions {
		level := strings.Count(r[0], ".") + 1
		parent := any(nil)
		if i := strings.LastIndex(r[0], "."); i > 0 {
			parent = r[0][:i]
		}
		rows = append(rows, []any{r[0], r[1], int64(level), parent, true, int64(0)})
	}
	if err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.CopyFrom(ctx, "regions", []string{"code", "name", "level", "parent", "active", "updated_at"}, rows)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, db: db, reg: registry.New(db), fam: map[string]int64{}}
	src, err := registry.NewCSVReader(strings.NewReader(registerCSV), int64(len(registerCSV)), registry.SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rep strings.Builder
	res, err := w.reg.Import(ctx, src, registry.ImportOptions{Actor: "test", Reason: "tes", Report: &rep})
	if err != nil || res.FamiliesAdded != 6 {
		t.Fatalf("import: %+v %v\n%s", res, err, rep.String())
	}
	for name, kk := range kks {
		f, err := w.reg.FindByKK(ctx, kk)
		if err != nil {
			t.Fatal(err)
		}
		w.fam[name] = f.ID
	}
	if _, err := program.NewStore(db).InstallDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	w.setDeciles(1, deciles)
	w.runner = testRunner(db, "tes")
	w.svc = determination.New(db, w.runner)
	return w
}

// setDeciles stores a finished welfare run with the given deciles.
func (w *world) setDeciles(run int64, ds map[string]struct {
	decile int
	score  float64
}) {
	w.t.Helper()
	ctx := context.Background()
	if err := welfare.EnsureDefault(ctx, w.db); err != nil {
		w.t.Fatal(err)
	}
	now := store.Micros(store.Now())
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO welfare_runs (id, model_version, by_province, state, data_as_of, started_at, finished_at, started_by, families)
			VALUES ($1, $2, FALSE, 'selesai', $3, $3, $3, 'tes', $4)`, run, welfare.DefaultModel().Version, now, int64(len(ds))); err != nil {
			return err
		}
		for name, d := range ds {
			if _, err := tx.Exec(ctx, `INSERT INTO welfare_scores (run_id, family_id, family_version, province, score, decile, contributions)
				VALUES ($1, $2, 1, '32', $3, $4, '[]')`, run, w.fam[name], d.score, d.decile); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

func as(user string, role authz.Role) context.Context {
	return authz.With(context.Background(), authz.Principal{Username: user, Role: role})
}

var (
	maker   = as("pembuat", authz.Program)
	checker = as("pemeriksa", authz.Program)
)

// determine starts specs as the maker and runs the job to the end.
func (w *world) determine(specs ...determination.Spec) []*determination.Determination {
	w.t.Helper()
	st, err := w.svc.Start(maker, specs)
	if err != nil {
		w.t.Fatal(err)
	}
	w.run(st.JobID)
	var out []*determination.Determination
	for _, d := range st.Determinations {
		got, err := w.svc.Get(context.Background(), d.ID)
		if err != nil {
			w.t.Fatal(err)
		}
		out = append(out, got)
	}
	return out
}

func (w *world) run(job int64) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	in, err := w.runner.RunNow(ctx, job)
	if err != nil || in.State != jobs.Done {
		w.t.Fatalf("job %d: %+v %v", job, in, err)
	}
}

// items returns a determination's items keyed "F1" (family programs) or
// "F1/NIK-suffix name" is not needed: per-person items are keyed by family
// name and person ID.
func (w *world) items(id int64) map[string][]determination.Item {
	w.t.Helper()
	its, err := w.svc.Items(context.Background(), id, determination.ItemOptions{Limit: 1000})
	if err != nil {
		w.t.Fatal(err)
	}
	byID := map[int64]string{}
	for n, id := range w.fam {
		byID[id] = n
	}
	out := map[string][]determination.Item{}
	for _, it := range its {
		out[byID[it.FamilyID]] = append(out[byID[it.FamilyID]], it)
	}
	return out
}

var zeroTime time.Time

func registryEdit() registry.Edit {
	return registry.Edit{Actor: "operator", Reason: "pemutakhiran data"}
}

// child is a schoolchild in SD with a school ID.
func child(nik, name, birth string) registry.Person {
	return registry.Person{NIK: nik, Name: name, Sex: "L", BirthDate: birth, Relation: "anak", Occupation: "pelajar",
		SchoolLevel: "sd", SchoolID: "0101234599", Status: "aktif"}
}
