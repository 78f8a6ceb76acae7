package complaint

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/store"
)

// Input limits, in characters.
const (
	MaxDescription = 5000
	MinDescription = 10
	MaxName        = 100
	MaxText        = 5000 // a note, reply, resolution or addition
)

// Contact is how to reach a filer, or who a whistleblower is. It is
// stored sealed (AES-256-GCM) and never logged.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Empty reports whether no field is set.
func (c Contact) Empty() bool { return c.Name == "" && c.Phone == "" && c.Email == "" }

// Filing is a new case as submitted.
type Filing struct {
	Kind        Kind
	Category    Category
	Region      string
	Description string
	// Anonymous filings carry no contact; Contact is then ignored.
	Anonymous bool
	Contact   Contact
	Files     []Upload
}

// Receipt is what the filer gets once: the tracking code and the secret.
// The secret is not kept; only its hash is.
type Receipt struct {
	ID     int64
	Kind   Kind
	Code   string // formatted, XXXX-XXXX
	Secret string // formatted, five groups of five
	Due    time.Time
	Unit   Unit
}

// cleanText trims s, normalizes line ends and refuses control characters
// other than line breaks and tabs, and invalid UTF-8.
func cleanText(s string) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", false
		}
	}
	return s, true
}

func checkText(field, s string, minLen, maxLen int, fs *[]errs.FieldError) string {
	s, ok := cleanText(s)
	n := utf8.RuneCountInString(s)
	switch {
	case !ok:
		*fs = append(*fs, errs.FieldError{Field: field, Reason: "berisi karakter yang tidak diizinkan"})
	case n == 0 && minLen > 0:
		*fs = append(*fs, errs.FieldError{Field: field, Reason: "wajib diisi"})
	case n < minLen:
		*fs = append(*fs, errs.FieldError{Field: field, Reason: fmt.Sprintf("terlalu pendek: paling sedikit %d karakter", minLen)})
	case n > maxLen:
		*fs = append(*fs, errs.FieldError{Field: field, Reason: fmt.Sprintf("terlalu panjang: paling banyak %d karakter", maxLen)})
	}
	return s
}

// checkContact validates a contact: a name, and a phone number or an
// e-mail address to answer on.
func checkContact(c Contact, fs *[]errs.FieldError) Contact {
	c.Name = checkText("nama", c.Name, 1, MaxName, fs)
	c.Phone = strings.TrimSpace(c.Phone)
	c.Email = strings.TrimSpace(c.Email)
	if c.Phone == "" && c.Email == "" {
		*fs = append(*fs, errs.FieldError{Field: "telepon", Reason: "isi nomor telepon atau alamat surel agar dapat dihubungi, atau pilih tanpa identitas"})
	}
	if c.Phone != "" {
		digits := 0
		ok := len(c.Phone) <= 20
		for i, r := range c.Phone {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case r == '+' && i == 0, r == ' ', r == '-':
			default:
				ok = false
			}
		}
		if !ok || digits < 8 || digits > 15 {
			*fs = append(*fs, errs.FieldError{Field: "telepon", Reason: "nomor telepon 8 sampai 15 angka, boleh diawali +"})
		}
	}
	if c.Email != "" {
		a, err := mail.ParseAddress(c.Email)
		if err != nil || a.Address != c.Email || len(c.Email) > 254 {
			*fs = append(*fs, errs.FieldError{Field: "surel", Reason: "alamat surel tidak sah"})
		}
	}
	return c
}

// checkRegion requires a known region code: a village for a complaint;
// any level for a whistleblowing report, which may concern an office.
func (s *Service) checkRegion(ctx context.Context, k Kind, code string, fs *[]errs.FieldError) (string, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		if k != KindWBS {
			*fs = append(*fs, errs.FieldError{Field: "wilayah", Reason: "pilih desa/kelurahan"})
		}
		return code, nil
	}
	lvl := region.Level(code)
	if lvl == 0 || k == KindComplaint && lvl != region.LevelVillage {
		*fs = append(*fs, errs.FieldError{Field: "wilayah", Value: truncate(code, 20), Reason: "kode desa/kelurahan tidak sah (PP.KK.CC.DDDD)"})
		return code, nil
	}
	if _, err := (region.Store{DB: s.DB}).Get(ctx, code); err != nil {
		if store.IsNoRows(err) {
			*fs = append(*fs, errs.FieldError{Field: "wilayah", Value: code, Reason: "wilayah tidak dikenal"})
			return code, nil
		}
		return code, err
	}
	return code, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// prepareFiles checks every upload and returns them ready to store.
