package api

import (
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

var zeroTime time.Time

// SessionCookie is the name of the session cookie.
const SessionCookie = "jaring_sesi"

// secure reports whether the client reached us over TLS: directly, or
// through a proxy that says so. Believing the header is safe here: a
// client lying about it only gets a cookie its own browser will not send
// over plain HTTP.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// SetSessionCookie sets the session cookie: HttpOnly (no script reads
// it), SameSite=Lax (no cross-site unsafe request carries it), Secure
// over TLS, and gone with the session's absolute end.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie removes the session cookie.
func ClearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteLaxMode})
}

// ClientAddr is the client's address for throttling and the audit trail:
// the one the server put in the request's audit context, else the peer's.
func ClientAddr(r *http.Request) string {
	if _, addr := audit.RequestFrom(r.Context()); addr != "" {
		return addr
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// PreviousSession is the session token the client presents, if any: a
// sign-in ends it, so that one browser holds one session and a token
// planted before sign-in is never the session after it.
func PreviousSession(r *http.Request) string {
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// Sign-in failure details. They depend only on the request, never on the
// account: which of user name, password, account state or second factor
// was wrong is in the audit trail, not in the answer.
const (
	loginFailed       = "Nama pengguna, kata sandi, atau kode autentikator salah."
	loginFailedNoCode = "Nama pengguna atau kata sandi salah, atau akun ini membutuhkan kode autentikator: kirim lagi dengan kolom \"totp\"."
)

// WriteLocked answers a sign-in refused by a lockout: 429 with Retry-After.
func WriteLocked(w http.ResponseWriter, now time.Time, l *auth.LockedError) {
	d := l.RetryAfter(now)
	w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())))
	httpx.WriteProblem(w, httpx.Problem{Status: http.StatusTooManyRequests, Title: "Terlalu banyak percobaan",
		Detail: fmt.Sprintf("Terlalu banyak percobaan masuk yang gagal untuk nama pengguna ini atau dari alamat ini. Coba lagi dalam %s.", waitText(d))})
}

