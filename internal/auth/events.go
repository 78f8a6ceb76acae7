package auth

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/store"
)

// Security events recorded in the audit trail (internal/audit), in the
// trail's "object.verb" form.
const (
	ActSignIn         = "masuk"          // signed in
	ActSignInFailed   = "masuk.gagal"    // a sign-in refused (the reason is in the entry, never in the answer)
	ActSignInLocked   = "masuk.kunci"    // a user name or address was locked out
	ActSignOut        = "keluar"         // a session ended by its user
	ActSignOutAll     = "keluar.semua"   // every session of a user ended
	ActSessionExpired = "sesi.berakhir"  // idle or absolute timeout reached
	ActSessionRefused = "sesi.tolak"     // a session of a disabled account was used
	ActCSRFRefused    = "csrf.tolak"     // an unsafe request without the session's CSRF token
	ActUserCreate     = "akun.buat"      // account created
	ActUserDisable    = "akun.nonaktif"  // account disabled (its sessions and tokens end)
	ActTOTPEnroll     = "akun.totp"      // second factor enrolled or replaced
	ActTokenCreate    = "token.buat"     // API token created
	ActTokenRevoke    = "token.cabut"    // API token revoked
	ActTokenRefused   = "token.tolak"    // an unknown, expired or revoked token, or one of a disabled account
	ObjUser           = "akun"           // object type of account events
	ObjToken          = "token"          // object type of token events
	anonymousActor    = "anonim"         // actor of a sign-in for no known account
	anonymousRole     = "anonim"         // and its role
	maxNameInTrail    = 64               // a tried user name is cut to this many bytes
	refusalEvery      = time.Minute      // a repeated refusal is recorded at most this often per key
	refusalKeys       = 10000            // refusal keys remembered before the oldest are dropped
	refusalKeyTimeout = 10 * time.Minute // and how long one is remembered
)

// Actions lists the security events, for the audit search.
var Actions = []string{ActSignIn, ActSignInFailed, ActSignInLocked, ActSignOut, ActSignOutAll, ActSessionExpired,
	ActSessionRefused, ActCSRFRefused, ActUserCreate, ActUserDisable, ActTOTPEnroll, ActTokenCreate, ActTokenRevoke, ActTokenRefused}

// event is one security event.
type event struct {
	action string
	// user is the account concerned, when known.
	user *User
	// name is the user name tried when no account has it.
	name string
	// token is the token concerned, 0 if none.
	token int64
	data  map[string]any
	addr  string
}

// record appends the event to the audit trail within tx. Without a
// principal in ctx (a sign-in, a session found expired) the actor is the
// account concerned, or "anonim".
func (s *Service) record(ctx context.Context, tx *store.Tx, ev event) error {
	e := audit.Entry{Action: ev.action, ObjectType: ObjUser, After: ev.data, ClientAddr: ev.addr, At: s.Now()}
	if ev.token != 0 {
		e.ObjectType, e.ObjectID = ObjToken, ev.token
	}
	if ev.user != nil {
		if ev.token == 0 {
			e.ObjectID = ev.user.ID
		}
		e.Region = ev.user.RegionCode
	}
	if _, ok := authz.From(ctx); !ok {
		switch {
		case ev.user != nil:
			e.Actor, e.Role, e.ActorRegion = ev.user.Username, ev.user.Role, ev.user.RegionCode
		default:
			e.Actor, e.Role = anonymousActor, anonymousRole
		}
	}
	if ev.user == nil && ev.name != "" {
		if e.After == nil {
			e.After = map[string]any{}
		}
		e.After["nama_pengguna"] = truncate(ev.name, maxNameInTrail)
	}
	return audit.Record(ctx, tx, e)
}

// recordAlone records an event in a transaction of its own, for refusals
// that change nothing else.
func (s *Service) recordAlone(ctx context.Context, ev event) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error { return s.record(ctx, tx, ev) })
	if err != nil {
		slog.ErrorContext(ctx, "auth: record security event", "action", ev.action, "err", err)
	}
}

// RecordCSRFRefused records an unsafe request refused for its CSRF token,
// at most once a minute per user and address, so that a script cannot
// flood the trail.
func (s *Service) RecordCSRFRefused(ctx context.Context, sess *Session, addr, route string) {
	if !s.refusals.allow("csrf:"+sess.User.Username+"|"+addr, s.Now()) {
		return
	}
	u := sess.User
	s.recordAlone(ctx, event{action: ActCSRFRefused, user: &u, addr: addr, data: map[string]any{"rute": route}})
}

// limiter lets a repeated event through at most once per period per key,
// with bounded memory.
type limiter struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = map[string]time.Time{}
	}
	if t, ok := l.seen[key]; ok && now.Sub(t) < refusalEvery && !now.Before(t) {
		return false
	}
	if len(l.seen) >= refusalKeys {
		for k, t := range l.seen {
			if now.Sub(t) > refusalKeyTimeout || len(l.seen) >= refusalKeys {
				delete(l.seen, k)
			}
		}
	}
	l.seen[key] = now
	return true
}
