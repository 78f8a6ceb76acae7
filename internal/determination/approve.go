package determination

import (
	"context"
	"fmt"
	"strings"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// Approve makes a draft determination final (maker-checker): the approver
// (the principal of ctx) must be someone other than its runner
// (errs.ErrForbidden), only a draft can be approved (errs.ErrConflict), and
// its base must still be the program's latest final determination, or its
// new/continuing/graduated statuses would compare with the wrong list
// (errs.ErrConflict: run it again). The final determination of the same
// program and period it replaces becomes superseded. Audited.
func (s *Service) Approve(ctx context.Context, id int64) (*Determination, error) {
	who := actor(ctx)
	var out *Determination
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		d, err := get(ctx, tx.QueryRow, id)
		if err != nil {
			return err
		}
		if err := lockKey(ctx, tx, d.Kind, d.Program, d.Period); err != nil {
			return err
		}
		if d, err = get(ctx, tx.QueryRow, id); err != nil {
			return err
		}
		if d.Kind != KindDetermination {
			return errs.Conflict("%s adalah simulasi: simulasi tidak dapat ditetapkan", d.Title())
		}
		if d.Status != StatusDraft {
			return errs.Conflict("%s berstatus %s, bukan draf", d.Title(), d.Status.Label())
		}
		if d.CreatedBy == who {
			return fmt.Errorf("%s dijalankan oleh %s: persetujuan harus oleh orang lain: %w", d.Title(), who, errs.ErrForbidden)
		}
		var base int64
		err = tx.QueryRow(ctx, `SELECT id FROM determination WHERE kind = 'penetapan' AND program = $1 AND status = 'final'
			AND period_start <= $2 ORDER BY period_start DESC, id DESC LIMIT 1`, d.Program, d.PeriodStart).Scan(&base)
		if err != nil && !store.IsNoRows(err) {
			return fmt.Errorf("determination: base: %w", err)
		}
		if base != d.BaseID {
			return errs.Conflict("%s dibandingkan dengan penetapan %d, tetapi penetapan final terakhir program %s kini %d: jalankan ulang",
				d.Title(), d.BaseID, d.Program, base)
		}
		now := store.Micros(store.Now())
		var replaced int64
		err = tx.QueryRow(ctx, `SELECT id FROM determination WHERE program = $1 AND period = $2 AND kind = $3 AND status = 'final'`,
			d.Program, d.Period, d.Kind).Scan(&replaced)
		if err != nil && !store.IsNoRows(err) {
			return fmt.Errorf("determination: current final: %w", err)
		}
		if replaced != 0 {
			if _, err := tx.Exec(ctx, `UPDATE determination SET status = 'superseded', closed_by = $2, closed_at = $3, close_reason = $4
				WHERE id = $1`, replaced, who, now, fmt.Sprintf("diganti %s", d.Title())); err != nil {
				return fmt.Errorf("determination: supersede: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE determination SET status = 'final', approved_by = $2, approved_at = $3 WHERE id = $1 AND status = 'draft'`,
			id, who, now); err != nil {
			if store.IsUniqueViolation(err) {
				return errs.Conflict("%s: sudah ada penetapan final lain untuk program dan periode ini", d.Title())
			}
			return fmt.Errorf("determination: approve: %w", err)
		}
		after := map[string]any{"program": d.Program, "periode": d.Period, "nomor": d.Number, "penerima": d.Recipients, "nilai": d.Amount}
		if replaced != 0 {
			after["menggantikan"] = replaced
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: ActApprove, ObjectType: ObjType, ObjectID: id, Region: authz.Scope(ctx),
			Before: map[string]any{"status": string(StatusDraft)}, After: after}); err != nil {
			return err
		}
		out, err = get(ctx, tx.QueryRow, id)
		return err
	})
	return out, err
}

// Reject refuses a draft with a reason; it is kept and never becomes
// final. The runner may withdraw their own draft. Audited.
func (s *Service) Reject(ctx context.Context, id int64, reason string) (*Determination, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "alasan", Reason: "alasan penolakan wajib diisi"}}}
	}
	who := actor(ctx)
	var out *Determination
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		d, err := get(ctx, tx.QueryRow, id)
		if err != nil {
			return err
		}
		if err := lockKey(ctx, tx, d.Kind, d.Program, d.Period); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE determination SET status = 'rejected', closed_by = $2, closed_at = $3, close_reason = $4
			WHERE id = $1 AND status = 'draft'`, id, who, store.Micros(store.Now()), reason)
		if err != nil {
			return fmt.Errorf("determination: reject: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Conflict("%s berstatus %s, bukan draf", d.Title(), d.Status.Label())
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: ActReject, ObjectType: ObjType, ObjectID: id, Region: authz.Scope(ctx),
			Before: map[string]any{"status": string(StatusDraft)}, After: map[string]any{"status": string(StatusRejected), "alasan": reason}}); err != nil {
			return err
		}
		out, err = get(ctx, tx.QueryRow, id)
		return err
	})
	return out, err
}
