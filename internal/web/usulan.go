package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/registry"
)

// ---- proposals (/usulan) and village meetings (/musdes) ----
//
// /usulan is the dashboard and the queue: items waiting at each step with
// their age and the overdue ones as CSS-free SVG bars, a list filtered by
// status, and one form per step that decides the ticked items, or every
// item waiting in the region, in one action. /usulan/{id} is an item with
// its history, files, verification and the step buttons the user's role
// holds. /musdes holds the village meetings. Items are addressed by number;
// nothing personal goes into a URL.

var propServices sync.Map // *store.DB → *proposal.Service

// proposals returns the service: the server's (with the job runner) when
// given, else one on the register's database.
func (w *Web) proposals() *proposal.Service {
	if w.d.Proposals != nil {
		return w.d.Proposals
	}
	db := w.d.Registry.DB
	if s, ok := propServices.Load(db); ok {
		return s.(*proposal.Service)
	}
	svc := proposal.New(db)
	svc.Notify = proposal.Notifier(notify.New(db))
	s, _ := propServices.LoadOrStore(db, svc)
	return s.(*proposal.Service)
}

// Routes of these pages, added to Routes.
func (w *Web) proposalRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/usulan", Action: authz.ProposalRead, Handler: w.propBoard},
		{Method: "GET", Pattern: "/usulan/baru", Action: authz.ProposalSubmit, Handler: w.propForm},
		{Method: "POST", Pattern: "/usulan/baru", Action: authz.ProposalSubmit, Handler: w.propSubmit, MaxBody: maxPropBody},
		{Method: "POST", Pattern: "/usulan/desa", Action: authz.ProposalVillage, Handler: w.propDecide(proposal.StepVillage)},
		{Method: "POST", Pattern: "/usulan/dinsos", Action: authz.ProposalDistrict, Handler: w.propDecide(proposal.StepDistrict)},
		{Method: "POST", Pattern: "/usulan/sahkan", Action: authz.ProposalRatify, Handler: w.propDecide(proposal.StepRatify)},
		{Method: "POST", Pattern: "/usulan/sanggah", Action: authz.ProposalDistrict, Handler: w.propObjection},
		{Method: "GET", Pattern: "/usulan/{id}", Action: authz.ProposalRead, Handler: w.propPage},
		{Method: "GET", Pattern: "/usulan/{id}/berkas/{file}", Action: authz.ProposalRead, Handler: w.propFile},
		{Method: "POST", Pattern: "/usulan/{id}/verivali", Action: authz.ProposalVerify, Handler: w.propVerify},
		{Method: "GET", Pattern: "/musdes", Action: authz.ProposalRead, Handler: w.sessList},
		{Method: "POST", Pattern: "/musdes", Action: authz.ProposalVillage, Handler: w.sessCreate},
		{Method: "GET", Pattern: "/musdes/{id}", Action: authz.ProposalRead, Handler: w.sessPage},
		{Method: "POST", Pattern: "/musdes/{id}/daftar", Action: authz.ProposalVillage, Handler: w.sessAdd},
		{Method: "POST", Pattern: "/musdes/{id}/keputusan", Action: authz.ProposalVillage, Handler: w.sessDecide},
		{Method: "POST", Pattern: "/musdes/{id}/hadir", Action: authz.ProposalVillage, Handler: w.sessAttend},
		{Method: "POST", Pattern: "/musdes/{id}/tutup", Action: authz.ProposalVillage, Handler: w.sessClose},
		{Method: "GET", Pattern: "/musdes/{id}/berita-acara", Action: authz.ProposalRead, Handler: w.sessMinutes},
		{Method: "POST", Pattern: "/musdes/{id}/pindaian", Action: authz.ProposalVillage, Handler: w.sessUpload, MaxBody: proposal.MaxScan + 1<<20},
		{Method: "GET", Pattern: "/musdes/{id}/pindaian", Action: authz.ProposalRead, Handler: w.sessScan},
	}
}

