package proposal

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/store"
)

// StepName is a level of the path.
type StepName string

const (
	StepVillage  StepName = "desa"   // village check (proposal.village)
	StepDistrict StepName = "dinsos" // district check, batch to ratification (proposal.district)
	StepRatify   StepName = "sahkan" // ratification for the regent/mayor (proposal.ratify)
)

// Verdict is a decision on items.
type Verdict string

const (
	Approve Verdict = "setuju"
	Reject  Verdict = "tolak"
	Return  Verdict = "kembalikan" // send back one level with a reason
)

// Selection names the items of a decision: IDs, or every item waiting at
// the step in Region (narrowed to the caller's scope) when All is set.
type Selection struct {
	IDs    []int64
	All    bool
	Region string
}

// Decision is one action on a selection of items.
type Decision struct {
	Step    StepName
	Verdict Verdict
	Reason  string
	Items   Selection
}

// Result says what a decision did.
type Result struct {
	Count   int64
	Status  Status
	BatchID int64 // a district approval's batch to ratification
}

// stepRule is what a step needs and does.
type stepRule struct {
	action authz.Action
	from   Status
	// to per verdict; a verdict missing here is not allowed at the step.
	to     map[Verdict]Status
	byCol  string // the column recording who decided
	label  string
	before string // what must have happened before, for the refusal
}

var steps = map[StepName]stepRule{
	StepVillage: {authz.ProposalVillage, Submitted, map[Verdict]Status{Approve: VillageChecked, Reject: Rejected},
		"village_by", "pemeriksaan desa", "baru diajukan"},
	StepDistrict: {authz.ProposalDistrict, MeetingAgreed, map[Verdict]Status{Approve: DistrictChecked, Reject: Rejected, Return: Submitted},
		"district_by", "pemeriksaan Dinsos kabupaten/kota", "sudah diperiksa desa dan disetujui Musdes/Muskel"},
	StepRatify: {authz.ProposalRatify, DistrictChecked, map[Verdict]Status{Approve: Ratified, Reject: Rejected, Return: MeetingAgreed},
		"ratified_by", "pengesahan bupati/wali kota", "sudah diperiksa Dinsos kabupaten/kota"},
}

// ApplyInline is the largest ratification applied to the register at once;
// larger ones are applied by a background job (ApplyJob).
const ApplyInline = 200

// Decide takes one decision on a selection of items in one transaction:
// every item must be at the step, inside the actor's region, not made by
// the actor (and, for ratification, not checked by the actor at the
// district); otherwise nothing changes and the error lists the items
// refused with their reasons. The work is a few set-based statements
// whatever the number of items, and one audit entry per item.
func (s *Service) Decide(ctx context.Context, d Decision) (Result, error) {
	rule, ok := steps[d.Step]
	if !ok {
		return Result{}, invalid("langkah", fmt.Sprintf("langkah %q tidak dikenal", d.Step))
	}
	p, err := actor(ctx, rule.action)
	if err != nil {
		return Result{}, err
	}
	to, ok := rule.to[d.Verdict]
	if !ok {
		return Result{}, invalid("keputusan", fmt.Sprintf("keputusan %q tidak tersedia pada %s", d.Verdict, rule.label))
	}
	d.Reason = clean(d.Reason)
	if d.Verdict != Approve && d.Reason == "" {
		return Result{}, invalid("alasan", "alasan wajib diisi untuk menolak atau mengembalikan")
	}
	res := Result{Status: to}
	now := s.now()
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		pick, n, err := s.pick(ctx, tx, d.Items, rule.from, p.Region)
		if err != nil {
			return err
		}
		if n == 0 {
			return invalid("usulan", "tidak ada usulan yang dipilih")
		}
		if err := s.refusals(ctx, tx, pick, rule, d, p); err != nil {
			return err
		}
		set := fmt.Sprintf("status = $2, step_at = $3, %s = $4, note = $5", rule.byCol)
		args := []any{pick, string(to), store.Micros(now), p.Username, d.Reason}
		switch {
		case d.Step == StepDistrict && d.Verdict == Approve:
			bid, err := tx.ReserveIDs(ctx, "proposal_batch", 1)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO proposal_batch (id, district_code, status, items, created_by, created_at)
				VALUES ($1, $2, 'dikirim', $3, $4, $5)`, bid, p.Region, n, p.Username, store.Micros(now)); err != nil {
				return err
			}
			res.BatchID = bid
			set += ", batch_id = $6"
			args = append(args, bid)
		case d.Step == StepRatify && d.Verdict == Return, d.Step == StepDistrict && d.Verdict == Return:
			set += ", batch_id = NULL, session_id = NULL"
		}
		if err := s.move(ctx, tx, pick, set, args, string(d.Step)+"."+string(d.Verdict), to, p.Username, d.Reason, now); err != nil {
			return err
		}
		if d.Step == StepRatify {
			if _, err := tx.Exec(ctx, `UPDATE proposal_batch SET status = 'disahkan', ratified_by = $1, ratified_at = $2
				WHERE status = 'dikirim' AND NOT EXISTS (SELECT 1 FROM proposal WHERE proposal.batch_id = proposal_batch.id AND proposal.status = 'diperiksa_dinsos')
				AND id IN (SELECT DISTINCT batch_id FROM proposal WHERE id IN (SELECT proposal_id FROM proposal_pick WHERE pick = $3) AND batch_id IS NOT NULL)`,
				p.Username, store.Micros(now), pick); err != nil {
				return err
			}
		}
		if d.Step == StepRatify && d.Verdict == Approve && n > ApplyInline && s.Jobs != nil {
			if _, _, err := s.Jobs.EnqueueTx(ctx, tx, ApplyJob, ApplyArgs{}, &jobs.EnqueueOptions{UniqueKey: "usulan.terapkan"}); err != nil {
				return err
			}
		}
		entries, ev, err := s.trail(ctx, tx, pick, stepAction(d), to, d.Reason)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM proposal_pick WHERE pick = $1`, pick); err != nil {
			return err
		}
		if s.Notify != nil {
			if err := s.Notify(ctx, tx, ev); err != nil {
				return err
			}
		}
		res.Count = n
		return audit.RecordMany(ctx, tx, entries)
	})
	if err != nil {
		return Result{}, err
	}
	if d.Step == StepRatify && d.Verdict == Approve && (res.Count <= ApplyInline || s.Jobs == nil) {
		if _, err := s.ApplyRatified(ctx, ApplyLimit); err != nil {
			return res, err
		}
	}
	return res, nil
}

