package httpx

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddr(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.10 ,2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		trusted TrustedProxies
		peer    string
		xff     []string
		want    string
	}{
		{nil, "198.51.100.7:5000", []string{"203.0.113.9"}, "198.51.100.7"},                   // no proxy trusted: the header is ignored
		{trusted, "198.51.100.7:5000", []string{"203.0.113.9"}, "198.51.100.7"},               // an untrusted peer's header is ignored
		{trusted, "10.1.2.3:5000", nil, "10.1.2.3"},                                           // a trusted peer without the header
		{trusted, "10.1.2.3:5000", []string{"203.0.113.9"}, "203.0.113.9"},                    // one proxy
		{trusted, "10.1.2.3:5000", []string{"1.1.1.1, 203.0.113.9"}, "203.0.113.9"},           // the client forged an entry at the left
		{trusted, "10.1.2.3:5000", []string{"1.1.1.1, 203.0.113.9, 10.9.9.9"}, "203.0.113.9"}, // two proxies
		{trusted, "10.1.2.3:5000", []string{"1.1.1.1", "203.0.113.9, 192.0.2.10"}, "203.0.113.9"},
		{trusted, "10.1.2.3:5000", []string{"10.4.4.4, 10.5.5.5"}, "10.4.4.4"}, // all trusted: the left-most
		{trusted, "10.1.2.3:5000", []string{"bogus, 203.0.113.9"}, "203.0.113.9"},
		{trusted, "10.1.2.3:5000", []string{"203.0.113.9, bogus"}, "10.1.2.3"}, // the first proxy's entry is malformed
		{trusted, "[2001:db8::1]:5000", []string{"2001:db9::5"}, "2001:db9::5"},
		{trusted, "[::ffff:10.1.2.3]:5000", []string{"203.0.113.9"}, "203.0.113.9"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := c.trusted.ClientAddr(r); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0.0/8;rm"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
