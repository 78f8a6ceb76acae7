package public

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/cekbansos"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/region"
)

// The status check: the form by region and name or by NIK, the answer,
// and the same as JSON under /api/v1/publik (docs/cekbansos.md).

func init() {
	addRoutes(func(s *Site) []httpx.Route {
		return []httpx.Route{
			{Method: "GET", Pattern: "/cek-bansos", Action: authz.Public, Handler: s.checkForm},
			{Method: "POST", Pattern: "/cek-bansos", Action: authz.Public, Handler: s.checkPost, NoCSRF: true, MaxBody: 16 << 10},
			{Method: "GET", Pattern: "/api/v1/publik/tantangan", Action: authz.Public, Handler: s.apiChallenge},
			{Method: "POST", Pattern: "/api/v1/publik/cek", Action: authz.Public, Handler: s.apiCheck, NoCSRF: true, MaxBody: 16 << 10},
			{Method: "GET", Pattern: "/api/v1/publik/wilayah", Action: authz.Public, Handler: s.apiRegions},
		}
	})
	addMenu(menuItem{Order: 10, Key: "cek", Href: "/cek-bansos", Desc: "cek_ringkas"})
}

func fmtText(lang, key string, args ...any) string { return fmt.Sprintf(text(lang, key), args...) }

// fieldError is a refusal of one field, its value never quoted back.
func fieldError(field, reason string) errs.FieldError {
	return errs.FieldError{Field: field, Reason: reason}
}

// regionCache keeps region lists (the same for everyone, and read by
// every step of every form) for an hour, in bounded memory.
type regionCache struct {
	store region.Store
	mu    sync.Mutex
	lists map[string]regionList
}

type regionList struct {
	at   time.Time
	list []Option
}

// Option is a region in a select.
type Option struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

const (
	regionTTL     = time.Hour
	regionMaxKeys = 10_000 // about the number of districts: every village list fits
)

// children returns the active regions under parent ("" = provinces).
func (c *regionCache) children(ctx context.Context, parent string, now time.Time) ([]Option, error) {
	c.mu.Lock()
	if l, ok := c.lists[parent]; ok && now.Sub(l.at) < regionTTL {
		c.mu.Unlock()
		return l.list, nil
	}
	c.mu.Unlock()
	rs, err := c.store.Children(ctx, parent)
	if err != nil {
		return nil, err
	}
	list := make([]Option, len(rs))
	for i, r := range rs {
		list[i] = Option{Code: r.Code, Name: r.Name}
	}
	c.mu.Lock()
	if c.lists == nil || len(c.lists) >= regionMaxKeys {
		c.lists = map[string]regionList{}
	}
	c.lists[parent] = regionList{at: now, list: list}
	c.mu.Unlock()
	return list, nil
}

// checkData is the form's content.
type checkData struct {
	Provinces, Regencies, Districts, Villages []Option
	Prov, Reg, Dist, Village                  string
	Name, NIK                                 string
	TokenName, TokenNIK                       string
	Difficulty, Wait                          int
	Errors                                    []string // of the name form
	ErrorsNIK                                 []string
	Open                                      string // "nik" when the NIK form has the focus of the answer
	Ready                                     bool   // a village is chosen: the button checks
}

// checkResult is the answer page's content.
type checkResult struct {
	A *cekbansos.Answer
}

func (s *Site) checkForm(w http.ResponseWriter, r *http.Request) {
	d := &checkData{}
	s.renderCheck(w, r, http.StatusOK, d)
}

// renderCheck fills the region lists and fresh challenges, and renders the form.
func (s *Site) renderCheck(w http.ResponseWriter, r *http.Request, status int, d *checkData) {
	ctx, now := r.Context(), s.d.Now()
	var err error
	lists := []struct {
		parent string
		into   *[]Option
	}{{"", &d.Provinces}, {d.Prov, &d.Regencies}, {d.Reg, &d.Districts}, {d.Dist, &d.Villages}}
	for i, l := range lists {
		if i > 0 && l.parent == "" {
			break
		}
		if *l.into, err = s.regions.children(ctx, l.parent, now); err != nil {
			s.fail(w, r, err)
			return
		}
		if i > 0 && len(*l.into) == 0 && len(d.Errors) == 0 {
			// A well-formed code that names no region with children.
			d.Errors = append(d.Errors, text(langOf(r), "wilayah_salah"))
		}
	}
	if d.TokenName == "" || s.ch.issuedAt(d.TokenName).IsZero() {
		d.TokenName = s.ch.issue().Challenge
	}
	if d.TokenNIK == "" || s.ch.issuedAt(d.TokenNIK).IsZero() {
		d.TokenNIK = s.ch.issue().Challenge
	}
	d.Difficulty = s.ch.difficulty
	d.Ready = d.Village != ""
	p := s.newPage(r, "cek")
	p.Nav, p.JS, p.Data = "cek", staticURL("publik.js"), d
	s.render(w, r, status, "cek", p)
}

