package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
	"github.com/kemensos/jaring/internal/welfare"
)

// rankFamilies stores a finished ranking: family 1 decile 1, family 2 decile 5.
func (e *env) rankFamilies(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := program.NewStore(e.db).InstallDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	if err := welfare.EnsureDefault(ctx, e.db); err != nil {
		t.Fatal(err)
	}
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO welfare_runs (id, model_version, by_province, state, data_as_of, started_at, started_by)
			VALUES (1, $1, FALSE, 'selesai', 0, 0, 'tes')`, welfare.DefaultModel().Version); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO welfare_scores (run_id, family_id, family_version, province, score, decile, contributions)
			VALUES (1, $1, 1, '32', 10, 1, '[]'), (1, $2, 1, '32', 50, 5, '[]')`, e.fam1, e.fam2)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// runJobs runs every queued determination job, as the server's runner would.
func (e *env) runJobs(t *testing.T) {
	t.Helper()
	r := jobs.New(e.db, jobs.Options{Poll: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	determination.RegisterJob(r, e.db)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, err := r.List(ctx, jobs.ListOptions{State: jobs.Queued})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range list {
		if got, err := r.RunNow(ctx, in.ID); err != nil || got.State != jobs.Done {
			t.Fatalf("job %d: %+v %v", in.ID, got, err)
		}
	}
}

var detLink = regexp.MustCompile(`^/(penetapan|simulasi)/(\d+)$`)

func TestDeterminationPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.rankFamilies(t)
		admin, operator := e.browser(), e.browser()
		admin.signIn(t, "admin", adminPw)
		operator.signIn(t, "operator", otherPw)

		resp, body := admin.get(t, "/penetapan")
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "Belum ada penetapan.", `action="/penetapan"`, `href="/simulasi"`)

		// A bad program is answered on the form.
		resp, body = admin.post(t, "/penetapan", url.Values{"csrf_token": {admin.csrf(t)}, "program": {"XYZ"}, "periode": {"2026-Q1"}})
		expect(t, resp, body, http.StatusNotFound)
		contains(t, body, `class="error"`, "XYZ")

		resp, body = admin.post(t, "/penetapan", url.Values{"csrf_token": {admin.csrf(t)}, "program": {"BPNT"}, "periode": {"2026-B1"}})
		expect(t, resp, body, http.StatusSeeOther)
		m := detLink.FindStringSubmatch(resp.Header.Get("Location"))
		if m == nil {
			t.Fatalf("redirect to %q", resp.Header.Get("Location"))
		}
		page := m[0]
		resp, body = admin.get(t, page)
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "berjalan", `http-equiv="refresh"`)
		e.runJobs(t)

		// The runner sees the draft but no approve button.
		resp, body = admin.get(t, page)
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "Penetapan BPNT 2026-B1 no. 1", "draf", "Rp400.000", "Anda yang menjalankan penetapan ini",
			`href="/api/v1/determinations/`+m[2]+`/export?format=csv"`, ">Jawa Barat</a>", `<svg class="chart"`)
		lacks(t, body, "/setujui")
		// Another program manager approves it.
		resp, body = operator.get(t, page)
		expect(t, resp, body, http.StatusOK)
		contains(t, body, `action="/penetapan/`+m[2]+`/setujui"`)
		resp, body = admin.post(t, page+"/setujui", url.Values{"csrf_token": {admin.csrf(t)}})
		expect(t, resp, body, http.StatusForbidden)
		contains(t, body, "persetujuan harus oleh orang lain")
		resp, body = operator.post(t, page+"/setujui", url.Values{"csrf_token": {operator.csrf(t)}})
		expect(t, resp, body, http.StatusSeeOther)
		resp, body = admin.get(t, page)
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "<strong>final</strong>", "operator")
		resp, body = admin.get(t, "/penetapan")
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "BPNT", "2026-B1", "final")
		// The export link works with the session.
		resp, body = admin.get(t, "/api/v1/determinations/"+m[2]+"/export?format=csv")
		expect(t, resp, body, http.StatusOK)
		if !strings.HasPrefix(body, "penetapan,program,periode") || strings.Count(body, "\n") != 3 {
			t.Fatalf("export:\n%s", body)
		}

		// A simulation: deciles up to 5 at Rp250.000 a month.
		resp, body = admin.post(t, "/simulasi", url.Values{"csrf_token": {admin.csrf(t)}, "program": {"BPNT"}, "periode": {"2026-B1"},
			"desil": {"5"}, "bulanan": {"250000"}})
		expect(t, resp, body, http.StatusSeeOther)
		sm := detLink.FindStringSubmatch(resp.Header.Get("Location"))
		if sm == nil || sm[1] != "simulasi" {
			t.Fatalf("simulation redirect %q", resp.Header.Get("Location"))
		}
		e.runJobs(t)
		resp, body = admin.get(t, sm[0])
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "Simulasi BPNT 2026-B1 no. 1", "Aturan yang berlaku (versi 1)", "Rp1.000.000", `<svg class="chart"`,
			"Aturan berlaku", ">Jawa Barat</a>")
		resp, body = admin.get(t, sm[0]+"?wilayah=32.04.28")
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "Rancaekek Wetan <small", "Rancaekek Kulon <small")
		lacks(t, body, "/setujui")
		// The live list is untouched; the simulation's own list shows it.
		resp, body = admin.get(t, "/penetapan")
		lacks(t, body, "/simulasi/"+sm[2])
		resp, body = admin.get(t, "/simulasi")
		expect(t, resp, body, http.StatusOK)
		contains(t, body, `href="/simulasi/`+sm[2]+`"`)
		// A simulation is not a determination page, and cannot be approved.
		resp, body = admin.get(t, "/penetapan/"+sm[2])
		expect(t, resp, body, http.StatusNotFound)
		resp, body = operator.post(t, "/penetapan/"+sm[2]+"/setujui", url.Values{"csrf_token": {operator.csrf(t)}})
		expect(t, resp, body, http.StatusConflict)

		// A village operator has no program pages.
		a := auth.New(db)
		if _, err := a.CreateUser(context.Background(), "desa1", "kata-sandi-desa-1", string(authz.Village), village1); err != nil {
			t.Fatal(err)
		}
		village := e.browser()
		village.signIn(t, "desa1", "kata-sandi-desa-1")
		resp, body = village.get(t, page)
		expect(t, resp, body, http.StatusForbidden)
		_, body = village.get(t, "/")
		lacks(t, body, `href="/penetapan"`)
		_ = fmt.Sprint()
	})
}
