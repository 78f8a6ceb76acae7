package registry_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

func TestImportIdempotentAndVersioned(t *testing.T) {
	runRegistry(t, func(t *testing.T, r *registry.Registry) {
		ctx := context.Background()
		res, rep, err := importString(t, r, goodCSV, registry.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.FamiliesAdded != 2 || res.PeopleAdded != 4 || res.Errors != 0 {
			t.Fatalf("first import: %+v\n%s", res, rep)
		}
		// The same file again changes nothing.
		res, rep, err = importString(t, r, goodCSV, registry.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.FamiliesUnchanged != 2 || res.PeopleUnchanged != 4 || res.FamiliesAdded+res.FamiliesChanged+res.PeopleAdded+res.PeopleChanged != 0 {
			t.Fatalf("second import: %+v\n%s", res, rep)
		}
		if n := count(t, r.DB, `SELECT COUNT(*) FROM person`); n != 4 {
			t.Fatalf("person rows after re-import: %d", n)
		}
		before := r.Now()
		// A changed file: the son finished school, the family got a ceramic floor.
		changed := strings.Replace(goodCSV, "semen", "keramik", 1)
		changed = strings.Replace(changed, "pelajar,smp,0101234567", "buruh,,", 1)
		res, rep, err = importString(t, r, changed, registry.ImportOptions{Reason: "pemutakhiran Musdes"})
		if err != nil {
			t.Fatal(err)
		}
		if res.FamiliesChanged != 1 || res.FamiliesUnchanged != 1 || res.PeopleChanged != 1 || res.PeopleUnchanged != 3 {
			t.Fatalf("changed import: %+v\n%s", res, rep)
		}
		f, err := r.FindByKK(ctx, kk1)
		if err != nil {
			t.Fatal(err)
		}
		hist, err := r.FamilyHistory(ctx, f.ID)
		if err != nil || len(hist) != 2 {
			t.Fatalf("history %d versions, err %v", len(hist), err)
		}
		if hist[0].FloorMaterial != "semen" || hist[1].FloorMaterial != "keramik" || hist[1].ChangeReason != "pemutakhiran Musdes" || hist[0].ValidTo == nil {
			t.Fatalf("history: %+v", hist)
		}
		// Read as of before the change.
		old, members, err := r.GetFamily(ctx, f.ID, before)
		if err != nil {
			t.Fatal(err)
		}
		if old.FloorMaterial != "semen" || len(members) != 3 {
			t.Fatalf("as-of read: floor %q, %d members", old.FloorMaterial, len(members))
		}
		for _, m := range members {
			if m.NIK == kid1 && m.SchoolLevel != "smp" {
				t.Fatalf("as-of member: %+v", m)
			}
		}
	})
}

func TestImportRejectsWholeFamily(t *testing.T) {
	runRegistry(t, func(t *testing.T, r *registry.Registry) {
		// The child's NIK has a letter: the whole family is rejected, the other family goes in.
		bad := strings.Replace(goodCSV, kid1, "32010101011O0001", 1)
		res, rep, err := importString(t, r, bad, registry.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.FamiliesAdded != 1 || res.FamiliesRejected != 1 || res.PeopleAdded != 1 {
			t.Fatalf("result %+v\n%s", res, rep)
		}
		if !strings.Contains(rep, "4,nik,") || !strings.Contains(rep, "angka") {
			t.Fatalf("report does not name row 4 and field nik:\n%s", rep)
		}
		if strings.Contains(rep, "32010101011O0001") {
			t.Fatalf("report shows a full NIK:\n%s", rep)
		}
		if n := count(t, r.DB, `SELECT COUNT(*) FROM person WHERE nik = $1`, head1); n != 0 {
			t.Fatal("half a family was written")
		}
	})
}

func TestImportBadInput(t *testing.T) {
	cases := []struct {
		name    string
		content string
		wantErr string // error of the whole import
		report  []string
		added   int64
	}{
		{name: "missing column", content: strings.Replace(goodCSV, ",hubungan", ",hubungn", 1), wantErr: "judul kolom",
			report: []string{"kolom 10,hubungn,kolom tidak dikenal", "hubungan,,kolom wajib tidak ada"}},
		{name: "no header row", content: strings.SplitN(goodCSV, "\n", 2)[1], wantErr: "judul kolom",
			report: []string{"kolom 1,****************,kolom tidak dikenal"}},
		{name: "BOM and CRLF", content: "\ufeff" + strings.ReplaceAll(goodCSV, "\n", "\r\n"), added: 2},
		{name: "latin1 bytes", content: strings.Replace(goodCSV, "Siti Aminah", "Siti Amin\xe1h", 1),
			report: []string{`3,nama,,"bukan teks UTF-8`}, added: 1},
		{name: "unbalanced quote", content: strings.Replace(goodCSV, "Siti Aminah", "\"Siti Aminah", 1),
			report: []string{"tanda kutip"}},
		{name: "impossible date", content: strings.Replace(goodCSV, "1975-08-20", "1975-02-30", 1),
			report: []string{"5,tanggal_lahir,1975-02-30"}, added: 1},
		{name: "same NIK twice", content: goodCSV + "3201011506100003,32.01.01.1001,,,," + head2 + ",Ahmad Sukarno,L,1975-08-20,kepala_keluarga,buruh,,\n",
			report: []string{"6,nik,", "sudah dipakai di baris 5"}, added: 2},
		{name: "family rows apart", content: goodCSV + kk1 + ",,,,,3201011111110001,Andi,L,2011-11-11,anak,,,\n",
			report: []string{"No. KK ini sudah muncul di baris 2"}, added: 2},
		{name: "two heads", content: strings.Replace(goodCSV, "istri", "kepala_keluarga", 1),
			report: []string{"3,hubungan,kepala_keluarga,keluarga hanya boleh punya satu kepala keluarga"}, added: 1},
		{name: "unknown village", content: strings.Replace(goodCSV, "32.01.01.1001", "32.01.01.9999", 1),
			report: []string{"5,kode_wilayah,32.01.01.9999"}, added: 1},
		{name: "family value differs", content: strings.Replace(goodCSV, kk1+",,,,,"+wife1, kk1+",32.01.02.2001,,,,"+wife1, 1),
			report: []string{"3,kode_wilayah,32.01.02.2001,berbeda dengan baris pertama"}, added: 1},
		{name: "too many cells", content: strings.Replace(goodCSV, "Siti Aminah,P", "Siti,Aminah,P", 1),
			report: []string{`3,-,,"baris berisi 14 kolom`}, added: 1},
		{name: "markup in name", content: strings.Replace(goodCSV, "Siti Aminah", "<script>x</script>", 1),
			report: []string{"3,nama"}, added: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			runRegistry(t, func(t *testing.T, r *registry.Registry) {
				res, rep, err := importString(t, r, tc.content, registry.ImportOptions{})
				if tc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("want error %q, got %v", tc.wantErr, err)
					}
				} else if err != nil {
					t.Fatalf("import: %v\n%s", err, rep)
				}
				for _, want := range tc.report {
					if !strings.Contains(rep, want) {
						t.Errorf("report lacks %q:\n%s", want, rep)
					}
				}
				if res.FamiliesAdded != tc.added {
					t.Errorf("families added %d, want %d (%+v)\n%s", res.FamiliesAdded, tc.added, res, rep)
				}
				if got := count(t, r.DB, `SELECT COUNT(*) FROM family`); int64(got) != tc.added {
					t.Errorf("family rows %d, want %d", got, tc.added)
				}
			})
		})
	}
}

