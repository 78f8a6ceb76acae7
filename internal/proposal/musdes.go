package proposal

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
)

// Session is a village meeting: Musdes in a desa, Muskel in a kelurahan.
type Session struct {
	ID          int64
	VillageCode string
	Kind        string // musdes, muskel
	HeldOn      string // YYYY-MM-DD
	Place       string
	Status      string // terbuka, selesai
	Attendance  []Attendee
	Attendees   int // the count present, at least len(Attendance)
	CreatedBy   string
	CreatedAt   time.Time
	ClosedBy    string
	ClosedAt    *time.Time
	ScanFileID  int64
}

// Attendee is one person present, with their role (kepala desa, BPD,
// tokoh masyarakat, pendamping, ...).
type Attendee struct {
	Name string `json:"nama"`
	Role string `json:"peran"`
}

// SessionItem is an item on a session's list with the meeting's decision.
type SessionItem struct {
	Item
	Decision string // "", setuju, tolak, tunda
}

// KindOf returns the meeting's name for a village: Muskel in a kelurahan
// (village code's part starting with 1), Musdes elsewhere.
func KindOf(village string) string {
	if i := strings.LastIndexByte(village, '.'); i >= 0 && i+1 < len(village) && village[i+1] == '1' {
		return "muskel"
	}
	return "musdes"
}

// Label returns "Musdes" or "Muskel".
func (s Session) Label() string {
	if s.Kind == "muskel" {
		return "Muskel"
	}
	return "Musdes"
}

func (s *Service) villageActor(ctx context.Context, village string) (authz.Principal, error) {
	p, err := actor(ctx, authz.ProposalVillage)
	if err != nil {
		return p, err
	}
	if !authz.Contains(p.Region, village) {
		return p, errs.NotFound("desa %s", village)
	}
	return p, nil
}

// CreateSession opens a meeting of a village (proposal.village).
func (s *Service) CreateSession(ctx context.Context, village, heldOn, place string) (Session, error) {
	village = clean(village)
	if strings.Count(village, ".") != 3 {
		return Session{}, invalid("kode_wilayah", "musyawarah diadakan per desa/kelurahan (kode PP.KK.CC.DDDD)")
	}
	p, err := s.villageActor(ctx, village)
	if err != nil {
		return Session{}, err
	}
	if _, err := time.Parse(time.DateOnly, heldOn); err != nil {
		return Session{}, invalid("tanggal", "tanggal musyawarah tidak valid (YYYY-MM-DD)")
	}
	var known int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1 AND level = 4`, village).Scan(&known); err != nil {
		return Session{}, err
	}
	if known == 0 {
		return Session{}, invalid("kode_wilayah", "kode desa/kelurahan tidak dikenal")
	}
	now := s.now()
	ss := Session{VillageCode: village, Kind: KindOf(village), HeldOn: heldOn, Place: clean(place), Status: "terbuka",
		CreatedBy: p.Username, CreatedAt: now, Attendance: []Attendee{}}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		id, err := tx.ReserveIDs(ctx, "musdes_session", 1)
		if err != nil {
			return err
		}
		ss.ID = id
		if _, err := tx.Exec(ctx, `INSERT INTO musdes_session (id, village_code, kind, held_on, place, status, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, 'terbuka', $6, $7)`, id, village, ss.Kind, heldOn, ss.Place, p.Username, store.Micros(now)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: ActSession, ObjectType: ObjSession, ObjectID: id, Region: village,
			After: map[string]any{"buat": ss.Kind, "tanggal": heldOn}})
	})
	return ss, err
}

func scanSession(r scanner) (Session, error) {
	var ss Session
	var att string
	var created int64
	var closed, scan sql.NullInt64
	err := r.Scan(&ss.ID, &ss.VillageCode, &ss.Kind, &ss.HeldOn, &ss.Place, &ss.Status, &att, &ss.Attendees,
		&ss.CreatedBy, &created, &ss.ClosedBy, &closed, &scan)
	if err != nil {
		return ss, err
	}
	_ = json.Unmarshal([]byte(att), &ss.Attendance)
	ss.CreatedAt = store.FromMicros(created)
	if closed.Valid {
		t := store.FromMicros(closed.Int64)
		ss.ClosedAt = &t
	}
	ss.ScanFileID = scan.Int64
	return ss, nil
}

const sessionCols = `id, village_code, kind, held_on, place, status, attendance, attendees, created_by, created_at, closed_by, closed_at, scan_file_id`

// GetSession returns a session in the caller's region.
func (s *Service) GetSession(ctx context.Context, id int64) (Session, error) {
	cond, args := scopeCond("village_code", authz.Scope(ctx), 2)
	ss, err := scanSession(s.DB.QueryRow(ctx, `SELECT `+sessionCols+` FROM musdes_session WHERE id = $1`+cond, append([]any{id}, args...)...))
	if store.IsNoRows(err) {
		return ss, errs.NotFound("musyawarah %d", id)
	}
	return ss, err
}

// Sessions lists the sessions in a region, newest first.
func (s *Service) Sessions(ctx context.Context, region string, limit int) ([]Session, error) {
	region, ok := authz.Narrow(ctx, region)
	if !ok {
		return nil, errs.NotFound("wilayah %s", region)
	}
	cond, args := scopeCond("village_code", region, 1)
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.DB.Query(ctx, `SELECT `+sessionCols+` FROM musdes_session WHERE 1 = 1`+cond+fmt.Sprintf(` ORDER BY held_on DESC, id DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, rows.Err()
}

