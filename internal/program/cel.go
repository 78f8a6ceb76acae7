package program

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
	"github.com/google/cel-go/interpreter"

	"github.com/kemensos/jaring/internal/registry"
)

// Scope says which variables an expression sees: family rules see
// `family`; member rules see `family` and `member` (and are evaluated once
// per member).
type Scope string

const (
	ScopeFamily Scope = "family"
	ScopeMember Scope = "member"
)

// Limits on expressions. CostLimit bounds one evaluation (CEL cost units,
// roughly one per operation; a typical rule costs 5-60). An expression whose
// worst case for a family of EstimateMembers members exceeds CostLimit is
// refused when it is compiled; a larger family that drives an accepted
// expression past the limit stops with a rule error for that family.
const (
	CostLimit       = 100_000
	EstimateMembers = 50
	MaxExprLength   = 4000
	interruptEvery  = 100 // comprehension iterations between context checks
)

var (
	errConvert = errors.New("program: unsupported conversion")
)

// field is one field of a rule view type.
type field struct {
	name string
	typ  *types.Type
	doc  string
	get  func(any) any
}

// str returns a string as a CEL value. Codes of the register's code sets
// are boxed once, so reading a coded field does not allocate.
func str(s string) any {
	if v, ok := interned[s]; ok {
		return v
	}
	return types.String(s)
}

var interned = func() map[string]any {
	m := map[string]any{"": types.String("")}
	for _, set := range labelSets {
		for _, c := range set.Codes {
			m[c] = types.String(c)
		}
	}
	return m
}()

var familyFields = []field{
	{"decile", types.IntType, "desil kesejahteraan 1-10; 0 = belum diperingkat", func(o any) any { return types.Int(o.(*Family).Decile) }},
	{"province", types.StringType, "kode provinsi, mis. \"32\"", func(o any) any { return str(o.(*Family).Province) }},
	{"regency", types.StringType, "kode kabupaten/kota, mis. \"32.01\"", func(o any) any { return str(o.(*Family).Regency) }},
	{"district", types.StringType, "kode kecamatan, mis. \"32.01.01\"", func(o any) any { return str(o.(*Family).District) }},
	{"village", types.StringType, "kode desa/kelurahan, mis. \"32.01.01.2001\"", func(o any) any { return str(o.(*Family).Village) }},
	{"size", types.IntType, "jumlah anggota berstatus aktif", func(o any) any { return types.Int(o.(*Family).Size) }},
	{"status", types.StringType, "status keluarga: aktif meninggal pindah ditidurkan", func(o any) any { return str(o.(*Family).Status) }},
	{"floor", types.StringType, "bahan lantai (kode kolom lantai)", func(o any) any { return str(o.(*Family).Floor) }},
	{"wall", types.StringType, "bahan dinding (kode kolom dinding)", func(o any) any { return str(o.(*Family).Wall) }},
	{"roof", types.StringType, "bahan atap (kode kolom atap)", func(o any) any { return str(o.(*Family).Roof) }},
	{"water_source", types.StringType, "sumber air minum (kode kolom sumber_air)", func(o any) any { return str(o.(*Family).WaterSource) }},
	{"sanitation", types.StringType, "fasilitas buang air (kode kolom sanitasi)", func(o any) any { return str(o.(*Family).Sanitation) }},
	{"electricity", types.StringType, "sumber penerangan (kode kolom listrik)", func(o any) any { return str(o.(*Family).Electricity) }},
	{"cooking_fuel", types.StringType, "bahan bakar memasak (kode kolom bahan_bakar)", func(o any) any { return str(o.(*Family).CookingFuel) }},
	{"house_ownership", types.StringType, "status rumah (kode kolom status_rumah)", func(o any) any { return str(o.(*Family).HouseOwnership) }},
	{"land_ownership", types.StringType, "status lahan (kode kolom status_lahan)", func(o any) any { return str(o.(*Family).LandOwnership) }},
	{"floor_area", types.IntType, "luas lantai m²; 0 = tidak diketahui", func(o any) any { return types.Int(o.(*Family).FloorArea) }},
	{"assets", types.NewListType(types.StringType), "daftar aset (kode kolom aset)", func(o any) any { return o.(*Family).Assets }},
	{"cattle", types.IntType, "jumlah sapi", func(o any) any { return types.Int(o.(*Family).Cattle) }},
	{"buffalo", types.IntType, "jumlah kerbau", func(o any) any { return types.Int(o.(*Family).Buffalo) }},
	{"goats", types.IntType, "jumlah kambing/domba", func(o any) any { return types.Int(o.(*Family).Goats) }},
	{"pigs", types.IntType, "jumlah babi", func(o any) any { return types.Int(o.(*Family).Pigs) }},
	{"horses", types.IntType, "jumlah kuda", func(o any) any { return types.Int(o.(*Family).Horses) }},
	{"poultry", types.IntType, "jumlah unggas", func(o any) any { return types.Int(o.(*Family).Poultry) }},
	{"programs", types.NewListType(types.StringType), "program yang sudah diterima keluarga (mis. \"PKH\"), diisi mesin penetapan", func(o any) any { return o.(*Family).Programs }},
	{"members", types.NewListType(memberType), "semua anggota pada KK (aktif maupun tidak)", func(o any) any {
		f := o.(*Family)
		if f.memberList != nil {
			return f.memberList
		}
		vals := make([]ref.Val, len(f.Members))
		for i, m := range f.Members {
			vals[i] = m
		}
		return types.NewRefValList(types.DefaultTypeAdapter, vals)
	}},
}

