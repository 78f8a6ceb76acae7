// Package publicweb is the citizens' side of complaints and whistleblowing
// (docs/complaints.md): the filing forms (multipart, with evidence files),
// the receipt showing the tracking code and the secret once, and the follow
// page where the filer reads the status and the resolution and adds
// information. No sign-in and no session: forms are POSTed (a code or a
// secret never travels in a URL) and protected by rate limits per client
// address and per tracking code. Pages work without JavaScript, in
// Bahasa Indonesia first with English one link away.
//
// The filing forms pass the public site's proof-of-work challenge
// (public.Gate): the site's script solves it, and a browser without
// script sends the form after the no-script wait, so a flood of filings
// costs its sender. The pages keep their own minimal layout.
package publicweb

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/datefmt"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/public"
	"github.com/kemensos/jaring/internal/ratelimit"
	"github.com/kemensos/jaring/internal/region"
)

// MaxBody caps a filing or an addition: three files of 5 MB and the form
// fields. A larger request is refused before it is read.
const MaxBody = 16 << 20

// maxField caps one text field of a multipart form.
const maxField = 64 << 10

// Limits are the rate limits of the pages.
type Limits struct {
	// Filings per client address: a burst, then one per Every.
	FilingBurst int
	FilingEvery time.Duration
	// Follow and add requests per client address; the same again for the
	// Continue steps of the filing forms without script, counted apart.
	FollowBurst int
	FollowEvery time.Duration
	// Follow and add requests per tracking code, from any address.
	CodeBurst int
	CodeEvery time.Duration
}

// DefaultLimits allow a family behind one carrier NAT to file a few
// reports, and make guessing codes slow (the secret makes it useless).
var DefaultLimits = Limits{FilingBurst: 5, FilingEvery: 2 * time.Minute, FollowBurst: 20, FollowEvery: 3 * time.Second,
	CodeBurst: 5, CodeEvery: time.Minute}

// Deps are what the pages need.
type Deps struct {
	Complaints *complaint.Service
	Regions    region.Store
	Logger     *slog.Logger
	// Now is the clock of the rate limits; time.Now when nil.
	Now func() time.Time
	// Limits; DefaultLimits when nil.
	Limits *Limits
	// Gate is the public site's proof-of-work challenge (public.Site.Gate),
	// which the filing forms must pass; a gate of its own when nil.
	Gate *public.Gate
}

// Site serves the pages.
type Site struct {
	d                       Deps
	pages                   map[string]*template.Template
	filing, follow, perCode *ratelimit.Keyed
	steps                   *ratelimit.Keyed // Continue steps (StepQuery)
}

// StepQuery marks a POST of a filing form that is a Continue step (the
// next region list, without script): the Continue button sends it with
// formaction, so that the step is known before the body is read, and is
// counted apart from filings. Such a POST never files.
const StepQuery = "langkah"

//go:embed templates/*.html
var templateFS embed.FS

// New returns the pages, their templates parsed.
func New(d Deps) *Site {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Gate == nil {
		d.Gate = public.NewGate(nil, 0, d.Now)
	}
	l := DefaultLimits
	if d.Limits != nil {
		l = *d.Limits
	}
	return &Site{d: d, pages: httpx.MustParsePages(templateFS, nil),
		filing:  ratelimit.New(rate.Every(l.FilingEvery), l.FilingBurst, 100_000),
		follow:  ratelimit.New(rate.Every(l.FollowEvery), l.FollowBurst, 100_000),
		steps:   ratelimit.New(rate.Every(l.FollowEvery), l.FollowBurst, 100_000),
		perCode: ratelimit.New(rate.Every(l.CodeEvery), l.CodeBurst, 100_000)}
}

// ---- pages, language ----

// LangCookie is the back office's language cookie: one choice for both sides.
const LangCookie = "jaring_bahasa"

func langOf(r *http.Request) string {
	if c, err := r.Cookie(LangCookie); err == nil && (c.Value == "en" || c.Value == "id") {
		return c.Value
	}
	return "id"
}

func text(lang, key string) string {
	if v, ok := messages[key]; ok {
		if lang == "en" && v[1] != "" {
			return v[1]
		}
		return v[0]
	}
	return key
}

type page struct {
	Lang, Title, Here, Nav string
	CSS                    string // the public site's stylesheet
	JS                     string // the script's URL, for a page with a challenge
	Data                   any
}

func (p *page) T(key string) string               { return text(p.Lang, key) }
func (p *page) Tf(key string, args ...any) string { return fmt.Sprintf(text(p.Lang, key), args...) }

// Date writes an instant's day in WIB ("27 November 2026").
func (p *page) Date(t time.Time) string { return datefmt.Date(p.Lang, t.In(datefmt.WIB)) }

// DateTime writes an instant in WIB ("27 November 2026 14:05 WIB").
func (p *page) DateTime(t time.Time) string { return datefmt.DateTime(p.Lang, t) }

