package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// familiesPerPage is the length of a village's family list page.
const familiesPerPage = 50

// searchLimit caps the people a search shows.
const searchLimit = 50

// ---- sign in and out ----

type signInData struct {
	Username string
	Error    string
}

func (w *Web) signInForm(rw http.ResponseWriter, r *http.Request) {
	if httpx.SessionFrom(r.Context()) != nil {
		http.Redirect(rw, r, "/", http.StatusSeeOther)
		return
	}
	w.render(rw, r, http.StatusOK, "masuk", withData(w.newPage(r, "", "masuk_judul"), signInData{}))
}

// crossOrigin refuses browser requests sent by another site. Sign-in has
// no CSRF token (there is no session yet), so without this a foreign page
// could sign the victim into an account of the attacker's choosing.
var crossOrigin = http.NewCrossOriginProtection()

// signIn takes the user name, password and, for accounts with a second
// factor, the authenticator code in one form. A refusal says the same
// whatever was wrong; a lockout says to wait.
func (w *Web) signIn(rw http.ResponseWriter, r *http.Request) {
	if err := crossOrigin.Check(r); err != nil {
		w.renderError(rw, r, errs.ErrForbidden)
		return
	}
	r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
	username := r.PostFormValue("nama_pengguna")
	token, sess, err := w.d.Auth.SignIn(r.Context(), auth.Attempt{Username: username, Password: r.PostFormValue("kata_sandi"),
		TOTP: r.PostFormValue("kode"), Address: api.ClientAddr(r), Previous: api.PreviousSession(r)})
	var locked *auth.LockedError
	if errors.Is(err, auth.ErrBadCredentials) || errors.As(err, &locked) {
		p := w.newPage(r, "", "masuk_judul")
		p.User, p.CSRF = "", ""
		status, msg := http.StatusUnauthorized, p.T("salah_masuk")
		if locked != nil {
			d := locked.RetryAfter(w.d.Auth.Now())
			rw.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())))
			status, msg = http.StatusTooManyRequests, p.Tf("terkunci_masuk", int((d+time.Minute-1)/time.Minute))
		}
		w.render(rw, r, status, "masuk", withData(p, signInData{Username: username, Error: msg}))
		return
	}
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	// The session this browser held before ended in SignIn: one browser, one session.
	api.SetSessionCookie(rw, r, token, sess.ExpiresAt)
	if sess.User.Role == string(authz.Citizen) {
		// Citizens have their own pages.
		http.Redirect(rw, r, "/warga/akun", http.StatusSeeOther)
		return
	}
	http.Redirect(rw, r, "/", http.StatusSeeOther)
}

func (w *Web) signOut(rw http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(api.SessionCookie); err == nil && c.Value != "" {
		if err := w.d.Auth.SignOut(r.Context(), c.Value); err != nil {
			w.renderError(rw, r, err)
			return
		}
	}
	api.ClearSessionCookie(rw, r)
	http.Redirect(rw, r, "/masuk", http.StatusSeeOther)
}

// signOutAll ends every session of the user, on every device.
func (w *Web) signOutAll(rw http.ResponseWriter, r *http.Request) {
	sess := httpx.SessionFrom(r.Context())
	if _, err := w.d.Auth.SignOutAll(r.Context(), sess.User.ID); err != nil {
		w.renderError(rw, r, err)
		return
	}
	api.ClearSessionCookie(rw, r)
	http.Redirect(rw, r, "/masuk", http.StatusSeeOther)
}

// ---- counts, dashboard and regions ----

type countRow struct {
	Code, Name       string
	Inactive         bool
	Families, People int64
	Bar              int // bar length, 0-100, relative to the largest row
}

type counts struct {
	Rows                       []countRow
	TotalFamilies, TotalPeople int64
}

