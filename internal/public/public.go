// Package public is the citizens' site: pages without sign-in, separate
// from the back office (internal/web), with their own layout, their own
// small stylesheet and their own messages, in Bahasa Indonesia first with
// English one link away. Every page works without JavaScript, stays under
// 100 KB, and never carries personal data in a URL: forms are POSTed.
//
// # Adding pages (for every feature of the public site)
//
// A feature keeps its files together: feature.go (handlers), and
// templates/feature*.html. In feature.go:
//
//	func init() {
//		addRoutes(func(s *Site) []httpx.Route {
//			return []httpx.Route{{Method: "GET", Pattern: "/pengaduan", Action: authz.Public, Handler: s.complaintForm}}
//		})
//		addMenu(menuItem{Order: 20, Key: "pengaduan", Href: "/pengaduan", Desc: "pengaduan_ringkas"})
//		addText(map[string][2]string{
//			"pengaduan":         {"Pengaduan", "Complaints"},
//			"pengaduan_ringkas": {"Laporkan bantuan yang dipotong atau tidak diterima.", "Report aid cut or not received."},
//		})
//	}
//
// A handler builds the page and renders a template by its file name:
//
//	p := s.newPage(r, "pengaduan")         // title from a message key; .Lang, .Here set
//	p.Data = myData{...}                   // what the template reads as .Data
//	s.render(w, r, http.StatusOK, "pengaduan", p)
//
// A template file defines "content" (the layout supplies <html>, the
// header with the language switch and the menu, the <h1> from .Title or
// .Heading, and the footer); it may use .T "key", .Tf "key" args, .N n and
// the shared templates "errors" (a list of field errors, .Data.Errors).
// s.renderError(w, r, status, messageKey) answers an error page.
// Every template file is parsed once in New: a broken one stops start-up.
// Public forms are POSTed with NoCSRF (there is no session to ride on);
// the challenge (challenge.go) protects the ones that reveal or write
// anything. Such a form carries a token (s.ch.issue().Challenge in a
// hidden field "tantangan", an empty "nonce", class "cek" and
// data-kesulitan on the <form> so that publik.js solves it, and p.JS =
// staticURL("publik.js")); its handler calls s.allowAddress(r), then
// s.solve(token, nonce) after validating the input, and answers a
// *refusal with its Status, message Key and Retry (gate.go). Under
// Deps.LoadTest all three let everything through.
//
// Routes live under /publik, /cek-bansos and the feature's own path
// (/pengaduan, /warga): the back office keeps "/" and its own paths.
package public

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/cekbansos"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/datefmt"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/ratelimit"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/store"
)

// Deps are what the public site needs.
type Deps struct {
	DB      *store.DB
	Regions region.Store
	Logger  *slog.Logger
	// Now is the clock (tests set it); time.Now when nil.
	Now func() time.Time

	// Check answers the status check; New makes one on DB when nil.
	Check *cekbansos.Service
	// ChallengeKey signs challenges; every node of one database needs the
	// same (ChallengeKeyFrom derives it from the secret key). A random key
	// when empty: tokens are then good on this process only.
	ChallengeKey []byte
	// Difficulty is the challenge's leading zero bits; DefaultDifficulty when 0.
	Difficulty int
	// Limits are the rate limits; DefaultLimits when nil.
	Limits *Limits
	// LoadTest turns the challenge and the limits off, for load tests on a
	// closed machine (JARING_PUBLIC_LOADTEST=1; serve warns loudly).
	LoadTest bool

	// Citizens' accounts (warga.go); New makes them on DB when nil.
	Citizens *citizen.Service
	Auth     *auth.Service
	Notify   *notify.Service
}