func (p *page) Other() string {
	if p.Lang == "en" {
		return "id"
	}
	return "en"
}

func (s *Site) newPage(r *http.Request, titleKey string) *page {
	p := &page{Lang: langOf(r), Here: r.URL.Path, CSS: public.StylesheetURL()}
	p.Title = p.T(titleKey)
	return p
}

func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	var b bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&b, "layout", p); err != nil {
		s.d.Logger.ErrorContext(r.Context(), "publicweb: render", "template", name, "err", err)
		http.Error(w, text(p.Lang, "galat_500"), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", p.Lang)
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (s *Site) renderError(w http.ResponseWriter, r *http.Request, status int, key string) {
	p := s.newPage(r, "galat_judul")
	if t := text(p.Lang, fmt.Sprintf("galat_%d", status)); !strings.HasPrefix(t, "galat_") {
		p.Title = t
	}
	p.Data = p.T(key)
	s.render(w, r, status, "galat", p)
}

func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.d.Logger.ErrorContext(r.Context(), "publicweb: request failed", "route", r.Pattern, "err", err)
	s.renderError(w, r, http.StatusInternalServerError, "galat_500_isi")
}

// invalidTexts turns a validation error into lines for the page, with
// the fields' labels of this site (errs.Lines).
func invalidTexts(lang string, err error) []string {
	return errs.Lines(err, lang, func(field string) string { return text(lang, "kolom_"+field) })
}

// ---- regions ----

// Option is a region in a select.
type Option struct{ Code, Name string }

func (s *Site) children(ctx context.Context, parent string) ([]Option, error) {
	rs, err := s.d.Regions.Children(ctx, parent)
	if err != nil {
		return nil, err
	}
	out := make([]Option, len(rs))
	for i, r := range rs {
		out[i] = Option{r.Code, r.Name}
	}
	return out, nil
}

// chain keeps the posted region codes that form a chain from the province
// down, and drops the rest (a select changed without script leaves stale
// choices below it).
func chain(prov, reg, dist, village string) (string, string, string, string) {
	under := func(child, parent string, level int) string {
		if child == "" || parent == "" || region.Level(child) != level || region.Parent(child) != parent {
			return ""
		}
		return child
	}
	if region.Level(prov) != region.LevelProvince {
		return "", "", "", ""
	}
	reg = under(reg, prov, region.LevelRegency)
	dist = under(dist, reg, region.LevelDistrict)
	village = under(village, dist, region.LevelVillage)
	return prov, reg, dist, village
}

// ---- rate limits ----

// limited answers 429 with Retry-After when l refuses key.
func (s *Site) limited(w http.ResponseWriter, l *ratelimit.Keyed, key string) bool {
	ok, retry := l.Reserve(key, s.d.Now())
	if !ok {
		w.Header().Set("Retry-After", fmt.Sprint(max(int((retry+time.Second-1)/time.Second), 1)))
	}
	return !ok
}

// ---- multipart forms ----

// form is a multipart form read as a stream: text fields up to maxField
// each, files up to complaint.MaxFileSize each and at most
// complaint.MaxFiles of them. The route's MaxBody caps the whole body.
type form struct {
	fields  map[string]string
	files   []complaint.Upload
	refused []errs.FieldError // files refused while reading
}

var errTooLarge = errors.New("part too large")

func readLimited(p *multipart.Part, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(p, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, nil
}

func readForm(r *http.Request) (*form, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	f := &form{fields: map[string]string{}}
	n := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return nil, err
		}
		if part.FormName() != "berkas" {
			b, err := readLimited(part, maxField)
			part.Close()
			if err != nil {
				return nil, err
			}
			f.fields[part.FormName()] = string(b)
			continue
		}
		if part.FileName() == "" {
			part.Close() // an empty file input
			continue
		}
		n++
		if n > complaint.MaxFiles {
			if n == complaint.MaxFiles+1 {
				f.refused = append(f.refused, errs.FieldError{Field: "berkas", Reason: "paling banyak 3 berkas (at most 3 files)"})
			}
			part.Close()
			continue
		}
		b, err := readLimited(part, complaint.MaxFileSize)
		part.Close()
		if errors.Is(err, errTooLarge) {
			f.refused = append(f.refused, errs.FieldError{Field: fmt.Sprintf("berkas[%d]", n), Reason: "berkas lebih dari 5 MB (file over 5 MB)"})
			continue
		}
		if err != nil {
			return nil, err
		}
		f.files = append(f.files, complaint.Upload{Data: b})
	}
}

// bodyTooLarge reports whether reading failed on the body cap.
func bodyTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func (s *Site) tooLarge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")
	s.renderError(w, r, http.StatusRequestEntityTooLarge, "pengaduan_terlalu_besar")
}
