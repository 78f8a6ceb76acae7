package complaint

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/store"
)

// HoldTTL is how long the files of a refused filing wait for the next try.
const HoldTTL = time.Hour

// DefaultHoldCap bounds the bytes all holds keep at once (Service.HoldCap):
// a crowd of refused tries cannot fill the database, and past it files are
// not kept (the filer chooses them again, as without holds).
const DefaultHoldCap = 256 << 20

// ErrHoldFull means the holds already keep their cap of bytes.
var ErrHoldFull = errors.New("complaint: held files at their cap")

// Hold keeps files for the filer's next try and returns the token that
// names them. It replaces the hold prev (""=none), whose files the caller
// has read and passes again among files. At most MaxFiles are kept;
// ErrHoldFull when all holds together would pass their cap.
func (s *Service) Hold(ctx context.Context, prev string, files []Upload) (string, error) {
	token := auth.RandomToken(18)
	now := store.Micros(s.now())
	files = files[:min(len(files), MaxFiles)]
	size := 0
	for _, f := range files {
		size += len(f.Data)
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var total int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(size), 0) FROM complaint_upload_hold`).Scan(&total); err != nil {
			return err
		}
		limit := s.HoldCap
		if limit <= 0 {
			limit = DefaultHoldCap
		}
		if total+int64(size) > limit {
			return ErrHoldFull
		}
		if prev != "" {
			if _, err := tx.Exec(ctx, `DELETE FROM complaint_upload_hold WHERE token_hash = $1`, holdHash(prev)); err != nil {
				return err
			}
		}
		for i, f := range files { // at most MaxFiles
			if _, err := tx.Exec(ctx, `INSERT INTO complaint_upload_hold (token_hash, n, size, data, created_at) VALUES ($1, $2, $3, $4, $5)`,
				holdHash(token), i, len(f.Data), f.Data, now); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, ErrHoldFull) {
		return "", err
	}
	if err != nil {
		return "", fmt.Errorf("complaint: hold files: %w", err)
	}
	return token, nil
}

// Held returns the files kept under token, in their order; none when the
// token is unknown or its hour has passed.
func (s *Service) Held(ctx context.Context, token string) ([]Upload, error) {
	rows, err := s.DB.Query(ctx, `SELECT data FROM complaint_upload_hold WHERE token_hash = $1 AND created_at > $2 ORDER BY n`,
		holdHash(token), store.Micros(s.now().Add(-HoldTTL)))
	if err != nil {
		return nil, fmt.Errorf("complaint: held files: %w", err)
	}
	defer rows.Close()
	var out []Upload
	for rows.Next() {
		var u Upload
		if err := rows.Scan(&u.Data); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Release deletes the files kept under token.
func (s *Service) Release(ctx context.Context, token string) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM complaint_upload_hold WHERE token_hash = $1`, holdHash(token))
		return err
	})
}

// sweepHolds deletes the holds whose hour has passed.
func (s *Service) sweepHolds(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM complaint_upload_hold WHERE created_at <= $1`, store.Micros(now.Add(-HoldTTL)))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("complaint: sweep held files: %w", err)
	}
	return int(n), nil
}

func holdHash(token string) string {
	h := sha256.Sum256([]byte("jaring-berkas-tertahan\x00" + token))
	return hex.EncodeToString(h[:])
}
