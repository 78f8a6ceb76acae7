package program

import (
	"fmt"
	"strings"

	"github.com/google/cel-go/cel"
)

// Compiled is a program version ready to evaluate: every expression
// compiled once. It is immutable and safe for concurrent use by any number
// of goroutines.
type Compiled struct {
	Doc     *Document
	Version int // 0 when not stored

	eligibility []compiledRule
	exclusions  []compiledRule
	components  []compiledComponent
	amounts     []compiledAmount
	periods     map[string]map[string]Period // channel → code → period
}

type compiledRule struct {
	Rule
	expr  *expr
	value *expr // nil without a value expression
}

type compiledComponent struct {
	Component
	index int
	expr  *expr
}

type compiledAmount struct {
	Amount
	expr *expr // nil: always
}

// Compile validates a document and compiles its expressions. The document
// is normalized in place first (defaults filled, cadences expanded). Every
// problem is reported, each at its place, in an *Invalid.
func Compile(d *Document) (*Compiled, error) {
	d.normalize()
	ps := d.validate()
	c := &Compiled{Doc: d, periods: map[string]map[string]Period{}}
	compileInto := func(path, src string, scope Scope, want *cel.Type) *expr {
		if !validScope(scope) {
			return nil // reported by validate
		}
		x, err := compileExpr(src, scope, want)
		if err != nil {
			addExprProblems(&ps, path, err)
			return nil
		}
		return x
	}
	rules := func(list []Rule, name string) []compiledRule {
		out := make([]compiledRule, 0, len(list))
		for i, r := range list {
			path := fmt.Sprintf("%s[%d]", name, i)
			cr := compiledRule{Rule: r}
			cr.expr = compileInto(path+".expr", r.Expr, r.Scope, cel.BoolType)
			if strings.TrimSpace(r.Value) != "" {
				cr.value = compileInto(path+".value", r.Value, r.Scope, nil)
			}
			out = append(out, cr)
		}
		return out
	}
	c.eligibility = rules(d.Eligibility, "eligibility")
	c.exclusions = rules(d.Exclusions, "exclusions")
	for i, comp := range d.Benefit.Components {
		x := compileInto(fmt.Sprintf("benefit.components[%d].expr", i), comp.Expr, ScopeMember, cel.BoolType)
		c.components = append(c.components, compiledComponent{Component: comp, index: i, expr: x})
	}
	amountScope := ScopeFamily
	if d.Unit == UnitPerson {
		amountScope = ScopeMember
	}
	for i, a := range d.Benefit.Amounts {
		ca := compiledAmount{Amount: a}
		if strings.TrimSpace(a.Expr) != "" {
			ca.expr = compileInto(fmt.Sprintf("benefit.amounts[%d].expr", i), a.Expr, amountScope, cel.BoolType)
		}
		c.amounts = append(c.amounts, ca)
	}
	for _, cal := range d.Calendars {
		m := map[string]Period{}
		for _, p := range cal.Periods {
			m[p.Code] = p
		}
		c.periods[cal.Channel] = m
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return c, nil
}

func validScope(s Scope) bool { return s == ScopeFamily || s == ScopeMember }

func addExprProblems(ps *problems, path string, err error) {
	ce, ok := err.(*CompileError)
	if !ok {
		ps.add(path, "%v", err)
		return
	}
	for _, e := range ce.Errors {
		*ps = append(*ps, Problem{Path: path, Message: e.Message, Line: e.Line, Column: e.Column, Snippet: e.Snippet})
	}
}

// CompileExpr compiles one expression on its own, for an editor that
// checks as the user types: scope family or member, boolean or (value
// expressions) any type. The error, a *CompileError, lists every problem
// with its line and column.
func CompileExpr(src string, scope Scope, boolean bool) error {
	var want *cel.Type
	if boolean {
		want = cel.BoolType
	}
	_, err := compileExpr(src, scope, want)
	return err
}
