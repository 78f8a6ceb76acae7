package cli

import (
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/kemensos/jaring/internal/server"
)

// shedFlags are serve's load-shedding settings (server.Shed): a flag, or
// else its JARING_* variable, or else the default derived from the
// database pool and the processors (0).
type shedFlags struct {
	ints []shedInt
	durs []shedDur
	shed server.Shed
}

type shedInt struct {
	flag, env string
	p         *int
}

type shedDur struct {
	flag, env string
	p         *time.Duration
}

func (f *shedFlags) register(fs *flag.FlagSet) {
	f.ints = []shedInt{
		{"public-inflight", "JARING_PUBLIC_INFLIGHT", &f.shed.PublicInFlight},
		{"public-queue", "JARING_PUBLIC_QUEUE", &f.shed.PublicQueue},
		{"check-inflight", "JARING_CHECK_INFLIGHT", &f.shed.CheckInFlight},
		{"check-queue", "JARING_CHECK_QUEUE", &f.shed.CheckQueue},
		{"user-inflight", "JARING_USER_INFLIGHT", &f.shed.UserInFlight},
		{"user-queue", "JARING_USER_QUEUE", &f.shed.UserQueue},
	}
	f.durs = []shedDur{
		{"public-wait", "JARING_PUBLIC_WAIT", &f.shed.PublicWait},
		{"check-wait", "JARING_CHECK_WAIT", &f.shed.CheckWait},
		{"user-wait", "JARING_USER_WAIT", &f.shed.UserWait},
		{"retry-after", "JARING_RETRY_AFTER", &f.shed.RetryAfter},
		{"busy-hold", "JARING_BUSY_HOLD", &f.shed.BusyHold},
	}
	help := map[string]string{
		"public-inflight": "anonymous (public) requests handled at once; more wait or get 503 busy (default: 3/4 of the database pool, at most 8 per processor)",
		"public-queue":    "anonymous requests that may wait for a slot (default 8 × public-inflight)",
		"public-wait":     "longest wait of an anonymous request for a slot before 503 busy (default 500ms)",
		"check-inflight":  "anonymous status checks (POST of Cek Bansos) handled at once (default: 16 per processor on PostgreSQL, public-inflight on SQLite)",
		"check-queue":     "status checks that may wait for a slot (default 8 × check-inflight)",
		"check-wait":      "longest wait of a status check for a slot before 503 busy (default 500ms)",
		"user-inflight":   "signed-in requests handled at once (default: the database pool)",
		"user-queue":      "signed-in requests that may wait for a slot (default 16 × user-inflight)",
		"user-wait":       "longest wait of a signed-in request for a slot (default 5s)",
		"retry-after":     "wait asked of a client answered 503 busy, whole seconds (default 5s)",
	}
	help["busy-hold"] = "how long an anonymous request refused because its queue is full waits before its 503, so that clients retrying at once ask less often (default 1s; 1ns holds none)"
	for _, i := range f.ints {
		fs.IntVar(i.p, i.flag, 0, help[i.flag]+" (env "+i.env+")")
	}
	for _, d := range f.durs {
		fs.DurationVar(d.p, d.flag, 0, help[d.flag]+" (env "+d.env+")")
	}
}

// resolve takes the variables of the flags not given, and checks the values.
func (f *shedFlags) resolve(fs *flag.FlagSet, env *Env) (server.Shed, error) {
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	for _, i := range f.ints {
		if v := env.Getenv(i.env); v != "" && !given[i.flag] {
			n, err := strconv.Atoi(v)
			if err != nil {
				return server.Shed{}, fmt.Errorf("%s: bukan bilangan bulat: %q", i.env, v)
			}
			*i.p = n
		}
	}
	for _, d := range f.durs {
		if v := env.Getenv(d.env); v != "" && !given[d.flag] {
			t, err := time.ParseDuration(v)
			if err != nil {
				return server.Shed{}, fmt.Errorf("%s: bukan lama waktu (misalnya 50ms, 5s): %q", d.env, v)
			}
			*d.p = t
		}
	}
	for _, i := range f.ints {
		if *i.p < 0 {
			return server.Shed{}, fmt.Errorf("--%s (%s): tidak boleh negatif: %d", i.flag, i.env, *i.p)
		}
	}
	for _, d := range f.durs {
		if *d.p < 0 {
			return server.Shed{}, fmt.Errorf("--%s (%s): tidak boleh negatif: %s", d.flag, d.env, *d.p)
		}
	}
	return f.shed, nil
}
