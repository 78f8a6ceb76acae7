package nik

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// longestDigitRun returns the length of the longest run of ASCII digits in s.
func longestDigitRun(s string) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func checkMessage(t *testing.T, in, msg string) {
	t.Helper()
	raw := Normalize(in)
	if len(raw) >= 8 && strings.Contains(msg, raw) {
		t.Fatalf("message %q contains the input %q", msg, raw)
	}
	// No message may carry more than one 4-digit part of a number.
	if longestDigitRun(msg) > 4 {
		t.Fatalf("message %q contains a long digit run", msg)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"3171011203850002", "3201014508900001", "3201017112999999", "3201012902000001",
		" 3171011203850002 ", "317101120385000", "31710112038500021", "31710112038500A2",
		"3171011203 50002", "3171017203850002", "3171014003850002", "3171011213850002",
		"3171013002850002", "3171011203850000", "0071011203850002", "317101120385000２", "",
	} {
		f.Add(s)
	}
	now := time.Date(2026, time.March, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			p, ok := err.(*Problem)
			if !ok || p.Severity != Error || p.Code == "" {
				t.Fatalf("Parse(%q) error %#v", s, err)
			}
			checkMessage(t, s, p.Message)
		} else {
			if n.Raw != Normalize(s) || len(n.Raw) != Length {
				t.Fatalf("Parse(%q).Raw = %q", s, n.Raw)
			}
			day := n.Day
			if n.Female {
				day += 40
			}
			rebuilt := fmt.Sprintf("%s%s%s%02d%02d%02d%04d", n.Province, n.Regency, n.District, day, n.Month, n.YY, n.Serial)
			if rebuilt != n.Raw {
				t.Fatalf("Parse(%q) = %+v rebuilds as %q", s, n, rebuilt)
			}
			bd := n.BirthDate(now)
			if bd.Day() != n.Day && !(n.Month == 2 && n.Day == 29) {
				t.Fatalf("BirthDate(%q) = %s", s, bd)
			}
			if bd.Year() > now.Year() || bd.Year() <= now.Year()-100 {
				t.Fatalf("BirthDate(%q) = %s out of century", s, bd)
			}
		}

		_, ps := Check(s, Declared{
			BirthDate:     time.Date(2030, time.February, 3, 0, 0, 0, 0, time.UTC),
			Sex:           "P",
			DistrictKnown: func(string) bool { return false },
			Now:           now,
		})
		if (err != nil) != (len(ps) == 1 && ps[0].Severity == Error) {
			t.Fatalf("Check(%q) = %v disagrees with Parse error %v", s, ps, err)
		}
		for _, p := range ps {
			checkMessage(t, s, p.Message)
		}

		k, kerr := ParseKK(s)
		if kerr != nil {
			checkMessage(t, s, kerr.Error())
		} else {
			rebuilt := fmt.Sprintf("%s%s%s%02d%02d%02d%04d", k.Province, k.Regency, k.District, k.Day, k.Month, k.YY, k.Serial)
			if rebuilt != k.Raw {
				t.Fatalf("ParseKK(%q) = %+v rebuilds as %q", s, k, rebuilt)
			}
		}

		raw := []rune(Normalize(s))
		m := []rune(Mask(s))
		if len(m) != len(raw) {
			t.Fatalf("Mask(%q) = %q changes the length", s, string(m))
		}
		head := 0
		if len(raw) == Length {
			head = 4
		}
		for i := range m {
			if i >= head && i < len(m)-2 && m[i] != '*' {
				t.Fatalf("Mask(%q) = %q reveals position %d", s, string(m), i)
			}
		}
	})
}
