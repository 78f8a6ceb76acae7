package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestHTTPLoad runs the generator against a server that answers every
// third check 503: the counts it prints add up to what the server saw,
// each body carried a NIK of the file, none of which is printed, and the
// probe signed in and fetched its page.
func TestHTTPLoad(t *testing.T) {
	dir := t.TempDir()
	niks := []string{"3204280101900001", "3204280101900002", "3204280101900003"}
	nikFile := filepath.Join(dir, "nik.txt")
	if err := os.WriteFile(nikFile, []byte(strings.Join(niks, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("rahasia\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var checks, probes atomic.Int64
	var mu sync.Mutex
	seen := map[string]bool{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/publik/cek", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ NIK string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		mu.Lock()
		seen[in.NIK] = true
		mu.Unlock()
		if checks.Add(1)%3 == 0 {
			// A busy answer that closes its connection: the client dials again.
			w.Header().Set("Connection", "close")
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	mux.HandleFunc("POST /api/v1/auth/login", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Username, Password string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		if in.Username != "operator" || in.Password != "rahasia" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "s", Value: "x", Path: "/"})
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("s"); err != nil || c.Value != "x" {
			http.Redirect(w, r, "/masuk", http.StatusSeeOther)
			return
		}
		probes.Add(1)
		_, _ = io.WriteString(w, "dasbor")
	})
	ts := httptest.NewUnstartedServer(mux)
	var conns atomic.Int64
	ts.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	defer ts.Close()

	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"http", "--url", ts.URL + "/api/v1/publik/cek", "--nik-file", nikFile,
		"--concurrency", "4", "--duration", "300ms", "--warmup", "0", "--probe-url", ts.URL + "/",
		"--probe-user", "operator", "--probe-password-file", pwFile, "--probe-interval", "10ms"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	got := out.String()
	m := regexp.MustCompile(`summary rps=\d+ ok_rps=\d+ .* ok=(\d+) .* busy=(\d+) .* errors=(\d+) .* probe_n=(\d+)`).FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("no summary line:\n%s", got)
	}
	ok, _ := strconv.Atoi(m[1])
	busy, _ := strconv.Atoi(m[2])
	if int64(ok+busy) != checks.Load() || busy != int(checks.Load()/3) || m[3] != "0" {
		t.Errorf("printed ok %d + busy %d, errors %s; the server answered %d checks:\n%s", ok, busy, m[3], checks.Load(), got)
	}
	// Four clients, one connection each, one more after each closing answer
	// (the probe's own client, one connection, besides).
	if n := conns.Load(); n < int64(busy) || n > int64(4+busy+1) {
		t.Errorf("%d connections for 4 clients and %d closing answers", n, busy)
	}
	// probe_n counts the probe's measured requests; one more fetched the page at sign-in.
	if n, _ := strconv.Atoi(m[4]); n == 0 || int64(n+1) != probes.Load() {
		t.Errorf("probe_n %s, the server served the page %d times:\n%s", m[4], probes.Load(), got)
	}
	if len(seen) != len(niks) {
		t.Errorf("the server saw %d of the %d NIKs", len(seen), len(niks))
	}
	for _, n := range niks {
		if strings.Contains(got+errOut.String(), n) {
			t.Errorf("a NIK is printed")
		}
	}
	if !strings.Contains(got, "503 busy") {
		t.Errorf("no 503 row:\n%s", got)
	}
}

// TestHTTPOpenLoop: at a fixed rate the generator sends about rate ×
// duration requests (the schedule, not the answers, decides).
func TestHTTPOpenLoop(t *testing.T) {
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	defer ts.Close()
	body := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(body, []byte(`{"wilayah":"32.04.28.2001","nama":"SITI"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"http", "--url", ts.URL, "--body-file", body, "--rate", "200",
		"--duration", "500ms", "--warmup", "0", "--concurrency", "8"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if got := n.Load(); got != 100 {
		t.Errorf("sent %d requests at 200/s for 500 ms, want 100", got)
	}
	if !strings.Contains(out.String(), "open loop at 200 requests/s") {
		t.Errorf("mode not printed:\n%s", out.String())
	}
}

// TestHTTPBadInput: each bad input is refused with a message naming it.
func TestHTTPBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "nik.txt")
	if err := os.WriteFile(bad, []byte("3204280101900001\n32042801019\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, []byte("\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--nik-file", bad}, 2, "--url"},
		{[]string{"--url", "ftp://x", "--nik-file", bad}, 2, "--url"},
		{[]string{"--url", "http://127.0.0.1:1/x", "--nik-file", bad}, 1, "nik.txt line 2: not a 16-digit NIK"},
		{[]string{"--url", "http://127.0.0.1:1/x", "--body-file", empty}, 1, "no bodies"},
		{[]string{"--url", "http://127.0.0.1:1/x"}, 2, "--body-file or --nik-file"},
		{[]string{"--url", "http://127.0.0.1:1/x", "--body-file", empty, "--concurrency", "0"}, 2, "--concurrency"},
		{[]string{"--url", "http://127.0.0.1:1/x", "--body-file", empty, "--probe-url", "http://127.0.0.1:1/"}, 2, "--probe-user"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"http"}, c.args...), &out, &errOut)
		if code != c.code || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%v: exit %d, want %d with %q; stderr:\n%s", c.args, code, c.code, c.want, errOut.String())
		}
		if strings.Contains(errOut.String(), "32042801019") {
			t.Errorf("%v: the bad NIK is printed", c.args)
		}
	}
}
