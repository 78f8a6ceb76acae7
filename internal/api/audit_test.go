package api_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

const (
	villageJakarta = "31.71.03.1001"
	kkJakarta      = "3171031506100001"
	nikJakarta     = "3171031205800001"
)

type auditPage struct {
	Entries       []audit.Entry `json:"entries"`
	NextBeforeSeq int64         `json:"next_before_seq"`
	NextAfterSeq  int64         `json:"next_after_seq"`
}

// TestAuditTrail: changes and views through the API are in the trail with
// who, where from and which request; the inspectorate searches and exports
// it within its region only; the chain verifies.
func TestAuditTrail(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		admin := e.login(t, adminUser, adminPass)
		a := e.createFamilyAs(t, admin, kkA, village1, person(nikHead, "BUDI SANTOSO", "L", "1980-05-12", "kepala_keluarga"))
		j := e.createFamilyAs(t, admin, kkJakarta, villageJakarta, person(nikJakarta, "JOKO SUSILO", "L", "1980-05-12", "kepala_keluarga"))
		head := a.Members[0].ID
		// Full records viewed four ways; a list is not a view.
		admin.do(t, "GET", idPath("/api/v1/families/", a.Family.ID), nil).expect(t, http.StatusOK, nil)
		res := admin.do(t, "GET", idPath("/api/v1/people/", head), nil)
		res.expect(t, http.StatusOK, nil)
		reqID := res.Header.Get("X-Request-ID")
		admin.do(t, "POST", "/api/v1/people/lookup", map[string]string{"nik": nikHead}).expect(t, http.StatusOK, nil)
		admin.do(t, "GET", idPath("/api/v1/people/", head)+"/history", nil).expect(t, http.StatusOK, nil)
		admin.do(t, "GET", idPath("/api/v1/people/", j.Members[0].ID), nil).expect(t, http.StatusOK, nil)
		admin.do(t, "GET", "/api/v1/families?region="+village1, nil).expect(t, http.StatusOK, nil)

		for _, u := range []struct{ name, role, region string }{
			{"ins-nasional", "inspektorat", ""}, {"ins-jabar", "inspektorat", "32"}, {"operator-desa", "desa", village1},
		} {
			if _, err := e.auth.CreateUser(ctx, u.name, "sandi-yang-panjang-1", u.role, u.region); err != nil {
				t.Fatal(err)
			}
		}
		nat := e.login(t, "ins-nasional", "sandi-yang-panjang-1")
		jabar := e.login(t, "ins-jabar", "sandi-yang-panjang-1")
		desa := e.login(t, "operator-desa", "sandi-yang-panjang-1")

		search := func(c *client, q string) auditPage {
			t.Helper()
			var p auditPage
			c.do(t, "GET", "/api/v1/audit"+q, nil).expect(t, http.StatusOK, &p)
			return p
		}
		// The person's trail: created, viewed, looked up by NIK, history viewed; newest first.
		p := search(nat, fmt.Sprintf("?person=%d", head))
		var got []string
		for _, en := range p.Entries {
			got = append(got, en.Action)
		}
		if strings.Join(got, " ") != "lihat.riwayat lihat lihat orang.buat" {
			t.Fatalf("person trail: %v", got)
		}
		view := p.Entries[2]
		if view.Actor != adminUser || view.Role != "admin" || view.Region != village1 || view.RequestID != reqID ||
			view.ClientAddr != "127.0.0.1" || view.ObjectType != "orang" || view.ObjectID != head || time.Since(view.At) > time.Minute {
			t.Errorf("view entry: %+v", view)
		}
		if p.Entries[1].After["dicari_dengan"] != "nik" {
			t.Errorf("lookup entry: %+v", p.Entries[1])
		}
		created := p.Entries[3]
		if created.After["nik"] != "3204**********01" || created.After["nama"] != "BUDI SANTOSO" {
			t.Errorf("create entry: %+v", created.After)
		}
		// Filters.
		for _, c := range []struct {
			q     string
			check func(audit.Entry) bool
		}{
			{"?action=lihat", func(en audit.Entry) bool { return strings.HasPrefix(en.Action, "lihat") }},
			{"?action=keluarga.buat", func(en audit.Entry) bool { return en.Action == "keluarga.buat" }},
			{"?actor=admin", func(en audit.Entry) bool { return en.Actor == "admin" }},
			{"?region=31", func(en audit.Entry) bool { return strings.HasPrefix(en.Region, "31") }},
			{"?region=" + village1 + "&action=lihat", func(en audit.Entry) bool { return en.Region == village1 && strings.HasPrefix(en.Action, "lihat") }},
			{"?from=" + time.Now().UTC().Format(time.DateOnly) + "&to=" + time.Now().UTC().Format(time.DateOnly), func(audit.Entry) bool { return true }},
		} {
			p := search(nat, c.q)
			if len(p.Entries) == 0 {
				t.Errorf("%s: nothing found", c.q)
			}
			for _, en := range p.Entries {
				if !c.check(en) {
					t.Errorf("%s: entry %+v", c.q, en)
				}
			}
		}
		if p := search(nat, "?from=2000-01-01&to=2000-01-02"); len(p.Entries) != 0 {
			t.Errorf("entries in 2000: %+v", p.Entries)
		}
		// Paging back, and following the trail forward.
		all := search(nat, "?limit=1000").Entries
		p = search(nat, "?limit=2")
		if len(p.Entries) != 2 || p.NextBeforeSeq != p.Entries[1].Seq || p.Entries[0].Seq != all[0].Seq {
			t.Fatalf("first page: %+v", p)
		}
		p2 := search(nat, fmt.Sprintf("?limit=2&before_seq=%d", p.NextBeforeSeq))
		if len(p2.Entries) != 2 || p2.Entries[0].Seq != all[2].Seq {
			t.Fatalf("second page: %+v", p2)
		}
		fwd := search(nat, "?after_seq=0&limit=3")
		if len(fwd.Entries) != 3 || fwd.Entries[0].Seq != 1 || fwd.Entries[2].Seq != 3 || fwd.NextAfterSeq != 3 {
			t.Fatalf("forward: %+v", fwd)
		}
		// The province inspectorate sees its province only.
		for _, en := range search(jabar, "?limit=1000").Entries {
			if !strings.HasPrefix(en.Region, "32") {
				t.Errorf("ins-jabar sees entry of region %q: %+v", en.Region, en)
			}
		}
		if p := search(jabar, fmt.Sprintf("?person=%d", j.Members[0].ID)); len(p.Entries) != 0 {
			t.Errorf("ins-jabar sees the Jakarta person's trail: %+v", p.Entries)
		}
		if p := search(jabar, fmt.Sprintf("?person=%d", head)); len(p.Entries) != 4 {
			t.Errorf("ins-jabar sees %d entries of a person in Jawa Barat", len(p.Entries))
		}
		jabar.do(t, "GET", "/api/v1/audit?region=31", nil).problem(t, http.StatusForbidden)
		jabar.do(t, "GET", "/api/v1/audit/export?region=31.71", nil).problem(t, http.StatusForbidden)
		// Others may not read the trail at all.
		desa.do(t, "GET", "/api/v1/audit", nil).problem(t, http.StatusForbidden)
		desa.do(t, "GET", "/api/v1/audit/export", nil).problem(t, http.StatusForbidden)
		e.anonymous().do(t, "GET", "/api/v1/audit", nil).problem(t, http.StatusUnauthorized)
		// Bad filters.
		for _, q := range []string{"?person=abc", "?person=" + nikHead + "x", "?region=3", "?from=kemarin", "?limit=-1"} {
			nat.do(t, "GET", "/api/v1/audit"+q, nil).problem(t, http.StatusUnprocessableEntity)
		}

		// The export: CSV of the province's entries, itself recorded.
		res = jabar.do(t, "GET", "/api/v1/audit/export?action=lihat", nil)
		if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %v %s", res.Status, res.Header, res.Body)
		}
		recs, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
		if err != nil || len(recs) < 4 || recs[0][0] != "seq" {
			t.Fatalf("export csv: %v %q", err, recs)
		}
		for _, r := range recs[1:] {
			if !strings.HasPrefix(r[5], "32") || !strings.HasPrefix(r[6], "lihat") {
				t.Errorf("export row: %q", r)
			}
		}
		p = search(nat, "?action=ekspor.audit")
		if len(p.Entries) != 1 || p.Entries[0].Actor != "ins-jabar" || p.Entries[0].Region != "32" || p.Entries[0].After["action"] != "lihat" {
			t.Errorf("export not recorded: %+v", p.Entries)
		}
		// No full NIK or KK number in the trail as the API answers it (hashes
		// and request IDs are hexadecimal and may hold long digit runs).
		for _, en := range search(nat, "?limit=1000").Entries {
			en.Hash, en.PrevHash, en.RequestID = "", "", ""
			if m := regexp.MustCompile(`\d{16}`).FindString(fmt.Sprintf("%+v", en)); m != "" {
				t.Errorf("entry %d holds a 16-digit number: %s", en.Seq, m)
			}
		}
		vr, err := audit.Verify(ctx, db, audit.VerifyOptions{})
		if err != nil || vr.Broken != nil || vr.Entries < 10 {
			t.Fatalf("verify: %+v %v", vr, err)
		}
	})
}

func (e *env) createFamilyAs(t *testing.T, c *client, kk, village string, head registry.Person) familyView {
	t.Helper()
	var v familyView
	c.do(t, "POST", "/api/v1/families", familyBody{Family: family(kk, village, "JL. AUDIT"), Members: []registry.Person{head}, Reason: "uji audit"}).
		expect(t, http.StatusCreated, &v)
	return v
}
