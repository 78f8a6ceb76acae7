package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/cli"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// run runs the jaring command and returns its exit code, stdout and stderr.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// engines runs fn with the --db value of a fresh SQLite file and, when
// JARING_TEST_POSTGRES is set, of a fresh PostgreSQL schema.
func engines(t *testing.T, fn func(t *testing.T, db string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "jaring.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.PostgresURL(t)) })
}

const regionsCSV = "kode,nama\n32,Jawa Barat\n32.01,Kabupaten Bogor\n32.01.01,Cibinong\n32.01.01.2002,Pabuaran\n"

const peopleCSV = "no_kk,kode_wilayah,nik,nama,jenis_kelamin,tanggal_lahir,hubungan\n" +
	"3201011506100001,32.01.01.2002,3201011205800001,Budi Santoso,L,1980-05-12,kepala_keluarga\n" +
	"3201011506100001,,3201014703850001,Siti Aminah,P,1985-03-07,istri\n" +
	"3201011506100002,32.01.01.2002,3201012008750001,Achmad,L,1975-08-20,kepala_keluarga\n" +
	"3201011506100002,,32010120087X0002,Rudi,L,2000-01-01,anak\n"

func TestWorkflow(t *testing.T) {
	engines(t, func(t *testing.T, db string) {
		dir := t.TempDir()
		env := map[string]string{"JARING_DB": db}
		// An unmigrated database is refused with the way out.
		if code, _, errOut := run(t, env, "export", "--out", filepath.Join(dir, "x.csv")); code != 1 || !strings.Contains(errOut, "jaring migrate") {
			t.Fatalf("export before migrate: code %d, %s", code, errOut)
		}
		if code, out, errOut := run(t, env, "migrate"); code != 0 || !strings.Contains(out, "versi") {
			t.Fatalf("migrate: %d %s %s", code, out, errOut)
		}
		write := func(name, content string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
		if code, out, errOut := run(t, env, "regions", "import", write("wilayah.csv", regionsCSV)); code != 0 || !strings.Contains(out, "4 added") {
			t.Fatalf("regions import: %d %s %s", code, out, errOut)
		}
		people := write("orang.csv", peopleCSV)
		code, out, errOut := run(t, env, "import", "--quiet", people)
		if code != 1 || !strings.Contains(out, "1 baru") || !strings.Contains(out, "1 ditolak") {
			t.Fatalf("import with a bad row: code %d\n%s\n%s", code, out, errOut)
		}
		report, err := os.ReadFile(people + ".errors.csv")
		if err != nil || !strings.Contains(string(report), "5,nik,") {
			t.Fatalf("error report: %v\n%s", err, report)
		}
		// Fixed file: the good family is unchanged, the fixed one is added, and the report is gone.
		fixed := write("orang.csv", strings.Replace(peopleCSV, "32010120087X0002", "3201010101000002", 1))
		code, out, errOut = run(t, env, "import", "--quiet", fixed)
		if code != 0 || !strings.Contains(out, "keluarga: 1 baru, 0 berubah, 1 tetap, 0 ditolak") {
			t.Fatalf("fixed import: code %d\n%s\n%s", code, out, errOut)
		}
		if _, err := os.Stat(people + ".errors.csv"); !os.IsNotExist(err) {
			t.Fatalf("stale error report left: %v", err)
		}
		for _, name := range []string{"ekspor.csv", "ekspor.xlsx"} {
			code, out, errOut = run(t, env, "export", "--region", "32.01", "--out", filepath.Join(dir, name))
			if code != 0 || !strings.Contains(out, "4 baris") {
				t.Fatalf("export %s: %d %s %s", name, code, out, errOut)
			}
		}
		// Re-importing the export changes nothing.
		code, out, errOut = run(t, env, "import", "--quiet", filepath.Join(dir, "ekspor.xlsx"))
		if code != 0 || !strings.Contains(out, "keluarga: 0 baru, 0 berubah, 2 tetap") {
			t.Fatalf("re-import of export: %d %s %s", code, out, errOut)
		}
		code, out, errOut = run(t, env, "seed", "--families", "50", "--quiet")
		if code != 0 || !strings.Contains(out, "50 keluarga") {
			t.Fatalf("seed into db: %d %s %s", code, out, errOut)
		}
	})
}

func TestSeedFilesDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if code, out, errOut := run(t, nil, "seed", "--out", d, "--families", "300", "--seed", "9", "--dirty", "0.1", "--quiet"); code != 0 {
			t.Fatalf("seed: %d %s %s", code, out, errOut)
		}
	}
	for _, f := range []string{"people.csv", "truth.csv"} {
		x, err1 := os.ReadFile(filepath.Join(a, f))
		y, err2 := os.ReadFile(filepath.Join(b, f))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) || len(x) == 0 {
			t.Fatalf("%s differs between runs with the same seed (%v %v)", f, err1, err2)
		}
	}
}

