// Package audit keeps Jaring's audit trail: who did what to which record,
// and who looked at whose full record, from where and when.
//
// Every entry is appended in the same transaction as the change it
// records, so there is no change without its entry and no entry without
// its change. Entries form a hash chain: each carries the hash of the one
// before it, and its own hash covers all its fields, so an entry edited,
// deleted, inserted or moved directly in the database breaks the chain at
// that point, which Verify finds.
//
// Entries never hold a full NIK or KK number, nor the specific personal
// data of UU PDP (health, sexual life, children's welfare categories):
// see Changes and the Rule values.
//
// # Recording
//
// A package that changes data builds Entry values and calls Record or
// RecordMany with its write transaction, as the last statement before the
// commit (on PostgreSQL the chain's head row stays locked until the
// transaction ends, and taking it last keeps that short and the lock order
// the same everywhere: the caller's own locks first, then the head):
//
//	err := db.Write(ctx, func(tx *store.Tx) error {
//		// ... the change ...
//		return audit.Record(ctx, tx, audit.Entry{Action: "akun.buat",
//			ObjectType: "akun", ObjectID: u.ID, Region: u.RegionCode,
//			After: map[string]any{"peran": u.Role}})
//	})
//
// Actor, Role and ActorRegion are filled from the principal of ctx
// (internal/authz) when empty; RequestID and ClientAddr from WithRequest.
// This API is stable: other packages (accounts, tokens, programs) record
// through it.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/store"
)

