package audit

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/kemensos/jaring/internal/nik"
)

// Rule says how a field's values enter the trail.
type Rule int

const (
	// Keep records the value, with any run of 12 or more digits in text
	// masked (free text such as a reason may quote a NIK).
	Keep Rule = iota
	// Mask records an identifier masked as lists show it (nik.Mask):
	// "3201**********01". A full NIK or KK number never enters the trail.
	Mask
	// Hide records only that the field changed, never its value: the
	// specific personal data of UU PDP art. 4 (health, such as disability
	// and pregnancy; welfare categories that reveal sexual life, violence
	// suffered or children's situation) and verification secrets (the
	// mother's maiden name).
	Hide
	// Omit leaves the field out: version metadata and derived values.
	Omit
)

// Hidden stands in for a value under the Hide rule.
const Hidden = "[disamarkan]"

// Rules give the rule of each field by its JSON name; fields not named are kept.
type Rules map[string]Rule

// Changes compares two records (values that encode to JSON objects; nil
// for none) and returns the fields that differ, each side redacted by
// rules. Fields equal on both sides are left out.
func Changes(before, after any, rules Rules) (b, a map[string]any) {
	rb, ra := fields(before), fields(after)
	for k, vb := range rb {
		if rules[k] == Omit {
			continue
		}
		if va, ok := ra[k]; !ok || !bytes.Equal(vb, va) {
			b = put(b, k, redactRaw(rules[k], vb))
			if ok {
				a = put(a, k, redactRaw(rules[k], va))
			}
		}
	}
	for k, va := range ra {
		if _, ok := rb[k]; !ok && rules[k] != Omit {
			a = put(a, k, redactRaw(rules[k], va))
		}
	}
	return b, a
}

// Snapshot returns the non-empty fields of a record, redacted: what a
// new record holds.
func Snapshot(v any, rules Rules) map[string]any {
	var out map[string]any
	for k, raw := range fields(v) {
		if rules[k] == Omit || emptyJSON(raw) {
			continue
		}
		out = put(out, k, redactRaw(rules[k], raw))
	}
	return out
}

// Redact applies a rule to one value.
func Redact(rule Rule, v any) any {
	switch rule {
	case Mask:
		if s, ok := v.(string); ok {
			return nik.Mask(s)
		}
		return Hidden
	case Hide:
		return Hidden
	case Omit:
		return nil
	}
	return maskDigits(v)
}

// MaskDigits masks every run of 12 or more digits in s as nik.Mask does.
func MaskDigits(s string) string {
	run, start := 0, 0
	var b strings.Builder
	flushed := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if run == 0 {
				start = i
			}
			run++
			continue
		}
		if run >= 12 {
			b.WriteString(s[flushed:start])
			b.WriteString(nik.Mask(s[start:i]))
			flushed = i
		}
		run = 0
	}
	if flushed == 0 {
		return s
	}
	b.WriteString(s[flushed:])
	return b.String()
}

func maskDigits(v any) any {
	switch x := v.(type) {
	case string:
		return MaskDigits(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = maskDigits(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = maskDigits(e)
		}
		return out
	}
	return v
}

func put(m map[string]any, k string, v any) map[string]any {
	if m == nil {
		m = map[string]any{}
	}
	m[k] = v
	return m
}

// fields encodes a record and splits it into its fields' JSON.
func fields(v any) map[string]json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

func redactRaw(rule Rule, raw json.RawMessage) any {
	if rule == Hide {
		return Hidden
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return nil
	}
	return Redact(rule, v)
}

func emptyJSON(raw json.RawMessage) bool {
	switch string(raw) {
	case `""`, `0`, `false`, `null`, `[]`, `{}`:
		return true
	}
	return false
}
