package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kemensos/jaring/internal/store"
)

// Break is the first place where the chain is broken.
type Break struct {
	Seq    int64  // the first entry that is wrong or missing
	Reason string // what is wrong, in Indonesian
}

func (b *Break) Error() string {
	return fmt.Sprintf("rantai audit rusak pada entri %d: %s", b.Seq, b.Reason)
}

// VerifyResult is what Verify found.
type VerifyResult struct {
	Entries  int64         // entries checked
	HeadSeq  int64         // the chain head's seq and hash when verification began
	HeadHash string        //
	Took     time.Duration //
	Broken   *Break        // nil when the chain is whole
}

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// Workers is the number of ranges of the chain checked at once, each
	// on its own connection; 0 means 4.
	Workers int
	// Progress, when set, is called now and then with the entries checked so far.
	Progress func(checked int64)
}

// Verify checks the whole chain: every entry's hash is recomputed from
// its fields and compared, every entry must carry the hash of the one
// before it, seqs must run 1, 2, 3, ... without a gap, and the last entry
// must be the head. It finds entries edited, deleted, inserted or
// reordered directly in the database and reports the first broken one.
//
// It streams: the chain is read in seq order in a few ranges at once, and
// memory does not grow with its length. Entries appended while it runs
// are left for the next run.
func Verify(ctx context.Context, db *store.DB, o VerifyOptions) (VerifyResult, error) {
	start := time.Now()
	var res VerifyResult
	if o.Workers <= 0 {
		o.Workers = 4
	}
	// One statement, one snapshot: the head and the last row agree unless tampered with.
	var maxSeq sql.NullInt64
	err := db.QueryRow(ctx, `SELECT h.seq, h.hash, (SELECT MAX(seq) FROM audit_log) FROM audit_head h WHERE h.id = 1`).
		Scan(&res.HeadSeq, &res.HeadHash, &maxSeq)
	if store.IsNoRows(err) {
		// Without a head, check what rows there are and report the head last.
		if err := db.QueryRow(ctx, `SELECT MAX(seq) FROM audit_log`).Scan(&maxSeq); err != nil {
			return res, fmt.Errorf("audit: verify: %w", err)
		}
		res.HeadSeq = -1
	} else if err != nil {
		return res, fmt.Errorf("audit: verify: %w", err)
	}
	last := maxSeq.Int64
	// Ranges of seq, checked at once; each reports its ends for stitching.
	n := int64(o.Workers)
	if last < 10_000*n {
		n = 1
	}
	segs := make([]segment, n)
	var checked atomic.Int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i := range segs {
		lo := 1 + last*int64(i)/n
		hi := 1 + last*int64(i+1)/n // exclusive
		if i == 0 {
			lo = -1 << 62 // rows with seq < 1 are forgeries too
		}
		wg.Add(1)
		go func(s *segment) {
			defer wg.Done()
			s.err = s.check(ctx, db, lo, hi, &checked, o.Progress)
			if s.err != nil {
				cancel()
			}
		}(&segs[i])
	}
	wg.Wait()
	res.Entries = checked.Load()
	res.Took = time.Since(start)
	for i := range segs {
		if segs[i].err != nil {
			return res, fmt.Errorf("audit: verify: %w", segs[i].err)
		}
	}
	// Stitch the ranges in order; the first break found is the first in the chain.
	prevSeq, prevHash := int64(0), ""
	for i := range segs {
		s := &segs[i]
		if s.n == 0 {
			continue
		}
		if b := link(prevSeq, prevHash, s.firstSeq, s.firstPrev); b != nil {
			res.Broken = b
			return res, nil
		}
		if s.broken != nil {
			res.Broken = s.broken
			return res, nil
		}
		prevSeq, prevHash = s.lastSeq, s.lastHash
	}
	switch {
	case res.HeadSeq < 0:
		res.Broken = &Break{Seq: prevSeq + 1, Reason: "kepala rantai (audit_head) hilang"}
	case res.HeadSeq > prevSeq:
		res.Broken = &Break{Seq: prevSeq + 1, Reason: fmt.Sprintf("entri %d sampai %d hilang: kepala rantai menunjuk entri %d", prevSeq+1, res.HeadSeq, res.HeadSeq)}
	case res.HeadSeq < prevSeq:
		res.Broken = &Break{Seq: res.HeadSeq + 1, Reason: fmt.Sprintf("entri %d sampai %d tidak tercatat di kepala rantai (disisipkan)", res.HeadSeq+1, prevSeq)}
	case res.HeadHash != prevHash:
		res.Broken = &Break{Seq: prevSeq, Reason: "hash entri terakhir tidak sama dengan kepala rantai"}
	}
	return res, nil
}

// link checks that an entry (seq, prev) follows the one before it.
func link[T ~string | ~[]byte](prevSeq int64, prevHash T, seq int64, prev []byte) *Break {
	switch {
	case seq <= prevSeq:
		return &Break{Seq: seq, Reason: fmt.Sprintf("nomor urut %d tidak naik setelah %d", seq, prevSeq)}
	case seq > prevSeq+1:
		if seq == prevSeq+2 {
			return &Break{Seq: prevSeq + 1, Reason: fmt.Sprintf("entri %d hilang (dihapus)", prevSeq+1)}
		}
		return &Break{Seq: prevSeq + 1, Reason: fmt.Sprintf("entri %d sampai %d hilang (dihapus)", prevSeq+1, seq-1)}
	case string(prev) != string(prevHash):
		return &Break{Seq: seq, Reason: fmt.Sprintf("prev_hash tidak sama dengan hash entri %d: entri disisipkan, dipindah, atau entri %d diubah", prevSeq, prevSeq)}
	}
	return nil
}

