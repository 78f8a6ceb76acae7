package registry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/store"
)

// Registry reads and changes the register.
type Registry struct {
	DB *store.DB
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// tx, when set (InTx), is the caller's transaction that writes run in.
	tx *store.Tx
	// nameKeyChunk, when set, replaces nameKeyChunk (tests).
	nameKeyChunk int
}

// InTx returns a Registry whose writes run inside tx, the caller's write
// transaction, instead of their own: a change applied by another package
// (a ratified proposal) commits or rolls back with that package's own rows.
func (r *Registry) InTx(tx *store.Tx) *Registry {
	c := *r
	c.tx = tx
	return &c
}

// write runs fn in the caller's transaction (InTx) or in a new one.
func (r *Registry) write(ctx context.Context, fn func(*store.Tx) error) error {
	if r.tx != nil {
		return fn(r.tx)
	}
	return r.DB.Write(ctx, fn)
}

// New returns a Registry on db.
func New(db *store.DB) *Registry { return &Registry{DB: db, Now: store.Now} }

// Edit says who makes a change and why; both are kept with the new version.
type Edit struct {
	Actor  string
	Reason string
}

func (e Edit) check() error {
	if strings.TrimSpace(e.Actor) == "" {
		return errors.New("registry: change without actor")
	}
	if strings.TrimSpace(e.Reason) == "" {
		return &errs.Invalid{Fields: []errs.FieldError{{Field: "alasan", Reason: "alasan perubahan wajib diisi"}}}
	}
	return nil
}

// checker returns a Checker that looks regions up in the database.
func (r *Registry) checker(ctx context.Context) *Checker {
	return &Checker{
		Now: r.Now(),
		VillageKnown: func(code string) bool {
			var n int
			err := r.DB.QueryRow(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1 AND level = 4 AND active`, code).Scan(&n)
			return err == nil && n > 0
		},
		DistrictKnown: func(code string) bool {
			var n int
			err := r.DB.QueryRow(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1 AND level = 3`, code).Scan(&n)
			return err == nil && n > 0
		},
	}
}

// validateFamily checks a family and its members and returns an *errs.Invalid
// naming member fields as "anggota[i].field".
func (r *Registry) validateFamily(ctx context.Context, f *Family, members []Person) ([]errs.FieldError, error) {
	c := r.checker(ctx)
	fe := c.CheckFamily(f)
	famErrs, memberErrs := CheckFamilyMembers(members)
	fe = append(fe, famErrs...)
	for i := range members {
		for _, e := range append(c.CheckPerson(&members[i]), memberErrs[i]...) {
			e.Field = fmt.Sprintf("anggota[%d].%s", i, e.Field)
			fe = append(fe, e)
		}
	}
	return fe, errs.Fields(fe)
}

// CreateFamily registers a new family with its members and returns the stored versions.
func (r *Registry) CreateFamily(ctx context.Context, e Edit, f Family, members []Person) (Family, []Person, error) {
	if err := e.check(); err != nil {
		return f, nil, err
	}
	normalizeFamily(&f)
	for i := range members {
		normalizePerson(&members[i])
	}
	if _, err := r.validateFamily(ctx, &f, members); err != nil {
		return f, nil, err
	}
	if !authz.Contains(authz.Scope(ctx), f.VillageCode) {
		return f, nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "kode_wilayah", Value: f.VillageCode, Reason: "wilayah di luar wewenang Anda"}}}
	}
	now := r.Now()
	err := r.write(ctx, func(tx *store.Tx) error {
		if err := existingKK(ctx, tx, f.KK); err != nil {
			return err
		}
		niks := make([]string, len(members))
		for i := range members {
			niks[i] = members[i].NIK
		}
		if err := existingNIKs(ctx, tx, niks); err != nil {
			return err
		}
		fid, err := tx.ReserveIDs(ctx, "family", 1)
		if err != nil {
			return err
		}
		f.ID, f.Version, f.Change = fid, 1, Change{ValidFrom: now, ChangedBy: e.Actor, ChangeReason: e.Reason}
		if _, err := tx.CopyFrom(ctx, "family", familyCols, [][]any{familyValues(&f)}); err != nil {
			return err
		}
		trail := []audit.Entry{e.created(ctx, audit.ActFamilyCreate, audit.ObjFamily, fid, 0, f.VillageCode, now, &f, familyRules)}
		if len(members) > 0 {
			pid, err := tx.ReserveIDs(ctx, "person", int64(len(members)))
			if err != nil {
				return err
			}
			rows := make([][]any, len(members))
			for i := range members {
				p := &members[i]
				p.ID, p.Version, p.FamilyID, p.VillageCode = pid+int64(i), 1, fid, f.VillageCode
				p.Change = f.Change
				rows[i] = personValues(p)
				trail = append(trail, e.created(ctx, audit.ActPersonCreate, audit.ObjPerson, p.ID, p.ID, p.VillageCode, now, p, personRules))
			}
			if _, err := tx.CopyFrom(ctx, "person", personCols, rows); err != nil {
				return err
			}
		}
		return audit.RecordMany(ctx, tx, trail)
	})
	return f, members, err
}

