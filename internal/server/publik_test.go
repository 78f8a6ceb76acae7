package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/public"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/server"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// X-Forwarded-For names the client only when the peer is a trusted proxy:
// the audit entry of a public check shows which address was believed.
func TestTrustedProxies(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		newAcct(t, db) // Budi Santoso, 3204281205800001
		for _, c := range []struct {
			trusted, want string
		}{
			{"", "127.0.0.1"},                            // no setting: the peer
			{"10.0.0.0/8", "127.0.0.1"},                  // the peer is no trusted proxy: the header is ignored
			{"10.0.0.0/8, 127.0.0.1/32", "203.0.113.50"}, // right-most untrusted hop
		} {
			proxies, err := httpx.ParseTrustedProxies(c.trusted)
			if err != nil {
				t.Fatal(err)
			}
			reg := registry.New(db)
			srv := server.New(server.Deps{DB: db, Registry: reg, Auth: auth.New(db), Imports: registry.NewJobs(reg, t.TempDir()),
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TrustedProxies: proxies,
				Public: public.New(public.Deps{DB: db, Regions: region.Store{DB: db}, LoadTest: true})})
			ts := httptest.NewServer(srv)
			defer ts.Close()
			req, err := http.NewRequest("POST", ts.URL+"/api/v1/publik/cek", strings.NewReader(`{"nik":"3204281205800001"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", "198.51.100.9, 203.0.113.50, 10.2.3.4")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("%q: %d", c.trusted, res.StatusCode)
			}
			var addr string
			if err := db.QueryRow(context.Background(), `SELECT client_addr FROM audit_log WHERE action = 'publik.cek' ORDER BY seq DESC LIMIT 1`).Scan(&addr); err != nil {
				t.Fatal(err)
			}
			if addr != c.want {
				t.Errorf("trusted %q: client %s, want %s", c.trusted, addr, c.want)
			}
		}
	})
}
