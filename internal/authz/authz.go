// Package authz decides who may do what where: roles, actions, the
// permission matrix, and region scope. It is the one place where these
// rules live; docs/permissions.md is generated from it and checked by a test.
package authz

import (
	"context"
	"fmt"
	"strings"
)

// Role is what a user does in the organisation.
type Role string

const (
	Admin         Role = "admin"          // national administrator
	Pusdatin      Role = "pusdatin"       // data centre
	Program       Role = "program"        // program manager (directorates)
	Province      Role = "provinsi"       // province social office
	District      Role = "dinsos"         // district (regency/city) social office
	Village       Role = "desa"           // village or ward operator
	SocialWorker  Role = "pendamping"     // social worker
	Inspectorate  Role = "inspektorat"    // inspectorate: read-only plus audit
	CommandCenter Role = "command_center" // command-centre operator
	Bank          Role = "bank"           // machine client: bank
	EWarong       Role = "ewarong"        // machine client: food kiosk
	Ministry      Role = "kementerian"    // machine client: another ministry
	Citizen       Role = "warga"          // a resident with a citizen account (internal/citizen)
)

// RoleInfo describes a role.
type RoleInfo struct {
	Role   Role
	Label  string // Indonesian
	Levels []int  // region levels a user of this role may be bound to (0 = nation)
	// MFA means the role must sign in with a second factor.
	MFA bool
	// Machine roles are for API clients with tokens, not for people.
	Machine bool
}

// Roles lists every role in display order.
var Roles = []RoleInfo{
	{Admin, "Administrator nasional", []int{0}, true, false},
	{Pusdatin, "Pusat Data dan Informasi", []int{0}, true, false},
	{Program, "Pengelola program", []int{0}, true, false},
	{Province, "Dinas Sosial provinsi", []int{1}, true, false},
	{District, "Dinas Sosial kabupaten/kota", []int{2}, false, false},
	{Village, "Operator desa/kelurahan", []int{4}, false, false},
	{SocialWorker, "Pendamping sosial", []int{2, 3, 4}, false, false},
	{Inspectorate, "Inspektorat Jenderal", []int{0, 1, 2}, true, false},
	{CommandCenter, "Operator Command Center", []int{0, 1, 2}, false, false},
	{Bank, "Bank penyalur (mesin)", []int{0, 1, 2}, false, true},
	{EWarong, "e-Warong (mesin)", []int{2, 3, 4}, false, true},
	{Ministry, "Kementerian/lembaga lain (mesin)", []int{0}, false, true},
	{Citizen, "Warga (akun aplikasi)", []int{4}, false, false},
}

// Info returns a role's description.
func Info(r Role) (RoleInfo, bool) {
	for _, ri := range Roles {
		if ri.Role == r {
			return ri, true
		}
	}
	return RoleInfo{}, false
}

// Action is something a route or command does.
type Action string

const (
	// Public routes need no sign-in.
	Public Action = "public"
	// Self is what any signed-in user may do to their own session and account.
	Self Action = "self"

	RegionRead     Action = "region.read"     // region lists and names
	RegisterRead   Action = "register.read"   // families and people with masked NIK; lists, search, counts
	RegisterWrite  Action = "register.write"  // create, change, put to sleep
	RegisterImport Action = "register.import" // file imports
	RegisterExport Action = "register.export" // file exports (full NIK: personal data leaves the system)
	NIKReveal      Action = "nik.reveal"      // show a full NIK (audited)
	AuditRead      Action = "audit.read"      // search and export the audit trail
	UsersManage    Action = "users.manage"    // accounts and tokens of others, within scope
	PrivacyReport  Action = "privacy.report"  // data-subject reports and breach lists

	WelfareRun           Action = "welfare.run"           // welfare model versions and ranking runs
	ProgramRead          Action = "program.read"          // program rules, determinations and simulations
	ProgramWrite         Action = "program.write"         // draft program rule versions
	ProgramApprove       Action = "program.approve"       // approve a rule version drafted by someone else
	DeterminationRun     Action = "determination.run"     // run determinations and simulations
	DeterminationApprove Action = "determination.approve" // make a determination final

	CitizenSelf   Action = "citizen.self"   // a citizen's own account, usul and sanggah
	CitizenVerify Action = "citizen.verify" // approve or reject citizens' accounts, within scope

	ComplaintRead   Action = "complaint.read"   // complaints in scope: queues, cases, counts
	ComplaintHandle Action = "complaint.handle" // record actions and resolutions on complaints of one's unit
	WBSRead         Action = "wbs.read"         // whistleblowing reports, without the reporter's identity
	WBSReveal       Action = "wbs.reveal"       // a whistleblower's identity and contact (audited, with a reason)
)

