package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/privacy"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// fullNIK reads a member's full NIK from the register directly (nationally,
// without an audit entry): the API answers it masked.
func (s *scenario) fullNIK(t *testing.T, m registry.Person) string {
	t.Helper()
	p, err := registry.New(s.e.db).GetPerson(context.Background(), m.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return p.NIK
}

// TestMaskingAndReveal: every answer of the register masks NIK and KK
// number; a record sent back masked keeps its numbers; the full NIK comes
// only from the reveal request, for roles with nik.reveal, with a reason,
// inside the caller's region, and each reveal is in the audit trail.
func TestMaskingAndReveal(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for _, u := range []struct{ name, role, region string }{
			{"operator", "desa", village1},
			{"provinsi", "provinsi", "32"},
			{"luar", "desa", "32.73.12.1001"},
		} {
			if _, err := e.auth.CreateUser(ctx, u.name, adminPass, u.role, u.region); err != nil {
				t.Fatal(err)
			}
		}
		admin := e.login(t, adminUser, adminPass)
		var v familyView
		admin.do(t, "POST", "/api/v1/families", familyBody{Family: family(kkA, village1, "JL. MELATI 1"), Reason: "baru",
			Members: []registry.Person{person(nikHead, "BUDI SANTOSO", "L", "1980-05-12", "kepala_keluarga"),
				person(nikWife, "SITI AMINAH", "P", "1985-03-07", "istri")}}).expect(t, http.StatusCreated, &v)
		head := v.Members[0]
		fid := v.Family.ID
		op := e.login(t, "operator", adminPass)
		prov := e.login(t, "provinsi", adminPass)
		out := e.login(t, "luar", adminPass)

		// No answer of the register carries a full number.
		for _, r := range []response{
			op.do(t, "GET", idPath("/api/v1/families/", fid), nil),
			op.do(t, "GET", idPath("/api/v1/families/", fid)+"/history", nil),
			op.do(t, "GET", "/api/v1/families?region="+village1, nil),
			op.do(t, "POST", "/api/v1/families/lookup", map[string]string{"no_kk": kkA}),
			op.do(t, "GET", idPath("/api/v1/people/", head.ID), nil),
			op.do(t, "GET", idPath("/api/v1/people/", head.ID)+"/history", nil),
			op.do(t, "POST", "/api/v1/people/lookup", map[string]string{"nik": nikHead}),
			op.do(t, "POST", "/api/v1/people/search", map[string]string{"q": "budi"}),
		} {
			if r.Status != http.StatusOK {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			for _, full := range []string{kkA, nikHead, nikWife} {
				if strings.Contains(string(r.Body), full) {
					t.Errorf("answer holds a full number: %s", r.Body)
				}
			}
			if !strings.Contains(string(r.Body), "3204**********01") {
				t.Errorf("answer lacks the masked number: %s", r.Body)
			}
		}

		// A record sent back as answered keeps its numbers.
		var p registry.Person
		op.do(t, "GET", idPath("/api/v1/people/", head.ID), nil).expect(t, http.StatusOK, &p)
		p.Occupation = "petani"
		op.do(t, "PUT", idPath("/api/v1/people/", head.ID), map[string]any{"person": p, "version": p.Version, "reason": "pekerjaan"}).
			expect(t, http.StatusOK, &p)
		var fv familyView
		op.do(t, "GET", idPath("/api/v1/families/", fid), nil).expect(t, http.StatusOK, &fv)
		fv.Family.Address = "JL. MELATI 2"
		op.do(t, "PUT", idPath("/api/v1/families/", fid), familyBody{Family: fv.Family, Version: fv.Family.Version, Reason: "alamat"}).
			expect(t, http.StatusOK, nil)
		cur, err := registry.New(db).GetPerson(ctx, head.ID, time.Time{})
		if err != nil || cur.NIK != nikHead || cur.Occupation != "petani" {
			t.Errorf("after a masked round trip: %+v %v", cur, err)
		}
		f, _, err := registry.New(db).GetFamily(ctx, fid, time.Time{})
		if err != nil || f.KK != kkA || f.Address != "JL. MELATI 2" {
			t.Errorf("family after a masked round trip: %+v %v", f, err)
		}
		// A masked number that is not this record's is refused, not guessed.
		p.NIK = "3273**********01"
		op.do(t, "PUT", idPath("/api/v1/people/", head.ID), map[string]any{"person": p, "version": p.Version, "reason": "x"}).invalid(t, "nik")

		// Reveal: needs a reason, the role and the region.
		path := idPath("/api/v1/people/", head.ID) + "/nik"
		op.do(t, "POST", path, map[string]string{}).invalid(t, "reason")
		op.do(t, "POST", path, map[string]string{"reason": strings.Repeat("x", 201)}).invalid(t, "reason")
		var rv struct {
			ID  int64  `json:"id"`
			NIK string `json:"nik"`
		}
		op.do(t, "POST", path, map[string]string{"reason": "verifikasi bansos 3204281205800001"}).expect(t, http.StatusOK, &rv)
		if rv.ID != head.ID || rv.NIK != nikHead {
			t.Errorf("reveal: %+v", rv)
		}
		prov.do(t, "POST", path, map[string]string{"reason": "ingin tahu"}).problem(t, http.StatusForbidden)
		out.do(t, "POST", path, map[string]string{"reason": "ingin tahu"}).problem(t, http.StatusNotFound)
		admin.do(t, "POST", "/api/v1/people/999999/nik", map[string]string{"reason": "x"}).problem(t, http.StatusNotFound)

		entries, err := audit.Search(ctx, db, audit.Filter{Action: privacy.ActRevealNIK})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Actor != "operator" || entries[0].PersonID != head.ID || entries[0].Region != village1 ||
			entries[0].ClientAddr == "" || entries[0].After["alasan"] != "verifikasi bansos "+nik.Mask(nikHead) {
			t.Errorf("reveal entries: %+v", entries)
		}
	})
}
