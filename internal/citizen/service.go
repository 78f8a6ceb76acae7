package citizen

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// Audit actions and the object type of citizens' accounts.
const (
	ObjCitizen    = "warga"
	ActRegister   = "warga.daftar"      // an account registered
	ActApprove    = "warga.setujui"     // verified by an operator
	ActReject     = "warga.tolak"       // rejected with a reason
	ActResubmit   = "warga.kirim_ulang" // new photos after a rejection
	ActViewPhoto  = "lihat.foto"        // an operator looked at a KTP photo or selfie
	ActViewDetail = audit.ActView       // an operator opened an account with its full NIK
)

// Reason is a published reason for rejecting an account.
type Reason struct {
	Code    string
	Label   string // Indonesian
	LabelEN string
}

// Reasons are the published reasons an operator rejects an account with.
// The list is fixed here and documented in docs/citizens.md.
var Reasons = []Reason{
	{"foto_tidak_jelas", "Foto tidak jelas", "Photo unclear"},
	{"ktp_terbalik", "KTP terbalik", "KTP upside down"},
	{"tanpa_swafoto_ktp", "Tidak ada swafoto dengan KTP", "No selfie holding the KTP"},
	{"ktp_fotokopi", "KTP fotokopi", "Photocopied KTP"},
	{"wajah_tidak_sesuai", "Wajah pada swafoto tidak sesuai dengan foto KTP", "Face in the selfie does not match the KTP"},
	{"belum_cukup_umur", "Belum cukup umur", "Under age"},
	{"data_tidak_sesuai", "Data tidak sesuai dengan Dukcapil", "Data do not match the civil registry (Dukcapil)"},
	{"bukan_warga_desa", "Bukan warga desa/kelurahan yang dipilih", "Not a resident of the chosen village"},
}

// ReasonByCode finds a reason.
func ReasonByCode(code string) (Reason, bool) {
	for _, r := range Reasons {
		if r.Code == code {
			return r, true
		}
	}
	return Reason{}, false
}

// Flags: what the register check found, shown to the operator. A
// registration is never refused for them: the register may be out of date
// (a KK changes on moving, marriage or a new head), and a refusal would
// tell a stranger whether a NIK is in the social register. The operator
// decides, with "data_tidak_sesuai" when the data are wrong.
const (
	FlagKK       = "kk_beda"        // the register knows the NIK with another KK number
	FlagName     = "nama_beda"      // ... with another name (after folding spelling variants)
	FlagVillage  = "desa_beda"      // ... in another village
	FlagInactive = "register_tidur" // ... as put to sleep (died, moved, duplicate)
	FlagUnderAge = "di_bawah_17"    // the NIK's date of birth is less than 17 years ago
)

// FlagLabels describe the flags, in Indonesian.
var FlagLabels = map[string]string{
	FlagKK:       "Register mencatat NIK ini dengan nomor KK lain",
	FlagName:     "Register mencatat NIK ini dengan nama lain",
	FlagVillage:  "Register mencatat NIK ini di desa/kelurahan lain",
	FlagInactive: "NIK ini di register berstatus tidak aktif (ditidurkan)",
	FlagUnderAge: "Menurut NIK, umurnya belum 17 tahun",
}

// Service registers and verifies citizens' accounts.
type Service struct {
	DB     *store.DB
	Auth   *auth.Service
	Notify *notify.Service
	Now    func() time.Time
	// Limiter bounds registrations per client address in the HTTP
	// handlers; nil means no limit.
	Limiter *Limiter
}

// New returns the service.
func New(db *store.DB, a *auth.Service, n *notify.Service) *Service {
	return &Service{DB: db, Auth: a, Notify: n, Now: store.Now}
}

// Registration is what a resident submits.
type Registration struct {
	NIK, KK, Name, VillageCode string
	Phone, Email               string // at least one
	Password                   string
	KTP, Selfie                []byte // the photos as uploaded
}

// MaxName bounds a name.
const MaxName = 100

func field(name, reason string) errs.FieldError { return errs.FieldError{Field: name, Reason: reason} }

