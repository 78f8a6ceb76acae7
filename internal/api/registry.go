package api

import (
	"net/http"
	"strconv"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/registry"
)

type familyBody struct {
	Family  registry.Family   `json:"family"`
	Members []registry.Person `json:"members,omitempty"`
	Version int               `json:"version,omitempty"`
	Reason  string            `json:"reason"`
}

type familyView struct {
	Family  registry.Family   `json:"family"`
	Members []registry.Person `json:"members"`
}

func (a *API) familyCreate(w http.ResponseWriter, r *http.Request) {
	var b familyBody
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	f, members, err := a.Registry.CreateFamily(r.Context(), edit(r, b.Reason), b.Family, b.Members)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/families/"+strconv.FormatInt(f.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, maskedView(f, members))
}

func (a *API) familyGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	t, err := asOf(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	f, members, err := a.Registry.ViewFamily(r.Context(), id, t)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, maskedView(f, members))
}

func (a *API) familyUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var b familyBody
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if err := a.unmaskFamily(r.Context(), id, &b.Family); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	f, err := a.Registry.UpdateFamily(r.Context(), edit(r, b.Reason), id, b.Version, b.Family)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, maskFamily(f))
}

type statusBody struct {
	Version      int    `json:"version"`
	Status       string `json:"status"`
	StatusReason string `json:"status_reason"`
}

func (b statusBody) check() error {
	var fe []errs.FieldError
	if !registry.Status.Has(b.Status) {
		fe = append(fe, errs.FieldError{Field: "status", Value: b.Status, Reason: "status tidak dikenal"})
	}
	if b.StatusReason == "" {
		fe = append(fe, errs.FieldError{Field: "status_reason", Reason: "alasan wajib diisi"})
	}
	return errs.Fields(fe)
}

func (a *API) familyStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var b statusBody
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if err := b.check(); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	f, err := a.Registry.SetFamilyStatus(r.Context(), edit(r, b.StatusReason), id, b.Version, b.Status, b.StatusReason)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, maskFamily(f))
}

func (a *API) familyHistory(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	h, err := a.Registry.ViewFamilyHistory(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"versions": maskFamilies(h)})
}

func (a *API) familyList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	list, err := a.Registry.ListFamilies(r.Context(), q.Get("region"), after, limit)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if list == nil {
		list = []registry.FamilySummary{}
	}
	for i := range list {
		list[i].KK = nik.Mask(list[i].KK)
	}
	out := map[string]any{"families": list}
	if len(list) == limit {
		out["next_after"] = list[len(list)-1].ID
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (a *API) familyLookup(w http.ResponseWriter, r *http.Request) {
	var b struct {
		KK string `json:"no_kk"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	f, members, err := a.Registry.ViewFamilyByKK(r.Context(), b.KK)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, maskedView(f, members))
}

func (a *API) memberAdd(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var b struct {
		Person registry.Person `json:"person"`
		Reason string          `json:"reason"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p, err := a.Registry.AddMember(r.Context(), edit(r, b.Reason), id, b.Person)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, maskPerson(p))
}

func (a *API) personGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	t, err := asOf(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p, err := a.Registry.ViewPerson(r.Context(), id, t)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, maskPerson(p))
}

func (a *API) personUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var b struct {
		Person  registry.Person `json:"person"`
		Version int             `json:"version"`
		Reason  string          `json:"reason"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if err := a.unmaskPerson(r.Context(), id, &b.Person); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p, err := a.Registry.UpdatePerson(r.Context(), edit(r, b.Reason), id, b.Version, b.Person)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, maskPerson(p))
}

func (a *API) personStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var b statusBody
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if err := b.check(); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p, err := a.Registry.SetPersonStatus(r.Context(), edit(r, b.StatusReason), id, b.Version, b.Status, b.StatusReason)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, maskPerson(p))
}

func (a *API) personHistory(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	h, err := a.Registry.ViewPersonHistory(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"versions": maskPeople(h)})
}

func (a *API) personLookup(w http.ResponseWriter, r *http.Request) {
	var b struct {
		NIK string `json:"nik"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p, err := a.Registry.ViewPersonByNIK(r.Context(), b.NIK)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, maskPerson(p))
}

func (a *API) peopleSearch(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Region string `json:"region"`
		Query  string `json:"q"`
		Limit  int    `json:"limit"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if len(registry.QueryTokens(b.Query)) == 0 || len(b.Query) > 200 {
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "q", Reason: "isi nama yang dicari (paling banyak 200 karakter)"}}})
		return
	}
	if b.Limit <= 0 || b.Limit > 200 {
		b.Limit = 50
	}
	hits, err := a.Registry.SearchPeople(r.Context(), b.Region, b.Query, b.Limit)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if hits == nil {
		hits = []registry.PersonHit{}
	}
	for i := range hits {
		hits[i].NIK = nik.Mask(hits[i].NIK)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"people": hits})
}