// countsUnder joins the child regions of scope with their counts.
func (w *Web) countsUnder(ctx context.Context, scope string) (counts, error) {
	children, err := w.d.Regions.Children(ctx, scope)
	if err != nil {
		return counts{}, err
	}
	cs, err := w.d.Registry.CountsByChild(ctx, scope)
	if err != nil {
		return counts{}, err
	}
	byCode := make(map[string]registry.RegionCount, len(cs))
	for _, c := range cs {
		byCode[c.Code] = c
	}
	var out counts
	for _, ch := range children {
		c := byCode[ch.Code]
		delete(byCode, ch.Code)
		out.Rows = append(out.Rows, countRow{Code: ch.Code, Name: ch.Name, Families: c.Families, People: c.People})
	}
	// Families registered under a region no longer in the list still count.
	for _, c := range cs {
		if _, left := byCode[c.Code]; left {
			out.Rows = append(out.Rows, countRow{Code: c.Code, Name: c.Code, Inactive: true, Families: c.Families, People: c.People})
		}
	}
	var most int64
	for _, row := range out.Rows {
		out.TotalFamilies += row.Families
		out.TotalPeople += row.People
		most = max(most, row.Families)
	}
	if most > 0 {
		for i := range out.Rows {
			out.Rows[i].Bar = int((out.Rows[i].Families*100 + most - 1) / most)
		}
	}
	return out, nil
}

func (w *Web) dashboard(rw http.ResponseWriter, r *http.Request) {
	c, err := w.countsUnder(r.Context(), "")
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "beranda", withData(w.newPage(r, "beranda", "beranda"), c))
}

type regionData struct {
	counts
	Code     string
	Kind     string
	Village  bool
	Families []registry.FamilySummary
	After    int64 // the page starts after this family ID
	Next     int64 // the next page starts after this ID; 0 when none
}

// chain returns the breadcrumbs down to code (the last one without a link)
// and the region itself.
func (w *Web) chain(ctx context.Context, p *page, code string, linkLast bool) (region.Region, error) {
	p.Crumbs = []crumb{{Name: p.T("indonesia"), Href: "/wilayah"}}
	if code == "" {
		p.Crumbs[0].Href = ""
		return region.Region{}, nil
	}
	if region.Validate(code) != nil {
		return region.Region{}, errs.NotFound("wilayah %s", code)
	}
	rs, err := w.d.Regions.Ancestors(ctx, code)
	if store.IsNoRows(err) {
		return region.Region{}, errs.NotFound("wilayah %s", code)
	}
	if err != nil {
		return region.Region{}, err
	}
	for i, reg := range rs {
		c := crumb{Name: reg.Name, Href: "/wilayah/" + reg.Code}
		if i == len(rs)-1 && !linkLast {
			c.Href = ""
		}
		p.Crumbs = append(p.Crumbs, c)
	}
	return rs[len(rs)-1], nil
}

func (w *Web) region(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	code := r.PathValue("code")
	p := w.newPage(r, "wilayah", "wilayah")
	reg, err := w.chain(ctx, p, code, false)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	d := regionData{Code: code}
	if code != "" {
		p.Title = reg.Name
		d.Kind = p.T("kind." + region.Kind(code))
	}
	if region.Level(code) == region.LevelVillage {
		d.Village = true
		if v := r.URL.Query().Get("setelah"); v != "" {
			d.After, err = strconv.ParseInt(v, 10, 64)
			if err != nil || d.After < 0 {
				w.renderError(rw, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "setelah", Reason: "harus bilangan bulat"}}})
				return
			}
		}
		fams, err := w.d.Registry.ListFamilies(ctx, code, d.After, familiesPerPage+1)
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		if len(fams) > familiesPerPage {
			fams = fams[:familiesPerPage]
			d.Next = fams[len(fams)-1].ID
		}
		d.Families = fams
	} else {
		d.counts, err = w.countsUnder(ctx, code)
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
	}
	w.render(rw, r, http.StatusOK, "wilayah", withData(p, d))
}

// ---- families and people ----

type versionRow struct {
	Version   int
	From      time.Time
	To        *time.Time
	By        string
	Reason    string
	First     bool
	Changed   []string
	At        string // From in RFC 3339, to see that version
	IsCurrent bool
}

func versionOf(c registry.Change, version int) versionRow {
	return versionRow{Version: version, From: c.ValidFrom, To: c.ValidTo, By: c.ChangedBy, Reason: c.ChangeReason,
		First: version == 1, At: c.ValidFrom.UTC().Format(time.RFC3339Nano), IsCurrent: c.Current()}
}

// asOfView describes the moment a page shows, when it is not now.
type asOfView struct {
	Label string // shown to the reader
	Date  string // YYYY-MM-DD (Jakarta) for the date field
}