// maxPropBody bounds a walk-in form with its evidence files.
const maxPropBody = proposal.MaxFiles*proposal.MaxEvidence + 1<<20

// PropStatus and PropKind label proposal codes in the page's language.
func (p *page) PropStatus(s proposal.Status) string { return p.T("usulan.status." + string(s)) }
func (p *page) PropKind(k proposal.Kind) string     { return p.T("usulan.jenis." + string(k)) }

// Days writes a duration in whole days.
func (p *page) Days(d time.Duration) string { return p.Tf("usulan_hari", int64(d/(24*time.Hour))) }

// boardRow is a step's line of the chart: bar widths of 300 and positions.
type boardRow struct {
	proposal.Waiting
	Y, TextY, W, OW, LabelX int
}

type propBoardData struct {
	Board     proposal.Board
	Rows      []boardRow
	ChartH    int
	Villages  []proposal.Waiting
	Items     []proposal.Item
	Status    proposal.Status
	Statuses  []proposal.Status
	Region    string
	Now       time.Time
	Step      proposal.StepName // the step form for the listed status, if the user holds it
	Objection bool              // the list is of sanggahan waiting for the district
	Errors    []string
	Notice    string
}

func (w *Web) propBoard(rw http.ResponseWriter, r *http.Request) {
	w.renderBoard(rw, r, http.StatusOK, nil, r.URL.Query().Get("ok"))
}

func (w *Web) renderBoard(rw http.ResponseWriter, r *http.Request, status int, problems []string, notice string) {
	q := r.URL.Query()
	region := q.Get("wilayah")
	if r.Method == http.MethodPost {
		region = r.PostFormValue("wilayah")
	}
	svc := w.proposals()
	b, err := svc.Dashboard(r.Context(), region)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	d := propBoardData{Board: b, Region: b.Region, Now: b.Now, Errors: problems, Statuses: []proposal.Status{
		proposal.Submitted, proposal.VillageChecked, proposal.MeetingAgreed, proposal.DistrictChecked,
		proposal.Ratified, proposal.Rejected, proposal.Upheld, proposal.Lapsed}}
	var most int64 = 1
	for _, t := range b.Total {
		most = max(most, t.Count)
	}
	for i, t := range b.Total {
		wd := int(t.Count * 300 / most)
		d.Rows = append(d.Rows, boardRow{Waiting: t, Y: i*24 + 4, TextY: i*24 + 16, W: wd, OW: int(t.Overdue * 300 / most), LabelX: 206 + wd})
	}
	d.ChartH = len(d.Rows)*24 + 4
	if len(b.ByVillage) > 0 && strings.Count(b.Region, ".") < 3 {
		d.Villages = b.ByVillage
	}
	d.Status = proposal.Status(q.Get("status"))
	if d.Status == "" {
		d.Status = proposal.Submitted
	}
	kind := proposal.Kind(q.Get("jenis"))
	if d.Status == proposal.Submitted && kind == "" && q.Get("jenis") == "" {
		kind = ""
	}
	items, err := svc.List(r.Context(), proposal.Filter{Region: b.Region, Status: d.Status, Kind: kind, Limit: 200})
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	d.Items = items
	p := w.newPage(r, "usulan", "usulan_judul")
	switch d.Status {
	case proposal.Submitted:
		if p.Can(string(authz.ProposalVillage)) {
			d.Step = proposal.StepVillage
		}
		d.Objection = p.Can(string(authz.ProposalDistrict))
	case proposal.MeetingAgreed:
		if p.Can(string(authz.ProposalDistrict)) {
			d.Step = proposal.StepDistrict
		}
	case proposal.DistrictChecked:
		if p.Can(string(authz.ProposalRatify)) {
			d.Step = proposal.StepRatify
		}
	}
	if notice != "" {
		d.Notice = notice
	}
	w.render(rw, r, status, "usulan", withData(p, d))
}

