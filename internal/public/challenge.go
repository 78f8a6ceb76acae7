package public

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The challenge (a self-hosted proof of work instead of a picture captcha).
//
// The server issues a token "c1.ISSUED.DIFFICULTY.ID.MAC": the issue time
// (Unix seconds), the number of leading zero bits asked for, 12 random
// bytes (base64url) and an HMAC-SHA-256 of the rest under a key only the
// servers know (derived from the secret key, so every node of one database
// accepts every node's tokens). Issuing costs one HMAC and keeps no state.
//
// A token is accepted once, within ChallengeTTL of its issue, in one of two ways:
//   - with a nonce (at most 20 characters) such that SHA-256(token ":" nonce)
//     begins with DIFFICULTY zero bits: the page's script finds it with Web
//     Crypto in about 2^DIFFICULTY hashes (a second or two on a cheap
//     phone); the server checks it with one hash;
//   - without a nonce, NoScriptWait after its issue: the path of a browser
//     without JavaScript. Filling the form takes longer than the wait, so a
//     person rarely notices it; a scraper pays in time what it saves in work.
//
// A used token is remembered until it has expired (usedTokens), in memory
// on each node: a token can thus be used once per node at most, which the
// per-address limit bounds anyway, and the check stays free of a database
// write per request. Behind a load balancer with N nodes a solved token is
// worth at most N checks.
const (
	ChallengeTTL      = 5 * time.Minute
	NoScriptWait      = 8 * time.Second
	DefaultDifficulty = 16
	maxNonce          = 20
)

// Challenge refusals.
var (
	errChallengeMissing  = errors.New("tantangan belum diisi")
	errChallengeBogus    = errors.New("tantangan tidak sah")
	errChallengeExpired  = errors.New("tantangan kedaluwarsa: muat ulang halaman")
	errChallengeUsed     = errors.New("tantangan sudah dipakai: muat ulang halaman")
	errChallengeBadProof = errors.New("jawaban tantangan salah")
)

// tooEarly is the no-script path used before its wait is over.
type tooEarly struct{ wait time.Duration }

func (e *tooEarly) Error() string { return "tunggu sebentar lalu kirim ulang" }

// challenger issues and verifies tokens.
type challenger struct {
	key        []byte
	difficulty int
	now        func() time.Time
	used       usedTokens
}

func newChallenger(key []byte, difficulty int, now func() time.Time) *challenger {
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	if difficulty <= 0 {
		difficulty = DefaultDifficulty
	}
	return &challenger{key: key, difficulty: difficulty, now: now}
}

// Issued is a new challenge as the API answers it.
type Issued struct {
	Challenge   string    `json:"tantangan"`
	Difficulty  int       `json:"kesulitan"`
	ExpiresAt   time.Time `json:"kedaluwarsa"`
	WaitSeconds int       `json:"tunggu_detik"` // before the token is accepted without a nonce
}

func (c *challenger) issue() Issued {
	return c.issueAt(c.now())
}

// issueAt issues a token dated at (a form carried from step to step keeps
// its first date, so its no-script wait runs from the first page).
func (c *challenger) issueAt(at time.Time) Issued {
	var id [12]byte
	_, _ = rand.Read(id[:])
	body := "c1." + strconv.FormatInt(at.Unix(), 10) + "." + strconv.Itoa(c.difficulty) + "." + base64.RawURLEncoding.EncodeToString(id[:])
	tok := body + "." + c.mac(body)
	return Issued{Challenge: tok, Difficulty: c.difficulty, ExpiresAt: at.Add(ChallengeTTL).UTC().Truncate(time.Second),
		WaitSeconds: int(NoScriptWait / time.Second)}
}

func (c *challenger) mac(body string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// parsed is a token whose MAC is right.
type parsed struct {
	issued     time.Time
	difficulty int
	id         [12]byte
}

func (c *challenger) parse(tok string) (parsed, error) {
	var p parsed
	if tok == "" {
		return p, errChallengeMissing
	}
	if len(tok) > 128 {
		return p, errChallengeBogus
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 5 || parts[0] != "c1" {
		return p, errChallengeBogus
	}
	body := tok[:len(tok)-len(parts[4])-1]
	if !hmac.Equal([]byte(c.mac(body)), []byte(parts[4])) {
		return p, errChallengeBogus
	}
	sec, err1 := strconv.ParseInt(parts[1], 10, 64)
	diff, err2 := strconv.Atoi(parts[2])
	id, err3 := base64.RawURLEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil || err3 != nil || len(id) != 12 || diff < 1 || diff > 64 {
		return p, errChallengeBogus
	}
	p.issued, p.difficulty = time.Unix(sec, 0), diff
	copy(p.id[:], id)
	return p, nil
}

// issuedAt returns a valid token's issue time, for carrying it over to
// the next step of a form; the zero time when the token is not valid.
func (c *challenger) issuedAt(tok string) time.Time {
	p, err := c.parse(tok)
	if err != nil || c.now().Sub(p.issued) >= ChallengeTTL-NoScriptWait {
		return time.Time{}
	}
	return p.issued
}

// verify accepts a token once: with a valid nonce, or without one after
// NoScriptWait. A refused token is not spent.
func (c *challenger) verify(tok, nonce string) error {
	p, err := c.parse(tok)
	if err != nil {
		return err
	}
	now := c.now()
	if age := now.Sub(p.issued); age >= ChallengeTTL || age < -time.Minute {
		return errChallengeExpired
	}
	if nonce == "" {
		if wait := p.issued.Add(NoScriptWait).Sub(now); wait > 0 {
			return &tooEarly{wait: wait}
		}
	} else if len(nonce) > maxNonce || leadingZeroBits(tok, nonce) < p.difficulty {
		return errChallengeBadProof
	}
	if !c.used.add(p.id, p.issued.Add(ChallengeTTL), now) {
		return errChallengeUsed
	}
	return nil
}

// leadingZeroBits counts the zero bits at the start of SHA-256(tok ":" nonce).
func leadingZeroBits(tok, nonce string) int {
	sum := sha256.Sum256([]byte(tok + ":" + nonce))
	n := 0
	for i := 0; i < len(sum); i += 8 {
		w := binary.BigEndian.Uint64(sum[i:])
		z := bits.LeadingZeros64(w)
		n += z
		if z < 64 {
			break
		}
	}
	return n
}

// usedGeneration covers a token's life and the clock skew allowed between nodes.
const usedGeneration = ChallengeTTL + time.Minute

// usedTokens remembers spent tokens until they expire, in two
// generations of usedGeneration each: a token is added to the current one;
// when the current one is older than that it becomes the previous
// one and the previous one is dropped, every token in it having expired.
// Memory is bounded by the tokens accepted in two TTLs, which the limits
// bound.
type usedTokens struct {
	mu        sync.Mutex
	since     time.Time
	cur, prev map[[12]byte]struct{}
}

// add records id and reports whether it was new.
func (u *usedTokens) add(id [12]byte, expires, now time.Time) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.cur == nil || now.Sub(u.since) >= usedGeneration {
		if u.cur != nil && now.Sub(u.since) < 2*usedGeneration {
			u.prev = u.cur
		} else {
			u.prev = nil
		}
		u.cur, u.since = map[[12]byte]struct{}{}, now
	}
	if _, ok := u.cur[id]; ok {
		return false
	}
	if _, ok := u.prev[id]; ok {
		return false
	}
	u.cur[id] = struct{}{}
	return true
}
