package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/notify"
)

// ---- citizens' accounts: the verification queue (/verifikasi-warga) ----
//
// Village and district operators (authz.CitizenVerify) see the accounts
// registered in their region, open one with its full NIK and its photos
// (each look audited by internal/citizen), and approve it or reject it
// with a published reason. Every signed-in user has a notification page.

func (w *Web) wargaRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/verifikasi-warga", Action: authz.CitizenVerify, Handler: w.wargaQueue},
		{Method: "GET", Pattern: "/verifikasi-warga/{id}", Action: authz.CitizenVerify, Handler: w.wargaPage},
		{Method: "GET", Pattern: "/verifikasi-warga/{id}/foto/{kind}", Action: authz.CitizenVerify, Handler: w.wargaPhoto},
		{Method: "POST", Pattern: "/verifikasi-warga/{id}/setujui", Action: authz.CitizenVerify, Handler: w.wargaDecide(true)},
		{Method: "POST", Pattern: "/verifikasi-warga/{id}/tolak", Action: authz.CitizenVerify, Handler: w.wargaDecide(false)},
		{Method: "GET", Pattern: "/pemberitahuan", Action: authz.Self, Handler: w.notices},
		{Method: "POST", Pattern: "/pemberitahuan/baca", Action: authz.Self, Handler: w.noticesRead},
	}
}

// FlagLabel describes a register-check flag.
func (p *page) FlagLabel(code string) string {
	if s := text(p.Lang, "warga.tanda."+code); s != "warga.tanda."+code {
		return s
	}
	return code
}

// ReasonLabel names a rejection reason in the page's language.
func (p *page) ReasonLabel(code string) string {
	r, ok := citizen.ReasonByCode(code)
	switch {
	case !ok:
		return code
	case p.Lang == "en":
		return r.LabelEN
	}
	return r.Label
}

// StatusLabel names an account status in the page's language.
func (p *page) CitizenStatus(s citizen.Status) string { return p.T("warga.status." + string(s)) }

type wargaQueueData struct {
	Status   citizen.Status
	Statuses []citizen.Status
	Items    []citizen.Item
	Next     int64
}

func (w *Web) wargaQueue(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := wargaQueueData{Status: citizen.Status(q.Get("status")), Statuses: []citizen.Status{citizen.Pending, citizen.Verified, citizen.Rejected}}
	switch d.Status {
	case citizen.Pending, citizen.Verified, citizen.Rejected:
	default:
		d.Status = citizen.Pending
	}
	after, _ := strconv.ParseInt(q.Get("setelah"), 10, 64)
	const perPage = 50
	items, err := w.d.Citizens.Queue(r.Context(), citizen.QueueOptions{Status: d.Status, After: after, Limit: perPage})
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	d.Items = items
	if len(items) == perPage {
		d.Next = items[len(items)-1].ID
	}
	w.render(rw, r, http.StatusOK, "warga", withData(w.newPage(r, "warga", "warga_judul"), d))
}

type wargaData struct {
	Account citizen.Account
	Reasons []citizen.Reason
	// Maker says the viewer made the account: they may not decide it.
	Maker bool
	Error string
}

func (w *Web) wargaPage(rw http.ResponseWriter, r *http.Request) {
	id, err := formID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	w.renderWarga(rw, r, http.StatusOK, id, "")
}

func (w *Web) renderWarga(rw http.ResponseWriter, r *http.Request, status int, id int64, msg string) {
	acc, err := w.d.Citizens.Get(r.Context(), id)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	p := w.newPage(r, "warga", "warga_rinci")
	p.Crumbs = []crumb{{p.T("warga_judul"), "/verifikasi-warga"}, {p.Tf("warga_akun_no", acc.ID), ""}}
	p.Heading = p.Tf("warga_akun_no", acc.ID)
	pr, _ := authz.From(r.Context())
	d := wargaData{Account: acc, Reasons: citizen.Reasons, Maker: pr.UserID == acc.ID, Error: msg}
	w.render(rw, r, status, "warga_rinci", withData(p, d))
}

