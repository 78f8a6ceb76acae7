package proposal

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
)

// Input is what a proposer files. Which fields count depends on Kind.
type Input struct {
	Kind   Kind
	Reason string
	// UsulRegister: the family and its members as proposed.
	Family  *registry.Family
	Members []registry.Person
	// The subject already in the register: a family, or a person.
	FamilyID int64
	PersonID int64
	// UsulProgram and Resign: the program's code.
	Program string
	// Birth: the new member.
	Member *registry.Person
	// Correction, Move, NewKK: the fields that change (import column
	// names: "nama", "tanggal_lahir", "kode_wilayah", "no_kk", ...).
	Change map[string]string
	// Evidence files (JPEG, PNG or PDF).
	Files []File
	// Objection: a photo of the house and where it was taken.
	Photo     *File
	Latitude  *float64
	Longitude *float64
}

// Payload is what an item carries to apply on ratification.
type Payload struct {
	Family  *registry.Family  `json:"keluarga,omitempty"`
	Members []registry.Person `json:"anggota,omitempty"`
	Member  *registry.Person  `json:"anggota_baru,omitempty"`
	Change  map[string]string `json:"perubahan,omitempty"`
}

// citizenKinds are the kinds a citizen may file; the others are change
// requests entered by an operator.
var citizenKinds = map[Kind]bool{UsulRegister: true, UsulProgram: true, Resign: true, Objection: true}

// current is what a submission needs of a registered family or person.
type current struct {
	village   string
	kk        string
	familyID  int64
	name      string
	lat, lon  *float64
	status    string
	found     bool
	personFam int64
}

func (s *Service) family(ctx context.Context, id int64) (current, error) {
	var c current
	err := s.DB.QueryRow(ctx, `SELECT village_code, kk, latitude, longitude, status FROM family WHERE id = $1 AND valid_to IS NULL`, id).
		Scan(&c.village, &c.kk, &c.lat, &c.lon, &c.status)
	if store.IsNoRows(err) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("proposal: read family: %w", err)
	}
	c.found, c.familyID = true, id
	_ = s.DB.QueryRow(ctx, `SELECT name FROM person WHERE family_id = $1 AND valid_to IS NULL AND relation = 'kepala_keluarga' ORDER BY id LIMIT 1`, id).Scan(&c.name)
	return c, nil
}

func (s *Service) person(ctx context.Context, id int64) (current, error) {
	var c current
	err := s.DB.QueryRow(ctx, `SELECT p.family_id, p.village_code, p.name, p.status, f.kk FROM person p
		JOIN family f ON f.id = p.family_id AND f.valid_to IS NULL WHERE p.id = $1 AND p.valid_to IS NULL`, id).
		Scan(&c.familyID, &c.village, &c.name, &c.status, &c.kk)
	if store.IsNoRows(err) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("proposal: read person: %w", err)
	}
	c.found = true
	return c, nil
}

// nation is a context for the service's own reads of the register, which
// it scopes itself (the proposer's village, the actor's region).
func nation(ctx context.Context) context.Context {
	return authz.With(ctx, authz.System("usulan"))
}

