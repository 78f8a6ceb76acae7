package api_test

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
	"github.com/kemensos/jaring/internal/welfare"
)

const welfareTestModel = `{"version": "uji-api", "effective_from": "2026-01-01", "title": "Model uji API", "base": 10,
  "indicators": [
    {"name": "lantai", "label": "Jenis lantai", "source": "lantai", "values": {"tanah": -5, "keramik": 3}},
    {"name": "kulkas", "label": "Lemari es", "source": "aset.kulkas", "weight": 4},
    {"name": "anggota", "label": "Jumlah anggota", "source": "jumlah_anggota", "bands": [{"below": 2, "points": 6}, {"points": -1}]}
  ]}`

type welfareView struct {
	FamilyID      int64   `json:"family_id"`
	RunID         int64   `json:"run_id"`
	Model         string  `json:"model_version"`
	Score         float64 `json:"score"`
	Base          float64 `json:"base"`
	Decile        int     `json:"decile"`
	DecileLabel   string  `json:"decile_label"`
	Contributions []struct {
		Indicator string  `json:"indicator"`
		Label     string  `json:"label"`
		Value     *string `json:"value"`
		Points    float64 `json:"points"`
	} `json:"contributions"`
	History []struct {
		RunID  int64 `json:"run_id"`
		Decile int   `json:"decile"`
	} `json:"history"`
}

func TestWelfareAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		admin := e.login(t, adminUser, adminPass)
		if _, err := e.auth.CreateUser(ctx, "desa2", "kata-sandi-desa-2", string(authz.Village), village2); err != nil {
			t.Fatal(err)
		}
		villager := e.login(t, "desa2", "kata-sandi-desa-2")

		// Models: the default is listed; a document naming an unknown
		// attribute is refused field by field; a good one is stored once.
		var list struct {
			Models []welfare.ModelInfo `json:"models"`
		}
		admin.do(t, "GET", "/api/v1/welfare/models", nil).expect(t, http.StatusOK, &list)
		if len(list.Models) != 1 || list.Models[0].Version != welfare.DefaultModel().Version || !list.Models[0].InEffect {
			t.Fatalf("models %+v", list.Models)
		}
		bad := strings.Replace(welfareTestModel, `"source": "lantai"`, `"source": "lantai_rumah"`, 1)
		p := admin.do(t, "POST", "/api/v1/welfare/models", bad).problem(t, http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || p.Errors[0].Field != "indicators[0].source" || !strings.Contains(p.Errors[0].Reason, "sumber tidak dikenal") {
			t.Errorf("unknown source: %+v", p)
		}
		villager.do(t, "POST", "/api/v1/welfare/models", welfareTestModel).problem(t, http.StatusForbidden)
		r := admin.do(t, "POST", "/api/v1/welfare/models", welfareTestModel)
		if r.Status != http.StatusCreated || r.Header.Get("Location") != "/api/v1/welfare/models/uji-api" {
			t.Fatalf("create model: %d %s %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		admin.do(t, "POST", "/api/v1/welfare/models", welfareTestModel).problem(t, http.StatusConflict)
		var m welfare.Model
		villager.do(t, "GET", "/api/v1/welfare/models/uji-api", nil).expect(t, http.StatusOK, &m)
		if len(m.Indicators) != 3 || m.Indicators[1].Label != "Lemari es" {
			t.Errorf("model %+v", m)
		}
		admin.do(t, "GET", "/api/v1/welfare/models/tidak-ada", nil).problem(t, http.StatusNotFound)

		// Two families in two villages, ranked.
		reg := registry.New(db)
		edit := registry.Edit{Actor: "test", Reason: "uji"}
		poor, _, err := reg.CreateFamily(ctx, edit, registry.Family{KK: kkA, VillageCode: village1, FloorMaterial: "tanah"},
			[]registry.Person{person(nikHead, "BUDI SANTOSO", "L", "1980-05-12", "kepala_keluarga"), person(nikWife, "SITI AMINAH", "P", "1985-03-07", "istri")})
		if err != nil {
			t.Fatal(err)
		}
		rich, _, err := reg.CreateFamily(ctx, edit, registry.Family{KK: kkB, VillageCode: village2, FloorMaterial: "keramik", Assets: []string{"kulkas"}},
			[]registry.Person{person(nikB, "ACHMAD SOEKARNO", "L", "1975-08-20", "kepala_keluarga")})
		if err != nil {
			t.Fatal(err)
		}
		admin.do(t, "GET", idPath("/api/v1/families/", poor.ID)+"/welfare", nil).problem(t, http.StatusNotFound)

		// A ranking is started as a job; the server's runner would run it.
		villager.do(t, "POST", "/api/v1/welfare/runs", map[string]any{"model": "uji-api"}).problem(t, http.StatusForbidden)
		admin.do(t, "POST", "/api/v1/welfare/runs", map[string]any{"model": "tidak-ada"}).problem(t, http.StatusNotFound)
		var started struct {
			JobID    int64 `json:"job_id"`
			Existing bool  `json:"existing"`
		}
		admin.do(t, "POST", "/api/v1/welfare/runs", map[string]any{"model": "uji-api"}).expect(t, http.StatusAccepted, &started)
		var again struct {
			JobID    int64 `json:"job_id"`
			Existing bool  `json:"existing"`
		}
		admin.do(t, "POST", "/api/v1/welfare/runs", map[string]any{}).expect(t, http.StatusOK, &again)
		if started.JobID == 0 || started.Existing || again.JobID != started.JobID || !again.Existing {
			t.Fatalf("start ranking: %+v then %+v", started, again)
		}
		runner := jobs.New(db, jobs.Options{Poll: 20 * time.Millisecond})
		welfare.RegisterJob(runner, db)
		in, err := runner.RunNow(ctx, started.JobID)
		if err != nil || in.State != jobs.Done {
			t.Fatalf("ranking job: %+v %v", in, err)
		}
		run, err := welfare.CurrentRun(ctx, db)
		if err != nil || run.StartedBy != adminUser {
			t.Fatalf("current run %+v %v", run, err)
		}

		var w welfareView
		admin.do(t, "GET", idPath("/api/v1/families/", poor.ID)+"/welfare", nil).expect(t, http.StatusOK, &w)
		// 10 - 5 (tanah) + 0 (no fridge) - 1 (two members) = 4, the lower of two: decile 1.
		if w.Score != 4 || w.Decile != 1 || w.DecileLabel != "Sangat miskin" || w.RunID != run.ID || w.Model != "uji-api" || w.Base != 10 {
			t.Errorf("poor family: %+v", w)
		}
		if len(w.Contributions) != 3 || w.Contributions[0].Indicator != "lantai" || w.Contributions[0].Label != "Jenis lantai" ||
			w.Contributions[0].Points != -5 || w.Contributions[0].Value == nil || *w.Contributions[0].Value != "Tanah" ||
			w.Contributions[1].Points != -1 || w.Contributions[2].Points != 0 {
			t.Errorf("contributions %+v", w.Contributions)
		}
		if len(w.History) != 1 || w.History[0].RunID != run.ID {
			t.Errorf("history %+v", w.History)
		}
		var views int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = $1 AND object_type = $2 AND object_id = $3`,
			audit.ActView, audit.ObjFamily, poor.ID).Scan(&views); err != nil || views != 1 {
			t.Errorf("breakdown views in the audit trail: %d %v", views, err)
		}
		villager.do(t, "GET", idPath("/api/v1/families/", rich.ID)+"/welfare", nil).expect(t, http.StatusOK, &w)
		if w.Score != 23 || w.Decile != 6 || math.Abs(w.Contributions[0].Points) != 6 {
			t.Errorf("rich family: %+v", w)
		}
		// Outside the villager's region the family does not exist.
		villager.do(t, "GET", idPath("/api/v1/families/", poor.ID)+"/welfare", nil).problem(t, http.StatusNotFound)
		admin.do(t, "GET", "/api/v1/families/999999/welfare", nil).problem(t, http.StatusNotFound)

		var runs struct {
			Runs []welfare.Run `json:"runs"`
		}
		admin.do(t, "GET", "/api/v1/welfare/runs", nil).expect(t, http.StatusOK, &runs)
		if len(runs.Runs) != 1 || runs.Runs[0].ID != run.ID || runs.Runs[0].Families != 2 || runs.Runs[0].State != welfare.StateFinished {
			t.Errorf("runs %+v", runs.Runs)
		}
		e.anonymous().do(t, "GET", "/api/v1/welfare/runs", nil).problem(t, http.StatusUnauthorized)
	})
}
