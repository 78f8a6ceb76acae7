package determination

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// scope narrows a requested region to the caller's (authz.Narrow); a region
// outside it is refused.
func scope(ctx context.Context, requested string) (string, error) {
	s, ok := authz.Narrow(ctx, requested)
	if !ok {
		return "", fmt.Errorf("wilayah %s di luar wewenang Anda: %w", requested, errs.ErrForbidden)
	}
	return s, nil
}

// scopeRange is the village-code range of a region: codes c with lo <= c < hi.
func scopeRange(s string) (lo, hi string) {
	if s == "" {
		return "", "~"
	}
	return s, s + "/"
}

// childLen is the length of the codes one level below a region code.
func childLen(s string) int {
	switch len(s) {
	case 0:
		return 2
	case 2:
		return 5
	case 5:
		return 8
	}
	return 13
}

// RegionRow is one region's counts in a determination: units and rupiah
// per item status, and the comparison with the base — entered (new), left
// (graduated), amount changed (continuing with another amount) and the
// base's recipients and rupiah.
type RegionRow struct {
	Region     string           `json:"region"`
	Status     map[string]Count `json:"status"`
	Recipients int64            `json:"recipients"`
	Amount     int64            `json:"amount"`
	Entered    int64            `json:"entered"`
	Left       int64            `json:"left"`
	Changed    int64            `json:"changed_amount"`
	BaseUnits  int64            `json:"base_recipients"`
	BaseAmount int64            `json:"base_amount"`
}

// ByRegion counts a determination's items per region one level below
// region (the caller's scope when ""), within the caller's scope. Base
// recipients no longer in the register are not counted here (see
// Summary.Missing).
func (s *Service) ByRegion(ctx context.Context, id int64, region string) ([]RegionRow, error) {
	sc, err := scope(ctx, region)
	if err != nil {
		return nil, err
	}
	lo, hi := scopeRange(sc)
	n := childLen(sc)
	rows, err := s.DB.Query(ctx, fmt.Sprintf(`SELECT substr(village_code, 1, %d), status, COUNT(*), COALESCE(SUM(amount), 0),
		COALESCE(SUM(CASE WHEN status = 'continuing' AND amount <> base_amount THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN base_recipient THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN base_recipient THEN base_amount ELSE 0 END), 0)
		FROM determination_item WHERE determination_id = $1 AND village_code >= $2 AND village_code < $3
		GROUP BY substr(village_code, 1, %d), status ORDER BY 1`, n, n), id, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("determination: by region: %w", err)
	}
	defer rows.Close()
	out := []RegionRow{}
	for rows.Next() {
		var code, st string
		var c Count
		var changed, bu, ba int64
		if err := rows.Scan(&code, &st, &c.Units, &c.Amount, &changed, &bu, &ba); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].Region != code {
			out = append(out, RegionRow{Region: code, Status: map[string]Count{}})
		}
		r := &out[len(out)-1]
		r.Status[st] = c
		r.Changed += changed
		r.BaseUnits += bu
		r.BaseAmount += ba
		if Recipient(st) {
			r.Recipients += c.Units
			r.Amount += c.Amount
		}
		switch st {
		case ItemNew:
			r.Entered += c.Units
		case ItemGraduated:
			r.Left += c.Units
		}
	}
	return out, rows.Err()
}

// Item is one family's (or person's) line of a determination.
type Item struct {
	FamilyID      int64    `json:"family_id"`
	PersonID      int64    `json:"person_id,omitempty"`
	VillageCode   string   `json:"village_code"`
	Decile        int      `json:"decile"`
	Eligible      bool     `json:"eligible"`
	Status        string   `json:"status"`
	StatusLabel   string   `json:"status_label"`
	Amount        int64    `json:"amount"`
	BaseRecipient bool     `json:"base_recipient"`
	BaseAmount    int64    `json:"base_amount"`
	ReasonCodes   []string `json:"reason_codes"`
	Reasons       string   `json:"reasons"`
}

// ItemOptions select items. Zero values: every item of the caller's scope.
type ItemOptions struct {
	Region string
	// Status keeps one item status; Changes keeps the diff against the
	// base: new, graduated, and continuing with another amount.
	Status  string
	Changes bool
	// After pages: items after (AfterFamily, AfterPerson) in ID order.
	AfterFamily, AfterPerson int64
	Limit                    int // default 100, at most 1000 (0 with Each: no limit)
}

const itemSelect = `SELECT family_id, person_id, village_code, decile, eligible, status, amount, base_recipient, base_amount,
	reason_codes, reasons FROM determination_item`

func (o *ItemOptions) query(ctx context.Context, id int64) (string, []any, error) {
	sc, err := scope(ctx, o.Region)
	if err != nil {
		return "", nil, err
	}
	lo, hi := scopeRange(sc)
	q := itemSelect + ` WHERE determination_id = $1 AND village_code >= $2 AND village_code < $3
		AND (family_id > $4 OR (family_id = $4 AND person_id > $5))`
	args := []any{id, lo, hi, o.AfterFamily, o.AfterPerson}
	if o.Status != "" {
		args = append(args, o.Status)
		q += " AND status = $" + strconv.Itoa(len(args))
	}
	if o.Changes {
		q += " AND (status IN ('new', 'graduated') OR (status = 'continuing' AND amount <> base_amount))"
	}
	q += " ORDER BY family_id, person_id"
	if o.Limit > 0 {
		args = append(args, o.Limit)
		q += " LIMIT $" + strconv.Itoa(len(args))
	}
	return q, args, nil
}

