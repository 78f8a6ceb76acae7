package proposal

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// Questionnaire is the household part of the register's questionnaire,
// the variables the welfare model reads of a family (docs/welfare-model.md),
// as found in the field. Codes are those of the register's import format.
type Questionnaire struct {
	Members        int      `json:"jumlah_anggota"`
	FloorMaterial  string   `json:"lantai"`
	WallMaterial   string   `json:"dinding"`
	RoofMaterial   string   `json:"atap"`
	WaterSource    string   `json:"sumber_air"`
	Sanitation     string   `json:"sanitasi"`
	Electricity    string   `json:"listrik"`
	CookingFuel    string   `json:"bahan_bakar"`
	HouseOwnership string   `json:"status_rumah"`
	LandOwnership  string   `json:"status_lahan"`
	FloorArea      int      `json:"luas_lantai"`
	Assets         []string `json:"aset"`
	Cattle         int      `json:"ternak_sapi"`
	Buffalo        int      `json:"ternak_kerbau"`
	Goats          int      `json:"ternak_kambing"`
	Pigs           int      `json:"ternak_babi"`
	Horses         int      `json:"ternak_kuda"`
	Poultry        int      `json:"ternak_unggas"`
}

// Check validates the answers; every coded answer is required.
func (q *Questionnaire) Check() error {
	var fe []errs.FieldError
	for _, x := range []struct {
		set *registry.CodeSet
		v   string
	}{{registry.FloorMaterial, q.FloorMaterial}, {registry.WallMaterial, q.WallMaterial}, {registry.RoofMaterial, q.RoofMaterial},
		{registry.WaterSource, q.WaterSource}, {registry.Sanitation, q.Sanitation}, {registry.Electricity, q.Electricity},
		{registry.CookingFuel, q.CookingFuel}, {registry.HouseOwnership, q.HouseOwnership}, {registry.LandOwnership, q.LandOwnership}} {
		switch {
		case x.v == "":
			fe = append(fe, errs.FieldError{Field: x.set.Field, Reason: "wajib diisi"})
		case !x.set.Has(x.v):
			fe = append(fe, errs.FieldError{Field: x.set.Field, Value: x.v, Reason: "kode tidak dikenal"})
		}
	}
	for _, a := range q.Assets {
		if !registry.Asset.Has(a) {
			fe = append(fe, errs.FieldError{Field: "aset", Value: a, Reason: "kode aset tidak dikenal"})
		}
	}
	if q.Members < 1 || q.Members > 50 {
		fe = append(fe, errs.FieldError{Field: "jumlah_anggota", Value: strconv.Itoa(q.Members), Reason: "jumlah anggota 1 s.d. 50"})
	}
	if q.FloorArea < 1 || q.FloorArea > 10000 {
		fe = append(fe, errs.FieldError{Field: "luas_lantai", Value: strconv.Itoa(q.FloorArea), Reason: "luas lantai 1 s.d. 10.000 m²"})
	}
	for i, n := range []int{q.Cattle, q.Buffalo, q.Goats, q.Pigs, q.Horses, q.Poultry} {
		if n < 0 || n > 100000 {
			fe = append(fe, errs.FieldError{Field: registry.Livestock[i], Value: strconv.Itoa(n), Reason: "jumlah ternak 0 s.d. 100.000"})
		}
	}
	return errs.Fields(fe)
}

// into copies the answers onto a family.
func (q *Questionnaire) into(f *registry.Family) {
	f.FloorMaterial, f.WallMaterial, f.RoofMaterial = q.FloorMaterial, q.WallMaterial, q.RoofMaterial
	f.WaterSource, f.Sanitation, f.Electricity, f.CookingFuel = q.WaterSource, q.Sanitation, q.Electricity, q.CookingFuel
	f.HouseOwnership, f.LandOwnership = q.HouseOwnership, q.LandOwnership
	area := q.FloorArea
	f.FloorArea = &area
	f.Assets = append([]string{}, q.Assets...)
	f.Cattle, f.Buffalo, f.Goats, f.Pigs, f.Horses, f.Poultry = q.Cattle, q.Buffalo, q.Goats, q.Pigs, q.Horses, q.Poultry
}

// Verification is a verivali recorded against an item.
type Verification struct {
	ID         int64
	ProposalID int64
	FamilyID   int64
	Status     string // terbuka, selesai
	OpenedBy   string
	OpenedAt   time.Time
	Answers    Questionnaire
	Result     string // sesuai, tidak_sesuai
	Note       string
	VerifiedBy string
	VerifiedAt *time.Time
}

