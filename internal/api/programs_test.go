package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// bpnt2027 is a BPNT version from 2027 whose exclusion is expr.
func bpnt2027(expr string) string {
	return `{
  "program": "BPNT",
  "name": "Sembako 2027",
  "effective_from": "2027-01-01",
  "unit": "family",
  "decile_max": 4,
  "exclusions": [
    {
      "code": "pekerjaan_dikecualikan",
      "scope": "member",
      "expr": "` + expr + `",
      "reason": "anggota keluarga {nama} dikecualikan"
    }
  ],
  "benefit": {"kind": "flat", "amounts": [{"code": "sembako", "label": "Saldo pangan", "monthly": 250000}]},
  "calendars": [{"channel": "bank", "cadence": "bimonthly", "year": 2027}]
}`
}

func TestProgramAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		if _, err := program.NewStore(db).InstallDefaults(ctx); err != nil {
			t.Fatal(err)
		}
		for _, u := range []struct{ name, role, region string }{
			{"penyusun", string(authz.Program), ""}, {"pemeriksa", string(authz.Program), ""}, {"opdesa", string(authz.Village), "32.04.28.2001"},
		} {
			if _, err := e.auth.CreateUser(ctx, u.name, "kata-sandi-"+u.name, u.role, u.region); err != nil {
				t.Fatal(err)
			}
		}
		maker := e.login(t, "penyusun", "kata-sandi-penyusun")
		checker := e.login(t, "pemeriksa", "kata-sandi-pemeriksa")
		village := e.login(t, "opdesa", "kata-sandi-opdesa")

		var list struct {
			Versions []program.Version `json:"versions"`
		}
		checker.do(t, "GET", "/api/v1/programs", nil).expect(t, http.StatusOK, &list)
		if len(list.Versions) != len(program.Codes) || list.Versions[0].Status != program.StatusApproved || list.Versions[0].Document != nil {
			t.Fatalf("list: %+v", list.Versions)
		}

		// An expression that does not compile is refused at its place.
		p := maker.do(t, "POST", "/api/v1/programs/BPNT/versions", bpnt2027("member.status == 'aktif' && member.no_such_field")).
			problem(t, http.StatusUnprocessableEntity)
		if len(p.Errors) == 0 || p.Errors[0].Field != "exclusions[0].expr" || !strings.Contains(p.Errors[0].Reason, "baris 1 kolom ") {
			t.Fatalf("bad expression: %+v", p)
		}
		// Broken JSON is answered with its line and column too.
		p = maker.do(t, "POST", "/api/v1/programs/BPNT/versions", "{\n  \"program\": \"BPNT\",\n  oops\n}").problem(t, http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Reason, "baris 3 kolom") {
			t.Fatalf("bad JSON: %+v", p)
		}
		// A document for another program than the path's.
		maker.do(t, "POST", "/api/v1/programs/PKH/versions", bpnt2027("member.excluded_occupation")).problem(t, http.StatusUnprocessableEntity)
		// A village operator may not draft rules.
		village.do(t, "POST", "/api/v1/programs/BPNT/versions", bpnt2027("member.excluded_occupation")).problem(t, http.StatusForbidden)

		var draft program.Version
		maker.do(t, "POST", "/api/v1/programs/BPNT/versions?note=uji", bpnt2027("member.status == 'aktif' && member.excluded_occupation")).
			expect(t, http.StatusCreated, &draft)
		if draft.Status != program.StatusDraft || draft.Version < 2 || draft.CreatedBy != "user:penyusun" {
			t.Fatalf("draft: %+v", draft)
		}
		path := "/api/v1/programs/BPNT/versions/" + strconv.Itoa(draft.Version)
		var got program.Version
		checker.do(t, "GET", path, nil).expect(t, http.StatusOK, &got)
		if got.Document == nil || got.Document.Name != "Sembako 2027" {
			t.Fatalf("get: %+v", got)
		}
		if v, err := program.NewStore(db).Active(ctx, "BPNT", "2027-03-01"); err != nil || v.Version == draft.Version {
			t.Fatalf("a draft applies: %+v %v", v, err)
		}
		// Maker-checker: the maker may not approve.
		maker.do(t, "POST", path+"/approve", nil).problem(t, http.StatusForbidden)
		village.do(t, "POST", path+"/approve", nil).problem(t, http.StatusForbidden)
		var ok program.Version
		checker.do(t, "POST", path+"/approve", nil).expect(t, http.StatusOK, &ok)
		if ok.Status != program.StatusApproved || ok.ApprovedBy != "user:pemeriksa" {
			t.Fatalf("approve: %+v", ok)
		}
		if v, err := program.NewStore(db).Active(ctx, "BPNT", "2027-03-01"); err != nil || v.Version != draft.Version {
			t.Fatalf("active after approval: %+v %v", v, err)
		}
		// Approved versions are final.
		checker.do(t, "POST", path+"/approve", nil).problem(t, http.StatusConflict)
		checker.do(t, "POST", path+"/reject", map[string]string{"reason": "uji"}).problem(t, http.StatusConflict)
		checker.do(t, "GET", "/api/v1/programs/BPNT/versions/999", nil).problem(t, http.StatusNotFound)
	})
}
