package welfare_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/seed"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
	"github.com/kemensos/jaring/internal/welfare"
)

// rankDay is the reference day of the test rankings; the register's
// clock starts earlier, so the ranking's as-of view sees every family.
var rankDay = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func setup(t *testing.T, db *store.DB) *registry.Registry {
	t.Helper()
	if _, err := region.Import(context.Background(), db, region.Demo()); err != nil {
		t.Fatal(err)
	}
	r := registry.New(db)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	return r
}

func rank(t *testing.T, db *store.DB, o welfare.Options) welfare.RunResult {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return rankDay }
	}
	o.TempDir = t.TempDir()
	var last, total int64
	res, err := welfare.Rank(context.Background(), db, o, func(d, n int64) {
		if d < last {
			t.Errorf("progress went back from %d to %d", last, d)
		}
		last, total = d, n
	})
	if err != nil {
		t.Fatal(err)
	}
	if last != total {
		t.Errorf("progress ended at %d of %d", last, total)
	}
	return res
}

func addModel(t *testing.T, db *store.DB, doc string) {
	t.Helper()
	if _, err := welfare.CreateModel(context.Background(), db, []byte(doc), "test"); err != nil {
		t.Fatal(err)
	}
}

// tinyModel is small enough to score by hand.
const tinyModel = `{
  "version": "uji-1", "effective_from": "2026-01-01", "title": "Model uji", "base": 10,
  "indicators": [
    {"name": "lantai", "label": "Lantai", "source": "lantai", "values": {"tanah": -5, "keramik": 3}, "missing": -1},
    {"name": "kulkas", "label": "Kulkas", "source": "aset.kulkas", "weight": 4},
    {"name": "anggota", "label": "Anggota", "source": "jumlah_anggota", "bands": [{"below": 2, "points": 6}, {"below": 4, "points": 0}, {"points": -4}]},
    {"name": "rasio", "label": "Rasio ketergantungan", "source": "rasio_ketergantungan", "bands": [{"below": 1, "points": 0}, {"points": -2}], "missing": -3},
    {"name": "pendidikan", "label": "Pendidikan kepala", "source": "pendidikan_kepala", "values": {"sd": -2, "s1": 5}},
    {"name": "luas", "label": "Luas per kapita", "source": "luas_lantai_per_kapita", "weight": 0.5, "max": 20},
    {"name": "lansia", "label": "Lansia", "source": "jumlah_lansia", "weight": -1.5}
  ]
}`

func intp(v int) *int { return &v }

func person(nik, name, sex, birth, rel, edu string) registry.Person {
	return registry.Person{NIK: nik, Name: name, Sex: sex, BirthDate: birth, Relation: rel, Education: edu}
}