func (w *Web) wargaPhoto(rw http.ResponseWriter, r *http.Request) {
	id, err := formID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	data, err := w.d.Citizens.Photo(r.Context(), id, r.PathValue("kind"))
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	api.ServePhoto(rw, data)
}

func (w *Web) wargaDecide(approve bool) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		id, err := formID(r)
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		_, err = w.d.Citizens.Decide(r.Context(), id, citizen.Decision{Approve: approve, Reason: r.PostFormValue("alasan"), Note: r.PostFormValue("catatan")})
		if err != nil {
			if s := errStatus(err); s != http.StatusInternalServerError && s != http.StatusNotFound {
				w.renderWarga(rw, r, s, id, errMessage(err))
				return
			}
			w.renderError(rw, r, err)
			return
		}
		http.Redirect(rw, r, fmt.Sprintf("/verifikasi-warga/%d", id), http.StatusSeeOther)
	}
}

type noticesData struct {
	Items  []notify.Notification
	Unread int
	Next   int64
}

func (w *Web) notices(rw http.ResponseWriter, r *http.Request) {
	sess := httpx.SessionFrom(r.Context())
	before, _ := strconv.ParseInt(r.URL.Query().Get("sebelum"), 10, 64)
	const perPage = 50
	items, err := w.d.Notify.List(r.Context(), sess.User.ID, notify.ListOptions{Before: before, Limit: perPage})
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	unread, err := w.d.Notify.Unread(r.Context(), sess.User.ID)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	d := noticesData{Items: items, Unread: unread}
	if len(items) == perPage {
		d.Next = items[len(items)-1].ID
	}
	w.render(rw, r, http.StatusOK, "pemberitahuan", withData(w.newPage(r, "pemberitahuan", "pemberitahuan_judul"), d))
}

func (w *Web) noticesRead(rw http.ResponseWriter, r *http.Request) {
	sess := httpx.SessionFrom(r.Context())
	if _, err := w.d.Notify.MarkRead(r.Context(), sess.User.ID, nil); err != nil {
		w.renderError(rw, r, err)
		return
	}
	http.Redirect(rw, r, "/pemberitahuan", http.StatusSeeOther)
}

func init() {
	for lang, m := range wargaCatalogue {
		for k, v := range m {
			catalogue[lang][k] = v
		}
	}
}

