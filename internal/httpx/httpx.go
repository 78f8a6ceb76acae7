// Package httpx holds what every HTTP handler set shares: the route type,
// JSON and problem+json responses (RFC 9457), and the request's session.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// Route is one entry of the URL surface.
type Route struct {
	Method  string
	Pattern string // Go 1.22 pattern path, e.g. /api/v1/families/{id}
	// Action is the route's policy in the permission matrix (internal/authz);
	// authz.Public routes need no sign-in. Every route must declare one.
	Action  authz.Action
	Handler http.HandlerFunc
	// NoCSRF exempts an unsafe method from the CSRF check (sign-in itself).
	NoCSRF bool
	// MaxBody caps the request body; 0 means DefaultMaxBody.
	MaxBody int64
}

// Public reports whether the route needs no sign-in.
func (r Route) Public() bool { return r.Action == authz.Public }

// DefaultMaxBody is the body limit of routes that do not set one.
const DefaultMaxBody = 1 << 20

type ctxKey int

const sessionKey ctxKey = 0

// WithSession returns ctx carrying the session.
func WithSession(ctx context.Context, s *auth.Session) context.Context {
	return context.WithValue(ctx, sessionKey, s)
}

// SessionFrom returns the request's session, or nil.
func SessionFrom(ctx context.Context) *auth.Session {
	s, _ := ctx.Value(sessionKey).(*auth.Session)
	return s
}

// Actor names the signed-in user for change records.
func Actor(r *http.Request) string {
	if s := SessionFrom(r.Context()); s != nil {
		return "user:" + s.User.Username
	}
	return "anonymous"
}

// WriteJSON writes v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail,omitempty"`
	Errors []errs.FieldError `json:"errors,omitempty"`
}

// WriteProblem writes a problem document.
func WriteProblem(w http.ResponseWriter, p Problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// Status maps an error to its HTTP status: the one place where sentinel
// errors meet status codes.
func Status(err error) int {
	switch {
	case errors.Is(err, errs.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, errs.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, errs.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, errs.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, context.Canceled):
		return 499
	case store.IsUniqueViolation(err):
		// A concurrent writer registered the same KK or NIK between our
		// check and our insert: the same answer as a lost version race.
		return http.StatusConflict
	default:
		return http.StatusInternalServerError
	}
}

// WriteError writes err as a problem document. Internal errors are logged
// and answered without detail.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status := Status(err)
	p := Problem{Status: status, Title: http.StatusText(status)}
	var inv *errs.Invalid
	switch {
	case errors.As(err, &inv):
		p.Title = "Data tidak valid"
		p.Errors = inv.Fields
	case store.IsUniqueViolation(err):
		// The database's message names constraints, not for the client.
		p.Detail = "Data yang sama baru saja disimpan oleh permintaan lain; muat ulang lalu coba lagi."
	case status == http.StatusInternalServerError:
		// Error texts may quote input; no NIK or KK number may reach a log.
		slog.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", r.Pattern, "err", audit.MaskDigits(err.Error()))
		p.Detail = "Terjadi kesalahan pada server."
	default:
		p.Detail = err.Error()
	}
	WriteProblem(w, p)
}

// DecodeJSON reads a JSON body of at most 1 MiB into v, refusing unknown fields.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &errs.Invalid{Fields: []errs.FieldError{{Field: "body", Reason: "JSON tidak valid: " + err.Error()}}}
	}
	return nil
}
