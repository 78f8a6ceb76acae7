package program

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/registry"
)

// refDate is the reference date of the tests: the start of 2026-Q1.
var refDate = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// born gives a birth date making the person `age` years old on refDate.
func born(age int) string { return fmt.Sprintf("%d-06-01", 2025-age) }

var nextID int64

type opt func(*registry.Person)

func school(level, id string) opt {
	return func(p *registry.Person) { p.SchoolLevel, p.SchoolID = level, id }
}
func occupation(o string) opt { return func(p *registry.Person) { p.Occupation = o } }
func status(s string) opt     { return func(p *registry.Person) { p.Status, p.StatusReason = s, "tes" } }
func pregnant() opt           { return func(p *registry.Person) { p.Pregnant = true } }
func ppks(c ...string) opt    { return func(p *registry.Person) { p.PPKS = c } }
func disabled(sev string) opt {
	return func(p *registry.Person) { p.Disability, p.DisabilitySeverity = "fisik", sev }
}
func birthDate(d string) opt { return func(p *registry.Person) { p.BirthDate = d } }
func sex(s string) opt       { return func(p *registry.Person) { p.Sex = s } }

// member makes a register person: relation, name, age and options.
func member(rel, name string, age int, opts ...opt) registry.Person {
	nextID++
	p := registry.Person{ID: nextID, Name: name, Sex: "L", BirthDate: born(age), Relation: rel, Status: "aktif", Occupation: "petani"}
	if rel == "istri" {
		p.Sex, p.Occupation = "P", "mengurus_rumah_tangga"
	}
	if age < 18 {
		p.Occupation = "pelajar"
	}
	for _, o := range opts {
		o(&p)
	}
	return p
}

// fam builds a family in village 32.01.01.2001 with a decile.
func fam(decile int, people ...registry.Person) *Family {
	nextID++
	f := &registry.Family{ID: nextID, VillageCode: "32.01.01.2001", Status: "aktif"}
	return BuildFamily(f, people, decile, refDate)
}

var (
	compiledOnce sync.Map
)

// shipped compiles a shipped default once per test binary.
func shipped(t testing.TB, code string) *Compiled {
	t.Helper()
	if c, ok := compiledOnce.Load(code); ok {
		return c.(*Compiled)
	}
	d, err := Default(code)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Compile(d)
	if err != nil {
		t.Fatalf("%s: %v", code, err)
	}
	compiledOnce.Store(code, c)
	return c
}

func reasonCodes(rs []Reason) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return strings.Join(out, ",")
}

func choices(cs []ComponentChoice, withReason bool) string {
	var out []string
	for _, c := range cs {
		s := c.Member + ":" + c.Component
		if withReason {
			s += ":" + c.Reason.Code
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}