var memberFields = []field{
	{"age", types.IntType, "umur dalam tahun penuh pada tanggal acuan (awal periode); -1 = tidak diketahui atau belum lahir", func(o any) any { return types.Int(o.(*Member).Age) }},
	{"sex", types.StringType, "jenis kelamin: L P", func(o any) any { return str(o.(*Member).Sex) }},
	{"relation", types.StringType, "hubungan dengan kepala keluarga (kode kolom hubungan)", func(o any) any { return str(o.(*Member).Relation) }},
	{"marital_status", types.StringType, "status kawin (kode kolom status_kawin)", func(o any) any { return str(o.(*Member).MaritalStatus) }},
	{"status", types.StringType, "status anggota: aktif meninggal pindah ditidurkan", func(o any) any { return str(o.(*Member).Status) }},
	{"occupation", types.StringType, "pekerjaan (kode kolom pekerjaan)", func(o any) any { return str(o.(*Member).Occupation) }},
	{"excluded_occupation", types.BoolType, "pekerjaan termasuk daftar pengecualian (ASN, TNI, Polri, pensiunan, perangkat desa, ...)", func(o any) any { return types.Bool(o.(*Member).ExcludedOccupation) }},
	{"education", types.StringType, "pendidikan tertinggi yang ditamatkan (kode kolom pendidikan)", func(o any) any { return str(o.(*Member).Education) }},
	{"school_level", types.StringType, "jenjang sekolah yang sedang diikuti: paud sd smp sma pt, kosong jika tidak", func(o any) any { return str(o.(*Member).SchoolLevel) }},
	{"school_enrolled", types.BoolType, "terdaftar di Dapodik/EMIS: jenjang selain paud dengan ID sekolah, atau jenjang paud", func(o any) any { return types.Bool(o.(*Member).SchoolEnrolled) }},
	{"disability", types.StringType, "jenis disabilitas (kode kolom disabilitas), kosong jika tidak ada", func(o any) any { return str(o.(*Member).Disability) }},
	{"disability_severity", types.StringType, "tingkat disabilitas: ringan sedang berat", func(o any) any { return str(o.(*Member).DisabilitySeverity) }},
	{"pregnant", types.BoolType, "sedang hamil", func(o any) any { return types.Bool(o.(*Member).Pregnant) }},
	{"birth_order", types.IntType, "urutan kelahiran di antara anak (atau di antara cucu) pada KK menurut tanggal lahir, 1 = tertua; 0 untuk hubungan lain", func(o any) any { return types.Int(o.(*Member).BirthOrder) }},
	{"pregnancy_order", types.IntType, "kehamilan ke berapa (bagi yang hamil): 1 + jumlah anak (kepala/istri/suami) atau cucu (anak/menantu); 0 jika tidak hamil atau tidak diketahui", func(o any) any { return types.Int(o.(*Member).PregnancyOrder) }},
	{"ppks", types.NewListType(types.StringType), "kategori PPKS (kode kolom ppks)", func(o any) any { return o.(*Member).PPKS }},
}

// FieldDoc describes one field of the rule model, for documentation and the UI.
type FieldDoc struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Doc  string `json:"doc"`
}

// FamilyFields and MemberFields list the fields rules may read.
func FamilyFields() []FieldDoc { return fieldDocs(familyFields) }

// MemberFields lists the fields of a member.
func MemberFields() []FieldDoc { return fieldDocs(memberFields) }

