package citizen

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter bounds how often one client address may register: a token
// bucket per address (golang.org/x/time/rate), with bounded memory. It
// counts in this process; each node of a deployment keeps its own.
type Limiter struct {
	mu      sync.Mutex
	every   time.Duration
	burst   int
	buckets map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxAddresses bounds the addresses remembered; idle ones are dropped first.
const maxAddresses = 20000

// NewLimiter allows burst registrations at once from one address, then
// one every period.
func NewLimiter(every time.Duration, burst int) *Limiter {
	return &Limiter{every: every, burst: burst, buckets: map[string]*bucket{}}
}

// DefaultLimiter is the registration limit of the server: 10 at once, then
// one every 2 minutes from one address (a village office or a mobile
// carrier's shared address serves many residents).
func DefaultLimiter() *Limiter { return NewLimiter(2*time.Minute, 10) }

// Allow reports whether addr may register now.
func (l *Limiter) Allow(addr string) bool {
	if l == nil {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[addr]
	if !ok {
		if len(l.buckets) >= maxAddresses {
			for k, v := range l.buckets {
				if now.Sub(v.seen) > time.Duration(l.burst)*l.every || len(l.buckets) >= maxAddresses {
					delete(l.buckets, k)
				}
			}
		}
		b = &bucket{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.buckets[addr] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}
