// Package region holds Indonesia's administrative regions as coded by the
// Ministry of Home Affairs (Kemendagri): code helpers, the CSV reader for the
// official list, an idempotent importer into the regions table and the
// queries the rest of Jaring needs.
//
// A region code is dotted, with fixed-width parts:
//
//	PP             province (provinsi)
//	PP.KK          regency (kabupaten, KK 01-69) or city (kota, KK 71-99)
//	PP.KK.CC       district (kecamatan)
//	PP.KK.CC.DDDD  village: first digit 1 kelurahan, 2 desa, 3 desa adat
//
// Because every part has a fixed width, byte order of codes is hierarchical
// order: a region sorts right before its descendants.
package region

import (
	"fmt"
	"strings"
)

// Levels of the hierarchy.
const (
	LevelProvince = 1
	LevelRegency  = 2
	LevelDistrict = 3
	LevelVillage  = 4
)

// Kinds returned by Kind.
const (
	KindProvinsi  = "provinsi"
	KindKabupaten = "kabupaten"
	KindKota      = "kota"
	KindKecamatan = "kecamatan"
	KindKelurahan = "kelurahan"
	KindDesa      = "desa"
	KindDesaAdat  = "desa_adat"
)

// check parses code and returns its level, or 0 with a static reason and,
// when it points at one character, its 0-based position (else -1). It never
// allocates, so Level, Parent, Kind and Contains do not either.
func check(code string) (level int, reason string, pos int) {
	switch len(code) {
	case 2:
		level = LevelProvince
	case 5:
		level = LevelRegency
	case 8:
		level = LevelDistrict
	case 13:
		level = LevelVillage
	case 0:
		return 0, "empty code", -1
	default:
		return 0, "wrong length: want PP, PP.KK, PP.KK.CC or PP.KK.CC.DDDD", -1
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if i == 2 || i == 5 || i == 8 {
			if c != '.' {
				return 0, "want '.' between parts", i
			}
			continue
		}
		if c < '0' || c > '9' {
			return 0, "want a digit", i
		}
	}
	if code[0] == '0' && code[1] == '0' {
		return 0, "province 00 does not exist", 0
	}
	if level >= LevelRegency {
		if kk := code[3:5]; kk == "00" || kk == "70" {
			return 0, "regency/city part must be 01-69 (kabupaten) or 71-99 (kota)", 3
		}
	}
	if level >= LevelDistrict && code[6] == '0' && code[7] == '0' {
		return 0, "district 00 does not exist", 6
	}
	if level == LevelVillage {
		if t := code[9]; t < '1' || t > '3' {
			return 0, "village part must start with 1 (kelurahan), 2 (desa) or 3 (desa adat)", 9
		}
		if code[10:13] == "000" {
			return 0, "village serial 000 does not exist", 10
		}
	}
	return level, "", -1
}

// Level returns 1 for a province "PP", 2 for a regency or city "PP.KK", 3
// for a district "PP.KK.CC" and 4 for a village "PP.KK.CC.DDDD"; 0 when code
// is malformed (see Validate).
func Level(code string) int {
	l, _, _ := check(code)
	return l
}

// Parent returns the code of the region containing code: "" for a province
// or a malformed code.
func Parent(code string) string {
	switch Level(code) {
	case LevelRegency:
		return code[:2]
	case LevelDistrict:
		return code[:5]
	case LevelVillage:
		return code[:8]
	}
	return ""
}

// Kind names the kind of region: "provinsi", "kabupaten", "kota",
// "kecamatan", "kelurahan", "desa" or "desa_adat"; "" when code is malformed.
func Kind(code string) string {
	switch Level(code) {
	case LevelProvince:
		return KindProvinsi
	case LevelRegency:
		if code[3] < '7' {
			return KindKabupaten
		}
		return KindKota
	case LevelDistrict:
		return KindKecamatan
	case LevelVillage:
		switch code[9] {
		case '1':
			return KindKelurahan
		case '2':
			return KindDesa
		default:
			return KindDesaAdat
		}
	}
	return ""
}

// Validate reports what is wrong with code, or nil. A valid code has exactly
// the shape PP, PP.KK, PP.KK.CC or PP.KK.CC.DDDD (digits, dots between
// parts), no zero province or district, a regency/city part of 01-69 or
// 71-99 and a village part starting with 1, 2 or 3.
func Validate(code string) error {
	_, reason, pos := check(code)
	switch {
	case reason == "":
		return nil
	case strings.TrimSpace(code) != code:
		return fmt.Errorf("region code %q: leading or trailing space", code)
	case len(code) == 4 || len(code) == 6 || len(code) == 10:
		if strings.Trim(code, "0123456789") == "" {
			return fmt.Errorf("region code %q: dots missing: write PP.KK, PP.KK.CC or PP.KK.CC.DDDD", code)
		}
	}
	if pos >= 0 {
		return fmt.Errorf("region code %q: %s at position %d", code, reason, pos+1)
	}
	if len(code) > 0 {
		return fmt.Errorf("region code %q: %s (got %d characters)", code, reason, len(code))
	}
	return fmt.Errorf("region code: %s", reason)
}

// Contains reports whether the region scope contains code: scope is code
// itself or one of its ancestors. The empty scope is the nation and contains
// every valid code (and the empty code). A malformed scope or code contains
// or is contained in nothing. Codes are compared on part boundaries, so
// "11.01" does not contain "11.010...".
func Contains(scope, code string) bool {
	if scope == "" {
		return code == "" || Level(code) > 0
	}
	if Level(scope) == 0 || Level(code) == 0 || len(code) < len(scope) {
		return false
	}
	return code[:len(scope)] == scope && (len(code) == len(scope) || code[len(scope)] == '.')
}

// districtKey turns a valid "PP.KK.CC..." code into "PPKKCC".
func districtKey(code string) string {
	return code[0:2] + code[3:5] + code[6:8]
}
