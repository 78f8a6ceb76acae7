package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/determination"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/program"
	"github.com/kemensos/jaring/internal/region"
)

// ---- determinations (/penetapan) and simulations (/simulasi) ----
//
// The list shows every determination with its status; a page per
// determination gives its counts per status and per region (one level
// below ?wilayah=, within the user's region), the comparison with the
// previous final determination, the approve and reject buttons for a
// program manager other than its runner, and the export links (the API's).
// A simulation's page compares the live rules with the what-if rules per
// region in a table and an inline SVG bar chart (attributes only: the CSP
// allows no inline style or script).

var detServices sync.Map // *store.DB → *determination.Service

func (w *Web) determinations() *determination.Service {
	db := w.d.Registry.DB
	if s, ok := detServices.Load(db); ok {
		return s.(*determination.Service)
	}
	s, _ := detServices.LoadOrStore(db, determination.New(db, nil))
	return s.(*determination.Service)
}

type detListData struct {
	Kind    string
	Rows    []determination.Determination
	Form    detForm
	Errors  []string
	Codes   []string
	Running bool
}

type detForm struct {
	Programs, Periods, Program, Period, DecileMax, Monthly, Rules string
}

// Rp formats rupiah.
func (p *page) Rp(n int64) string {
	if p.Lang == "en" {
		return "Rp" + formatInt("en", n)
	}
	return program.Rupiah(n)
}

// DetStatus and ItemStatus label statuses in the page's language.
func (p *page) DetStatus(s determination.Status) string { return p.T("penetapan.status." + string(s)) }
func (p *page) ItemStatus(s string) string              { return p.T("penetapan.item." + s) }

func (w *Web) detList(kind string) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		w.renderDetList(rw, r, kind, http.StatusOK, detForm{Programs: "PKH,BPNT,PBI_JK", Periods: "2026-Q1,2026-B1,2026-01",
			Program: "BPNT", Period: "2026-B1"}, nil)
	}
}

func (w *Web) renderDetList(rw http.ResponseWriter, r *http.Request, kind string, status int, f detForm, problems []string) {
	list, err := w.determinations().List(r.Context(), determination.ListOptions{Kind: kind, Limit: 50})
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	nav, title := "penetapan", "penetapan_judul"
	if kind == determination.KindSimulation {
		title = "simulasi_judul"
	}
	p := w.newPage(r, nav, title)
	d := detListData{Kind: kind, Rows: list, Form: f, Errors: problems, Codes: program.Codes}
	for _, x := range list {
		if x.Status == determination.StatusRunning {
			d.Running, p.Refresh = true, 5
		}
	}
	w.render(rw, r, status, "penetapan", withData(p, d))
}

// detStart starts determinations from the list page's form.
func (w *Web) detStart(rw http.ResponseWriter, r *http.Request) {
	f := detForm{Programs: r.PostFormValue("program"), Periods: r.PostFormValue("periode")}
	var specs []determination.Spec
	progs, pers := splitCodes(f.Programs), splitCodes(f.Periods)
	for i, prog := range progs {
		per := ""
		switch {
		case len(pers) == 1:
			per = pers[0]
		case i < len(pers):
			per = pers[i]
		}
		specs = append(specs, determination.Spec{Program: prog, Period: per})
	}
	if authz.Scope(r.Context()) != "" {
		w.renderError(rw, r, errors.Join(errors.New("penetapan hanya oleh pengguna tingkat nasional"), errs.ErrForbidden))
		return
	}
	st, err := w.determinations().Start(r.Context(), specs)
	if err != nil {
		w.detFormError(rw, r, determination.KindDetermination, f, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/penetapan/%d", st.Determinations[0].ID), http.StatusSeeOther)
}

func splitCodes(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.ToUpper(strings.TrimSpace(p)))
	}
	return out
}

