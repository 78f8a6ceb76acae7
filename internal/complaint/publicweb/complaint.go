package publicweb

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/public"
)

// Routes returns the pages' URL surface. Forms are POSTed without a
// session (NoCSRF: there is no cookie to ride on) and capped (MaxBody).
func (s *Site) Routes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/pengaduan", Action: authz.Public, Handler: s.complaintForm(complaint.KindComplaint)},
		{Method: "POST", Pattern: "/pengaduan", Action: authz.Public, Handler: s.complaintPost(complaint.KindComplaint), NoCSRF: true, MaxBody: MaxBody},
		{Method: "GET", Pattern: "/pengaduan/wbs", Action: authz.Public, Handler: s.complaintForm(complaint.KindWBS)},
		{Method: "POST", Pattern: "/pengaduan/wbs", Action: authz.Public, Handler: s.complaintPost(complaint.KindWBS), NoCSRF: true, MaxBody: MaxBody},
		{Method: "GET", Pattern: "/pengaduan/lacak", Action: authz.Public, Handler: s.followForm},
		{Method: "POST", Pattern: "/pengaduan/lacak", Action: authz.Public, Handler: s.followPost, NoCSRF: true, MaxBody: 16 << 10},
		{Method: "POST", Pattern: "/pengaduan/tambah", Action: authz.Public, Handler: s.followAdd, NoCSRF: true, MaxBody: MaxBody},
	}
}

// complaintData is the filing form's content.
type complaintData struct {
	Kind                                      complaint.Kind
	Action                                    string
	Categories                                []complaint.Rule
	Category                                  string
	Provinces, Regencies, Districts, Villages []Option
	Prov, Reg, Dist, Village                  string
	Description                               string
	Anonymous                                 bool
	Name, Phone, Email                        string
	Errors                                    []string
	FilesDropped                              bool
	HeldToken                                 string // names the files kept from a refused try (complaint.Hold)
	HeldFiles                                 int
	Ready                                     bool // the region is chosen far enough: the button files
	MaxFiles, MaxMB                           int
	Token                                     string // the challenge, kept from step to step
	Difficulty                                int
}

func (s *Site) complaintForm(k complaint.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.renderComplaint(w, r, http.StatusOK, &complaintData{Kind: k, Anonymous: k == complaint.KindWBS})
	}
}

