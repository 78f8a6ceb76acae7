package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/welfare"
)

// familyWelfare answers a family's score in the current ranking with the
// contribution of every indicator, largest effect first. The family is
// looked up in the caller's region first: outside it, it is not found.
func (a *API) familyWelfare(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	b, err := welfare.FamilyBreakdown(r.Context(), a.Registry, id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	// The breakdown shows what the register holds of the family: a view,
	// written to the audit trail before the answer leaves.
	if _, _, err := a.Registry.ViewFamily(r.Context(), id, time.Time{}); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, b)
}

func (a *API) welfareModels(w http.ResponseWriter, r *http.Request) {
	models, err := welfare.ListModels(r.Context(), a.Registry.DB, time.Now().UTC().Format(time.DateOnly))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"models": models})
}

func (a *API) welfareModel(w http.ResponseWriter, r *http.Request) {
	m, err := welfare.GetModel(r.Context(), a.Registry.DB, r.PathValue("version"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, m)
}

// welfareModelCreate stores a model document (docs/welfare-model.md) as a
// new version. A model ranks the whole nation, so only a national user may
// add one, whatever their role allows within a region.
func (a *API) welfareModelCreate(w http.ResponseWriter, r *http.Request) {
	if authz.Scope(r.Context()) != "" {
		httpx.WriteError(w, r, errors.Join(errors.New("model kesejahteraan hanya dapat ditambah pengguna tingkat nasional"), errs.ErrForbidden))
		return
	}
	doc, err := io.ReadAll(r.Body)
	if err != nil {
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "dokumen", Reason: "dokumen tidak terbaca atau lebih dari 1 MB"}}})
		return
	}
	m, err := welfare.CreateModel(r.Context(), a.Registry.DB, doc, httpx.Actor(r))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/welfare/models/"+m.Version)
	httpx.WriteJSON(w, http.StatusCreated, m)
}

func (a *API) welfareRuns(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	runs, err := welfare.Runs(r.Context(), a.Registry.DB, limit)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if runs == nil {
		runs = []welfare.Run{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"runs": runs})
}

// welfareRunners holds one job runner per database that only enqueues: the
// server's runner, which knows the ranking job, runs it.
var welfareRunners sync.Map // *store.DB → *jobs.Runner

func (a *API) welfareJobs() *jobs.Runner {
	db := a.Registry.DB
	if r, ok := welfareRunners.Load(db); ok {
		return r.(*jobs.Runner)
	}
	r := jobs.New(db, jobs.Options{})
	welfare.RegisterJob(r, db)
	got, _ := welfareRunners.LoadOrStore(db, r)
	return got.(*jobs.Runner)
}

// welfareRunStart starts a ranking of the whole register as a durable job
// (202); while one is queued or running the same request answers that job
// (200). A ranking covers the nation, so only a national user may start one.
func (a *API) welfareRunStart(w http.ResponseWriter, r *http.Request) {
	if authz.Scope(r.Context()) != "" {
		httpx.WriteError(w, r, errors.Join(errors.New("pemeringkatan hanya dapat dijalankan pengguna tingkat nasional"), errs.ErrForbidden))
		return
	}
	var b welfare.JobArgs
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if b.Model != "" {
		if _, err := welfare.GetModel(r.Context(), a.Registry.DB, b.Model); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
	}
	b.Streams = 0 // the server's share of CPUs is its own business
	id, existing, err := welfare.Enqueue(r.Context(), a.welfareJobs(), b)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	status := http.StatusAccepted
	if existing {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, map[string]any{"job_id": id, "existing": existing})
}