// check validates a registration's fields and returns its normal form.
func (s *Service) check(reg Registration) (Registration, []errs.FieldError) {
	var fs []errs.FieldError
	reg.NIK, reg.KK = strings.TrimSpace(reg.NIK), strings.TrimSpace(reg.KK)
	if _, err := nik.Parse(reg.NIK); err != nil {
		fs = append(fs, field("nik", "NIK tidak valid: "+err.Error()))
	}
	if _, err := nik.ParseKK(reg.KK); err != nil {
		fs = append(fs, field("kk", "nomor KK tidak valid: "+err.Error()))
	}
	reg.Name = strings.Join(strings.Fields(strings.ToUpper(reg.Name)), " ")
	if n := utf8.RuneCountInString(reg.Name); n < 2 || n > MaxName || !strings.ContainsFunc(reg.Name, unicode.IsLetter) {
		fs = append(fs, field("name", fmt.Sprintf("nama sesuai KTP, 2 s.d. %d karakter", MaxName)))
	}
	reg.VillageCode = strings.TrimSpace(reg.VillageCode)
	if strings.Count(reg.VillageCode, ".") != 3 {
		fs = append(fs, field("village", "pilih desa/kelurahan (kode wilayah tingkat desa, mis. 32.04.28.2001)"))
	}
	if p := strings.TrimSpace(reg.Phone); p != "" {
		if n, ok := auth.NormalizePhone(p); ok {
			reg.Phone = n
		} else {
			fs = append(fs, field("phone", "nomor HP Indonesia, mis. 0812 3456 7890"))
		}
	}
	if e := strings.TrimSpace(reg.Email); e != "" {
		reg.Email = auth.NormalizeEmail(e)
		if a, err := mail.ParseAddress(reg.Email); err != nil || a.Address != reg.Email || len(reg.Email) > 254 {
			fs = append(fs, field("email", "alamat e-mail tidak valid"))
		}
	}
	if reg.Phone == "" && reg.Email == "" && !hasField(fs, "phone") && !hasField(fs, "email") {
		fs = append(fs, field("phone", "isi nomor HP atau alamat e-mail"))
	}
	if len(reg.Password) < auth.MinPassword || len(reg.Password) > auth.MaxPassword {
		fs = append(fs, field("password", fmt.Sprintf("kata sandi %d s.d. %d karakter", auth.MinPassword, auth.MaxPassword)))
	}
	return reg, fs
}

func hasField(fs []errs.FieldError, name string) bool {
	for _, f := range fs {
		if f.Field == name {
			return true
		}
	}
	return false
}

