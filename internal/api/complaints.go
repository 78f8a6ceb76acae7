package api

import (
	"net/http"
	"strconv"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
)

// complaintRoutes are the back office's complaint endpoints: queues,
// a case with its history (the filer's contact included, audited), a
// handler's action, and counts per region and category. WBS reports stay
// in the back office pages (the inspectorate's only).
func (a *API) complaintRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/complaints", Action: authz.ComplaintRead, Handler: a.complaintList},
		{Method: "GET", Pattern: "/api/v1/complaints/stats", Action: authz.ComplaintRead, Handler: a.complaintStats},
		{Method: "GET", Pattern: "/api/v1/complaints/{id}", Action: authz.ComplaintRead, Handler: a.complaintGet},
		{Method: "POST", Pattern: "/api/v1/complaints/{id}/actions", Action: authz.ComplaintHandle, Handler: a.complaintAct},
	}
}

func (a *API) complaintList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := complaint.Filter{Kind: complaint.KindComplaint, Region: q.Get("region"), Open: q.Get("open") == "true", Overdue: q.Get("overdue") == "true",
		Status: complaint.Status(q.Get("status")), Category: complaint.Category(q.Get("category"))}
	if v := q.Get("unit"); v != "" {
		u, ok := complaint.ParseUnit(v)
		if !ok {
			httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "unit", Value: v, Reason: "unit: dinsos:KODE atau inspektorat:KODE (kabupaten/kota, provinsi, atau kosong untuk nasional)"}}})
			return
		}
		f.Unit = &u
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "after", Value: v, Reason: "bilangan bulat"}}})
			return
		}
		f.After = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "limit", Value: v, Reason: "1 sampai 500"}}})
			return
		}
		f.Limit = n
	}
	items, err := a.Complaints.List(r.Context(), f)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	units, err := a.Complaints.Units(r.Context(), complaint.KindComplaint)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if items == nil {
		items = []complaint.Summary{}
	}
	if units == nil {
		units = []complaint.UnitCount{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "units": units})
}

func (a *API) complaintStats(w http.ResponseWriter, r *http.Request) {
	region, counts, err := a.Complaints.Counts(r.Context(), complaint.KindComplaint, r.URL.Query().Get("region"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if counts == nil {
		counts = []complaint.Count{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"region": region, "counts": counts})
}

func (a *API) complaintGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c, err := a.Complaints.Get(r.Context(), complaint.KindComplaint, id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, c)
}

func (a *API) complaintAct(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var in complaint.Action
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c, err := a.Complaints.Act(r.Context(), complaint.KindComplaint, id, in)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, c)
}