// twoFamilies registers the hand-scored families of TestHandComputedScores.
func twoFamilies(t *testing.T, r *registry.Registry) (a, b int64) {
	t.Helper()
	ctx := context.Background()
	e := registry.Edit{Actor: "test", Reason: "uji"}
	fa, _, err := r.CreateFamily(ctx, e, registry.Family{KK: "3204281506100001", VillageCode: "32.04.28.2001",
		FloorMaterial: "tanah", FloorArea: intp(24)}, []registry.Person{
		person("3204280103500001", "Darto", "L", "1950-03-01", "kepala_keluarga", "sd"),
		person("3204285007550001", "Sumi", "P", "1955-07-10", "istri", "sd"),
		person("3204280101150001", "Eko", "L", "2015-01-01", "cucu", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	dead := person("3204284505600001", "Warni", "P", "1960-05-05", "orang_tua", "")
	dead.Status, dead.StatusReason = "meninggal", "meninggal dunia"
	fb, _, err := r.CreateFamily(ctx, e, registry.Family{KK: "3204281506100002", VillageCode: "32.04.28.2001",
		FloorMaterial: "keramik", Assets: []string{"kulkas", "televisi"}, FloorArea: intp(50)}, []registry.Person{
		person("3204280202900001", "Rina", "L", "1990-02-02", "kepala_keluarga", "s1"),
		dead,
	})
	if err != nil {
		t.Fatal(err)
	}
	return fa.ID, fb.ID
}

func TestHandComputedScores(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := setup(t, db)
		addModel(t, db, tinyModel)
		a, b := twoFamilies(t, r)
		res := rank(t, db, welfare.Options{Model: "uji-1"})
		if res.Families != 2 || res.Model != "uji-1" || res.State != welfare.StateFinished {
			t.Fatalf("run %+v", res.Run)
		}
		// A: tanah -5; no fridge 0; 3 members 0; dependants 3 (one under 15,
		// two 65+) and no one 15-64: ratio unknown -3; head sd -2; 24 m² / 3
		// = 8 × 0.5 = 4; two 60+ × -1.5 = -3. 10 - 5 - 3 - 2 + 4 - 3 = 1.
		// B (the dead member does not count): keramik 3; fridge 4; one
		// member 6; ratio 0 → 0; s1 5; 50 m² capped at 20 × 0.5 = 10; no
		// elderly. 10 + 3 + 4 + 6 + 5 + 10 = 38.
		want := map[int64]struct {
			score   float64
			decile  int
			contrib []float64
			values  map[string]string
		}{
			a: {1, 1, []float64{-5, 0, 0, -3, -2, 4, -3}, map[string]string{"lantai": "Tanah", "rasio": "", "luas": "8", "anggota": "3"}},
			b: {38, 6, []float64{3, 4, 6, 0, 5, 10, 0}, map[string]string{"lantai": "Keramik", "kulkas": "1", "luas": "50", "pendidikan": "D4/S1"}},
		}
		for id, w := range want {
			bd, err := welfare.FamilyBreakdown(ctx, r, id)
			if err != nil {
				t.Fatal(err)
			}
			if bd.Score != w.score || bd.Decile != w.decile || bd.Base != 10 || bd.RunID != res.ID {
				t.Errorf("family %d: score %v decile %d base %v run %d; want %v, %d", id, bd.Score, bd.Decile, bd.Base, bd.RunID, w.score, w.decile)
			}
			got := map[string]float64{}
			sum := bd.Base
			prev := math.Inf(1)
			for _, c := range bd.Contributions {
				got[c.Indicator] = c.Points
				sum += c.Points
				if math.Abs(c.Points) > prev {
					t.Errorf("contributions not sorted by absolute effect: %+v", bd.Contributions)
				}
				prev = math.Abs(c.Points)
				if c.Value == nil {
					t.Errorf("family %d %s: no value", id, c.Indicator)
				} else if v, ok := w.values[c.Indicator]; ok && *c.Value != v {
					t.Errorf("family %d %s: value %q, want %q", id, c.Indicator, *c.Value, v)
				}
			}
			for i, name := range []string{"lantai", "kulkas", "anggota", "rasio", "pendidikan", "luas", "lansia"} {
				if got[name] != w.contrib[i] {
					t.Errorf("family %d %s: %v, want %v", id, name, got[name], w.contrib[i])
				}
			}
			if sum != bd.Score {
				t.Errorf("family %d: base + contributions = %v, score %v", id, sum, bd.Score)
			}
			if bd.Contributions[0].Label == "" || bd.DecileLabel == "" {
				t.Errorf("labels missing: %+v", bd)
			}
		}
		// Outside the caller's region a family is not found.
		other := authz.With(ctx, authz.Principal{Username: "x", Role: authz.Village, Region: "31.71.03.1001"})
		if _, err := welfare.FamilyBreakdown(other, r, a); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("family outside scope: %v", err)
		}
		inside := authz.With(ctx, authz.Principal{Username: "y", Role: authz.Village, Region: "32.04.28.2001"})
		if _, err := welfare.FamilyBreakdown(inside, r, a); err != nil {
			t.Errorf("family inside scope: %v", err)
		}
	})
}

// rowSource feeds rows to the importer.
type rowSource struct {
	header []string
	rows   [][]string
	i      int
}

func (s *rowSource) Header() []string { return s.header }
func (s *rowSource) Next() ([]string, registry.Pos, error) {
	if s.i >= len(s.rows) {
		return nil, registry.Pos{}, io.EOF
	}
	s.i++
	return s.rows[s.i-1], registry.Pos{Row: s.i + 1}, nil
}
func (s *rowSource) Progress() (int64, int64) { return int64(s.i), int64(len(s.rows)) }
func (s *rowSource) Close() error             { return nil }