// Items lists items in family and person ID order within the caller's scope.
func (s *Service) Items(ctx context.Context, id int64, o ItemOptions) ([]Item, error) {
	if o.Limit <= 0 || o.Limit > 1000 {
		o.Limit = 100
	}
	out := []Item{}
	err := s.each(ctx, id, o, func(it *Item) error {
		out = append(out, *it)
		return nil
	})
	return out, err
}

func (s *Service) each(ctx context.Context, id int64, o ItemOptions, fn func(*Item) error) error {
	q, args, err := o.query(ctx, id)
	if err != nil {
		return err
	}
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("determination: items: %w", err)
	}
	defer rows.Close()
	var it Item
	for rows.Next() {
		var codes string
		if err := rows.Scan(&it.FamilyID, &it.PersonID, &it.VillageCode, &it.Decile, &it.Eligible, &it.Status, &it.Amount,
			&it.BaseRecipient, &it.BaseAmount, &codes, &it.Reasons); err != nil {
			return fmt.Errorf("determination: items: %w", err)
		}
		it.StatusLabel = ItemLabel(it.Status)
		it.ReasonCodes = strings.Fields(codes)
		if err := fn(&it); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Left lists the base's recipients who are not in the determination at all
// (their family is no longer a current record of the register), within the
// caller's scope: with the graduated items, they are who left.
func (s *Service) Left(ctx context.Context, id int64, region string, limit int) ([]Item, error) {
	d, err := s.Get(ctx, id)
	if err != nil || d.BaseID == 0 {
		return []Item{}, err
	}
	sc, err := scope(ctx, region)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	lo, hi := scopeRange(sc)
	rows, err := s.DB.Query(ctx, `SELECT b.family_id, b.person_id, b.village_code, b.decile, b.amount FROM determination_item b
		WHERE b.determination_id = $1 AND b.status IN ('new', 'continuing') AND b.village_code >= $2 AND b.village_code < $3
		AND NOT EXISTS (SELECT 1 FROM determination_item i WHERE i.determination_id = $4 AND i.family_id = b.family_id AND i.person_id = b.person_id)
		ORDER BY b.family_id, b.person_id LIMIT $5`, d.BaseID, lo, hi, id, limit)
	if err != nil {
		return nil, fmt.Errorf("determination: left: %w", err)
	}
	defer rows.Close()
	out := []Item{}
	for rows.Next() {
		it := Item{Status: ItemGraduated, StatusLabel: ItemLabel(ItemGraduated), BaseRecipient: true,
			ReasonCodes: []string{ReasonNotInBase}, Reasons: "tidak lagi tercatat sebagai keluarga aktif di register"}
		if err := rows.Scan(&it.FamilyID, &it.PersonID, &it.VillageCode, &it.Decile, &it.BaseAmount); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// ExportColumns is the header of an export.
var ExportColumns = []string{"penetapan", "program", "periode", "nomor", "id_keluarga", "id_orang", "kode_wilayah", "desil",
	"status", "nominal", "status_dasar", "nominal_dasar", "kode_alasan", "alasan"}

// Export writes a determination's items within the caller's scope (narrowed
// to region) to w, in family and person ID order, and returns the number
// of rows. The export is in the audit trail before the first row is.
func (s *Service) Export(ctx context.Context, id int64, region string, w registry.RowWriter) (int64, error) {
	d, err := s.Get(ctx, id)
	if err != nil {
		return 0, err
	}
	sc, err := scope(ctx, region)
	if err != nil {
		return 0, err
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: ActExport, ObjectType: ObjType, ObjectID: id, Region: sc,
			After: map[string]any{"program": d.Program, "periode": d.Period, "nomor": d.Number, "wilayah": sc, "status": string(d.Status)}})
	})
	if err != nil {
		return 0, err
	}
	if err := w.Write(ExportColumns); err != nil {
		return 0, err
	}
	var n int64
	row := make([]string, len(ExportColumns))
	num := strconv.Itoa(d.Number)
	did := strconv.FormatInt(d.ID, 10)
	err = s.each(ctx, id, ItemOptions{Region: sc}, func(it *Item) error {
		base := "bukan_penerima"
		if it.BaseRecipient {
			base = "penerima"
		}
		person := ""
		if it.PersonID != 0 {
			person = strconv.FormatInt(it.PersonID, 10)
		}
		row = append(row[:0], did, d.Program, d.Period, num, strconv.FormatInt(it.FamilyID, 10), person, it.VillageCode,
			strconv.Itoa(it.Decile), it.Status, strconv.FormatInt(it.Amount, 10), base, strconv.FormatInt(it.BaseAmount, 10),
			strings.Join(it.ReasonCodes, " "), it.Reasons)
		n++
		return w.Write(row)
	})
	if err != nil {
		return n, err
	}
	return n, w.Close()
}