func prepareFiles(files []Upload, fs *[]errs.FieldError) ([]Evidence, error) {
	if len(files) > MaxFiles {
		*fs = append(*fs, errs.FieldError{Field: "berkas", Reason: fmt.Sprintf("paling banyak %d berkas", MaxFiles)})
		return nil, nil
	}
	var out []Evidence
	for i, f := range files {
		ev, err := Sanitize(i+1, f.Data)
		if inv, ok := err.(*errs.Invalid); ok {
			*fs = append(*fs, inv.Fields...)
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// File records a new case and returns its receipt. Nothing is stored when
// any field is refused: the error lists every refused field.
func (s *Service) File(ctx context.Context, f Filing) (Receipt, error) {
	var fs []errs.FieldError
	if f.Kind != KindComplaint && f.Kind != KindWBS {
		fs = append(fs, errs.FieldError{Field: "jenis", Value: truncate(string(f.Kind), 20), Reason: "jenis laporan tidak dikenal"})
	}
	rule, ok := RuleFor(f.Kind, f.Category)
	if !ok && len(fs) == 0 {
		fs = append(fs, errs.FieldError{Field: "kategori", Value: truncate(string(f.Category), 30), Reason: "kategori tidak dikenal"})
	}
	var err error
	if f.Region, err = s.checkRegion(ctx, f.Kind, f.Region, &fs); err != nil {
		return Receipt{}, err
	}
	f.Description = checkText("uraian", f.Description, MinDescription, MaxDescription, &fs)
	if f.Anonymous {
		f.Contact = Contact{}
	} else if f.Kind == KindComplaint || !f.Contact.Empty() {
		f.Contact = checkContact(f.Contact, &fs)
	}
	anonymous := f.Contact.Empty()
	evidence, err := prepareFiles(f.Files, &fs)
	if err != nil {
		return Receipt{}, err
	}
	if len(fs) > 0 {
		return Receipt{}, &errs.Invalid{Fields: fs}
	}
	now := s.now()
	unit := route(rule, f.Region)
	secret := randomString(SecretLen)
	rc := Receipt{Kind: f.Kind, Secret: FormatSecret(secret), Due: now.Add(rule.Limit), Unit: unit}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		id, err := tx.ReserveIDs(ctx, "complaint", 1)
		if err != nil {
			return err
		}
		sealed := ""
		if !anonymous {
			b, _ := json.Marshal(f.Contact)
			if sealed, err = auth.Seal(s.Key, string(b), sealContext(id)); err != nil {
				return fmt.Errorf("complaint: seal contact: %w", err)
			}
		}
		var code string
		for attempt := 0; ; attempt++ {
			code = randomString(CodeLen)
			rows, err := tx.Query(ctx, `INSERT INTO complaint (id, kind, code, secret_hash, category, region_code, description, anonymous,
				contact_sealed, unit_kind, unit_region, status, due_at, remind_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
				ON CONFLICT (code) DO NOTHING RETURNING id`,
				id, string(f.Kind), code, hashSecret(secret), string(f.Category), f.Region, f.Description, anonymous,
				sealed, string(unit.Kind), unit.Region, string(Received), store.Micros(rc.Due), store.Micros(rc.Due.Add(-rule.Remind)), store.Micros(now))
			if err != nil {
				return fmt.Errorf("complaint: insert: %w", err)
			}
			inserted := rows.Next()
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("complaint: insert: %w", err)
			}
			if inserted {
				break
			}
			if attempt == 5 {
				return fmt.Errorf("complaint: no free tracking code after %d attempts", attempt+1)
			}
		}
		rc.ID, rc.Code = id, FormatCode(code)
		evID, err := addEvent(ctx, tx, id, now, event{Kind: EvFiled, Actor: ActorFiler, Public: true, Status: Received,
			Body: "Diteruskan ke " + unitLabel(unit)})
		if err != nil {
			return err
		}
		return addFiles(ctx, tx, id, evID, now, evidence)
	})
	if err != nil {
		return Receipt{}, err
	}
	return rc, nil
}

func sealContext(id int64) string { return "pengaduan:" + strconv.FormatInt(id, 10) + ":kontak" }

// unitLabel names a unit in Indonesian, with its region code.
func unitLabel(u Unit) string {
	name := "Dinas Sosial"
	if u.Kind == UnitInspectorate {
		name = "Inspektorat"
	}
	if u.Region == "" {
		return name + " tingkat nasional"
	}
	return name + " " + u.Level() + " " + u.Region
}

// Event kinds of a case's history.
const (
	EvFiled     = "diajukan"  // the case was filed
	EvInfo      = "informasi" // the filer added information
	EvNote      = "catatan"   // an internal note of a handler
	EvReply     = "balasan"   // a handler's message to the filer
	EvStatus    = "status"    // a status change (with the resolution when closing)
	EvReminder  = "pengingat" // the time limit is near
	EvEscalated = "eskalasi"  // the limit passed: the case moved up a level
	EvRevealed  = "identitas" // a whistleblower's identity was revealed (the reason is in the audit trail)
)

// Actors of events that are not back-office users.
const (
	ActorFiler  = "pelapor"
	ActorSystem = "sistem"
)

type event struct {
	Kind   string
	Actor  string
	Public bool
	Status Status
	Body   string
}

func addEvent(ctx context.Context, tx *store.Tx, caseID int64, at time.Time, e event) (int64, error) {
	id, err := tx.ReserveIDs(ctx, "complaint_event", 1)
	if err != nil {
		return 0, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO complaint_event (id, complaint_id, at, kind, actor, public, status, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, caseID, store.Micros(at), e.Kind, e.Actor, e.Public, string(e.Status), e.Body)
	if err != nil {
		return 0, fmt.Errorf("complaint: event: %w", err)
	}
	return id, nil
}

func addFiles(ctx context.Context, tx *store.Tx, caseID, eventID int64, at time.Time, files []Evidence) error {
	if len(files) == 0 {
		return nil
	}
	first, err := tx.ReserveIDs(ctx, "complaint_file", int64(len(files)))
	if err != nil {
		return err
	}
	for i, f := range files {
		_, err := tx.Exec(ctx, `INSERT INTO complaint_file (id, complaint_id, event_id, name, content_type, size, sha256, data, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			first+int64(i), caseID, eventID, f.Name, f.ContentType, int64(len(f.Data)), f.SHA256, f.Data, store.Micros(at))
		if err != nil {
			return fmt.Errorf("complaint: store file: %w", err)
		}
	}
	return nil
}
