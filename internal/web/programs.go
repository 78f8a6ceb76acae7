package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/program"
)

// ---- program rules (/program) ----
//
// The list shows every version of every program with its status; a page
// per version shows its document and, for a program manager other than its
// maker, the approve and reject buttons. /program/baru drafts a new
// version from a textarea prefilled with the active version's document: a
// document that does not compile comes back with each problem at its place
// (JSON path, line and column inside the expression) and the text kept.
// Maker and checker are compared as httpx.Actor, as in the API.

var progStores sync.Map // *store.DB → *program.Store

func (w *Web) programs() *program.Store {
	db := w.d.Registry.DB
	if s, ok := progStores.Load(db); ok {
		return s.(*program.Store)
	}
	s, _ := progStores.LoadOrStore(db, program.NewStore(db))
	return s.(*program.Store)
}

// ProgStatus labels a version's status in the page's language.
func (p *page) ProgStatus(s program.Status) string { return p.T("program.status." + string(s)) }

type progListData struct {
	Versions []program.Version
	CanWrite bool
}

func (w *Web) progList(rw http.ResponseWriter, r *http.Request) {
	list, err := w.programs().List(r.Context(), "")
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	p := w.newPage(r, "program", "program_judul")
	w.render(rw, r, http.StatusOK, "program", withData(p, progListData{Versions: list, CanWrite: p.Can(string(authz.ProgramWrite))}))
}

type progData struct {
	V         *program.Version
	Document  string
	Own       bool
	CanDecide bool
	Error     string
}

func (w *Web) progPage(rw http.ResponseWriter, r *http.Request) {
	w.renderProg(rw, r, http.StatusOK, "")
}

func (w *Web) renderProg(rw http.ResponseWriter, r *http.Request, status int, problem string) {
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n <= 0 {
		w.renderError(rw, r, errs.NotFound("halaman"))
		return
	}
	v, err := w.programs().Get(r.Context(), r.PathValue("program"), n)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	p := w.newPage(r, "program", "program_judul")
	p.Title = fmt.Sprintf("%s — %s %d", v.Program, p.T("program_versi"), v.Version)
	p.Crumbs = []crumb{{Name: p.T("program_judul"), Href: "/program"}, {Name: p.Title}}
	d := progData{V: v, Document: string(v.Document.JSON()), Own: v.CreatedBy == httpx.Actor(r), Error: problem}
	d.CanDecide = v.Status == program.StatusDraft && p.Can(string(authz.ProgramApprove))
	w.render(rw, r, status, "program_rinci", withData(p, d))
}

type progFormData struct {
	Program  string
	Codes    []string
	Document string
	Note     string
	Problems []string
}

// progForm shows the draft form for ?program= (default the first program),
// prefilled with the version that applies today.
func (w *Web) progForm(rw http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("program")))
	if code == "" {
		code = program.Codes[0]
	}
	f := progFormData{Program: code}
	v, err := w.programs().Active(r.Context(), code, time.Now().Format(time.DateOnly))
	switch {
	case err == nil:
		f.Document = string(v.Document.JSON())
	case errStatus(err) == http.StatusNotFound || errStatus(err) == http.StatusUnprocessableEntity:
		f.Problems = []string{errMessage(err)}
	default:
		w.renderError(rw, r, err)
		return
	}
	w.renderProgForm(rw, r, http.StatusOK, f)
}

func (w *Web) renderProgForm(rw http.ResponseWriter, r *http.Request, status int, f progFormData) {
	f.Codes = program.Codes
	p := w.newPage(r, "program", "program_baru")
	p.Crumbs = []crumb{{Name: p.T("program_judul"), Href: "/program"}, {Name: p.T("program_baru")}}
	w.render(rw, r, status, "program_baru", withData(p, f))
}

// progDraft stores the textarea's document as a draft.
func (w *Web) progDraft(rw http.ResponseWriter, r *http.Request) {
	f := progFormData{Program: strings.ToUpper(strings.TrimSpace(r.PostFormValue("program"))),
		Document: r.PostFormValue("dokumen"), Note: strings.TrimSpace(r.PostFormValue("catatan"))}
	doc, err := program.ParseDocument([]byte(f.Document))
	if err == nil {
		var v *program.Version
		v, err = w.programs().CreateDraft(r.Context(), doc, httpx.Actor(r), f.Note)
		if err == nil {
			http.Redirect(rw, r, fmt.Sprintf("/program/%s/%d", v.Program, v.Version), http.StatusSeeOther)
			return
		}
	}
	status := errStatus(err)
	if status == http.StatusInternalServerError {
		w.renderError(rw, r, err)
		return
	}
	if inv, ok := program.IsInvalid(err); ok {
		for _, pr := range inv.Problems {
			f.Problems = append(f.Problems, problemText(langOf(r), pr))
		}
	} else {
		f.Problems = []string{errMessage(err)}
	}
	w.renderProgForm(rw, r, status, f)
}

