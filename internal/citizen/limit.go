package citizen

import (
	"time"

	"golang.org/x/time/rate"

	"github.com/kemensos/jaring/internal/ratelimit"
)

// Limiter bounds how often one client address may register: a token
// bucket per address in bounded memory (internal/ratelimit). It counts in
// this process; each node of a deployment keeps its own.
type Limiter struct{ keyed *ratelimit.Keyed }

// maxAddresses bounds the addresses remembered; idle ones are dropped first.
const maxAddresses = 20000

// NewLimiter allows burst registrations at once from one address, then
// one every period.
func NewLimiter(every time.Duration, burst int) *Limiter {
	return &Limiter{keyed: ratelimit.New(rate.Every(every), burst, maxAddresses)}
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
	ok, _ := l.keyed.Reserve(addr, time.Now())
	return ok
}
