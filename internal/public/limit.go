package public

import (
	"hash/maphash"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits are the public site's rate limits. The address limit must allow
// many people behind one carrier NAT (mobile networks in Indonesia share
// addresses widely); the identifier limit is what stops a look-up of one
// NIK or one name from many addresses.
type Limits struct {
	PerAddress    rate.Limit // checks per second from one client address
	AddressBurst  int
	PerIdentifier rate.Limit // checks per second of one NIK, or one village and name
	IdentBurst    int
	// MaxKeys bounds each limiter's memory (about 200 bytes a key).
	MaxKeys int
}

// DefaultLimits: an address may check 20 at once and then one every two
// seconds; an identifier 5 at once and then one a minute.
var DefaultLimits = Limits{PerAddress: 0.5, AddressBurst: 20, PerIdentifier: rate.Every(time.Minute), IdentBurst: 5, MaxKeys: 100_000}

// keyedLimiter holds a token bucket per key (golang.org/x/time/rate) in
// bounded memory: shards of two generations each. A key is looked up in
// the current generation, then in the previous one (and moved over);
// when a shard's current generation is full it becomes the previous one
// and the old previous one is dropped. A dropped key starts again with a
// full bucket: what it had unless it was used within about
// burst/rate, so eviction mostly forgets idle keys, and an attacker who
// floods the limiter with fresh keys to evict others must make
// MaxKeys requests, which the address limit itself slows.
type keyedLimiter struct {
	limit  rate.Limit
	burst  int
	perGen int
	seed   maphash.Seed
	shards [16]limShard
}

type limShard struct {
	mu        sync.Mutex
	cur, prev map[string]*rate.Limiter
}

func newKeyedLimiter(limit rate.Limit, burst, maxKeys int) *keyedLimiter {
	if maxKeys < 32 {
		maxKeys = 32
	}
	return &keyedLimiter{limit: limit, burst: burst, perGen: maxKeys / 32, seed: maphash.MakeSeed()}
}

// reserve takes a token for key at now; when there is none it takes
// nothing and returns how long until there is.
func (k *keyedLimiter) reserve(key string, now time.Time) (ok bool, retry time.Duration) {
	s := &k.shards[maphash.String(k.seed, key)%uint64(len(k.shards))]
	s.mu.Lock()
	l := s.cur[key]
	if l == nil {
		if l = s.prev[key]; l != nil {
			delete(s.prev, key)
		} else {
			l = rate.NewLimiter(k.limit, k.burst)
		}
		if s.cur == nil || len(s.cur) >= k.perGen {
			s.prev, s.cur = s.cur, make(map[string]*rate.Limiter, k.perGen)
		}
		s.cur[key] = l
	}
	s.mu.Unlock()
	r := l.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Hour
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// size returns the number of keys held, for tests.
func (k *keyedLimiter) size() int {
	n := 0
	for i := range k.shards {
		s := &k.shards[i]
		s.mu.Lock()
		n += len(s.cur) + len(s.prev)
		s.mu.Unlock()
	}
	return n
}
