// Package nik parses and validates Indonesian population identity numbers
// (NIK, Nomor Induk Kependudukan) and family card numbers (No. KK).
//
// Both are 16 digits: a 6-digit region code (province, regency/city,
// district), a DDMMYY date and a 4-digit serial. A NIK adds 40 to the day
// of birth for women. Neither has a check digit, and the century of the
// year is not encoded.
//
// Parse and ParseKK reject numbers that cannot be valid and do not
// allocate on success. Check adds warnings that need outside knowledge:
// the current region list, declared birth date and sex, and today's date.
//
// A NIK is personal data: problem messages never repeat the whole number,
// and NIK and KK values print and log in masked form (see Mask).
package nik

import (
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Length is the number of digits in a NIK or a KK number.
const Length = 16

// Severity tells whether a Problem makes a number invalid.
type Severity int

const (
	// Error marks a number that cannot be valid.
	Error Severity = iota
	// Warning marks a valid number that disagrees with other data.
	Warning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// Problem codes.
const (
	CodeLength            = "length"
	CodeDigits            = "digits"
	CodeProvince          = "province"
	CodeRegency           = "regency"
	CodeDay               = "day"
	CodeMonth             = "month"
	CodeSerial            = "serial"
	CodeDistrictUnknown   = "district_unknown"
	CodeBirthdateMismatch = "birthdate_mismatch"
	CodeSexMismatch       = "sex_mismatch"
	CodeFutureBirth       = "future_birth"
)

// Problem describes one thing wrong with a number. Message is a short
// English sentence that never contains the whole number.
type Problem struct {
	Code     string
	Severity Severity
	Message  string
}

// Error returns the message.
func (p Problem) Error() string { return p.Message }

// NIK is a parsed population identity number.
type NIK struct {
	// Raw is the 16-digit number as parsed, without surrounding spaces.
	Raw string
	// Province, Regency and District are the 2-digit codes of the
	// district where the person was first registered.
	Province, Regency, District string
	// Day is the day of birth with the +40 for women removed; Month is
	// 1-12 and YY is the two-digit year (0-99).
	Day, Month, YY int
	// Female is true when 40 was added to the day of birth.
	Female bool
	// Serial is the 4-digit serial number, from 1.
	Serial int
}

// DistrictCode returns the Kemendagri district code "PP.KK.CC".
func (n NIK) DistrictCode() string {
	return districtCode(n.Province, n.Regency, n.District)
}

// BirthDate returns the date of birth at midnight UTC, taking the latest
// year not after ref's year that ends in YY (people are assumed younger
// than 100). A 29 February in a resolved year that is not a leap year
// (1900, 2100) becomes 1 March.
func (n NIK) BirthDate(ref time.Time) time.Time {
	return resolveDate(n.Day, n.Month, n.YY, ref)
}

// Sex returns "P" (perempuan) for women and "L" (laki-laki) for men.
func (n NIK) Sex() string {
	if n.Female {
		return "P"
	}
	return "L"
}

// String returns the masked number, so that printing a NIK does not
// reveal it.
func (n NIK) String() string { return Mask(n.Raw) }

// LogValue returns the masked number for log/slog.
func (n NIK) LogValue() slog.Value { return slog.StringValue(Mask(n.Raw)) }

// Normalize removes leading and trailing white space. Inner spaces and
// other non-digits are kept, since Parse reports them as errors.
func Normalize(s string) string { return strings.TrimSpace(s) }

// Parse parses a NIK after removing surrounding white space. On failure
// it returns a *Problem with Severity Error and one of the codes
// "length", "digits", "province", "regency", "day", "month" or "serial".
func Parse(s string) (NIK, error) {
	s = Normalize(s)
	f, p := parseFields(s, "NIK", true)
	if p != nil {
		return NIK{}, p
	}
	return NIK{
		Raw:      s,
		Province: s[0:2],
		Regency:  s[2:4],
		District: s[4:6],
		Day:      f.day,
		Month:    f.month,
		YY:       f.yy,
		Female:   f.female,
		Serial:   f.serial,
	}, nil
}

// Declared holds what a record states besides the NIK, for Check.
type Declared struct {
	// BirthDate is the declared date of birth; the zero time means unknown.
	BirthDate time.Time
	// Sex is "L", "P" (either case) or "" for unknown; other values are
	// ignored.
	Sex string
	// DistrictKnown reports whether a "PP.KK.CC" district code is in the
	// current region list; nil skips the check.
	DistrictKnown func(code string) bool
	// Now is the current time; the zero time means time.Now().
	Now time.Time
}

// Check parses s and compares it with d. On a hard error it returns the
// zero NIK and that one problem. Otherwise it returns the NIK and any
// warnings: "district_unknown", "birthdate_mismatch", "sex_mismatch" and
// "future_birth". The problems are nil when all is well.
func Check(s string, d Declared) (NIK, []Problem) {
	n, err := Parse(s)
	if err != nil {
		return NIK{}, []Problem{*err.(*Problem)}
	}
	var ps []Problem
	if d.DistrictKnown != nil && !d.DistrictKnown(n.DistrictCode()) {
		ps = append(ps, Problem{
			Code:     CodeDistrictUnknown,
			Severity: Warning,
			Message:  "district code " + n.DistrictCode() + " is not in the current region list",
		})
	}
	if !d.BirthDate.IsZero() {
		y, m, day := d.BirthDate.Date()
		var parts []string
		if day != n.Day {
			parts = append(parts, "day")
		}
		if int(m) != n.Month {
			parts = append(parts, "month")
		}
		if mod100(y) != n.YY {
			parts = append(parts, "year")
		}
		if len(parts) > 0 {
			ps = append(ps, Problem{
				Code:     CodeBirthdateMismatch,
				Severity: Warning,
				Message:  "declared birth date differs from the NIK in " + strings.Join(parts, ", "),
			})
		}
	}
	if sex := strings.ToUpper(strings.TrimSpace(d.Sex)); (sex == "L" || sex == "P") && sex != n.Sex() {
		ps = append(ps, Problem{
			Code:     CodeSexMismatch,
			Severity: Warning,
			Message:  "declared sex " + sex + " differs from the NIK (" + n.Sex() + ")",
		})
	}
	now := d.Now
	if now.IsZero() {
		now = time.Now()
	}
	today := dateOf(now)
	switch {
	case n.BirthDate(now).After(today):
		ps = append(ps, Problem{
			Code:     CodeFutureBirth,
			Severity: Warning,
			Message:  "birth date in the NIK is later than today",
		})
	case !d.BirthDate.IsZero() && dateOf(d.BirthDate).After(today):
		ps = append(ps, Problem{
			Code:     CodeFutureBirth,
			Severity: Warning,
			Message:  "declared birth date is later than today",
		})
	}
	return n, ps
}

// Mask hides most of a number for display in lists. A 16-character value
// keeps its first 4 and last 2 characters ("3201**********01"); any other
// value keeps only its last 2. Surrounding white space is removed first.
func Mask(s string) string {
	s = Normalize(s)
	n := utf8.RuneCountInString(s)
	head := 0
	if n == Length {
		head = 4
	}
	var b strings.Builder
	b.Grow(len(s))
	i := 0
	for _, r := range s {
		if i < head || i >= n-2 {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
		i++
	}
	return b.String()
}

// fields holds the numeric parts shared by NIK and KK numbers.
type fields struct {
	day, month, yy, serial int
	female                 bool
}

// parseFields validates a trimmed 16-digit number. what names the kind of
// number in messages; women enables the +40 day rule of the NIK.
func parseFields(s, what string, women bool) (fields, *Problem) {
	if len(s) != Length {
		n := utf8.RuneCountInString(s)
		if n != Length {
			return fields{}, hardError(CodeLength, what+" has "+strconv.Itoa(n)+" characters, want 16")
		}
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			return fields{}, hardError(CodeDigits, what+" has a non-digit character at position "+strconv.Itoa(utf8.RuneCountInString(s[:i])+1))
		}
	}
	if s[0:2] == "00" {
		return fields{}, hardError(CodeProvince, "province code 00 is not valid")
	}
	if s[2:4] == "00" {
		return fields{}, hardError(CodeRegency, "regency code 00 is not valid")
	}
	var f fields
	f.day = num2(s[6:8])
	kind := "day of issue"
	if women {
		kind = "day of birth"
		if f.day > 40 {
			f.day -= 40
			f.female = true
		}
	}
	if f.day < 1 || f.day > 31 {
		return fields{}, hardError(CodeDay, "day "+s[6:8]+" is not a valid "+kind)
	}
	f.month = num2(s[8:10])
	if f.month < 1 || f.month > 12 {
		return fields{}, hardError(CodeMonth, "month "+s[8:10]+" is not a valid month")
	}
	f.yy = num2(s[10:12])
	if f.day > daysIn(f.month, f.yy) {
		return fields{}, hardError(CodeDay, "day "+strconv.Itoa(f.day)+" does not exist in month "+s[8:10]+" of a year ending in "+s[10:12])
	}
	f.serial = num2(s[12:14])*100 + num2(s[14:16])
	if f.serial == 0 {
		return fields{}, hardError(CodeSerial, "serial 0000 is not valid")
	}
	return f, nil
}

func hardError(code, msg string) *Problem {
	return &Problem{Code: code, Severity: Error, Message: msg}
}

// num2 converts two ASCII digits.
func num2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

// daysIn returns the number of days in month of a year ending in yy.
// February has 29 days when yy%4 == 0, since the century is unknown.
func daysIn(month, yy int) int {
	switch month {
	case 2:
		if yy%4 == 0 {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func districtCode(p, r, d string) string { return p + "." + r + "." + d }

// resolveDate returns the date at midnight UTC in the latest year not
// after ref's year that ends in yy.
func resolveDate(day, month, yy int, ref time.Time) time.Time {
	ry := ref.Year()
	y := ry - mod100(ry) + yy
	if y > ry {
		y -= 100
	}
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// dateOf returns t's calendar date in its own location at midnight UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func mod100(y int) int {
	m := y % 100
	if m < 0 {
		m += 100
	}
	return m
}
