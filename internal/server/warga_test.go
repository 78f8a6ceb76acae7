package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/server"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

const (
	wgNIK  = "3204285507900002"
	wgKK   = "3204281506100099"
	wgName = "SITI AMINAH"
	wgPass = "kata-sandi-warga-1"
)

// wgForm is a registration form; files maps a field to its content.
func wgForm(fields map[string]string, files map[string][]byte) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for k, v := range files {
		fw, _ := mw.CreateFormFile(k, k+".jpg")
		_, _ = fw.Write(v)
	}
	_ = mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func wgFields(nikv string) map[string]string {
	return map[string]string{"nik": nikv, "kk": wgKK, "name": wgName, "village": villageA, "phone": "081234567890", "password": wgPass}
}

func wgSend(t *testing.T, e *env, method, path, ctype string, body []byte, session, csrf string) response {
	t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: session})
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func wgLogin(t *testing.T, e *env, user, pass string) (string, string) {
	t.Helper()
	r := e.do(t, "POST", "/api/v1/auth/login", loginBody(user, pass, ""), "", "")
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &out) != nil {
		t.Fatalf("sign in: %d %s", r.Status, r.Body)
	}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == api.SessionCookie {
			return c.Value, out.CSRF
		}
	}
	t.Fatal("no session cookie")
	return "", ""
}