// Register creates a citizen's account waiting for verification. Bad
// fields and photos are refused together, each naming its field; a NIK,
// phone or e-mail that already has an account is a conflict. The village's
// operators and district office are notified in the same transaction.
func (s *Service) Register(ctx context.Context, reg Registration) (Account, error) {
	reg, fs := s.check(reg)
	ktp, err := CleanPhoto("ktp", reg.KTP)
	if err != nil {
		fs = append(fs, err.(*errs.Invalid).Fields...)
	}
	selfie, err := CleanPhoto("selfie", reg.Selfie)
	if err != nil {
		fs = append(fs, err.(*errs.Invalid).Fields...)
	}
	if len(fs) > 0 {
		return Account{}, &errs.Invalid{Fields: fs}
	}
	hash, err := s.Auth.HashNewPassword(ctx, reg.Password)
	if err != nil {
		return Account{}, err
	}
	now := s.Now()
	var a Account
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		var active bool
		err := tx.QueryRow(ctx, `SELECT active FROM regions WHERE code = $1 AND level = 4`, reg.VillageCode).Scan(&active)
		if store.IsNoRows(err) || err == nil && !active {
			return &errs.Invalid{Fields: []errs.FieldError{{Field: "village", Value: reg.VillageCode, Reason: "desa/kelurahan tidak dikenal atau tidak aktif"}}}
		}
		if err != nil {
			return err
		}
		if err := taken(ctx, tx, reg); err != nil {
			return err
		}
		flags, personID, err := registerCheck(ctx, tx, reg, now)
		if err != nil {
			return err
		}
		u, err := s.Auth.CreateCitizenTx(ctx, tx, hash, reg.VillageCode)
		if err != nil {
			return err
		}
		a = Account{ID: u.ID, NIK: reg.NIK, KK: reg.KK, Name: reg.Name, VillageCode: reg.VillageCode, Phone: reg.Phone, Email: reg.Email,
			Status: Pending, Flags: flags, PersonID: personID, CreatedAt: now}
		if _, err := tx.Exec(ctx, `INSERT INTO citizen_account (user_id, nik, kk, name, village_code, phone, email, status, flags, person_id, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
			a.ID, a.NIK, a.KK, a.Name, a.VillageCode, nullable(a.Phone), nullable(a.Email), string(Pending), strings.Join(flags, ","),
			nullableID(personID), store.Micros(now)); err != nil {
			return err
		}
		if err := putPhotos(ctx, tx, a.ID, ktp, selfie, now); err != nil {
			return err
		}
		if err := s.tellOperators(ctx, tx, a, "Pendaftaran akun warga menunggu verifikasi"); err != nil {
			return err
		}
		if _, err := s.Notify.SendTx(ctx, tx, notify.Notice{To: notify.Recipient{UserID: a.ID}, Subject: "Pendaftaran akun diterima",
			Body: "Operator desa/kelurahan atau dinas sosial akan memeriksa foto KTP dan swafoto Anda. Anda akan diberi tahu hasilnya.",
			Link: "/warga/akun"}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.entry(ctx, a, ActRegister, nil, map[string]any{"status": string(Pending), "tanda": strings.Join(flags, ",")}))
	})
	if store.IsUniqueViolation(err) {
		return Account{}, errs.Conflict("NIK, nomor HP atau e-mail ini baru saja didaftarkan; masuk dengan akun itu atau hubungi operator desa")
	}
	if err != nil {
		return Account{}, err
	}
	return a, nil
}

// taken refuses a NIK, phone or e-mail that already has an account.
func taken(ctx context.Context, tx *store.Tx, reg Registration) error {
	var nikTaken, phoneTaken, emailTaken bool
	err := tx.QueryRow(ctx, `SELECT
  EXISTS (SELECT 1 FROM citizen_account WHERE nik = $1),
  EXISTS (SELECT 1 FROM citizen_account WHERE phone = $2),
  EXISTS (SELECT 1 FROM citizen_account WHERE email = $3)`, reg.NIK, nullable(reg.Phone), nullable(reg.Email)).Scan(&nikTaken, &phoneTaken, &emailTaken)
	if err != nil {
		return err
	}
	switch {
	case nikTaken:
		return errs.Conflict("NIK ini sudah memiliki akun warga: satu NIK satu akun. Masuk dengan NIK dan kata sandinya, atau hubungi operator desa/kelurahan")
	case phoneTaken:
		return errs.Conflict("nomor HP ini sudah dipakai akun warga lain")
	case emailTaken:
		return errs.Conflict("alamat e-mail ini sudah dipakai akun warga lain")
	}
	return nil
}

// registerCheck compares a registration with the register's current
// record of the NIK, if any, and returns the flags and the person's ID.
func registerCheck(ctx context.Context, tx *store.Tx, reg Registration, now time.Time) ([]string, int64, error) {
	var flags []string
	if n, err := nik.Parse(reg.NIK); err == nil && n.BirthDate(now).AddDate(17, 0, 0).After(now) {
		flags = append(flags, FlagUnderAge)
	}
	var personID int64
	var name, kk, village, status string
	err := tx.QueryRow(ctx, `SELECT p.id, p.name, f.kk, p.village_code, p.status FROM person p
JOIN family f ON f.id = p.family_id AND f.valid_to IS NULL
WHERE p.nik = $1 AND p.valid_to IS NULL`, reg.NIK).Scan(&personID, &name, &kk, &village, &status)
	if store.IsNoRows(err) {
		return flags, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("citizen: register check: %w", err)
	}
	if kk != reg.KK {
		flags = append(flags, FlagKK)
	}
	if registry.NameKey(name) != registry.NameKey(reg.Name) {
		flags = append(flags, FlagName)
	}
	if village != reg.VillageCode {
		flags = append(flags, FlagVillage)
	}
	if status != "aktif" {
		flags = append(flags, FlagInactive)
	}
	return flags, personID, nil
}

func putPhotos(ctx context.Context, tx *store.Tx, id int64, ktp, selfie Image, now time.Time) error {
	for _, p := range []struct {
		kind string
		img  Image
	}{{PhotoKTP, ktp}, {PhotoSelfie, selfie}} {
		if _, err := tx.Exec(ctx, `DELETE FROM citizen_photo WHERE user_id = $1 AND kind = $2`, id, p.kind); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO citizen_photo (user_id, kind, content_type, data, width, height, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, p.kind, ContentType, p.img.Data, p.img.Width, p.img.Height, store.Micros(now)); err != nil {
			return err
		}
	}
	return nil
}

// tellOperators notifies the village's operators and its district office.
func (s *Service) tellOperators(ctx context.Context, tx *store.Tx, a Account, subject string) error {
	link := fmt.Sprintf("/verifikasi-warga/%d", a.ID)
	body := "Periksa foto KTP dan swafoto, lalu setujui atau tolak dengan alasan."
	_, err := s.Notify.SendManyTx(ctx, tx, []notify.Notice{
		{To: notify.Recipient{Role: authz.Village, Region: a.VillageCode}, Subject: subject, Body: body, Link: link},
		{To: notify.Recipient{Role: authz.District, Region: districtOf(a.VillageCode)}, Subject: subject, Body: body, Link: link},
	})
	return err
}

// districtOf returns the regency/city code of a village code.
func districtOf(village string) string {
	parts := strings.SplitN(village, ".", 3)
	if len(parts) < 2 {
		return village
	}
	return parts[0] + "." + parts[1]
}

// entry is an audit entry about an account. Without a principal (a
// resident registering) the actor is the account itself.
func (s *Service) entry(ctx context.Context, a Account, action string, before, after map[string]any) audit.Entry {
	e := audit.Entry{Action: action, ObjectType: ObjCitizen, ObjectID: a.ID, PersonID: a.PersonID, Region: a.VillageCode,
		Before: before, After: after, At: s.Now()}
	if _, ok := authz.From(ctx); !ok {
		e.Actor, e.Role, e.ActorRegion = Username(a.ID), string(authz.Citizen), a.VillageCode
	}
	return e
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullableID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Decision is an operator's decision on an account.
type Decision struct {
	Approve bool
	Reason  string // a Reasons code, required to reject
	Note    string // optional words for the citizen, at most MaxNote
}

// MaxNote bounds a decision's note.
const MaxNote = 500

// ErrMaker refuses a decision by the account's maker.
var ErrMaker = fmt.Errorf("akun ini dibuat oleh Anda sendiri: verifikasi harus oleh operator lain: %w", errs.ErrForbidden)

// Decide approves or rejects a waiting account as the principal of ctx,
// within their region (others are not found). The account's maker (the
// citizen, or an operator who registered them) may not decide it. The
// decision, its audit entry and the citizen's notification commit together.
func (s *Service) Decide(ctx context.Context, id int64, d Decision) (Account, error) {
	p, ok := authz.From(ctx)
	if !ok || !authz.Can(p.Role, authz.CitizenVerify) {
		return Account{}, fmt.Errorf("verifikasi akun warga: %w", errs.ErrForbidden)
	}
	d.Note = strings.TrimSpace(d.Note)
	var reason Reason
	if !d.Approve {
		r, ok := ReasonByCode(d.Reason)
		if !ok {
			return Account{}, &errs.Invalid{Fields: []errs.FieldError{{Field: "reason", Value: d.Reason, Reason: "pilih salah satu alasan penolakan yang diumumkan"}}}
		}
		reason = r
	}
	if utf8.RuneCountInString(d.Note) > MaxNote {
		return Account{}, &errs.Invalid{Fields: []errs.FieldError{{Field: "note", Reason: fmt.Sprintf("catatan paling banyak %d karakter", MaxNote)}}}
	}
	now := s.Now()
	var a Account
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var maker string
		var err error
		a, maker, err = s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.UserID == a.ID || (maker != "" && maker == p.Username) {
			return ErrMaker
		}
		if a.Status != Pending {
			return errs.Conflict("akun ini sudah diputuskan (%s)", a.Status.Label())
		}
		status, action := Verified, ActApprove
		after := map[string]any{"status": string(Verified)}
		if !d.Approve {
			status, action = Rejected, ActReject
			after = map[string]any{"status": string(Rejected), "alasan": reason.Code}
		}
		res, err := tx.Exec(ctx, `UPDATE citizen_account SET status = $1, reject_reason = $2, reject_note = $3, decided_by = $4, decided_by_id = $5,
decided_at = $6, updated_at = $6 WHERE user_id = $7 AND status = $8`,
			string(status), reason.Code, d.Note, p.Username, p.UserID, store.Micros(now), id, string(Pending))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.Conflict("akun ini baru saja diputuskan orang lain")
		}
		a.Status, a.Verified, a.RejectReason, a.RejectNote, a.DecidedBy, a.DecidedAt = status, status == Verified, reason.Code, d.Note, p.Username, now
		n := notify.Notice{To: notify.Recipient{UserID: a.ID}, Link: "/warga/akun", Subject: "Akun Anda terverifikasi",
			Body: "Akun warga Anda telah diverifikasi. Anda sekarang dapat mengajukan usul dan sanggah."}
		if !d.Approve {
			n.Subject = "Akun Anda ditolak"
			n.Body = "Alasan: " + reason.Label + "."
			if d.Note != "" {
				n.Body += " Catatan operator: " + d.Note
			}
			n.Body += " Anda dapat mengirim ulang foto KTP dan swafoto dari halaman akun."
		}
		if _, err := s.Notify.SendTx(ctx, tx, n); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.entry(ctx, a, action, map[string]any{"status": string(Pending)}, after))
	})
	if err != nil {
		return Account{}, err
	}
	return a, nil
}

// load reads an account inside the principal's region, with its maker.
func (s *Service) load(ctx context.Context, tx *store.Tx, id int64) (Account, string, error) {
	var maker string
	row := tx.QueryRow(ctx, `SELECT `+accountColumnsOf("c.")+`, u.created_by FROM citizen_account c JOIN users u ON u.id = c.user_id WHERE c.user_id = $1`, id)
	a, err := scanAccount(row, &maker)
	if store.IsNoRows(err) || err == nil && !authz.Contains(authz.Scope(ctx), a.VillageCode) {
		return Account{}, "", errs.NotFound("akun warga %d", id)
	}
	if err != nil {
		return Account{}, "", fmt.Errorf("citizen: account: %w", err)
	}
	if maker == Username(a.ID) {
		maker = ""
	}
	return a, maker, nil
}

// Resubmit replaces a rejected account's photos, as the citizen of ctx,
// and puts the account back in the queue.
func (s *Service) Resubmit(ctx context.Context, ktpRaw, selfieRaw []byte) (Account, error) {
	me, ok := From(ctx)
	if !ok {
		return Account{}, fmt.Errorf("hanya untuk warga yang masuk dengan akunnya: %w", errs.ErrForbidden)
	}
	var fs []errs.FieldError
	ktp, err := CleanPhoto("ktp", ktpRaw)
	if err != nil {
		fs = append(fs, err.(*errs.Invalid).Fields...)
	}
	selfie, err := CleanPhoto("selfie", selfieRaw)
	if err != nil {
		fs = append(fs, err.(*errs.Invalid).Fields...)
	}
	if len(fs) > 0 {
		return Account{}, &errs.Invalid{Fields: fs}
	}
	now := s.Now()
	var a Account
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE citizen_account SET status = $1, updated_at = $2 WHERE user_id = $3 AND status = $4`,
			string(Pending), store.Micros(now), me.ID, string(Rejected))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.Conflict("foto hanya dapat dikirim ulang setelah akun ditolak")
		}
		if err := putPhotos(ctx, tx, me.ID, ktp, selfie, now); err != nil {
			return err
		}
		if a, err = scanAccount(tx.QueryRow(ctx, `SELECT `+accountColumns+` FROM citizen_account WHERE user_id = $1`, me.ID)); err != nil {
			return err
		}
		if err := s.tellOperators(ctx, tx, a, "Akun warga mengirim ulang foto dan menunggu verifikasi"); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.entry(ctx, a, ActResubmit, map[string]any{"status": string(Rejected)}, map[string]any{"status": string(Pending)}))
	})
	if err != nil {
		return Account{}, err
	}
	return a, nil
}