// ActionInfo describes an action for the permission matrix document.
type ActionInfo struct {
	Action Action
	Label  string
}

// Actions lists the actions in matrix order.
var Actions = []ActionInfo{
	{RegionRead, "Lihat daftar wilayah"},
	{RegisterRead, "Lihat register (NIK tersamar), daftar, cari, hitung"},
	{RegisterWrite, "Ubah register: tambah, ubah, tidurkan"},
	{RegisterImport, "Impor berkas ke register"},
	{RegisterExport, "Ekspor register ke berkas"},
	{NIKReveal, "Tampilkan NIK lengkap (tercatat di jejak audit)"},
	{AuditRead, "Telusuri dan ekspor jejak audit"},
	{UsersManage, "Kelola akun dan token dalam wilayahnya"},
	{PrivacyReport, "Laporan data pribadi dan daftar terdampak kebocoran"},
	{WelfareRun, "Model dan pemeringkatan kesejahteraan (desil)"},
	{ProgramRead, "Lihat aturan program, penetapan dan simulasi"},
	{ProgramWrite, "Susun versi aturan program"},
	{ProgramApprove, "Setujui versi aturan program (bukan oleh penyusunnya)"},
	{DeterminationRun, "Jalankan penetapan dan simulasi"},
	{DeterminationApprove, "Setujui penetapan menjadi final"},
	{CitizenSelf, "Akun warga sendiri: status, usul, sanggah"},
	{CitizenVerify, "Verifikasi akun warga (setujui atau tolak dengan alasan)"},
	{ComplaintRead, "Lihat pengaduan dalam wilayahnya: antrean, kasus, hitungan"},
	{ComplaintHandle, "Tangani pengaduan unitnya: catatan, status, penyelesaian"},
	{WBSRead, "Lihat laporan WBS (tanpa identitas pelapor)"},
	{WBSReveal, "Buka identitas pelapor WBS (dengan alasan, tercatat di jejak audit)"},
}

// matrix is role × action. Scope is always the user's region.
var matrix = map[Role][]Action{
	Admin: {RegionRead, RegisterRead, RegisterWrite, RegisterImport, RegisterExport, NIKReveal, AuditRead, UsersManage, PrivacyReport,
		WelfareRun, ProgramRead, ProgramWrite, ProgramApprove, DeterminationRun, DeterminationApprove,
		ComplaintRead, ComplaintHandle},
	Pusdatin:      {RegionRead, RegisterRead, RegisterWrite, RegisterImport, RegisterExport, NIKReveal, WelfareRun, ProgramRead, DeterminationRun},
	Program:       {RegionRead, RegisterRead, ProgramRead, ProgramWrite, ProgramApprove, DeterminationRun, DeterminationApprove},
	Province:      {RegionRead, RegisterRead, RegisterExport, UsersManage, ProgramRead, ComplaintRead, ComplaintHandle},
	District:      {RegionRead, RegisterRead, RegisterWrite, RegisterImport, RegisterExport, NIKReveal, UsersManage, ProgramRead, CitizenVerify, ComplaintRead, ComplaintHandle},
	Village:       {RegionRead, RegisterRead, RegisterWrite, RegisterImport, NIKReveal, CitizenVerify},
	SocialWorker:  {RegionRead, RegisterRead, NIKReveal},
	Inspectorate:  {RegionRead, RegisterRead, AuditRead, PrivacyReport, ProgramRead, ComplaintRead, ComplaintHandle, WBSRead, WBSReveal},
	CommandCenter: {RegionRead, RegisterRead, ComplaintRead},
	Bank:          {RegionRead},
	EWarong:       {RegionRead},
	Ministry:      {RegionRead, RegisterRead},
	// A citizen acts only on their own account and what they file.
	Citizen: {CitizenSelf},
}

