package public

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/region"
)

// Citizens' pages: registration, sign-in, the account's status (new
// photos after a rejection) and notifications. The domain is
// internal/citizen; registration shares its form reading with the API
// (api.RegistrationFrom) and its rate limit with it (citizen.Service.Limiter).

func init() {
	addRoutes(func(s *Site) []httpx.Route {
		return []httpx.Route{
			{Method: "GET", Pattern: "/warga/daftar", Action: authz.Public, Handler: s.wargaRegisterForm},
			{Method: "POST", Pattern: "/warga/daftar", Action: authz.Public, Handler: s.wargaRegister, NoCSRF: true, MaxBody: api.MaxRegistration},
			{Method: "GET", Pattern: "/warga/masuk", Action: authz.Public, Handler: s.wargaSignInForm},
			{Method: "POST", Pattern: "/warga/masuk", Action: authz.Public, Handler: s.wargaSignIn, NoCSRF: true},
			{Method: "POST", Pattern: "/warga/keluar", Action: authz.Self, Handler: s.wargaSignOut},
			{Method: "GET", Pattern: "/warga/akun", Action: authz.CitizenSelf, Handler: s.wargaAccount},
			{Method: "POST", Pattern: "/warga/akun/foto", Action: authz.CitizenSelf, Handler: s.wargaPhotos, MaxBody: api.MaxRegistration},
			{Method: "GET", Pattern: "/warga/pemberitahuan", Action: authz.CitizenSelf, Handler: s.wargaNotices},
			{Method: "POST", Pattern: "/warga/pemberitahuan/baca", Action: authz.CitizenSelf, Handler: s.wargaNoticesRead},
		}
	})
	addMenu(menuItem{Order: 40, Key: "warga", Href: "/warga/akun", Desc: "warga_ringkas"})
	addText(wargaText)
}

// wargaDefaults fills the citizens' services New was not given.
func wargaDefaults(d *Deps) {
	if d.DB == nil {
		return
	}
	if d.Notify == nil {
		d.Notify = notify.New(d.DB)
	}
	if d.Auth == nil {
		d.Auth = auth.New(d.DB)
	}
	if d.Citizens == nil {
		d.Citizens = citizen.New(d.DB, d.Auth, d.Notify)
		d.Citizens.Limiter = citizen.DefaultLimiter()
	}
}

// wargaCross refuses registrations and sign-ins sent by another site:
// there is no session yet, so no CSRF token to check.
var wargaCross = http.NewCrossOriginProtection()

type wargaRegisterData struct {
	Done                     bool // registered while someone else is signed in
	Errors                   []string
	NIK, KK, Name            string
	Phone, Email             string
	Prov, Reg, Dist, Village string
	Provinces, Regencies     []region.Region
	Districts, Villages      []region.Region
}

// regionSteps fills the region lists of the picker from the chosen codes.
func (s *Site) regionSteps(r *http.Request, d *wargaRegisterData) error {
	ctx := r.Context()
	var err error
	if d.Provinces, err = s.d.Regions.Children(ctx, ""); err != nil {
		return err
	}
	if d.Prov != "" {
		if d.Regencies, err = s.d.Regions.Children(ctx, d.Prov); err != nil {
			return err
		}
	}
	if d.Reg != "" {
		if d.Districts, err = s.d.Regions.Children(ctx, d.Reg); err != nil {
			return err
		}
	}
	if d.Dist != "" {
		if d.Villages, err = s.d.Regions.Children(ctx, d.Dist); err != nil {
			return err
		}
	}
	return nil
}

// wargaChain keeps the chosen region codes that form a chain from the
// province down and drops the rest.
func wargaChain(prov, reg, dist, village string) (string, string, string, string) {
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
	return prov, reg, dist, under(village, dist, 4)
}

// wargaFail logs an internal error (its digits masked) and answers 500.
func (s *Site) wargaFail(w http.ResponseWriter, r *http.Request, err error) {
	if httpx.Status(err) == 499 {
		return
	}
	s.d.Logger.ErrorContext(r.Context(), "public: citizen page", "route", r.Pattern, "err", audit.MaskDigits(err.Error()))
	s.renderError(w, r, http.StatusInternalServerError, "galat_500_isi")
}

