// Package api is the JSON API under /api/v1. Handlers are thin: decode,
// call the domain package, encode. No personal data travels in URLs:
// lookups by NIK or KK number take a POST body.
package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
)

// API serves /api/v1.
type API struct {
	Registry *registry.Registry
	Regions  region.Store
	Auth     *auth.Service
	Imports  *registry.Jobs
	// Complaints serves /api/v1/complaints.
	Complaints *complaint.Service
	// Citizens' accounts and notifications (citizen.go).
	Citizens *citizen.Service
	Notify   *notify.Service
	// Proposals serves a citizen's proposals (proposals.go); nil: one on
	// Registry's database.
	Proposals *proposal.Service
}

// Routes returns the API's URL surface.
func (a *API) Routes() []httpx.Route {
	return append([]httpx.Route{
		{Method: "GET", Pattern: "/api/v1/openapi.json", Action: authz.Public, Handler: serveOpenAPI},
		{Method: "POST", Pattern: "/api/v1/auth/login", Action: authz.Public, Handler: a.login, NoCSRF: true},
		{Method: "POST", Pattern: "/api/v1/auth/logout", Action: authz.Self, Handler: a.logout},
		{Method: "POST", Pattern: "/api/v1/auth/logout-all", Action: authz.Self, Handler: a.logoutAll},
		{Method: "GET", Pattern: "/api/v1/users", Action: authz.UsersManage, Handler: a.userList},
		{Method: "POST", Pattern: "/api/v1/users", Action: authz.UsersManage, Handler: a.userCreate},
		{Method: "POST", Pattern: "/api/v1/users/{id}/disable", Action: authz.UsersManage, Handler: a.userDisable},
		{Method: "GET", Pattern: "/api/v1/users/{id}/tokens", Action: authz.UsersManage, Handler: a.tokenList},
		{Method: "POST", Pattern: "/api/v1/users/{id}/tokens", Action: authz.UsersManage, Handler: a.tokenCreate},
		{Method: "POST", Pattern: "/api/v1/tokens/{id}/revoke", Action: authz.UsersManage, Handler: a.tokenRevoke},
		{Method: "GET", Pattern: "/api/v1/regions", Action: authz.RegionRead, Handler: a.regionChildren},
		{Method: "GET", Pattern: "/api/v1/regions/{code}", Action: authz.RegionRead, Handler: a.regionGet},
		{Method: "GET", Pattern: "/api/v1/stats", Action: authz.RegisterRead, Handler: a.stats},
		{Method: "GET", Pattern: "/api/v1/families", Action: authz.RegisterRead, Handler: a.familyList},
		{Method: "POST", Pattern: "/api/v1/families", Action: authz.RegisterWrite, Handler: a.familyCreate},
		{Method: "POST", Pattern: "/api/v1/families/lookup", Action: authz.RegisterRead, Handler: a.familyLookup},
		{Method: "GET", Pattern: "/api/v1/families/{id}", Action: authz.RegisterRead, Handler: a.familyGet},
		{Method: "PUT", Pattern: "/api/v1/families/{id}", Action: authz.RegisterWrite, Handler: a.familyUpdate},
		{Method: "POST", Pattern: "/api/v1/families/{id}/status", Action: authz.RegisterWrite, Handler: a.familyStatus},
		{Method: "GET", Pattern: "/api/v1/families/{id}/history", Action: authz.RegisterRead, Handler: a.familyHistory},
		{Method: "POST", Pattern: "/api/v1/families/{id}/members", Action: authz.RegisterWrite, Handler: a.memberAdd},
		{Method: "GET", Pattern: "/api/v1/families/{id}/welfare", Action: authz.RegisterRead, Handler: a.familyWelfare},
		{Method: "GET", Pattern: "/api/v1/welfare/models", Action: authz.RegisterRead, Handler: a.welfareModels},
		{Method: "POST", Pattern: "/api/v1/welfare/models", Action: authz.WelfareRun, Handler: a.welfareModelCreate},
		{Method: "GET", Pattern: "/api/v1/welfare/models/{version}", Action: authz.RegisterRead, Handler: a.welfareModel},
		{Method: "GET", Pattern: "/api/v1/welfare/runs", Action: authz.RegisterRead, Handler: a.welfareRuns},
		{Method: "POST", Pattern: "/api/v1/welfare/runs", Action: authz.WelfareRun, Handler: a.welfareRunStart},
		{Method: "POST", Pattern: "/api/v1/people/search", Action: authz.RegisterRead, Handler: a.peopleSearch},
		{Method: "POST", Pattern: "/api/v1/people/lookup", Action: authz.RegisterRead, Handler: a.personLookup},
		{Method: "GET", Pattern: "/api/v1/people/{id}", Action: authz.RegisterRead, Handler: a.personGet},
		{Method: "PUT", Pattern: "/api/v1/people/{id}", Action: authz.RegisterWrite, Handler: a.personUpdate},
		{Method: "POST", Pattern: "/api/v1/people/{id}/status", Action: authz.RegisterWrite, Handler: a.personStatus},
		{Method: "GET", Pattern: "/api/v1/people/{id}/history", Action: authz.RegisterRead, Handler: a.personHistory},
		{Method: "POST", Pattern: "/api/v1/people/{id}/nik", Action: authz.NIKReveal, Handler: a.revealNIK},
		{Method: "POST", Pattern: "/api/v1/privacy/report", Action: authz.PrivacyReport, Handler: a.privacyReport},
		{Method: "POST", Pattern: "/api/v1/privacy/breach", Action: authz.PrivacyReport, Handler: a.privacyBreach},
		{Method: "POST", Pattern: "/api/v1/imports", Action: authz.RegisterImport, Handler: a.importStart, MaxBody: MaxUpload},
		{Method: "GET", Pattern: "/api/v1/imports/{id}", Action: authz.RegisterImport, Handler: a.importStatus},
		{Method: "GET", Pattern: "/api/v1/imports/{id}/report", Action: authz.RegisterImport, Handler: a.importReport},
		{Method: "GET", Pattern: "/api/v1/export", Action: authz.RegisterExport, Handler: a.export},
		{Method: "GET", Pattern: "/api/v1/audit", Action: authz.AuditRead, Handler: a.auditSearch},
		{Method: "GET", Pattern: "/api/v1/audit/export", Action: authz.AuditRead, Handler: a.auditExport},
		{Method: "GET", Pattern: "/api/v1/determinations", Action: authz.ProgramRead, Handler: a.determinationList},
		{Method: "POST", Pattern: "/api/v1/determinations", Action: authz.DeterminationRun, Handler: a.determinationStart},
		{Method: "GET", Pattern: "/api/v1/determinations/{id}", Action: authz.ProgramRead, Handler: a.determinationGet},
		{Method: "GET", Pattern: "/api/v1/determinations/{id}/items", Action: authz.ProgramRead, Handler: a.determinationItems},
		{Method: "GET", Pattern: "/api/v1/determinations/{id}/diff", Action: authz.ProgramRead, Handler: a.determinationDiff},
		{Method: "GET", Pattern: "/api/v1/determinations/{id}/export", Action: authz.ProgramRead, Handler: a.determinationExport},
		{Method: "POST", Pattern: "/api/v1/determinations/{id}/approve", Action: authz.DeterminationApprove, Handler: a.determinationApprove},
		{Method: "POST", Pattern: "/api/v1/determinations/{id}/reject", Action: authz.DeterminationApprove, Handler: a.determinationReject},
		{Method: "POST", Pattern: "/api/v1/simulations", Action: authz.DeterminationRun, Handler: a.simulationStart},
		{Method: "GET", Pattern: "/api/v1/programs", Action: authz.ProgramRead, Handler: a.programList},
		{Method: "POST", Pattern: "/api/v1/programs/{program}/versions", Action: authz.ProgramWrite, Handler: a.programDraft},
		{Method: "GET", Pattern: "/api/v1/programs/{program}/versions/{version}", Action: authz.ProgramRead, Handler: a.programVersion},
		{Method: "POST", Pattern: "/api/v1/programs/{program}/versions/{version}/approve", Action: authz.ProgramApprove, Handler: a.programApprove},
		{Method: "POST", Pattern: "/api/v1/programs/{program}/versions/{version}/reject", Action: authz.ProgramApprove, Handler: a.programReject},
	}, append(append(a.complaintRoutes(), a.citizenRoutes()...), a.proposalRoutes()...)...)
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
