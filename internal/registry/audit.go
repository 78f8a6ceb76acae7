package registry

import (
	"context"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/store"
)

// What of a record enters the audit trail (internal/audit). Identifiers
// are masked; health data, welfare categories that reveal sexual life,
// violence suffered or a child's situation, the mother's maiden name (a
// verification secret) and the home's coordinates are recorded as changed
// without their values; version metadata is the entry's own.
var (
	versionMeta = audit.Rules{"id": audit.Omit, "version": audit.Omit, "valid_from": audit.Omit, "valid_to": audit.Omit,
		"changed_by": audit.Omit, "change_reason": audit.Omit}
	familyRules = with(versionMeta, audit.Rules{"no_kk": audit.Mask, "lintang": audit.Hide, "bujur": audit.Hide})
	personRules = with(versionMeta, audit.Rules{"nik": audit.Mask, "nama_ibu": audit.Hide, "disabilitas": audit.Hide,
		"tingkat_disabilitas": audit.Hide, "hamil": audit.Hide, "ppks": audit.Hide})
)

func with(a, b audit.Rules) audit.Rules {
	out := audit.Rules{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// entry starts an audit entry for a change made by e. The actor is the
// principal of ctx; without one (the command line) it is e.Actor.
func (e Edit) entry(ctx context.Context, action, objectType string, id, personID int64, region string, at time.Time) audit.Entry {
	en := audit.Entry{Action: action, ObjectType: objectType, ObjectID: id, PersonID: personID, Region: region, At: at}
	if _, ok := authz.From(ctx); !ok {
		en.Actor = e.Actor
	}
	return en
}

// created is the entry of a new record: its redacted content.
func (e Edit) created(ctx context.Context, action, objectType string, id, personID int64, region string, at time.Time,
	v any, rules audit.Rules) audit.Entry {
	en := e.entry(ctx, action, objectType, id, personID, region, at)
	en.After = audit.Snapshot(v, rules)
	en.After = put(en.After, "versi", 1)
	en.After["alasan_perubahan"] = audit.MaskDigits(e.Reason)
	return en
}

// changed is the entry of a new version: the changed fields before and after.
func (e Edit) changed(ctx context.Context, action, objectType string, id, personID int64, region string, at time.Time,
	old, cur any, oldVersion, version int, rules audit.Rules) audit.Entry {
	en := e.entry(ctx, action, objectType, id, personID, region, at)
	en.Before, en.After = audit.Changes(old, cur, rules)
	en.Before = put(en.Before, "versi", oldVersion)
	en.After = put(en.After, "versi", version)
	en.After["alasan_perubahan"] = audit.MaskDigits(e.Reason)
	return en
}

func put(m map[string]any, k string, v any) map[string]any {
	if m == nil {
		m = map[string]any{}
	}
	m[k] = v
	return m
}

// recordView writes the audit entry of a view in a transaction of its
// own. The record is shown only if this succeeds: no view without its entry.
func (r *Registry) recordView(ctx context.Context, action, objectType string, id, personID int64, region string, detail map[string]any) error {
	return r.DB.Write(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: action, ObjectType: objectType, ObjectID: id, PersonID: personID,
			Region: region, After: detail})
	})
}

func asOfDetail(asOf time.Time) map[string]any {
	if asOf.IsZero() {
		return nil
	}
	return map[string]any{"pada": asOf.UTC().Format(time.RFC3339Nano)}
}

// ViewFamily is GetFamily for showing a family's full record (its members
// with their NIKs): the view is written to the audit trail first.
// Lists and searches use the other readers and write nothing.
func (r *Registry) ViewFamily(ctx context.Context, id int64, asOf time.Time) (Family, []Person, error) {
	f, members, err := r.GetFamily(ctx, id, asOf)
	if err != nil {
		return f, members, err
	}
	if err := r.recordView(ctx, audit.ActView, audit.ObjFamily, id, 0, f.VillageCode, asOfDetail(asOf)); err != nil {
		return Family{}, nil, err
	}
	return f, members, nil
}

// ViewPerson is GetPerson for showing a person's full record, written to
// the audit trail first.
func (r *Registry) ViewPerson(ctx context.Context, id int64, asOf time.Time) (Person, error) {
	p, err := r.GetPerson(ctx, id, asOf)
	if err != nil {
		return p, err
	}
	if err := r.recordView(ctx, audit.ActView, audit.ObjPerson, id, id, p.VillageCode, asOfDetail(asOf)); err != nil {
		return Person{}, err
	}
	return p, nil
}