func TestImportMoveBetweenFamilies(t *testing.T) {
	runRegistry(t, func(t *testing.T, r *registry.Registry) {
		ctx := context.Background()
		if _, rep, err := importString(t, r, goodCSV, registry.ImportOptions{}); err != nil {
			t.Fatal(err, rep)
		}
		// The son now appears on the second family's KK.
		moved := header + "\n" + kk2 + ",32.01.01.1001,Jl. Mawar 2,tanah,," + head2 + ",Achmad Soekarno,L,1975-08-20,kepala_keluarga,buruh,,\n" +
			kk2 + ",,,,," + kid1 + ",Muhammad Rizki,L,2010-01-01,cucu,pelajar,smp,0101234567\n"
		res, rep, err := importString(t, r, moved, registry.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.FamiliesRejected != 1 || !strings.Contains(rep, "3,nik,") || !strings.Contains(rep, "--allow-move") {
			t.Fatalf("move without --allow-move: %+v\n%s", res, rep)
		}
		res, rep, err = importString(t, r, moved, registry.ImportOptions{AllowMove: true})
		if err != nil || res.PeopleChanged != 1 {
			t.Fatalf("move: %+v %v\n%s", res, err, rep)
		}
		p, err := r.FindByNIK(ctx, kid1)
		if err != nil {
			t.Fatal(err)
		}
		f2, _ := r.FindByKK(ctx, kk2)
		f1, _ := r.FindByKK(ctx, kk1)
		if p.FamilyID != f2.ID || p.Relation != "cucu" {
			t.Fatalf("after move: %+v", p)
		}
		// The old family no longer lists him now, but did in the past.
		_, now1, _ := r.GetFamily(ctx, f1.ID, time.Time{})
		_, past1, _ := r.GetFamily(ctx, f1.ID, p.ValidFrom.Add(-time.Microsecond))
		if len(now1) != 2 || len(past1) != 3 {
			t.Fatalf("membership over time: now %d, before move %d", len(now1), len(past1))
		}
	})
}

// manyFamilies is a file of n valid families of two members each.
func manyFamilies(n int) string {
	var b strings.Builder
	b.WriteString(header + "\n")
	for i := 1; i <= n; i++ {
		kk := fmt.Sprintf("32010115061%05d", i)
		fmt.Fprintf(&b, "%s,32.01.01.2002,Jl. Melati %d,semen,,320101120580%04d,Budi Santoso,L,1980-05-12,kepala_keluarga,petani,,\n", kk, i, i)
		fmt.Fprintf(&b, "%s,,,,,320101470385%04d,Siti Aminah,P,1985-03-07,istri,mengurus_rumah_tangga,,\n", kk, i)
	}
	return b.String()
}

// TestBulkLoadFailureLeavesRegisterEmpty: a load into an empty register
// that the database refuses half-way, after earlier batches went in, leaves
// no family, person, audit entry or used ID behind, keeps the indexes,
// names the row of the failing batch, and the same file loads afterwards.
func TestBulkLoadFailureLeavesRegisterEmpty(t *testing.T) {
	runRegistry(t, func(t *testing.T, r *registry.Registry) {
		ctx := context.Background()
		exec := func(qs ...string) {
			t.Helper()
			for _, q := range qs {
				if err := r.DB.Write(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q); return err }); err != nil {
					t.Fatal(err)
				}
			}
		}
		// The database refuses the person of family 30 (rows 60 and 61).
		const refused = "3201014703850030"
		if r.DB.Engine() == store.Postgres {
			exec(`CREATE FUNCTION refuse_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.nik = '`+refused+`' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`,
				`CREATE TRIGGER refuse BEFORE INSERT ON person FOR EACH ROW EXECUTE FUNCTION refuse_person()`)
		} else {
			exec(`CREATE TRIGGER refuse BEFORE INSERT ON person WHEN NEW.nik = '` + refused + `' BEGIN SELECT RAISE(ABORT, 'refused'); END`)
		}
		idsBefore := count(t, r.DB, `SELECT COALESCE(SUM(next_id), 0) FROM id_counters`)
		auditBefore := count(t, r.DB, `SELECT COUNT(*) FROM audit_log`)
		file := manyFamilies(40)
		_, rep, err := importString(t, r, file, registry.ImportOptions{BatchFamilies: 4})
		if err == nil || !strings.Contains(err.Error(), "row 58") || !strings.Contains(err.Error(), "refused") {
			t.Fatalf("want the refusal at the batch starting on row 58, got %v\n%s", err, rep)
		}
		if n := count(t, r.DB, `SELECT (SELECT COUNT(*) FROM family) + (SELECT COUNT(*) FROM person)`); n != 0 {
			t.Fatalf("%d rows left by a failed load", n)
		}
		if n := count(t, r.DB, `SELECT COUNT(*) FROM audit_log`); n != auditBefore {
			t.Fatalf("audit entries %d, before %d", n, auditBefore)
		}
		if n := count(t, r.DB, `SELECT COALESCE(SUM(next_id), 0) FROM id_counters`); n != idsBefore {
			t.Fatalf("ID counters moved: %d, before %d", n, idsBefore)
		}
		indexes := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('family_current_kk', 'person_current_nik', 'person_current_village_name')`
		if r.DB.Engine() == store.Postgres {
			indexes = `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname IN ('family_current_kk', 'person_current_nik', 'person_current_village_name')`
		}
		if n := count(t, r.DB, indexes); n != 3 {
			t.Fatalf("%d of 3 indexes after the failed load", n)
		}
		exec(`DROP TRIGGER refuse` + map[bool]string{true: " ON person", false: ""}[r.DB.Engine() == store.Postgres])
		res, rep, err := importString(t, r, file, registry.ImportOptions{BatchFamilies: 4})
		if err != nil || res.FamiliesAdded != 40 || res.PeopleAdded != 80 {
			t.Fatalf("load after the failure: %+v %v\n%s", res, err, rep)
		}
		// IDs are numbered from the counters, which moved past them.
		if n := count(t, r.DB, `SELECT COUNT(DISTINCT id) FROM person`); n != 80 {
			t.Fatalf("%d distinct person IDs", n)
		}
		if n := count(t, r.DB, `SELECT COUNT(*) FROM id_counters WHERE (name = 'person' AND next_id = (SELECT MAX(id) + 1 FROM person)) OR (name = 'family' AND next_id = (SELECT MAX(id) + 1 FROM family))`); n != 2 {
			t.Fatal("ID counters do not follow the loaded IDs")
		}
		verifyChain(t, r.DB)
		res, _, err = importString(t, r, file, registry.ImportOptions{})
		if err != nil || res.FamiliesUnchanged != 40 || res.PeopleUnchanged != 80 {
			t.Fatalf("same file again: %+v %v", res, err)
		}
	})
}