func stepAction(d Decision) string {
	switch {
	case d.Verdict == Reject:
		return ActReject
	case d.Verdict == Return:
		return ActReturn
	case d.Step == StepVillage:
		return ActVillage
	case d.Step == StepDistrict:
		return ActDistrict
	default:
		return ActRatify
	}
}

// pick writes the selection into proposal_pick and returns its number and
// size. IDs are copied in bulk; All selects the items at status from in
// the region (narrowed to scope).
func (s *Service) pick(ctx context.Context, tx *store.Tx, sel Selection, from Status, scope string) (int64, int64, error) {
	pick, err := tx.ReserveIDs(ctx, "proposal_pick", 1)
	if err != nil {
		return 0, 0, err
	}
	var n int64
	if sel.All {
		region := scope
		switch {
		case sel.Region == "" || authz.Contains(sel.Region, scope):
		case authz.Contains(scope, sel.Region):
			region = sel.Region
		default:
			return 0, 0, invalid("wilayah", "wilayah di luar wewenang Anda")
		}
		cond, args := scopeCond("village_code", region, 3)
		res, err := tx.Exec(ctx, `INSERT INTO proposal_pick (pick, proposal_id) SELECT $1, id FROM proposal WHERE status = $2`+cond,
			append([]any{pick, string(from)}, args...)...)
		if err != nil {
			return 0, 0, err
		}
		n, _ = res.RowsAffected()
		return pick, n, nil
	}
	seen := make(map[int64]bool, len(sel.IDs))
	rows := make([][]any, 0, len(sel.IDs))
	for _, id := range sel.IDs {
		if id > 0 && !seen[id] {
			seen[id] = true
			rows = append(rows, []any{pick, id})
		}
	}
	n, err = tx.CopyFrom(ctx, "proposal_pick", []string{"pick", "proposal_id"}, rows)
	return pick, n, err
}

