package nik

import (
	"log/slog"
	"time"
)

// KK is a parsed family card number (Nomor Kartu Keluarga).
type KK struct {
	// Raw is the 16-digit number as parsed, without surrounding spaces.
	Raw string
	// Province, Regency and District are the 2-digit codes of the
	// district that issued the card.
	Province, Regency, District string
	// Day, Month and YY give the date of issue; YY is the two-digit year.
	Day, Month, YY int
	// Serial is the 4-digit serial number, from 1.
	Serial int
}

// DistrictCode returns the Kemendagri district code "PP.KK.CC".
func (k KK) DistrictCode() string {
	return districtCode(k.Province, k.Regency, k.District)
}

// IssueDate returns the date of issue at midnight UTC, resolving the
// century as NIK.BirthDate does.
func (k KK) IssueDate(ref time.Time) time.Time {
	return resolveDate(k.Day, k.Month, k.YY, ref)
}

// String returns the masked number, so that printing a KK does not
// reveal it.
func (k KK) String() string { return Mask(k.Raw) }

// LogValue returns the masked number for log/slog.
func (k KK) LogValue() slog.Value { return slog.StringValue(Mask(k.Raw)) }

// ParseKK parses a family card number after removing surrounding white
// space. It reports the same hard errors as Parse, except that the day of
// issue has no +40 rule and must be 1-31.
func ParseKK(s string) (KK, error) {
	s = Normalize(s)
	f, p := parseFields(s, "KK number", false)
	if p != nil {
		return KK{}, p
	}
	return KK{
		Raw:      s,
		Province: s[0:2],
		Regency:  s[2:4],
		District: s[4:6],
		Day:      f.day,
		Month:    f.month,
		YY:       f.yy,
		Serial:   f.serial,
	}, nil
}