func (w *Web) detFormError(rw http.ResponseWriter, r *http.Request, kind string, f detForm, err error) {
	status := errStatus(err)
	if status == http.StatusInternalServerError {
		w.renderError(rw, r, err)
		return
	}
	var msgs []string
	var inv *errs.Invalid
	if pi, ok := program.IsInvalid(err); ok {
		for _, pr := range pi.Problems {
			msgs = append(msgs, pr.String())
		}
	} else if errors.As(err, &inv) {
		for _, fe := range inv.Fields {
			msgs = append(msgs, fe.Field+": "+fe.Reason)
		}
	} else {
		msgs = append(msgs, errMessage(err))
	}
	w.renderDetList(rw, r, kind, status, f, msgs)
}

func errStatus(err error) int {
	switch {
	case errors.Is(err, errs.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, errs.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, errs.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, errs.ErrForbidden):
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// simStart builds a what-if version of the live rules from the form (a
// decile limit, a monthly amount for flat programs) or takes a whole
// document, and starts the simulation.
func (w *Web) simStart(rw http.ResponseWriter, r *http.Request) {
	f := detForm{Program: strings.ToUpper(strings.TrimSpace(r.PostFormValue("program"))), Period: strings.TrimSpace(r.PostFormValue("periode")),
		DecileMax: strings.TrimSpace(r.PostFormValue("desil")), Monthly: strings.TrimSpace(r.PostFormValue("bulanan")),
		Rules: strings.TrimSpace(r.PostFormValue("aturan"))}
	if authz.Scope(r.Context()) != "" {
		w.renderError(rw, r, errors.Join(errors.New("simulasi hanya oleh pengguna tingkat nasional"), errs.ErrForbidden))
		return
	}
	svc := w.determinations()
	var doc *program.Document
	var err error
	if f.Rules != "" {
		doc, err = program.ParseDocument([]byte(f.Rules))
	} else {
		doc, err = w.whatIf(r, svc, f)
	}
	if err != nil {
		w.detFormError(rw, r, determination.KindSimulation, f, err)
		return
	}
	st, err := svc.Simulate(r.Context(), determination.Spec{Program: f.Program, Period: f.Period}, doc)
	if err != nil {
		w.detFormError(rw, r, determination.KindSimulation, f, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/simulasi/%d", st.Determinations[0].ID), http.StatusSeeOther)
}

func (w *Web) whatIf(r *http.Request, svc *determination.Service, f detForm) (*program.Document, error) {
	channel := ""
	err := svc.DB.QueryRow(r.Context(), `SELECT channel FROM program_period WHERE program = $1 AND code = $2 ORDER BY channel LIMIT 1`,
		f.Program, f.Period).Scan(&channel)
	if err != nil {
		return nil, errs.NotFound("periode %s program %s", f.Period, f.Program)
	}
	live, _, err := svc.Programs.ForPeriod(r.Context(), f.Program, channel, f.Period)
	if err != nil {
		return nil, err
	}
	doc, err := program.ParseDocument(live.Doc.JSON())
	if err != nil {
		return nil, err
	}
	if f.DecileMax != "" {
		n, err := strconv.Atoi(f.DecileMax)
		if err != nil || n < 0 || n > 10 {
			return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "desil", Value: f.DecileMax, Reason: "batas desil 0-10"}}}
		}
		doc.DecileMax = n
	}
	if f.Monthly != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(f.Monthly, ".", ""), 10, 64)
		if err != nil || n < 0 || doc.Benefit.Kind != program.KindFlat {
			return nil, &errs.Invalid{Fields: []errs.FieldError{{Field: "bulanan", Value: f.Monthly,
				Reason: "nilai bulanan (rupiah) hanya untuk program bernilai tetap"}}}
		}
		for i := range doc.Benefit.Amounts {
			doc.Benefit.Amounts[i].Monthly, doc.Benefit.Amounts[i].Annual = n, 0
		}
	}
	return doc, nil
}

// detRegion is a row of the per-region table, with its bars.
type detRegion struct {
	determination.RegionRow
	Name      string
	Href      string
	BarBase   int // 0-100, the width of the base's bar
	BarNow    int
	New, Cont int64
	Excl, Err int64
	Grad      int64
}

