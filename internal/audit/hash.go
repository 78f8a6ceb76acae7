package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// row is an entry as stored: Before and After as their JSON text.
type row struct {
	seq, at                  int64
	actor, role, actorRegion string
	region, action           string
	objectType               string
	objectID, personID       int64
	before, after            string
	requestID, clientAddr    string
	prevHash, hash           string
}

func (r *row) values() []any {
	return []any{r.seq, r.at, r.actor, r.role, r.actorRegion, r.region, r.action, r.objectType,
		r.objectID, r.personID, r.before, r.after, r.requestID, r.clientAddr, r.prevHash, r.hash}
}

// hashDomain starts every hashed message, naming the format and its version.
const hashDomain = "jaring-audit-v1\x00"

// canonical appends the bytes an entry's hash covers: the domain, then
// every stored field but hash in column order, integers as 8 big-endian
// bytes and strings as their length (uvarint) and bytes, so no two
// different entries encode alike. prev_hash is among them: that is the chain.
func (r *row) canonical(b []byte) []byte {
	s1 := [...]string{r.actor, r.role, r.actorRegion, r.region, r.action, r.objectType}
	s2 := [...]string{r.before, r.after, r.requestID, r.clientAddr, r.prevHash}
	return appendCanonical(b, r.seq, r.at, s1[:], r.objectID, r.personID, s2[:])
}

// appendCanonical encodes the fields of an entry as row.canonical says,
// from strings (recording) or from the bytes scanned (verifying).
func appendCanonical[T ~string | ~[]byte](b []byte, seq, at int64, s1 []T, objectID, personID int64, s2 []T) []byte {
	b = append(b, hashDomain...)
	b = binary.BigEndian.AppendUint64(b, uint64(seq))
	b = binary.BigEndian.AppendUint64(b, uint64(at))
	for _, s := range s1 {
		b = appendBytes(b, s)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(objectID))
	b = binary.BigEndian.AppendUint64(b, uint64(personID))
	for _, s := range s2 {
		b = appendBytes(b, s)
	}
	return b
}

func appendBytes[T ~string | ~[]byte](b []byte, s T) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// hashHex is the SHA-256 of msg in lower-case hex, as stored.
func hashHex(msg []byte) string {
	sum := sha256.Sum256(msg)
	return hex.EncodeToString(sum[:])
}
