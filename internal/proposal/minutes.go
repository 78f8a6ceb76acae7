package proposal

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/store"
)

var (
	dayNames   = []string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}
	monthNames = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
)

// LongDate writes a date the Indonesian way: "Selasa, 10 Maret 2026".
func LongDate(t time.Time) string {
	return fmt.Sprintf("%s, %d %s %d", dayNames[t.Weekday()], t.Day(), monthNames[t.Month()-1], t.Year())
}

var decisionLabels = map[string]string{"setuju": "Setuju", "tolak": "Ditolak", "tunda": "Ditunda", "": "Belum diputuskan"}

// regionNames returns the names of a village and its parents, village first.
func (s *Service) regionNames(ctx context.Context, village string) []string {
	parts := strings.Split(village, ".")
	out := make([]string, 0, len(parts))
	for i := len(parts); i >= 1; i-- {
		code := strings.Join(parts[:i], ".")
		var name string
		if err := s.DB.QueryRow(ctx, `SELECT name FROM regions WHERE code = $1`, code).Scan(&name); err != nil {
			name = code
		}
		out = append(out, name)
	}
	return out
}

// Minutes generates a session's minutes (berita acara) as a PDF: the
// list with the decisions, the attendance and places for signatures. The
// download is audited. Text is set in the PDF core fonts through the
// Windows-1252 code page, which holds every letter of Indonesian and
// the accented letters of names (é, ü); other characters print as "?".
func (s *Service) Minutes(ctx context.Context, id int64) ([]byte, error) {
	ss, err := s.GetSession(ctx, id)
	if err != nil {
		return nil, err
	}
	items, err := s.SessionItems(ctx, id)
	if err != nil {
		return nil, err
	}
	names := s.regionNames(ctx, ss.VillageCode)
	for len(names) < 4 {
		names = append(names, "")
	}
	held, _ := time.Parse(time.DateOnly, ss.HeldOn)
	b, err := renderMinutes(ss, items, names, held, s.now())
	if err != nil {
		return nil, err
	}
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: ActMinutes, ObjectType: ObjSession, ObjectID: id, Region: ss.VillageCode,
			After: map[string]any{"usulan": len(items), "status": ss.Status}})
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func renderMinutes(ss Session, items []SessionItem, names []string, held, now time.Time) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle(tr(fmt.Sprintf("Berita Acara %s %s", ss.Label(), names[0])), false)
	pdf.SetAuthor("Jaring", false)
	pdf.SetCreationDate(now)
	pdf.SetMargins(18, 16, 18)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 5, tr(fmt.Sprintf("Berita acara %s nomor %d, dibuat oleh Jaring %s UTC — halaman %d dari {nb}",
			ss.Label(), ss.ID, now.Format("2006-01-02 15:04"), pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	unit := "DESA"
	if ss.Kind == "muskel" {
		unit = "KELURAHAN"
	}
	pdf.SetFont("Helvetica", "B", 13)
	pdf.CellFormat(0, 7, tr("BERITA ACARA"), "", 1, "C", false, 0, "")
	pdf.CellFormat(0, 7, tr(fmt.Sprintf("MUSYAWARAH %s (%s)", unit, strings.ToUpper(ss.Label()))), "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 6, tr("Usulan Data Tunggal Sosial dan Ekonomi Nasional (DTSEN)"), "", 1, "C", false, 0, "")
	pdf.Ln(3)
	for _, kv := range [][2]string{
		{map[string]string{"DESA": "Desa", "KELURAHAN": "Kelurahan"}[unit], fmt.Sprintf("%s (%s)", names[0], ss.VillageCode)},
		{"Kecamatan", names[1]}, {"Kabupaten/Kota", names[2]}, {"Provinsi", names[3]},
		{"Hari, tanggal", LongDate(held)}, {"Tempat", orDash(ss.Place)}, {"Jumlah hadir", fmt.Sprintf("%d orang", ss.Attendees)},
	} {
		pdf.CellFormat(40, 6, tr(kv[0]), "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 6, tr(": "+kv[1]), "", 1, "L", false, 0, "")
	}
	pdf.Ln(2)
	counts := map[string]int{}
	for _, it := range items {
		counts[it.Decision]++
	}
	pdf.MultiCell(0, 5, tr(fmt.Sprintf("Pada hari ini, %s, bertempat di %s, telah dilaksanakan %s %s untuk membahas "+
		"%d usulan warga dan permohonan perubahan data. Musyawarah memutuskan: %d disetujui, %d ditolak, %d ditunda, "+
		"dengan rincian sebagai berikut.", LongDate(held), orDash(ss.Place), ss.Label(), names[0], len(items),
		counts["setuju"], counts["tolak"], counts["tunda"])), "", "J", false)
	pdf.Ln(3)
	header := func(cols []string, widths []float64) {
		pdf.SetFont("Helvetica", "B", 9)
		pdf.SetFillColor(230, 230, 230)
		for i, c := range cols {
			pdf.CellFormat(widths[i], 7, tr(c), "1", 0, "C", true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 9)
	}
	w := []float64{10, 22, 98, 44}
	header([]string{"No", "Nomor", "Usulan", "Keputusan"}, w)
	for i, it := range items {
		if pdf.GetY() > 265 {
			pdf.AddPage()
			header([]string{"No", "Nomor", "Usulan", "Keputusan"}, w)
		}
		title := it.Title
		if r := []rune(title); len(r) > 60 {
			title = string(r[:59]) + "…"
		}
		pdf.CellFormat(w[0], 6, fmt.Sprint(i+1), "1", 0, "R", false, 0, "")
		pdf.CellFormat(w[1], 6, fmt.Sprint(it.ID), "1", 0, "R", false, 0, "")
		pdf.CellFormat(w[2], 6, tr(title), "1", 0, "L", false, 0, "")
		pdf.CellFormat(w[3], 6, tr(decisionLabels[it.Decision]), "1", 1, "L", false, 0, "")
	}
	if len(items) == 0 {
		pdf.CellFormat(0, 6, tr("(daftar kosong)"), "1", 1, "C", false, 0, "")
	}
	pdf.Ln(5)
	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(0, 6, tr("Daftar hadir"), "", 1, "L", false, 0, "")
	aw := []float64{10, 70, 54, 40}
	header([]string{"No", "Nama", "Peran", "Tanda tangan"}, aw)
	rows := len(ss.Attendance)
	if rows < 5 {
		rows = 5
	}
	for i := 0; i < rows; i++ {
		if pdf.GetY() > 265 {
			pdf.AddPage()
			header([]string{"No", "Nama", "Peran", "Tanda tangan"}, aw)
		}
		var a Attendee
		if i < len(ss.Attendance) {
			a = ss.Attendance[i]
		}
		pdf.CellFormat(aw[0], 9, fmt.Sprint(i+1), "1", 0, "R", false, 0, "")
		pdf.CellFormat(aw[1], 9, tr(a.Name), "1", 0, "L", false, 0, "")
		pdf.CellFormat(aw[2], 9, tr(a.Role), "1", 0, "L", false, 0, "")
		pdf.CellFormat(aw[3], 9, "", "1", 1, "L", false, 0, "")
	}
	if pdf.GetY() > 215 {
		pdf.AddPage()
	}
	pdf.Ln(8)
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 6, tr(fmt.Sprintf("%s, %s", names[0], LongDate(held))), "", 1, "R", false, 0, "")
	pdf.Ln(2)
	head := "Kepala Desa"
	rep := "Ketua BPD"
	if ss.Kind == "muskel" {
		head, rep = "Lurah", "Ketua LPM"
	}
	sigs := []string{head, rep, "Perwakilan masyarakat"}
	colW := (210.0 - 36) / float64(len(sigs))
	y := pdf.GetY()
	for i, role := range sigs {
		x := 18 + float64(i)*colW
		pdf.SetXY(x, y)
		pdf.CellFormat(colW, 6, tr(role), "", 0, "C", false, 0, "")
		pdf.SetXY(x, y+28)
		pdf.CellFormat(colW, 6, "(.............................................)", "", 0, "C", false, 0, "")
	}
	pdf.SetXY(18, y+40)
	pdf.SetFont("Helvetica", "I", 8)
	pdf.MultiCell(0, 4, tr("Berita acara ini ditandatangani, dipindai dan diunggah kembali ke Jaring sebagai lampiran musyawarah."), "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("proposal: minutes PDF: %w", err)
	}
	return buf.Bytes(), nil
}