// asOf reads ?pada=: a date (YYYY-MM-DD, meaning the end of that day in
// Jakarta time) or an instant (RFC 3339, as the history's version links give).
func asOf(r *http.Request, lang string) (time.Time, asOfView, error) {
	v := r.URL.Query().Get("pada")
	if v == "" {
		return time.Time{}, asOfView{}, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, v, wib); err == nil {
		return d.Add(24*time.Hour - time.Microsecond), asOfView{Label: formatDate(lang, v), Date: v}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, asOfView{Label: formatTime(lang, t), Date: t.In(wib).Format(time.DateOnly)}, nil
	}
	return time.Time{}, asOfView{}, &errs.Invalid{Fields: []errs.FieldError{{Field: "pada", Reason: "gunakan format TTTT-BB-HH"}}}
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFound("data")
	}
	return id, nil
}

type memberRow struct {
	ID                                      int64
	Name, NIK, Sex, Birth, Relation, Status string
	Active                                  bool
}

type familyData struct {
	F       registry.Family
	Attrs   []attr
	Members []memberRow
	History []versionRow
	AsOf    asOfView
	Welfare *welfareView
}

func (w *Web) family(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	at, day, err := asOf(r, langOf(r))
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	f, members, err := w.d.Registry.ViewFamily(ctx, id, at)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	hist, err := w.d.Registry.FamilyHistory(ctx, id)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	p := w.newPage(r, "wilayah", "judul_keluarga")
	p.Title += " " + nik.Mask(f.KK)
	if _, err := w.chain(ctx, p, f.VillageCode, true); err != nil && httpx.Status(err) != http.StatusNotFound {
		w.renderError(rw, r, err)
		return
	}
	d := familyData{F: f, AsOf: day, Attrs: attrs(p.Lang, familyFields, &f)}
	for _, m := range members {
		d.Members = append(d.Members, memberRow{ID: m.ID, Name: m.Name, NIK: nik.Mask(m.NIK), Sex: p.Sex(m.Sex),
			Birth: p.Date(m.BirthDate), Relation: p.Relation(m.Relation), Status: p.Status(m.Status), Active: m.Status == "aktif"})
	}
	for i := range hist {
		v := versionOf(hist[i].Change, hist[i].Version)
		if i > 0 {
			v.Changed = changed(p.Lang, familyFields, &hist[i-1], &hist[i])
		}
		d.History = append(d.History, v)
	}
	d.Welfare = w.familyWelfare(ctx, p.Lang, id)
	w.render(rw, r, http.StatusOK, "keluarga", withData(p, d))
}

type personData struct {
	P       registry.Person
	Attrs   []attr
	History []versionRow
	AsOf    asOfView
}

func (w *Web) person(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	at, day, err := asOf(r, langOf(r))
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	per, err := w.d.Registry.ViewPerson(ctx, id, at)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	hist, err := w.d.Registry.PersonHistory(ctx, id)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	// ViewPerson wrote the view to the audit trail (UU PDP): who, which ID, from where.
	p := w.newPage(r, "wilayah", "judul_orang")
	p.Heading = per.Name
	if _, err := w.chain(ctx, p, per.VillageCode, true); err != nil && httpx.Status(err) != http.StatusNotFound {
		w.renderError(rw, r, err)
		return
	}
	d := personData{P: per, AsOf: day, Attrs: attrs(p.Lang, personFields, &per, "nama", "keluarga")}
	for i := range hist {
		v := versionOf(hist[i].Change, hist[i].Version)
		if i > 0 {
			v.Changed = changed(p.Lang, personFields, &hist[i-1], &hist[i])
		}
		d.History = append(d.History, v)
	}
	w.render(rw, r, http.StatusOK, "orang", withData(p, d))
}

// ---- search ----

type searchData struct {
	Name, Region string
	Provinces    []region.Region
	Error        string
	Searched     bool
	Hits         []registry.PersonHit
	Limited      bool
}

func (w *Web) searchPage(rw http.ResponseWriter, r *http.Request, status int, d searchData) {
	provinces, err := w.d.Regions.Children(r.Context(), "")
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	d.Provinces = provinces
	w.render(rw, r, status, "cari", withData(w.newPage(r, "cari", "cari_judul"), d))
}

func (w *Web) searchForm(rw http.ResponseWriter, r *http.Request) {
	d := searchData{}
	if c := r.URL.Query().Get("wilayah"); region.Validate(c) == nil {
		d.Region = c
	}
	w.searchPage(rw, r, http.StatusOK, d)
}

