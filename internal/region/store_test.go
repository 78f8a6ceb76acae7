package region

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

func codesOf(rs []Region) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Code
	}
	return out
}

// updatedAt returns every region's updated_at, to prove a no-op import
// touched nothing.
func updatedAt(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT code, updated_at FROM regions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var c string
		var u int64
		if err := rows.Scan(&c, &u); err != nil {
			t.Fatal(err)
		}
		out[c] = u
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustImport(t *testing.T, db *store.DB, rows []Region) ImportResult {
	t.Helper()
	res, err := Import(context.Background(), db, rows)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestImportDemo(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		demo := Demo()
		res := mustImport(t, db, demo)
		want := ImportResult{Total: len(demo), Added: len(demo), AddedSample: codesOf(demo[:20])}
		if !reflect.DeepEqual(res, want) {
			t.Fatalf("first import:\n got %+v\nwant %+v", res, want)
		}
		before := updatedAt(t, db)
		time.Sleep(2 * time.Millisecond) // a rewrite would show a new updated_at

		res = mustImport(t, db, demo)
		if want := (ImportResult{Total: len(demo), Unchanged: len(demo)}); !reflect.DeepEqual(res, want) || res.Changed() {
			t.Fatalf("second import:\n got %+v\nwant %+v", res, want)
		}
		if after := updatedAt(t, db); !reflect.DeepEqual(before, after) {
			t.Fatal("second import rewrote rows")
		}

		s := Store{DB: db}
		t.Run("Get", func(t *testing.T) {
			r, err := s.Get(ctx, "32.04.28.2001")
			want := Region{"32.04.28.2001", "Rancaekek Wetan", 4, "32.04.28", true}
			if err != nil || r != want {
				t.Fatalf("got %+v, %v", r, err)
			}
			r, err = s.Get(ctx, "53")
			if err != nil || r != (Region{"53", "Nusa Tenggara Timur", 1, "", true}) {
				t.Fatalf("got %+v, %v", r, err)
			}
			for _, code := range []string{"11.01", "", "bad"} {
				if _, err := s.Get(ctx, code); !errors.Is(err, store.ErrNoRows) || !store.IsNoRows(err) {
					t.Errorf("Get(%q): %v, want store.ErrNoRows", code, err)
				}
			}
		})
		t.Run("Children", func(t *testing.T) {
			ps, err := s.Children(ctx, "")
			if err != nil || len(ps) != 38 || ps[0] != (Region{"11", "Aceh", 1, "", true}) || ps[37].Code != "96" {
				t.Fatalf("provinces: %d, %v", len(ps), err)
			}
			for code, want := range map[string][]string{
				"32":            {"32.04", "32.73"},
				"32.04":         {"32.04.28", "32.04.29"},
				"31.71.07":      {"31.71.07.1001", "31.71.07.1002", "31.71.07.1003", "31.71.07.1004", "31.71.07.1005", "31.71.07.1006", "31.71.07.1007"},
				"11":            nil,
				"32.04.28.2001": nil,
			} {
				got, err := s.Children(ctx, code)
				if err != nil || !slices.Equal(codesOf(got), want) {
					t.Errorf("Children(%q) = %v, %v; want %v", code, codesOf(got), err, want)
				}
			}
			if _, err := s.Children(ctx, "32.4"); err == nil {
				t.Error("Children of a malformed code: no error")
			}
		})
		t.Run("Ancestors", func(t *testing.T) {
			got, err := s.Ancestors(ctx, "53.07.01.2021")
			want := []Region{
				{"53", "Nusa Tenggara Timur", 1, "", true},
				{"53.07", "Kabupaten Sikka", 2, "53", true},
				{"53.07.01", "Paga", 3, "53.07", true},
				{"53.07.01.2021", "Regapu’u", 4, "53.07.01", true},
			}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v, %v", got, err)
			}
			if got, err := s.Ancestors(ctx, "31"); err != nil || len(got) != 1 || got[0].Code != "31" {
				t.Fatalf("province: %+v, %v", got, err)
			}
			if _, err := s.Ancestors(ctx, "11.01"); !errors.Is(err, store.ErrNoRows) {
				t.Fatalf("absent: %v", err)
			}
			if _, err := s.Ancestors(ctx, "11.1"); err == nil || errors.Is(err, store.ErrNoRows) {
				t.Fatalf("malformed: %v", err)
			}
		})
		t.Run("Count", func(t *testing.T) {
			got, err := s.Count(ctx)
			if want := map[int]int{1: 38, 2: 4, 3: 8, 4: 93}; err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("got %v, %v; want %v", got, err, want)
			}
		})
		t.Run("DistrictCodes", func(t *testing.T) {
			got, err := s.DistrictCodes(ctx)
			want := map[string]bool{"317103": true, "317107": true, "320428": true, "320429": true,
				"327312": true, "327315": true, "530701": true, "530708": true}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("got %v, %v", got, err)
			}
		})
		t.Run("VillageCodes", func(t *testing.T) {
			for scope, n := range map[string]int{"": 93, "32": 44, "32.04": 28, "32.04.28": 14, "32.04.28.2001": 1,
				"53.07.08": 20, "11": 0, "11.01": 0, "32.04.28.2999": 0} {
				got, err := s.VillageCodes(ctx, scope)
				if err != nil || len(got) != n || !slices.IsSorted(got) {
					t.Errorf("VillageCodes(%q): %d codes, %v; want %d sorted", scope, len(got), err, n)
				}
				for _, c := range got {
					if Level(c) != LevelVillage || !Contains(scope, c) {
						t.Errorf("VillageCodes(%q) returned %s", scope, c)
					}
				}
			}
			for _, bad := range []string{"3", "32.0", "32.04.2"} {
				if _, err := s.VillageCodes(ctx, bad); err == nil {
					t.Errorf("VillageCodes(%q): no error", bad)
				}
			}
		})
	})
}