// areaFamilies imports one-person families with the given floor areas, in
// villages of the given provinces (cycling), and returns their IDs in order.
func areaFamilies(t *testing.T, r *registry.Registry, areas []int, villages ...string) []int64 {
	t.Helper()
	if len(villages) == 0 {
		villages = []string{"31.71.03.1001"}
	}
	src := &rowSource{header: []string{"no_kk", "kode_wilayah", "luas_lantai", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "hubungan"}}
	for i, a := range areas {
		v := villages[i%len(villages)]
		d := strings.ReplaceAll(v[:8], ".", "")
		src.rows = append(src.rows, []string{fmt.Sprintf("%s150610%04d", d, i+1), v, fmt.Sprint(a),
			fmt.Sprintf("%s010180%04d", d, i+1), "Warga Uji", "L", "1980-01-01", "kepala_keluarga"})
	}
	res, err := r.Import(context.Background(), src, registry.ImportOptions{Actor: "test", Reason: "uji"})
	if err != nil || res.FamiliesAdded != int64(len(areas)) {
		t.Fatalf("import: %+v %v", res, err)
	}
	out := make([]int64, len(areas))
	for i, row := range src.rows {
		f, err := r.FindByKK(context.Background(), row[0])
		if err != nil {
			t.Fatal(err)
		}
		out[i] = f.ID
	}
	return out
}

const areaModel = `{"version": "luas-1", "effective_from": "2026-01-01", "title": "Luas lantai saja", "base": 0,
  "indicators": [{"name": "luas", "label": "Luas lantai", "source": "luas_lantai", "weight": 1}]}`

// decilesOf returns the decile of each family of a run.
func decilesOf(t *testing.T, db *store.DB, run int64) map[int64]int {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT family_id, decile FROM welfare_scores WHERE run_id = $1`, run)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var d int
		if err := rows.Scan(&id, &d); err != nil {
			t.Fatal(err)
		}
		out[id] = d
	}
	return out
}

func TestDecilesOfHundredFamilies(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		r := setup(t, db)
		addModel(t, db, areaModel)
		// Areas 1..100 in a scrambled order: family i has area perm[i].
		areas := make([]int, 100)
		for i := range areas {
			areas[i] = (i*37)%100 + 1
		}
		ids := areaFamilies(t, r, areas)
		res := rank(t, db, welfare.Options{Model: "luas-1", Streams: 4})
		got := decilesOf(t, db, res.ID)
		per := map[int]int{}
		for i, id := range ids {
			want := (areas[i]-1)/10 + 1
			if got[id] != want {
				t.Errorf("family with area %d: decile %d, want %d", areas[i], got[id], want)
			}
			per[got[id]]++
		}
		for d := 1; d <= 10; d++ {
			if per[d] != 10 {
				t.Errorf("decile %d has %d families", d, per[d])
			}
		}
		table := res.Deciles[""]
		if len(table) != 10 || table[0].Min != 1 || table[0].Max != 10 || table[9].Min != 91 || table[9].Max != 100 || table[4].Families != 10 {
			t.Errorf("decile table %+v", table)
		}
	})
}

func TestTiesShareADecile(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		r := setup(t, db)
		addModel(t, db, areaModel)
		// Ten families; three tie at 3 across the boundary of deciles 3-5:
		// all three take decile 3 (two families score lower), the next
		// score has five below it and starts decile 6.
		areas := []int{5, 3, 8, 1, 3, 6, 2, 7, 3, 4}
		want := map[int]int{1: 1, 2: 2, 3: 3, 4: 6, 5: 7, 6: 8, 7: 9, 8: 10}
		ids := areaFamilies(t, r, areas)
		first := rank(t, db, welfare.Options{Model: "luas-1"})
		// Read in three ranges of IDs at once: the same deciles.
		second := rank(t, db, welfare.Options{Model: "luas-1", Streams: 3})
		d1, d2 := decilesOf(t, db, first.ID), decilesOf(t, db, second.ID)
		for i, id := range ids {
			if d1[id] != want[areas[i]] {
				t.Errorf("area %d: decile %d, want %d", areas[i], d1[id], want[areas[i]])
			}
			if d2[id] != d1[id] {
				t.Errorf("area %d: decile %d in one run, %d in the next", areas[i], d1[id], d2[id])
			}
		}
	})
}

func TestRerunKeepsHistory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := setup(t, db)
		addModel(t, db, tinyModel)
		a, _ := twoFamilies(t, r)
		first := rank(t, db, welfare.Options{Model: "uji-1"})
		// The register changes, then a new run.
		f, _, err := r.GetFamily(ctx, a, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		f.FloorMaterial = "keramik"
		if _, err := r.UpdateFamily(ctx, registry.Edit{Actor: "test", Reason: "renovasi"}, a, f.Version, f); err != nil {
			t.Fatal(err)
		}
		second := rank(t, db, welfare.Options{Model: "uji-1"})
		if second.ID == first.ID {
			t.Fatal("same run id")
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM welfare_scores WHERE run_id = $1`, first.ID).Scan(&n); err != nil || n != 2 {
			t.Fatalf("first run has %d rows (%v)", n, err)
		}
		cur, err := welfare.CurrentRun(ctx, db)
		if err != nil || cur.ID != second.ID {
			t.Fatalf("current run %d, %v", cur.ID, err)
		}
		bd, err := welfare.FamilyBreakdown(ctx, r, a)
		if err != nil {
			t.Fatal(err)
		}
		if bd.Score != 9 || bd.FamilyVersion != 2 || len(bd.History) != 2 || bd.History[0].RunID != second.ID ||
			bd.History[1].RunID != first.ID || bd.History[1].Score != 1 {
			t.Errorf("breakdown after re-run: score %v version %d history %+v", bd.Score, bd.FamilyVersion, bd.History)
		}
		for _, c := range bd.Contributions {
			if c.Indicator == "lantai" && (c.Value == nil || *c.Value != "Keramik" || c.Points != 3) {
				t.Errorf("lantai after renovation: %+v", c)
			}
		}
	})
}

