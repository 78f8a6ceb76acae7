package public

import (
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