func (s *Site) renderRegister(w http.ResponseWriter, r *http.Request, status int, d *wargaRegisterData) {
	if err := s.regionSteps(r, d); err != nil {
		s.wargaFail(w, r, err)
		return
	}
	p := s.newPage(r, "warga_daftar")
	p.Nav, p.Data = "warga", d
	s.render(w, r, status, "warga_daftar", p)
}

// wargaRegisterForm shows the form; the village picker steps through
// GET (region codes are no personal data), so that the photos are chosen
// once, in the last step.
func (s *Site) wargaRegisterForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := &wargaRegisterData{}
	d.Prov, d.Reg, d.Dist, _ = wargaChain(q.Get("provinsi"), q.Get("kabupaten"), q.Get("kecamatan"), "")
	s.renderRegister(w, r, http.StatusOK, d)
}

func (s *Site) wargaRegister(w http.ResponseWriter, r *http.Request) {
	if err := wargaCross.Check(r); err != nil {
		s.renderError(w, r, http.StatusForbidden, "warga_lintas_situs")
		return
	}
	lang := langOf(r)
	if !s.d.Citizens.Limiter.Allow(api.ClientAddr(r)) {
		w.Header().Set("Retry-After", "120")
		s.renderRegister(w, r, http.StatusTooManyRequests, &wargaRegisterData{Errors: []string{text(lang, "warga_terlalu_banyak")}})
		return
	}
	reg, err := api.RegistrationFrom(r)
	if errors.Is(err, api.ErrTooLarge) {
		s.renderRegister(w, r, http.StatusRequestEntityTooLarge, &wargaRegisterData{Errors: []string{text(lang, "warga_terlalu_besar")}})
		return
	}
	d := &wargaRegisterData{NIK: reg.NIK, KK: reg.KK, Name: reg.Name, Phone: reg.Phone, Email: reg.Email}
	d.Prov, d.Reg, d.Dist, d.Village = wargaChain(r.FormValue("provinsi"), r.FormValue("kabupaten"), r.FormValue("kecamatan"), reg.VillageCode)
	ctx := r.Context()
	sess := httpx.SessionFrom(ctx)
	if sess != nil && authz.Can(authz.Role(sess.User.Role), authz.CitizenVerify) {
		// An operator registers a walk-in resident: they are its maker,
		// and another operator verifies it.
		ctx = authz.With(ctx, authz.Principal{UserID: sess.User.ID, Username: sess.User.Username, Role: authz.Role(sess.User.Role),
			Region: sess.User.RegionCode, Via: sess.Via})
	}
	if err == nil {
		_, err = s.d.Citizens.Register(ctx, reg)
	}
	if err != nil {
		status := httpx.Status(err)
		if status == http.StatusInternalServerError {
			s.wargaFail(w, r, err)
			return
		}
		d.Errors = wargaErrors(lang, err)
		s.renderRegister(w, r, status, d)
		return
	}
	if sess != nil {
		// Someone is signed in on this browser (an operator helping a
		// resident): their session stays; the resident signs in later.
		p := s.newPage(r, "warga_daftar")
		p.Nav, p.Data = "warga", &wargaRegisterData{Done: true}
		s.render(w, r, http.StatusCreated, "warga_daftar", p)
		return
	}
	// Registered: sign in at once, so the resident lands on their account.
	token, ns, err := s.d.Auth.SignIn(r.Context(), auth.Attempt{Username: reg.NIK, Password: reg.Password, Address: api.ClientAddr(r)})
	if err != nil {
		http.Redirect(w, r, "/warga/masuk", http.StatusSeeOther)
		return
	}
	api.SetSessionCookie(w, r, token, ns.ExpiresAt)
	http.Redirect(w, r, "/warga/akun", http.StatusSeeOther)
}

// wargaErrors turns a refusal into lines for the page, each naming its field.
func wargaErrors(lang string, err error) []string {
	var inv *errs.Invalid
	if !errors.As(err, &inv) {
		return []string{errMessage(err)}
	}
	var out []string
	for _, f := range inv.Fields {
		out = append(out, text(lang, "warga_kolom_"+f.Field)+": "+f.Reason)
	}
	return out
}

func errMessage(err error) string {
	s := err.Error()
	for _, e := range []error{errs.ErrForbidden, errs.ErrNotFound, errs.ErrConflict} {
		if len(s) > len(e.Error())+2 && s[len(s)-len(e.Error())-2:] == ": "+e.Error() {
			s = s[:len(s)-len(e.Error())-2]
		}
	}
	return s
}

type wargaSignInData struct {
	Login string
	Error string
}

