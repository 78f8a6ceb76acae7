// Package web is the back office: server-rendered pages in Bahasa Indonesia
// (English available), light enough for a cheap phone.
//
// Pages are html/template files embedded in the binary and parsed once at
// start-up: one layout and one template per page. There is no JavaScript
// and no inline style (the Content-Security-Policy forbids both); the one
// stylesheet is served from /static with long-lived caching. No personal
// data travels in a URL the pages make: people are searched with a POST
// and records are addressed by their numeric IDs.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
)

// Deps are what the back office needs.
type Deps struct {
	Registry *registry.Registry
	Regions  region.Store
	Auth     *auth.Service
	Imports  *registry.Jobs
	// Complaints serves the complaint and WBS pages.
	Complaints *complaint.Service
	// Proposals is the server's proposal service (with its job runner); nil: one on Registry's database.
	Proposals *proposal.Service
	// Citizens' accounts and notifications (warga.go).
	Citizens *citizen.Service
	Notify   *notify.Service
}

// Web serves the back office pages.
type Web struct {
	d     Deps
	pages map[string]*template.Template
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/app.css
var appCSS []byte

// cssVersion changes whenever the stylesheet does, so the stylesheet can be
// cached for a year under a URL that names its version.
var cssVersion = func() string {
	sum := sha256.Sum256(appCSS)
	return hex.EncodeToString(sum[:6])
}()

const cssPath = "/static/app.css"

// New returns the back office, its templates parsed.
func New(d Deps) *Web { return &Web{d: d, pages: httpx.MustParsePages(templateFS, funcs)} }

var funcs = template.FuncMap{
	"mask": nik.Mask,
	// pathOnly drops the query of a local URL.
	"pathOnly": func(s string) string {
		if i := strings.IndexByte(s, '?'); i >= 0 {
			return s[:i]
		}
		return s
	},
}

// Routes returns the pages' URL surface.
func (w *Web) Routes() []httpx.Route {
	return append([]httpx.Route{
		{Method: "GET", Pattern: "/static/app.css", Action: authz.Public, Handler: serveCSS},
		{Method: "GET", Pattern: "/bahasa", Action: authz.Public, Handler: w.setLanguage},
		{Method: "GET", Pattern: "/masuk", Action: authz.Public, Handler: w.signInForm},
		{Method: "POST", Pattern: "/masuk", Action: authz.Public, Handler: w.signIn, NoCSRF: true},
		{Method: "POST", Pattern: "/keluar", Action: authz.Self, Handler: w.signOut},
		{Method: "POST", Pattern: "/keluar-semua", Action: authz.Self, Handler: w.signOutAll},
		{Method: "GET", Pattern: "/admin/pengguna", Action: authz.UsersManage, Handler: w.users},
		{Method: "POST", Pattern: "/admin/pengguna", Action: authz.UsersManage, Handler: w.userAdd},
		{Method: "GET", Pattern: "/admin/pengguna/{id}", Action: authz.UsersManage, Handler: w.user},
		{Method: "POST", Pattern: "/admin/pengguna/{id}/nonaktifkan", Action: authz.UsersManage, Handler: w.userDisable},
		{Method: "POST", Pattern: "/admin/pengguna/{id}/token", Action: authz.UsersManage, Handler: w.tokenCreate},
		{Method: "POST", Pattern: "/admin/token/{id}/cabut", Action: authz.UsersManage, Handler: w.tokenRevoke},
		{Method: "GET", Pattern: "/{$}", Action: authz.RegisterRead, Handler: w.dashboard},
		{Method: "GET", Pattern: "/wilayah", Action: authz.RegisterRead, Handler: w.region},
		{Method: "GET", Pattern: "/wilayah/{code}", Action: authz.RegisterRead, Handler: w.region},
		{Method: "GET", Pattern: "/keluarga/{id}", Action: authz.RegisterRead, Handler: w.family},
		{Method: "GET", Pattern: "/orang/{id}", Action: authz.RegisterRead, Handler: w.person},
		{Method: "POST", Pattern: "/orang/{id}/nik", Action: authz.NIKReveal, Handler: w.revealNIK},
		{Method: "GET", Pattern: "/cari", Action: authz.RegisterRead, Handler: w.searchForm},
		{Method: "POST", Pattern: "/cari", Action: authz.RegisterRead, Handler: w.search},
		{Method: "GET", Pattern: "/impor", Action: authz.RegisterImport, Handler: w.importForm},
		{Method: "POST", Pattern: "/impor", Action: authz.RegisterImport, Handler: w.importStart, MaxBody: api.MaxUpload},
		{Method: "GET", Pattern: "/impor/{id}", Action: authz.RegisterImport, Handler: w.importStatus},
		{Method: "GET", Pattern: "/impor/{id}/laporan", Action: authz.RegisterImport, Handler: w.importReport},
		{Method: "GET", Pattern: "/audit", Action: authz.AuditRead, Handler: w.auditTrail},
		{Method: "GET", Pattern: "/penetapan", Action: authz.ProgramRead, Handler: w.detList("penetapan")},
		{Method: "POST", Pattern: "/penetapan", Action: authz.DeterminationRun, Handler: w.detStart},
		{Method: "GET", Pattern: "/penetapan/{id}", Action: authz.ProgramRead, Handler: w.detPage},
		{Method: "POST", Pattern: "/penetapan/{id}/setujui", Action: authz.DeterminationApprove, Handler: w.detApprove},
		{Method: "POST", Pattern: "/penetapan/{id}/tolak", Action: authz.DeterminationApprove, Handler: w.detReject},
		{Method: "GET", Pattern: "/program", Action: authz.ProgramRead, Handler: w.progList},
		{Method: "GET", Pattern: "/program/baru", Action: authz.ProgramWrite, Handler: w.progForm},
		{Method: "POST", Pattern: "/program/baru", Action: authz.ProgramWrite, Handler: w.progDraft},
		{Method: "GET", Pattern: "/program/{program}/{version}", Action: authz.ProgramRead, Handler: w.progPage},
		{Method: "POST", Pattern: "/program/{program}/{version}/setujui", Action: authz.ProgramApprove, Handler: w.progApprove},
		{Method: "POST", Pattern: "/program/{program}/{version}/tolak", Action: authz.ProgramApprove, Handler: w.progReject},
		{Method: "GET", Pattern: "/simulasi", Action: authz.ProgramRead, Handler: w.detList("simulasi")},
		{Method: "POST", Pattern: "/simulasi", Action: authz.DeterminationRun, Handler: w.simStart},
		{Method: "GET", Pattern: "/simulasi/{id}", Action: authz.ProgramRead, Handler: w.detPage},
		// Every other GET gets the 404 page (problem+json under /api/).
		{Method: "GET", Pattern: "/", Action: authz.Public, Handler: w.notFound},
	}, append(append(append(complaintRoutes(w), w.proposalRoutes()...), w.citizenRoutes()...), w.wargaRoutes()...)...)
}

// page is what the layout needs, plus the page's own Data.
type page struct {
	Lang    string
	Title   string // the <title>: never personal data (it lands in browser history)
	Heading string // the <h1>, Title when empty
	User    string
	Role    authz.Role // the signed-in user's, for the menu (see Can)
	CSRF    string
	Here    string // this page's path, for the language switch to come back to
	Nav     string // the active menu entry
	Refresh int    // seconds; the page reloads itself while > 0
	CSS     string
	Crumbs  []crumb
	Data    any
}

type crumb struct {
	Name, Href string
}

// T returns the message key in the page's language.
func (p *page) T(key string) string { return text(p.Lang, key) }

// Tf formats the message key with args.
func (p *page) Tf(key string, args ...any) string { return fmt.Sprintf(text(p.Lang, key), args...) }

// N formats a count.
func (p *page) N(n any) string {
	switch v := n.(type) {
	case int:
		return formatInt(p.Lang, int64(v))
	case int64:
		return formatInt(p.Lang, v)
	}
	return fmt.Sprint(n)
}

// Date formats a YYYY-MM-DD date.
func (p *page) Date(s string) string { return formatDate(p.Lang, s) }

// Time formats an instant in Jakarta time.
func (p *page) Time(t time.Time) string { return formatTime(p.Lang, t) }

// Status, Sex and Relation label register codes.
func (p *page) Status(c string) string   { return codeLabel(p.Lang, registry.Status, c) }
func (p *page) Sex(c string) string      { return codeLabel(p.Lang, registry.Sex, c) }
func (p *page) Relation(c string) string { return codeLabel(p.Lang, registry.Relation, c) }

// keptParams are the query parameters the language switch may carry back:
// paging and dates, never anything personal.
var keptParams = []string{"setelah", "pada", "wilayah"}

func (w *Web) newPage(r *http.Request, nav, titleKey string) *page {
	p := &page{Lang: langOf(r), Nav: nav, CSS: cssPath + "?v=" + cssVersion}
	p.Title = p.T(titleKey)
	if s := httpx.SessionFrom(r.Context()); s != nil {
		p.User, p.CSRF, p.Role = s.User.Username, s.CSRFToken, authz.Role(s.User.Role)
	}
	p.Here = r.URL.Path
	if r.Method == http.MethodGet {
		q := url.Values{}
		for _, k := range keptParams {
			if v := r.URL.Query().Get(k); v != "" {
				q.Set(k, v)
			}
		}
		if len(q) > 0 {
			p.Here += "?" + q.Encode()
		}
	}
	return p
}

// render executes a page template into a buffer first, so that a template
// error becomes a clean 500 rather than half a page.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := w.pages[name]
	if !ok {
		panic("web: no template " + name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		slog.ErrorContext(r.Context(), "web: render", "template", name, "err", err)
		http.Error(rw, text(p.Lang, "galat_500"), http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show personal data: keep them out of shared caches and off the disk.
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", p.Lang)
	rw.WriteHeader(status)
	_, _ = rw.Write(b.Bytes())
}

// errorData is the error page's content.
type errorData struct {
	Status  int
	Message string
	Details []string
}

// renderError shows err on the error page with the status httpx.Status
// maps it to. Internal errors are logged and never shown.
func (w *Web) renderError(rw http.ResponseWriter, r *http.Request, err error) {
	status := httpx.Status(err)
	if status == 499 { // the client went away
		return
	}
	p := w.newPage(r, "", "galat_judul")
	d := errorData{Status: status}
	switch status {
	case http.StatusNotFound:
		p.Title, d.Message = p.T("galat_404"), p.T("galat_404_isi")
	case http.StatusForbidden:
		p.Title, d.Message = p.T("galat_403"), p.T("galat_403_isi")
	case http.StatusInternalServerError:
		slog.ErrorContext(r.Context(), "web: request failed", "method", r.Method, "route", r.Pattern, "err", redact(err.Error()))
		p.Title, d.Message = p.T("galat_500"), p.T("galat_500_isi")
	default:
		if s := text(p.Lang, fmt.Sprintf("galat_%d", status)); !strings.HasPrefix(s, "galat_") {
			p.Title = s
		}
		var inv *errs.Invalid
		if errors.As(err, &inv) {
			for _, f := range inv.Fields {
				d.Details = append(d.Details, f.Field+": "+f.Reason)
			}
		} else {
			d.Message = strings.TrimSuffix(strings.TrimSuffix(err.Error(), ": "+errs.ErrNotFound.Error()), ": "+errs.ErrConflict.Error())
		}
	}
	w.render(rw, r, status, "galat", withData(p, d))
}

// longNumber matches what could be a NIK or KK number inside a message.
var longNumber = regexp.MustCompile(`[0-9]{12,}`)

// redact masks long numbers in a message before it is logged: error texts
// may repeat input verbatim, and no NIK may reach a log.
func redact(s string) string { return longNumber.ReplaceAllStringFunc(s, nik.Mask) }

func withData(p *page, d any) *page {
	p.Data = d
	return p
}

func (w *Web) notFound(rw http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		httpx.WriteProblem(rw, httpx.Problem{Status: http.StatusNotFound, Title: "Not Found", Detail: "Tidak ada sumber di alamat ini."})
		return
	}
	w.renderError(rw, r, errs.NotFound("halaman"))
}

func serveCSS(rw http.ResponseWriter, r *http.Request) {
	h := rw.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("ETag", `"`+cssVersion+`"`)
	if r.URL.Query().Get("v") == cssVersion {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=3600")
	}
	http.ServeContent(rw, r, "app.css", time.Time{}, bytes.NewReader(appCSS))
}

// safeReturn reports whether s is a path on this site to go back to: it
// starts with one slash, not two, and carries no backslash or host.
func safeReturn(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil
}

func (w *Web) setLanguage(rw http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("ke")
	if _, ok := catalogue[lang]; ok {
		http.SetCookie(rw, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	}
	back := r.URL.Query().Get("kembali")
	if !safeReturn(back) {
		back = "/"
	}
	http.Redirect(rw, r, back, http.StatusSeeOther)
}
