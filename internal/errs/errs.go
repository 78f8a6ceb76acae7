// Package errs holds the few sentinel errors that the HTTP layer maps to
// status codes in one place, and field-level validation errors.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

var (
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = errors.New("invalid")
	ErrConflict  = errors.New("conflict")
	ErrForbidden = errors.New("forbidden")
)

// FieldError is one problem with one field of an input. Reason is written
// for the operator, in Indonesian.
type FieldError struct {
	Field   string `json:"field"`
	Value   string `json:"value,omitempty"`
	Reason  string `json:"reason"`
	Warning bool   `json:"warning,omitempty"`
}

// Invalid is a validation failure listing its field errors. It matches ErrInvalid.
type Invalid struct {
	Fields []FieldError
}

func (e *Invalid) Error() string {
	var b strings.Builder
	b.WriteString("data tidak valid")
	for i, f := range e.Fields {
		if i == 5 {
			fmt.Fprintf(&b, "; dan %d lainnya", len(e.Fields)-5)
			break
		}
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Reason)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Invalid) Is(target error) bool { return target == ErrInvalid }

// Fields wraps field errors as an *Invalid, or returns nil when none is a hard error.
func Fields(fs []FieldError) error {
	for _, f := range fs {
		if !f.Warning {
			return &Invalid{Fields: fs}
		}
	}
	return nil
}

// NotFound returns an error matching ErrNotFound with a message.
func NotFound(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrNotFound)
}

// Conflict returns an error matching ErrConflict with a message.
func Conflict(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrConflict)
}

// Lines turns err into lines for a page: for an *Invalid, each field's
// label (from label) and its reason in lang, the reasons being written
// "Indonesian (English)"; any other error as its text.
func Lines(err error, lang string, label func(field string) string) []string {
	var inv *Invalid
	if !errors.As(err, &inv) {
		return []string{err.Error()}
	}
	out := make([]string, 0, len(inv.Fields))
	for _, f := range inv.Fields {
		reason := f.Reason
		if i := strings.Index(reason, " ("); i > 0 && strings.HasSuffix(reason, ")") {
			if lang == "en" {
				reason = reason[i+2 : len(reason)-1]
			} else {
				reason = reason[:i]
			}
		}
		out = append(out, label(f.Field)+": "+reason)
	}
	return out
}