func TestByProvince(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		r := setup(t, db)
		addModel(t, db, areaModel)
		// Twenty families alternating between Jakarta and NTT, areas 1..20:
		// Jakarta gets the odd areas, NTT the even ones.
		areas := make([]int, 20)
		for i := range areas {
			areas[i] = i + 1
		}
		ids := areaFamilies(t, r, areas, "31.71.03.1001", "53.07.01.2001")
		national := rank(t, db, welfare.Options{Model: "luas-1"})
		prov := rank(t, db, welfare.Options{Model: "luas-1", ByProvince: true, Streams: 2})
		dn, dp := decilesOf(t, db, national.ID), decilesOf(t, db, prov.ID)
		for i, id := range ids {
			if want := i/2 + 1; dn[id] != want {
				t.Errorf("area %d: national decile %d, want %d", areas[i], dn[id], want)
			}
			if want := i/2 + 1; dp[id] != want {
				// Within its province the family is the (i/2+1)-th of ten.
				t.Errorf("area %d: provincial decile %d, want %d", areas[i], dp[id], want)
			}
		}
		if len(prov.Deciles) != 2 || len(prov.Deciles["31"]) != 10 || prov.Deciles["53"][0].Min != 2 {
			t.Errorf("provincial table %+v", prov.Deciles)
		}
		if !prov.ByProvince || national.ByProvince {
			t.Error("by_province not kept")
		}
	})
}

// generatorSource feeds the seed generator to the importer.
type generatorSource struct {
	g   *seed.Generator
	row int
}

func (s *generatorSource) Header() []string { return seed.Columns }
func (s *generatorSource) Next() ([]string, registry.Pos, error) {
	r, err := s.g.Next()
	if err != nil {
		return nil, registry.Pos{}, err
	}
	s.row++
	return r, registry.Pos{Row: s.row + 1}, nil
}
func (s *generatorSource) Progress() (int64, int64) { return 0, 0 }
func (s *generatorSource) Close() error             { return nil }

