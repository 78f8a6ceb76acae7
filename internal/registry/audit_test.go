package registry_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// trail returns the entries after seq, oldest first.
func trail(t *testing.T, db *store.DB, after int64) []audit.Entry {
	t.Helper()
	es, err := audit.Search(context.Background(), db, audit.Filter{OldestFirst: true, AfterSeq: after, Limit: audit.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func lastSeq(t *testing.T, db *store.DB) int64 {
	t.Helper()
	es, err := audit.Search(context.Background(), db, audit.Filter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) == 0 {
		return 0
	}
	return es[0].Seq
}

// actions summarises entries as "action object/id person region".
func actions(es []audit.Entry) string {
	var s []string
	for _, e := range es {
		s = append(s, fmt.Sprintf("%s %s/%d p%d %s", e.Action, e.ObjectType, e.ObjectID, e.PersonID, e.Region))
	}
	return strings.Join(s, "; ")
}

func newPerson(nik, name, sex, birth, relation string) registry.Person {
	return registry.Person{NIK: nik, Name: name, Sex: sex, BirthDate: birth, Relation: relation}
}

func newFamily(kk, village, address string) registry.Family {
	return registry.Family{KK: kk, VillageCode: village, Address: address, FloorMaterial: "semen"}
}

var fullNumber = regexp.MustCompile(`[0-9]{12,}`)

// noFullNumbers fails when any stored entry holds 12 or more digits in a row.
func noFullNumbers(t *testing.T, db *store.DB) {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT seq, actor, region, action, before_data, after_data FROM audit_log`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var a, b, c, d, e string
		if err := rows.Scan(&seq, &a, &b, &c, &d, &e); err != nil {
			t.Fatal(err)
		}
		if s := a + b + c + d + e; fullNumber.MatchString(s) {
			t.Errorf("entry %d holds a full number: %s", seq, s)
		}
	}
}

func verifyChain(t *testing.T, db *store.DB) int64 {
	t.Helper()
	res, err := audit.Verify(context.Background(), db, audit.VerifyOptions{})
	if err != nil || res.Broken != nil {
		t.Fatalf("verify: %v %v", err, res.Broken)
	}
	return res.Entries
}

func TestAuditChanges(t *testing.T) {
	runRegistry(t, func(t *testing.T, r *registry.Registry) {
		ctx := authz.With(audit.WithRequest(context.Background(), "req-9", "198.51.100.4"),
			authz.Principal{Username: "ani", Role: authz.District, Region: "32.01"})
		e := registry.Edit{Actor: "user:ani", Reason: "pendataan baru"}
		head := newPerson(head1, "Budi Santoso", "L", "1980-05-12", "kepala_keluarga")
		wife := newPerson(wife1, "Siti Aminah", "P", "1985-03-07", "istri")
		wife.MotherName, wife.Disability, wife.PPKS = "Ratna", "fisik", []string{"korban_kekerasan"}
		f, members, err := r.CreateFamily(ctx, e, newFamily(kk1, "32.01.01.2002", "Jl. Melati 1"), []registry.Person{head, wife})
		if err != nil {
			t.Fatal(err)
		}
		es := trail(t, r.DB, 0)
		want := fmt.Sprintf("keluarga.buat keluarga/%d p0 32.01.01.2002; orang.buat orang/%d p%[2]d 32.01.01.2002; orang.buat orang/%d p%[3]d 32.01.01.2002",
			f.ID, members[0].ID, members[1].ID)
		if got := actions(es); got != want {
			t.Fatalf("create:\n got %s\nwant %s", got, want)
		}
		c := es[0]
		if c.Actor != "ani" || c.Role != "dinsos" || c.ActorRegion != "32.01" || c.RequestID != "req-9" || c.ClientAddr != "198.51.100.4" ||
			!c.At.Equal(f.ValidFrom) || c.After["no_kk"] != "3201**********01" || c.After["alamat"] != "Jl. Melati 1" ||
			c.After["alasan_perubahan"] != "pendataan baru" || c.Before != nil {
			t.Errorf("family entry: %+v", c)
		}
		w := es[2].After
		if w["nik"] != "3201**********01" || w["nama"] != "Siti Aminah" || w["nama_ibu"] != audit.Hidden ||
			w["disabilitas"] != audit.Hidden || w["ppks"] != audit.Hidden || w["valid_from"] != nil || w["version"] != nil {
			t.Errorf("person entry: %v", w)
		}

		// A change records the changed fields only; an unchanged save records nothing.
		seq := lastSeq(t, r.DB)
		g := f
		g.Address, g.FloorMaterial = "Jl. Melati 3", "keramik"
		g2, err := r.UpdateFamily(ctx, registry.Edit{Actor: "user:ani", Reason: "pindah rumah"}, f.ID, 1, g)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.UpdateFamily(ctx, registry.Edit{Actor: "user:ani", Reason: "simpan lagi"}, f.ID, 2, g2); err != nil {
			t.Fatal(err)
		}
		es = trail(t, r.DB, seq)
		if len(es) != 1 || es[0].Action != "keluarga.ubah" ||
			fmt.Sprint(es[0].Before) != "map[alamat:Jl. Melati 1 lantai:semen versi:1]" ||
			fmt.Sprint(es[0].After) != "map[alamat:Jl. Melati 3 alasan_perubahan:pindah rumah lantai:keramik versi:2]" {
			t.Fatalf("update: %s %v %v", actions(es), es[0].Before, es[0].After)
		}

		// A change that fails records nothing.
		seq = lastSeq(t, r.DB)
		if _, err := r.UpdateFamily(ctx, e, f.ID, 1, g); err == nil {
			t.Fatal("stale version accepted")
		}
		if _, _, err := r.CreateFamily(ctx, e, newFamily(kk1, "32.01.01.2002", "lagi"), nil); err == nil {
			t.Fatal("repeated KK accepted")
		}
		if es := trail(t, r.DB, seq); len(es) != 0 {
			t.Fatalf("failed changes recorded: %s", actions(es))
		}

		// Moving the family to another village versions its members too: one entry each.
		g2.VillageCode = "32.01.01.1001"
		g3, err := r.UpdateFamily(ctx, registry.Edit{Actor: "user:ani", Reason: "pemekaran"}, f.ID, 2, g2)
		if err != nil {
			t.Fatal(err)
		}
		es = trail(t, r.DB, seq)
		if got := actions(es); got != fmt.Sprintf("keluarga.ubah keluarga/%d p0 32.01.01.1001; orang.ubah orang/%d p%[2]d 32.01.01.1001; orang.ubah orang/%d p%[3]d 32.01.01.1001",
			f.ID, members[0].ID, members[1].ID) {
			t.Fatalf("move: %s", got)
		}
		if fmt.Sprint(es[1].Before) != "map[kode_wilayah:32.01.01.2002 versi:1]" {
			t.Errorf("member move: %v", es[1].Before)
		}

		seq = lastSeq(t, r.DB)
		if _, err := r.SetFamilyStatus(ctx, e, f.ID, g3.Version, "ditidurkan", "ganda"); err != nil {
			t.Fatal(err)
		}
		kid := newPerson(kid1, "Muhammad Rizki", "L", "2010-01-01", "anak")
		k, err := r.AddMember(ctx, e, f.ID, kid)
		if err != nil {
			t.Fatal(err)
		}
		k.Name = "Muhammad Rizky"
		k.Disability = "sensorik"
		k2, err := r.UpdatePerson(ctx, registry.Edit{Actor: "user:ani", Reason: "ejaan"}, k.ID, 1, k)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.SetPersonStatus(ctx, e, k.ID, k2.Version, "pindah", "ikut orang tua"); err != nil {
			t.Fatal(err)
		}
		es = trail(t, r.DB, seq)
		if got := actions(es); got != fmt.Sprintf("keluarga.status keluarga/%d p0 32.01.01.1001; orang.buat orang/%d p%[2]d 32.01.01.1001; orang.ubah orang/%[2]d p%[2]d 32.01.01.1001; orang.status orang/%[2]d p%[2]d 32.01.01.1001",
			f.ID, k.ID) {
			t.Fatalf("status and member: %s", got)
		}
		if fmt.Sprint(es[0].After) != "map[alasan_perubahan:pendataan baru alasan_status:ganda status:ditidurkan versi:4]" {
			t.Errorf("family status: %v", es[0].After)
		}
		if fmt.Sprint(es[2].Before) != "map[disabilitas:[disamarkan] nama:Muhammad Rizki versi:1]" ||
			fmt.Sprint(es[2].After) != "map[alasan_perubahan:ejaan disabilitas:[disamarkan] nama:Muhammad Rizky versi:2]" {
			t.Errorf("person update: %v %v", es[2].Before, es[2].After)
		}

		// The command line has no principal: the edit's actor, as the system.
		seq = lastSeq(t, r.DB)
		p, err := r.FindByNIK(ctx, head1)
		if err != nil {
			t.Fatal(err)
		}
		p.Occupation = "buruh"
		if _, err := r.UpdatePerson(context.Background(), registry.Edit{Actor: "cli:root", Reason: "koreksi"}, p.ID, p.Version, p); err != nil {
			t.Fatal(err)
		}
		es = trail(t, r.DB, seq)
		if len(es) != 1 || es[0].Actor != "cli:root" || es[0].Role != "admin" || es[0].ActorRegion != "" || es[0].RequestID != "" {
			t.Fatalf("command line: %+v", es)
		}
		noFullNumbers(t, r.DB)
		verifyChain(t, r.DB)
	})
}

func TestAuditViews(t *testing.T) {
	runRegistry(t, func(t *testing.T, r *registry.Registry) {
		ctx := authz.With(context.Background(), authz.Principal{Username: "ina", Role: authz.SocialWorker, Region: "32.01"})
		if _, _, err := importString(t, r, goodCSV, registry.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		f, err := r.FindByKK(ctx, kk1)
		if err != nil {
			t.Fatal(err)
		}
		p, err := r.FindByNIK(ctx, wife1)
		if err != nil {
			t.Fatal(err)
		}
		seq := lastSeq(t, r.DB)
		// Reads for lists, searches and lookups write nothing.
		if _, _, err := r.GetFamily(ctx, f.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.GetPerson(ctx, p.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.ListFamilies(ctx, "", 0, 10); err != nil {
			t.Fatal(err)
		}
		if _, err := r.SearchPeople(ctx, "", "siti", 10); err != nil {
			t.Fatal(err)
		}
		if es := trail(t, r.DB, seq); len(es) != 0 {
			t.Fatalf("reads recorded: %s", actions(es))
		}
		// Views of full records write one entry each.
		at := time.Now()
		if _, members, err := r.ViewFamily(ctx, f.ID, time.Time{}); err != nil || len(members) != 3 {
			t.Fatal(err)
		}
		if _, err := r.ViewPerson(ctx, p.ID, at); err != nil {
			t.Fatal(err)
		}
		if _, err := r.ViewPersonByNIK(ctx, wife1); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.ViewFamilyByKK(ctx, kk1); err != nil {
			t.Fatal(err)
		}
		if _, err := r.ViewFamilyHistory(ctx, f.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := r.ViewPersonHistory(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		// Not found, or outside the scope: nothing shown, nothing recorded.
		if _, err := r.ViewPerson(ctx, 999999, time.Time{}); err == nil {
			t.Fatal("missing person shown")
		}
		out := authz.With(context.Background(), authz.Principal{Username: "lain", Role: authz.SocialWorker, Region: "31.71"})
		if _, err := r.ViewPerson(out, p.ID, time.Time{}); err == nil {
			t.Fatal("person outside scope shown")
		}
		es := trail(t, r.DB, seq)
		v := "32.01.01.2002"
		want := fmt.Sprintf("lihat keluarga/%d p0 %s; lihat orang/%d p%[3]d %[2]s; lihat orang/%[3]d p%[3]d %[2]s; lihat keluarga/%[1]d p0 %[2]s; lihat.riwayat keluarga/%[1]d p0 %[2]s; lihat.riwayat orang/%[3]d p%[3]d %[2]s",
			f.ID, v, p.ID)
		if got := actions(es); got != want {
			t.Fatalf("views:\n got %s\nwant %s", got, want)
		}
		if es[0].Actor != "ina" || es[0].Role != "pendamping" || es[0].After != nil || es[1].After["pada"] == nil ||
			es[2].After["dicari_dengan"] != "nik" || es[3].After["dicari_dengan"] != "no_kk" {
			t.Errorf("view entries: %+v", es)
		}
		// An export is recorded before its first row.
		seq = lastSeq(t, r.DB)
		var rows strings.Builder
		if _, err := r.Export(ctx, "32.01.01", registry.NewCSVWriter(&rows)); err != nil {
			t.Fatal(err)
		}
		es = trail(t, r.DB, seq)
		if len(es) != 1 || es[0].Action != "ekspor.register" || es[0].Region != "32.01.01" || es[0].After["wilayah"] != "32.01.01" {
			t.Fatalf("export: %+v", es)
		}
		verifyChain(t, r.DB)
	})
}

func TestAuditImports(t *testing.T) {
	runRegistry(t, func(t *testing.T, r *registry.Registry) {
		// The first load (an empty register, the bulk path): one entry per
		// batch, naming the families' ID range; the rows carry who and why.
		if _, _, err := importString(t, r, goodCSV, registry.ImportOptions{Actor: "cli:op", Reason: "BDT 2026"}); err != nil {
			t.Fatal(err)
		}
		es := trail(t, r.DB, 0)
		f1, _ := r.FindByKK(context.Background(), kk1)
		f2, _ := r.FindByKK(context.Background(), kk2)
		first, last := min(f1.ID, f2.ID), max(f1.ID, f2.ID)
		if got := actions(es); got != fmt.Sprintf("import.keluarga.massal register/%d p0 32.01.01", first) {
			t.Fatalf("first load: %s", got)
		}
		if es[0].Actor != "cli:op" || fmt.Sprint(es[0].After) != fmt.Sprintf("map[alasan_perubahan:BDT 2026 baris_pertama:2 baris_terakhir:5 jiwa:4 keluarga:2 keluarga_pertama:%d keluarga_terakhir:%d]", first, last) {
			t.Errorf("import entry: %+v", es[0])
		}
		if f1.ChangedBy != "cli:op" || f1.ChangeReason != "BDT 2026" {
			t.Errorf("family row: changed by %q, reason %q", f1.ChangedBy, f1.ChangeReason)
		}
		if n := verifyChain(t, r.DB); n != 1 {
			t.Fatalf("verified %d entries", n)
		}
		// The same file again writes nothing, and records nothing.
		if _, _, err := importString(t, r, goodCSV, registry.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if n := len(trail(t, r.DB, 1)); n != 0 {
			t.Fatalf("unchanged import recorded %d entries", n)
		}
		// A changed member of an unchanged family: the family was written to.
		changed := strings.Replace(goodCSV, "pelajar,smp,0101234567", "buruh,,", 1)
		if _, _, err := importString(t, r, changed, registry.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		es = trail(t, r.DB, 1)
		if len(es) != 1 || es[0].ObjectID != f1.ID || fmt.Sprint(es[0].After) != "map[alasan_perubahan:impor berkas anggota_baru:0 anggota_berubah:1 keluarga:tetap no_kk:3201**********01 versi:1]" {
			t.Fatalf("changed import: %+v", es)
		}
		noFullNumbers(t, r.DB)
		if n := verifyChain(t, r.DB); n != 2 {
			t.Fatalf("verified %d entries", n)
		}
	})
}

// TestAuditFailureLeavesNoChange: when the entry cannot be written, the
// change it records is not written either, on the bulk path too, and a
// record whose view cannot be recorded is not shown.
func TestAuditFailureLeavesNoChange(t *testing.T) {
	runRegistry(t, func(t *testing.T, r *registry.Registry) {
		ctx := context.Background()
		exec := func(q string) {
			t.Helper()
			if err := r.DB.Write(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q); return err }); err != nil {
				t.Fatal(err)
			}
		}
		exec(`ALTER TABLE audit_log RENAME TO audit_log_gone`)
		if _, _, err := importString(t, r, goodCSV, registry.ImportOptions{}); err == nil {
			t.Fatal("import without its trail succeeded")
		}
		e := registry.Edit{Actor: "cli:x", Reason: "uji"}
		if _, _, err := r.CreateFamily(ctx, e, newFamily(kk1, "32.01.01.2002", "Jl. Melati 1"),
			[]registry.Person{newPerson(head1, "Budi Santoso", "L", "1980-05-12", "kepala_keluarga")}); err == nil {
			t.Fatal("change without its trail succeeded")
		}
		if n := count(t, r.DB, `SELECT (SELECT COUNT(*) FROM family) + (SELECT COUNT(*) FROM person)`); n != 0 {
			t.Fatalf("%d rows written without their trail", n)
		}
		exec(`ALTER TABLE audit_log_gone RENAME TO audit_log`)
		f, _, err := r.CreateFamily(ctx, e, newFamily(kk1, "32.01.01.2002", "Jl. Melati 1"),
			[]registry.Person{newPerson(head1, "Budi Santoso", "L", "1980-05-12", "kepala_keluarga")})
		if err != nil {
			t.Fatal(err)
		}
		// The head goes missing: changes and views stop, the register stays as it was.
		exec(`DELETE FROM audit_head`)
		g := f
		g.Address = "Jl. Lain"
		if _, err := r.UpdateFamily(ctx, e, f.ID, 1, g); err == nil {
			t.Fatal("change without its trail succeeded")
		}
		if _, _, err := r.ViewFamily(ctx, f.ID, time.Time{}); err == nil {
			t.Fatal("view without its trail shown")
		}
		if cur, _, _ := r.GetFamily(ctx, f.ID, time.Time{}); cur.Version != 1 || cur.Address != "Jl. Melati 1" {
			t.Fatalf("family changed without its trail: %+v", cur)
		}
	})
}
