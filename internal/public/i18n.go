package public

import (
	"net/http"
	"strconv"
	"strings"
)

// LangCookie holds the chosen language; the back office reads the same
// cookie (web.LangCookie), so a choice made on one side holds on the other.
const LangCookie = "jaring_bahasa"

// catalogue maps a language to its messages. Indonesian is the default
// and the fallback.
var catalogue = map[string]map[string]string{"id": {}, "en": {}}

// addText registers messages, each as {Indonesian, English} (call it from
// an init function). A key registered twice is a programming error.
func addText(m map[string][2]string) {
	regMu.Lock()
	defer regMu.Unlock()
	for k, v := range m {
		if _, dup := catalogue["id"][k]; dup {
			panic("public: message " + k + " registered twice")
		}
		catalogue["id"][k], catalogue["en"][k] = v[0], v[1]
	}
}

// langOf returns the request's language: the cookie's when valid, else Indonesian.
func langOf(r *http.Request) string {
	if c, err := r.Cookie(LangCookie); err == nil {
		if _, ok := catalogue[c.Value]; ok {
			return c.Value
		}
	}
	return "id"
}

// text looks a message up in lang, falling back to Indonesian, then to the key.
func text(lang, key string) string {
	if s, ok := catalogue[lang][key]; ok && s != "" {
		return s
	}
	if s, ok := catalogue["id"][key]; ok {
		return s
	}
	return key
}

// formatInt writes n with the language's thousands separator.
func formatInt(lang string, n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	sep := "."
	if lang == "en" {
		sep = ","
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

func init() {
	addText(map[string][2]string{
		"situs":           {"Layanan Publik Jaring", "Jaring Public Services"},
		"situs_sub":       {"Kementerian Sosial Republik Indonesia", "Ministry of Social Affairs, Republic of Indonesia"},
		"lewati":          {"Lewati ke isi", "Skip to content"},
		"menu":            {"Menu", "Menu"},
		"bahasa_lain":     {"English", "Bahasa Indonesia"},
		"beranda":         {"Beranda", "Home"},
		"beranda_judul":   {"Layanan publik bantuan sosial", "Social assistance public services"},
		"beranda_isi":     {"Tanpa perlu masuk atau mendaftar. Data pribadi Anda tidak pernah tampil di alamat halaman.", "No sign-in or registration needed. Your personal data never appears in a page address."},
		"petugas":         {"Untuk petugas: masuk ke kantor belakang", "For officers: sign in to the back office"},
		"galat_judul":     {"Terjadi kesalahan", "Something went wrong"},
		"galat_400":       {"Permintaan tidak valid", "Bad request"},
		"galat_403":       {"Ditolak", "Refused"},
		"galat_404":       {"Halaman tidak ditemukan", "Page not found"},
		"galat_404_isi":   {"Alamat ini tidak ada. Kembali ke beranda.", "There is nothing at this address. Go back to the home page."},
		"galat_422":       {"Isian belum benar", "Please check your entries"},
		"galat_429":       {"Terlalu banyak permintaan", "Too many requests"},
		"galat_500":       {"Kesalahan server", "Server error"},
		"galat_500_isi":   {"Terjadi kesalahan pada server. Coba lagi sebentar lagi.", "The server had a problem. Please try again shortly."},
		"galat_503":       {"Layanan sedang sibuk", "Service busy"},
		"kembali_beranda": {"Kembali ke beranda", "Back to the home page"},
		"periksa_isian":   {"Periksa isian berikut:", "Please check the following:"},
	})
}
