// Package api is the JSON API under /api/v1. Handlers are thin: decode,
// call the domain package, encode. No personal data travels in URLs:
// lookups by NIK or KK number take a POST body.
package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
)

// API serves /api/v1.
type API struct {
	Registry *registry.Registry
	Regions  region.Store
	Auth     *auth.Service
	Imports  *registry.Jobs
}

// Routes returns the API's URL surface.
func (a *API) Routes() []httpx.Route {
	in := httpx.SignedIn
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/openapi.json", Access: httpx.Public, Handler: serveOpenAPI},
		{Method: "POST", Pattern: "/api/v1/auth/login", Access: httpx.Public, Handler: a.login, NoCSRF: true},
		{Method: "POST", Pattern: "/api/v1/auth/logout", Access: in, Handler: a.logout},
		{Method: "GET", Pattern: "/api/v1/regions", Access: in, Handler: a.regionChildren},
		{Method: "GET", Pattern: "/api/v1/regions/{code}", Access: in, Handler: a.regionGet},
		{Method: "GET", Pattern: "/api/v1/stats", Access: in, Handler: a.stats},
		{Method: "GET", Pattern: "/api/v1/families", Access: in, Handler: a.familyList},
		{Method: "POST", Pattern: "/api/v1/families", Access: in, Handler: a.familyCreate},
		{Method: "POST", Pattern: "/api/v1/families/lookup", Access: in, Handler: a.familyLookup},
		{Method: "GET", Pattern: "/api/v1/families/{id}", Access: in, Handler: a.familyGet},
		{Method: "PUT", Pattern: "/api/v1/families/{id}", Access: in, Handler: a.familyUpdate},
		{Method: "POST", Pattern: "/api/v1/families/{id}/status", Access: in, Handler: a.familyStatus},
		{Method: "GET", Pattern: "/api/v1/families/{id}/history", Access: in, Handler: a.familyHistory},
		{Method: "POST", Pattern: "/api/v1/families/{id}/members", Access: in, Handler: a.memberAdd},
		{Method: "POST", Pattern: "/api/v1/people/search", Access: in, Handler: a.peopleSearch},
		{Method: "POST", Pattern: "/api/v1/people/lookup", Access: in, Handler: a.personLookup},
		{Method: "GET", Pattern: "/api/v1/people/{id}", Access: in, Handler: a.personGet},
		{Method: "PUT", Pattern: "/api/v1/people/{id}", Access: in, Handler: a.personUpdate},
		{Method: "POST", Pattern: "/api/v1/people/{id}/status", Access: in, Handler: a.personStatus},
		{Method: "GET", Pattern: "/api/v1/people/{id}/history", Access: in, Handler: a.personHistory},
		{Method: "POST", Pattern: "/api/v1/imports", Access: in, Handler: a.importStart, MaxBody: MaxUpload},
		{Method: "GET", Pattern: "/api/v1/imports/{id}", Access: in, Handler: a.importStatus},
		{Method: "GET", Pattern: "/api/v1/imports/{id}/report", Access: in, Handler: a.importReport},
		{Method: "GET", Pattern: "/api/v1/export", Access: in, Handler: a.export},
	}
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &errs.Invalid{Fields: []errs.FieldError{{Field: "id", Value: r.PathValue("id"), Reason: "ID harus bilangan bulat positif"}}}
	}
	return id, nil
}

// asOf reads the optional as_of query parameter (RFC 3339 or YYYY-MM-DD).
func asOf(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get("as_of")
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		// A date means the end of that day.
		return t.Add(24*time.Hour - time.Microsecond), nil
	}
	return time.Time{}, &errs.Invalid{Fields: []errs.FieldError{{Field: "as_of", Value: v, Reason: "gunakan format RFC 3339 atau TTTT-BB-HH"}}}
}

func edit(r *http.Request, reason string) registry.Edit {
	return registry.Edit{Actor: httpx.Actor(r), Reason: reason}
}
