package datefmt_test

import (
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/datefmt"
	"github.com/kemensos/jaring/internal/program"
)

func TestDate(t *testing.T) {
	d := time.Date(2026, 11, 27, 20, 5, 0, 0, time.UTC)
	for _, c := range []struct{ lang, got, want string }{
		{"id", datefmt.Date("id", d), "27 November 2026"},
		{"en", datefmt.Date("en", d), "27 November 2026"},
		{"id", datefmt.DateString("id", "2026-03-01"), "1 Maret 2026"},
		{"en", datefmt.DateString("en", "2026-03-01"), "1 March 2026"},
		{"id", datefmt.DateString("id", "bukan tanggal"), "bukan tanggal"},
		// 20:05 UTC is 03:05 the next day in WIB.
		{"id", datefmt.DateTime("id", d), "28 November 2026 03:05 WIB"},
		{"en", datefmt.DateTime("en", time.Date(2026, 8, 17, 1, 0, 0, 0, time.UTC)), "17 August 2026 08:00 WIB"},
		{"id", datefmt.Date("id", time.Time{}), ""},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.lang, c.got, c.want)
		}
	}
}

func TestPeriod(t *testing.T) {
	for _, c := range []struct{ lang, code, want string }{
		{"id", "2026-Q1", "Triwulan 1 2026"},
		{"en", "2026-Q4", "Quarter 4 2026"},
		{"id", "2026-B1", "Januari–Februari 2026"},
		{"id", "2026-B6", "November–Desember 2026"},
		{"en", "2026-B3", "May–June 2026"},
		{"id", "2026-01", "Januari 2026"},
		{"en", "2026-12", "December 2026"},
		{"id", "2026", "Tahun 2026"},
		{"en", "2026", "Year 2026"},
		// Not a cadence code: as it is.
		{"id", "2026-13", "2026-13"},
		{"id", "2026-Q5", "2026-Q5"},
		{"id", "2026-B7", "2026-B7"},
		{"id", "2026-1", "2026-1"},
		{"id", "musim-hujan", "musim-hujan"},
		{"id", "", ""},
	} {
		if got := datefmt.Period(c.lang, c.code); got != c.want {
			t.Errorf("Period(%s, %q) = %q, want %q", c.lang, c.code, got, c.want)
		}
	}
}

// Every code the program calendars make is written in words, and the
// months named are the period's own.
func TestPeriodCoversCalendars(t *testing.T) {
	for _, cadence := range []string{"monthly", "bimonthly", "quarterly", "yearly"} {
		ps, err := program.CadencePeriods(cadence, 2027)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			got := datefmt.Period("id", p.Code)
			if got == p.Code {
				t.Errorf("%s period %s is not written in words", cadence, p.Code)
			}
			if cadence == "monthly" || cadence == "bimonthly" {
				first := datefmt.DateString("id", p.Start) // "1 Maret 2027"
				month := first[len("1 ") : len(first)-len(" 2027")]
				if got[:len(month)] != month {
					t.Errorf("%s period %s: %q does not start with %s", cadence, p.Code, got, month)
				}
			}
		}
	}
}
