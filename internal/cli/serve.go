package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/cekbansos"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/public"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/seed"
	"github.com/kemensos/jaring/internal/server"
	"github.com/kemensos/jaring/internal/store"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("serve", env, "serve [--db URL] [--addr HOST:PORT] [--demo] [--migrate]")
	var df dbFlags
	df.register(fs, env)
	addr := fs.String("addr", firstNonEmpty(env.Getenv("JARING_ADDR"), "127.0.0.1:8080"), "listen address (env JARING_ADDR)")
	demo := fs.Bool("demo", false, "migrate, and when empty load demo regions, synthetic families and an administrator")
	demoFamilies := fs.Int("demo-families", 2000, "synthetic families loaded by --demo into an empty register")
	migrate := fs.Bool("migrate", false, "migrate the schema before serving")
	tlsCert := fs.String("tls-cert", env.Getenv("JARING_TLS_CERT"), "TLS certificate file (serve HTTPS)")
	tlsKey := fs.String("tls-key", env.Getenv("JARING_TLS_KEY"), "TLS key file")
	var sf shedFlags
	sf.register(fs)
	trusted := fs.String("trusted-proxies", env.Getenv("JARING_TRUSTED_PROXIES"), "reverse proxies (CIDR,...) whose X-Forwarded-For gives the client address (env JARING_TRUSTED_PROXIES)")
	loadTest := fs.Bool("public-loadtest", env.Getenv("JARING_PUBLIC_LOADTEST") == "1", "turn the public check's challenge and limits off, for load tests on a closed machine (env JARING_PUBLIC_LOADTEST=1)")
	if err := parse(fs, args); err != nil {
		return err
	}
	shed, err := sf.resolve(fs, env)
	if err != nil {
		return err
	}
	logs := newLogBuffer(env.Stderr, 100*time.Millisecond)
	defer logs.Close()
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(logger)
	proxies, err := httpx.ParseTrustedProxies(*trusted)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	db, err := df.open(ctx, env, *migrate || *demo)
	if err != nil {
		return err
	}
	defer db.Close()
	reg := registry.New(db)
	authSvc := auth.New(db)
	key, keySource, err := df.secretKey(env)
	if err != nil {
		return err
	}
	authSvc.Key = key
	keyWarning(env, db, keySource)
	if *demo {
		if err := loadDemo(ctx, env, db, *demoFamilies); err != nil {
			return err
		}
	}
	if n, err := authSvc.CountUsers(ctx); err != nil {
		return err
	} else if n == 0 {
		if err := createFirstAdmin(ctx, env, authSvc); err != nil {
			return err
		}
	}
	uploads := filepath.Join(df.data, "uploads")
	if err := os.MkdirAll(uploads, 0o700); err != nil {
		return err
	}
	jobRunner := newJobRunner(db, logger)
	if err := jobRunner.Start(ctx); err != nil {
		return err
	}
	defer stopJobRunner(jobRunner)
	complaints := complaint.New(db, key)
	if _, err := complaint.Schedule(ctx, jobRunner, complaints); err != nil {
		return err
	}
	// The server's live heap is small (caches, limiters, requests in
	// flight) and a crowd allocates fast: collecting at 5× the live heap
	// instead of 2× took the collector's share of a check's processor time
	// from about 15 % to 4 % (docs/benchmarks.md), under a soft limit of 1 GiB.
	tuneGC(env, 400, 1<<30)
	if db.Engine() != store.Postgres && shed.CheckInFlight == 0 {
		// On SQLite each check reads on a connection of its own (only
		// PostgreSQL gathers them into shared statements): the check gets
		// the other public pages' allowance, bound to the pool.
		shed.CheckInFlight = server.ShedDefaults(shed, db.PoolSize()).PublicInFlight
	}
	shed = server.ShedDefaults(shed, db.PoolSize())
	// One notification and citizens' service (with one registration limit) for every handler set.
	notices := notify.New(db)
	complaints.Notify = notices
	citizens := citizen.New(db, authSvc, notices)
	citizens.Limiter = citizen.DefaultLimiter()
	props := proposal.New(db)
	props.Jobs, props.Notify = jobRunner, proposal.Notifier(notices)
	props.RefKey = proposal.RefKeyFrom(key)
	if *loadTest {
		fmt.Fprintln(env.Stderr, "PERINGATAN / WARNING: --public-loadtest: the public check runs WITHOUT challenge and rate limits. For load tests on a closed machine only; never expose this server.")
		logger.Warn("public check: challenge and rate limits OFF (JARING_PUBLIC_LOADTEST)")
	}
	site := public.New(public.Deps{DB: db, Regions: region.Store{DB: db}, Logger: logger, Check: cekbansos.New(db),
		ChallengeKey: public.ChallengeKeyFrom(key), LoadTest: *loadTest, Citizens: citizens, Auth: authSvc, Notify: notices})
	srv := server.New(server.Deps{DB: db, Registry: reg, Auth: authSvc, Imports: registry.NewJobs(reg, uploads), Logger: logger,
		Complaints: complaints, Proposals: props, Shed: shed, Public: site, TrustedProxies: proxies, Citizens: citizens, Notify: notices})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(env.Stdout, "Jaring berjalan di %s://%s (basis data: %s, %s). Hentikan dengan Ctrl+C.\n", scheme, ln.Addr(), db.Engine(), db.Where())
	fmt.Fprintf(env.Stdout, "Batas beban: publik %d sekaligus (antre %d, %s), cek bansos %d (antre %d, %s), pengguna masuk %d (antre %d, %s); lebih dari itu 503 (publik setelah %s), coba lagi %s.\n",
		shed.PublicInFlight, shed.PublicQueue, shed.PublicWait, shed.CheckInFlight, shed.CheckQueue, shed.CheckWait,
		shed.UserInFlight, shed.UserQueue, shed.UserWait, shed.BusyHold, shed.RetryAfter)
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			errc <- hs.ServeTLS(ln, *tlsCert, *tlsKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loadDemo fills an empty database with the demo regions and synthetic families.
func loadDemo(ctx context.Context, env *Env, db *store.DB, families int) error {
	counts, err := region.Store{DB: db}.Count(ctx)
	if err != nil {
		return err
	}
	if counts[4] == 0 {
		res, err := region.Import(ctx, db, region.Demo())
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Wilayah demo dimuat: %d kode.\n", res.Added)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM family`).Scan(&n); err != nil {
		return err
	}
	if n > 0 || families == 0 {
		return nil
	}
	res, err := seedDB(ctx, env, db, seed.Options{Seed: 1, Families: families, Names: loadNames(env), Now: time.Now().UTC()}, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Keluarga sintetis dimuat: %d keluarga, %d jiwa.\n", res.FamiliesAdded, res.PeopleAdded)
	return nil
}

// createFirstAdmin creates the administrator of an empty database, with the
// password from JARING_ADMIN_PASSWORD or a generated one printed once. The
// role requires a second factor, so the account is enrolled at once and
// its TOTP secret printed once too: MFA is never switched off, not even
// for the demo (docs/decisions.md).
func createFirstAdmin(ctx context.Context, env *Env, a *auth.Service) error {
	password := env.Getenv("JARING_ADMIN_PASSWORD")
	generated := password == ""
	if generated {
		password = auth.GeneratePassword()
	}
	c, err := a.AddUser(authz.With(ctx, authz.System("serve")), auth.NewUser{Username: "admin", Role: auth.RoleAdmin, Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "Akun administrator dibuat. Masuk dengan:")
	fmt.Fprintln(env.Stdout, "  nama pengguna: admin")
	if generated {
		fmt.Fprintf(env.Stdout, "  kata sandi:    %s   (hanya ditampilkan sekali; simpan sekarang)\n", password)
	} else {
		fmt.Fprintln(env.Stdout, "  kata sandi:    dari JARING_ADMIN_PASSWORD")
	}
	printEnrollment(env, c.TOTP)
	return nil
}
