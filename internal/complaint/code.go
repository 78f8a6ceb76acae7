package complaint

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// alphabet is what tracking codes and secrets are written in: digits and
// capitals without 0, 1, O, I and L, which are read or typed one for another.
const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

const (
	// CodeLen is the length of a tracking code (31^8 ≈ 8.5×10^11 codes).
	CodeLen = 8
	// SecretLen is the length of a secret: 25 symbols of 31, ~124 bits.
	SecretLen = 25
)

func randomString(n int) string {
	// Rejection sampling keeps every symbol equally likely.
	const limit = 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic(err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// group writes s in groups of size separated by dashes, for reading aloud.
func group(s string, size int) string {
	var b strings.Builder
	for i := 0; i < len(s); i += size {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i:min(i+size, len(s))])
	}
	return b.String()
}

// FormatCode writes a stored code as the filer sees it: XXXX-XXXX.
func FormatCode(c string) string { return group(c, 4) }

// FormatSecret writes a secret as the filer sees it: five groups of five.
func FormatSecret(s string) string { return group(s, 5) }

// normalize reads a code or secret as typed: case, spaces and dashes do
// not matter. It returns "" when a symbol is outside the alphabet or the
// length is not n.
func normalize(s string, n int) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r < 128 && strings.IndexByte(alphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return ""
		}
		if b.Len() > n {
			return ""
		}
	}
	if b.Len() != n {
		return ""
	}
	return b.String()
}

// hashSecret is what is stored of a secret. A secret has ~124 bits of
// entropy, so one SHA-256 is enough: nothing can be guessed from the hash.
func hashSecret(secret string) string {
	h := sha256.Sum256([]byte("jaring-pengaduan\x00" + secret))
	return hex.EncodeToString(h[:])
}

// secretMatches compares a typed secret with a stored hash in constant time.
func secretMatches(secret, stored string) bool {
	return subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(stored)) == 1
}
