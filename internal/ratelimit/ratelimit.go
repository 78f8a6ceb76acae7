// Package ratelimit keeps a token bucket (golang.org/x/time/rate) per key,
// such as a client address or a looked-up identifier, in bounded memory.
// It counts in this process: each node of a deployment keeps its own.
package ratelimit

import (
	"hash/maphash"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Keyed holds a bucket per key in shards of two generations each. A key
// is looked up in the current generation, then in the previous one (and
// moved over); when a shard's current generation is full it becomes the
// previous one and the old previous one is dropped. A dropped key starts
// again with a full bucket, which is what it had unless it was used within
// about burst/limit, so eviction mostly forgets idle keys; flooding the
// limiter with fresh keys to evict others takes maxKeys requests.
type Keyed struct {
	limit  rate.Limit
	burst  int
	perGen int
	seed   maphash.Seed
	shards [16]shard
}

type shard struct {
	mu        sync.Mutex
	cur, prev map[string]*rate.Limiter
}

// New allows burst events at once per key, then limit a second; it keeps
// about maxKeys keys (at least 32).
func New(limit rate.Limit, burst, maxKeys int) *Keyed {
	return &Keyed{limit: limit, burst: burst, perGen: max(maxKeys, 32) / 32, seed: maphash.MakeSeed()}
}

// Reserve takes a token for key at now; when there is none it takes
// nothing and returns how long until there is.
func (k *Keyed) Reserve(key string, now time.Time) (ok bool, retry time.Duration) {
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

// Size returns the number of keys held.
func (k *Keyed) Size() int {
	n := 0
	for i := range k.shards {
		s := &k.shards[i]
		s.mu.Lock()
		n += len(s.cur) + len(s.prev)
		s.mu.Unlock()
	}
	return n
}