// fail answers an internal error.
func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.d.Logger.ErrorContext(r.Context(), "public: check", "err", err)
	s.renderError(w, r, http.StatusInternalServerError, "galat_500_isi")
}

// chain keeps the posted region codes that form a chain from the
// province down, and drops the rest (a select changed without script
// leaves stale choices below it).
func chain(prov, reg, dist, village string) (string, string, string, string) {
	under := func(child, parent string, level int) string {
		if child == "" || parent == "" || region.Validate(child) != nil || region.Level(child) != level || region.Parent(child) != parent {
			return ""
		}
		return child
	}
	if region.Validate(prov) != nil || region.Level(prov) != 1 {
		return "", "", "", ""
	}
	reg = under(reg, prov, 2)
	dist = under(dist, reg, 3)
	village = under(village, dist, 4)
	return prov, reg, dist, village
}

func (s *Site) checkPost(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "galat_400_isi")
		return
	}
	lang := langOf(r)
	f := r.PostForm
	d := &checkData{Name: strings.TrimSpace(f.Get("nama"))}
	d.Prov, d.Reg, d.Dist, d.Village = chain(f.Get("provinsi"), f.Get("kabupaten"), f.Get("kecamatan"), f.Get("wilayah"))
	var q cekbansos.Query
	token, nonce := f.Get("tantangan"), f.Get("nonce")
	if f.Get("cara") == "nik" {
		d.Open, d.NIK, d.TokenNIK = "nik", strings.TrimSpace(f.Get("nik")), token
		q = cekbansos.Query{NIK: d.NIK}
	} else {
		d.TokenName = token
		if d.Village == "" {
			// A step of the form without script: fill the next list.
			if f.Get("provinsi") != "" && d.Prov == "" || f.Get("kabupaten") != "" && d.Reg == "" && d.Prov != "" {
				d.Errors = append(d.Errors, text(lang, "wilayah_salah"))
			}
			s.renderCheck(w, r, http.StatusOK, d)
			return
		}
		q = cekbansos.Query{Village: d.Village, Name: d.Name}
	}
	refuse := func(status int, msgs []string) {
		if d.Open == "nik" {
			d.ErrorsNIK = msgs
		} else {
			d.Errors = msgs
		}
		s.renderCheck(w, r, status, d)
	}
	if f := s.allowAddress(r); f != nil {
		w.Header().Set("Retry-After", itoa(retrySeconds(f.Retry)))
		refuse(f.Status, []string{text(lang, f.Key)})
		return
	}
	q = q.Clean()
	if err := q.Validate(); err != nil {
		refuse(http.StatusUnprocessableEntity, invalidTexts(lang, err))
		return
	}
	if f := s.solve(token, nonce); f != nil {
		if f.Key == "tantangan_tunggu" {
			// Keep the token: it is good once the wait is over.
			d.Wait = retrySeconds(f.Retry)
			w.Header().Set("Retry-After", itoa(d.Wait))
			refuse(f.Status, []string{text(lang, f.Key), fmtText(lang, "menunggu", d.Wait)})
			return
		}
		if d.Open == "nik" {
			d.TokenNIK = ""
		} else {
			d.TokenName = ""
		}
		refuse(f.Status, []string{text(lang, f.Key)})
		return
	}
	if f := s.allowIdentifier(q.Key()); f != nil {
		w.Header().Set("Retry-After", itoa(retrySeconds(f.Retry)))
		refuse(f.Status, []string{text(lang, f.Key)})
		return
	}
	a, err := s.d.Check.Check(r.Context(), q)
	var inv *errs.Invalid
	switch {
	case errors.As(err, &inv):
		refuse(http.StatusUnprocessableEntity, invalidTexts(lang, err))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	p := s.newPage(r, "hasil")
	p.Nav, p.Data = "cek", checkResult{A: a}
	s.render(w, r, http.StatusOK, "hasil", p)
}

// invalidTexts turns a validation error into lines for the page, with
// the fields' labels of this site (errs.Lines).
func invalidTexts(lang string, err error) []string {
	return errs.Lines(err, lang, func(field string) string { return text(lang, "kolom_"+field) })
}

func itoa(n int) string { return strconv.Itoa(n) }

// checkRequest is the JSON body of POST /api/v1/publik/cek.
type checkRequest struct {
	NIK       string `json:"nik"`
	Village   string `json:"wilayah"`
	Name      string `json:"nama"`
	Challenge string `json:"tantangan"`
	Nonce     string `json:"nonce"`
}

func (s *Site) apiChallenge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, s.ch.issue())
}