// TestCitizenThroughTheAPI: a resident registers, signs in with the NIK,
// reads their status and notifications; an operator rejects with a
// reason; refusals for a second account, photos that are not images and
// oversized uploads; and nothing personal in the logs, the logging
// sender's lines included.
func TestCitizenThroughTheAPI(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		logs := &logBuffer{}
		logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		prev := slog.Default()
		slog.SetDefault(logger)
		t.Cleanup(func() { slog.SetDefault(prev) })
		var a *auth.Service
		sender := notify.New(db, notify.LogSender{Logger: logger})
		e := newEnv(t, db, func(d *server.Deps) { d.Logger, a, d.Notify = logger, d.Auth, sender })
		photo := mxJPEG()

		ct, body := wgForm(wgFields(wgNIK), map[string][]byte{"ktp": photo, "selfie": photo})
		r := wgSend(t, e, "POST", "/api/v1/citizens/register", ct, body, "", "")
		var acc struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &acc) != nil || acc.Status != "menunggu" {
			t.Fatalf("register: %d %s", r.Status, r.Body)
		}
		// One account per NIK.
		f := wgFields(wgNIK)
		f["phone"] = "081300000001"
		ct, body = wgForm(f, map[string][]byte{"ktp": photo, "selfie": photo})
		if r := wgSend(t, e, "POST", "/api/v1/citizens/register", ct, body, "", ""); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "satu NIK satu akun") {
			t.Fatalf("second account: %d %s", r.Status, r.Body)
		}
		// Text that claims to be a JPEG, a bad NIK and KK: every field named.
		f = wgFields("3204281205800")
		f["kk"] = "1234"
		ct, body = wgForm(f, map[string][]byte{"ktp": []byte("\xff\xd8\xff\xe0 ini teks, bukan foto"), "selfie": photo})
		r = wgSend(t, e, "POST", "/api/v1/citizens/register", ct, body, "", "")
		for _, want := range []string{`"field":"nik"`, `"field":"kk"`, `"field":"ktp"`} {
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), want) {
				t.Errorf("bad fields: %d %s lacks %s", r.Status, r.Body, want)
			}
		}
		// A photo over 5 MB is named; a body over the route's limit is refused whole.
		big := append(append([]byte{}, photo...), make([]byte, citizen.MaxPhotoBytes)...)
		ct, body = wgForm(wgFields("3204286607950003"), map[string][]byte{"ktp": big, "selfie": photo})
		if r := wgSend(t, e, "POST", "/api/v1/citizens/register", ct, body, "", ""); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "paling besar") {
			t.Fatalf("oversized photo: %d %s", r.Status, r.Body)
		}
		ct, body = wgForm(wgFields("3204286607950003"), map[string][]byte{"ktp": big, "selfie": big, "lagi": big})
		if r := wgSend(t, e, "POST", "/api/v1/citizens/register", ct, body, "", ""); r.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("oversized body: %d %.300s", r.Status, r.Body)
		}

		// The citizen signs in with the NIK.
		sess, csrf := wgLogin(t, e, wgNIK, wgPass)
		r = e.do(t, "GET", "/api/v1/me/citizen", "", sess, "")
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"status":"menunggu"`) || !strings.Contains(string(r.Body), wgNIK) {
			t.Fatalf("my account: %d %s", r.Status, r.Body)
		}
		if r := e.do(t, "GET", "/api/v1/citizens", "", sess, ""); r.Status != http.StatusForbidden {
			t.Fatalf("a citizen reads the queue: %d", r.Status)
		}
		if r := e.do(t, "GET", "/", "", sess, ""); r.Status != http.StatusForbidden {
			t.Fatalf("a citizen on the back office's home: %d", r.Status)
		}

		// The village operator rejects with a published reason.
		if _, err := a.CreateUser(context.Background(), "operator", "sandi-operator-desa-1", "desa", villageA); err != nil {
			t.Fatal(err)
		}
		op, opCSRF := wgLogin(t, e, "operator", "sandi-operator-desa-1")
		r = e.do(t, "GET", "/api/v1/citizens", "", op, "")
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), wgName) || strings.Contains(string(r.Body), wgNIK) {
			t.Fatalf("queue: %d %s", r.Status, r.Body)
		}
		id := strconv.FormatInt(acc.ID, 10)
		r = e.do(t, "GET", "/api/v1/citizens/"+id+"/photos/ktp", "", op, "")
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/jpeg" || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("photo: %d %v", r.Status, r.Header)
		}
		if r := e.do(t, "GET", "/verifikasi-warga/"+id, "", op, ""); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "/verifikasi-warga/"+id+"/foto/swafoto") {
			t.Fatalf("review page: %d", r.Status)
		}
		if r := e.do(t, "POST", "/api/v1/citizens/"+id+"/reject", `{"reason":"alasan lain"}`, op, opCSRF); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("reject without a published reason: %d %s", r.Status, r.Body)
		}
		if r := e.do(t, "POST", "/api/v1/citizens/"+id+"/reject", `{"reason":"tanpa_swafoto_ktp","note":"Swafoto tanpa KTP."}`, op, opCSRF); r.Status != http.StatusOK {
			t.Fatalf("reject: %d %s", r.Status, r.Body)
		}
		r = e.do(t, "GET", "/api/v1/me/notifications", "", sess, "")
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "Akun Anda ditolak") || !strings.Contains(string(r.Body), `"unread":2`) {
			t.Fatalf("notifications: %d %s", r.Status, r.Body)
		}
		if r := e.do(t, "POST", "/api/v1/me/notifications/read", `{"ids":[]}`, sess, csrf); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"marked":2`) {
			t.Fatalf("mark read: %d %s", r.Status, r.Body)
		}

		// The server's runner delivers through the logging sender.
		runner := jobs.New(db, jobs.Options{Logger: logger})
		sender.Register(runner)
		list, err := runner.List(context.Background(), jobs.ListOptions{Kind: notify.JobKind})
		if err != nil || len(list) == 0 {
			t.Fatalf("delivery jobs: %v %v", list, err)
		}
		for _, j := range list {
			if in, err := runner.RunNow(context.Background(), j.ID); err != nil || in.State != jobs.Done {
				t.Fatalf("delivery: %+v %v", in, err)
			}
		}
		out := logs.String()
		if !strings.Contains(out, `"msg":"notify: sent"`) {
			t.Fatal("the logging sender logged nothing")
		}
		digits := regexp.MustCompile(`[0-9]{12,}`)
		for _, line := range strings.Split(out, "\n") {
			if m := digits.FindString(line); m != "" {
				t.Errorf("a run of %d digits in the logs: %.300s", len(m), line)
			}
			for _, bad := range []string{wgName, "AMINAH", wgPass, "Swafoto tanpa KTP", "081234567890", "+6281234567890", "Akun Anda ditolak"} {
				if strings.Contains(strings.ToUpper(line), strings.ToUpper(bad)) {
					t.Errorf("%q in the logs: %.300s", bad, line)
				}
			}
		}
	})
}

// TestRegistrationRateLimit: past the burst, one address is refused with 429.
func TestRegistrationRateLimit(t *testing.T) {
	db := storetest.OpenSQLite(t)
	e := newEnv(t, db, func(d *server.Deps) { d.CitizenLimit = citizen.NewLimiter(time.Hour, 2) })
	for i, want := range []int{http.StatusUnprocessableEntity, http.StatusUnprocessableEntity, http.StatusTooManyRequests} {
		ct, body := wgForm(map[string]string{"nik": "1"}, nil)
		r := wgSend(t, e, "POST", "/api/v1/citizens/register", ct, body, "", "")
		if r.Status != want {
			t.Fatalf("registration %d: %d, want %d", i+1, r.Status, want)
		}
		if want == http.StatusTooManyRequests && r.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
}