func (s *Site) wargaSignInForm(w http.ResponseWriter, r *http.Request) {
	if sess := httpx.SessionFrom(r.Context()); sess != nil && sess.User.Role == string(authz.Citizen) {
		http.Redirect(w, r, "/warga/akun", http.StatusSeeOther)
		return
	}
	p := s.newPage(r, "warga_masuk")
	p.Nav, p.Data = "warga", wargaSignInData{}
	s.render(w, r, http.StatusOK, "warga_masuk", p)
}

// wargaSignIn signs a citizen in with their NIK, phone or e-mail. A
// refusal says the same whatever was wrong; a lockout says to wait.
func (s *Site) wargaSignIn(w http.ResponseWriter, r *http.Request) {
	if err := wargaCross.Check(r); err != nil {
		s.renderError(w, r, http.StatusForbidden, "warga_lintas_situs")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	login := r.PostFormValue("masuk")
	token, sess, err := s.d.Auth.SignIn(r.Context(), auth.Attempt{Username: login, Password: r.PostFormValue("kata_sandi"),
		Address: api.ClientAddr(r), Previous: api.PreviousSession(r)})
	var locked *auth.LockedError
	if err == nil && sess.User.Role != string(authz.Citizen) {
		// An operator's account signs in at the back office.
		_ = s.d.Auth.SignOut(r.Context(), token)
		err = auth.ErrBadCredentials
	}
	if errors.Is(err, auth.ErrBadCredentials) || errors.As(err, &locked) {
		lang := langOf(r)
		status, msg := http.StatusUnauthorized, text(lang, "warga_salah_masuk")
		if locked != nil {
			d := locked.RetryAfter(s.d.Now())
			w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())))
			status, msg = http.StatusTooManyRequests, text(lang, "warga_terkunci")
		}
		p := s.newPage(r, "warga_masuk")
		// The typed NIK is not shown back: the page may be cached by a shared browser.
		p.Nav, p.Data = "warga", wargaSignInData{Error: msg}
		s.render(w, r, status, "warga_masuk", p)
		return
	}
	if err != nil {
		s.wargaFail(w, r, err)
		return
	}
	api.SetSessionCookie(w, r, token, sess.ExpiresAt)
	http.Redirect(w, r, "/warga/akun", http.StatusSeeOther)
}

func (s *Site) wargaSignOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(api.SessionCookie); err == nil && c.Value != "" {
		if err := s.d.Auth.SignOut(r.Context(), c.Value); err != nil {
			s.wargaFail(w, r, err)
			return
		}
	}
	api.ClearSessionCookie(w, r)
	http.Redirect(w, r, "/warga/masuk", http.StatusSeeOther)
}

type wargaAccountData struct {
	Account     citizen.Account
	Village     string
	ReasonLabel string
	Unread      int
	CSRF        string
	Errors      []string
}

func (s *Site) wargaAccount(w http.ResponseWriter, r *http.Request) {
	s.renderAccount(w, r, http.StatusOK, nil)
}

func (s *Site) renderAccount(w http.ResponseWriter, r *http.Request, status int, errors []string) {
	acc, ok := citizen.From(r.Context())
	if !ok {
		s.renderError(w, r, http.StatusNotFound, "galat_404_isi")
		return
	}
	sess := httpx.SessionFrom(r.Context())
	lang := langOf(r)
	d := wargaAccountData{Account: acc, CSRF: sess.CSRFToken, Errors: errors, Village: acc.VillageCode}
	if v, err := (region.Store{DB: s.d.DB}).Get(r.Context(), acc.VillageCode); err == nil {
		d.Village = v.Name + " (" + v.Code + ")"
	}
	if rs, ok := citizen.ReasonByCode(acc.RejectReason); ok {
		d.ReasonLabel = rs.Label
		if lang == "en" {
			d.ReasonLabel = rs.LabelEN
		}
	}
	n, err := s.d.Notify.Unread(r.Context(), sess.User.ID)
	if err != nil {
		s.wargaFail(w, r, err)
		return
	}
	d.Unread = n
	p := s.newPage(r, "warga_akun")
	p.Nav, p.Data = "warga", d
	s.render(w, r, status, "warga_akun", p)
}