// SessionItems lists a session's items with their decisions.
func (s *Service) SessionItems(ctx context.Context, id int64) ([]SessionItem, error) {
	if _, err := s.GetSession(ctx, id); err != nil {
		return nil, err
	}
	cols := strings.ReplaceAll(itemCols, "\n", " ")
	var pcols []string
	for _, c := range strings.Split(cols, ",") {
		pcols = append(pcols, "p."+strings.TrimSpace(c))
	}
	rows, err := s.DB.Query(ctx, `SELECT `+strings.Join(pcols, ", ")+`, m.decision FROM musdes_item m JOIN proposal p ON p.id = m.proposal_id
		WHERE m.session_id = $1 ORDER BY p.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SessionItem
	for rows.Next() {
		var si SessionItem
		var dec string
		it, err := scanItem(rowWith{rows, &dec})
		if err != nil {
			return nil, err
		}
		si.Item, si.Decision = it, dec
		out = append(out, si)
	}
	return out, rows.Err()
}

// rowWith scans one more column after an item's.
type rowWith struct {
	r     scanner
	extra any
}

func (w rowWith) Scan(dst ...any) error { return w.r.Scan(append(dst, w.extra)...) }

// openSession loads a session for change: open, in the actor's region.
func (s *Service) openSession(ctx context.Context, tx *store.Tx, id int64) (Session, authz.Principal, error) {
	ss, err := scanSession(tx.QueryRow(ctx, `SELECT `+sessionCols+` FROM musdes_session WHERE id = $1`, id))
	if store.IsNoRows(err) {
		return ss, authz.Principal{}, errs.NotFound("musyawarah %d", id)
	}
	if err != nil {
		return ss, authz.Principal{}, err
	}
	p, err := s.villageActor(ctx, ss.VillageCode)
	if err != nil {
		return ss, p, err
	}
	if ss.Status != "terbuka" {
		return ss, p, invalid("musyawarah", "musyawarah sudah selesai: daftar, keputusan dan kehadiran tidak dapat diubah")
	}
	return ss, p, nil
}

// AddToSession lists items of the village checked and waiting for the
// meeting (all of them when ids is empty) on an open session.
func (s *Service) AddToSession(ctx context.Context, id int64, ids []int64) (int64, error) {
	var n int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		ss, _, err := s.openSession(ctx, tx, id)
		if err != nil {
			return err
		}
		pick, picked, err := s.pick(ctx, tx, Selection{IDs: ids, All: len(ids) == 0, Region: ss.VillageCode}, VillageChecked, ss.VillageCode)
		if err != nil {
			return err
		}
		if picked > 0 && len(ids) > 0 {
			var bad int64
			if err := tx.QueryRow(ctx, `SELECT k.proposal_id FROM proposal_pick k LEFT JOIN proposal p ON p.id = k.proposal_id
				WHERE k.pick = $1 AND (p.id IS NULL OR p.village_code <> $2 OR p.status <> 'diperiksa_desa' OR p.session_id IS NOT NULL) LIMIT 1`,
				pick, ss.VillageCode).Scan(&bad); err == nil {
				return &errs.Invalid{Fields: []errs.FieldError{{Field: fmt.Sprintf("usulan[%d]", bad),
					Reason: "hanya usulan desa ini yang sudah diperiksa desa dan belum masuk daftar musyawarah lain"}}}
			} else if !store.IsNoRows(err) {
				return err
			}
		}
		res, err := tx.Exec(ctx, `INSERT INTO musdes_item (session_id, proposal_id)
			SELECT $1, p.id FROM proposal p JOIN proposal_pick k ON k.proposal_id = p.id
			WHERE k.pick = $2 AND p.session_id IS NULL AND p.status = 'diperiksa_desa' AND p.village_code = $3`, id, pick, ss.VillageCode)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if _, err := tx.Exec(ctx, `UPDATE proposal SET session_id = $1 WHERE id IN (SELECT proposal_id FROM musdes_item WHERE session_id = $1)`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM proposal_pick WHERE pick = $1`, pick); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: ActSession, ObjectType: ObjSession, ObjectID: id, Region: ss.VillageCode,
			After: map[string]any{"tambah_usulan": n}})
	})
	return n, err
}