func fieldDocs(fs []field) []FieldDoc {
	out := make([]FieldDoc, len(fs))
	for i, f := range fs {
		out[i] = FieldDoc{Name: f.name, Type: f.typ.String(), Doc: f.doc}
	}
	return out
}

// provider serves the two rule view types to the CEL type checker and
// interpreter, and delegates everything else to CEL's standard registry.
type provider struct {
	types.Provider
	objects map[string]*types.Type
	fields  map[string]map[string]*types.FieldType
	names   map[string][]string
}

func newProvider() (*provider, error) {
	base, err := types.NewRegistry()
	if err != nil {
		return nil, err
	}
	p := &provider{
		Provider: base,
		objects:  map[string]*types.Type{familyType.TypeName(): familyType, memberType.TypeName(): memberType},
		fields:   map[string]map[string]*types.FieldType{},
		names:    map[string][]string{},
	}
	add := func(t *types.Type, fs []field) {
		m := map[string]*types.FieldType{}
		for _, f := range fs {
			m[f.name] = &types.FieldType{
				Type:    f.typ,
				IsSet:   func(any) bool { return true },
				GetFrom: func(o any) (any, error) { return f.get(o), nil },
			}
			p.names[t.TypeName()] = append(p.names[t.TypeName()], f.name)
		}
		p.fields[t.TypeName()] = m
	}
	add(familyType, familyFields)
	add(memberType, memberFields)
	return p, nil
}

func (p *provider) FindStructType(name string) (*types.Type, bool) {
	if t, ok := p.objects[name]; ok {
		return types.NewTypeTypeWithParam(t), true
	}
	return p.Provider.FindStructType(name)
}

func (p *provider) FindStructFieldNames(name string) ([]string, bool) {
	if n, ok := p.names[name]; ok {
		return n, true
	}
	return p.Provider.FindStructFieldNames(name)
}

func (p *provider) FindStructFieldType(name, fieldName string) (*types.FieldType, bool) {
	if fs, ok := p.fields[name]; ok {
		f, ok := fs[fieldName]
		return f, ok
	}
	return p.Provider.FindStructFieldType(name, fieldName)
}

func (p *provider) NewValue(name string, fields map[string]ref.Val) ref.Val {
	if _, ok := p.objects[name]; ok {
		return types.NewErr("%s cannot be created in a rule", name)
	}
	return p.Provider.NewValue(name, fields)
}

// labelSets maps the field names label() accepts to their code sets.
var labelSets = map[string]*registry.CodeSet{
	"sex": registry.Sex, "relation": registry.Relation, "marital_status": registry.MaritalStatus,
	"status": registry.Status, "occupation": registry.Occupation, "education": registry.Education,
	"school_level": registry.SchoolLevel, "disability": registry.Disability,
	"disability_severity": registry.DisabilitySeverity, "ppks": registry.PPKS,
	"floor": registry.FloorMaterial, "wall": registry.WallMaterial, "roof": registry.RoofMaterial,
	"water_source": registry.WaterSource, "sanitation": registry.Sanitation, "electricity": registry.Electricity,
	"cooking_fuel": registry.CookingFuel, "house_ownership": registry.HouseOwnership,
	"land_ownership": registry.LandOwnership, "assets": registry.Asset,
}

// Label returns the Indonesian label of a code of the named rule field
// (label("occupation", "asn") = "ASN (PNS/PPPK)"), or the code itself.
func Label(fieldName, code string) string {
	if s, ok := labelSets[fieldName]; ok {
		return s.Label(code)
	}
	return code
}

// envs are built once: the environments are immutable and safe for
// concurrent use.
var envs = sync.OnceValues(func() (map[Scope]*cel.Env, error) {
	p, err := newProvider()
	if err != nil {
		return nil, err
	}
	common := []cel.EnvOption{
		cel.CustomTypeProvider(p),
		cel.Variable("family", familyType),
		cel.ParserExpressionSizeLimit(MaxExprLength),
		cel.Function("label",
			cel.Overload("label_string_string", []*cel.Type{cel.StringType, cel.StringType}, cel.StringType,
				cel.BinaryBinding(func(f, c ref.Val) ref.Val {
					fs, ok1 := f.(types.String)
					cs, ok2 := c.(types.String)
					if !ok1 || !ok2 {
						return types.NewErr("label: want two strings")
					}
					return types.String(Label(string(fs), string(cs)))
				}))),
	}
	fam, err := cel.NewEnv(common...)
	if err != nil {
		return nil, err
	}
	mem, err := fam.Extend(cel.Variable("member", memberType))
	if err != nil {
		return nil, err
	}
	return map[Scope]*cel.Env{ScopeFamily: fam, ScopeMember: mem}, nil
})