func (s *Site) wargaPhotos(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	if err := api.ParseUpload(r); err != nil {
		s.renderAccount(w, r, http.StatusRequestEntityTooLarge, []string{text(lang, "warga_terlalu_besar")})
		return
	}
	ktp, err1 := api.ReadPhoto(r, "ktp")
	selfie, err2 := api.ReadPhoto(r, "selfie")
	if err := errors.Join(err1, err2); err != nil {
		s.renderAccount(w, r, http.StatusUnprocessableEntity, wargaErrors(lang, err))
		return
	}
	if _, err := s.d.Citizens.Resubmit(r.Context(), ktp, selfie); err != nil {
		status := httpx.Status(err)
		if status == http.StatusInternalServerError {
			s.wargaFail(w, r, err)
			return
		}
		s.renderAccount(w, r, status, wargaErrors(lang, err))
		return
	}
	http.Redirect(w, r, "/warga/akun", http.StatusSeeOther)
}

type wargaNoticesData struct {
	Items  []notify.Notification
	Unread int
	Next   int64
	CSRF   string
}

func (s *Site) wargaNotices(w http.ResponseWriter, r *http.Request) {
	sess := httpx.SessionFrom(r.Context())
	before, _ := strconv.ParseInt(r.URL.Query().Get("sebelum"), 10, 64)
	const perPage = 30
	items, err := s.d.Notify.List(r.Context(), sess.User.ID, notify.ListOptions{Before: before, Limit: perPage})
	if err != nil {
		s.wargaFail(w, r, err)
		return
	}
	unread, err := s.d.Notify.Unread(r.Context(), sess.User.ID)
	if err != nil {
		s.wargaFail(w, r, err)
		return
	}
	d := wargaNoticesData{Items: items, Unread: unread, CSRF: sess.CSRFToken}
	if len(items) == perPage {
		d.Next = items[len(items)-1].ID
	}
	p := s.newPage(r, "warga_pemberitahuan")
	p.Nav, p.Data = "warga", d
	s.render(w, r, http.StatusOK, "warga_pemberitahuan", p)
}

func (s *Site) wargaNoticesRead(w http.ResponseWriter, r *http.Request) {
	if _, err := s.d.Notify.MarkRead(r.Context(), httpx.SessionFrom(r.Context()).User.ID, nil); err != nil {
		s.wargaFail(w, r, err)
		return
	}
	http.Redirect(w, r, "/warga/pemberitahuan", http.StatusSeeOther)
}