// ViewPersonByNIK is FindByNIK for showing the record found, written to
// the audit trail first (noting that the viewer knew the NIK).
func (r *Registry) ViewPersonByNIK(ctx context.Context, n string) (Person, error) {
	p, err := r.FindByNIK(ctx, n)
	if err != nil {
		return p, err
	}
	if err := r.recordView(ctx, audit.ActView, audit.ObjPerson, p.ID, p.ID, p.VillageCode, map[string]any{"dicari_dengan": "nik"}); err != nil {
		return Person{}, err
	}
	return p, nil
}

// ViewFamilyByKK is FindByKK and GetFamily for showing the family found,
// written to the audit trail first.
func (r *Registry) ViewFamilyByKK(ctx context.Context, kk string) (Family, []Person, error) {
	f, err := r.FindByKK(ctx, kk)
	if err != nil {
		return f, nil, err
	}
	f, members, err := r.GetFamily(ctx, f.ID, time.Time{})
	if err != nil {
		return f, nil, err
	}
	if err := r.recordView(ctx, audit.ActView, audit.ObjFamily, f.ID, 0, f.VillageCode, map[string]any{"dicari_dengan": "no_kk"}); err != nil {
		return Family{}, nil, err
	}
	return f, members, nil
}

// ViewFamilyHistory is FamilyHistory for showing it, written to the audit trail first.
func (r *Registry) ViewFamilyHistory(ctx context.Context, id int64) ([]Family, error) {
	h, err := r.FamilyHistory(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := r.recordView(ctx, audit.ActViewHistory, audit.ObjFamily, id, 0, h[len(h)-1].VillageCode, nil); err != nil {
		return nil, err
	}
	return h, nil
}

// ViewPersonHistory is PersonHistory for showing it, written to the audit trail first.
func (r *Registry) ViewPersonHistory(ctx context.Context, id int64) ([]Person, error) {
	h, err := r.PersonHistory(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := r.recordView(ctx, audit.ActViewHistory, audit.ObjPerson, id, id, h[len(h)-1].VillageCode, nil); err != nil {
		return nil, err
	}
	return h, nil
}

// bulkEntry is the audit entry of one batch of a first load into an empty
// register. The batch's families have the contiguous IDs first..last (and
// their members likewise), and each of their rows records who wrote it,
// when and why; the entry names the range, so the trail of a national load
// is a few hundred entries, not one per family. The region is what the
// batch's villages share (national when they share nothing), so that the
// entry is seen by every office whose families it holds. The privacy
// report finds a family's entry by its ID (privacy.access).
func bulkEntry(ctx context.Context, o ImportOptions, batch []*importFamily, people int64, at time.Time) audit.Entry {
	first, last := batch[0], batch[len(batch)-1]
	region := first.fam.VillageCode
	for _, f := range batch[1:] {
		region = commonRegion(region, f.fam.VillageCode)
	}
	e := Edit{Actor: o.Actor, Reason: o.Reason}
	en := e.entry(ctx, audit.ActImportBulk, audit.ObjRegister, first.fam.ID, 0, region, at)
	en.After = map[string]any{"keluarga_pertama": first.fam.ID, "keluarga_terakhir": last.fam.ID,
		"keluarga": len(batch), "jiwa": people, "baris_pertama": first.pos[0].String(),
		"baris_terakhir": last.pos[len(last.pos)-1].String(), "alasan_perubahan": audit.MaskDigits(o.Reason)}
	return en
}

// commonRegion is the longest region code both codes lie in ("" for none).
func commonRegion(a, b string) string {
	for a != "" && b != a && !strings.HasPrefix(b, a+".") {
		if i := strings.LastIndexByte(a, '.'); i >= 0 {
			a = a[:i]
		} else {
			a = ""
		}
	}
	return a
}

// importEntry is the audit entry of one family written by an import.
func importEntry(ctx context.Context, o ImportOptions, f *Family, famState string, pAdded, pChanged int, at time.Time) audit.Entry {
	e := Edit{Actor: o.Actor, Reason: o.Reason}
	en := e.entry(ctx, audit.ActImportFamily, audit.ObjFamily, f.ID, 0, f.VillageCode, at)
	en.After = map[string]any{"no_kk": nik.Mask(f.KK), "keluarga": famState, "versi": f.Version,
		"anggota_baru": pAdded, "anggota_berubah": pChanged, "alasan_perubahan": audit.MaskDigits(o.Reason)}
	return en
}