type chartBar struct {
	Name                string
	TextY               int
	Base, Now           int // bar lengths in chart units
	BaseLabel, NowLabel string
	BaseY, NowY         int
	BaseTextX, NowTextX int
	BaseTextY, NowTextY int
}

type detData struct {
	D          *determination.Determination
	Base       *determination.Determination
	Sim        bool
	Region     string
	Regions    []detRegion
	Total      determination.RegionRow
	Statuses   []string
	Changes    []determination.Item
	Left       []determination.Item
	CanDecide  bool
	Own        bool
	Export     string
	ExportXLSX string
	Chart      []chartBar
	ChartH     int
	Error      string
}

func (w *Web) detPage(rw http.ResponseWriter, r *http.Request) {
	id, err := formID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	w.renderDet(rw, r, http.StatusOK, id, "")
}

func (w *Web) renderDet(rw http.ResponseWriter, r *http.Request, status int, id int64, problem string) {
	ctx := r.Context()
	svc := w.determinations()
	d, err := svc.Get(ctx, id)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	sim := d.Kind == determination.KindSimulation
	if r.Method == http.MethodGet && sim != strings.HasPrefix(r.URL.Path, "/simulasi/") {
		w.renderError(rw, r, errs.NotFound("halaman"))
		return
	}
	code := strings.TrimSpace(r.URL.Query().Get("wilayah"))
	if code != "" && region.Validate(code) != nil {
		w.renderError(rw, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "wilayah", Value: code, Reason: "kode wilayah tidak valid"}}})
		return
	}
	sc, ok := authz.Narrow(ctx, code)
	if !ok {
		w.renderError(rw, r, errs.ErrForbidden)
		return
	}
	nav, list := "penetapan", "/penetapan"
	if sim {
		nav, list = "simulasi", "/simulasi"
	}
	p := w.newPage(r, nav, "penetapan_judul")
	p.Title = d.Title()
	p.Crumbs = []crumb{{Name: p.T(nav + "_judul"), Href: list}, {Name: d.Title()}}
	data := detData{D: d, Sim: sim, Region: sc, Statuses: determination.ItemStatuses, Error: problem}
	if d.Status == determination.StatusRunning {
		p.Refresh = 5
	}
	if d.BaseID != 0 {
		data.Base, _ = svc.Get(ctx, d.BaseID)
	}
	data.Own = d.CreatedBy == p.User
	data.CanDecide = !sim && d.Status == determination.StatusDraft && p.Can(string(authz.DeterminationApprove)) && authz.Scope(ctx) == ""
	q := url.Values{"format": {"csv"}}
	if sc != "" {
		q.Set("region", sc)
	}
	data.Export = fmt.Sprintf("/api/v1/determinations/%d/export?", d.ID) + q.Encode()
	q.Set("format", "xlsx")
	data.ExportXLSX = fmt.Sprintf("/api/v1/determinations/%d/export?", d.ID) + q.Encode()
	if d.Summary != nil {
		rows, err := svc.ByRegion(ctx, id, sc)
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		names := map[string]string{}
		if kids, err := w.d.Regions.Children(ctx, sc); err == nil {
			for _, k := range kids {
				names[k.Code] = k.Name
			}
		}
		var most int64 = 1
		for _, x := range rows {
			most = max(most, x.Recipients, x.BaseUnits)
		}
		for _, x := range rows {
			dr := detRegion{RegionRow: x, Name: names[x.Region],
				New: x.Status[determination.ItemNew].Units, Cont: x.Status[determination.ItemContinuing].Units,
				Excl: x.Status[determination.ItemExcluded].Units, Grad: x.Status[determination.ItemGraduated].Units,
				Err:     x.Status[determination.ItemError].Units,
				BarBase: int(x.BaseUnits * 100 / most), BarNow: int(x.Recipients * 100 / most)}
			if dr.Name == "" {
				dr.Name = x.Region
			}
			if len(x.Region) < 13 {
				dr.Href = r.URL.Path + "?wilayah=" + x.Region
			}
			data.Regions = append(data.Regions, dr)
			t := &data.Total
			t.Recipients += x.Recipients
			t.Amount += x.Amount
			t.BaseUnits += x.BaseUnits
			t.BaseAmount += x.BaseAmount
			t.Entered += x.Entered
			t.Left += x.Left
			t.Changed += x.Changed
		}
		data.Chart, data.ChartH = chart(p, data.Regions)
		if data.Changes, err = svc.Items(ctx, id, determination.ItemOptions{Region: sc, Changes: true, Limit: 50}); err != nil {
			w.renderError(rw, r, err)
			return
		}
		if data.Left, err = svc.Left(ctx, id, sc, 50); err != nil {
			w.renderError(rw, r, err)
			return
		}
	}
	w.render(rw, r, status, "penetapan_rinci", withData(p, data))
}

