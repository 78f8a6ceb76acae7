package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/store"
)

// nameKeyProbes exercise each rule of NameKey. Their keys enter
// NameKeyRules, so that a change in how names fold changes the
// fingerprint even where the rule tables stay the same.
var nameKeyProbes = []string{
	"Muhammad Rizki", "MOH. RIZKI", "Mochammad", "Moeh", "Siti Aminah", "St. Aminah", "SITI AMMINAH",
	"Abd. Rahman", "Soekarno", "Djoko Tjahjono", "Achmad", "Khairul", "Chairul", "Philipus", "Thomas",
	"Dhani", "Sjahrir", "Njoman", "Anna  Maria", "O'Neil-Smith", "Tjoet Nja' Dhien", "jjjj", "Ooee",
	"Çağlar Öztürk", "Ñuñez", "1234", "",
}

// NameKeyRules is a fingerprint of the rules NameKey folds names by.
func NameKeyRules() string {
	h := fnv.New64a()
	variants := make([]string, 0, len(nameVariants))
	for k := range nameVariants {
		variants = append(variants, k)
	}
	slices.Sort(variants)
	for _, k := range variants {
		fmt.Fprintf(h, "%s=%s\x00", k, nameVariants[k])
	}
	for _, p := range spellingPairs {
		fmt.Fprintf(h, "%s\x00", p)
	}
	for _, n := range nameKeyProbes {
		fmt.Fprintf(h, "%s\x00", NameKey(n))
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// derivedNameKey is the derived_rules row of person.name_key.
const derivedNameKey = "person.name_key"

// NameKeysStale reports whether the stored name keys were built by rules
// other than this program's, or by rules not recorded.
func (r *Registry) NameKeysStale(ctx context.Context) (bool, error) {
	var rules string
	err := r.DB.QueryRow(ctx, `SELECT rules FROM derived_rules WHERE name = $1`, derivedNameKey).Scan(&rules)
	if store.IsNoRows(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("registry: name key rules: %w", err)
	}
	return rules != NameKeyRules(), nil
}

// NameKeyProgress reports a refresh of the name keys: rows read of total.
type NameKeyProgress func(done, total int64)

// nameKeyChunk is the number of person rows read, and at most updated,
// per statement of RefreshNameKeys.
const nameKeyChunk = 5000

// RefreshNameKeys recomputes person.name_key, of current and past versions,
// where it differs from NameKey(name), when the stored rules differ from
// this program's; it then records the rules. It returns the rows changed.
//
// A name key is derived data: it changes in place, without a new version
// of the person. One audit entry records the refresh and its counts,
// unless the register is empty. It reads the register in order of primary
// key, nameKeyChunk rows at a time, and writes each chunk's changed keys in
// one statement and transaction; if it stops half-way, the next run goes
// on with what is still stale.
func (r *Registry) RefreshNameKeys(ctx context.Context, actor string, progress NameKeyProgress) (int64, error) {
	stale, err := r.NameKeysStale(ctx)
	if err != nil || !stale {
		return 0, err
	}
	var total int64
	if err := r.DB.QueryRow(ctx, `SELECT COUNT(*) FROM person`).Scan(&total); err != nil {
		return 0, fmt.Errorf("registry: name keys: %w", err)
	}
	chunk := nameKeyChunk
	if r.nameKeyChunk > 0 {
		chunk = r.nameKeyChunk
	}
	var done, changed int64
	var afterID int64 = -1
	afterVersion := 0
	ids, versions, keys := make([]int64, 0, chunk), make([]int64, 0, chunk), make([]string, 0, chunk)
	for {
		ids, versions, keys = ids[:0], versions[:0], keys[:0]
		n := 0
		rows, err := r.DB.Query(ctx, `SELECT id, version, name, name_key FROM person
			WHERE (id, version) > ($1, $2) ORDER BY id, version LIMIT $3`, afterID, afterVersion, chunk)
		if err != nil {
			return changed, fmt.Errorf("registry: name keys: %w", err)
		}
		for rows.Next() {
			var id int64
			var version int
			var name, key string
			if err := rows.Scan(&id, &version, &name, &key); err != nil {
				rows.Close()
				return changed, err
			}
			n++
			afterID, afterVersion = id, version
			if k := NameKey(name); k != key {
				ids, versions, keys = append(ids, id), append(versions, int64(version)), append(keys, k)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return changed, err
		}
		if len(ids) > 0 {
			if err := r.DB.Write(ctx, func(tx *store.Tx) error { return updateNameKeys(ctx, tx, ids, versions, keys) }); err != nil {
				return changed, fmt.Errorf("registry: name keys from person %d: %w", ids[0], err)
			}
			changed += int64(len(ids))
		}
		done += int64(n)
		if progress != nil {
			progress(done, max(total, done))
		}
		if n < chunk {
			break
		}
	}
	err = r.DB.Write(ctx, func(tx *store.Tx) error {
		now := r.Now()
		if _, err := tx.Exec(ctx, `INSERT INTO derived_rules (name, rules, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at`,
			derivedNameKey, NameKeyRules(), store.Micros(now)); err != nil {
			return err
		}
		if done == 0 {
			return nil // an empty register: nothing was looked at
		}
		e := Edit{Actor: actor}
		en := e.entry(ctx, audit.ActNameKeys, audit.ObjRegister, 0, 0, "", now)
		en.After = map[string]any{"aturan": NameKeyRules(), "baris_dibaca": done, "baris_diubah": changed}
		return audit.Record(ctx, tx, en)
	})
	if err != nil {
		return changed, fmt.Errorf("registry: name key rules: %w", err)
	}
	return changed, nil
}

// updateNameKeys sets the name keys of the given person versions in one statement.
func updateNameKeys(ctx context.Context, tx *store.Tx, ids, versions []int64, keys []string) error {
	if tx.Engine() == store.Postgres {
		_, err := tx.Exec(ctx, `UPDATE person AS p SET name_key = u.k
			FROM unnest($1::bigint[], $2::int[], $3::text[]) AS u(id, version, k)
			WHERE p.id = u.id AND p.version = u.version`, ids, versions, keys)
		return err
	}
	items := make([][3]any, len(ids))
	for i := range ids {
		items[i] = [3]any{ids[i], versions[i], keys[i]}
	}
	b, err := json.Marshal(items)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE person SET name_key = j.value ->> 2
		FROM json_each($1) AS j
		WHERE person.id = j.value ->> 0 AND person.version = j.value ->> 1`, string(b))
	return err
}
