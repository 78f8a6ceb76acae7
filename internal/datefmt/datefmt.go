// Package datefmt writes dates and payment periods for people to read, in
// Bahasa Indonesia ("27 November 2026", "Triwulan 1 2026") or English
// ("27 November 2026", "Quarter 1 2026"). Pages use it instead of ISO
// dates; APIs keep ISO dates and period codes.
package datefmt

import (
	"strconv"
	"strings"
	"time"
)

var months = map[string][12]string{
	"id": {"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// WIB is Western Indonesia Time, the zone times are shown in.
var WIB = time.FixedZone("WIB", 7*3600)

func monthName(lang string, m time.Month) string {
	names, ok := months[lang]
	if !ok {
		names = months["id"]
	}
	return names[m-1]
}

// Date writes t's calendar date: "27 November 2026". The zero time is "".
func Date(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.Itoa(t.Day()) + " " + monthName(lang, t.Month()) + " " + strconv.Itoa(t.Year())
}

// DateString writes a YYYY-MM-DD date as Date does; other text is
// returned unchanged.
func DateString(lang, s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return Date(lang, t)
}

// DateTime writes an instant in WIB: "27 November 2026 14:05 WIB".
func DateTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(WIB)
	return Date(lang, t) + " " + t.Format("15:04") + " WIB"
}

// Period writes a payment period code of internal/program's calendars
// (program.CadencePeriods) in words: "2026-01" is "Januari 2026",
// "2026-B1" (two months) "Januari–Februari 2026", "2026-Q1" "Triwulan 1
// 2026", "2026" "Tahun 2026". A code of another form (a calendar may list
// its own periods) is returned unchanged.
func Period(lang, code string) string {
	year, rest, found := strings.Cut(code, "-")
	if _, err := strconv.Atoi(year); err != nil || len(year) != 4 {
		return code
	}
	if !found {
		if lang == "en" {
			return "Year " + year
		}
		return "Tahun " + year
	}
	num := func(s string, lo, hi int) (int, bool) {
		n, err := strconv.Atoi(s)
		return n, err == nil && n >= lo && n <= hi && strconv.Itoa(n) == strings.TrimLeft(s, "0")
	}
	switch {
	case len(rest) == 2 && rest[0] != 'B' && rest[0] != 'Q':
		if m, ok := num(rest, 1, 12); ok {
			return monthName(lang, time.Month(m)) + " " + year
		}
	case len(rest) == 2 && rest[0] == 'B':
		if b, ok := num(rest[1:], 1, 6); ok {
			first := time.Month(2*b - 1)
			return monthName(lang, first) + "–" + monthName(lang, first+1) + " " + year
		}
	case len(rest) == 2 && rest[0] == 'Q':
		if q, ok := num(rest[1:], 1, 4); ok {
			if lang == "en" {
				return "Quarter " + rest[1:] + " " + year
			}
			return "Triwulan " + strconv.Itoa(q) + " " + year
		}
	}
	return code
}
