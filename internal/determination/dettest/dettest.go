// Package dettest writes final determinations straight into a test's
// database, for the tests of what reads them (proposals and objections,
// the citizens' pages) without running the rules.
package dettest

import (
	"context"
	"testing"

	"github.com/kemensos/jaring/internal/store"
)

// Item is a family's item in a final determination by family: decile 1,
// score 0.1, no reasons.
type Item struct {
	FamilyID      int64
	Village       string
	Status        string // new, continuing, graduated, ...
	Eligible      bool
	Amount        int64
	BaseEligible  bool // the base period's eligibility, receipt and amount
	BaseRecipient bool
	BaseAmount    int64
}

// Final writes determination id of program for period (start and end as
// YYYY-MM-DD), final, number 1, by family, paid through a bank, with items.
func Final(t testing.TB, db *store.DB, id int64, program, period, start, end string, items ...Item) {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO determination (id, kind, program, period, number, channel, unit, period_start, period_end,
			program_version, status, data_as_of, created_by, created_at, approved_by, approved_at)
			VALUES ($1, 'penetapan', $2, $3, 1, 'bank', 'keluarga', $4, $5, 1, 'final', 0, 'a', 0, 'b', 0)`,
			id, program, period, start, end); err != nil {
			return err
		}
		for _, it := range items {
			if _, err := tx.Exec(ctx, `INSERT INTO determination_item (determination_id, family_id, person_id, village_code, decile, score,
				eligible, status, amount, base_eligible, base_recipient, base_amount, reason_codes, reasons)
				VALUES ($1, $2, 0, $3, 1, 0.1, $4, $5, $6, $7, $8, $9, '', '')`,
				id, it.FamilyID, it.Village, it.Eligible, it.Status, it.Amount, it.BaseEligible, it.BaseRecipient, it.BaseAmount); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