// Submit files an item. A citizen files for their own village only and
// must be verified; an operator's walk-in item must lie in their region.
// The same open item (kind and subject) twice is refused.
func (s *Service) Submit(ctx context.Context, who Proposer, in Input) (Item, error) {
	in.Reason = clean(in.Reason)
	if !who.Verified {
		return Item{}, invalid("akun", "akun warga belum diverifikasi: usulan dan sanggahan hanya dari akun terverifikasi")
	}
	if !who.Operator && !citizenKinds[in.Kind] {
		return Item{}, invalid("jenis", "permohonan perubahan data dicatat oleh operator desa")
	}
	if in.Reason == "" {
		return Item{}, invalid("alasan", "alasan wajib diisi")
	}
	if len([]rune(in.Reason)) > 2000 {
		return Item{}, invalid("alasan", "alasan paling panjang 2.000 karakter")
	}
	it := Item{Kind: in.Kind, Reason: in.Reason, Program: clean(in.Program), Status: Submitted, Maker: who.maker(),
		CitizenID: who.CitizenID, MakerUserID: who.UserID, Source: "warga"}
	if who.Operator {
		it.Source = "operator"
	}
	var pl Payload
	var files []storedFile
	if len(in.Files) > MaxFiles {
		return Item{}, invalid("bukti", fmt.Sprintf("paling banyak %d berkas bukti", MaxFiles))
	}
	for _, f := range in.Files {
		ct, err := checkFile("bukti", f, []string{"image/jpeg", "image/png", "application/pdf"}, MaxEvidence)
		if err != nil {
			return Item{}, err
		}
		files = append(files, storedFile{PurposeEvidence, f.Name, ct, f.Data})
	}

	switch in.Kind {
	case UsulRegister:
		if err := s.checkNewFamily(ctx, &in, &it, &pl); err != nil {
			return Item{}, err
		}
	case UsulProgram, Resign:
		c, err := s.subjectFamily(ctx, in.FamilyID, &it)
		if err != nil {
			return Item{}, err
		}
		if err := s.checkProgram(ctx, it.Program); err != nil {
			return Item{}, err
		}
		if in.Kind == Resign && !who.Operator && c.kk != who.KK {
			return Item{}, invalid("family_id", "pengunduran diri hanya untuk keluarga Anda sendiri (No. KK akun)")
		}
		it.SubjectKey = fmt.Sprintf("keluarga:%d:%s", in.FamilyID, it.Program)
	case Birth:
		if _, err := s.subjectFamily(ctx, in.FamilyID, &it); err != nil {
			return Item{}, err
		}
		if in.Member == nil {
			return Item{}, invalid("anggota_baru", "data anak yang lahir wajib diisi")
		}
		m := *in.Member
		m.FamilyID = in.FamilyID
		if m.Relation == "" {
			m.Relation = "anak"
		}
		if err := s.checkPeople(ctx, []registry.Person{m}, "anggota_baru"); err != nil {
			return Item{}, err
		}
		pl.Member = &m
		it.SubjectKey = "nik:" + m.NIK
	case Death:
		if err := s.subjectPerson(ctx, in.PersonID, &it); err != nil {
			return Item{}, err
		}
		it.SubjectKey = fmt.Sprintf("orang:%d", in.PersonID)
	case Move, NewKK, Correction:
		if err := s.checkChange(ctx, &in, &it, &pl); err != nil {
			return Item{}, err
		}
	case Objection:
		c, err := s.subjectFamily(ctx, in.FamilyID, &it)
		if err != nil {
			return Item{}, err
		}
		if in.Photo == nil || len(in.Photo.Data) == 0 {
			return Item{}, invalid("foto_rumah", "foto rumah wajib dilampirkan")
		}
		ct, err := checkFile("foto_rumah", *in.Photo, []string{"image/jpeg", "image/png"}, MaxEvidence)
		if err != nil {
			return Item{}, err
		}
		files = append(files, storedFile{PurposePhoto, in.Photo.Name, ct, in.Photo.Data})
		if in.Latitude == nil || in.Longitude == nil {
			return Item{}, invalid("lokasi", "koordinat GPS (lintang dan bujur) wajib diisi")
		}
		if err := CheckPoint(c.village, *in.Latitude, *in.Longitude, c.lat, c.lon); err != nil {
			return Item{}, err
		}
		it.Latitude, it.Longitude = in.Latitude, in.Longitude
		prog, err := s.recipientOf(ctx, in.FamilyID)
		if err != nil {
			return Item{}, err
		}
		if prog == "" {
			return Item{}, invalid("family_id", "keluarga ini bukan penerima pada penetapan final mana pun")
		}
		it.Program = prog
		it.SubjectKey = fmt.Sprintf("keluarga:%d", in.FamilyID)
	default:
		return Item{}, invalid("jenis", fmt.Sprintf("jenis usulan %q tidak dikenal", in.Kind))
	}

	// The village: a citizen's own; an operator's region.
	if who.Operator {
		if !authz.Contains(who.VillageCode, it.VillageCode) {
			return Item{}, invalid("kode_wilayah", "desa/kelurahan di luar wilayah Anda")
		}
	} else if it.VillageCode != who.VillageCode {
		return Item{}, invalid("kode_wilayah", "hanya untuk warga desa/kelurahan yang sama dengan akun Anda")
	}

	raw, err := json.Marshal(pl)
	if err != nil {
		return Item{}, err
	}
	it.Payload = raw
	now := s.now()
	it.CreatedAt, it.StepAt = now, now
	if in.Kind == Objection {
		d := now.Add(ObjectionDays * 24 * time.Hour)
		it.Deadline = &d
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := duplicate(ctx, tx, it.Kind, it.SubjectKey); err != nil {
			return err
		}
		id, err := tx.ReserveIDs(ctx, "proposal", 1)
		if err != nil {
			return err
		}
		it.ID = id
		var deadline any
		if it.Deadline != nil {
			deadline = store.Micros(*it.Deadline)
		}
		_, err = tx.Exec(ctx, `INSERT INTO proposal (id, kind, village_code, subject_key, family_id, person_id, program, title, reason,
			payload, source, citizen_id, maker_user_id, maker, status, created_at, step_at, deadline, latitude, longitude)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
			id, string(it.Kind), it.VillageCode, it.SubjectKey, nullID(it.FamilyID), nullID(it.PersonID), it.Program, it.Title, it.Reason,
			string(raw), it.Source, nullID(it.CitizenID), nullID(it.MakerUserID), it.Maker, string(it.Status),
			store.Micros(now), store.Micros(now), deadline, it.Latitude, it.Longitude)
		if store.IsUniqueViolation(err) {
			return duplicateErr(0)
		}
		if err != nil {
			return fmt.Errorf("proposal: insert: %w", err)
		}
		if _, err := insertFiles(ctx, tx, id, 0, files, it.Maker, store.Micros(now)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO proposal_step (proposal_id, at, step, status, actor, reason) VALUES ($1, $2, 'ajukan', $3, $4, '')`,
			id, store.Micros(now), string(it.Status), it.Maker); err != nil {
			return err
		}
		if it.Kind == Objection && s.Jobs != nil {
			if _, _, err := s.Jobs.EnqueueTx(ctx, tx, LapseJob, LapseArgs{}, &jobs.EnqueueOptions{
				UniqueKey: fmt.Sprintf("sanggah:%d", id), RunAfter: *it.Deadline}); err != nil {
				return err
			}
		}
		if s.Notify != nil {
			if err := s.Notify(ctx, tx, Event{Status: Submitted, Items: []EventItem{it.event()}}); err != nil {
				return err
			}
		}
		e := audit.Entry{Action: ActSubmit, ObjectType: ObjProposal, ObjectID: id, Region: it.VillageCode,
			After: map[string]any{"jenis": string(it.Kind), "status": string(it.Status), "sumber": it.Source, "berkas": len(files)}}
		if _, ok := authz.From(ctx); !ok {
			e.Actor = it.Maker
		}
		return audit.Record(ctx, tx, e)
	})
	if err != nil {
		return Item{}, err
	}
	return it, nil
}