// ExprError is one problem with an expression, at its place: Line and
// Column are 1-based (Column counts characters, not bytes), 0 when the
// problem is with the whole expression. Message is CEL's (English) text;
// Snippet shows the line with a caret under the column.
type ExprError struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
	Snippet string `json:"snippet,omitempty"`
}

func (e ExprError) String() string {
	if e.Line == 0 {
		return e.Message
	}
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Message)
}

// CompileError lists every problem of one expression.
type CompileError struct {
	Expr   string      `json:"expr"`
	Errors []ExprError `json:"errors"`
}

func (e *CompileError) Error() string {
	msgs := make([]string, len(e.Errors))
	for i, x := range e.Errors {
		msgs[i] = x.String()
	}
	return strings.Join(msgs, "; ")
}

// expr is a compiled expression.
type expr struct {
	src  string
	prg  cel.Program // cost-limited, interruptible
	fast cel.Program // for families within the estimate's bounds
	cost uint64      // worst-case estimate for EstimateMembers members
}

// want is the type an expression must have; nil accepts any type.
func compileExpr(src string, scope Scope, want *cel.Type) (*expr, error) {
	es, err := envs()
	if err != nil {
		return nil, err
	}
	env := es[scope]
	if env == nil {
		return nil, fmt.Errorf("program: unknown scope %q", scope)
	}
	if strings.TrimSpace(src) == "" {
		return nil, &CompileError{Expr: src, Errors: []ExprError{{Message: "ekspresi kosong"}}}
	}
	ast, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		ce := &CompileError{Expr: src}
		for _, e := range iss.Errors() {
			x := ExprError{Line: e.Location.Line(), Column: e.Location.Column() + 1, Message: e.Message}
			if x.Line < 1 {
				x.Line, x.Column = 0, 0
			}
			x.Snippet = snippet(src, x.Line, x.Column)
			ce.Errors = append(ce.Errors, x)
		}
		return nil, ce
	}
	if want != nil && !ast.OutputType().IsExactType(want) {
		return nil, &CompileError{Expr: src, Errors: []ExprError{{Line: 1, Column: 1,
			Message: fmt.Sprintf("ekspresi harus bernilai %s, bukan %s", want, ast.OutputType()),
			Snippet: snippet(src, 1, 1)}}}
	}
	est, err := env.EstimateCost(ast, sizeEstimator{})
	if err != nil {
		return nil, &CompileError{Expr: src, Errors: []ExprError{{Message: "biaya tidak dapat diperkirakan: " + err.Error()}}}
	}
	if est.Max > CostLimit {
		msg := fmt.Sprintf("perkiraan biaya terburuk melebihi batas %d untuk keluarga %d anggota", CostLimit, EstimateMembers)
		if est.Max < 1<<62 {
			msg = fmt.Sprintf("perkiraan biaya terburuk %d melebihi batas %d untuk keluarga %d anggota", est.Max, CostLimit, EstimateMembers)
		}
		return nil, &CompileError{Expr: src, Errors: []ExprError{{Line: 1, Column: 1, Message: msg, Snippet: snippet(src, 1, 1)}}}
	}
	prg, err := env.Program(ast,
		cel.EvalOptions(cel.OptOptimize),
		cel.CostLimit(CostLimit),
		cel.InterruptCheckFrequency(interruptEvery))
	if err != nil {
		return nil, &CompileError{Expr: src, Errors: []ExprError{{Message: err.Error()}}}
	}
	fast, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, &CompileError{Expr: src, Errors: []ExprError{{Message: err.Error()}}}
	}
	return &expr{src: src, prg: prg, fast: fast, cost: est.Max}, nil
}

// snippet shows line `line` of src with a caret under column col.
func snippet(src string, line, col int) string {
	if line < 1 {
		return ""
	}
	lines := strings.Split(src, "\n")
	if line > len(lines) {
		return ""
	}
	l := lines[line-1]
	pad := col - 1
	if pad < 0 {
		pad = 0
	}
	return l + "\n" + strings.Repeat(" ", pad) + "^"
}

// The sizes the estimate assumes besides EstimateMembers; withinEstimate
// checks a family against them before it takes the untracked path.
var (
	maxPPKS     = len(registry.PPKS.Codes)
	maxAssets   = len(registry.Asset.Codes)
	maxPrograms = 10
	maxString   = 100 // bytes; a code, a region code, a label
)