// formIDs reads the ticked item numbers.
func formIDs(r *http.Request) []int64 {
	var ids []int64
	for _, s := range r.PostForm["id"] {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
			ids = append(ids, n)
		}
	}
	return ids
}

// problems turns a validation error into lines for the page.
func problems(err error) []string {
	var inv *errs.Invalid
	if errors.As(err, &inv) {
		var out []string
		for _, f := range inv.Fields {
			out = append(out, f.Field+": "+f.Reason)
		}
		return out
	}
	return []string{errMessage(err)}
}

func (w *Web) propDecide(step proposal.StepName) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			w.renderError(rw, r, err)
			return
		}
		d := proposal.Decision{Step: step, Verdict: proposal.Verdict(r.PostFormValue("keputusan")), Reason: r.PostFormValue("alasan"),
			Items: proposal.Selection{IDs: formIDs(r), All: r.PostFormValue("semua") == "1", Region: r.PostFormValue("wilayah")}}
		res, err := w.proposals().Decide(r.Context(), d)
		back := r.PostFormValue("kembali")
		if err != nil {
			if s := errStatus(err); s == http.StatusUnprocessableEntity || s == http.StatusForbidden {
				r.URL.RawQuery = url.Values{"status": {r.PostFormValue("status")}, "wilayah": {r.PostFormValue("wilayah")}}.Encode()
				w.renderBoard(rw, r, s, problems(err), "")
				return
			}
			w.renderError(rw, r, err)
			return
		}
		if !safeReturn(back) {
			back = "/usulan?status=" + url.QueryEscape(r.PostFormValue("status"))
		}
		sep := "?"
		if strings.Contains(back, "?") {
			sep = "&"
		}
		http.Redirect(rw, r, back+sep+"ok="+url.QueryEscape(fmt.Sprintf("%d usulan: %s", res.Count, res.Status)), http.StatusSeeOther)
	}
}

func (w *Web) propObjection(rw http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		w.renderError(rw, r, err)
		return
	}
	res, err := w.proposals().DecideObjection(r.Context(), formIDs(r), r.PostFormValue("keputusan") == "terima", r.PostFormValue("alasan"))
	if err != nil {
		if s := errStatus(err); s == http.StatusUnprocessableEntity || s == http.StatusForbidden {
			r.URL.RawQuery = url.Values{"status": {"diajukan"}, "jenis": {"sanggah"}}.Encode()
			w.renderBoard(rw, r, s, problems(err), "")
			return
		}
		w.renderError(rw, r, err)
		return
	}
	back := r.PostFormValue("kembali")
	if !safeReturn(back) {
		back = "/usulan?status=diajukan&jenis=sanggah"
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(rw, r, back+sep+"ok="+url.QueryEscape(fmt.Sprintf("%d sanggahan: %s", res.Count, res.Status)), http.StatusSeeOther)
}

type propPageData struct {
	Item          proposal.Item
	Payload       proposal.Payload
	History       []proposal.Step
	Files         []proposal.FileInfo
	Verifications []proposal.Verification
	Overdue       bool
	Age           time.Duration
	Step          proposal.StepName
	Objection     bool
	CanVerify     bool
	Own           bool
	Q             proposal.Questionnaire
	Codes         map[string]*registry.CodeSet
	Errors        []string
}

func (w *Web) propPage(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	w.renderProp(rw, r, http.StatusOK, id, nil)
}

var questionnaireCodes = map[string]*registry.CodeSet{"lantai": registry.FloorMaterial, "dinding": registry.WallMaterial,
	"atap": registry.RoofMaterial, "sumber_air": registry.WaterSource, "sanitasi": registry.Sanitation, "listrik": registry.Electricity,
	"bahan_bakar": registry.CookingFuel, "status_rumah": registry.HouseOwnership, "status_lahan": registry.LandOwnership, "aset": registry.Asset}