// TestDefaultModelRanksSeedPopulation ranks a synthetic population whose
// housing and assets follow a latent welfare level: the heads the
// generator marks fakir miskin (most of them among its poorest tenth) must
// land mostly in the lowest deciles, and families with a formal-sector job
// in the upper ones.
func TestDefaultModelRanksSeedPopulation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := setup(t, db)
		var codes []string
		for _, rg := range region.Demo() {
			if rg.Level == 4 {
				codes = append(codes, rg.Code)
			}
		}
		g, err := seed.New(seed.Options{Seed: 7, Families: 2000, Villages: seed.Villages(codes, nil), Names: seed.BuiltinNames(),
			Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		imp, err := r.Import(ctx, &generatorSource{g: g}, registry.ImportOptions{Actor: "seed", Reason: "uji"})
		if err != nil || imp.FamiliesAdded != 2000 {
			t.Fatalf("import %+v %v", imp, err)
		}
		res := rank(t, db, welfare.Options{Streams: 2})
		if res.Model != welfare.DefaultModel().Version || res.Families != 2000 {
			t.Fatalf("run %+v", res.Run)
		}
		mean := func(cond string) (float64, float64, int) {
			var avg, low float64
			var n int
			err := db.QueryRow(ctx, `SELECT COALESCE(AVG(s.decile), 0), COALESCE(AVG(CASE WHEN s.decile <= 3 THEN 1.0 ELSE 0.0 END), 0), COUNT(*)
FROM welfare_scores s WHERE s.run_id = $1 AND s.family_id IN (SELECT family_id FROM person WHERE valid_to IS NULL AND `+cond+`)`, res.ID).Scan(&avg, &low, &n)
			if err != nil {
				t.Fatal(err)
			}
			return avg, low, n
		}
		poorAvg, poorLow, poorN := mean(`relation = 'kepala_keluarga' AND ppks LIKE '%fakir_miskin%'`)
		richAvg, richLow, richN := mean(`occupation IN ('asn', 'dokter', 'dosen', 'karyawan_bumn', 'pemilik_perusahaan')`)
		t.Logf("fakir miskin: %d families, mean decile %.2f, %.0f%% in deciles 1-3", poorN, poorAvg, 100*poorLow)
		t.Logf("formal jobs: %d families, mean decile %.2f, %.0f%% in deciles 1-3", richN, richAvg, 100*richLow)
		if poorN < 40 || richN < 40 {
			t.Fatalf("too few marked families: %d, %d", poorN, richN)
		}
		if poorAvg > 3 || poorLow < 0.6 {
			t.Errorf("fakir miskin families are not ranked poor: mean decile %.2f, %.0f%% in deciles 1-3", poorAvg, 100*poorLow)
		}
		if richAvg < 6.5 {
			t.Errorf("families with formal jobs are not ranked better off: mean decile %.2f", richAvg)
		}
		// The breakdown recomputes values in Go from the register as of the
		// run: it shows them only when they give the stored contributions
		// back, so this checks the Go and SQL aggregates agree.
		rows, err := db.Query(ctx, `SELECT family_id FROM welfare_scores WHERE run_id = $1 ORDER BY family_id LIMIT 60`, res.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			_ = rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			bd, err := welfare.FamilyBreakdown(ctx, r, id)
			if err != nil {
				t.Fatal(err)
			}
			if bd.Contributions[0].Value == nil {
				t.Errorf("family %d: values computed in Go do not give the stored contributions", id)
			}
		}
	})
}

func TestResumeRedoesUnfinishedRun(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := setup(t, db)
		addModel(t, db, areaModel)
		areaFamilies(t, r, []int{4, 2, 9})
		// A run that stopped half-way: its row says berjalan and a stray score is left.
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO welfare_runs (id, model_version, by_province, state, data_as_of, started_at, started_by)
VALUES (77, 'luas-1', FALSE, 'berjalan', 0, 0, 'job')`); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO welfare_scores (run_id, family_id, family_version, province, score, decile, contributions)
VALUES (77, 999, 1, '31', 5, 3, '[5]')`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := welfare.CurrentRun(ctx, db); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("an unfinished run is current: %v", err)
		}
		res := rank(t, db, welfare.Options{RunID: 77})
		if res.ID != 77 || res.Families != 3 || res.Model != "luas-1" {
			t.Fatalf("resumed run %+v", res.Run)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM welfare_scores WHERE run_id = 77 AND family_id = 999`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("stray row kept: %d %v", n, err)
		}
		again := rank(t, db, welfare.Options{RunID: 77})
		if again.ID != 77 || again.State != welfare.StateFinished || again.Families != 3 {
			t.Errorf("finished run taken up again: %+v", again.Run)
		}
	})
}

func TestModelDocuments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		bad := strings.Replace(tinyModel, `"source": "aset.kulkas"`, `"source": "aset.kulkass"`, 1)
		_, err := welfare.CreateModel(ctx, db, []byte(bad), "test")
		var inv *errs.Invalid
		if !errors.As(err, &inv) || len(inv.Fields) != 1 || inv.Fields[0].Field != "indicators[1].source" ||
			!strings.Contains(inv.Fields[0].Reason, "sumber tidak dikenal") || !strings.Contains(inv.Fields[0].Reason, `"aset.kulkas"`) {
			t.Fatalf("unknown source: %v", err)
		}
		models, err := welfare.ListModels(ctx, db, "2026-06-01")
		if err != nil || len(models) != 1 || !models[0].InEffect || models[0].Version != welfare.DefaultModel().Version {
			t.Fatalf("models after a refused document: %+v %v", models, err)
		}
		addModel(t, db, tinyModel)
		if _, err := welfare.CreateModel(ctx, db, []byte(tinyModel), "test"); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("same version twice: %v", err)
		}
		later := strings.Replace(strings.Replace(tinyModel, `"uji-1"`, `"uji-2"`, 1), "2026-01-01", "2027-01-01", 1)
		addModel(t, db, later)
		models, _ = welfare.ListModels(ctx, db, "2026-06-01")
		var inEffect []string
		for _, m := range models {
			if m.InEffect {
				inEffect = append(inEffect, m.Version)
			}
		}
		if len(models) != 3 || len(inEffect) != 1 || inEffect[0] != "uji-1" {
			t.Errorf("models %+v", models)
		}
		m, err := welfare.GetModel(ctx, db, "uji-1")
		if err != nil || len(m.Indicators) != 7 {
			t.Errorf("get model: %v", err)
		}
		// An embedded default edited without a new version is caught.
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE welfare_models SET document = document || ' ' WHERE version = $1`, welfare.DefaultModel().Version)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := welfare.ListModels(ctx, db, "2026-06-01"); err == nil || !strings.Contains(err.Error(), "harus dinaikkan") {
			t.Errorf("changed default model: %v", err)
		}
	})
}

func TestParseModelRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, from, to, field, reason string
	}{
		{"unknown field", `"missing": -1}`, `"missing": -1, "bobot": 2}`, "dokumen", `kolom tidak dikenal "bobot"`},
		{"unknown code", `"keramik": 3`, `"keramikk": 3`, "indicators[0].values", `kode "keramikk" bukan kode lantai`},
		{"values on a number", `"weight": 4}`, `"values": {"ya": 1}}`, "indicators[1].values", "berupa angka"},
		{"bands out of order", `{"below": 4, "points": 0}`, `{"below": 1, "points": 0}`, "indicators[2].bands[1].below", "harus naik"},
		{"open band not last", `{"below": 2, "points": 6}`, `{"points": 6}`, "indicators[2].bands[0].below", "hanya pita terakhir"},
		{"duplicate name", `"name": "kulkas"`, `"name": "lantai"`, "indicators[1].name", "dua kali"},
		{"zero weight", `"weight": 0.5`, `"weight": 0`, "indicators[5].weight", "bukan nol"},
		{"bad date", `"2026-01-01"`, `"1 Januari 2026"`, "effective_from", "TTTT-BB-HH"},
		{"not json", `{`, `[`, "dokumen", "bukan JSON yang sah"},
		{"wrong type", `"base": 10`, `"base": "10"`, "dokumen", `kolom "base" harus bertipe`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(tinyModel, tc.from, tc.to, 1)
			if doc == tinyModel {
				t.Fatalf("replacement %q not applied", tc.from)
			}
			_, err := welfare.ParseModel([]byte(doc))
			var inv *errs.Invalid
			if !errors.As(err, &inv) {
				t.Fatalf("accepted: %v", err)
			}
			for _, f := range inv.Fields {
				if f.Field == tc.field && strings.Contains(f.Reason, tc.reason) {
					return
				}
			}
			t.Errorf("got %v, want %s: …%s…", err, tc.field, tc.reason)
		})
	}
	if _, err := welfare.ParseModel(welfare.DefaultModelJSON()); err != nil {
		t.Errorf("default model: %v", err)
	}
}

// TestModelDocumentation checks that docs/welfare-model.md names every
// source a model may use and every indicator of the default model.
func TestModelDocumentation(t *testing.T) {
	b, err := os.ReadFile("../../docs/welfare-model.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, s := range welfare.SourceNames() {
		if !strings.Contains(doc, "`"+s+"`") {
			t.Errorf("docs/welfare-model.md does not describe source %s", s)
		}
	}
	for _, ind := range welfare.DefaultModel().Indicators {
		name := ind.Name
		if strings.HasPrefix(name, "aset_") || strings.HasPrefix(name, "ternak_") || name == "status_rumah" || name == "status_lahan" ||
			name == "ada_disabilitas" || name == "disabilitas_berat" {
			continue // described in a grouped row
		}
		if !strings.Contains(doc, "| `"+name+"`") {
			t.Errorf("docs/welfare-model.md does not describe default indicator %s", name)
		}
	}
	if !strings.Contains(doc, welfare.DefaultModel().Version) {
		t.Error("docs/welfare-model.md does not name the default model version")
	}
}
