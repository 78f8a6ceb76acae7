package public

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/httpx"
)

// ChallengeKeyFrom derives the challenge key from the secret key (which
// every node of one database shares), so that the secret key itself signs
// nothing public.
func ChallengeKeyFrom(secret []byte) []byte {
	if len(secret) == 0 {
		return nil
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("jaring/publik/tantangan/v1"))
	return m.Sum(nil)
}

// refusal is why the gate turned a request away.
type refusal struct {
	Status int
	Field  string // "tantangan" for a challenge refusal
	Key    string // message key
	Retry  time.Duration
}

// allowAddress applies the per-address limit.
func (s *Site) allowAddress(r *http.Request) *refusal {
	if s.d.LoadTest {
		return nil
	}
	if ok, retry := s.addrLimit.Reserve("a:"+api.ClientAddr(r), s.d.Now()); !ok {
		return &refusal{Status: http.StatusTooManyRequests, Key: "batas_alamat", Retry: retry}
	}
	return nil
}

// allowIdentifier applies the per-identifier limit (key names what is
// looked up, hashed: cekbansos.Query.Key).
func (s *Site) allowIdentifier(key string) *refusal {
	if s.d.LoadTest {
		return nil
	}
	if ok, retry := s.idLimit.Reserve(key, s.d.Now()); !ok {
		return &refusal{Status: http.StatusTooManyRequests, Key: "batas_subjek", Retry: retry}
	}
	return nil
}

// solve spends a challenge token: with a nonce (the script's proof of
// work) or, without one, after the no-script wait.
func (s *Site) solve(token, nonce string) *refusal {
	if s.d.LoadTest {
		return nil
	}
	err := s.ch.verify(token, nonce)
	var early *tooEarly
	switch {
	case err == nil:
		return nil
	case errors.As(err, &early):
		return &refusal{Status: http.StatusTooManyRequests, Field: "tantangan", Key: "tantangan_tunggu", Retry: early.wait}
	case errors.Is(err, errChallengeExpired):
		return &refusal{Status: http.StatusUnprocessableEntity, Field: "tantangan", Key: "tantangan_kedaluwarsa"}
	case errors.Is(err, errChallengeUsed):
		return &refusal{Status: http.StatusUnprocessableEntity, Field: "tantangan", Key: "tantangan_terpakai"}
	case errors.Is(err, errChallengeMissing):
		return &refusal{Status: http.StatusUnprocessableEntity, Field: "tantangan", Key: "tantangan_kosong"}
	default:
		return &refusal{Status: http.StatusUnprocessableEntity, Field: "tantangan", Key: "tantangan_salah"}
	}
}

// retrySeconds rounds a wait up to whole seconds, at least one.
func retrySeconds(d time.Duration) int {
	n := int((d + time.Second - 1) / time.Second)
	return max(n, 1)
}

// writeRefusal answers an API request refused by the gate.
func writeRefusal(w http.ResponseWriter, lang string, f *refusal) {
	p := httpx.Problem{Status: f.Status, Title: text(lang, "galat_"+strconv.Itoa(f.Status)), Detail: text(lang, f.Key)}
	if f.Retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(f.Retry)))
	}
	if f.Field != "" {
		p.Title = text(lang, "galat_422")
		p.Errors = append(p.Errors, fieldError(f.Field, text(lang, f.Key)))
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteProblem(w, p)
}

func init() {
	addText(map[string][2]string{
		"batas_alamat": {"Terlalu banyak pemeriksaan dari alamat jaringan Anda. Coba lagi sebentar lagi.",
			"Too many checks from your network address. Please try again shortly."},
		"batas_subjek": {"Data ini sudah terlalu sering diperiksa. Coba lagi beberapa menit lagi.",
			"These details have been checked too often. Please try again in a few minutes."},
		"tantangan_tunggu": {"Pemeriksaan keamanan belum selesai. Tunggu beberapa detik, lalu kirim lagi.",
			"The security check is not finished. Wait a few seconds, then send again."},
		"tantangan_kedaluwarsa": {"Formulir sudah terlalu lama dibuka. Kirim lagi dengan formulir baru ini.",
			"The form was open too long. Send again with this new form."},
		"tantangan_terpakai": {"Formulir ini sudah dipakai. Kirim lagi dengan formulir baru ini.",
			"This form was already used. Send again with this new form."},
		"tantangan_kosong": {"Pemeriksaan keamanan tidak ada. Muat ulang halaman lalu kirim lagi.",
			"The security check is missing. Reload the page and send again."},
		"tantangan_salah": {"Pemeriksaan keamanan tidak sah. Muat ulang halaman lalu kirim lagi.",
			"The security check is not valid. Reload the page and send again."},
	})
}
