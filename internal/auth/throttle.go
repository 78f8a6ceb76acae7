package auth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/kemensos/jaring/internal/store"
)

// LockedError refuses a sign-in while its user name or client address is
// locked out after too many failures. It is shown as such (HTTP 429 with
// Retry-After): the lockout is kept per user name whether or not the
// account exists, so it tells an attacker nothing they did not cause, and
// the person whose name it is learns to wait rather than to retype.
type LockedError struct {
	Until time.Time
}

func (e *LockedError) Error() string {
	return "terlalu banyak percobaan masuk yang gagal; coba lagi nanti"
}

// RetryAfter is how long to wait from now, rounded up to whole seconds.
func (e *LockedError) RetryAfter(now time.Time) time.Duration {
	d := e.Until.Sub(now)
	if d < time.Second {
		return time.Second
	}
	return d.Round(time.Second) + time.Second
}

// throttleKey is one counter: per user name ("u:") or per address ("a:").
type throttleKey struct {
	key   string
	limit int
}

func (s *Service) throttleKeys(name, addr string) []throttleKey {
	keys := []throttleKey{{"u:" + truncate(name, 64), s.Policy.AccountLimit}}
	if addr != "" {
		keys = append(keys, throttleKey{"a:" + truncate(addr, 64), s.Policy.AddressLimit})
	}
	return keys
}

type throttleRow struct {
	failures    int
	windowStart int64
	lockedUntil int64
	lockouts    int
	updatedAt   int64
}

// loadThrottle reads a counter, creating it, and locks it until tx ends
// (PostgreSQL; SQLite has one writer).
func loadThrottle(ctx context.Context, tx *store.Tx, key string, now int64) (throttleRow, error) {
	var r throttleRow
	if _, err := tx.Exec(ctx, `INSERT INTO signin_throttle (key, failures, window_start, locked_until, lockouts, updated_at)
VALUES ($1, 0, $2, 0, 0, $2) ON CONFLICT (key) DO NOTHING`, key, now); err != nil {
		return r, err
	}
	q := `SELECT failures, window_start, locked_until, lockouts, updated_at FROM signin_throttle WHERE key = $1`
	if tx.Engine() == store.Postgres {
		q += ` FOR UPDATE`
	}
	err := tx.QueryRow(ctx, q, key).Scan(&r.failures, &r.windowStart, &r.lockedUntil, &r.lockouts, &r.updatedAt)
	return r, err
}

func saveThrottle(ctx context.Context, tx *store.Tx, key string, r throttleRow) error {
	_, err := tx.Exec(ctx, `UPDATE signin_throttle SET failures = $2, window_start = $3, locked_until = $4, lockouts = $5, updated_at = $6 WHERE key = $1`,
		key, r.failures, r.windowStart, r.lockedUntil, r.lockouts, r.updatedAt)
	return err
}

// reserve counts an attempt against every key before the password is
// checked, so that parallel attempts cannot pass the limit: the attempt
// is a failure until it succeeds. It returns a *LockedError when a key is
// locked or every attempt of its window is taken.
func (s *Service) reserve(ctx context.Context, keys []throttleKey, now time.Time) error {
	p := s.Policy
	us := store.Micros(now)
	var locked *LockedError
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		locked = nil
		rows := make([]throttleRow, len(keys))
		for i, k := range keys {
			r, err := loadThrottle(ctx, tx, k.key, us)
			if err != nil {
				return err
			}
			if r.lockedUntil > us {
				until := store.FromMicros(r.lockedUntil)
				if locked == nil || until.After(locked.Until) {
					locked = &LockedError{Until: until}
				}
			}
			if us-r.updatedAt >= p.LockMemory.Microseconds() {
				r.lockouts = 0
			}
			if us-r.windowStart >= p.FailureWindow.Microseconds() {
				r.failures, r.windowStart = 0, us
			}
			if locked == nil && r.failures >= k.limit {
				// Attempts still running hold every slot.
				locked = &LockedError{Until: now.Add(p.LockBase)}
			}
			rows[i] = r
		}
		if locked != nil {
			return nil // nothing counted: a locked attempt checks no password
		}
		for i, k := range keys {
			rows[i].failures++
			rows[i].updatedAt = us
			if err := saveThrottle(ctx, tx, k.key, rows[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("auth: throttle: %w", err)
	}
	if locked != nil {
		return locked
	}
	return nil
}

// failed keeps the attempt reserve counted, and locks each key whose
// failures reached its limit: the first lockout lasts LockBase and each
// further one twice the one before, up to LockMax. It returns the keys
// locked now.
func (s *Service) failed(ctx context.Context, tx *store.Tx, keys []throttleKey, now time.Time) ([]string, time.Time, error) {
	p := s.Policy
	us := store.Micros(now)
	var lockedKeys []string
	var until time.Time
	if rand.IntN(64) == 0 {
		// Now and then, forget the counters of names and addresses that
		// stopped failing long ago, so that sprayed names do not pile up.
		if _, err := tx.Exec(ctx, `DELETE FROM signin_throttle WHERE updated_at < $1 AND locked_until < $2`,
			us-p.LockMemory.Microseconds(), us); err != nil {
			return nil, until, err
		}
	}
	for _, k := range keys {
		r, err := loadThrottle(ctx, tx, k.key, us)
		if err != nil {
			return nil, until, err
		}
		if r.failures < k.limit || r.lockedUntil > us {
			continue
		}
		d := p.LockBase
		for i := 0; i < r.lockouts && d < p.LockMax; i++ {
			d *= 2
		}
		d = min(d, p.LockMax)
		r.lockedUntil = us + d.Microseconds()
		r.lockouts++
		r.failures, r.windowStart, r.updatedAt = 0, us, us
		if err := saveThrottle(ctx, tx, k.key, r); err != nil {
			return nil, until, err
		}
		lockedKeys = append(lockedKeys, k.key[:1])
		if t := store.FromMicros(r.lockedUntil); t.After(until) {
			until = t
		}
	}
	return lockedKeys, until, nil
}

// succeeded forgets the user name's failures and gives the address back
// the attempt reserve took: a success does not clear an address's count,
// or one good account would let its holder guess at the others.
func (s *Service) succeeded(ctx context.Context, tx *store.Tx, keys []throttleKey) error {
	for i, k := range keys {
		var err error
		if i == 0 {
			_, err = tx.Exec(ctx, `DELETE FROM signin_throttle WHERE key = $1`, k.key)
		} else {
			_, err = tx.Exec(ctx, `UPDATE signin_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0`, k.key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