// refusals lists the picked items that may not take the step, at most
// 20 of them, as one validation error; nil when every item may.
func (s *Service) refusals(ctx context.Context, tx *store.Tx, pick int64, rule stepRule, d Decision, p authz.Principal) error {
	lo, hi := p.Region, p.Region+"/"
	if p.Region == "" {
		lo, hi = "", "~"
	}
	extra := "FALSE"
	if d.Step == StepRatify && d.Verdict == Approve {
		extra = "p.district_by = $7"
	}
	if d.Step == StepDistrict && d.Verdict == Approve {
		extra = `(p.kind = 'usul_register' AND NOT EXISTS (SELECT 1 FROM verivali v WHERE v.proposal_id = p.id AND v.status = 'selesai' AND v.result = 'sesuai'))`
	}
	q := `SELECT k.proposal_id, COALESCE(p.status, ''), COALESCE(p.kind, ''), COALESCE(p.village_code, ''),
		COALESCE(p.maker_user_id, 0), COALESCE(p.district_by, '')
		FROM proposal_pick k LEFT JOIN proposal p ON p.id = k.proposal_id
		WHERE k.pick = $1 AND (p.id IS NULL OR p.village_code < $2 OR p.village_code >= $3 OR p.status <> $4
			OR p.kind = 'sanggah' OR p.maker_user_id = $5 OR ` + extra + `)
		ORDER BY k.proposal_id LIMIT $6`
	args := []any{pick, lo, hi, string(rule.from), p.UserID, 20}
	if d.Step == StepRatify && d.Verdict == Approve {
		args = append(args, p.Username)
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("proposal: check selection: %w", err)
	}
	defer rows.Close()
	var fe []errs.FieldError
	for rows.Next() {
		var id, maker int64
		var status, kind, village, districtBy string
		if err := rows.Scan(&id, &status, &kind, &village, &maker, &districtBy); err != nil {
			return err
		}
		field := fmt.Sprintf("usulan[%d]", id)
		var reason string
		switch {
		case status == "" || !authz.Contains(p.Region, village):
			reason = "usulan tidak ditemukan di wilayah Anda"
		case kind == string(Objection):
			reason = "sanggahan diputuskan lewat langkah sanggahan, bukan langkah ini"
		case Status(status) != rule.from:
			reason = fmt.Sprintf("berstatus %s: %s hanya untuk usulan yang %s", Status(status).Label(), rule.label, rule.before)
		case maker == p.UserID:
			reason = "tidak boleh diputuskan oleh pembuat usulan itu sendiri"
		case d.Step == StepRatify && districtBy == p.Username:
			reason = "diperiksa oleh Anda sendiri di tingkat kabupaten/kota: pengesahan oleh orang lain"
		default:
			reason = "usul masuk register belum diverifikasi lapangan (verivali) dengan hasil sesuai"
		}
		fe = append(fe, errs.FieldError{Field: field, Reason: reason})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(fe) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM proposal_pick WHERE pick = $1`, pick); err != nil {
			return err
		}
		return &errs.Invalid{Fields: fe}
	}
	return nil
}

// move updates the picked items with set (whose $1 is the pick) and
// writes their step lines.
func (s *Service) move(ctx context.Context, tx *store.Tx, pick int64, set string, args []any, step string, to Status, by, reason string, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE proposal SET `+set+` WHERE id IN (SELECT proposal_id FROM proposal_pick WHERE pick = $1)`, args...); err != nil {
		return fmt.Errorf("proposal: update: %w", err)
	}
	_, err := tx.Exec(ctx, `INSERT INTO proposal_step (proposal_id, at, step, status, actor, reason)
		SELECT proposal_id, $2, $3, $4, $5, $6 FROM proposal_pick WHERE pick = $1`, pick, now.UnixMicro(), step, string(to), by, reason)
	return err
}

// trail builds one audit entry per picked item and the event to notify.
func (s *Service) trail(ctx context.Context, tx *store.Tx, pick int64, action string, to Status, reason string) ([]audit.Entry, Event, error) {
	rows, err := tx.Query(ctx, `SELECT p.id, p.kind, p.village_code, COALESCE(p.citizen_id, 0), COALESCE(p.maker_user_id, 0)
		FROM proposal p JOIN proposal_pick k ON k.proposal_id = p.id WHERE k.pick = $1 ORDER BY p.id`, pick)
	if err != nil {
		return nil, Event{}, err
	}
	defer rows.Close()
	ev := Event{Status: to, Reason: reason}
	var entries []audit.Entry
	after := map[string]any{"status": string(to)}
	if reason != "" {
		after["alasan"] = audit.MaskDigits(reason)
	}
	for rows.Next() {
		var it EventItem
		var kind string
		if err := rows.Scan(&it.ID, &kind, &it.VillageCode, &it.CitizenID, &it.MakerUserID); err != nil {
			return nil, ev, err
		}
		it.Kind = Kind(kind)
		ev.Items = append(ev.Items, it)
		entries = append(entries, audit.Entry{Action: action, ObjectType: ObjProposal, ObjectID: it.ID, Region: it.VillageCode, After: after})
	}
	return entries, ev, rows.Err()
}

// orList joins words for messages.
func orList(xs []string) string { return strings.Join(xs, ", ") }