// SetDecisions records the meeting's decision per item: setuju, tolak or
// tunda (the item waits for the next meeting).
func (s *Service) SetDecisions(ctx context.Context, id int64, decisions map[int64]string) error {
	byDecision := map[string][]int64{}
	for pid, d := range decisions {
		switch d {
		case "setuju", "tolak", "tunda", "":
			byDecision[d] = append(byDecision[d], pid)
		default:
			return invalid(fmt.Sprintf("keputusan[%d]", pid), "keputusan: setuju, tolak atau tunda")
		}
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		ss, _, err := s.openSession(ctx, tx, id)
		if err != nil {
			return err
		}
		counts := map[string]any{}
		for d, pids := range byDecision {
			in, args := tx.Engine().InInt64("proposal_id", 3, pids)
			res, err := tx.Exec(ctx, `UPDATE musdes_item SET decision = $1 WHERE session_id = $2 AND `+in, append([]any{d, id}, args...)...)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != int64(len(pids)) {
				return invalid("keputusan", "sebagian usulan tidak ada di daftar musyawarah ini")
			}
			counts[d] = len(pids)
		}
		return audit.Record(ctx, tx, audit.Entry{Action: ActSession, ObjectType: ObjSession, ObjectID: id, Region: ss.VillageCode,
			After: map[string]any{"keputusan": counts}})
	})
}

// SetAttendance records who attended: names and roles, and the count
// present (at least the names listed).
func (s *Service) SetAttendance(ctx context.Context, id int64, people []Attendee, count int) error {
	var list []Attendee
	for _, a := range people {
		a.Name, a.Role = clean(a.Name), clean(a.Role)
		if a.Name == "" && a.Role == "" {
			continue
		}
		if a.Name == "" || a.Role == "" {
			return invalid("kehadiran", "setiap peserta ditulis dengan nama dan perannya")
		}
		list = append(list, a)
	}
	if count < len(list) {
		count = len(list)
	}
	if count > 100000 {
		return invalid("jumlah_hadir", "jumlah hadir tidak masuk akal")
	}
	raw, _ := json.Marshal(list)
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		ss, _, err := s.openSession(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE musdes_session SET attendance = $2, attendees = $3 WHERE id = $1`, id, string(raw), count); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: ActSession, ObjectType: ObjSession, ObjectID: id, Region: ss.VillageCode,
			After: map[string]any{"jumlah_hadir": count, "nama_tercatat": len(list)}})
	})
}

// CloseSession closes a meeting and applies its decisions: setuju items go
// to the district, tolak items are rejected, tunda items wait for the next
// meeting. Every listed item needs a decision and the attendance must be
// recorded; the meeting decides together, so the maker rule of the other
// steps does not apply here.
func (s *Service) CloseSession(ctx context.Context, id int64) (map[string]int64, error) {
	now := s.now()
	out := map[string]int64{}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		ss, p, err := s.openSession(ctx, tx, id)
		if err != nil {
			return err
		}
		if ss.Attendees == 0 {
			return invalid("kehadiran", "kehadiran musyawarah belum dicatat")
		}
		var undecided, total int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN decision = '' THEN 1 ELSE 0 END), 0) FROM musdes_item WHERE session_id = $1`, id).
			Scan(&total, &undecided); err != nil {
			return err
		}
		if total == 0 {
			return invalid("daftar", "daftar usulan musyawarah kosong")
		}
		if undecided > 0 {
			return invalid("keputusan", fmt.Sprintf("%d usulan belum diberi keputusan", undecided))
		}
		var entries []audit.Entry
		for _, d := range []struct {
			decision string
			to       Status
			set      string
		}{
			{"setuju", MeetingAgreed, "status = $2, step_at = $3, note = $4"},
			{"tolak", Rejected, "status = $2, step_at = $3, note = $4, session_id = NULL"},
			{"tunda", VillageChecked, "status = $2, step_at = $3, note = $4, session_id = NULL"},
		} {
			pick, err := tx.ReserveIDs(ctx, "proposal_pick", 1)
			if err != nil {
				return err
			}
			res, err := tx.Exec(ctx, `INSERT INTO proposal_pick (pick, proposal_id) SELECT $1, proposal_id FROM musdes_item WHERE session_id = $2 AND decision = $3`,
				pick, id, d.decision)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			out[d.decision] = n
			if n == 0 {
				continue
			}
			note := fmt.Sprintf("%s %s: %s", ss.Label(), ss.HeldOn, d.decision)
			if err := s.move(ctx, tx, pick, d.set, []any{pick, string(d.to), store.Micros(now), note}, "musdes."+d.decision, d.to, p.Username, note, now); err != nil {
				return err
			}
			es, ev, err := s.trail(ctx, tx, pick, ActMeeting, d.to, note)
			if err != nil {
				return err
			}
			entries = append(entries, es...)
			if _, err := tx.Exec(ctx, `DELETE FROM proposal_pick WHERE pick = $1`, pick); err != nil {
				return err
			}
			if s.Notify != nil && d.decision != "tunda" {
				if err := s.Notify(ctx, tx, ev); err != nil {
					return err
				}
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE musdes_session SET status = 'selesai', closed_by = $2, closed_at = $3 WHERE id = $1`, id, p.Username, store.Micros(now)); err != nil {
			return err
		}
		entries = append(entries, audit.Entry{Action: ActSession, ObjectType: ObjSession, ObjectID: id, Region: ss.VillageCode,
			After: map[string]any{"selesai": true, "setuju": out["setuju"], "tolak": out["tolak"], "tunda": out["tunda"]}})
		return audit.RecordMany(ctx, tx, entries)
	})
	return out, err
}

// UploadScan stores the signed scan of a closed meeting's minutes. It must
// be a PDF, judged by its content.
func (s *Service) UploadScan(ctx context.Context, id int64, f File) (FileInfo, error) {
	ct, err := checkFile("berita_acara", f, []string{"application/pdf"}, MaxScan)
	if err != nil {
		return FileInfo{}, err
	}
	now := s.now()
	var fi FileInfo
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		ss, err := scanSession(tx.QueryRow(ctx, `SELECT `+sessionCols+` FROM musdes_session WHERE id = $1`, id))
		if store.IsNoRows(err) {
			return errs.NotFound("musyawarah %d", id)
		}
		if err != nil {
			return err
		}
		p, err := s.villageActor(ctx, ss.VillageCode)
		if err != nil {
			return err
		}
		if ss.Status != "selesai" {
			return invalid("berita_acara", "unggah pindaian berita acara setelah musyawarah ditutup")
		}
		ids, err := insertFiles(ctx, tx, 0, id, []storedFile{{PurposeMinutes, f.Name, ct, f.Data}}, p.Username, store.Micros(now))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE musdes_session SET scan_file_id = $2 WHERE id = $1`, id, ids[0]); err != nil {
			return err
		}
		fi = FileInfo{ID: ids[0], Purpose: PurposeMinutes, Name: safeName(f.Name), ContentType: ct, Size: int64(len(f.Data))}
		return audit.Record(ctx, tx, audit.Entry{Action: ActScanUpload, ObjectType: ObjSession, ObjectID: id, Region: ss.VillageCode,
			After: map[string]any{"berkas": ids[0], "ukuran": len(f.Data)}})
	})
	return fi, err
}

