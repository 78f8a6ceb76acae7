package proposal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/cekbansos"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// A citizen objecting to a recipient finds the family by a member's name
// within their own village, among the current recipients of the latest
// final determination of each program, and picks one by an opaque
// reference signed by the server: the form never carries a family number.

// Limits of a recipient search.
const (
	MinSearchLetters = 3
	MaxSearchResults = 20
)

// ActSearch is the audit action of a recipient search.
const ActSearch = "sanggah.cari_penerima"

// Recipient is one family found by a search: masked names of the matching
// members, the programs it receives, and the reference to object with.
type Recipient struct {
	Ref      string   `json:"ref"`
	Names    []string `json:"names"`
	Programs []string `json:"programs"`
}

// latestFinal selects, per program, the final determination with the
// latest period (a later run of the same period supersedes the earlier).
const latestFinal = `SELECT d.id FROM determination d WHERE d.kind = 'penetapan' AND d.status = 'final' AND NOT EXISTS (
	SELECT 1 FROM determination n WHERE n.kind = 'penetapan' AND n.status = 'final' AND n.program = d.program
	AND (n.period_start > d.period_start OR (n.period_start = d.period_start AND n.id > d.id)))`

// SearchRecipients finds current recipients in the citizen's village whose
// members' names contain name (at least 3 letters), at most 20 families.
// Every search is audited, without the name typed.
func (s *Service) SearchRecipients(ctx context.Context, who Proposer, name string) ([]Recipient, error) {
	if !who.Verified {
		return nil, invalid("akun", "akun warga belum diverifikasi: usulan dan sanggahan hanya dari akun terverifikasi")
	}
	letters := 0
	for _, r := range name {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters < MinSearchLetters {
		return nil, invalid("nama", fmt.Sprintf("ketik paling sedikit %d huruf nama penerima", MinSearchLetters))
	}
	if utf8.RuneCountInString(name) > 100 {
		return nil, invalid("nama", "nama paling panjang 100 karakter")
	}
	if s.SearchLimit != nil {
		if ok, retry := s.SearchLimit.Reserve(fmt.Sprintf("cari:%d", who.CitizenID), s.now()); !ok {
			return nil, invalid("nama", fmt.Sprintf("terlalu banyak pencarian; coba lagi %d detik lagi", int(retry.Seconds())+1))
		}
	}
	// From the village's people by name (person_current_village_name),
	// to their families' items in the latest final determinations (the
	// items' key starts with determination and family).
	match, margs := registry.NameCondition("p.name_key", 2, name)
	rows, err := s.DB.Query(ctx, `SELECT DISTINCT p.family_id, p.name, d.program
		FROM person p
		JOIN family f ON f.id = p.family_id AND f.valid_to IS NULL AND f.village_code = $1
		JOIN determination d ON d.id IN (`+latestFinal+`)
		JOIN determination_item i ON i.determination_id = d.id AND i.family_id = p.family_id AND i.status IN ('new', 'continuing')
		WHERE p.valid_to IS NULL AND p.village_code = $1 AND `+match+`
		ORDER BY p.family_id, p.name, d.program`, append([]any{who.VillageCode}, margs...)...)
	if err != nil {
		return nil, fmt.Errorf("proposal: search recipients: %w", err)
	}
	defer rows.Close()
	var out []Recipient
	var ids []int64
	for rows.Next() {
		var id int64
		var pname, prog string
		if err := rows.Scan(&id, &pname, &prog); err != nil {
			return nil, err
		}
		if len(ids) == 0 || ids[len(ids)-1] != id {
			if len(ids) == MaxSearchResults {
				break
			}
			ids = append(ids, id)
			out = append(out, Recipient{Ref: s.recipientRef(who.CitizenID, id)})
		}
		r := &out[len(out)-1]
		r.Names = appendNew(r.Names, cekbansos.MaskName(pname))
		r.Programs = appendNew(r.Programs, prog)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		sort.Strings(out[i].Programs)
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		e := audit.Entry{Action: ActSearch, ObjectType: ObjProposal, Region: who.VillageCode,
			After: map[string]any{"hasil": len(out), "keluarga": ids, "huruf": letters}}
		if _, ok := authz.From(ctx); !ok {
			e.Actor = who.maker()
		}
		return audit.Record(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// RefKeyFrom derives the reference key from the secret key, so that the
// secret key itself signs nothing a citizen sees.
func RefKeyFrom(secret []byte) []byte {
	if len(secret) == 0 {
		return nil
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("jaring/sanggah/penerima/v1"))
	return m.Sum(nil)
}

var (
	randomKeyOnce sync.Once
	randomKey     []byte
)

func (s *Service) refKey() []byte {
	if len(s.RefKey) > 0 {
		return s.RefKey
	}
	randomKeyOnce.Do(func() {
		randomKey = make([]byte, 32)
		_, _ = rand.Read(randomKey)
	})
	return randomKey
}

// recipientRef signs a family ID for one citizen: base64url of the ID and
// the first 16 bytes of an HMAC over the citizen and the ID.
func (s *Service) recipientRef(citizenID, familyID int64) string {
	var b [8 + 16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(familyID))
	copy(b[8:], s.refMAC(citizenID, familyID))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Service) refMAC(citizenID, familyID int64) []byte {
	m := hmac.New(sha256.New, s.refKey())
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(citizenID))
	binary.BigEndian.PutUint64(b[8:], uint64(familyID))
	m.Write([]byte("jaring/sanggah/penerima/v1"))
	m.Write(b[:])
	return m.Sum(nil)[:16]
}

// FamilyOfRef returns the family a reference made for the citizen names;
// a reference altered, or made for someone else, is refused.
func (s *Service) FamilyOfRef(citizenID int64, ref string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(ref))
	if err != nil || len(b) != 24 {
		return 0, invalid("penerima", "pilih penerima dari hasil pencarian")
	}
	id := int64(binary.BigEndian.Uint64(b[:8]))
	if id <= 0 || !hmac.Equal(b[8:], s.refMAC(citizenID, id)) {
		return 0, invalid("penerima", "pilihan penerima tidak sah; cari dan pilih lagi")
	}
	return id, nil
}
