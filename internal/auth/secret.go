package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of the secret key that seals secrets at rest.
const KeySize = 32

// ErrNoKey means the service has no secret key: second factors can be
// neither enrolled nor checked.
var ErrNoKey = errors.New("auth: no secret key configured (JARING_SECRET_KEY, JARING_SECRET_KEY_FILE or DATA/secret.key)")

// ParseKey reads a secret key written as 64 hex digits or as base64
// (standard or URL alphabet, with or without padding) of 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == KeySize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("auth: a secret key is %d bytes written as 64 hex digits or base64", KeySize)
}

// NewKey returns a random secret key, hex encoded.
func NewKey() string {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// LoadKeyFile reads the key in path. When the file does not exist and
// create is set, a new random key is written there (mode 0600) first.
func LoadKeyFile(path string, create bool) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && create {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			// Another process created it first: use theirs.
			return LoadKeyFile(path, false)
		}
		if err != nil {
			return nil, err
		}
		if _, err := f.WriteString(NewKey() + "\n"); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		return LoadKeyFile(path, false)
	}
	if err != nil {
		return nil, err
	}
	k, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// keyID names a key without revealing it, so that a secret sealed with
// another key is reported as such rather than as corrupt.
func keyID(key []byte) string {
	h := sha256.Sum256(append([]byte("jaring-key-id\x00"), key...))
	return hex.EncodeToString(h[:4])
}

// seal encrypts plain with AES-256-GCM under the service key. context is
// authenticated but not stored (the user's ID), so a sealed value moved to
// another row does not open.
func (s *Service) seal(plain, context string) (string, error) { return Seal(s.Key, plain, context) }

// open reverses seal.
func (s *Service) open(sealed, context string) (string, error) { return Unseal(s.Key, sealed, context) }

// Seal encrypts plain with AES-256-GCM under key (the service's secret
// key, see LoadKeyFile) for other packages that keep secrets at rest.
// context is authenticated but not stored: a sealed value opens only with
// the same context (name the row it belongs to).
func Seal(key []byte, plain, context string) (string, error) {
	if len(key) != KeySize {
		return "", ErrNoKey
	}
	gcm, err := newGCM(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	ct := gcm.Seal(nonce, nonce, []byte(plain), []byte(context))
	return "v1." + keyID(key) + "." + base64.RawURLEncoding.EncodeToString(ct), nil
}

// Unseal reverses Seal.
func Unseal(key []byte, sealed, context string) (string, error) {
	if len(key) != KeySize {
		return "", ErrNoKey
	}
	parts := strings.Split(sealed, ".")
	if len(parts) != 3 || parts[0] != "v1" {
		return "", errors.New("auth: unknown sealed secret format")
	}
	if parts[1] != keyID(key) {
		return "", errors.New("auth: secret sealed with another key (is JARING_SECRET_KEY the same on every node?)")
	}
	ct, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", errors.New("auth: corrupt sealed secret")
	}
	gcm, err := newGCM(key)
	if err != nil {
		return "", err
	}
	if len(ct) < gcm.NonceSize() {
		return "", errors.New("auth: corrupt sealed secret")
	}
	plain, err := gcm.Open(nil, ct[:gcm.NonceSize()], ct[gcm.NonceSize():], []byte(context))
	if err != nil {
		return "", errors.New("auth: sealed secret does not open")
	}
	return string(plain), nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