// demoChanged is Demo with one village renamed, one removed and one added.
func demoChanged() []Region {
	var out []Region
	for _, r := range Demo() {
		switch r.Code {
		case "53.07.01.2021":
			r.Name = "Regapu'u" // ASCII apostrophe
		case "31.71.07.1007":
			continue
		}
		out = append(out, r)
	}
	out = append(out, Region{Code: "31.71.07.1008", Name: "Kelurahan Uji"})
	return out
}

func TestImportChanges(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := Store{DB: db}
		demo := Demo()
		mustImport(t, db, demo)

		changed := demoChanged()
		res := mustImport(t, db, changed)
		want := ImportResult{
			Total: len(demo), Added: 1, Renamed: 1, Removed: 1, Unchanged: len(demo) - 2,
			AddedSample:   []string{"31.71.07.1008"},
			RenamedSample: []string{"53.07.01.2021"},
			RemovedSample: []string{"31.71.07.1007"},
		}
		if !reflect.DeepEqual(res, want) {
			t.Fatalf("changed import:\n got %+v\nwant %+v", res, want)
		}
		removed, err := s.Get(ctx, "31.71.07.1007")
		if err != nil || removed.Active || removed.Name != "Kampung Bali" {
			t.Fatalf("removed region: %+v, %v; want kept, inactive", removed, err)
		}
		if r, err := s.Get(ctx, "53.07.01.2021"); err != nil || r.Name != "Regapu'u" || !r.Active {
			t.Fatalf("renamed region: %+v, %v", r, err)
		}
		if r, err := s.Get(ctx, "31.71.07.1008"); err != nil || r != (Region{"31.71.07.1008", "Kelurahan Uji", 4, "31.71.07", true}) {
			t.Fatalf("added region: %+v, %v", r, err)
		}
		kids, _ := s.Children(ctx, "31.71.07")
		if c := codesOf(kids); slices.Contains(c, "31.71.07.1007") || !slices.Contains(c, "31.71.07.1008") || len(c) != 7 {
			t.Fatalf("children after change: %v", c)
		}
		if vs, _ := s.VillageCodes(ctx, "31.71.07"); slices.Contains(vs, "31.71.07.1007") {
			t.Fatal("inactive village listed")
		}
		if a, err := s.Ancestors(ctx, "31.71.07.1007"); err != nil || len(a) != 4 || a[3].Active {
			t.Fatalf("ancestors of an inactive village: %+v, %v", a, err)
		}

		// The same changed list again: nothing to do (the removed code is
		// already inactive).
		res = mustImport(t, db, changed)
		if want := (ImportResult{Total: len(changed), Unchanged: len(changed)}); !reflect.DeepEqual(res, want) {
			t.Fatalf("changed list again:\n got %+v\nwant %+v", res, want)
		}

		// Back to the demo: the removed code is reactivated, the added one
		// removed, the rename undone.
		res = mustImport(t, db, demo)
		want = ImportResult{
			Total: len(demo), Renamed: 1, Removed: 1, Reactivated: 1, Unchanged: len(demo) - 2,
			RenamedSample:     []string{"53.07.01.2021"},
			RemovedSample:     []string{"31.71.07.1008"},
			ReactivatedSample: []string{"31.71.07.1007"},
		}
		if !reflect.DeepEqual(res, want) {
			t.Fatalf("reactivating import:\n got %+v\nwant %+v", res, want)
		}
		if r, err := s.Get(ctx, "31.71.07.1007"); err != nil || !r.Active {
			t.Fatalf("reactivated region: %+v, %v", r, err)
		}
		if r, err := s.Get(ctx, "31.71.07.1008"); err != nil || r.Active {
			t.Fatalf("removed test region: %+v, %v", r, err)
		}
		if got, _ := s.Count(ctx); got[4] != 93 {
			t.Fatalf("villages: %d", got[4])
		}

		// A code that comes back under a new name is both reactivated and renamed.
		back := append(Demo(), Region{Code: "31.71.07.1008", Name: "Kelurahan Uji Baru"})
		res = mustImport(t, db, back)
		if res.Added != 0 || res.Reactivated != 1 || res.Renamed != 1 || res.Removed != 0 || res.Unchanged != len(demo) {
			t.Fatalf("back under a new name: %+v", res)
		}

		// Removing a whole district: every code goes inactive, none is deleted,
		// and the district stays known for NIK checks.
		var noDistrict []Region
		for _, r := range Demo() {
			if !Contains("32.73.15", r.Code) {
				noDistrict = append(noDistrict, r)
			}
		}
		res = mustImport(t, db, noDistrict)
		if res.Removed != 1+8+1 || res.Added != 0 || res.Unchanged != len(noDistrict) {
			t.Fatalf("district removed: %+v", res)
		}
		if kids, _ := s.Children(ctx, "32.73"); !slices.Equal(codesOf(kids), []string{"32.73.12"}) {
			t.Fatalf("children of 32.73: %v", codesOf(kids))
		}
		if ds, _ := s.DistrictCodes(ctx); !ds["327315"] || len(ds) != 8 {
			t.Fatalf("district codes: %v", ds)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM regions`).Scan(&n); err != nil || n != len(demo)+1 {
			t.Fatalf("%d rows in regions, want %d (nothing deleted)", n, len(demo)+1)
		}
	})
}

func TestImportRefusesBadRows(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mustImport(t, db, Demo())
		before := updatedAt(t, db)
		for name, tc := range map[string]struct {
			rows []Region
			want string
		}{
			"empty":          {nil, "empty list refused"},
			"bad code":       {append(Demo(), Region{Code: "32.4", Name: "X"}), `row 144: region code "32.4"`},
			"empty name":     {append(Demo(), Region{Code: "32.05", Name: " "}), "row 144: region 32.05: empty name"},
			"duplicate":      {append(Demo(), Region{Code: "11", Name: "Aceh"}), "row 144: duplicate code 11 (first in row 1)"},
			"missing parent": {append(Demo(), Region{Code: "11.01.01", Name: "X"}), "row 144: parent 11.01 of 11.01.01 is not in the list"},
		} {
			_, err := Import(ctx, db, tc.rows)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want error containing %q", name, err, tc.want)
			}
		}
		if after := updatedAt(t, db); !reflect.DeepEqual(before, after) {
			t.Fatal("a refused import changed the table")
		}
	})
}

// TestImportRollback: a transaction that fails after staging leaves neither
// changes nor the staging table behind, so the next import works.
func TestImportRollback(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		staged, err := stage(Demo())
		if err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err = db.Write(ctx, func(tx *store.Tx) error {
			if _, err := apply(ctx, tx, staged, store.Micros(store.Now())); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `CREATE TEMP TABLE `+stagingTable+` (code TEXT)`); err != nil {
				return err // apply must have dropped it
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		if got, _ := (Store{DB: db}).Count(ctx); len(got) != 0 {
			t.Fatalf("rolled-back import visible: %v", got)
		}
		for range 2 {
			if res := mustImport(t, db, Demo()); res.Total != 143 {
				t.Fatalf("%+v", res)
			}
		}
	})
}

// TestImportKemendagri imports the official 2025 list twice.
func TestImportKemendagri(t *testing.T) {
	start := time.Now()
	rows := readKemendagri(t)
	t.Logf("ReadCSV: %d rows in %v", len(rows), time.Since(start).Round(time.Millisecond))
	if testing.Short() {
		t.Skip("full national import skipped in -short mode")
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := Store{DB: db}

		start := time.Now()
		res := mustImport(t, db, rows)
		t.Logf("first import (%s): %v in %v", db.Engine(), res, time.Since(start).Round(time.Millisecond))
		if res.Total != 91599 || res.Added != 91599 || len(res.AddedSample) != 20 || res.AddedSample[0] != "11" {
			t.Fatalf("first import: %+v", res)
		}
		got, err := s.Count(ctx)
		if want := map[int]int{1: 38, 2: 514, 3: 7285, 4: 83762}; err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("count %v, %v; want %v", got, err, want)
		}
		// Level and parent are derived in SQL: they must agree with Go.
		stored, err := s.list(ctx, `SELECT `+regionColumns+` FROM regions ORDER BY code`)
		if err != nil || !reflect.DeepEqual(stored, rows) {
			t.Fatalf("stored regions differ from the file (%d rows, %v)", len(stored), err)
		}

		start = time.Now()
		res = mustImport(t, db, rows)
		t.Logf("second import (%s): %v in %v", db.Engine(), res, time.Since(start).Round(time.Millisecond))
		if want := (ImportResult{Total: 91599, Unchanged: 91599}); !reflect.DeepEqual(res, want) {
			t.Fatalf("second import: %+v", res)
		}

		ds, err := s.DistrictCodes(ctx)
		if err != nil || len(ds) != 7285 || !ds["320428"] {
			t.Fatalf("district codes: %d, %v", len(ds), err)
		}
		vs, err := s.VillageCodes(ctx, "")
		if err != nil || len(vs) != 83762 || !slices.IsSorted(vs) {
			t.Fatalf("village codes: %d, %v", len(vs), err)
		}
		if vs, err := s.VillageCodes(ctx, "32.04"); err != nil || len(vs) != 280 {
			// Kabupaten Bandung: 10 kelurahan and 270 desa.
			t.Errorf("villages of 32.04: %d, %v", len(vs), err)
		}
		if a, err := s.Ancestors(ctx, "91.03.01.3007"); err != nil || len(a) != 4 || a[1].Name != "Kabupaten Jayapura" {
			t.Errorf("ancestors: %+v, %v", a, err)
		}
	})
}

// TestImportConcurrent: imports running at the same time are serialized and
// both succeed; the table ends equal to one of the lists.
func TestImportConcurrent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mustImport(t, db, Demo())
		lists := [][]Region{demoChanged(), Demo(), demoChanged(), Demo()}
		errs := make(chan error, len(lists))
		for _, l := range lists {
			go func() {
				_, err := Import(ctx, db, l)
				errs <- err
			}()
		}
		for range lists {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		got, err := (Store{DB: db}).Count(ctx)
		if err != nil || got[4] != 93 {
			t.Fatalf("count %v, %v", got, err)
		}
	})
}
