package audit

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// Filter selects entries. Zero fields select everything.
type Filter struct {
	Actor    string // exact user name (or command-line actor)
	PersonID int64  // the person concerned
	Region   string // a region code: entries of that region and below
	// Action matches exactly; an action without a dot also matches its
	// sub-actions ("lihat" matches "lihat.riwayat").
	Action string
	From   time.Time // at >= From
	To     time.Time // at < To
	// OldestFirst lists entries oldest first, after AfterSeq (to follow
	// the trail); a positive AfterSeq implies it. Otherwise entries are
	// listed newest first, before BeforeSeq when it is set (to page back).
	OldestFirst bool
	AfterSeq    int64
	BeforeSeq   int64
	Limit       int // Search only; 0 means 100, at most 1000
}

// scopeRange turns a region into a half-open range of codes: segments have
// fixed widths, so "32.01" and the codes under it are exactly those >=
// "32.01" and < "32.01/".
func scopeRange(code string) (lo, hi string) { return code, code + "/" }

// where builds the WHERE clause and arguments of a filter, with the region
// narrowed to the caller's scope (internal/authz): a region outside it is
// refused, and without one the search covers the scope.
func (f Filter) where(ctx context.Context) (string, []any, error) {
	region, ok := authz.Narrow(ctx, f.Region)
	if !ok {
		return "", nil, fmt.Errorf("wilayah %s di luar wewenang Anda: %w", f.Region, errs.ErrForbidden)
	}
	var conds []string
	var args []any
	add := func(cond string, vals ...any) {
		for _, v := range vals {
			args = append(args, v)
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1)
		}
		conds = append(conds, cond)
	}
	if region != "" {
		lo, hi := scopeRange(region)
		add("region >= ? AND region < ?", lo, hi)
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.PersonID != 0 {
		add("person_id = ?", f.PersonID)
	}
	if f.Action != "" {
		if strings.Contains(f.Action, ".") {
			add("action = ?", f.Action)
		} else {
			add(`(action = ? OR action LIKE ? ESCAPE '\')`, f.Action, escapeLike(f.Action)+".%")
		}
	}
	if !f.From.IsZero() {
		add("at >= ?", store.Micros(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", store.Micros(f.To))
	}
	if f.oldestFirst() {
		if f.AfterSeq > 0 {
			add("seq > ?", f.AfterSeq)
		}
	} else if f.BeforeSeq > 0 {
		add("seq < ?", f.BeforeSeq)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (f Filter) oldestFirst() bool { return f.OldestFirst || f.AfterSeq > 0 }

func (f Filter) order() string {
	if f.oldestFirst() {
		return " ORDER BY seq"
	}
	return " ORDER BY seq DESC"
}

const selectEntries = `SELECT seq, at, actor, role, actor_region, region, action, object_type, object_id, person_id,
before_data, after_data, request_id, client_addr, prev_hash, hash FROM audit_log`

// MaxLimit caps one page of Search.
const MaxLimit = 1000

// Search returns a page of entries matching f within the caller's region scope.
func Search(ctx context.Context, db *store.DB, f Filter) ([]Entry, error) {
	where, args, err := f.where(ctx)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, MaxLimit)
	args = append(args, f.Limit)
	rows, err := db.Query(ctx, selectEntries+where+f.order()+" LIMIT $"+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("audit: search: %w", err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: search: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(...any) error }

func scanEntry(s scanner) (Entry, error) {
	var r row
	if err := s.Scan(&r.seq, &r.at, &r.actor, &r.role, &r.actorRegion, &r.region, &r.action, &r.objectType,
		&r.objectID, &r.personID, &r.before, &r.after, &r.requestID, &r.clientAddr, &r.prevHash, &r.hash); err != nil {
		return Entry{}, err
	}
	e := Entry{Seq: r.seq, At: store.FromMicros(r.at), Actor: r.actor, Role: r.role, ActorRegion: r.actorRegion,
		Region: r.region, Action: r.action, ObjectType: r.objectType, ObjectID: r.objectID, PersonID: r.personID,
		RequestID: r.requestID, ClientAddr: r.clientAddr, PrevHash: r.prevHash, Hash: r.hash}
	// An entry whose data does not decode (tampered with) still lists: verify tells what is wrong.
	e.Before, _ = decodeData(r.before)
	e.After, _ = decodeData(r.after)
	return e, nil
}

// CSVHeader is the first row of an export.
var CSVHeader = []string{"seq", "waktu", "pelaku", "peran", "wilayah_pelaku", "wilayah", "tindakan", "objek", "id_objek",
	"id_orang", "sebelum", "sesudah", "id_permintaan", "alamat_klien", "hash_sebelumnya", "hash"}

// Export writes every entry matching f within the caller's scope as CSV,
// streaming, oldest first, and returns the entries written. Before and
// After are written as stored (JSON), hashes too, so an export can be
// checked against the chain.
func Export(ctx context.Context, db *store.DB, f Filter, w io.Writer) (int64, error) {
	f.BeforeSeq = 0
	where, args, err := f.where(ctx)
	if err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return 0, err
	}
	rows, err := db.Query(ctx, selectEntries+where+" ORDER BY seq", args...)
	if err != nil {
		return 0, fmt.Errorf("audit: export: %w", err)
	}
	defer rows.Close()
	var n int64
	var r row
	rec := make([]string, len(CSVHeader))
	for rows.Next() {
		if err := rows.Scan(&r.seq, &r.at, &r.actor, &r.role, &r.actorRegion, &r.region, &r.action, &r.objectType,
			&r.objectID, &r.personID, &r.before, &r.after, &r.requestID, &r.clientAddr, &r.prevHash, &r.hash); err != nil {
			return n, fmt.Errorf("audit: export: %w", err)
		}
		rec[0] = strconv.FormatInt(r.seq, 10)
		rec[1] = store.FromMicros(r.at).Format(time.RFC3339Nano)
		rec[2], rec[3], rec[4], rec[5], rec[6], rec[7] = r.actor, r.role, r.actorRegion, r.region, r.action, r.objectType
		rec[8] = strconv.FormatInt(r.objectID, 10)
		rec[9] = strconv.FormatInt(r.personID, 10)
		rec[10], rec[11], rec[12], rec[13], rec[14], rec[15] = r.before, r.after, r.requestID, r.clientAddr, r.prevHash, r.hash
		for i, v := range rec {
			rec[i] = csvSafe(v)
		}
		if err := cw.Write(rec); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("audit: export: %w", err)
	}
	cw.Flush()
	return n, cw.Error()
}

// csvSafe keeps a spreadsheet from running a cell as a formula: a value
// starting with = + - @ (or a tab or carriage return) gets a leading quote.
// Values in the trail come from users (names, reasons).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
