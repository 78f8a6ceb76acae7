package api

import (
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/program"
)

// progStores holds one program store per database, so that compiled
// versions are cached once per process.
var progStores sync.Map // *store.DB → *program.Store

func (a *API) programs() *program.Store {
	db := a.Registry.DB
	if s, ok := progStores.Load(db); ok {
		return s.(*program.Store)
	}
	s, _ := progStores.LoadOrStore(db, program.NewStore(db))
	return s.(*program.Store)
}

func pathVersion(r *http.Request) (int, error) {
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v <= 0 {
		return 0, &errs.Invalid{Fields: []errs.FieldError{{Field: "version", Value: r.PathValue("version"), Reason: "versi harus bilangan bulat positif"}}}
	}
	return v, nil
}

// programList lists every version of every program (?program= narrows),
// without documents.
func (a *API) programList(w http.ResponseWriter, r *http.Request) {
	list, err := a.programs().List(r.Context(), r.URL.Query().Get("program"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if list == nil {
		list = []program.Version{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"versions": list})
}

// programVersion answers one version with its document.
func (a *API) programVersion(w http.ResponseWriter, r *http.Request) {
	n, err := pathVersion(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	v, err := a.programs().Get(r.Context(), r.PathValue("program"), n)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

// programDraft stores the body, a program document, as a new draft version
// (?note= says why). Every problem is answered at its place: the JSON path
// and, inside an expression, line and column.
func (a *API) programDraft(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, httpx.DefaultMaxBody)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "body", Reason: "badan permintaan tidak terbaca: " + err.Error()}}})
		return
	}
	doc, err := program.ParseDocument(body)
	if err != nil {
		writeProgramError(w, r, err)
		return
	}
	if p := r.PathValue("program"); doc.Program != p {
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "program", Value: doc.Program,
			Reason: "dokumen untuk program " + doc.Program + " dikirim ke program " + p}}})
		return
	}
	v, err := a.programs().CreateDraft(r.Context(), doc, httpx.Actor(r), r.URL.Query().Get("note"))
	if err != nil {
		writeProgramError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, v)
}

// programApprove approves a draft; its maker may not (403).
func (a *API) programApprove(w http.ResponseWriter, r *http.Request) {
	n, err := pathVersion(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	v, err := a.programs().Approve(r.Context(), r.PathValue("program"), n, httpx.Actor(r))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

// programReject withdraws (the maker) or refuses a draft, with a reason.
func (a *API) programReject(w http.ResponseWriter, r *http.Request) {
	n, err := pathVersion(r)
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
	if b.Reason == "" {
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "reason", Reason: "alasan wajib diisi"}}})
		return
	}
	v, err := a.programs().Reject(r.Context(), r.PathValue("program"), n, httpx.Actor(r), b.Reason)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}