// wargaCatalogue holds the strings of these pages, merged into catalogue.
var wargaCatalogue = map[string]map[string]string{
	"id": {
		"warga_judul":                "Verifikasi akun warga",
		"warga_rinci":                "Akun warga",
		"warga_akun_no":              "Akun warga %d",
		"warga_bantu":                "Akun warga yang mendaftar di wilayah Anda. Buka akun, periksa foto KTP dan swafoto dengan data yang diisi, lalu setujui atau tolak dengan salah satu alasan yang diumumkan. Setiap pembukaan akun dan foto tercatat di jejak audit.",
		"warga_kosong":               "Tidak ada akun dengan status ini.",
		"warga_nama":                 "Nama",
		"warga_nik":                  "NIK",
		"warga_kk":                   "Nomor KK",
		"warga_desa":                 "Desa/kelurahan",
		"warga_hp":                   "Nomor HP",
		"warga_email":                "E-mail",
		"warga_status":               "Status",
		"warga_daftar":               "Mendaftar",
		"warga_tanda":                "Temuan pemeriksaan register",
		"warga_tanpa_tanda":          "Tidak ada temuan.",
		"warga_di_register":          "Di register",
		"warga_di_register_ya":       "Ya: NIK tercatat di register",
		"warga_di_register_tidak":    "Tidak: NIK belum tercatat di register",
		"warga_foto_ktp":             "Foto KTP",
		"warga_foto_swafoto":         "Swafoto dengan KTP",
		"warga_setujui":              "Setujui akun",
		"warga_tolak":                "Tolak akun",
		"warga_alasan":               "Alasan penolakan",
		"warga_catatan":              "Catatan untuk warga (boleh kosong)",
		"warga_pembuat":              "Anda yang membuat akun ini: verifikasi harus oleh operator lain.",
		"warga_diputuskan":           "Diputuskan oleh %s pada %s.",
		"warga_berikutnya":           "Berikutnya",
		"warga.status.menunggu":      "Menunggu",
		"warga.status.terverifikasi": "Terverifikasi",
		"warga.status.ditolak":       "Ditolak",
		"warga.tanda.kk_beda":        "Register mencatat NIK ini dengan nomor KK lain",
		"warga.tanda.nama_beda":      "Register mencatat NIK ini dengan nama lain",
		"warga.tanda.desa_beda":      "Register mencatat NIK ini di desa/kelurahan lain",
		"warga.tanda.register_tidur": "NIK ini di register berstatus tidak aktif",
		"warga.tanda.di_bawah_17":    "Menurut NIK, umurnya belum 17 tahun",
		"pemberitahuan_judul":        "Pemberitahuan",
		"pemberitahuan_kosong":       "Belum ada pemberitahuan.",
		"pemberitahuan_belum_dibaca": "%d belum dibaca",
		"pemberitahuan_tandai":       "Tandai semua sudah dibaca",
		"pemberitahuan_buka":         "Buka",
		"pemberitahuan_baru":         "baru",
		"pemberitahuan_lebih_lama":   "Lebih lama",
	},
	"en": {
		"warga_judul":                "Citizen account verification",
		"warga_rinci":                "Citizen account",
		"warga_akun_no":              "Citizen account %d",
		"warga_bantu":                "Citizen accounts registered in your region. Open an account, compare the KTP photo and the selfie with the data entered, then approve it or reject it with one of the published reasons. Every look at an account and its photos is recorded in the audit trail.",
		"warga_kosong":               "No account with this status.",
		"warga_nama":                 "Name",
		"warga_nik":                  "NIK",
		"warga_kk":                   "KK number",
		"warga_desa":                 "Village",
		"warga_hp":                   "Mobile number",
		"warga_email":                "E-mail",
		"warga_status":               "Status",
		"warga_daftar":               "Registered",
		"warga_tanda":                "Register check findings",
		"warga_tanpa_tanda":          "No findings.",
		"warga_di_register":          "In the register",
		"warga_di_register_ya":       "Yes: the NIK is in the register",
		"warga_di_register_tidak":    "No: the NIK is not in the register",
		"warga_foto_ktp":             "KTP photo",
		"warga_foto_swafoto":         "Selfie holding the KTP",
		"warga_setujui":              "Approve account",
		"warga_tolak":                "Reject account",
		"warga_alasan":               "Reason for rejection",
		"warga_catatan":              "Note for the citizen (optional)",
		"warga_pembuat":              "You made this account: another operator must verify it.",
		"warga_diputuskan":           "Decided by %s on %s.",
		"warga_berikutnya":           "Next",
		"warga.status.menunggu":      "Waiting",
		"warga.status.terverifikasi": "Verified",
		"warga.status.ditolak":       "Rejected",
		"warga.tanda.kk_beda":        "The register has this NIK with another KK number",
		"warga.tanda.nama_beda":      "The register has this NIK with another name",
		"warga.tanda.desa_beda":      "The register has this NIK in another village",
		"warga.tanda.register_tidur": "This NIK is inactive in the register",
		"warga.tanda.di_bawah_17":    "By the NIK, under 17 years old",
		"pemberitahuan_judul":        "Notifications",
		"pemberitahuan_kosong":       "No notifications yet.",
		"pemberitahuan_belum_dibaca": "%d unread",
		"pemberitahuan_tandai":       "Mark all as read",
		"pemberitahuan_buka":         "Open",
		"pemberitahuan_baru":         "new",
		"pemberitahuan_lebih_lama":   "Older",
	},
}