// Item is an account in the operators' queue: the NIK masked.
type Item struct {
	ID          int64
	NIKMasked   string
	Name        string
	VillageCode string
	Status      Status
	Flags       []string
	InRegister  bool
	CreatedAt   time.Time
}

// QueueOptions select the queue.
type QueueOptions struct {
	Status Status // "" = waiting
	Limit  int    // default 50, at most 200
	After  int64  // the next page: accounts with a larger ID
}

// Queue lists the accounts inside the principal's region with a status,
// oldest first.
func (s *Service) Queue(ctx context.Context, o QueueOptions) ([]Item, error) {
	if o.Status == "" {
		o.Status = Pending
	}
	if o.Limit <= 0 || o.Limit > 200 {
		o.Limit = 50
	}
	scope := authz.Scope(ctx)
	rows, err := s.DB.Query(ctx, `SELECT user_id, nik, name, village_code, status, flags, person_id IS NOT NULL, created_at FROM citizen_account
WHERE status = $1 AND ($2 = '' OR village_code = $2 OR village_code LIKE $3) AND user_id > $4 ORDER BY user_id LIMIT $5`,
		string(o.Status), scope, scope+".%", o.After, o.Limit)
	if err != nil {
		return nil, fmt.Errorf("citizen: queue: %w", err)
	}
	defer rows.Close()
	out := []Item{}
	for rows.Next() {
		var it Item
		var n, flags string
		var created int64
		if err := rows.Scan(&it.ID, &n, &it.Name, &it.VillageCode, &it.Status, &flags, &it.InRegister, &created); err != nil {
			return nil, err
		}
		it.NIKMasked, it.Flags, it.CreatedAt = nik.Mask(n), splitFlags(flags), store.FromMicros(created)
		out = append(out, it)
	}
	return out, rows.Err()
}