// Audit actions and object type of proposals.
const (
	ObjProposal   = "usulan"
	ObjSession    = "musdes"
	ActSubmit     = "usulan.ajukan"
	ActVillage    = "usulan.periksa_desa"
	ActMeeting    = "usulan.musdes"
	ActDistrict   = "usulan.periksa_dinsos"
	ActReturn     = "usulan.kembalikan"
	ActReject     = "usulan.tolak"
	ActRatify     = "usulan.sahkan"
	ActApply      = "usulan.terapkan"
	ActObjection  = "sanggah.putus"
	ActLapse      = "sanggah.kedaluwarsa"
	ActVerify     = "verivali.catat"
	ActSession    = "musdes.ubah"
	ActMinutes    = "musdes.unduh_berita_acara"
	ActScanUpload = "musdes.unggah_berita_acara"
	ActFileView   = "usulan.lihat_berkas"
)

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func duplicateErr(id int64) error {
	msg := "usulan yang sama (jenis dan subjek) masih dalam proses"
	if id != 0 {
		msg += fmt.Sprintf(": usulan nomor %d", id)
	}
	return &errs.Invalid{Fields: []errs.FieldError{{Field: "subjek", Reason: msg}}}
}

func duplicate(ctx context.Context, tx *store.Tx, kind Kind, subject string) error {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM proposal WHERE kind = $1 AND subject_key = $2
		AND status IN ('diajukan', 'diperiksa_desa', 'disetujui_musdes', 'diperiksa_dinsos') LIMIT 1`, string(kind), subject).Scan(&id)
	if store.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return duplicateErr(id)
}

func (s *Service) subjectFamily(ctx context.Context, id int64, it *Item) (current, error) {
	if id <= 0 {
		return current{}, invalid("family_id", "keluarga wajib dipilih")
	}
	c, err := s.family(ctx, id)
	if err != nil {
		return c, err
	}
	if !c.found {
		return c, invalid("family_id", "keluarga tidak ditemukan di register")
	}
	it.FamilyID, it.VillageCode = id, c.village
	it.Title = fmt.Sprintf("%s: keluarga %s", it.Kind.Label(), orDash(c.name))
	return c, nil
}

func (s *Service) subjectPerson(ctx context.Context, id int64, it *Item) error {
	if id <= 0 {
		return invalid("person_id", "anggota keluarga wajib dipilih")
	}
	c, err := s.person(ctx, id)
	if err != nil {
		return err
	}
	if !c.found {
		return invalid("person_id", "orang tidak ditemukan di register")
	}
	if c.status != "aktif" {
		return invalid("person_id", "status orang ini bukan aktif ("+c.status+")")
	}
	it.PersonID, it.FamilyID, it.VillageCode = id, c.familyID, c.village
	it.Title = fmt.Sprintf("%s: %s", it.Kind.Label(), c.name)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (s *Service) checkProgram(ctx context.Context, program string) error {
	if program == "" {
		return invalid("program", "program wajib dipilih")
	}
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM program_version WHERE program = $1 AND status = 'approved'`, program).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return invalid("program", fmt.Sprintf("program %q tidak dikenal", program))
	}
	return nil
}