// search takes the name from the POST body only: names are personal data
// and must not travel in a URL.
func (w *Web) search(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
	lang := langOf(r)
	d := searchData{Name: strings.TrimSpace(r.PostFormValue("nama")), Region: strings.TrimSpace(r.PostFormValue("wilayah"))}
	switch {
	case len(registry.QueryTokens(d.Name)) == 0 || len(d.Name) > 200:
		d.Error = text(lang, "isi_nama")
	case d.Region != "" && region.Validate(d.Region) != nil:
		d.Error = text(lang, "kode_salah")
	}
	if d.Error != "" {
		w.searchPage(rw, r, http.StatusUnprocessableEntity, d)
		return
	}
	hits, err := w.d.Registry.SearchPeople(r.Context(), d.Region, d.Name, searchLimit+1)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	if len(hits) > searchLimit {
		hits, d.Limited = hits[:searchLimit], true
	}
	d.Searched, d.Hits = true, hits
	w.searchPage(rw, r, http.StatusOK, d)
}

// ---- imports ----

type importFormData struct {
	Error     string
	Reason    string
	AllowMove bool
}

func (w *Web) importForm(rw http.ResponseWriter, r *http.Request) {
	w.render(rw, r, http.StatusOK, "impor", withData(w.newPage(r, "impor", "impor_judul"), importFormData{}))
}

func (w *Web) importStart(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, api.MaxUpload)
	lang := langOf(r)
	d := importFormData{Reason: strings.TrimSpace(r.FormValue("alasan")), AllowMove: r.FormValue("izinkan_pindah") != ""}
	fail := func(key string) {
		d.Error = text(lang, key)
		w.render(rw, r, http.StatusUnprocessableEntity, "impor", withData(w.newPage(r, "impor", "impor_judul"), d))
	}
	file, hdr, err := r.FormFile("berkas")
	if err != nil {
		fail("pilih_berkas")
		return
	}
	defer file.Close()
	if ext := strings.ToLower(filepath.Ext(hdr.Filename)); ext != ".csv" && ext != ".xlsx" {
		fail("jenis_berkas")
		return
	}
	actor := httpx.Actor(r)
	job, err := w.d.Imports.Start(r.Context(), actor, hdr.Filename, file, registry.ImportOptions{Actor: actor, AllowMove: d.AllowMove, Reason: d.Reason})
	if err != nil {
		slog.WarnContext(r.Context(), "web: import not started", "actor", actor, "err", redact(err.Error()))
		fail("berkas_rusak")
		return
	}
	http.Redirect(rw, r, "/impor/"+url.PathEscape(job.ID), http.StatusSeeOther)
}

type importStatusData struct {
	Job     registry.ImportJob
	Percent int64
	Running bool
	Failed  bool
	Report  bool
}

func (w *Web) importStatus(rw http.ResponseWriter, r *http.Request) {
	job, ok := w.d.Imports.Get(r.PathValue("id"), httpx.Actor(r))
	if !ok {
		w.renderError(rw, r, errs.NotFound("impor"))
		return
	}
	d := importStatusData{Job: job, Running: job.Finished == nil, Failed: job.State == "gagal"}
	if pr := job.Progress; pr.Total > 0 {
		d.Percent = min(100, pr.Bytes*100/pr.Total)
	}
	if !d.Running {
		d.Percent = 100
		d.Report = d.Failed || job.Result.Errors > 0 || job.Result.Warnings > 0
	}
	p := w.newPage(r, "impor", "impor_status")
	if d.Running {
		p.Refresh = 2
	}
	w.render(rw, r, http.StatusOK, "impor_status", withData(p, d))
}

func (w *Web) importReport(rw http.ResponseWriter, r *http.Request) {
	job, ok := w.d.Imports.Get(r.PathValue("id"), httpx.Actor(r))
	if !ok || job.Finished == nil {
		w.renderError(rw, r, errs.NotFound("laporan impor"))
		return
	}
	f, err := os.Open(job.ReportPath())
	if errors.Is(err, os.ErrNotExist) {
		w.renderError(rw, r, errs.NotFound("laporan impor"))
		return
	}
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	defer f.Close()
	h := rw.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="laporan-galat-`+fileStem(job.FileName)+`.csv"`)
	h.Set("Cache-Control", "no-store")
	http.ServeContent(rw, r, "laporan.csv", time.Time{}, f)
}

// fileStem is a file name without extension, reduced to safe characters.
func fileStem(s string) string {
	s = strings.TrimSuffix(filepath.Base(s), filepath.Ext(s))
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
