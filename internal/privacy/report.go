package privacy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// Report is what a person may ask for under UU PDP (the right of access):
// everything the register holds about them, its history, who looked at it
// or changed it, and the decisions made with it.
type Report struct {
	GeneratedAt time.Time         `json:"generated_at"`
	Person      registry.Person   `json:"person"`   // the current record, full NIK: it is the person's own
	Versions    []registry.Person `json:"versions"` // every version, oldest first
	Families    []FamilyReport    `json:"families"` // every family they belonged to, current first
	Access      []Access          `json:"access"`   // the audit trail about them and their families
	Welfare     []Ranking         `json:"welfare"`  // their family's welfare rankings
	Decisions   []Decision        `json:"decisions"`
	// Withheld names families the caller's region does not reach: a
	// national user sees everything.
	Withheld []int64 `json:"withheld_families,omitempty"`
}

// FamilyReport is a family the person belonged to. Its other members are
// named with their relation only: their NIKs are their own data.
type FamilyReport struct {
	Family   registry.Family   `json:"family"`
	Versions []registry.Family `json:"versions"`
	Members  []Member          `json:"members"`
}

// Member is another current member of a family, minimised.
type Member struct {
	Name     string `json:"nama"`
	Relation string `json:"hubungan"`
	NIK      string `json:"nik"` // masked
}

// Access is an audit entry about the person or one of their families: who
// (account, role, the region they work for), what and when. The client's
// network address and the request are left out: they are the officer's data.
type Access struct {
	At          time.Time `json:"at"`
	Actor       string    `json:"actor"`
	Role        string    `json:"role"`
	ActorRegion string    `json:"actor_region"`
	Action      string    `json:"action"`
	Object      string    `json:"object"`
	ObjectID    int64     `json:"object_id"`
}

// Ranking is the family's decile in one finished welfare ranking.
type Ranking struct {
	RunID    int64     `json:"run_id"`
	Model    string    `json:"model_version"`
	RankedAt time.Time `json:"ranked_at"`
	FamilyID int64     `json:"family_id"`
	Decile   int       `json:"decile"`
	Score    float64   `json:"score"`
}

// Decision is an item of a final (or since superseded) determination about
// the person or their family: a simulation or a draft decides nothing.
type Decision struct {
	DeterminationID int64  `json:"determination_id"`
	Program         string `json:"program"`
	Period          string `json:"period"`
	Number          int    `json:"number"`
	State           string `json:"determination_status"`
	FamilyID        int64  `json:"family_id"`
	Status          string `json:"status"`
	Amount          int64  `json:"amount"`
	Reasons         string `json:"reasons"`
}

// ReportOptions qualify a report.
type ReportOptions struct {
	// Actor names who asks when ctx has no principal (the command line).
	Actor string
	// Format is recorded in the audit trail ("json", "teks").
	Format string
}