// Scan returns a session's signed scan, auditing the download.
func (s *Service) Scan(ctx context.Context, id int64) (FileInfo, []byte, error) {
	ss, err := s.GetSession(ctx, id)
	if err != nil {
		return FileInfo{}, nil, err
	}
	if ss.ScanFileID == 0 {
		return FileInfo{}, nil, errs.NotFound("pindaian berita acara musyawarah %d", id)
	}
	return s.file(ctx, ss.ScanFileID, ss.VillageCode, ObjSession, id)
}

// File returns one of an item's files, auditing the look.
func (s *Service) File(ctx context.Context, proposalID, fileID int64) (FileInfo, []byte, error) {
	it, err := s.Get(ctx, proposalID)
	if err != nil {
		return FileInfo{}, nil, err
	}
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM proposal_file WHERE id = $1 AND proposal_id = $2`, fileID, proposalID).Scan(&n); err != nil {
		return FileInfo{}, nil, err
	}
	if n == 0 {
		return FileInfo{}, nil, errs.NotFound("berkas %d", fileID)
	}
	return s.file(ctx, fileID, it.VillageCode, ObjProposal, proposalID)
}

func (s *Service) file(ctx context.Context, fileID int64, region, objType string, objID int64) (FileInfo, []byte, error) {
	var fi FileInfo
	var data []byte
	err := s.DB.QueryRow(ctx, `SELECT id, purpose, name, content_type, size, sha256, data FROM proposal_file WHERE id = $1`, fileID).
		Scan(&fi.ID, &fi.Purpose, &fi.Name, &fi.ContentType, &fi.Size, &fi.SHA256, &data)
	if store.IsNoRows(err) {
		return fi, nil, errs.NotFound("berkas %d", fileID)
	}
	if err != nil {
		return fi, nil, err
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: ActFileView, ObjectType: objType, ObjectID: objID, Region: region,
			After: map[string]any{"berkas": fileID}})
	})
	return fi, data, err
}
