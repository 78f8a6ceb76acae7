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
	return verdict(s.ch, token, nonce)
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

// verdict spends a challenge token and turns the verifier's error into a
// refusal (nil when accepted).
func verdict(ch *challenger, token, nonce string) *refusal {
	err := ch.verify(token, nonce)
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

// Gate is the challenge for the forms of other packages (the complaint
// and whistleblowing forms): the same tokens, the same script and the
// same no-script wait as the status check. Such a form carries Token in
// a hidden field "tantangan", an empty "nonce", class "cek" and
// data-kesulitan="Difficulty" on the <form>, and loads ScriptURL; its
// handler calls Verify before it writes anything.
type Gate struct {
	ch  *challenger
	off bool
}

// NewGate returns a gate of its own (a random key when key is empty, so
// tokens are good on this process only; DefaultDifficulty when 0).
func NewGate(key []byte, difficulty int, now func() time.Time) *Gate {
	if now == nil {
		now = time.Now
	}
	return &Gate{ch: newChallenger(key, difficulty, now)}
}

// Gate returns the site's challenge for other forms: one key and one
// memory of spent tokens with the status check. Under Deps.LoadTest it
// lets everything through.
func (s *Site) Gate() *Gate { return &Gate{ch: s.ch, off: s.d.LoadTest} }

// Token returns prev when it is still good for another step of a form
// (its no-script wait keeps running from the first page), else a new token.
func (g *Gate) Token(prev string) string {
	if prev != "" && !g.ch.issuedAt(prev).IsZero() {
		return prev
	}
	return g.ch.issue().Challenge
}

// Difficulty is the number of leading zero bits the script must find.
func (g *Gate) Difficulty() int { return g.ch.difficulty }

// Refusal is why Verify turned a form away.
type Refusal struct {
	Status int           // 429 for the no-script wait, else 422
	Retry  time.Duration // how long to wait before sending the same token again (Early)
	Early  bool          // sent before the no-script wait was over: the token stays good
	key    string
}

// Message is the refusal in lang, for the page.
func (f *Refusal) Message(lang string) string {
	if f.Early {
		return text(lang, f.key) + " " + fmtText(lang, "menunggu", retrySeconds(f.Retry))
	}
	return text(lang, f.key)
}

// RetrySeconds is Retry in whole seconds, at least one (for Retry-After).
func (f *Refusal) RetrySeconds() int { return retrySeconds(f.Retry) }

// Verify spends token: with the script's nonce, or without one after
// NoScriptWait. It returns nil when the form may go on; a refused token is
// not spent.
func (g *Gate) Verify(token, nonce string) *Refusal {
	if g.off {
		return nil
	}
	f := verdict(g.ch, token, nonce)
	if f == nil {
		return nil
	}
	return &Refusal{Status: f.Status, Retry: f.Retry, Early: f.Key == "tantangan_tunggu", key: f.Key}
}

// ScriptURL is the versioned URL of the site's script, which solves the
// challenge of every form.cek on a page.
func ScriptURL() string { return staticURL("publik.js") }
