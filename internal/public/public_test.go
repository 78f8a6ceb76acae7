package public

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// serve sends one request to the site's routes, as the server's mux would.
func serve(t *testing.T, s *Site, req *http.Request) *http.Response {
	t.Helper()
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		mux.HandleFunc(rt.Method+" "+rt.Pattern, rt.Handler)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHomeInBothLanguages(t *testing.T) {
	s := New(Deps{})
	res := serve(t, s, httptest.NewRequest("GET", "/publik", nil))
	page := body(t, res)
	if res.StatusCode != 200 || !strings.Contains(page, `<html lang="id">`) || !strings.Contains(page, "Layanan publik bantuan sosial") {
		t.Fatalf("home: %d\n%s", res.StatusCode, page)
	}
	if len(page) > 100<<10 {
		t.Errorf("home is %d bytes", len(page))
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "style=") {
		t.Error("inline script or style on the home page")
	}
	req := httptest.NewRequest("GET", "/publik", nil)
	req.AddCookie(&http.Cookie{Name: LangCookie, Value: "en"})
	if page := body(t, serve(t, s, req)); !strings.Contains(page, `<html lang="en">`) || !strings.Contains(page, "Social assistance public services") {
		t.Fatalf("English home:\n%s", page)
	}
}

func TestLanguageSwitch(t *testing.T) {
	s := New(Deps{})
	res := serve(t, s, httptest.NewRequest("GET", "/publik/bahasa?ke=en&kembali=/cek-bansos", nil))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/cek-bansos" {
		t.Fatalf("switch: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if c := res.Cookies(); len(c) != 1 || c[0].Name != LangCookie || c[0].Value != "en" {
		t.Fatalf("cookie: %v", c)
	}
	for _, back := range []string{"//evil.example", "https://evil.example/", "/x?nik=3204281205800011", "/a\\b"} {
		res := serve(t, s, httptest.NewRequest("GET", "/publik/bahasa?ke=en&kembali="+strings.ReplaceAll(back, "?", "%3F"), nil))
		if res.Header.Get("Location") != "/publik" {
			t.Errorf("return %q: went to %s", back, res.Header.Get("Location"))
		}
	}
}

func TestStaticFiles(t *testing.T) {
	s := New(Deps{})
	res := serve(t, s, httptest.NewRequest("GET", staticURL("publik.css"), nil))
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") ||
		!strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("css: %d %v", res.StatusCode, res.Header)
	}
	if res := serve(t, s, httptest.NewRequest("GET", "/publik/static/tidak-ada.js", nil)); res.StatusCode != 404 {
		t.Fatalf("missing file: %d", res.StatusCode)
	}
}