func existingKK(ctx context.Context, tx *store.Tx, kk string) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM family WHERE kk = $1 AND valid_to IS NULL`, kk).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &errs.Invalid{Fields: []errs.FieldError{{Field: "no_kk", Value: nik.Mask(kk), Reason: "No. KK sudah terdaftar"}}}
	}
	return nil
}

func existingNIKs(ctx context.Context, tx *store.Tx, niks []string) error {
	if len(niks) == 0 {
		return nil
	}
	args := make([]any, len(niks))
	for i, n := range niks {
		args[i] = n
	}
	rows, err := tx.Query(ctx, `SELECT nik FROM person WHERE valid_to IS NULL AND nik IN (`+tx.Engine().Params(1, len(niks))+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var fe []errs.FieldError
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		fe = append(fe, errs.FieldError{Field: "nik", Value: nik.Mask(n), Reason: "NIK sudah terdaftar di register"})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return errs.Fields(fe)
}

func normalizeFamily(f *Family) {
	f.KK = strings.TrimSpace(f.KK)
	f.VillageCode = strings.TrimSpace(f.VillageCode)
	f.Address = CleanName(f.Address)
	if f.Status == "" {
		f.Status = "aktif"
	}
	if f.Assets == nil {
		f.Assets = []string{}
	}
}

func normalizePerson(p *Person) {
	p.NIK = strings.TrimSpace(p.NIK)
	p.Name = CleanName(p.Name)
	p.Sex = strings.ToUpper(strings.TrimSpace(p.Sex))
	p.MotherName = CleanName(p.MotherName)
	p.BirthPlace = CleanName(p.BirthPlace)
	if d, ok := ParseDate(p.BirthDate); ok {
		p.BirthDate = d
	}
	if p.Status == "" {
		p.Status = "aktif"
	}
	if p.PPKS == nil {
		p.PPKS = []string{}
	}
}

// asOfClause selects the version valid at a time, or the current one when t is zero.
func asOfClause(t time.Time, argN int) (string, []any) {
	if t.IsZero() {
		return "valid_to IS NULL", nil
	}
	return fmt.Sprintf("valid_from <= $%d AND (valid_to IS NULL OR valid_to > $%d)", argN, argN), []any{store.Micros(t)}
}

// GetFamily returns a family and its members as they were at asOf (zero: now).
func (r *Registry) GetFamily(ctx context.Context, id int64, asOf time.Time) (Family, []Person, error) {
	cond, args := asOfClause(asOf, 2)
	sc, scArgs := scopeCond(ctx, 2+len(args))
	f, err := scanFamily(r.DB.QueryRow(ctx, familySelect+` WHERE id = $1 AND `+cond+sc, append(append([]any{id}, args...), scArgs...)...))
	if store.IsNoRows(err) {
		return f, nil, errs.NotFound("keluarga %d", id)
	}
	if err != nil {
		return f, nil, fmt.Errorf("registry: get family: %w", err)
	}
	members, err := r.queryPeople(ctx, personSelect+` WHERE family_id = $1 AND `+cond+` ORDER BY id`, append([]any{id}, args...)...)
	return f, members, err
}

// GetPerson returns a person as they were at asOf (zero: now).
func (r *Registry) GetPerson(ctx context.Context, id int64, asOf time.Time) (Person, error) {
	cond, args := asOfClause(asOf, 2)
	sc, scArgs := scopeCond(ctx, 2+len(args))
	p, err := scanPerson(r.DB.QueryRow(ctx, personSelect+` WHERE id = $1 AND `+cond+sc, append(append([]any{id}, args...), scArgs...)...))
	if store.IsNoRows(err) {
		return p, errs.NotFound("orang %d", id)
	}
	if err != nil {
		return p, fmt.Errorf("registry: get person: %w", err)
	}
	return p, nil
}

// FindByNIK returns the current record holding a NIK.
func (r *Registry) FindByNIK(ctx context.Context, n string) (Person, error) {
	sc, scArgs := scopeCond(ctx, 2)
	p, err := scanPerson(r.DB.QueryRow(ctx, personSelect+` WHERE nik = $1 AND valid_to IS NULL`+sc, append([]any{strings.TrimSpace(n)}, scArgs...)...))
	if store.IsNoRows(err) {
		return p, errs.NotFound("NIK tidak ditemukan")
	}
	return p, err
}

// FindByKK returns the current family holding a KK number.
func (r *Registry) FindByKK(ctx context.Context, kk string) (Family, error) {
	sc, scArgs := scopeCond(ctx, 2)
	f, err := scanFamily(r.DB.QueryRow(ctx, familySelect+` WHERE kk = $1 AND valid_to IS NULL`+sc, append([]any{strings.TrimSpace(kk)}, scArgs...)...))
	if store.IsNoRows(err) {
		return f, errs.NotFound("No. KK tidak ditemukan")
	}
	return f, err
}

// FamilyHistory returns every version of a family, oldest first.
func (r *Registry) FamilyHistory(ctx context.Context, id int64) ([]Family, error) {
	if _, _, err := r.GetFamily(ctx, id, time.Time{}); err != nil {
		return nil, err
	}
	rows, err := r.DB.Query(ctx, familySelect+` WHERE id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("registry: family history: %w", err)
	}
	defer rows.Close()
	var out []Family
	for rows.Next() {
		f, err := scanFamily(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errs.NotFound("keluarga %d", id)
	}
	return out, nil
}

