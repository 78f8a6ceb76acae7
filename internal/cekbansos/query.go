package cekbansos

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
)

// Name limits: a name as on the KTP has at least two letters and fits in
// 100 characters (the KTP's own field is shorter).
const (
	MinNameLetters = 2
	MaxNameLen     = 100
)

// Query is one check: by NIK, or by village code and the name as on the KTP.
type Query struct {
	NIK     string `json:"nik,omitempty"`
	Village string `json:"wilayah,omitempty"`
	Name    string `json:"nama,omitempty"`
}

// ByNIK reports whether the query looks a NIK up.
func (q Query) ByNIK() bool { return q.NIK != "" }

// Clean trims the fields.
func (q Query) Clean() Query {
	return Query{NIK: strings.TrimSpace(q.NIK), Village: strings.TrimSpace(q.Village), Name: registry.CleanName(q.Name)}
}

// Validate refuses a malformed query, naming each field. It never quotes
// a NIK or a name back: answers and logs stay free of them.
func (q Query) Validate() error {
	var fe []errs.FieldError
	switch {
	case q.NIK != "" && (q.Village != "" || q.Name != ""):
		fe = append(fe, errs.FieldError{Field: "nik", Reason: "isi NIK saja, atau wilayah dan nama saja (fill in the NIK, or the village and the name)"})
	case q.NIK != "":
		if _, err := nik.Parse(q.NIK); err != nil {
			fe = append(fe, errs.FieldError{Field: "nik", Reason: "NIK tidak valid: 16 angka sesuai KTP (not a valid NIK: the 16 digits on the KTP)"})
		}
	default:
		if q.Village == "" {
			fe = append(fe, errs.FieldError{Field: "wilayah", Reason: "pilih desa/kelurahan, atau isi NIK (choose the village, or fill in the NIK)"})
		} else if region.Validate(q.Village) != nil || region.Level(q.Village) != 4 {
			fe = append(fe, errs.FieldError{Field: "wilayah", Reason: "kode desa/kelurahan tidak valid, contoh 32.04.28.2001 (not a village code)"})
		}
		if reason := nameProblem(q.Name); reason != "" {
			fe = append(fe, errs.FieldError{Field: "nama", Reason: reason})
		}
	}
	if len(fe) > 0 {
		return &errs.Invalid{Fields: fe}
	}
	return nil
}

// nameProblem says what is wrong with a name as typed, or "".
func nameProblem(s string) string {
	if s == "" {
		return "isi nama sesuai KTP (fill in the name as on the KTP)"
	}
	if len(s) > MaxNameLen || utf8.RuneCountInString(s) > MaxNameLen {
		return "nama paling panjang 100 karakter (at most 100 characters)"
	}
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case r == ' ' || r == '.' || r == ',' || r == '\'' || r == '-' || r == '`' || r == '’':
		default:
			return "nama hanya boleh berisi huruf, spasi, titik, koma, tanda petik dan tanda hubung (letters, spaces and . , ' - only)"
		}
	}
	if letters < MinNameLetters {
		return "nama paling sedikit 2 huruf (at least 2 letters)"
	}
	return ""
}

// Key names what the query looks up, for the per-identifier rate limit:
// a hash, so that the limiter's memory holds no NIK or name.
func (q Query) Key() string {
	var s string
	if q.ByNIK() {
		s = "nik\x00" + q.NIK
	} else {
		s = "nama\x00" + q.Village + "\x00" + registry.NameKey(q.Name)
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:12])
}