var wargaText = map[string][2]string{
	"warga":                      {"Akun warga", "Citizen account"},
	"warga_ringkas":              {"Daftar atau masuk untuk mengajukan usul dan sanggah dan menerima pemberitahuan.", "Register or sign in to file proposals and objections and receive notifications."},
	"warga_daftar":               {"Daftar akun warga", "Register a citizen account"},
	"warga_daftar_isi":           {"Isi data sesuai KTP dan Kartu Keluarga, lalu unggah foto KTP dan swafoto Anda memegang KTP. Operator desa/kelurahan atau dinas sosial memeriksanya; sesudah disetujui Anda dapat mengajukan usul dan sanggah.", "Enter your data as on your KTP and family card, then upload a photo of your KTP and a selfie holding it. The village operator or the district social office checks them; once approved you can file proposals and objections."},
	"warga_langkah_desa":         {"Pilih wilayah Anda dulu, langkah demi langkah.", "First choose your region, step by step."},
	"warga_pilih":                {"Pilih", "Choose"},
	"warga_lanjut":               {"Lanjutkan", "Continue"},
	"warga_provinsi":             {"Provinsi", "Province"},
	"warga_kabupaten":            {"Kabupaten/kota", "Regency/city"},
	"warga_kecamatan":            {"Kecamatan", "District"},
	"warga_desa":                 {"Desa/kelurahan", "Village"},
	"warga_nik":                  {"NIK (16 angka)", "NIK (16 digits)"},
	"warga_kk":                   {"Nomor Kartu Keluarga (16 angka)", "Family card number (16 digits)"},
	"warga_nama":                 {"Nama sesuai KTP", "Name as on the KTP"},
	"warga_hp":                   {"Nomor HP", "Mobile number"},
	"warga_email":                {"E-mail", "E-mail"},
	"warga_kontak":               {"Isi nomor HP atau e-mail (boleh keduanya); Anda juga dapat masuk dengannya.", "Enter a mobile number or an e-mail address (or both); you can also sign in with it."},
	"warga_sandi":                {"Kata sandi (paling sedikit 10 karakter)", "Password (at least 10 characters)"},
	"warga_foto_ktp":             {"Foto KTP", "Photo of the KTP"},
	"warga_foto_swafoto":         {"Swafoto memegang KTP", "Selfie holding the KTP"},
	"warga_foto_petunjuk":        {"JPEG atau PNG, paling besar 5 MB. Data lokasi dan kamera di foto dihapus.", "JPEG or PNG, at most 5 MB. Location and camera data in the photo are removed."},
	"warga_kirim_daftar":         {"Daftar", "Register"},
	"warga_sudah_punya":          {"Sudah punya akun?", "Already registered?"},
	"warga_belum_punya":          {"Belum punya akun?", "No account yet?"},
	"warga_terlalu_banyak":       {"Terlalu banyak pendaftaran dari alamat ini. Coba lagi beberapa menit lagi.", "Too many registrations from this address. Try again in a few minutes."},
	"warga_terlalu_besar":        {"Unggahan terlalu besar: setiap foto paling besar 5 MB.", "Upload too large: each photo at most 5 MB."},
	"warga_kolom_nik":            {"NIK", "NIK"},
	"warga_kolom_kk":             {"Nomor KK", "KK number"},
	"warga_kolom_name":           {"Nama", "Name"},
	"warga_kolom_village":        {"Desa/kelurahan", "Village"},
	"warga_kolom_phone":          {"Nomor HP", "Mobile number"},
	"warga_kolom_email":          {"E-mail", "E-mail"},
	"warga_kolom_password":       {"Kata sandi", "Password"},
	"warga_kolom_ktp":            {"Foto KTP", "KTP photo"},
	"warga_kolom_selfie":         {"Swafoto", "Selfie"},
	"warga_kolom_body":           {"Formulir", "Form"},
	"warga_masuk":                {"Masuk akun warga", "Citizen sign-in"},
	"warga_masuk_label":          {"NIK, nomor HP atau e-mail", "NIK, mobile number or e-mail"},
	"warga_masuk_kirim":          {"Masuk", "Sign in"},
	"warga_salah_masuk":          {"NIK/nomor HP/e-mail atau kata sandi salah.", "Wrong NIK/mobile number/e-mail or password."},
	"warga_terkunci":             {"Terlalu banyak percobaan yang gagal. Coba lagi nanti.", "Too many failed attempts. Try again later."},
	"warga_akun":                 {"Akun saya", "My account"},
	"warga_status":               {"Status", "Status"},
	"warga_status_menunggu":      {"Menunggu verifikasi oleh operator desa/kelurahan atau dinas sosial.", "Waiting for the village operator or the district social office to verify it."},
	"warga_usulan_saya":          {"Usulan dan sanggahan saya", "My proposals and objections"},
	"warga_status_terverifikasi": {"Terverifikasi: Anda dapat mengajukan usul dan sanggah.", "Verified: you can file proposals and objections."},
	"warga_status_ditolak":       {"Ditolak", "Rejected"},
	"warga_alasan":               {"Alasan", "Reason"},
	"warga_catatan":              {"Catatan operator", "Operator's note"},
	"warga_kirim_ulang":          {"Kirim ulang foto", "Send new photos"},
	"warga_kirim_ulang_isi":      {"Perbaiki foto sesuai alasan di atas, lalu kirim ulang; akun Anda akan diperiksa lagi.", "Fix the photos as the reason says and send them again; your account will be checked again."},
	"warga_pemberitahuan":        {"Pemberitahuan", "Notifications"},
	"warga_belum_dibaca":         {"%d belum dibaca", "%d unread"},
	"warga_tandai":               {"Tandai semua sudah dibaca", "Mark all as read"},
	"warga_kosong":               {"Belum ada pemberitahuan.", "No notifications yet."},
	"warga_buka":                 {"Buka", "Open"},
	"warga_baru":                 {"baru", "new"},
	"warga_lebih_lama":           {"Lebih lama", "Older"},
	"warga_keluar":               {"Keluar", "Sign out"},
	"warga_terdaftar":            {"Pendaftaran diterima dan menunggu verifikasi. Warga dapat masuk dengan NIK, nomor HP atau e-mail dan kata sandinya.", "Registration received, waiting for verification. The resident can sign in with their NIK, mobile number or e-mail and password."},
	"warga_lintas_situs":         {"Formulir ini dikirim dari situs lain dan ditolak.", "This form was sent from another site and was refused."},
}