// sizeEstimator bounds the sizes CEL cannot know, for the worst-case cost
// estimate: lists of members, PPKS categories, assets and programs, and
// strings (codes are short; none is longer than 100 characters).
type sizeEstimator struct{}

func (sizeEstimator) EstimateSize(n checker.AstNode) *checker.SizeEstimate {
	path := n.Path()
	last := ""
	if len(path) > 0 {
		last = path[len(path)-1]
	}
	switch last {
	case "members":
		return &checker.SizeEstimate{Min: 0, Max: EstimateMembers}
	case "ppks":
		return &checker.SizeEstimate{Min: 0, Max: uint64(maxPPKS)}
	case "assets":
		return &checker.SizeEstimate{Min: 0, Max: uint64(maxAssets)}
	case "programs":
		return &checker.SizeEstimate{Min: 0, Max: uint64(maxPrograms)}
	}
	if t := n.Type(); t != nil && t.Kind() == types.StringKind {
		return &checker.SizeEstimate{Min: 0, Max: uint64(maxString)}
	}
	return nil
}

func (sizeEstimator) EstimateCallCost(function, overloadID string, target *checker.AstNode, args []checker.AstNode) *checker.CallEstimate {
	return nil
}

// activation binds the rule variables without allocating a map.
type activation struct {
	fam *Family
	mem *Member
}

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "family":
		return a.fam, true
	case "member":
		if a.mem != nil {
			return a.mem, true
		}
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// EvalError is a rule that could not be evaluated for one family: a
// division by zero, a cost limit reached, a cancelled run. It never stops
// the evaluation of other families.
type EvalError struct {
	Rule    string // rule or component code
	Message string // Indonesian
	Err     error
}

func (e *EvalError) Error() string { return "aturan " + e.Rule + ": " + e.Message }
func (e *EvalError) Unwrap() error { return e.Err }

func (x *expr) eval(ctx context.Context, act *activation) (ref.Val, error) {
	var (
		out ref.Val
		err error
	)
	if ctx.Done() == nil {
		out, _, err = x.prg.Eval(act)
	} else {
		out, _, err = x.prg.ContextEval(ctx, act)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (x *expr) evalBool(ctx context.Context, act *activation) (bool, error) {
	out, err := x.eval(ctx, act)
	if err != nil {
		return false, err
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("want bool, got %s", out.Type().TypeName())
	}
	return bool(b), nil
}

// explainEvalError turns a CEL evaluation error into Indonesian.
func explainEvalError(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "division by zero"):
		return "pembagian dengan nol"
	case strings.Contains(msg, "modulus by zero"):
		return "sisa bagi dengan nol"
	case strings.Contains(msg, "cost limit exceeded"):
		return fmt.Sprintf("melebihi batas biaya evaluasi (%d)", CostLimit)
	case strings.Contains(msg, "operation interrupted"), strings.Contains(msg, "context canceled"),
		strings.Contains(msg, "deadline exceeded"):
		return "evaluasi dihentikan"
	case strings.Contains(msg, "overflow"):
		return "hasil hitung melampaui batas bilangan"
	case strings.Contains(msg, "index out of range"), strings.Contains(msg, "invalid_argument"):
		return "indeks di luar jangkauan"
	}
	return "galat evaluasi: " + msg
}

// formatValue renders a CEL value for a reason sentence, at most 200
// characters.
func formatValue(v ref.Val) string {
	s := formatVal(v, 0)
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return s
}

func formatVal(v ref.Val, depth int) string {
	switch x := v.(type) {
	case types.String:
		return string(x)
	case types.Int:
		return strconv.FormatInt(int64(x), 10)
	case types.Uint:
		return strconv.FormatUint(uint64(x), 10)
	case types.Double:
		return strconv.FormatFloat(float64(x), 'f', -1, 64)
	case types.Bool:
		if x {
			return "ya"
		}
		return "tidak"
	case types.Bytes:
		return string(x)
	case traits.Lister:
		n, ok := x.Size().(types.Int)
		if !ok || depth > 3 {
			return "[...]"
		}
		parts := make([]string, 0, min(int(n), 20))
		for i := types.Int(0); i < n && i < 20; i++ {
			parts = append(parts, formatVal(x.Get(i), depth+1))
		}
		if n > 20 {
			parts = append(parts, "...")
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v.Value())
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