// chart lays out a horizontal bar chart of recipients per region: the
// base (previous final, or the live rules) above the new (this
// determination, or the what-if rules), in a 600-unit-wide SVG.
func chart(p *page, rows []detRegion) ([]chartBar, int) {
	const labelW, barW, rowH = 150, 330, 40
	var most int64 = 1
	for _, x := range rows {
		most = max(most, x.Recipients, x.BaseUnits)
	}
	var out []chartBar
	for i, x := range rows {
		if i == 30 {
			break // a chart of more regions would not be read; the table has them all
		}
		y := 10 + i*rowH
		name := x.Name
		if len([]rune(name)) > 20 {
			name = string([]rune(name)[:19]) + "…"
		}
		b := chartBar{Name: name, TextY: y + 20, BaseY: y + 4, NowY: y + 19,
			Base: max(int(x.BaseUnits*barW/most), 1), Now: max(int(x.Recipients*barW/most), 1),
			BaseLabel: p.N(x.BaseUnits), NowLabel: p.N(x.Recipients)}
		b.BaseTextX, b.NowTextX = labelW+15+b.Base, labelW+15+b.Now
		b.BaseTextY, b.NowTextY = b.BaseY+11, b.NowY+11
		out = append(out, b)
	}
	return out, 20 + len(out)*rowH
}