func (s *Site) apiCheck(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	lang := langOf(r)
	if f := s.allowAddress(r); f != nil {
		writeRefusal(w, lang, f)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		httpx.WriteProblem(w, httpx.Problem{Status: http.StatusUnsupportedMediaType, Title: "Unsupported Media Type",
			Detail: "Kirim JSON dengan Content-Type: application/json."})
		return
	}
	var b checkRequest
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	q := cekbansos.Query{NIK: b.NIK, Village: b.Village, Name: b.Name}.Clean()
	if err := q.Validate(); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if f := s.solve(b.Challenge, b.Nonce); f != nil {
		writeRefusal(w, lang, f)
		return
	}
	if f := s.allowIdentifier(q.Key()); f != nil {
		writeRefusal(w, lang, f)
		return
	}
	a, err := s.d.Check.Check(r.Context(), q)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a)
}

func (s *Site) apiRegions(w http.ResponseWriter, r *http.Request) {
	parent := r.URL.Query().Get("induk")
	if parent != "" && (region.Validate(parent) != nil || region.Level(parent) > 3) {
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{fieldError("induk", "kode provinsi, kabupaten/kota atau kecamatan, contoh 32.04.28")}})
		return
	}
	list, err := s.regions.children(r.Context(), parent, s.d.Now())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if list == nil {
		list = []Option{}
	}
	// Region lists are public reference data, the same for everyone.
	w.Header().Set("Cache-Control", "public, max-age=3600")
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"regions": list})
}

func init() {
	addText(map[string][2]string{
		"cek":             {"Cek Bansos", "Check social assistance"},
		"cek_ringkas":     {"Periksa apakah keluarga Anda menerima bantuan sosial, dan alasannya bila tidak.", "Check whether your family receives social assistance, and why not if it does not."},
		"cek_isi":         {"Periksa dengan nama sesuai KTP dan tempat tinggal, atau dengan NIK. Hasil hanya menampilkan nama yang disamarkan.", "Check with the name as on the KTP and where you live, or with the NIK. The answer shows only a masked name."},
		"cek_nama":        {"Cek dengan wilayah dan nama", "Check by region and name"},
		"cek_nik":         {"Cek dengan NIK", "Check by NIK"},
		"provinsi":        {"Provinsi", "Province"},
		"kabupaten":       {"Kabupaten/kota", "Regency/city"},
		"kecamatan":       {"Kecamatan", "District"},
		"desa":            {"Desa/kelurahan", "Village"},
		"pilih":           {"— pilih —", "— choose —"},
		"nama_ktp":        {"Nama sesuai KTP", "Name as on the KTP"},
		"nama_petunjuk":   {"Nama lengkap, tanpa gelar.", "Full name, without titles."},
		"nik_label":       {"NIK", "NIK"},
		"nik_petunjuk":    {"16 angka pada KTP atau Kartu Keluarga.", "The 16 digits on the KTP or family card."},
		"lanjutkan":       {"Lanjutkan", "Continue"},
		"periksa":         {"Cek status", "Check status"},
		"langkah":         {"Tanpa JavaScript: pilih satu tingkat wilayah, tekan Lanjutkan, lalu pilih tingkat berikutnya.", "Without JavaScript: choose one level of region, press Continue, then choose the next level."},
		"menunggu":        {"Pemeriksaan keamanan: kirim lagi dalam %d detik.", "Security check: send again in %d seconds."},
		"memverifikasi":   {"Memeriksa keamanan… mohon tunggu.", "Running the security check… please wait."},
		"wilayah_salah":   {"Wilayah tidak dikenal: pilih lagi.", "Unknown region: choose again."},
		"kolom_nik":       {"NIK", "NIK"},
		"kolom_nama":      {"Nama", "Name"},
		"kolom_wilayah":   {"Desa/kelurahan", "Village"},
		"kolom_tantangan": {"Pemeriksaan keamanan", "Security check"},
		"kolom_body":      {"Isian", "Form"},
		"galat_400_isi":   {"Formulir tidak dapat dibaca. Muat ulang halaman.", "The form could not be read. Reload the page."},
		"hasil":           {"Hasil Cek Bansos", "Social assistance check result"},
		"nama_samar":      {"Nama", "Name"},
		"desil":           {"Desil kesejahteraan", "Welfare decile"},
		"desil_isi":       {"Desil %d dari 10 (1 = paling membutuhkan)", "Decile %d of 10 (1 = in greatest need)"},
		"desil_belum":     {"Belum diperingkat", "Not ranked yet"},
		"program":         {"Program", "Program"},
		"periode":         {"Periode", "Period"},
		"status":          {"Status", "Status"},
		"keterangan":      {"Keterangan", "Explanation"},
		"menerima":        {"Menerima", "Receiving"},
		"menerima_jiwa":   {"Menerima (%d anggota keluarga)", "Receiving (%d family members)"},
		"tidak_menerima":  {"Tidak menerima", "Not receiving"},
		"belum_penetapan": {"Belum ada penetapan final program bantuan.", "No program has a final determination yet."},
		"cek_lagi":        {"Cek lagi", "Check again"},
		"hasil_catatan":   {"Status menurut penetapan final terakhir tiap program. Keberatan atau laporan: gunakan layanan pengaduan.", "Status according to each program's latest final determination. Objections or reports: use the complaints service."},
		"sd":              {"s.d.", "to"},
	})
}
