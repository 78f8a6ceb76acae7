package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
)

// detServices holds one determination service per database. Its job runner
// only enqueues: the server's runner (which knows the kind) runs the jobs.
var detServices sync.Map // *store.DB → *determination.Service

func (a *API) determinations() *determination.Service {
	db := a.Registry.DB
	if s, ok := detServices.Load(db); ok {
		return s.(*determination.Service)
	}
	s, _ := detServices.LoadOrStore(db, determination.New(db, nil))
	return s.(*determination.Service)
}

// national refuses an action meant for national users: a determination
// covers the whole register.
func national(w http.ResponseWriter, r *http.Request) bool {
	if authz.Scope(r.Context()) != "" {
		httpx.WriteError(w, r, errors.Join(errors.New("penetapan dan simulasi hanya dapat dijalankan atau disetujui pengguna tingkat nasional"), errs.ErrForbidden))
		return false
	}
	return true
}

func regionParam(r *http.Request) (string, error) {
	code := r.URL.Query().Get("region")
	if code != "" {
		if err := region.Validate(code); err != nil {
			return "", &errs.Invalid{Fields: []errs.FieldError{{Field: "region", Value: code, Reason: err.Error()}}}
		}
	}
	return code, nil
}

func (a *API) determinationList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	list, err := a.determinations().List(r.Context(), determination.ListOptions{Kind: q.Get("kind"), Program: q.Get("program"),
		Period: q.Get("period"), Status: determination.Status(q.Get("status")), Limit: limit})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"determinations": list})
}

type startBody struct {
	Programs []determination.Spec `json:"programs"`
}

// determinationStart starts one or more determinations as one job (202):
// the server's job runner makes them; follow the job or the determinations.
// The same request while they run answers the running job (200).
func (a *API) determinationStart(w http.ResponseWriter, r *http.Request) {
	if !national(w, r) {
		return
	}
	var b startBody
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	st, err := a.determinations().Start(r.Context(), b.Programs)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	status := http.StatusAccepted
	if st.Existing {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, st)
}

type simulateBody struct {
	Program string          `json:"program"`
	Period  string          `json:"period"`
	Channel string          `json:"channel"`
	Rules   json.RawMessage `json:"rules"`
}

// simulationStart starts a simulation with a what-if program document.
func (a *API) simulationStart(w http.ResponseWriter, r *http.Request) {
	if !national(w, r) {
		return
	}
	var b simulateBody
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	doc, err := program.ParseDocument(b.Rules)
	if err != nil {
		writeProgramError(w, r, err)
		return
	}
	st, err := a.determinations().Simulate(r.Context(), determination.Spec{Program: b.Program, Period: b.Period, Channel: b.Channel}, doc)
	if err != nil {
		writeProgramError(w, r, err)
		return
	}
	status := http.StatusAccepted
	if st.Existing {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, st)
}

// writeProgramError answers a rule document's problems field by field.
func writeProgramError(w http.ResponseWriter, r *http.Request, err error) {
	if inv, ok := program.IsInvalid(err); ok {
		httpx.WriteError(w, r, &errs.Invalid{Fields: inv.FieldErrors()})
		return
	}
	httpx.WriteError(w, r, err)
}

// determinationGet answers a determination with its counts per region of
// the caller's scope (one level below ?region=, default the scope).
func (a *API) determinationGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	code, err := regionParam(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	svc := a.determinations()
	d, err := svc.Get(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	rows, err := svc.ByRegion(r.Context(), id, code)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"determination": d, "regions": rows})
}

// determinationItems lists items in ID order: ?status=, ?changes=true (the
// diff), ?region=, paging with ?after_family=&after_person=, ?limit=.
func (a *API) determinationItems(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	code, err := regionParam(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	q := r.URL.Query()
	o := determination.ItemOptions{Region: code, Status: q.Get("status"), Changes: q.Get("changes") == "true"}
	o.AfterFamily, _ = strconv.ParseInt(q.Get("after_family"), 10, 64)
	o.AfterPerson, _ = strconv.ParseInt(q.Get("after_person"), 10, 64)
	o.Limit, _ = strconv.Atoi(q.Get("limit"))
	if _, err := a.determinations().Get(r.Context(), id); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	items, err := a.determinations().Items(r.Context(), id, o)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}

// determinationDiff compares a determination with its base per region, and
// lists the base's recipients who are no longer in the register.
func (a *API) determinationDiff(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	code, err := regionParam(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	svc := a.determinations()
	d, err := svc.Get(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	rows, err := svc.ByRegion(r.Context(), id, code)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	left, err := svc.Left(r.Context(), id, code, 1000)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	type regionDiff struct {
		Region     string `json:"region"`
		Entered    int64  `json:"entered"`
		Left       int64  `json:"left"`
		Changed    int64  `json:"changed_amount"`
		Recipients int64  `json:"recipients"`
		Amount     int64  `json:"amount"`
		BaseUnits  int64  `json:"base_recipients"`
		BaseAmount int64  `json:"base_amount"`
	}
	out := make([]regionDiff, len(rows))
	for i, x := range rows {
		out[i] = regionDiff{x.Region, x.Entered, x.Left, x.Changed, x.Recipients, x.Amount, x.BaseUnits, x.BaseAmount}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"determination": d.ID, "base": d.BaseID, "regions": out, "missing": left})
}

func (a *API) determinationApprove(w http.ResponseWriter, r *http.Request) {
	if !national(w, r) {
		return
	}
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	d, err := a.determinations().Approve(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, d)
}

func (a *API) determinationReject(w http.ResponseWriter, r *http.Request) {
	if !national(w, r) {
		return
	}
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var b struct {
		Reason string `json:"reason"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	d, err := a.determinations().Reject(r.Context(), id, b.Reason)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, d)
}

// determinationExport writes the items of the caller's scope (narrowed by
// ?region=) as CSV or XLSX (?format=). Audited.
func (a *API) determinationExport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	code, err := regionParam(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	svc := a.determinations()
	d, err := svc.Get(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if _, ok := authz.Narrow(r.Context(), code); !ok {
		httpx.WriteError(w, r, errors.Join(errors.New("wilayah di luar wewenang Anda"), errs.ErrForbidden))
		return
	}
	name := ExportName(d, code)
	var out registry.RowWriter
	switch r.URL.Query().Get("format") {
	case "", "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		out = registry.NewCSVWriter(w)
	case "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		out = registry.NewXLSXWriter(w)
	default:
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "format", Reason: "csv atau xlsx"}}})
		return
	}
	if _, err := svc.Export(r.Context(), id, code, out); err != nil {
		// Headers may be gone; the client sees a truncated file.
		httpx.WriteError(w, r, err)
	}
}

// ExportName is the file name of an export, without extension.
func ExportName(d *determination.Determination, code string) string {
	name := d.Kind + "-" + d.Program + "-" + d.Period + "-" + strconv.Itoa(d.Number)
	if code != "" {
		name += "-" + code
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, name)
}