// Get returns an account inside the principal's region with its full NIK
// and KK number, for verification; the look is audited.
func (s *Service) Get(ctx context.Context, id int64) (Account, error) {
	var a Account
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		if a, _, err = s.load(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.entry(ctx, a, ActViewDetail, nil, nil))
	})
	return a, err
}

// Photo returns a photo of an account inside the principal's region; the
// look is audited.
func (s *Service) Photo(ctx context.Context, id int64, kind string) ([]byte, error) {
	if kind != PhotoKTP && kind != PhotoSelfie {
		return nil, errs.NotFound("foto %q", kind)
	}
	var data []byte
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		a, _, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT data FROM citizen_photo WHERE user_id = $1 AND kind = $2`, id, kind).Scan(&data)
		if store.IsNoRows(err) {
			return errs.NotFound("foto %s akun warga %d", kind, id)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.entry(ctx, a, ActViewPhoto, nil, map[string]any{"foto": kind}))
	})
	return data, err
}

// Addresses is the notify.AddressBook of citizens: phone numbers for "sms"
// and e-mail addresses for "email".
type Addresses struct{ DB *store.DB }

// Addresses returns the addresses of the accounts on a channel.
func (b Addresses) Addresses(ctx context.Context, channel string, ids []int64) (map[int64]string, error) {
	col := map[string]string{"sms": "phone", "email": "email"}[channel]
	out := map[int64]string{}
	if col == "" || len(ids) == 0 {
		return out, nil
	}
	in, args := b.DB.Engine().InInt64("user_id", 1, ids)
	rows, err := b.DB.Query(ctx, `SELECT user_id, `+col+` FROM citizen_account WHERE `+in+` AND `+col+` IS NOT NULL`, args...)
	if err != nil {
		return nil, fmt.Errorf("citizen: addresses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var addr string
		if err := rows.Scan(&id, &addr); err != nil {
			return nil, err
		}
		out[id] = addr
	}
	return out, rows.Err()
}