func TestUsage(t *testing.T) {
	if code, out, _ := run(t, nil); code != 0 || !strings.Contains(out, "serve") {
		t.Fatalf("usage: %d %s", code, out)
	}
	if code, _, errOut := run(t, nil, "nonsense"); code != 2 || !strings.Contains(errOut, "tidak dikenal") {
		t.Fatalf("unknown command: %d %s", code, errOut)
	}
	if code, _, _ := run(t, nil, "import", "--no-such-flag"); code != 2 {
		t.Fatalf("bad flag: exit %d", code)
	}
}

// TestServeDemo runs the README's first command the way a new user does and
// checks that the server answers and the printed password, with a code
// from the printed TOTP secret (the administrator's role requires MFA),
// signs in.
func TestServeDemo(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := cli.Run(ctx, []string{"serve", "--demo", "--demo-families", "200", "--data", dir, "--addr", "127.0.0.1:0"},
			func(string) string { return "" }, strings.NewReader(""), pw, io.Discard)
		pw.Close()
		done <- code
	}()
	var password, secret, addr string
	sc := bufio.NewScanner(pr)
	passRe := regexp.MustCompile(`kata sandi:\s+(\S+)`)
	secretRe := regexp.MustCompile(`rahasia TOTP:\s+(\S+)`)
	addrRe := regexp.MustCompile(`berjalan di (http://\S+)`)
	deadline := time.After(2 * time.Minute)
	lines := make(chan string)
	go func() {
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for addr == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("serve stopped before listening")
			}
			if m := passRe.FindStringSubmatch(l); m != nil {
				password = m[1]
			}
			if m := secretRe.FindStringSubmatch(l); m != nil {
				secret = m[1]
			}
			if m := addrRe.FindStringSubmatch(l); m != nil {
				addr = m[1]
			}
		case <-deadline:
			t.Fatal("serve --demo did not start in time")
		}
	}
	go func() {
		for range lines {
		}
	}()
	if password == "" || secret == "" {
		t.Fatalf("no administrator password (%q) or TOTP secret (%q) printed", password, secret)
	}
	resp, err := http.Get(addr + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", err, resp)
	}
	resp.Body.Close()
	// Without the code the password alone does not sign in.
	resp, err = http.Post(addr+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"admin","password":"`+password+`"}`))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("login without a code: %v %v", err, resp)
	}
	resp.Body.Close()
	code, err := auth.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	body := strings.NewReader(`{"username":"admin","password":"` + password + `","totp":"` + code + `"}`)
	resp, err = http.Post(addr+"/api/v1/auth/login", "application/json", body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("login with the printed password and code: %v %v", err, resp)
	}
	resp.Body.Close()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	// A second start keeps the data and does not print a new password.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel2()
	var out bytes.Buffer
	cli.Run(ctx2, []string{"serve", "--demo", "--data", dir, "--addr", "127.0.0.1:0"}, func(string) string { return "" }, strings.NewReader(""), &out, io.Discard)
	if strings.Contains(out.String(), "kata sandi") || strings.Contains(out.String(), "dimuat") {
		t.Fatalf("second start reloaded demo data or printed a password:\n%s", out.String())
	}
}