// recipientOf returns a program in whose final determination the family
// receives, or "".
func (s *Service) recipientOf(ctx context.Context, familyID int64) (string, error) {
	var prog string
	err := s.DB.QueryRow(ctx, `SELECT d.program FROM determination_item di JOIN determination d ON d.id = di.determination_id
		WHERE di.family_id = $1 AND di.determination_id IN (`+latestFinal+`) AND di.status IN ('new', 'continuing')
		ORDER BY d.period_start DESC, d.id DESC LIMIT 1`, familyID).Scan(&prog)
	if store.IsNoRows(err) {
		return "", nil
	}
	return prog, err
}

// checker validates register records as the registry does.
func (s *Service) checker(ctx context.Context) *registry.Checker {
	return &registry.Checker{Now: s.now(), VillageKnown: func(code string) bool {
		var n int
		err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1 AND level = 4 AND active`, code).Scan(&n)
		return err == nil && n > 0
	}}
}

func (s *Service) checkNewFamily(ctx context.Context, in *Input, it *Item, pl *Payload) error {
	if in.Family == nil {
		return invalid("keluarga", "data keluarga wajib diisi")
	}
	if len(in.Members) == 0 {
		return invalid("anggota", "paling sedikit satu anggota keluarga")
	}
	f := *in.Family
	f.KK, f.VillageCode = clean(f.KK), clean(f.VillageCode)
	if f.Status == "" {
		f.Status = "aktif"
	}
	if f.Assets == nil {
		f.Assets = []string{}
	}
	if err := errs.Fields(s.checker(ctx).CheckFamily(&f)); err != nil {
		return err
	}
	famErrs, memberErrs := registry.CheckFamilyMembers(in.Members)
	for i, m := range memberErrs {
		for _, e := range m {
			e.Field = fmt.Sprintf("anggota[%d].%s", i, e.Field)
			famErrs = append(famErrs, e)
		}
	}
	if err := errs.Fields(famErrs); err != nil {
		return err
	}
	if err := s.checkPeople(ctx, in.Members, "anggota"); err != nil {
		return err
	}
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM family WHERE kk = $1 AND valid_to IS NULL`, f.KK).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &errs.Invalid{Fields: []errs.FieldError{{Field: "no_kk", Value: nik.Mask(f.KK),
			Reason: "No. KK sudah terdaftar di register: ajukan usul program atau koreksi"}}}
	}
	pl.Family, pl.Members = &f, in.Members
	it.VillageCode = f.VillageCode
	it.SubjectKey = "kk:" + f.KK
	head := in.Members[0].Name
	for _, m := range in.Members {
		if m.Relation == "kepala_keluarga" {
			head = m.Name
		}
	}
	it.Title = fmt.Sprintf("%s: keluarga %s (%d anggota)", it.Kind.Label(), registry.CleanName(head), len(in.Members))
	return nil
}

