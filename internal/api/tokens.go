package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/httpx"
)

// Accounts and tokens, for managers (authz.UsersManage) within their
// region: auth.Service applies the scope and the granting rules.

type userView struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Role      string    `json:"role"`
	Region    string    `json:"region"`
	Disabled  bool      `json:"disabled"`
	TOTP      bool      `json:"totp"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

func viewUser(u auth.User) userView {
	return userView{ID: u.ID, Username: u.Username, Role: u.Role, Region: u.RegionCode, Disabled: u.Disabled,
		TOTP: u.TOTP, CreatedAt: u.CreatedAt, CreatedBy: u.CreatedBy}
}

type tokenView struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Username   string     `json:"username"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	CreatedBy  string     `json:"created_by"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Active     bool       `json:"active"`
}

func (a *API) viewToken(t auth.Token) tokenView {
	return tokenView{ID: t.ID, UserID: t.UserID, Username: t.Username, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt,
		CreatedBy: t.CreatedBy, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt, Active: t.Active(a.Auth.Now())}
}

func (a *API) userList(w http.ResponseWriter, r *http.Request) {
	list, err := a.Auth.ListUsers(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := make([]userView, 0, len(list))
	for _, u := range list {
		out = append(out, viewUser(u))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (a *API) userCreate(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Username string `json:"username"`
		Role     string `json:"role"`
		Region   string `json:"region"`
		Password string `json:"password"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c, err := a.Auth.AddUser(r.Context(), auth.NewUser{Username: b.Username, Role: b.Role, Region: b.Region, Password: b.Password})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := map[string]any{"user": viewUser(c.User)}
	if c.Password != "" {
		out["password"] = c.Password
	}
	if c.TOTP != nil {
		out["totp_url"], out["totp_secret"] = c.TOTP.URL, c.TOTP.Secret
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(c.User.ID, 10))
	httpx.WriteJSON(w, http.StatusCreated, out)
}

func (a *API) userDisable(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	u, err := a.Auth.DisableUser(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, viewUser(u))
}

func (a *API) tokenList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if _, err := a.Auth.User(r.Context(), id); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	list, err := a.Auth.Tokens(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := make([]tokenView, 0, len(list))
	for _, t := range list {
		out = append(out, a.viewToken(t))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"tokens": out})
}

func (a *API) tokenCreate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var b struct {
		Name    string `json:"name"`
		Expires string `json:"expires"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if b.Expires == "" {
		b.Expires = "90d"
	}
	life, err := auth.ParseLifetime(b.Expires)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if _, err := a.Auth.ManagedUser(r.Context(), id); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	plain, t, err := a.Auth.CreateToken(r.Context(), id, b.Name, life)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"token": plain, "info": a.viewToken(t)})
}

func (a *API) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if _, err := a.Auth.ManagedToken(r.Context(), id); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	t, err := a.Auth.RevokeToken(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, a.viewToken(t))
}