// Verify records a field verification of an item: by a social worker or a
// village operator (proposal.verify) of its region, while the item is on
// its path, or on an upheld sanggah's open verification. result is sesuai
// (the household is as proposed) or tidak_sesuai.
func (s *Service) Verify(ctx context.Context, id int64, q Questionnaire, result, note string) (Verification, error) {
	p, err := actor(ctx, authz.ProposalVerify)
	if err != nil {
		return Verification{}, err
	}
	if result != "sesuai" && result != "tidak_sesuai" {
		return Verification{}, invalid("hasil", "hasil verivali: sesuai atau tidak_sesuai")
	}
	if err := q.Check(); err != nil {
		return Verification{}, err
	}
	raw, _ := json.Marshal(q)
	now := s.now()
	var v Verification
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		it, err := scanItem(tx.QueryRow(ctx, `SELECT `+itemCols+` FROM proposal WHERE id = $1`, id))
		if store.IsNoRows(err) || (err == nil && !authz.Contains(p.Region, it.VillageCode)) {
			return errs.NotFound("usulan %d", id)
		}
		if err != nil {
			return err
		}
		if !it.Status.Open() && it.Status != Upheld {
			return invalid("usulan", fmt.Sprintf("usulan berstatus %s: verivali hanya untuk usulan yang masih berjalan atau sanggahan yang diterima", it.Status.Label()))
		}
		if it.Kind == Objection && it.Status != Upheld {
			return invalid("usulan", "sanggahan diverifikasi setelah diterima Dinsos")
		}
		var openID sql.NullInt64
		err = tx.QueryRow(ctx, `SELECT id FROM verivali WHERE proposal_id = $1 AND status = 'terbuka' ORDER BY id LIMIT 1`, id).Scan(&openID)
		if err != nil && !store.IsNoRows(err) {
			return err
		}
		v = Verification{ProposalID: id, FamilyID: it.FamilyID, Status: "selesai", Answers: q, Result: result, Note: clean(note),
			VerifiedBy: p.Username, VerifiedAt: &now, OpenedBy: p.Username, OpenedAt: now}
		if openID.Valid {
			v.ID = openID.Int64
			_, err = tx.Exec(ctx, `UPDATE verivali SET status = 'selesai', answers = $2, result = $3, note = $4, verified_by = $5, verified_at = $6 WHERE id = $1`,
				v.ID, string(raw), result, v.Note, p.Username, store.Micros(now))
		} else {
			if v.ID, err = tx.ReserveIDs(ctx, "verivali", 1); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO verivali (id, proposal_id, family_id, village_code, status, opened_by, opened_at, answers, result, note, verified_by, verified_at)
				VALUES ($1, $2, $3, $4, 'selesai', $5, $6, $7, $8, $9, $5, $6)`,
				v.ID, id, nullID(it.FamilyID), it.VillageCode, p.Username, store.Micros(now), string(raw), result, v.Note)
		}
		if err != nil {
			return fmt.Errorf("proposal: verivali: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO proposal_step (proposal_id, at, step, status, actor, reason) VALUES ($1, $2, 'verivali', $3, $4, $5)`,
			id, store.Micros(now), string(it.Status), p.Username, result); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: ActVerify, ObjectType: ObjProposal, ObjectID: id, Region: it.VillageCode,
			After: map[string]any{"hasil": result, "verivali": v.ID}})
	})
	return v, err
}

// Verifications returns an item's verifications, newest first.
func (s *Service) Verifications(ctx context.Context, id int64) ([]Verification, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT id, proposal_id, COALESCE(family_id, 0), status, opened_by, opened_at, answers, result, note, verified_by, verified_at
		FROM verivali WHERE proposal_id = $1 ORDER BY id DESC`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Verification
	for rows.Next() {
		var v Verification
		var opened int64
		var verified sql.NullInt64
		var answers string
		if err := rows.Scan(&v.ID, &v.ProposalID, &v.FamilyID, &v.Status, &v.OpenedBy, &opened, &answers, &v.Result, &v.Note, &v.VerifiedBy, &verified); err != nil {
			return nil, err
		}
		v.OpenedAt = store.FromMicros(opened)
		if verified.Valid {
			t := store.FromMicros(verified.Int64)
			v.VerifiedAt = &t
		}
		_ = json.Unmarshal([]byte(answers), &v.Answers)
		out = append(out, v)
	}
	return out, rows.Err()
}

// answersInto copies the latest completed verification with result
// sesuai of an item onto the family about to be registered.
func (s *Service) answersInto(ctx context.Context, tx *store.Tx, id int64, f *registry.Family) error {
	var answers string
	err := tx.QueryRow(ctx, `SELECT answers FROM verivali WHERE proposal_id = $1 AND status = 'selesai' AND result = 'sesuai' ORDER BY id DESC LIMIT 1`, id).Scan(&answers)
	if store.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var q Questionnaire
	if err := json.Unmarshal([]byte(answers), &q); err != nil {
		return err
	}
	q.into(f)
	return nil
}