// segment is one range of the chain being checked.
type segment struct {
	n                 int64
	firstSeq, lastSeq int64
	firstPrev         []byte
	lastHash          string
	broken            *Break
	err               error
}

const verifyQuery = `SELECT seq, at, actor, role, actor_region, region, action, object_type, object_id, person_id,
before_data, after_data, request_id, client_addr, prev_hash, hash FROM audit_log WHERE seq >= $1 AND seq < $2 ORDER BY seq`

// verifyPacked is verifyQuery for SQLite, whose driver takes a lock for
// every column it hands over: the twelve text columns come in one, joined
// by NUL bytes, which halves the time per entry. No stored text holds a
// NUL (PostgreSQL cannot store one, the recorders never write one), so an
// entry that splits into more than twelve parts was tampered with.
const verifyPacked = `SELECT seq, at, object_id, person_id,
actor || char(0) || role || char(0) || actor_region || char(0) || region || char(0) || action || char(0) || object_type || char(0) ||
before_data || char(0) || after_data || char(0) || request_id || char(0) || client_addr || char(0) || prev_hash || char(0) || hash
FROM audit_log WHERE seq >= $1 AND seq < $2 ORDER BY seq`

// check streams the entries with lo <= seq < hi and checks each against
// the one before it, stopping at the first break.
func (s *segment) check(ctx context.Context, db *store.DB, lo, hi int64, checked *atomic.Int64, progress func(int64)) error {
	var (
		seq, at, objectID, personID int64
		str                         [12]sql.RawBytes
		packed                      sql.RawBytes
		msg                         []byte
		sum                         [sha256.Size]byte
		hexSum                      [2 * sha256.Size]byte
		lastHash                    [2 * sha256.Size]byte
		lastLen                     int
		pending                     int64
	)
	query := verifyQuery
	dest := []any{&seq, &at, &str[0], &str[1], &str[2], &str[3], &str[4], &str[5], &objectID, &personID,
		&str[6], &str[7], &str[8], &str[9], &str[10], &str[11]}
	if db.Engine() == store.SQLite {
		query = verifyPacked
		dest = []any{&seq, &at, &objectID, &personID, &packed}
	}
	rows, err := db.Query(ctx, query, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	prevSeq := int64(0)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if packed != nil && !unpack(packed, &str) {
			s.broken = &Break{Seq: seq, Reason: "isi entri diubah: berisi byte NUL"}
			if s.n == 0 {
				s.firstSeq, s.firstPrev = seq, nil
			}
			s.n++
			break
		}
		prev, hash := str[10], str[11]
		if s.n == 0 {
			s.firstSeq, s.firstPrev = seq, bytes.Clone(prev)
		} else if b := link(prevSeq, lastHash[:lastLen], seq, prev); b != nil {
			s.broken = b
			break
		}
		msg = appendCanonical(msg[:0], seq, at, str[0:6], objectID, personID, str[6:11])
		sum = sha256.Sum256(msg)
		hex.Encode(hexSum[:], sum[:])
		s.n++
		if !bytes.Equal(hexSum[:], hash) {
			s.broken = &Break{Seq: seq, Reason: "isi entri diubah: hash tidak sama dengan isinya"}
			break
		}
		prevSeq = seq
		lastLen = copy(lastHash[:], hash)
		if pending++; pending == 10_000 {
			checked.Add(pending)
			pending = 0
			if progress != nil {
				progress(checked.Load())
			}
		}
	}
	checked.Add(pending)
	if err := rows.Err(); err != nil {
		return err
	}
	s.lastSeq, s.lastHash = prevSeq, string(lastHash[:lastLen])
	return nil
}

// unpack splits the packed text columns; false when they are not exactly twelve.
func unpack(b []byte, str *[12]sql.RawBytes) bool {
	for i := 0; i < 11; i++ {
		j := bytes.IndexByte(b, 0)
		if j < 0 {
			return false
		}
		str[i], b = b[:j], b[j+1:]
	}
	str[11] = b
	return bytes.IndexByte(b, 0) < 0
}

// CheckAnchor reports whether the chain still holds entry seq with the
// given hash: a head noted outside the system at an earlier verification
// (an anchor). Entries rewritten from before the anchor up to the head,
// which the chain alone cannot show, change that entry's hash.
func CheckAnchor(ctx context.Context, db *store.DB, seq int64, hash string) *Break {
	var got string
	err := db.QueryRow(ctx, `SELECT hash FROM audit_log WHERE seq = $1`, seq).Scan(&got)
	switch {
	case store.IsNoRows(err):
		return &Break{Seq: seq, Reason: "entri yang dicatat sebagai jangkar tidak ada lagi"}
	case err != nil:
		return &Break{Seq: seq, Reason: "jangkar tidak dapat dibaca: " + err.Error()}
	case got != hash:
		return &Break{Seq: seq, Reason: "hash entri tidak sama dengan jangkar yang dicatat: rantai ditulis ulang"}
	}
	return nil
}