// checkPeople validates new people and refuses NIKs already registered.
func (s *Service) checkPeople(ctx context.Context, people []registry.Person, field string) error {
	c := s.checker(ctx)
	var fe []errs.FieldError
	niks := make([]string, 0, len(people))
	for i := range people {
		p := people[i]
		p.NIK = clean(p.NIK)
		for _, e := range c.CheckPerson(&p) {
			e.Field = fmt.Sprintf("%s[%d].%s", field, i, e.Field)
			fe = append(fe, e)
		}
		niks = append(niks, p.NIK)
	}
	if err := errs.Fields(fe); err != nil {
		return err
	}
	cond, args := s.DB.Engine().InText("nik", 1, niks)
	rows, err := s.DB.Query(ctx, `SELECT nik FROM person WHERE valid_to IS NULL AND `+cond, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		fe = append(fe, errs.FieldError{Field: field + ".nik", Value: nik.Mask(n), Reason: "NIK sudah terdaftar di register"})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return errs.Fields(fe)
}

// personFields and familyFields are what a correction may change.
var (
	personFields = []string{"nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "nama_ibu", "pendidikan", "pekerjaan", "status_kawin", "hubungan"}
	familyFields = []string{"alamat", "rt", "rw"}
	moveFields   = []string{"kode_wilayah", "alamat", "rt", "rw"}
)

func allowed(change map[string]string, fields []string) error {
	var fe []errs.FieldError
	for k := range change {
		ok := false
		for _, f := range fields {
			ok = ok || f == k
		}
		if !ok {
			fe = append(fe, errs.FieldError{Field: "perubahan." + k, Reason: "kolom ini tidak dapat diubah lewat permohonan ini (boleh: " + strings.Join(fields, ", ") + ")"})
		}
	}
	return errs.Fields(fe)
}

func (s *Service) checkChange(ctx context.Context, in *Input, it *Item, pl *Payload) error {
	ch := map[string]string{}
	for k, v := range in.Change {
		if v = clean(v); v != "" {
			ch[strings.TrimSpace(k)] = v
		}
	}
	switch {
	case in.Kind == Move && in.PersonID != 0 && len(ch) == 0:
		// A member moves away: their status becomes pindah.
		if err := s.subjectPerson(ctx, in.PersonID, it); err != nil {
			return err
		}
		it.SubjectKey = fmt.Sprintf("orang:%d", in.PersonID)
		return nil
	case in.Kind == Correction && in.PersonID != 0:
		if err := s.subjectPerson(ctx, in.PersonID, it); err != nil {
			return err
		}
		if len(ch) == 0 {
			return invalid("perubahan", "isi paling sedikit satu kolom yang dikoreksi")
		}
		if err := allowed(ch, personFields); err != nil {
			return err
		}
		p, err := s.Registry.GetPerson(nation(ctx), in.PersonID, time.Time{})
		if err != nil {
			return err
		}
		if err := setPerson(&p, ch); err != nil {
			return err
		}
		if err := errs.Fields(s.checker(ctx).CheckPerson(&p)); err != nil {
			return err
		}
		it.SubjectKey = fmt.Sprintf("orang:%d", in.PersonID)
	default:
		if _, err := s.subjectFamily(ctx, in.FamilyID, it); err != nil {
			return err
		}
		fields := familyFields
		switch in.Kind {
		case Move:
			fields = moveFields
			if ch["kode_wilayah"] == "" {
				return invalid("perubahan.kode_wilayah", "desa/kelurahan tujuan wajib diisi")
			}
		case NewKK:
			fields = []string{"no_kk"}
			if ch["no_kk"] == "" {
				return invalid("perubahan.no_kk", "No. KK baru wajib diisi")
			}
		}
		if len(ch) == 0 {
			return invalid("perubahan", "isi paling sedikit satu kolom yang diubah")
		}
		if err := allowed(ch, fields); err != nil {
			return err
		}
		f, _, err := s.Registry.GetFamily(nation(ctx), in.FamilyID, time.Time{})
		if err != nil {
			return err
		}
		setFamily(&f, ch)
		if err := errs.Fields(s.checker(ctx).CheckFamily(&f)); err != nil {
			return err
		}
		if kk := ch["no_kk"]; kk != "" {
			var n int
			if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM family WHERE kk = $1 AND valid_to IS NULL`, kk).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &errs.Invalid{Fields: []errs.FieldError{{Field: "perubahan.no_kk", Value: nik.Mask(kk), Reason: "No. KK sudah terdaftar"}}}
			}
		}
		it.SubjectKey = fmt.Sprintf("keluarga:%d", in.FamilyID)
	}
	pl.Change = ch
	return nil
}

func setPerson(p *registry.Person, ch map[string]string) error {
	for k, v := range ch {
		switch k {
		case "nama":
			p.Name = v
		case "jenis_kelamin":
			p.Sex = strings.ToUpper(v)
		case "tempat_lahir":
			p.BirthPlace = v
		case "tanggal_lahir":
			d, ok := registry.ParseDate(v)
			if !ok {
				return invalid("perubahan.tanggal_lahir", "tanggal lahir tidak valid (YYYY-MM-DD)")
			}
			p.BirthDate = d
		case "nama_ibu":
			p.MotherName = v
		case "pendidikan":
			p.Education = v
		case "pekerjaan":
			p.Occupation = v
		case "status_kawin":
			p.MaritalStatus = v
		case "hubungan":
			p.Relation = v
		}
	}
	return nil
}

func setFamily(f *registry.Family, ch map[string]string) {
	for k, v := range ch {
		switch k {
		case "kode_wilayah":
			f.VillageCode = v
		case "alamat":
			f.Address = v
		case "rt":
			f.RT = v
		case "rw":
			f.RW = v
		case "no_kk":
			f.KK = v
		}
	}
}