func (w *Web) detApprove(rw http.ResponseWriter, r *http.Request) {
	id, err := formID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	if _, err := w.determinations().Approve(r.Context(), id); err != nil {
		if s := errStatus(err); s == http.StatusForbidden || s == http.StatusConflict {
			w.renderDet(rw, r, s, id, errMessage(err))
			return
		}
		w.renderError(rw, r, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/penetapan/%d", id), http.StatusSeeOther)
}

func (w *Web) detReject(rw http.ResponseWriter, r *http.Request) {
	id, err := formID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	if _, err := w.determinations().Reject(r.Context(), id, r.PostFormValue("alasan")); err != nil {
		if s := errStatus(err); s != http.StatusInternalServerError && s != http.StatusNotFound {
			w.renderDet(rw, r, s, id, errMessage(err))
			return
		}
		w.renderError(rw, r, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/penetapan/%d", id), http.StatusSeeOther)
}

func init() {
	for lang, m := range detCatalogue {
		for k, v := range m {
			catalogue[lang][k] = v
		}
	}
}

// detCatalogue holds the strings of these pages, merged into catalogue.
var detCatalogue = map[string]map[string]string{
	"id": {
		"penetapan_judul":             "Penetapan",
		"simulasi_judul":              "Simulasi",
		"penetapan_bantu":             "Setiap penetapan memuat semua keluarga (atau jiwa, untuk program per orang) dengan status, nilai bantuan untuk periode dan alasannya. Draf menjadi final setelah disetujui pengelola program lain dari yang menjalankannya.",
		"simulasi_bantu":              "Simulasi menjalankan mesin penetapan dengan aturan pengandaian di samping aturan yang berlaku, tanpa menyentuh penetapan. Hasilnya tidak pernah dapat ditetapkan.",
		"penetapan_jalankan":          "Jalankan penetapan",
		"penetapan_program":           "Program (dipisah koma)",
		"penetapan_periode":           "Periode (satu, atau satu per program)",
		"penetapan_mulai":             "Mulai",
		"penetapan_kosong":            "Belum ada penetapan.",
		"simulasi_kosong":             "Belum ada simulasi.",
		"penetapan_no":                "No.",
		"penetapan_program_kol":       "Program",
		"penetapan_periode_kol":       "Periode",
		"penetapan_status":            "Status",
		"penetapan_unit":              "Unit",
		"penetapan_penerima":          "Penerima",
		"penetapan_nilai":             "Nilai",
		"penetapan_oleh":              "Dijalankan oleh",
		"penetapan_pada":              "Pada",
		"penetapan_disetujui":         "Disetujui oleh",
		"penetapan_versi":             "Versi aturan program",
		"penetapan_saluran":           "Saluran",
		"penetapan_rentang":           "Rentang periode",
		"penetapan_peringkat":         "Pemeringkatan kesejahteraan",
		"penetapan_ditutup":           "Ditutup",
		"penetapan_galat":             "Galat",
		"penetapan_berjalan":          "Penetapan sedang dibuat; halaman ini dimuat ulang sendiri.",
		"penetapan_per_status":        "Jumlah per status",
		"penetapan_per_wilayah":       "Per wilayah",
		"penetapan_banding":           "Dibandingkan dengan",
		"penetapan_banding_tidak":     "Belum ada penetapan final sebelumnya: semua penerima berstatus baru.",
		"penetapan_banding_sim":       "Aturan yang berlaku (versi %d) pada data yang sama",
		"penetapan_masuk":             "Masuk",
		"penetapan_keluar":            "Keluar",
		"penetapan_berubah":           "Nilai berubah",
		"penetapan_hilang":            "Penerima sebelumnya yang tidak lagi di register",
		"penetapan_kuota":             "Layak tetapi di luar kuota",
		"penetapan_sebelum":           "Sebelumnya",
		"penetapan_sekarang":          "Sekarang",
		"penetapan_berlaku":           "Aturan berlaku",
		"penetapan_simulasi":          "Simulasi",
		"penetapan_perubahan":         "Perubahan (50 pertama)",
		"penetapan_keluarga":          "Keluarga",
		"penetapan_orang":             "ID orang",
		"penetapan_desil":             "Desil",
		"penetapan_alasan":            "Alasan",
		"penetapan_ekspor_csv":        "Ekspor CSV",
		"penetapan_ekspor_xlsx":       "Ekspor XLSX",
		"penetapan_setujui":           "Setujui menjadi final",
		"penetapan_tolak":             "Tolak draf",
		"penetapan_tolak_alasan":      "Alasan penolakan",
		"penetapan_milik_sendiri":     "Anda yang menjalankan penetapan ini: persetujuan harus oleh pengelola program lain.",
		"penetapan_grafik":            "Penerima per wilayah: aturan berlaku (abu-abu) dan simulasi (biru)",
		"penetapan_grafik_det":        "Penerima per wilayah: penetapan sebelumnya (abu-abu) dan penetapan ini (biru)",
		"simulasi_jalankan":           "Jalankan simulasi",
		"simulasi_desil":              "Batas desil pengandaian (kosong: seperti berlaku)",
		"simulasi_bulanan":            "Nilai per bulan pengandaian, rupiah (program bernilai tetap; kosong: seperti berlaku)",
		"simulasi_aturan":             "Atau dokumen aturan lengkap (JSON, docs/programs.md)",
		"penetapan.status.running":    "berjalan",
		"penetapan.status.draft":      "draf",
		"penetapan.status.final":      "final",
		"penetapan.status.superseded": "diganti",
		"penetapan.status.rejected":   "ditolak",
		"penetapan.status.failed":     "gagal",
		"penetapan.status.done":       "selesai",
		"penetapan.item.new":          "Baru",
		"penetapan.item.continuing":   "Lanjutan",
		"penetapan.item.excluded":     "Tidak menerima",
		"penetapan.item.graduated":    "Keluar (graduasi)",
		"penetapan.item.error":        "Galat aturan",
		"unit.family":                 "keluarga",
		"unit.person":                 "jiwa",
	},
	"en": {
		"penetapan_judul":             "Determinations",
		"simulasi_judul":              "Simulations",
		"penetapan_bantu":             "Each determination lists every family (or person, for per-person programs) with its status, the amount for the period and the reasons. A draft becomes final once a program manager other than its runner approves it.",
		"simulasi_bantu":              "A simulation runs the determination engine with what-if rules beside the live rules, without touching determinations. It can never become final.",
		"penetapan_jalankan":          "Run a determination",
		"penetapan_program":           "Programs (comma-separated)",
		"penetapan_periode":           "Period (one, or one per program)",
		"penetapan_mulai":             "Start",
		"penetapan_kosong":            "No determination yet.",
		"simulasi_kosong":             "No simulation yet.",
		"penetapan_no":                "No.",
		"penetapan_program_kol":       "Program",
		"penetapan_periode_kol":       "Period",
		"penetapan_status":            "Status",
		"penetapan_unit":              "Units",
		"penetapan_penerima":          "Recipients",
		"penetapan_nilai":             "Amount",
		"penetapan_oleh":              "Run by",
		"penetapan_pada":              "At",
		"penetapan_disetujui":         "Approved by",
		"penetapan_versi":             "Program rules version",
		"penetapan_saluran":           "Channel",
		"penetapan_rentang":           "Period dates",
		"penetapan_peringkat":         "Welfare ranking",
		"penetapan_ditutup":           "Closed",
		"penetapan_galat":             "Error",
		"penetapan_berjalan":          "The determination is being made; this page reloads itself.",
		"penetapan_per_status":        "Counts per status",
		"penetapan_per_wilayah":       "By region",
		"penetapan_banding":           "Compared with",
		"penetapan_banding_tidak":     "No earlier final determination: every recipient is new.",
		"penetapan_banding_sim":       "The live rules (version %d) on the same data",
		"penetapan_masuk":             "Entered",
		"penetapan_keluar":            "Left",
		"penetapan_berubah":           "Amount changed",
		"penetapan_hilang":            "Earlier recipients no longer in the register",
		"penetapan_kuota":             "Eligible but beyond the quota",
		"penetapan_sebelum":           "Before",
		"penetapan_sekarang":          "Now",
		"penetapan_berlaku":           "Live rules",
		"penetapan_simulasi":          "Simulation",
		"penetapan_perubahan":         "Changes (first 50)",
		"penetapan_keluarga":          "Family",
		"penetapan_orang":             "Person ID",
		"penetapan_desil":             "Decile",
		"penetapan_alasan":            "Reasons",
		"penetapan_ekspor_csv":        "Export CSV",
		"penetapan_ekspor_xlsx":       "Export XLSX",
		"penetapan_setujui":           "Approve as final",
		"penetapan_tolak":             "Reject the draft",
		"penetapan_tolak_alasan":      "Reason for rejecting",
		"penetapan_milik_sendiri":     "You ran this determination: another program manager must approve it.",
		"penetapan_grafik":            "Recipients by region: live rules (grey) and simulation (blue)",
		"penetapan_grafik_det":        "Recipients by region: previous determination (grey) and this one (blue)",
		"simulasi_jalankan":           "Run a simulation",
		"simulasi_desil":              "What-if decile limit (empty: as live)",
		"simulasi_bulanan":            "What-if monthly amount, rupiah (flat programs; empty: as live)",
		"simulasi_aturan":             "Or a whole rule document (JSON, docs/programs.md)",
		"penetapan.status.running":    "running",
		"penetapan.status.draft":      "draft",
		"penetapan.status.final":      "final",
		"penetapan.status.superseded": "superseded",
		"penetapan.status.rejected":   "rejected",
		"penetapan.status.failed":     "failed",
		"penetapan.status.done":       "done",
		"penetapan.item.new":          "New",
		"penetapan.item.continuing":   "Continuing",
		"penetapan.item.excluded":     "Not receiving",
		"penetapan.item.graduated":    "Left (graduated)",
		"penetapan.item.error":        "Rule error",
		"unit.family":                 "families",
		"unit.person":                 "people",
	},
}
