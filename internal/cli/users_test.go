package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/cli"
	"github.com/kemensos/jaring/internal/store"
)

// runIn runs the jaring command with standard input.
func runIn(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsersAndTokens(t *testing.T) {
	engines(t, func(t *testing.T, db string) {
		dir := t.TempDir()
		env := map[string]string{"JARING_DB": db, "JARING_DATA": dir}
		ok := func(stdin string, args ...string) string {
			t.Helper()
			code, out, errOut := runIn(t, env, stdin, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
			}
			return out
		}
		fails := func(want string, args ...string) {
			t.Helper()
			code, out, errOut := runIn(t, env, "", args...)
			if code == 0 || !strings.Contains(errOut, want) {
				t.Errorf("%v: exit %d, want a failure saying %q\n%s\n%s", args, code, want, out, errOut)
			}
		}
		ok("", "migrate")
		regions := filepath.Join(dir, "wilayah.csv")
		writeFile(t, regions, regionsCSV)
		ok("", "regions", "import", regions)

		// An administrator: generated password and TOTP, each printed once.
		out := ok("", "users", "add", "--username", "kepala", "--role", "admin")
		pass := regexp.MustCompile(`kata sandi:\s+(\S+)`).FindStringSubmatch(out)
		secret := regexp.MustCompile(`rahasia TOTP:\s+(\S+)`).FindStringSubmatch(out)
		if pass == nil || len(pass[1]) < 16 || secret == nil || !strings.Contains(out, "otpauth://totp/Jaring:kepala") {
			t.Fatalf("users add admin printed:\n%s", out)
		}
		// The key that seals the secret was made in the data directory.
		if _, err := auth.LoadKeyFile(filepath.Join(dir, "secret.key"), false); err != nil {
			t.Fatalf("secret key: %v", err)
		}
		// A village operator with the password from standard input.
		out = ok("kata-sandi-operator-1\n", "users", "add", "--username", "operator", "--role", "desa", "--region", "32.01.01.2002", "--password-stdin")
		if strings.Contains(out, "kata-sandi-operator-1") || strings.Contains(out, "ditampilkan sekali") || strings.Contains(out, "TOTP") {
			t.Errorf("users add --password-stdin printed:\n%s", out)
		}
		// A machine account: no password at all.
		out = ok("", "users", "add", "--username", "kios", "--role", "ewarong", "--region", "32.01.01.2002")
		if strings.Contains(out, "ditampilkan sekali") || !strings.Contains(out, "tokens create --username kios") {
			t.Errorf("machine account printed:\n%s", out)
		}
		fails("peran tidak dikenal", "users", "add", "--username", "x1", "--role", "raja")
		fails("desa/kelurahan", "users", "add", "--username", "x2", "--role", "desa", "--region", "32.01")
		fails("tidak dikenal atau tidak aktif", "users", "add", "--username", "x3", "--role", "desa", "--region", "32.01.01.2999")
		fails("sudah dipakai", "users", "add", "--username", "operator", "--role", "desa", "--region", "32.01.01.2002")
		if code, _, _ := runIn(t, env, "", "users", "add", "--username", "x4"); code != 2 {
			t.Errorf("users add without a role: exit %d, want 2", code)
		}

		out = ok("", "users", "list")
		for _, want := range []string{"kepala", "admin", "nasional", "totp", "operator", "32.01.01.2002", "kios"} {
			if !strings.Contains(out, want) {
				t.Errorf("users list lacks %q:\n%s", want, out)
			}
		}
		if out := ok("", "users", "list", "--region", "32.01"); strings.Contains(out, "kepala") || !strings.Contains(out, "operator") {
			t.Errorf("users list --region 32.01:\n%s", out)
		}

		// Tokens.
		out = ok("", "tokens", "create", "--username", "kios", "--expires", "30d", "--name", "kasir")
		tok := regexp.MustCompile(`token: (jrg_\S+)`).FindStringSubmatch(out)
		id := regexp.MustCompile(`Token (\d+) \(kasir\)`).FindStringSubmatch(out)
		if tok == nil || id == nil {
			t.Fatalf("tokens create printed:\n%s", out)
		}
		fails("90d, 12h atau 30m", "tokens", "create", "--username", "kios", "--expires", "sebulan")
		fails("paling lama 366 hari", "tokens", "create", "--username", "kios", "--expires", "400d")
		out = ok("", "tokens", "list", "--username", "kios")
		if !strings.Contains(out, "kasir") || !strings.Contains(out, "aktif") || strings.Contains(out, tok[1]) {
			t.Errorf("tokens list:\n%s", out)
		}
		sdb, err := store.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer sdb.Close()
		svc := auth.New(sdb)
		if s, err := svc.LookupToken(context.Background(), tok[1], ""); err != nil || s.User.Username != "kios" || s.User.RegionCode != "32.01.01.2002" {
			t.Fatalf("the printed token: %+v %v", s, err)
		}
		ok("", "tokens", "revoke", "--id", id[1])
		if out := ok("", "tokens", "list", "--username", "kios"); !strings.Contains(out, "dicabut") {
			t.Errorf("tokens list after revoke:\n%s", out)
		}
		if _, err := svc.LookupToken(context.Background(), tok[1], ""); err != auth.ErrTokenRefused {
			t.Errorf("revoked token: %v", err)
		}

		// TOTP enrolment for a role that does not require it.
		out = ok("", "users", "totp", "--username", "operator")
		if !strings.Contains(out, "rahasia TOTP:") {
			t.Errorf("users totp printed:\n%s", out)
		}
		// Disable: the operator's sessions and tokens end at once.
		tok2 := regexp.MustCompile(`token: (jrg_\S+)`).FindStringSubmatch(ok("", "tokens", "create", "--username", "operator", "--expires", "1h"))
		ok("", "users", "disable", "--username", "operator")
		if _, err := svc.LookupToken(context.Background(), tok2[1], ""); err != auth.ErrTokenRefused {
			t.Errorf("token of a disabled user: %v", err)
		}
		if out := ok("", "users", "disable", "--username", "operator"); !strings.Contains(out, "sudah nonaktif") {
			t.Errorf("disable twice:\n%s", out)
		}
		if out := ok("", "users", "list"); !strings.Contains(out, "nonaktif") {
			t.Errorf("users list after disable:\n%s", out)
		}
		fails("not found", "users", "disable", "--username", "tidak-ada")
		// The command line's changes are in the audit trail, as the command line.
		var n int
		if err := sdb.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE actor = 'cli' AND action IN ('akun.buat', 'token.buat', 'token.cabut', 'akun.totp', 'akun.nonaktif')`).Scan(&n); err != nil || n != 8 {
			t.Errorf("%d audit entries by the command line (%v), want 8", n, err)
		}
	})
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
