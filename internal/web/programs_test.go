package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// progDoc is a BPNT version from 2027 whose exclusion is expr.
func progDoc(expr string) string {
	return `{
  "program": "BPNT",
  "name": "Sembako 2027",
  "effective_from": "2027-01-01",
  "unit": "family",
  "decile_max": 4,
  "exclusions": [
    {"code": "pekerjaan_dikecualikan", "scope": "member", "expr": "` + expr + `", "reason": "anggota keluarga {nama} dikecualikan"}
  ],
  "benefit": {"kind": "flat", "amounts": [{"code": "sembako", "label": "Saldo pangan", "monthly": 250000}]},
  "calendars": [{"channel": "bank", "cadence": "bimonthly", "year": 2027}]
}`
}

var progLink = regexp.MustCompile(`^/program/BPNT/(\d+)$`)

func TestProgramPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		if _, err := program.NewStore(db).InstallDefaults(ctx); err != nil {
			t.Fatal(err)
		}
		maker, checker := e.browser(), e.browser()
		maker.signIn(t, "admin", adminPw)
		checker.signIn(t, "operator", otherPw)

		resp, body := maker.get(t, "/program")
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "Aturan program", `href="/program/BPNT/1"`, "disetujui", `href="/program/baru"`)

		resp, body = maker.get(t, "/program/baru?program=BPNT")
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "<textarea", "Bantuan Pangan Non Tunai", "member.excluded_occupation")

		// An expression that does not compile: the problem at its place,
		// the text kept.
		csrf := maker.csrf(t)
		resp, body = maker.post(t, "/program/baru", url.Values{"csrf_token": {csrf}, "program": {"BPNT"},
			"dokumen": {progDoc("member.status == 'aktif' && member.no_such_field")}, "catatan": {"uji"}})
		expect(t, resp, body, http.StatusUnprocessableEntity)
		contains(t, body, "exclusions[0].expr baris 1 kolom ", "no_such_field", "Sembako 2027")
		if v, _ := program.NewStore(db).List(ctx, "BPNT"); len(v) != 1 {
			t.Fatalf("a bad draft was stored: %+v", v)
		}

		resp, body = maker.post(t, "/program/baru", url.Values{"csrf_token": {csrf}, "program": {"BPNT"},
			"dokumen": {progDoc("member.status == 'aktif' && member.excluded_occupation")}, "catatan": {"uji"}})
		expect(t, resp, body, http.StatusSeeOther)
		m := progLink.FindStringSubmatch(resp.Header.Get("Location"))
		if m == nil {
			t.Fatalf("draft: Location %q", resp.Header.Get("Location"))
		}
		page := m[0]
		resp, body = maker.get(t, page)
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "<pre", "Sembako 2027", "draf", "Anda menyusun versi ini")
		lacks(t, body, `action="`+page+`/setujui"`)
		// The maker may not approve.
		resp, body = maker.post(t, page+"/setujui", url.Values{"csrf_token": {csrf}})
		expect(t, resp, body, http.StatusForbidden)

		resp, body = checker.get(t, page)
		expect(t, resp, body, http.StatusOK)
		contains(t, body, `action="`+page+`/setujui"`, `action="`+page+`/tolak"`)
		resp, body = checker.post(t, page+"/setujui", url.Values{"csrf_token": {checker.csrf(t)}})
		expect(t, resp, body, http.StatusSeeOther)
		if v, err := program.NewStore(db).Active(ctx, "BPNT", "2027-03-01"); err != nil || "/program/BPNT/"+strconv.Itoa(v.Version) != page || v.ApprovedBy != "user:operator" {
			t.Fatalf("active after approval: %+v %v", v, err)
		}
		resp, body = checker.get(t, page)
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "disetujui", "user:operator")
		lacks(t, body, `action="`+page+`/setujui"`)

		// A village operator may neither see nor draft rules.
		if _, err := auth.New(db).CreateUser(ctx, "desa1", "kata-sandi-desa-1", string(authz.Village), village1); err != nil {
			t.Fatal(err)
		}
		village := e.browser()
		village.signIn(t, "desa1", "kata-sandi-desa-1")
		resp, body = village.post(t, "/program/baru", url.Values{"csrf_token": {village.csrf(t)}, "program": {"BPNT"}, "dokumen": {progDoc("true")}})
		expect(t, resp, body, http.StatusForbidden)
		resp, body = village.get(t, "/program")
		expect(t, resp, body, http.StatusForbidden)
		_, body = village.get(t, "/")
		lacks(t, body, `href="/program"`)
	})
}
