package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
)

// ---- account administration (/admin/pengguna) ----
//
// Managers (authz.UsersManage) list, create and disable the accounts bound
// inside their region, and issue and revoke their API tokens. The scope and
// the granting rules are auth.Service's; these handlers only show them.
// What is shown once (a generated password, a second factor's secret, a
// token) is rendered in the answer to the POST that made it and kept
// nowhere else.

// Can reports whether the signed-in user's role may perform the action.
func (p *page) Can(action string) bool {
	return p.Role != "" && authz.Can(p.Role, authz.Action(action))
}

// RoleLabel names a role in the page's language.
func (p *page) RoleLabel(role string) string {
	if s := text(p.Lang, "peran."+role); !strings.HasPrefix(s, "peran.") {
		return s
	}
	if info, ok := authz.Info(authz.Role(role)); ok {
		return info.Label
	}
	return role
}

type newUserForm struct {
	Username, Role, Region string
}

type usersData struct {
	Users  []auth.User
	Roles  []authz.RoleInfo
	Scope  string
	Form   newUserForm
	Errors []string
}

func (w *Web) usersPage(r *http.Request, d usersData) (*page, error) {
	list, err := w.d.Auth.ListUsers(r.Context())
	if err != nil {
		return nil, err
	}
	p := w.newPage(r, "pengguna", "pengguna_judul")
	pr, _ := authz.From(r.Context())
	d.Users, d.Roles, d.Scope = list, auth.GrantableRoles(pr), pr.Region
	return withData(p, d), nil
}

func (w *Web) users(rw http.ResponseWriter, r *http.Request) {
	p, err := w.usersPage(r, usersData{})
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "pengguna", p)
}

// secretData is what a page shows once.
type secretData struct {
	User       auth.User
	Password   string
	TOTPSecret string
	QR         template.HTML
	Token      string
	Expires    time.Time
}

func (w *Web) userAdd(rw http.ResponseWriter, r *http.Request) {
	f := newUserForm{Username: r.PostFormValue("nama_pengguna"), Role: r.PostFormValue("peran"), Region: strings.TrimSpace(r.PostFormValue("wilayah"))}
	c, err := w.d.Auth.AddUser(r.Context(), auth.NewUser{Username: f.Username, Role: f.Role, Region: f.Region})
	if err != nil {
		w.formError(rw, r, f, err)
		return
	}
	p := w.newPage(r, "pengguna", "akun_dibuat")
	d := secretData{User: c.User, Password: c.Password}
	if c.TOTP != nil {
		d.TOTPSecret, d.QR = c.TOTP.Secret, qrSVG(c.TOTP.URL, p.T("kode_qr"))
	}
	w.render(rw, r, http.StatusCreated, "rahasia", withData(p, d))
}

// formError shows the list page again with the form as sent and what was wrong.
func (w *Web) formError(rw http.ResponseWriter, r *http.Request, f newUserForm, err error) {
	status := httpx.Status(err)
	if status == http.StatusInternalServerError {
		w.renderError(rw, r, err)
		return
	}
	var msgs []string
	var inv *errs.Invalid
	if errors.As(err, &inv) {
		for _, fe := range inv.Fields {
			msgs = append(msgs, fieldLabel(langOf(r), fe.Field)+": "+fe.Reason)
		}
	} else {
		msgs = append(msgs, errMessage(err))
	}
	p, perr := w.usersPage(r, usersData{Form: f, Errors: msgs})
	if perr != nil {
		w.renderError(rw, r, perr)
		return
	}
	w.render(rw, r, status, "pengguna", p)
}

func fieldLabel(lang, field string) string {
	switch field {
	case "username":
		return text(lang, "nama_pengguna")
	case "role":
		return text(lang, "peran")
	case "region":
		return text(lang, "wilayah_kol")
	case "password":
		return text(lang, "kata_sandi")
	case "expires":
		return text(lang, "berlaku")
	case "name":
		return text(lang, "nama_token")
	}
	return field
}

// errMessage is an error's message without the sentinel's suffix.
func errMessage(err error) string {
	s := err.Error()
	for _, e := range []error{errs.ErrForbidden, errs.ErrNotFound, errs.ErrConflict} {
		s = strings.TrimSuffix(s, ": "+e.Error())
	}
	return s
}

type userData struct {
	User   auth.User
	Tokens []auth.Token
	Now    time.Time
	// Manage says the user may disable the account and issue its tokens.
	Manage bool
	Self   bool
	Errors []string
}

