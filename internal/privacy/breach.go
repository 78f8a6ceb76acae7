package privacy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// ObjAccount is the audit object type of an account.
const ObjAccount = "akun"

// BreachQuery names a leaked account, or one of its tokens, and a window.
type BreachQuery struct {
	Username string
	TokenID  int64 // when set, the token's account; the window narrows to the token's life
	From, To time.Time
	// Actor names who asks when ctx has no principal (the command line).
	Actor string
}

// Breach is what a leaked account or token could reach in a window: the
// people in its region (if its role reads the register), and the people
// the audit trail shows it actually viewed, changed or exported.
type Breach struct {
	Account  string    `json:"account"`
	Role     string    `json:"role"`
	Region   string    `json:"region"`
	TokenID  int64     `json:"token_id,omitempty"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	ReadsAll bool      `json:"reads_register"` // the role reads the register: its whole region was reachable
	// Reachable counts the people whose record was in the region at some
	// time in the window; Viewed and Changed the people the trail shows
	// it saw in full or changed; Exported the people in the regions it
	// exported in the window.
	Reachable int64 `json:"reachable"`
	Viewed    int64 `json:"viewed"`
	Changed   int64 `json:"changed"`
	Exported  int64 `json:"exported"`
	// Exports are the register exports of the account in the window.
	Exports []Export `json:"exports"`
}

// Export is a register export by the account.
type Export struct {
	At     time.Time `json:"at"`
	Region string    `json:"region"`
}

// Exposed is one person a breach reached.
type Exposed struct {
	PersonID  int64     `json:"person_id"`
	NIK       string    `json:"nik"`
	Name      string    `json:"nama"`
	Village   string    `json:"kode_wilayah"`
	Reachable bool      `json:"reachable"`
	Views     int       `json:"views"`
	Changes   int       `json:"changes"`
	Exported  bool      `json:"exported"`
	Last      time.Time `json:"last_access,omitzero"`
}

// viewActions are the audit actions that show a record without changing it.
func isView(action string) bool {
	return action == audit.ActView || strings.HasPrefix(action, audit.ActView+".") || action == ActRevealNIK || action == ActReport
}

type activity struct {
	views, changes int
	last           time.Time
}

// FindBreach lists the people an account or token could reach in a window,
// calling each for every one of them (streamed in person ID order, then
// those the trail shows it reached outside its region), and returns the
// counts. The account must be in the caller's region. The query itself is
// written to the audit trail first.
//
// What is known: an account acts with its current role and region (the
// binding's history is in the trail, akun.* entries, not applied here); a
// token acts as its account, so its activity is the account's during the
// token's life; lists and searches are not in the trail, so the region is
// the upper bound of what was seen.
func FindBreach(ctx context.Context, db *store.DB, q BreachQuery, each func(Exposed) error) (*Breach, error) {
	if q.From.IsZero() || q.To.IsZero() || !q.From.Before(q.To) {
		return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "from", Reason: "isi rentang waktu: dari sebelum sampai"}}}
	}
	b := &Breach{From: q.From.UTC(), To: q.To.UTC()}
	var userID int64
	if q.TokenID != 0 {
		var created, expires int64
		var revoked *int64
		err := db.QueryRow(ctx, `SELECT u.id, u.username, u.role, u.region_code, t.created_at, t.expires_at, t.revoked_at
FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`, q.TokenID).Scan(&userID, &b.Account, &b.Role, &b.Region, &created, &expires, &revoked)
		if store.IsNoRows(err) {
			return nil, errs.NotFound("token %d tidak ditemukan", q.TokenID)
		}
		if err != nil {
			return nil, fmt.Errorf("privacy: token: %w", err)
		}
		end := expires
		if revoked != nil && *revoked < end {
			end = *revoked
		}
		b.TokenID = q.TokenID
		if t := store.FromMicros(created); t.After(b.From) {
			b.From = t
		}
		if t := store.FromMicros(end); t.Before(b.To) {
			b.To = t
		}
	} else {
		err := db.QueryRow(ctx, `SELECT id, username, role, region_code FROM users WHERE username = $1`, strings.ToLower(strings.TrimSpace(q.Username))).
			Scan(&userID, &b.Account, &b.Role, &b.Region)
		if store.IsNoRows(err) {
			return nil, errs.NotFound("akun %s tidak ditemukan", q.Username)
		}
		if err != nil {
			return nil, fmt.Errorf("privacy: account: %w", err)
		}
	}
	// An account outside the caller's region does not exist for them.
	if !authz.Contains(authz.Scope(ctx), b.Region) {
		if q.TokenID != 0 {
			return nil, errs.NotFound("token %d tidak ditemukan", q.TokenID)
		}
		return nil, errs.NotFound("akun %s tidak ditemukan", q.Username)
	}
	err := db.Write(ctx, func(tx *store.Tx) error {
		e := audit.Entry{Action: ActBreach, ObjectType: ObjAccount, ObjectID: userID, Region: b.Region,
			After: map[string]any{"akun": b.Account, "dari": b.From.Format(time.RFC3339), "sampai": b.To.Format(time.RFC3339), "token": q.TokenID}}
		if _, ok := authz.From(ctx); !ok {
			e.Actor = q.Actor
		}
		return audit.Record(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	b.ReadsAll = authz.Can(authz.Role(b.Role), authz.RegisterRead)
	acts, err := b.activity(ctx, db)
	if err != nil {
		return nil, err
	}
	from, to := store.Micros(b.From), store.Micros(b.To)
	emit := func(x Exposed) error {
		if a, ok := acts[x.PersonID]; ok {
			x.Views, x.Changes, x.Last = a.views, a.changes, a.last
			delete(acts, x.PersonID)
		}
		for _, ex := range b.Exports {
			if authz.Contains(ex.Region, x.Village) {
				x.Exported = true
			}
		}
		if x.Reachable {
			b.Reachable++
		}
		if x.Views > 0 {
			b.Viewed++
		}
		if x.Changes > 0 {
			b.Changed++
		}
		if x.Exported {
			b.Exported++
		}
		return each(x)
	}
	if b.ReadsAll {
		lo, hi := b.Region, b.Region+"/"
		if b.Region == "" {
			lo, hi = "", "~"
		}
		// Every version alive in the window, by person: the last one names them.
		rows, err := db.Query(ctx, `SELECT id, nik, name, village_code FROM person
WHERE village_code >= $1 AND village_code < $2 AND valid_from < $3 AND (valid_to IS NULL OR valid_to > $4) ORDER BY id, version`, lo, hi, to, from)
		if err != nil {
			return nil, fmt.Errorf("privacy: people in the region: %w", err)
		}
		var cur Exposed
		for rows.Next() {
			var x Exposed
			if err := rows.Scan(&x.PersonID, &x.NIK, &x.Name, &x.Village); err != nil {
				rows.Close()
				return nil, err
			}
			x.Reachable = true
			if cur.PersonID != 0 && cur.PersonID != x.PersonID {
				if err := emit(cur); err != nil {
					rows.Close()
					return nil, err
				}
			}
			cur = x
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if cur.PersonID != 0 {
			if err := emit(cur); err != nil {
				return nil, err
			}
		}
	}
	// People the trail shows it reached outside the region (moved since,
	// or a role that does not read the register), named as of the window's end.
	for _, id := range sortedKeys(acts) {
		x := Exposed{PersonID: id}
		err := db.QueryRow(ctx, `SELECT nik, name, village_code FROM person WHERE id = $1 AND valid_from < $2 ORDER BY version DESC LIMIT 1`, id, to).
			Scan(&x.NIK, &x.Name, &x.Village)
		if err != nil && !store.IsNoRows(err) {
			return nil, fmt.Errorf("privacy: person %d: %w", id, err)
		}
		if err := emit(x); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// activity reads the account's audit entries in the window: people viewed
// or changed (a family's entry counts for every member it had then), and
// register exports.
func (b *Breach) activity(ctx context.Context, db *store.DB) (map[int64]*activity, error) {
	acts := map[int64]*activity{}
	type famEntry struct {
		id   int64
		at   int64
		view bool
	}
	var fams []famEntry
	rows, err := db.Query(ctx, `SELECT at, action, object_type, object_id, person_id, region, after_data FROM audit_log
WHERE actor = $1 AND at >= $2 AND at < $3 ORDER BY seq`, b.Account, store.Micros(b.From), store.Micros(b.To))
	if err != nil {
		return nil, fmt.Errorf("privacy: audit entries: %w", err)
	}
	for rows.Next() {
		var at, objID, personID int64
		var action, objType, region, after string
		if err := rows.Scan(&at, &action, &objType, &objID, &personID, &region, &after); err != nil {
			rows.Close()
			return nil, err
		}
		switch {
		case action == audit.ActExport:
			scope := region
			var d map[string]any
			if json.Unmarshal([]byte(after), &d) == nil {
				if w, ok := d["wilayah"].(string); ok {
					scope = w
				}
			}
			b.Exports = append(b.Exports, Export{At: store.FromMicros(at), Region: scope})
		case personID != 0:
			touch(acts, personID, isView(action), at)
		case objType == audit.ObjFamily && objID != 0:
			fams = append(fams, famEntry{objID, at, isView(action)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, f := range fams {
		rows, err := db.Query(ctx, `SELECT DISTINCT id FROM person WHERE family_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)`, f.id, f.at)
		if err != nil {
			return nil, fmt.Errorf("privacy: family members: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			touch(acts, id, f.view, f.at)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return acts, nil
}

func touch(acts map[int64]*activity, id int64, view bool, at int64) {
	a := acts[id]
	if a == nil {
		a = &activity{}
		acts[id] = a
	}
	if view {
		a.views++
	} else {
		a.changes++
	}
	if t := store.FromMicros(at); t.After(a.last) {
		a.last = t
	}
}

func sortedKeys(m map[int64]*activity) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