// Can reports whether a role may perform an action (within its scope).
func Can(r Role, a Action) bool {
	if a == Public || a == Self {
		return true
	}
	for _, x := range matrix[r] {
		if x == a {
			return true
		}
	}
	return false
}

// Principal is who is acting: a signed-in user or a token's owner.
type Principal struct {
	UserID   int64
	Username string
	Role     Role
	Region   string // "" = the nation
	// Via says how they signed in: "sesi" (browser or API session), "token", "cli".
	Via string
}

// System is the principal of the command line and background work: national.
func System(name string) Principal {
	return Principal{Username: name, Role: Admin, Via: "cli"}
}

type ctxKey struct{}

// With returns ctx carrying the principal.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the principal of ctx, if any.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// Scope returns the region the context may reach: the principal's region,
// or "" (the nation) when no principal is set (command line, tests).
func Scope(ctx context.Context) string {
	if p, ok := From(ctx); ok {
		return p.Region
	}
	return ""
}

// Contains reports whether scope covers code; segments have fixed widths,
// so a prefix on a dot boundary is containment. "" covers everything.
func Contains(scope, code string) bool {
	if scope == "" {
		return true
	}
	if !strings.HasPrefix(code, scope) {
		return false
	}
	return len(code) == len(scope) || code[len(scope)] == '.'
}

// Narrow intersects a requested region with the context's scope. An empty
// request means the whole scope; a request wider than the scope narrows to
// it; a request outside it reports false.
func Narrow(ctx context.Context, requested string) (string, bool) {
	scope := Scope(ctx)
	switch {
	case requested == "":
		return scope, true
	case Contains(scope, requested):
		return requested, true
	case Contains(requested, scope):
		return scope, true
	default:
		return "", false
	}
}

// CheckBinding reports whether a role may be bound to a region code.
func CheckBinding(r Role, region string) error {
	info, ok := Info(r)
	if !ok {
		return fmt.Errorf("peran %q tidak dikenal", r)
	}
	level := 0
	if region != "" {
		level = strings.Count(region, ".") + 1
	}
	for _, l := range info.Levels {
		if l == level {
			return nil
		}
	}
	names := []string{"nasional", "provinsi", "kabupaten/kota", "kecamatan", "desa/kelurahan"}
	var want []string
	for _, l := range info.Levels {
		want = append(want, names[l])
	}
	return fmt.Errorf("peran %s terikat pada wilayah tingkat %s", r, strings.Join(want, " atau "))
}

// Matrix renders the permission matrix as Markdown, for docs/permissions.md.
func Matrix() string {
	var b strings.Builder
	b.WriteString("| peran (role) | wilayah | MFA |")
	for _, a := range Actions {
		b.WriteString(" " + string(a.Action) + " |")
	}
	b.WriteString("\n|---|---|---|")
	for range Actions {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	levels := []string{"nasional", "provinsi", "kab/kota", "kecamatan", "desa"}
	for _, r := range Roles {
		var ls []string
		for _, l := range r.Levels {
			ls = append(ls, levels[l])
		}
		mfa := ""
		if r.MFA {
			mfa = "wajib"
		}
		fmt.Fprintf(&b, "| `%s` %s | %s | %s |", r.Role, r.Label, strings.Join(ls, ", "), mfa)
		for _, a := range Actions {
			if Can(r.Role, a.Action) {
				b.WriteString(" ✔ |")
			} else {
				b.WriteString(" |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