func (w *Web) userPage(rw http.ResponseWriter, r *http.Request, status int, id int64, errors []string) {
	u, err := w.d.Auth.User(r.Context(), id)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	tokens, err := w.d.Auth.Tokens(r.Context(), u.ID)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	pr, _ := authz.From(r.Context())
	p := w.newPage(r, "pengguna", "akun_judul")
	p.Heading = p.Tf("akun_judul_nama", u.Username)
	p.Crumbs = []crumb{{Name: p.T("pengguna_judul"), Href: "/admin/pengguna"}, {Name: u.Username}}
	d := userData{User: u, Tokens: tokens, Now: w.d.Auth.Now(), Self: pr.UserID == u.ID, Errors: errors,
		Manage: auth.CanGrant(pr, authz.Role(u.Role), u.RegionCode) == nil}
	w.render(rw, r, status, "pengguna_rinci", withData(p, d))
}

func (w *Web) user(rw http.ResponseWriter, r *http.Request) {
	id, err := formID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	w.userPage(rw, r, http.StatusOK, id, nil)
}

func formID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFound("halaman")
	}
	return id, nil
}

func (w *Web) userDisable(rw http.ResponseWriter, r *http.Request) {
	id, err := formID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	if _, err := w.d.Auth.DisableUser(r.Context(), id); err != nil {
		if errors.Is(err, errs.ErrConflict) {
			w.userPage(rw, r, http.StatusConflict, id, []string{errMessage(err)})
			return
		}
		w.renderError(rw, r, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/admin/pengguna/%d", id), http.StatusSeeOther)
}

func (w *Web) tokenCreate(rw http.ResponseWriter, r *http.Request) {
	id, err := formID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	u, err := w.d.Auth.ManagedUser(r.Context(), id)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("hari")))
	if err != nil {
		days = -1
	}
	plain, t, err := w.d.Auth.CreateToken(r.Context(), u.ID, r.PostFormValue("nama_token"), time.Duration(days)*24*time.Hour)
	var inv *errs.Invalid
	if errors.As(err, &inv) || errors.Is(err, errs.ErrConflict) {
		var msgs []string
		if inv != nil {
			for _, fe := range inv.Fields {
				msgs = append(msgs, fieldLabel(langOf(r), fe.Field)+": "+fe.Reason)
			}
		} else {
			msgs = []string{errMessage(err)}
		}
		w.userPage(rw, r, httpx.Status(err), id, msgs)
		return
	}
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	p := w.newPage(r, "pengguna", "token_dibuat")
	w.render(rw, r, http.StatusCreated, "rahasia", withData(p, secretData{User: u, Token: plain, Expires: t.ExpiresAt}))
}

func (w *Web) tokenRevoke(rw http.ResponseWriter, r *http.Request) {
	id, err := formID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	t, err := w.d.Auth.ManagedToken(r.Context(), id)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	if _, err := w.d.Auth.RevokeToken(r.Context(), id); err != nil {
		w.renderError(rw, r, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/admin/pengguna/%d", t.UserID), http.StatusSeeOther)
}

// qrSVG draws the QR code of an otpauth:// URL as inline SVG (no image
// request, nothing for the Content-Security-Policy to block), for an
// authenticator app to scan. It returns "" if the URL cannot be drawn.
func qrSVG(url, label string) template.HTML {
	key, err := otp.NewKeyFromURL(url)
	if err != nil {
		return ""
	}
	const size = 600
	img, err := key.Image(size, size)
	if err != nil {
		return ""
	}
	dark := func(x, y int) bool {
		r, g, b, _ := img.At(x, y).RGBA()
		return r+g+b < 3*0x8000
	}
	// The code is scaled by a whole factor and centred: find its top-left
	// corner, and the module size from the 7-module finder pattern there.
	b := img.Bounds()
	x0, y0 := -1, -1
	for y := b.Min.Y; y < b.Max.Y && y0 < 0; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if dark(x, y) {
				x0, y0 = x, y
				break
			}
		}
	}
	if x0 < 0 {
		return ""
	}
	run := 0
	for x := x0; x < b.Max.X && dark(x, y0); x++ {
		run++
	}
	f := run / 7
	if f < 1 || run%7 != 0 {
		return ""
	}
	xr := x0
	for x := b.Max.X - 1; x >= x0; x-- {
		if dark(x, y0) {
			xr = x
			break
		}
	}
	n := (xr - x0 + 1) / f
	var path strings.Builder
	for j := 0; j < n; j++ {
		for i := 0; i < n; {
			if !dark(x0+i*f+f/2, y0+j*f+f/2) {
				i++
				continue
			}
			k := i
			for k < n && dark(x0+k*f+f/2, y0+j*f+f/2) {
				k++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", i, j, k-i, k-i)
			i = k
		}
	}
	q := 4 // quiet zone
	return template.HTML(fmt.Sprintf(`<svg class="qr" viewBox="%d %d %d %d" width="240" height="240" role="img" aria-label="%s" shape-rendering="crispEdges"><rect x="%d" y="%d" width="%d" height="%d" fill="#fff"/><path d="%s" fill="#000"/></svg>`,
		-q, -q, n+2*q, n+2*q, template.HTMLEscapeString(label), -q, -q, n+2*q, n+2*q, path.String()))
}