func (s *Site) renderComplaint(w http.ResponseWriter, r *http.Request, status int, d *complaintData) {
	ctx := r.Context()
	lists := []struct {
		parent string
		into   *[]Option
	}{{"", &d.Provinces}, {d.Prov, &d.Regencies}, {d.Reg, &d.Districts}, {d.Dist, &d.Villages}}
	for i, l := range lists {
		if i > 0 && l.parent == "" {
			break
		}
		var err error
		if *l.into, err = s.children(ctx, l.parent); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	d.Categories = complaint.Categories(d.Kind)
	d.Action = "/pengaduan"
	title := "pengaduan_judul"
	if d.Kind == complaint.KindWBS {
		d.Action, title = "/pengaduan/wbs", "wbs_judul"
	}
	d.Ready = d.Village != "" || d.Kind == complaint.KindWBS
	d.MaxFiles, d.MaxMB = complaint.MaxFiles, complaint.MaxFileSize>>20
	d.Token, d.Difficulty = s.d.Gate.Token(d.Token), s.d.Gate.Difficulty()
	p := s.newPage(r, title)
	p.Nav, p.JS, p.Data = "pengaduan", public.ScriptURL(), d
	if d.Kind == complaint.KindWBS {
		p.Nav = "wbs"
	}
	s.render(w, r, status, "complaint", p)
}

func (s *Site) complaintPost(k complaint.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBody {
			s.tooLarge(w, r)
			return
		}
		lang := langOf(r)
		step := r.URL.Query().Get(StepQuery) == "1"
		limiter := s.filing
		if step {
			limiter = s.steps
		}
		if s.limited(w, limiter, api.ClientAddr(r)) {
			s.renderError(w, r, http.StatusTooManyRequests, "batas_pengaduan")
			return
		}
		form, err := readForm(r)
		if err != nil {
			if bodyTooLarge(err) {
				s.tooLarge(w, r)
				return
			}
			s.renderError(w, r, http.StatusBadRequest, "galat_400_isi")
			return
		}
		v := form.fields
		newFiles := len(form.files)
		var kept []complaint.Upload // sanitized already, by the try that kept them
		held := v["berkas_simpan"]
		if held != "" && v["buang_berkas"] == "1" {
			if err := s.d.Complaints.Release(r.Context(), held); err != nil {
				s.fail(w, r, err)
				return
			}
			held = ""
		}
		if held != "" {
			var err error
			kept, err = s.d.Complaints.Held(r.Context(), held)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if len(kept) == 0 {
				// Past the hour, the filer must choose them again rather
				// than file without the evidence they meant to send.
				held = ""
				form.refused = append(form.refused, errs.FieldError{Field: "berkas",
					Reason: "berkas yang tersimpan sudah lewat 1 jam dan dihapus; pilih lagi (the kept files were deleted after an hour: choose them again)"})
			}
			form.files = append(kept, form.files...)
			if len(form.files) > complaint.MaxFiles && newFiles <= complaint.MaxFiles {
				form.refused = append(form.refused, errs.FieldError{Field: "berkas", Reason: "paling banyak 3 berkas (at most 3 files)"})
			}
		}
		d := &complaintData{Kind: k, Category: v["kategori"], Description: v["uraian"], Anonymous: v["anonim"] == "1",
			Name: v["nama"], Phone: v["telepon"], Email: v["surel"], Token: v["tantangan"]}
		d.Prov, d.Reg, d.Dist, d.Village = chain(v["provinsi"], v["kabupaten"], v["kecamatan"], v["wilayah"])
		regionCode := d.Village
		if k == complaint.KindWBS && regionCode == "" {
			// A report may name an office at any level, or none.
			for _, c := range []string{d.Dist, d.Reg, d.Prov} {
				if c != "" {
					regionCode = c
					break
				}
			}
		}
		// keep holds the files for the next try, so that a step or a
		// refusal does not make the filer choose them again. New files are
		// kept sanitized, as they would be stored (no photo's metadata
		// reaches the database), and only those that would be accepted.
		keep := func() {
			if newFiles == 0 {
				if held != "" {
					d.HeldToken, d.HeldFiles = held, len(kept) // nothing new: the same hold
				}
				return
			}
			files := slices.Clone(kept)
			for i, f := range form.files[len(kept):] {
				if ev, err := complaint.Sanitize(len(kept)+i+1, f.Data); err == nil {
					files = append(files, complaint.Upload{Data: ev.Data})
				}
			}
			if len(files) == 0 {
				return
			}
			token, err := s.d.Complaints.Hold(r.Context(), held, files)
			if err != nil {
				if !errors.Is(err, complaint.ErrHoldFull) {
					s.d.Logger.Warn("complaint: files not kept for the next try", "err", err)
				}
				d.FilesDropped = true
				return
			}
			d.HeldToken, d.HeldFiles = token, min(len(files), complaint.MaxFiles)
		}
		if step || (v["langkah"] == "1" && d.Village == "") {
			// A step of the form without script: fill the next list.
			keep()
			s.renderComplaint(w, r, http.StatusOK, d)
			return
		}
		refuse := func(status int, msgs []string) {
			d.Errors = msgs
			keep()
			s.renderComplaint(w, r, status, d)
		}
		if len(form.refused) > 0 {
			refuse(http.StatusUnprocessableEntity, invalidTexts(lang, &errs.Invalid{Fields: form.refused}))
			return
		}
		// The challenge, spent before anything is written. Sent before the
		// no-script wait is over, the token stays good: send again.
		if f := s.d.Gate.Verify(d.Token, v["nonce"]); f != nil {
			if f.Early {
				w.Header().Set("Retry-After", strconv.Itoa(f.RetrySeconds()))
			} else {
				d.Token = ""
			}
			refuse(f.Status, []string{f.Message(lang)})
			return
		}
		// The token is spent: a refused filing gets a new one.
		d.Token = ""
		rc, err := s.d.Complaints.File(r.Context(), complaint.Filing{Kind: k, Category: complaint.Category(d.Category), Region: regionCode,
			Description: d.Description, Anonymous: d.Anonymous,
			Contact: complaint.Contact{Name: d.Name, Phone: d.Phone, Email: d.Email}, Files: form.files})
		var inv *errs.Invalid
		switch {
		case errors.As(err, &inv):
			refuse(http.StatusUnprocessableEntity, invalidTexts(lang, err))
			return
		case err != nil:
			s.fail(w, r, err)
			return
		}
		if held != "" {
			if err := s.d.Complaints.Release(r.Context(), held); err != nil {
				// Filed; the sweep deletes the kept copies within the hour.
				s.d.Logger.Warn("complaint: kept files not released", "err", err)
			}
		}
		p := s.newPage(r, "tanda_terima")
		p.Nav, p.Data = "pengaduan", rc
		s.render(w, r, http.StatusOK, "complaint_receipt", p)
	}
}