func (w *Web) renderProp(rw http.ResponseWriter, r *http.Request, status, id int64, problems []string) {
	svc := w.proposals()
	ctx := r.Context()
	it, err := svc.Get(ctx, id)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	d := propPageData{Item: it, Errors: problems, Codes: questionnaireCodes}
	d.Payload, _ = it.DecodePayload()
	if d.History, err = svc.History(ctx, id); err == nil {
		if d.Files, err = svc.Files(ctx, id); err == nil {
			d.Verifications, err = svc.Verifications(ctx, id)
		}
	}
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	now := time.Now()
	d.Age, d.Overdue = it.Age(now), it.Status.Open() && it.Overdue(now)
	p := w.newPage(r, "usulan", "usulan_item_judul")
	p.Heading = p.Tf("usulan_item_judul_n", it.ID)
	p.Crumbs = []crumb{{p.T("usulan_judul"), "/usulan"}, {fmt.Sprint(it.ID), ""}}
	if pr, ok := authz.From(ctx); ok {
		d.Own = pr.UserID != 0 && pr.UserID == it.MakerUserID
	}
	switch {
	case it.Kind == proposal.Objection:
		d.Objection = it.Status == proposal.Submitted && p.Can(string(authz.ProposalDistrict))
	case it.Status == proposal.Submitted && p.Can(string(authz.ProposalVillage)):
		d.Step = proposal.StepVillage
	case it.Status == proposal.MeetingAgreed && p.Can(string(authz.ProposalDistrict)):
		d.Step = proposal.StepDistrict
	case it.Status == proposal.DistrictChecked && p.Can(string(authz.ProposalRatify)):
		d.Step = proposal.StepRatify
	}
	d.CanVerify = p.Can(string(authz.ProposalVerify)) && (it.Status.Open() && it.Kind != proposal.Objection || it.Status == proposal.Upheld)
	w.render(rw, r, int(status), "usulan_rinci", withData(p, d))
}

func (w *Web) propFile(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	fid, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil || fid <= 0 {
		w.renderError(rw, r, errs.NotFound("berkas"))
		return
	}
	fi, data, err := w.proposals().File(r.Context(), id, fid)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	sendFile(rw, fi, data)
}

func sendFile(rw http.ResponseWriter, fi proposal.FileInfo, data []byte) {
	h := rw.Header()
	h.Set("Content-Type", fi.ContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fmt.Sprintf("berkas-%d%s", fi.ID, extOf(fi.ContentType))))
	_, _ = rw.Write(data)
}

func extOf(ct string) string {
	switch ct {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "application/pdf":
		return ".pdf"
	}
	return ""
}

