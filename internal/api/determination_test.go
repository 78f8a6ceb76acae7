package api_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
	"github.com/kemensos/jaring/internal/welfare"
)

// Two poor families in Kabupaten Bandung and one in Kota Bandung, ranked
// deciles 1, 2 and 1.
const determinationCSV = "no_kk,kode_wilayah,nik,nama,jenis_kelamin,tanggal_lahir,hubungan,pekerjaan\n" +
	"3204281506100001,32.04.28.2001,3204281205800001,Budi,L,1980-05-12,kepala_keluarga,petani\n" +
	"3204281506100002,32.04.29.2001,3204282008750001,Agus,L,1975-08-20,kepala_keluarga,buruh\n" +
	"3273121506100003,32.73.12.1001,3273121501700001,Joko,L,1970-01-15,kepala_keluarga,buruh\n"

// seedDetermination imports the families, installs the programs and stores
// a finished ranking.
func seedDetermination(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	src, err := registry.NewCSVReader(strings.NewReader(determinationCSV), int64(len(determinationCSV)), registry.SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := registry.New(db).Import(ctx, src, registry.ImportOptions{Actor: "tes", Reason: "tes"}); err != nil || res.FamiliesAdded != 3 {
		t.Fatalf("import %+v %v", res, err)
	}
	if _, err := program.NewStore(db).InstallDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	if err := welfare.EnsureDefault(ctx, db); err != nil {
		t.Fatal(err)
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO welfare_runs (id, model_version, by_province, state, data_as_of, started_at, started_by)
			VALUES (1, $1, FALSE, 'selesai', 0, 0, 'tes')`, welfare.DefaultModel().Version); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO welfare_scores (run_id, family_id, family_version, province, score, decile, contributions)
			SELECT 1, id, version, '32', id, CASE WHEN village_code LIKE '32.04.29%' THEN 2 ELSE 1 END, '[]' FROM family`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// runJob runs a job the way the server's runner would.
func runJob(t *testing.T, db *store.DB, id int64) {
	t.Helper()
	r := jobs.New(db, jobs.Options{Poll: 20 * time.Millisecond})
	determination.RegisterJob(r, db)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if in, err := r.RunNow(ctx, id); err != nil || in.State != jobs.Done {
		t.Fatalf("job %d: %+v %v", id, in, err)
	}
}

func TestDeterminationAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		seedDetermination(t, db)
		for _, u := range []struct{ name, role, region string }{
			{"pembuat", string(authz.Program), ""}, {"pemeriksa", string(authz.Program), ""}, {"dinsos", string(authz.District), "32.04"},
		} {
			if _, err := e.auth.CreateUser(ctx, u.name, "kata-sandi-"+u.name, u.role, u.region); err != nil {
				t.Fatal(err)
			}
		}
		maker := e.login(t, "pembuat", "kata-sandi-pembuat")
		checker := e.login(t, "pemeriksa", "kata-sandi-pemeriksa")
		district := e.login(t, "dinsos", "kata-sandi-dinsos")

		var st determination.Started
		maker.do(t, "POST", "/api/v1/determinations", map[string]any{"programs": []map[string]string{{"program": "BPNT", "period": "2026-B1"}}}).
			expect(t, http.StatusAccepted, &st)
		if len(st.Determinations) != 1 || st.Determinations[0].Status != determination.StatusRunning {
			t.Fatalf("start: %+v", st)
		}
		// The same request while it runs answers the running job.
		var again determination.Started
		checker.do(t, "POST", "/api/v1/determinations", map[string]any{"programs": []map[string]string{{"program": "BPNT", "period": "2026-B1"}}}).
			expect(t, http.StatusOK, &again)
		if !again.Existing || again.JobID != st.JobID {
			t.Fatalf("second start: %+v", again)
		}
		// A district office may read but not run.
		district.do(t, "POST", "/api/v1/determinations", map[string]any{"programs": []map[string]string{{"program": "PKH", "period": "2026-Q1"}}}).
			problem(t, http.StatusForbidden)
		runJob(t, db, st.JobID)
		id := st.Determinations[0].ID

		var got struct {
			Determination determination.Determination `json:"determination"`
			Regions       []determination.RegionRow   `json:"regions"`
		}
		checker.do(t, "GET", fmt.Sprintf("/api/v1/determinations/%d", id), nil).expect(t, http.StatusOK, &got)
		if got.Determination.Status != determination.StatusDraft || got.Determination.Recipients != 3 || got.Determination.Amount != 1_200_000 ||
			len(got.Regions) != 1 || got.Regions[0].Region != "32" {
			t.Fatalf("get: %+v", got)
		}
		// The district sees its own regency only, by district.
		district.do(t, "GET", fmt.Sprintf("/api/v1/determinations/%d", id), nil).expect(t, http.StatusOK, &got)
		if len(got.Regions) != 2 || got.Regions[0].Region != "32.04.28" || got.Regions[1].Region != "32.04.29" {
			t.Fatalf("district regions: %+v", got.Regions)
		}
		district.do(t, "GET", fmt.Sprintf("/api/v1/determinations/%d?region=32.73", id), nil).problem(t, http.StatusForbidden)
		var items struct {
			Items []determination.Item `json:"items"`
		}
		district.do(t, "GET", fmt.Sprintf("/api/v1/determinations/%d/items", id), nil).expect(t, http.StatusOK, &items)
		if len(items.Items) != 2 || items.Items[0].Amount != 400_000 || items.Items[0].ReasonCodes[0] != "layak" {
			t.Fatalf("district items: %+v", items)
		}
		res := district.do(t, "GET", fmt.Sprintf("/api/v1/determinations/%d/export?format=csv", id), nil)
		recs, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
		if res.Status != http.StatusOK || err != nil || len(recs) != 3 || recs[1][6] != "32.04.28.2001" || recs[1][9] != "400000" {
			t.Fatalf("export: %d %v %q", res.Status, err, res.Body)
		}
		if !strings.Contains(res.Header.Get("Content-Disposition"), "penetapan-BPNT-2026-B1-1") {
			t.Errorf("export file name: %s", res.Header.Get("Content-Disposition"))
		}

		// Maker-checker.
		maker.do(t, "POST", fmt.Sprintf("/api/v1/determinations/%d/approve", id), nil).problem(t, http.StatusForbidden)
		var fin determination.Determination
		checker.do(t, "POST", fmt.Sprintf("/api/v1/determinations/%d/approve", id), nil).expect(t, http.StatusOK, &fin)
		if fin.Status != determination.StatusFinal || fin.ApprovedBy != "pemeriksa" {
			t.Fatalf("approve: %+v", fin)
		}
		checker.do(t, "POST", fmt.Sprintf("/api/v1/determinations/%d/approve", id), nil).problem(t, http.StatusConflict)

		// A simulation: Rp300.000 a month for deciles 1 only.
		rules := map[string]any{"program": "BPNT", "name": "uji", "effective_from": "2026-01-01", "unit": "family", "decile_max": 1,
			"benefit": map[string]any{"kind": "flat", "amounts": []map[string]any{{"code": "sembako", "label": "Saldo pangan", "monthly": 300000}}}}
		maker.do(t, "POST", "/api/v1/simulations", map[string]any{"program": "BPNT", "period": "2026-B1", "rules": map[string]any{"program": "BPNT", "gaji": 1}}).
			problem(t, http.StatusUnprocessableEntity)
		var sim determination.Started
		maker.do(t, "POST", "/api/v1/simulations", map[string]any{"program": "BPNT", "period": "2026-B1", "rules": rules}).expect(t, http.StatusAccepted, &sim)
		runJob(t, db, sim.JobID)
		var diff struct {
			Regions []struct {
				Region     string `json:"region"`
				Entered    int64  `json:"entered"`
				Left       int64  `json:"left"`
				Changed    int64  `json:"changed_amount"`
				Recipients int64  `json:"recipients"`
				Amount     int64  `json:"amount"`
				BaseUnits  int64  `json:"base_recipients"`
				BaseAmount int64  `json:"base_amount"`
			} `json:"regions"`
		}
		checker.do(t, "GET", fmt.Sprintf("/api/v1/determinations/%d/diff?region=32", sim.Determinations[0].ID), nil).expect(t, http.StatusOK, &diff)
		want := "[{32.04 0 1 1 1 600000 2 800000} {32.73 0 0 1 1 600000 1 400000}]"
		if fmt.Sprint(diff.Regions) != want {
			t.Fatalf("simulation diff: %v, want %s", diff.Regions, want)
		}
		var list struct {
			Determinations []determination.Determination `json:"determinations"`
		}
		checker.do(t, "GET", "/api/v1/determinations?kind=penetapan", nil).expect(t, http.StatusOK, &list)
		if len(list.Determinations) != 1 || list.Determinations[0].Status != determination.StatusFinal {
			t.Fatalf("live list after a simulation: %+v", list)
		}
		checker.do(t, "POST", fmt.Sprintf("/api/v1/determinations/%d/approve", sim.Determinations[0].ID), nil).problem(t, http.StatusConflict)
	})
}