// PersonHistory returns every version of a person, oldest first.
func (r *Registry) PersonHistory(ctx context.Context, id int64) ([]Person, error) {
	if _, err := r.GetPerson(ctx, id, time.Time{}); err != nil {
		return nil, err
	}
	out, err := r.queryPeople(ctx, personSelect+` WHERE id = $1 ORDER BY version`, id)
	if err == nil && len(out) == 0 {
		return nil, errs.NotFound("orang %d", id)
	}
	return out, err
}

func (r *Registry) queryPeople(ctx context.Context, q string, args ...any) ([]Person, error) {
	rows, err := r.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: query people: %w", err)
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UpdateFamily records a new version of a family's own attributes. version
// must be the current version (optimistic locking); members whose village
// changes with the family get new versions too.
func (r *Registry) UpdateFamily(ctx context.Context, e Edit, id int64, version int, f Family) (Family, error) {
	return r.updateFamily(ctx, e, id, version, f, audit.ActFamilyUpdate)
}

// updateFamily is UpdateFamily recording the given audit action.
func (r *Registry) updateFamily(ctx context.Context, e Edit, id int64, version int, f Family, action string) (Family, error) {
	if err := e.check(); err != nil {
		return f, err
	}
	normalizeFamily(&f)
	if err := errs.Fields(r.checker(ctx).CheckFamily(&f)); err != nil {
		return f, err
	}
	now := r.Now()
	err := r.write(ctx, func(tx *store.Tx) error {
		old, err := scanFamily(tx.QueryRow(ctx, familySelect+` WHERE id = $1 AND valid_to IS NULL`, id))
		if store.IsNoRows(err) {
			return errs.NotFound("keluarga %d", id)
		}
		if err != nil {
			return err
		}
		if err := inScope(ctx, old.VillageCode, fmt.Sprintf("keluarga %d", id)); err != nil {
			return err
		}
		if !authz.Contains(authz.Scope(ctx), f.VillageCode) {
			return &errs.Invalid{Fields: []errs.FieldError{{Field: "kode_wilayah", Value: f.VillageCode, Reason: "wilayah di luar wewenang Anda"}}}
		}
		if old.Version != version {
			return errs.Conflict("keluarga sudah diubah orang lain (versi %d, bukan %d); muat ulang", old.Version, version)
		}
		if f.KK != old.KK {
			if err := existingKK(ctx, tx, f.KK); err != nil {
				return err
			}
		}
		f.ID = id
		if f.Hash() == old.Hash() {
			f = old
			return nil
		}
		if err := newFamilyVersion(ctx, tx, &old, &f, now, e); err != nil {
			return err
		}
		trail := []audit.Entry{e.changed(ctx, action, audit.ObjFamily, id, 0, f.VillageCode, now, &old, &f, old.Version, f.Version, familyRules)}
		if f.VillageCode != old.VillageCode {
			moved, err := moveMembersVillage(ctx, tx, id, f.VillageCode, now, e)
			if err != nil {
				return err
			}
			trail = append(trail, moved...)
		}
		return audit.RecordMany(ctx, tx, trail)
	})
	return f, err
}

func newFamilyVersion(ctx context.Context, tx *store.Tx, old, f *Family, now time.Time, e Edit) error {
	res, err := tx.Exec(ctx, `UPDATE family SET valid_to = $1 WHERE id = $2 AND version = $3 AND valid_to IS NULL`,
		store.Micros(now), old.ID, old.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.Conflict("keluarga sudah diubah orang lain")
	}
	f.ID, f.Version = old.ID, old.Version+1
	f.Change = Change{ValidFrom: now, ChangedBy: e.Actor, ChangeReason: e.Reason}
	_, err = tx.CopyFrom(ctx, "family", familyCols, [][]any{familyValues(f)})
	return err
}

func newPersonVersion(ctx context.Context, tx *store.Tx, old, p *Person, now time.Time, e Edit) error {
	res, err := tx.Exec(ctx, `UPDATE person SET valid_to = $1 WHERE id = $2 AND version = $3 AND valid_to IS NULL`,
		store.Micros(now), old.ID, old.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.Conflict("data orang sudah diubah orang lain")
	}
	p.ID, p.Version = old.ID, old.Version+1
	p.Change = Change{ValidFrom: now, ChangedBy: e.Actor, ChangeReason: e.Reason}
	_, err = tx.CopyFrom(ctx, "person", personCols, [][]any{personValues(p)})
	return err
}

// moveMembersVillage writes a new version of every current member with
// the family's new village and returns their audit entries.
func moveMembersVillage(ctx context.Context, tx *store.Tx, familyID int64, village string, now time.Time, e Edit) ([]audit.Entry, error) {
	rows, err := tx.Query(ctx, personSelect+` WHERE family_id = $1 AND valid_to IS NULL`, familyID)
	if err != nil {
		return nil, err
	}
	var members []Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		members = append(members, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var trail []audit.Entry
	for i := range members {
		old := members[i]
		p := old
		p.VillageCode = village
		if err := newPersonVersion(ctx, tx, &old, &p, now, e); err != nil {
			return nil, err
		}
		trail = append(trail, e.changed(ctx, audit.ActPersonUpdate, audit.ObjPerson, p.ID, p.ID, village, now, &old, &p, old.Version, p.Version, personRules))
	}
	return trail, nil
}

// SetFamilyStatus changes a family's status, for example to put it to sleep
// (ditidurkan) with a reason. Nothing is deleted.
func (r *Registry) SetFamilyStatus(ctx context.Context, e Edit, id int64, version int, status, reason string) (Family, error) {
	f, _, err := r.GetFamily(ctx, id, time.Time{})
	if err != nil {
		return f, err
	}
	f.Status, f.StatusReason = status, reason
	return r.updateFamily(ctx, e, id, version, f, audit.ActFamilyStatus)
}

// AddMember adds a new person to an existing family.
func (r *Registry) AddMember(ctx context.Context, e Edit, familyID int64, p Person) (Person, error) {
	if err := e.check(); err != nil {
		return p, err
	}
	normalizePerson(&p)
	if err := errs.Fields(r.checker(ctx).CheckPerson(&p)); err != nil {
		return p, err
	}
	now := r.Now()
	err := r.write(ctx, func(tx *store.Tx) error {
		f, err := scanFamily(tx.QueryRow(ctx, familySelect+` WHERE id = $1 AND valid_to IS NULL`, familyID))
		if store.IsNoRows(err) {
			return errs.NotFound("keluarga %d", familyID)
		}
		if err != nil {
			return err
		}
		if err := inScope(ctx, f.VillageCode, fmt.Sprintf("keluarga %d", familyID)); err != nil {
			return err
		}
		if err := existingNIKs(ctx, tx, []string{p.NIK}); err != nil {
			return err
		}
		if p.Relation == "kepala_keluarga" {
			var heads int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM person WHERE family_id = $1 AND valid_to IS NULL AND relation = 'kepala_keluarga' AND status = 'aktif'`, familyID).Scan(&heads); err != nil {
				return err
			}
			if heads > 0 {
				return &errs.Invalid{Fields: []errs.FieldError{{Field: "hubungan", Value: p.Relation, Reason: "keluarga ini sudah punya kepala keluarga"}}}
			}
		}
		id, err := tx.ReserveIDs(ctx, "person", 1)
		if err != nil {
			return err
		}
		p.ID, p.Version, p.FamilyID, p.VillageCode = id, 1, f.ID, f.VillageCode
		p.Change = Change{ValidFrom: now, ChangedBy: e.Actor, ChangeReason: e.Reason}
		if _, err = tx.CopyFrom(ctx, "person", personCols, [][]any{personValues(&p)}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, e.created(ctx, audit.ActPersonCreate, audit.ObjPerson, p.ID, p.ID, p.VillageCode, now, &p, personRules))
	})
	return p, err
}

// UpdatePerson records a new version of a person. Moving the person to
// another family is done by setting FamilyID; the membership of the old
// family ends at this version.
func (r *Registry) UpdatePerson(ctx context.Context, e Edit, id int64, version int, p Person) (Person, error) {
	return r.updatePerson(ctx, e, id, version, p, audit.ActPersonUpdate)
}

// updatePerson is UpdatePerson recording the given audit action.
func (r *Registry) updatePerson(ctx context.Context, e Edit, id int64, version int, p Person, action string) (Person, error) {
	if err := e.check(); err != nil {
		return p, err
	}
	normalizePerson(&p)
	if err := errs.Fields(r.checker(ctx).CheckPerson(&p)); err != nil {
		return p, err
	}
	now := r.Now()
	err := r.write(ctx, func(tx *store.Tx) error {
		old, err := scanPerson(tx.QueryRow(ctx, personSelect+` WHERE id = $1 AND valid_to IS NULL`, id))
		if store.IsNoRows(err) {
			return errs.NotFound("orang %d", id)
		}
		if err != nil {
			return err
		}
		if err := inScope(ctx, old.VillageCode, fmt.Sprintf("orang %d", id)); err != nil {
			return err
		}
		if old.Version != version {
			return errs.Conflict("data orang sudah diubah orang lain (versi %d, bukan %d); muat ulang", old.Version, version)
		}
		if p.NIK != old.NIK {
			if err := existingNIKs(ctx, tx, []string{p.NIK}); err != nil {
				return err
			}
		}
		if p.FamilyID == 0 {
			p.FamilyID = old.FamilyID
		}
		f, err := scanFamily(tx.QueryRow(ctx, familySelect+` WHERE id = $1 AND valid_to IS NULL`, p.FamilyID))
		if store.IsNoRows(err) || (err == nil && !authz.Contains(authz.Scope(ctx), f.VillageCode)) {
			return &errs.Invalid{Fields: []errs.FieldError{{Field: "family_id", Reason: "keluarga tujuan tidak ada"}}}
		}
		if err != nil {
			return err
		}
		p.VillageCode = f.VillageCode
		p.ID = id
		if p.Hash() == old.Hash() {
			p = old
			return nil
		}
		if err := newPersonVersion(ctx, tx, &old, &p, now, e); err != nil {
			return err
		}
		return audit.Record(ctx, tx, e.changed(ctx, action, audit.ObjPerson, id, id, p.VillageCode, now, &old, &p, old.Version, p.Version, personRules))
	})
	return p, err
}

// SetPersonStatus changes a person's status (aktif, meninggal, pindah, ditidurkan) with a reason.
func (r *Registry) SetPersonStatus(ctx context.Context, e Edit, id int64, version int, status, reason string) (Person, error) {
	p, err := r.GetPerson(ctx, id, time.Time{})
	if err != nil {
		return p, err
	}
	p.Status, p.StatusReason = status, reason
	return r.updatePerson(ctx, e, id, version, p, audit.ActPersonStatus)
}