// Entry is one line of the audit trail.
type Entry struct {
	// Actor is who acted: the user name of the principal, or for work
	// without one (the command line) the name the caller gives, or "sistem".
	Actor string `json:"actor"`
	// Role and ActorRegion are the actor's role and the region they are bound to ("" = nation).
	Role        string `json:"role"`
	ActorRegion string `json:"actor_region"`
	// Region is where the entry belongs: the object's region (a family's
	// or person's village), or the actor's region when the object has none.
	// The audit search is scoped by it: an inspector bound to province 32
	// sees the entries of 32 and below.
	Region string `json:"region"`
	// Action says what happened, as "object.verb" ("keluarga.ubah") or a
	// verb alone ("lihat"); see the Act constants.
	Action string `json:"action"`
	// ObjectType and ObjectID name the record acted on ("keluarga", 17).
	ObjectType string `json:"object_type"`
	ObjectID   int64  `json:"object_id"`
	// PersonID is the person concerned, 0 if none, for "search by person".
	PersonID int64 `json:"person_id"`
	// Before and After hold the changed fields only, already redacted (see
	// Changes). Either may be nil.
	Before map[string]any `json:"before,omitempty"`
	After  map[string]any `json:"after,omitempty"`
	// RequestID and ClientAddr identify the HTTP request, if any.
	RequestID  string `json:"request_id"`
	ClientAddr string `json:"client_addr"`
	// At is when it happened; Record sets it to now when zero.
	At time.Time `json:"at"`
	// Seq, PrevHash and Hash are set by Record.
	Seq      int64  `json:"seq"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// Actions recorded by Jaring itself. Other packages may add their own,
// in the same "object.verb" form.
const (
	ActView        = "lihat"         // a full record was shown (family, person)
	ActViewHistory = "lihat.riwayat" // every version of a record was shown
	ActExport      = "ekspor.register"
	ActAuditExport = "ekspor.audit"

	ActFamilyCreate = "keluarga.buat"
	ActFamilyUpdate = "keluarga.ubah"
	ActFamilyStatus = "keluarga.status"
	ActPersonCreate = "orang.buat"
	ActPersonUpdate = "orang.ubah"
	ActPersonStatus = "orang.status"
	ActImportFamily = "import.keluarga"
	// ActImportBulk is one batch of a first load into an empty register:
	// object "register", object ID the batch's first family, and in After
	// the contiguous family IDs it created (keluarga_pertama ..
	// keluarga_terakhir), its counts and its rows in the file.
	ActImportBulk = "import.keluarga.massal"

	ActProgramDraft   = "program.draf"    // a rule version drafted
	ActProgramApprove = "program.setujui" // a rule version approved by a second person
	ActProgramReject  = "program.tolak"   // a draft withdrawn or refused
	ActImportRegion   = "import.wilayah"
	// ActNameKeys is a refresh of the people's name keys after the rules
	// that fold names changed: object "register", in After the rules'
	// fingerprint and the rows read and changed.
	ActNameKeys = "register.kunci_nama"
)

// Actions lists the actions the search form offers, in display order.
var Actions = []string{ActView, ActViewHistory, ActFamilyCreate, ActFamilyUpdate, ActFamilyStatus,
	ActPersonCreate, ActPersonUpdate, ActPersonStatus, ActImportFamily, ActImportBulk, ActImportRegion, ActNameKeys, ActExport, ActAuditExport}

// Object types.
const (
	ObjFamily   = "keluarga"
	ObjPerson   = "orang"
	ObjRegion   = "wilayah"
	ObjRegister = "register"
	ObjAudit    = "audit"
)

// SystemActor is the actor of work done without a principal or a name.
const SystemActor = "sistem"

type reqKey struct{}

type request struct{ id, addr string }

// WithRequest returns ctx carrying the HTTP request's ID and the client's
// address, which Record writes into every entry made for that request.
func WithRequest(ctx context.Context, id, clientAddr string) context.Context {
	return context.WithValue(ctx, reqKey{}, request{id, clientAddr})
}

// RequestFrom returns the request ID and client address of ctx, if any.
func RequestFrom(ctx context.Context) (id, clientAddr string) {
	r, _ := ctx.Value(reqKey{}).(request)
	return r.id, r.addr
}

// Detach returns a context for work that outlives a request (a background
// import): the principal and the request's ID and address, without the
// request's cancellation.
func Detach(ctx context.Context) context.Context {
	out := context.Background()
	if p, ok := authz.From(ctx); ok {
		out = authz.With(out, p)
	}
	if id, addr := RequestFrom(ctx); id != "" || addr != "" {
		out = WithRequest(out, id, addr)
	}
	return out
}

// Record appends one entry to the trail within tx. See RecordMany.
func Record(ctx context.Context, tx *store.Tx, e Entry) error {
	return RecordMany(ctx, tx, []Entry{e})
}

// columns of audit_log in the order of entryValues.
var columns = []string{"seq", "at", "actor", "role", "actor_region", "region", "action", "object_type",
	"object_id", "person_id", "before_data", "after_data", "request_id", "client_addr", "prev_hash", "hash"}

// ErrNoHead means the chain's head row is missing: the trail was tampered
// with or the schema is not migrated. Nothing is recorded then, and so
// nothing changes.
var ErrNoHead = errors.New("audit: chain head missing")

// RecordMany appends entries to the trail within tx, in order, and sets
// their Seq, PrevHash and Hash (and the fields filled from the context).
// It locks the chain's head until tx ends (PostgreSQL; SQLite has one
// writer anyway), computes the hashes in Go, writes the rows in one bulk
// insert (COPY) and moves the head: a few statements however many entries.
// Call it last in the transaction. If it fails, the transaction must fail.
func RecordMany(ctx context.Context, tx *store.Tx, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	q := `SELECT seq, hash FROM audit_head WHERE id = 1`
	if tx.Engine() == store.Postgres {
		q += ` FOR UPDATE`
	}
	var seq int64
	var prev string
	if err := tx.QueryRow(ctx, q).Scan(&seq, &prev); err != nil {
		if store.IsNoRows(err) {
			return ErrNoHead
		}
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	rs, err := prepare(ctx, entries)
	if err != nil {
		return err
	}
	seq, prev = chain(entries, rs, seq, prev)
	rows := make([][]any, len(rs))
	for i := range rs {
		rows[i] = rs[i].values()
	}
	if _, err := tx.CopyFrom(ctx, "audit_log", columns, rows); err != nil {
		return fmt.Errorf("audit: write entries: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, seq, prev); err != nil {
		return fmt.Errorf("audit: move chain head: %w", err)
	}
	return nil
}

// prepare fills the entries' fields that come from the context (actor,
// role, regions, request, time) and returns their rows, not yet chained.
func prepare(ctx context.Context, entries []Entry) ([]row, error) {
	p, hasPrincipal := authz.From(ctx)
	reqID, addr := RequestFrom(ctx)
	now := store.Now()
	rows := make([]row, len(entries))
	for i := range entries {
		e := &entries[i]
		if hasPrincipal {
			if e.Actor == "" {
				e.Actor = p.Username
			}
			if e.Role == "" {
				e.Role = string(p.Role)
			}
			if e.ActorRegion == "" {
				e.ActorRegion = p.Region
			}
		} else {
			if e.Actor == "" {
				e.Actor = SystemActor
			}
			if e.Role == "" {
				e.Role = string(authz.Admin) // the command line acts as authz.System
			}
		}
		if e.Region == "" {
			e.Region = e.ActorRegion
		}
		if e.RequestID == "" {
			e.RequestID = reqID
		}
		if e.ClientAddr == "" {
			e.ClientAddr = addr
		}
		if e.At.IsZero() {
			e.At = now
		}
		e.At = e.At.UTC().Truncate(time.Microsecond)
		before, err := encodeData(e.Before)
		if err != nil {
			return nil, err
		}
		after, err := encodeData(e.After)
		if err != nil {
			return nil, err
		}
		rows[i] = row{at: store.Micros(e.At), actor: e.Actor, role: e.Role, actorRegion: e.ActorRegion,
			region: e.Region, action: e.Action, objectType: e.ObjectType, objectID: e.ObjectID, personID: e.PersonID,
			before: before, after: after, requestID: e.RequestID, clientAddr: e.ClientAddr}
	}
	return rows, nil
}

// chain numbers and hashes rows after the head (seq, prev), sets the
// entries' Seq, PrevHash and Hash, and returns the new head.
func chain(entries []Entry, rows []row, seq int64, prev string) (int64, string) {
	var buf []byte
	for i := range rows {
		seq++
		r := &rows[i]
		r.seq, r.prevHash = seq, prev
		buf = r.canonical(buf[:0])
		r.hash = hashHex(buf)
		entries[i].Seq, entries[i].PrevHash, entries[i].Hash = seq, prev, r.hash
		prev = r.hash
	}
	return seq, prev
}

// encodeData stores a Before or After map as JSON text ("" for none). The
// text is what the hash covers, so it is stored as TEXT on both engines
// (PostgreSQL's jsonb would rewrite it). encoding/json sorts map keys.
//
// Flat maps of strings, integers and string lists (what the register
// records) are encoded here byte for byte as encoding/json would, at a
// fraction of its cost: an import writes one entry per family.
func encodeData(m map[string]any) (string, error) {
	if len(m) == 0 {
		return "", nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 32*len(m))
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		var ok bool
		if b, ok = appendJSONValue(b, m[k]); !ok {
			return marshalData(m)
		}
	}
	b = append(b, '}')
	return string(b), nil
}

func marshalData(m map[string]any) (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("audit: encode data: %w", err)
	}
	return string(b), nil
}

func appendJSONValue(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), true
	case string:
		return appendJSONString(b, x), true
	case int:
		return strconv.AppendInt(b, int64(x), 10), true
	case int64:
		return strconv.AppendInt(b, x, 10), true
	case bool:
		return strconv.AppendBool(b, x), true
	case []string:
		if x == nil {
			return append(b, "null"...), true
		}
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']'), true
	}
	return b, false
}

// appendJSONString quotes plain ASCII itself and hands anything that
// encoding/json would escape (quotes, controls, <>&, non-ASCII) to it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func decodeData(s string) (map[string]any, error) {
	if s == "" {
		return nil, nil
	}
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}