func atoiOr0(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

func (w *Web) propVerify(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		w.renderError(rw, r, err)
		return
	}
	f := r.PostForm
	q := proposal.Questionnaire{Members: atoiOr0(f.Get("jumlah_anggota")), FloorMaterial: f.Get("lantai"), WallMaterial: f.Get("dinding"),
		RoofMaterial: f.Get("atap"), WaterSource: f.Get("sumber_air"), Sanitation: f.Get("sanitasi"), Electricity: f.Get("listrik"),
		CookingFuel: f.Get("bahan_bakar"), HouseOwnership: f.Get("status_rumah"), LandOwnership: f.Get("status_lahan"),
		FloorArea: atoiOr0(f.Get("luas_lantai")), Assets: f["aset"], Cattle: atoiOr0(f.Get("ternak_sapi")), Buffalo: atoiOr0(f.Get("ternak_kerbau")),
		Goats: atoiOr0(f.Get("ternak_kambing")), Pigs: atoiOr0(f.Get("ternak_babi")), Horses: atoiOr0(f.Get("ternak_kuda")), Poultry: atoiOr0(f.Get("ternak_unggas"))}
	if _, err := w.proposals().Verify(r.Context(), id, q, f.Get("hasil"), f.Get("catatan")); err != nil {
		if s := errStatus(err); s == http.StatusUnprocessableEntity || s == http.StatusForbidden {
			w.renderProp(rw, r, int64(s), id, problems(err))
			return
		}
		w.renderError(rw, r, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/usulan/%d", id), http.StatusSeeOther)
}

// ---- walk-in usul and change requests ----

type propFormData struct {
	Kinds   []proposal.Kind
	Kind    string
	Form    map[string]string
	Errors  []string
	Program []string
}

var walkInKinds = []proposal.Kind{proposal.UsulProgram, proposal.Resign, proposal.Birth, proposal.Death, proposal.Move,
	proposal.NewKK, proposal.Correction, proposal.UsulRegister}

func (w *Web) propForm(rw http.ResponseWriter, r *http.Request) {
	w.renderPropForm(rw, r, http.StatusOK, map[string]string{"jenis": "usul_program"}, nil)
}

func (w *Web) renderPropForm(rw http.ResponseWriter, r *http.Request, status int, form map[string]string, problems []string) {
	p := w.newPage(r, "usulan", "usulan_baru_judul")
	p.Crumbs = []crumb{{p.T("usulan_judul"), "/usulan"}, {p.T("usulan_baru_judul"), ""}}
	w.render(rw, r, status, "usulan_baru", withData(p, propFormData{Kinds: walkInKinds, Kind: form["jenis"], Form: form, Errors: problems}))
}

func (w *Web) propSubmit(rw http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(maxPropBody); err != nil {
		w.renderError(rw, r, errs.Fields([]errs.FieldError{{Field: "berkas", Reason: "formulir atau berkas terlalu besar"}}))
		return
	}
	form := map[string]string{}
	for k, v := range r.PostForm {
		if len(v) > 0 {
			form[k] = strings.TrimSpace(v[0])
		}
	}
	pr, _ := authz.From(r.Context())
	in := proposal.Input{Kind: proposal.Kind(form["jenis"]), Reason: form["alasan"], Program: form["program"],
		FamilyID: int64(atoiOr0(form["keluarga"])), PersonID: int64(atoiOr0(form["orang"])), Change: map[string]string{}}
	for _, k := range []string{"nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "pendidikan", "pekerjaan", "status_kawin",
		"alamat", "rt", "rw", "kode_wilayah", "no_kk"} {
		if v := form["ubah_"+k]; v != "" {
			in.Change[k] = v
		}
	}
	switch in.Kind {
	case proposal.Birth:
		in.Member = &registry.Person{NIK: form["nik"], Name: form["nama"], Sex: form["jenis_kelamin"], BirthDate: form["tanggal_lahir"],
			BirthPlace: form["tempat_lahir"], Relation: "anak"}
	case proposal.UsulRegister:
		in.Family = &registry.Family{KK: form["no_kk"], VillageCode: form["kode_wilayah"], Address: form["alamat"], RT: form["rt"], RW: form["rw"]}
		in.Members = []registry.Person{{NIK: form["nik"], Name: form["nama"], Sex: form["jenis_kelamin"], BirthDate: form["tanggal_lahir"],
			BirthPlace: form["tempat_lahir"], Relation: "kepala_keluarga"}}
	}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["bukti"] {
			f, err := fh.Open()
			if err != nil {
				continue
			}
			data, err := io.ReadAll(io.LimitReader(f, proposal.MaxEvidence+1))
			f.Close()
			if err == nil && len(data) > 0 {
				in.Files = append(in.Files, proposal.File{Name: fh.Filename, Data: data})
			}
		}
	}
	it, err := w.proposals().Submit(r.Context(), proposal.OperatorProposer(pr), in)
	if err != nil {
		if s := errStatus(err); s == http.StatusUnprocessableEntity || s == http.StatusNotFound {
			w.renderPropForm(rw, r, http.StatusUnprocessableEntity, form, problems(err))
			return
		}
		w.renderError(rw, r, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/usulan/%d", it.ID), http.StatusSeeOther)
}