// Site serves the public pages.
type Site struct {
	d         Deps
	pages     map[string]*template.Template
	ch        *challenger
	addrLimit *ratelimit.Keyed
	idLimit   *ratelimit.Keyed
	regions   regionCache
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New returns the public site, its templates parsed.
func New(d Deps) *Site {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Check == nil && d.DB != nil {
		d.Check = cekbansos.New(d.DB)
	}
	wargaDefaults(&d)
	lim := DefaultLimits
	if d.Limits != nil {
		lim = *d.Limits
	}
	s := &Site{d: d, pages: httpx.MustParsePages(templateFS, funcs), ch: newChallenger(d.ChallengeKey, d.Difficulty, d.Now),
		addrLimit: ratelimit.New(lim.PerAddress, lim.AddressBurst, lim.MaxKeys),
		idLimit:   ratelimit.New(lim.PerIdentifier, lim.IdentBurst, lim.MaxKeys)}
	s.regions.store = d.Regions
	return s
}

var (
	regMu     sync.Mutex
	routeSets []func(*Site) []httpx.Route
	menu      []menuItem
)

// addRoutes registers a feature's routes (call it from an init function).
func addRoutes(f func(*Site) []httpx.Route) {
	regMu.Lock()
	defer regMu.Unlock()
	routeSets = append(routeSets, f)
}

// menuItem is an entry of the site's menu and of the home page's list.
type menuItem struct {
	Order int    // position, smallest first
	Key   string // message key of the name; also the value of page.Nav that marks it current
	Href  string
	Desc  string // message key of the one-line description on the home page
}

// addMenu registers a menu entry (call it from an init function).
func addMenu(m menuItem) {
	regMu.Lock()
	defer regMu.Unlock()
	menu = append(menu, m)
	slices.SortStableFunc(menu, func(a, b menuItem) int { return a.Order - b.Order })
}

func init() {
	addRoutes(func(s *Site) []httpx.Route {
		return []httpx.Route{
			{Method: "GET", Pattern: "/publik", Action: authz.Public, Handler: s.home},
			{Method: "GET", Pattern: "/publik/bahasa", Action: authz.Public, Handler: s.setLanguage},
			{Method: "GET", Pattern: "/publik/static/{file}", Action: authz.Public, Handler: serveStatic},
		}
	})
}

// Routes returns the public site's URL surface: the pages and their JSON
// counterparts under /api/v1/publik.
func (s *Site) Routes() []httpx.Route {
	regMu.Lock()
	sets := slices.Clone(routeSets)
	regMu.Unlock()
	var out []httpx.Route
	for _, f := range sets {
		out = append(out, f(s)...)
	}
	return out
}

var funcs = template.FuncMap{}

// page is what the layout needs, plus the page's own Data.
type page struct {
	Lang    string
	Title   string // the <title>: never personal data
	Heading string // the <h1>, Title when empty
	Here    string // this page's path (no query), for the language switch
	Nav     string // the current menu entry's Key
	CSS, JS string // versioned static URLs; JS empty when the page needs none
	Menu    []menuItem
	Data    any
}

// T returns the message key in the page's language.
func (p *page) T(key string) string { return text(p.Lang, key) }

// Tf formats the message key with args.
func (p *page) Tf(key string, args ...any) string { return fmt.Sprintf(text(p.Lang, key), args...) }

// N formats an integer with the language's thousands separator.
func (p *page) N(n int64) string { return formatInt(p.Lang, n) }

// Date writes a YYYY-MM-DD date in words ("27 November 2026").
func (p *page) Date(s string) string { return datefmt.DateString(p.Lang, s) }

// Period writes a program's period code in words ("Triwulan 1 2026").
func (p *page) Period(code string) string { return datefmt.Period(p.Lang, code) }

// Other is the language the switch offers.
func (p *page) Other() string {
	if p.Lang == "en" {
		return "id"
	}
	return "en"
}

// newPage starts a page titled by a message key, in the request's language.
func (s *Site) newPage(r *http.Request, titleKey string) *page {
	p := &page{Lang: langOf(r), Here: r.URL.Path, CSS: staticURL("publik.css")}
	p.Title = p.T(titleKey)
	regMu.Lock()
	p.Menu = menu
	regMu.Unlock()
	return p
}

// render executes a page template into a buffer first, so that a template
// error becomes a clean 500 rather than half a page.
func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := s.pages[name]
	if !ok {
		panic("public: no template " + name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		s.d.Logger.ErrorContext(r.Context(), "public: render", "template", name, "err", err)
		http.Error(w, text(p.Lang, "galat_500"), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Answers may name a masked person: no cache keeps them.
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", p.Lang)
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

type errorData struct {
	Status  int
	Message string
}

// renderError answers an error page with a message key.
func (s *Site) renderError(w http.ResponseWriter, r *http.Request, status int, messageKey string) {
	p := s.newPage(r, "galat_judul")
	if t := text(p.Lang, fmt.Sprintf("galat_%d", status)); !strings.HasPrefix(t, "galat_") {
		p.Title = t
	}
	p.Data = errorData{Status: status, Message: p.T(messageKey)}
	s.render(w, r, status, "galat", p)
}

func (s *Site) home(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "beranda_judul")
	p.Nav = "beranda"
	s.render(w, r, http.StatusOK, "beranda", p)
}

// staticFiles are the stylesheet and the script, with a version from
// their content so they can be cached for a year.
var staticFiles = func() map[string]staticFile {
	out := map[string]staticFile{}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(staticFS, "static/"+e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		ct := "text/css; charset=utf-8"
		if strings.HasSuffix(e.Name(), ".js") {
			ct = "text/javascript; charset=utf-8"
		}
		out[e.Name()] = staticFile{body: b, version: hex.EncodeToString(sum[:6]), ctype: ct}
	}
	return out
}()

type staticFile struct {
	body           []byte
	version, ctype string
}

func staticURL(name string) string {
	return "/publik/static/" + name + "?v=" + staticFiles[name].version
}

func serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := staticFiles[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", `"`+f.version+`"`)
	if r.URL.Query().Get("v") == f.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=3600")
	}
	http.ServeContent(w, r, r.PathValue("file"), time.Time{}, bytes.NewReader(f.body))
}

// safeReturn reports whether s is a path on this site to go back to.
func safeReturn(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.RawQuery == ""
}

func (s *Site) setLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("ke")
	if _, ok := catalogue[lang]; ok {
		http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	}
	back := r.URL.Query().Get("kembali")
	if !safeReturn(back) {
		back = "/publik"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
