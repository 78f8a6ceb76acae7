package errs

import (
	"errors"
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	err := &Invalid{Fields: []FieldError{{Field: "nik", Reason: "harus 16 angka (must be 16 digits)"}, {Field: "nama", Reason: "wajib diisi"}}}
	label := func(f string) string { return strings.ToUpper(f) }
	if got := strings.Join(Lines(err, "id", label), "|"); got != "NIK: harus 16 angka|NAMA: wajib diisi" {
		t.Errorf("id: %q", got)
	}
	if got := strings.Join(Lines(err, "en", label), "|"); got != "NIK: must be 16 digits|NAMA: wajib diisi" {
		t.Errorf("en: %q", got)
	}
	if got := Lines(errors.New("rusak"), "id", label); len(got) != 1 || got[0] != "rusak" {
		t.Errorf("other error: %q", got)
	}
}