// waitText says a wait in Indonesian minutes or seconds.
func waitText(d time.Duration) string {
	if d >= time.Minute {
		return fmt.Sprintf("%d menit", int((d+time.Minute-1)/time.Minute))
	}
	return fmt.Sprintf("%d detik", int(d/time.Second))
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	// Sign-in is exempt from CSRF tokens, but a cross-site form can still
	// post a JSON-shaped text/plain body and sign the victim into another
	// account. Browsers send application/json cross-site only after a CORS
	// preflight, which this server never grants.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		httpx.WriteProblem(w, httpx.Problem{Status: http.StatusUnsupportedMediaType, Title: "Unsupported Media Type",
			Detail: "Kirim JSON dengan Content-Type: application/json."})
		return
	}
	var b struct {
		Username string `json:"username"`
		Password string `json:"password"`
		TOTP     string `json:"totp"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	token, sess, err := a.Auth.SignIn(r.Context(), auth.Attempt{Username: b.Username, Password: b.Password, TOTP: b.TOTP,
		Address: ClientAddr(r), Previous: PreviousSession(r)})
	var locked *auth.LockedError
	switch {
	case errors.As(err, &locked):
		WriteLocked(w, a.Auth.Now(), locked)
		return
	case errors.Is(err, auth.ErrBadCredentials):
		detail := loginFailed
		if strings.TrimSpace(b.TOTP) == "" {
			detail = loginFailedNoCode
		}
		httpx.WriteProblem(w, httpx.Problem{Status: http.StatusUnauthorized, Title: "Gagal masuk", Detail: detail})
		return
	case err != nil:
		httpx.WriteError(w, r, err)
		return
	}
	SetSessionCookie(w, r, token, sess.ExpiresAt)
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"username": sess.User.Username, "role": sess.User.Role,
		"region": sess.User.RegionCode, "csrf_token": sess.CSRFToken, "expires_at": sess.ExpiresAt,
		"idle_timeout_seconds": int(a.Auth.Policy.IdleTimeout.Seconds())})
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if sess := httpx.SessionFrom(r.Context()); sess != nil && sess.Via == auth.ViaSession {
		if c, err := r.Cookie(SessionCookie); err == nil {
			if err := a.Auth.SignOut(r.Context(), c.Value); err != nil {
				httpx.WriteError(w, r, err)
				return
			}
		}
		ClearSessionCookie(w, r)
	}
	w.WriteHeader(http.StatusNoContent)
}

// logoutAll ends every session of the caller, this one included.
func (a *API) logoutAll(w http.ResponseWriter, r *http.Request) {
	sess := httpx.SessionFrom(r.Context())
	n, err := a.Auth.SignOutAll(r.Context(), sess.User.ID)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if sess.Via == auth.ViaSession {
		ClearSessionCookie(w, r)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"sessions_ended": n})
}

func (a *API) regionChildren(w http.ResponseWriter, r *http.Request) {
	parent := r.URL.Query().Get("parent")
	if parent != "" {
		if err := region.Validate(parent); err != nil {
			httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "parent", Value: parent, Reason: err.Error()}}})
			return
		}
	}
	list, err := a.Regions.Children(r.Context(), parent)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if list == nil {
		list = []region.Region{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"regions": list})
}

func (a *API) regionGet(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	reg, err := a.Regions.Get(r.Context(), code)
	if err != nil {
		if store.IsNoRows(err) {
			err = errs.NotFound("wilayah %s", code)
		}
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, reg)
}

func (a *API) stats(w http.ResponseWriter, r *http.Request) {
	counts, err := a.Registry.CountsByChild(r.Context(), r.URL.Query().Get("region"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"counts": counts})
}

// MaxUpload is the largest import file accepted over HTTP.
const MaxUpload = 512 << 20

func (a *API) importStart(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxUpload)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "file", Reason: "unggah berkas CSV atau XLSX pada kolom 'file' (paling besar 512 MB)"}}})
		return
	}
	defer file.Close()
	job, err := a.Imports.Start(r.Context(), httpx.Actor(r), hdr.Filename, file, registry.ImportOptions{
		Actor: httpx.Actor(r), AllowMove: r.FormValue("allow_move") == "true", Reason: r.FormValue("reason")})
	if err != nil {
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "file", Reason: err.Error()}}})
		return
	}
	// The job runs already: answer a copy taken under the jobs' lock, not
	// the pointer its goroutine writes to.
	snap, ok := a.Imports.Get(job.ID, httpx.Actor(r))
	if !ok {
		httpx.WriteError(w, r, errs.NotFound("impor"))
		return
	}
	w.Header().Set("Location", "/api/v1/imports/"+snap.ID)
	httpx.WriteJSON(w, http.StatusAccepted, snap)
}

func (a *API) importStatus(w http.ResponseWriter, r *http.Request) {
	job, ok := a.Imports.Get(r.PathValue("id"), httpx.Actor(r))
	if !ok {
		httpx.WriteError(w, r, errs.NotFound("impor"))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, job)
}

func (a *API) importReport(w http.ResponseWriter, r *http.Request) {
	job, ok := a.Imports.Get(r.PathValue("id"), httpx.Actor(r))
	if !ok || job.Finished == nil {
		httpx.WriteError(w, r, errs.NotFound("laporan impor"))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="laporan-galat-`+sanitizeName(job.FileName)+`.csv"`)
	http.ServeFile(w, r, job.ReportPath())
}

func (a *API) export(w http.ResponseWriter, r *http.Request) {
	scope := r.URL.Query().Get("region")
	if scope != "" {
		if err := region.Validate(scope); err != nil {
			httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "region", Value: scope, Reason: err.Error()}}})
			return
		}
	}
	name := "register-" + strings.ReplaceAll(scope, ".", "")
	if scope == "" {
		name = "register-nasional"
	}
	var out registry.RowWriter
	switch r.URL.Query().Get("format") {
	case "", "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		out = registry.NewCSVWriter(w)
	case "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		out = registry.NewXLSXWriter(w)
	default:
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "format", Reason: "csv atau xlsx"}}})
		return
	}
	if _, err := a.Registry.Export(r.Context(), scope, out); err != nil {
		// Headers are gone; the client sees a truncated file.
		httpx.WriteError(w, r, err)
	}
}

func sanitizeName(s string) string {
	s = strings.TrimSuffix(filepath.Base(s), filepath.Ext(s))
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