// MakeReport builds the report of the person holding a NIK in the caller's
// region, after writing the request to the audit trail. A NIK not held,
// or held outside the region, is not found.
func MakeReport(ctx context.Context, reg *registry.Registry, n string, o ReportOptions) (*Report, error) {
	n = strings.TrimSpace(n)
	if _, err := nik.Parse(n); err != nil {
		return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "nik", Value: nik.Mask(n), Reason: err.Error()}}}
	}
	p, err := reg.FindByNIK(ctx, n)
	if err != nil {
		return nil, err
	}
	err = reg.DB.Write(ctx, func(tx *store.Tx) error {
		e := audit.Entry{Action: ActReport, ObjectType: audit.ObjPerson, ObjectID: p.ID, PersonID: p.ID, Region: p.VillageCode,
			After: map[string]any{"berkas": o.Format}}
		if _, ok := authz.From(ctx); !ok {
			e.Actor = o.Actor
		}
		return audit.Record(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	r := &Report{GeneratedAt: store.Now(), Person: p}
	if r.Versions, err = reg.PersonHistory(ctx, p.ID); err != nil {
		return nil, err
	}
	// Every family the person belonged to, the current one first.
	ids := []int64{p.FamilyID}
	for i := len(r.Versions) - 1; i >= 0; i-- {
		if id := r.Versions[i].FamilyID; !contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		f, members, err := reg.GetFamily(ctx, id, time.Time{})
		if errors.Is(err, errs.ErrNotFound) {
			r.Withheld = append(r.Withheld, id)
			continue
		}
		if err != nil {
			return nil, err
		}
		fr := FamilyReport{Family: f}
		if fr.Versions, err = reg.FamilyHistory(ctx, id); err != nil {
			return nil, err
		}
		for _, m := range members {
			if m.ID != p.ID {
				fr.Members = append(fr.Members, Member{Name: m.Name, Relation: m.Relation, NIK: nik.Mask(m.NIK)})
			}
		}
		r.Families = append(r.Families, fr)
	}
	reached := make([]int64, 0, len(r.Families))
	for _, f := range r.Families {
		reached = append(reached, f.Family.ID)
	}
	if r.Access, err = access(ctx, reg.DB, p.ID, reached); err != nil {
		return nil, err
	}
	if r.Welfare, err = rankings(ctx, reg.DB, reached); err != nil {
		return nil, err
	}
	if r.Decisions, err = decisions(ctx, reg.DB, p.ID, reached); err != nil {
		return nil, err
	}
	return r, nil
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// access reads the audit entries about the person and their families, in order.
func access(ctx context.Context, db *store.DB, personID int64, families []int64) ([]Access, error) {
	type row struct {
		seq int64
		a   Access
	}
	var out []row
	seen := map[int64]bool{}
	read := func(q string, args ...any) error {
		rows, err := db.Query(ctx, `SELECT seq, at, actor, role, actor_region, action, object_type, object_id FROM audit_log WHERE `+q, args...)
		if err != nil {
			return fmt.Errorf("privacy: audit entries: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r row
			var at int64
			if err := rows.Scan(&r.seq, &at, &r.a.Actor, &r.a.Role, &r.a.ActorRegion, &r.a.Action, &r.a.Object, &r.a.ObjectID); err != nil {
				return err
			}
			if !seen[r.seq] {
				seen[r.seq] = true
				r.a.At = store.FromMicros(at)
				out = append(out, r)
			}
		}
		return rows.Err()
	}
	if err := read(`person_id = $1`, personID); err != nil {
		return nil, err
	}
	for _, f := range families {
		if err := read(`object_type = $1 AND object_id = $2`, audit.ObjFamily, f); err != nil {
			return nil, err
		}
		// A family created by a first load into an empty register is in the
		// range of one batch entry: the nearest one starting at or before it.
		var r row
		var at int64
		var after string
		err := db.QueryRow(ctx, `SELECT seq, at, actor, role, actor_region, action, object_type, object_id, after_data FROM audit_log
			WHERE action = $1 AND object_type = $2 AND object_id <= $3 ORDER BY object_id DESC, seq DESC LIMIT 1`,
			audit.ActImportBulk, audit.ObjRegister, f).Scan(&r.seq, &at, &r.a.Actor, &r.a.Role, &r.a.ActorRegion, &r.a.Action, &r.a.Object, &r.a.ObjectID, &after)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("privacy: audit entries: %w", err)
		}
		var batch struct {
			Last int64 `json:"keluarga_terakhir"`
		}
		if json.Unmarshal([]byte(after), &batch) == nil && f <= batch.Last && !seen[r.seq] {
			seen[r.seq] = true
			r.a.At = store.FromMicros(at)
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	list := make([]Access, len(out))
	for i, r := range out {
		list[i] = r.a
	}
	return list, nil
}

func rankings(ctx context.Context, db *store.DB, families []int64) ([]Ranking, error) {
	var out []Ranking
	for _, f := range families {
		rows, err := db.Query(ctx, `SELECT r.id, r.model_version, r.finished_at, s.decile, s.score FROM welfare_scores s
JOIN welfare_runs r ON r.id = s.run_id WHERE s.family_id = $1 AND r.finished_at IS NOT NULL ORDER BY r.id`, f)
		if err != nil {
			return nil, fmt.Errorf("privacy: rankings: %w", err)
		}
		for rows.Next() {
			k := Ranking{FamilyID: f}
			var at int64
			if err := rows.Scan(&k.RunID, &k.Model, &at, &k.Decile, &k.Score); err != nil {
				rows.Close()
				return nil, err
			}
			k.RankedAt = store.FromMicros(at)
			out = append(out, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decisions(ctx context.Context, db *store.DB, personID int64, families []int64) ([]Decision, error) {
	var out []Decision
	for _, f := range families {
		rows, err := db.Query(ctx, `SELECT d.id, d.program, d.period, d.number, d.status, i.family_id, i.status, i.amount, i.reasons
FROM determination_item i JOIN determination d ON d.id = i.determination_id
WHERE i.family_id = $1 AND (i.person_id = 0 OR i.person_id = $2) AND d.kind = 'penetapan' AND d.status IN ('final', 'superseded')
ORDER BY d.id`, f, personID)
		if err != nil {
			return nil, fmt.Errorf("privacy: determinations: %w", err)
		}
		for rows.Next() {
			var d Decision
			if err := rows.Scan(&d.DeterminationID, &d.Program, &d.Period, &d.Number, &d.State, &d.FamilyID, &d.Status, &d.Amount, &d.Reasons); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var wib = time.FixedZone("WIB", 7*3600)

func when(t time.Time) string { return t.In(wib).Format("2006-01-02 15:04:05 WIB") }

// WriteText writes the report as plain Indonesian text, for a person to read.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	p := &r.Person
	fmt.Fprintf(&b, "LAPORAN DATA PRIBADI (UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi)\nDibuat: %s\n\n", when(r.GeneratedAt))
	fmt.Fprintf(&b, "1. DATA ANDA SAAT INI\n")
	for _, kv := range [][2]string{{"NIK", p.NIK}, {"Nama", p.Name}, {"Jenis kelamin", p.Sex}, {"Tempat lahir", p.BirthPlace},
		{"Tanggal lahir", p.BirthDate}, {"Hubungan dalam keluarga", p.Relation}, {"Status perkawinan", p.MaritalStatus},
		{"Nama ibu kandung", p.MotherName}, {"Pendidikan", p.Education}, {"Jenjang sekolah", p.SchoolLevel}, {"Pekerjaan", p.Occupation},
		{"Disabilitas", p.Disability}, {"Tingkat disabilitas", p.DisabilitySeverity}, {"Hamil", yes(p.Pregnant)},
		{"Kategori PPKS", strings.Join(p.PPKS, ", ")}, {"Status", p.Status}, {"Alasan status", p.StatusReason}, {"Kode wilayah", p.VillageCode}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "   %-24s %s\n", kv[0]+":", kv[1])
		}
	}
	fmt.Fprintf(&b, "\n2. RIWAYAT DATA ANDA (%d versi)\n", len(r.Versions))
	for _, v := range r.Versions {
		fmt.Fprintf(&b, "   Versi %d, berlaku sejak %s, diubah oleh %s: %s\n", v.Version, when(v.ValidFrom), v.ChangedBy, v.ChangeReason)
	}
	fmt.Fprintf(&b, "\n3. KELUARGA\n")
	for _, f := range r.Families {
		fmt.Fprintf(&b, "   No. KK %s, %s RT %s RW %s, wilayah %s, status %s (%d versi)\n", f.Family.KK, f.Family.Address, f.Family.RT, f.Family.RW,
			f.Family.VillageCode, f.Family.Status, len(f.Versions))
		for _, m := range f.Members {
			fmt.Fprintf(&b, "     anggota lain: %s (%s)\n", m.Name, m.Relation)
		}
	}
	if len(r.Withheld) > 0 {
		fmt.Fprintf(&b, "   %d keluarga lain berada di luar wilayah petugas yang membuat laporan ini.\n", len(r.Withheld))
	}
	fmt.Fprintf(&b, "\n4. SIAPA MELIHAT ATAU MENGUBAH DATA ANDA (%d catatan)\n", len(r.Access))
	for _, a := range r.Access {
		fmt.Fprintf(&b, "   %s  %s (%s, wilayah %s): %s %s %d\n", when(a.At), a.Actor, a.Role, orNation(a.ActorRegion), a.Action, a.Object, a.ObjectID)
	}
	fmt.Fprintf(&b, "\n5. PEMERINGKATAN KESEJAHTERAAN (%d)\n", len(r.Welfare))
	for _, k := range r.Welfare {
		fmt.Fprintf(&b, "   %s, model %s: desil %d (skor %.2f)\n", when(k.RankedAt), k.Model, k.Decile, k.Score)
	}
	fmt.Fprintf(&b, "\n6. PENETAPAN PROGRAM BANTUAN (%d)\n", len(r.Decisions))
	for _, d := range r.Decisions {
		fmt.Fprintf(&b, "   %s periode %s (penetapan %d, %s): %s, Rp%d. %s\n", d.Program, d.Period, d.Number, d.State, d.Status, d.Amount, d.Reasons)
	}
	b.WriteString("\nAnda berhak meminta perbaikan data yang tidak benar dan mengajukan keberatan atas keputusan yang diambil secara otomatis.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func yes(v bool) string {
	if v {
		return "ya"
	}
	return ""
}

func orNation(code string) string {
	if code == "" {
		return "nasional"
	}
	return code
}
