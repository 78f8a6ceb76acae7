package nik

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want NIK
	}{
		{"male", "3171011203850002", NIK{Raw: "3171011203850002", Province: "31", Regency: "71", District: "01", Day: 12, Month: 3, YY: 85, Serial: 2}},
		{"female", "3201014508900001", NIK{Raw: "3201014508900001", Province: "32", Regency: "01", District: "01", Day: 5, Month: 8, YY: 90, Female: true, Serial: 1}},
		{"female day 71", "3201017112999999", NIK{Raw: "3201017112999999", Province: "32", Regency: "01", District: "01", Day: 31, Month: 12, YY: 99, Female: true, Serial: 9999}},
		{"female day 41", "3201014101001234", NIK{Raw: "3201014101001234", Province: "32", Regency: "01", District: "01", Day: 1, Month: 1, YY: 0, Female: true, Serial: 1234}},
		{"29 Feb year 00", "3201012902000001", NIK{Raw: "3201012902000001", Province: "32", Regency: "01", District: "01", Day: 29, Month: 2, YY: 0, Serial: 1}},
		{"29 Feb female year 96", "3201016902960001", NIK{Raw: "3201016902960001", Province: "32", Regency: "01", District: "01", Day: 29, Month: 2, YY: 96, Female: true, Serial: 1}},
		{"district 00 allowed", "3201000101010001", NIK{Raw: "3201000101010001", Province: "32", Regency: "01", District: "00", Day: 1, Month: 1, YY: 1, Serial: 1}},
		{"surrounding spaces", " \t3171011203850002\r\n", NIK{Raw: "3171011203850002", Province: "31", Regency: "71", District: "01", Day: 12, Month: 3, YY: 85, Serial: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got != tt.want {
				t.Errorf("Parse = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestNIKMethods(t *testing.T) {
	n, err := Parse("3201014508900001")
	if err != nil {
		t.Fatal(err)
	}
	if got := n.DistrictCode(); got != "32.01.01" {
		t.Errorf("DistrictCode = %q", got)
	}
	if got := n.Sex(); got != "P" {
		t.Errorf("Sex = %q, want P", got)
	}
	m, _ := Parse("3171011203850002")
	if got := m.Sex(); got != "L" {
		t.Errorf("Sex = %q, want L", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, code string
	}{
		{"empty", "", CodeLength},
		{"spaces only", "   ", CodeLength},
		{"15 digits", "317101120385000", CodeLength},
		{"17 digits", "31710112038500021", CodeLength},
		{"letter", "31710112038500A2", CodeDigits},
		{"inner space", "3171011203 50002", CodeDigits},
		{"sign", "-171011203850002", CodeDigits},
		{"full-width digit", "317101120385000２", CodeDigits},
		{"province 00", "0071011203850002", CodeProvince},
		{"regency 00", "3100011203850002", CodeRegency},
		{"day 32", "3171013203850002", CodeDay},
		{"day 72", "3171017203850002", CodeDay},
		{"day 00", "3171010003850002", CodeDay},
		{"day 40", "3171014003850002", CodeDay},
		{"day 99", "3171019903850002", CodeDay},
		{"month 13", "3171011213850002", CodeMonth},
		{"month 00", "3171011200850002", CodeMonth},
		{"30 Feb", "3171013002850002", CodeDay},
		{"30 Feb female", "3171017002850002", CodeDay},
		{"29 Feb year 85", "3171012902850002", CodeDay},
		{"31 Apr", "3171013104850002", CodeDay},
		{"31 Nov female", "3171017111850002", CodeDay},
		{"serial 0000", "3171011203850000", CodeSerial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error %s", tt.in, n, tt.code)
			}
			if n != (NIK{}) {
				t.Errorf("Parse returned non-zero NIK on error")
			}
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("error %T is not a *Problem", err)
			}
			if p.Code != tt.code || p.Severity != Error {
				t.Errorf("problem = %s/%v (%q), want %s/error", p.Code, p.Severity, p.Message, tt.code)
			}
			if p.Message == "" || err.Error() != p.Message {
				t.Errorf("Error() = %q, Message = %q", err.Error(), p.Message)
			}
			if raw := Normalize(tt.in); len(raw) >= 8 && strings.Contains(p.Message, raw) {
				t.Errorf("message %q contains the input", p.Message)
			}
		})
	}
}

func TestParseMessages(t *testing.T) {
	tests := []struct{ in, want string }{
		{"317101120385000", "NIK has 15 characters, want 16"},
		{"31710112038500A2", "NIK has a non-digit character at position 15"},
		{"3171017203850002", "day 72 is not a valid day of birth"},
		{"3171011213850002", "month 13 is not a valid month"},
		{"3171013002850002", "day 30 does not exist in month 02 of a year ending in 85"},
		{"3171011203850000", "serial 0000 is not valid"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestParseNoAlloc(t *testing.T) {
	in := " 3201014508900001 "
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := Parse(in); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Parse allocates %v times, want 0", allocs)
	}
}

func TestBirthDate(t *testing.T) {
	ref := date(2026, time.May, 1)
	tests := []struct {
		in   string
		ref  time.Time
		want time.Time
	}{
		{"3171011203850002", ref, date(1985, time.March, 12)},
		{"3201014508900001", ref, date(1990, time.August, 5)},
		{"3171011203260002", ref, date(2026, time.March, 12)},
		{"3171011212260002", ref, date(2026, time.December, 12)}, // later this year: still 2026
		{"3171011203270002", ref, date(1927, time.March, 12)},
		{"3171011203000002", ref, date(2000, time.March, 12)},
		{"3171011203010002", date(2000, time.January, 1), date(1901, time.March, 12)},
		{"3171011203990002", date(2000, time.January, 1), date(1999, time.March, 12)},
		{"3171011203000002", date(2000, time.January, 1), date(2000, time.March, 12)},
		{"3171012902000002", ref, date(2000, time.February, 29)},
	}
	for _, tt := range tests {
		n, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if got := n.BirthDate(tt.ref); !got.Equal(tt.want) {
			t.Errorf("%s BirthDate(%s) = %s, want %s", tt.in, tt.ref.Format(time.DateOnly), got.Format(time.DateOnly), tt.want.Format(time.DateOnly))
		}
	}
}

func TestCheck(t *testing.T) {
	now := date(2026, time.March, 1)
	known := func(code string) bool { return code == "31.71.01" || code == "32.01.01" }
	tests := []struct {
		name  string
		in    string
		d     Declared
		codes []string
	}{
		{"clean", "3171011203850002", Declared{BirthDate: date(1985, time.March, 12), Sex: "L", DistrictKnown: known, Now: now}, nil},
		{"clean female", "3201014508900001", Declared{BirthDate: date(1990, time.August, 5), Sex: "P", DistrictKnown: known, Now: now}, nil},
		{"nothing declared", "3171011203850002", Declared{Now: now}, nil},
		{"lower-case sex", "3201014508900001", Declared{Sex: "p", Now: now}, nil},
		{"unrecognised sex ignored", "3201014508900001", Declared{Sex: "X", Now: now}, nil},
		{"district unknown", "9999011203850002", Declared{DistrictKnown: known, Now: now}, []string{CodeDistrictUnknown}},
		{"day mismatch", "3171011203850002", Declared{BirthDate: date(1985, time.March, 13), Now: now}, []string{CodeBirthdateMismatch}},
		{"month mismatch", "3171011203850002", Declared{BirthDate: date(1985, time.April, 12), Now: now}, []string{CodeBirthdateMismatch}},
		{"year mismatch", "3171011203850002", Declared{BirthDate: date(1986, time.March, 12), Now: now}, []string{CodeBirthdateMismatch}},
		{"other century agrees", "3171011203850002", Declared{BirthDate: date(1885, time.March, 12), Now: now}, nil},
		{"sex mismatch female", "3201014508900001", Declared{Sex: "L", Now: now}, []string{CodeSexMismatch}},
		{"sex mismatch male", "3171011203850002", Declared{Sex: "P", Now: now}, []string{CodeSexMismatch}},
		{"future encoded date", "3171011512260002", Declared{Now: now}, []string{CodeFutureBirth}},
		{"born today", "3171010103260002", Declared{Now: now}, nil},
		{"born tomorrow", "3171010203260002", Declared{Now: now}, []string{CodeFutureBirth}},
		{"declared 2060", "3171011203600002", Declared{BirthDate: date(2060, time.March, 12), Now: now}, []string{CodeFutureBirth}},
		{"all warnings", "9999014508900001", Declared{BirthDate: date(2090, time.August, 6), Sex: "L", DistrictKnown: known, Now: now},
			[]string{CodeDistrictUnknown, CodeBirthdateMismatch, CodeSexMismatch, CodeFutureBirth}},
		{"hard error only", "9999017203850002", Declared{BirthDate: date(2090, time.August, 6), Sex: "P", DistrictKnown: known, Now: now}, []string{CodeDay}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ps := Check(tt.in, tt.d)
			var codes []string
			for _, p := range ps {
				codes = append(codes, p.Code)
				wantSev := Warning
				if len(tt.codes) == 1 && (tt.codes[0] == CodeDay) {
					wantSev = Error
				}
				if p.Severity != wantSev {
					t.Errorf("%s severity = %v, want %v", p.Code, p.Severity, wantSev)
				}
				if p.Message == "" || strings.Contains(p.Message, Normalize(tt.in)) {
					t.Errorf("bad message %q", p.Message)
				}
			}
			if fmt.Sprint(codes) != fmt.Sprint(tt.codes) {
				t.Errorf("codes = %v, want %v (%v)", codes, tt.codes, ps)
			}
			hard := len(ps) == 1 && ps[0].Severity == Error
			if hard != (n == NIK{}) {
				t.Errorf("NIK = %+v with problems %v", n, ps)
			}
		})
	}
}

func TestCheckDefaultNow(t *testing.T) {
	// A NIK from the 1980s is never in the future.
	if _, ps := Check("3171011203850002", Declared{}); ps != nil {
		t.Errorf("Check = %v, want no problems", ps)
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"3201014508900001", "3201**********01"},
		{" 3201014508900001 ", "3201**********01"},
		{"32010145089000AB", "3201**********AB"},
		{"320101450890001", "*************01"},
		{"32010145089000012", "***************12"},
		{"123", "*23"},
		{"12", "12"},
		{"", ""},
		{"317101120385000２", "3171**********0２"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPrintingMasks(t *testing.T) {
	raw := "3201014508900001"
	n, _ := Parse(raw)
	k, _ := ParseKK(raw)
	for _, s := range []string{fmt.Sprint(n), fmt.Sprintf("%v %+v %s", n, n, n), fmt.Sprint(k), fmt.Sprintf("%+v", k)} {
		if strings.Contains(s, raw) {
			t.Errorf("printed value %q contains the number", s)
		}
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("x", "nik", n, "kk", k)
	if strings.Contains(buf.String(), raw) || !strings.Contains(buf.String(), "3201**********01") {
		t.Errorf("log = %s", buf.String())
	}
}

func TestSeverityString(t *testing.T) {
	if Error.String() != "error" || Warning.String() != "warning" || Severity(7).String() != "severity(7)" {
		t.Error("Severity.String")
	}
}

func TestNormalize(t *testing.T) {
	if got := Normalize(" \t3201 0145\u00a0"); got != "3201 0145" {
		t.Errorf("Normalize = %q", got)
	}
}

func TestParseKK(t *testing.T) {
	k, err := ParseKK(" 3201012005150003 ")
	if err != nil {
		t.Fatal(err)
	}
	want := KK{Raw: "3201012005150003", Province: "32", Regency: "01", District: "01", Day: 20, Month: 5, YY: 15, Serial: 3}
	if k != want {
		t.Errorf("ParseKK = %+v, want %+v", k, want)
	}
	if got := k.DistrictCode(); got != "32.01.01" {
		t.Errorf("DistrictCode = %q", got)
	}
	if got := k.IssueDate(date(2026, time.January, 1)); !got.Equal(date(2015, time.May, 20)) {
		t.Errorf("IssueDate = %s", got)
	}
	if _, err := ParseKK("3201012902160001"); err != nil {
		t.Errorf("29 Feb 16: %v", err)
	}

	errs := []struct{ name, in, code string }{
		{"15 digits", "320101200515000", CodeLength},
		{"17 digits", "32010120051500031", CodeLength},
		{"letter", "3201012005150O03", CodeDigits},
		{"inner space", "320101 005150003", CodeDigits},
		{"province 00", "0001012005150003", CodeProvince},
		{"regency 00", "3200012005150003", CodeRegency},
		{"day 00", "3201010005150003", CodeDay},
		{"day 32", "3201013205150003", CodeDay},
		{"no +40 rule", "3201016005150003", CodeDay},
		{"month 13", "3201012013150003", CodeMonth},
		{"month 00", "3201012000150003", CodeMonth},
		{"30 Feb", "3201013002150003", CodeDay},
		{"29 Feb 15", "3201012902150003", CodeDay},
		{"serial 0000", "3201012005150000", CodeSerial},
	}
	for _, tt := range errs {
		k, err := ParseKK(tt.in)
		var p *Problem
		if !errors.As(err, &p) {
			t.Errorf("%s: ParseKK = %+v, %v; want *Problem", tt.name, k, err)
			continue
		}
		if p.Code != tt.code || p.Severity != Error || strings.Contains(p.Message, tt.in) {
			t.Errorf("%s: problem %+v, want code %s", tt.name, *p, tt.code)
		}
	}
	if _, err := ParseKK("3201016005150003"); err == nil || err.Error() != "day 60 is not a valid day of issue" {
		t.Errorf("ParseKK day 60 error = %v", err)
	}
}

var sinkNIK NIK

func BenchmarkParse(b *testing.B) {
	inputs := []string{"3171011203850002", "3201014508900001", " 3201017112999999 ", "3201012902000001"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		n, err := Parse(inputs[i&3])
		if err != nil {
			b.Fatal(err)
		}
		sinkNIK = n
		i++
	}
}

func BenchmarkParseInvalid(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("3171017203850002"); err == nil {
			b.Fatal("no error")
		}
	}
}