// followData is the follow page's content.
type followData struct {
	Code, Secret string
	View         *complaint.PublicView
	Errors       []string
	Added        bool
	Text         string
	MaxFiles     int
	MaxMB        int
}

func (s *Site) followForm(w http.ResponseWriter, r *http.Request) {
	s.renderFollow(w, r, http.StatusOK, &followData{})
}

func (s *Site) renderFollow(w http.ResponseWriter, r *http.Request, status int, d *followData) {
	d.MaxFiles, d.MaxMB = complaint.MaxFiles, complaint.MaxFileSize>>20
	p := s.newPage(r, "lacak")
	p.Nav, p.Data = "lacak", d
	s.render(w, r, status, "complaint_follow", p)
}

// gateFollow applies the limit per client address and the limit per
// tracking code (from any address): a secret cannot be guessed, and a
// flood against one code is stopped anyway.
func (s *Site) gateFollow(w http.ResponseWriter, r *http.Request, code string) bool {
	if s.limited(w, s.follow, api.ClientAddr(r)) {
		return false
	}
	key := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	if len(key) > 16 {
		key = key[:16]
	}
	return !s.limited(w, s.perCode, key)
}

func (s *Site) followPost(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "galat_400_isi")
		return
	}
	lang := langOf(r)
	d := &followData{Code: strings.TrimSpace(r.PostForm.Get("kode")), Secret: strings.TrimSpace(r.PostForm.Get("rahasia"))}
	if !s.gateFollow(w, r, d.Code) {
		d.Errors, d.Secret = []string{text(lang, "batas_lacak")}, ""
		s.renderFollow(w, r, http.StatusTooManyRequests, d)
		return
	}
	v, err := s.d.Complaints.Follow(r.Context(), d.Code, d.Secret)
	if errors.Is(err, errs.ErrNotFound) {
		d.Errors = []string{text(lang, "lacak_tidak_cocok")}
		d.Secret = ""
		s.renderFollow(w, r, http.StatusNotFound, d)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.View = &v
	s.renderFollow(w, r, http.StatusOK, d)
}

func (s *Site) followAdd(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > MaxBody {
		s.tooLarge(w, r)
		return
	}
	lang := langOf(r)
	form, err := readForm(r)
	if err != nil {
		if bodyTooLarge(err) {
			s.tooLarge(w, r)
			return
		}
		s.renderError(w, r, http.StatusBadRequest, "galat_400_isi")
		return
	}
	d := &followData{Code: strings.TrimSpace(form.fields["kode"]), Secret: strings.TrimSpace(form.fields["rahasia"]), Text: form.fields["informasi"]}
	if !s.gateFollow(w, r, d.Code) {
		d.Errors, d.Secret = []string{text(lang, "batas_lacak")}, ""
		s.renderFollow(w, r, http.StatusTooManyRequests, d)
		return
	}
	status := http.StatusOK
	if len(form.refused) > 0 {
		err = &errs.Invalid{Fields: form.refused}
	} else {
		err = s.d.Complaints.AddInfo(r.Context(), d.Code, d.Secret, d.Text, form.files)
	}
	var inv *errs.Invalid
	switch {
	case errors.Is(err, errs.ErrNotFound):
		d.Errors, d.Secret = []string{text(lang, "lacak_tidak_cocok")}, ""
		s.renderFollow(w, r, http.StatusNotFound, d)
		return
	case errors.As(err, &inv):
		d.Errors, status = invalidTexts(lang, err), http.StatusUnprocessableEntity
	case errors.Is(err, errs.ErrConflict):
		d.Errors, status = []string{text(lang, "pengaduan_ditutup")}, http.StatusConflict
	case err != nil:
		s.fail(w, r, err)
		return
	default:
		d.Added, d.Text = true, ""
	}
	v, err := s.d.Complaints.Follow(r.Context(), d.Code, d.Secret)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.View = &v
	s.renderFollow(w, r, status, d)
}