// problemText puts a problem at its place: the JSON path, then the line and
// column inside the expression.
func problemText(lang string, pr program.Problem) string {
	if pr.Line > 0 {
		return fmt.Sprintf(text(lang, "program_di"), pr.Path, pr.Line, pr.Column, pr.Message)
	}
	return pr.Path + ": " + pr.Message
}

func (w *Web) progApprove(rw http.ResponseWriter, r *http.Request) {
	w.progDecide(rw, r, func(s *program.Store, prog string, n int) error {
		_, err := s.Approve(r.Context(), prog, n, httpx.Actor(r))
		return err
	})
}

func (w *Web) progReject(rw http.ResponseWriter, r *http.Request) {
	w.progDecide(rw, r, func(s *program.Store, prog string, n int) error {
		reason := strings.TrimSpace(r.PostFormValue("alasan"))
		if reason == "" {
			return &errs.Invalid{Fields: []errs.FieldError{{Field: "alasan", Reason: "alasan wajib diisi"}}}
		}
		_, err := s.Reject(r.Context(), prog, n, httpx.Actor(r), reason)
		return err
	})
}

func (w *Web) progDecide(rw http.ResponseWriter, r *http.Request, do func(*program.Store, string, int) error) {
	prog := r.PathValue("program")
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n <= 0 {
		w.renderError(rw, r, errs.NotFound("halaman"))
		return
	}
	if err := do(w.programs(), prog, n); err != nil {
		if s := errStatus(err); s == http.StatusForbidden || s == http.StatusConflict || s == http.StatusUnprocessableEntity {
			w.renderProg(rw, r, s, errMessage(err))
			return
		}
		w.renderError(rw, r, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/program/%s/%d", prog, n), http.StatusSeeOther)
}

func init() {
	for lang, m := range progCatalogue {
		for k, v := range m {
			catalogue[lang][k] = v
		}
	}
}

// progCatalogue holds the strings of these pages, merged into catalogue.
var progCatalogue = map[string]map[string]string{
	"id": {
		"program_judul":           "Aturan program",
		"program_baru":            "Susun versi baru",
		"program_versi":           "Versi",
		"program_kode":            "Program",
		"program_berlaku":         "Berlaku mulai",
		"program_status":          "Status",
		"program_pembuat":         "Disusun oleh",
		"program_penyetuju":       "Disetujui oleh",
		"program_ditolak":         "Ditolak oleh",
		"program_catatan":         "Catatan",
		"program_dokumen":         "Dokumen aturan (JSON)",
		"program_kosong":          "Belum ada versi program.",
		"program_muat":            "Muat versi yang berlaku",
		"program_simpan":          "Simpan sebagai draf",
		"program_masalah":         "Dokumen belum dapat dipakai:",
		"program_di":              "%s baris %d kolom %d: %s",
		"program_setujui":         "Setujui versi ini",
		"program_tolak":           "Tolak versi ini",
		"program_tolak_alasan":    "Alasan penolakan",
		"program_milik_sendiri":   "Anda menyusun versi ini: persetujuan harus oleh pengelola program lain. Anda dapat menariknya dengan menolaknya.",
		"program_draf_catatan":    "Draf berlaku hanya setelah disetujui orang kedua.",
		"program.status.draft":    "draf",
		"program.status.approved": "disetujui",
		"program.status.rejected": "ditolak",
	},
	"en": {
		"program_judul":           "Program rules",
		"program_baru":            "Draft a new version",
		"program_versi":           "Version",
		"program_kode":            "Program",
		"program_berlaku":         "Effective from",
		"program_status":          "Status",
		"program_pembuat":         "Drafted by",
		"program_penyetuju":       "Approved by",
		"program_ditolak":         "Rejected by",
		"program_catatan":         "Note",
		"program_dokumen":         "Rules document (JSON)",
		"program_kosong":          "No program versions yet.",
		"program_muat":            "Load the version in force",
		"program_simpan":          "Save as draft",
		"program_masalah":         "The document cannot be used yet:",
		"program_di":              "%s line %d column %d: %s",
		"program_setujui":         "Approve this version",
		"program_tolak":           "Reject this version",
		"program_tolak_alasan":    "Reason for rejection",
		"program_milik_sendiri":   "You drafted this version: another program manager must approve it. You can withdraw it by rejecting it.",
		"program_draf_catatan":    "A draft applies only once a second person approves it.",
		"program.status.draft":    "draft",
		"program.status.approved": "approved",
		"program.status.rejected": "rejected",
	},
}
