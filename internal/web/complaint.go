package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/complaint"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
)

// ---- complaints (/admin/pengaduan) and whistleblowing reports (/admin/wbs) ----
//
// The queue page lists the responsible units the user can see with their
// open, overdue and reminded cases, and the cases of a chosen unit (or of
// all), filtered by status, category and lateness. A case page shows the
// case, its history with evidence files, and for a handler of its unit the
// action form (internal note, reply to the filer, status with the
// resolution). WBS pages are the inspectorate's only; a whistleblower's
// identity is shown after a POST with a reason, which the audit trail
// keeps. The statistics page counts cases per region one level down and
// per category, with inline SVG bar charts (attributes only: the CSP
// allows no inline style or script).

func complaintRoutes(w *Web) []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/admin/pengaduan", Action: authz.ComplaintRead, Handler: w.cmpList(complaint.KindComplaint)},
		{Method: "GET", Pattern: "/admin/pengaduan/statistik", Action: authz.ComplaintRead, Handler: w.cmpStats},
		{Method: "GET", Pattern: "/admin/pengaduan/{id}", Action: authz.ComplaintRead, Handler: w.cmpCase(complaint.KindComplaint)},
		{Method: "POST", Pattern: "/admin/pengaduan/{id}/tindakan", Action: authz.ComplaintHandle, Handler: w.cmpAct(complaint.KindComplaint)},
		{Method: "GET", Pattern: "/admin/pengaduan/{id}/berkas/{berkas}", Action: authz.ComplaintRead, Handler: w.cmpFile(complaint.KindComplaint)},
		{Method: "GET", Pattern: "/admin/wbs", Action: authz.WBSRead, Handler: w.cmpList(complaint.KindWBS)},
		{Method: "GET", Pattern: "/admin/wbs/{id}", Action: authz.WBSRead, Handler: w.cmpCase(complaint.KindWBS)},
		{Method: "POST", Pattern: "/admin/wbs/{id}/tindakan", Action: authz.WBSRead, Handler: w.cmpAct(complaint.KindWBS)},
		{Method: "GET", Pattern: "/admin/wbs/{id}/berkas/{berkas}", Action: authz.WBSRead, Handler: w.cmpFile(complaint.KindWBS)},
		{Method: "POST", Pattern: "/admin/wbs/{id}/identitas", Action: authz.WBSReveal, Handler: w.cmpReveal},
	}
}

func cmpBase(k complaint.Kind) string { return "/admin/" + string(k) }

// CmpCategory, CmpStatus, CmpEvent and CmpUnit label complaint codes.
func (p *page) CmpCategory(k complaint.Kind, c complaint.Category) string {
	return p.T("pengaduan.kategori." + string(k) + "." + string(c))
}
func (p *page) CmpStatus(s complaint.Status) string { return p.T("pengaduan.status." + string(s)) }
func (p *page) CmpEvent(kind string) string         { return p.T("pengaduan.peristiwa." + kind) }

// regionNames returns the names of codes, in one query.
func (w *Web) regionNames(ctx context.Context, codes []string) map[string]string {
	out := map[string]string{}
	seen := map[string]bool{}
	var list []string
	for _, c := range codes {
		if c != "" && !seen[c] {
			seen[c] = true
			list = append(list, c)
		}
	}
	if len(list) == 0 {
		return out
	}
	db := w.d.Regions.DB
	in, args := db.Engine().InText("code", 1, list)
	rows, err := db.Query(ctx, `SELECT code, name FROM regions WHERE `+in, args...)
	if err != nil {
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var c, n string
		if rows.Scan(&c, &n) == nil {
			out[c] = n
		}
	}
	return out
}

// unitName names a unit in the page's language.
func (p *page) unitName(u complaint.Unit, names map[string]string) string {
	office := p.T("pengaduan.unit." + string(u.Kind))
	if u.Region == "" {
		return office + " " + p.T("pengaduan.nasional")
	}
	if n, ok := names[u.Region]; ok {
		return office + " " + n
	}
	return office + " " + u.Region
}

type cmpUnitRow struct {
	complaint.UnitCount
	Name, Href string
	Current    bool
}

type cmpRow struct {
	complaint.Summary
	RegionName, UnitName string
}

type cmpListData struct {
	Kind                        complaint.Kind
	Base                        string
	Units                       []cmpUnitRow
	Rows                        []cmpRow
	Unit, Status, Category      string
	Overdue                     bool
	Statuses                    []complaint.Status
	Categories                  []complaint.Rule
	Next                        string
	TotalOpen, TotalOverdue     int
	CanSeeWBS, CanSeeComplaints bool
}

func (w *Web) cmpList(k complaint.Kind) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		q := r.URL.Query()
		nav, title := "pengaduan", "pengaduan_judul"
		if k == complaint.KindWBS {
			title = "wbs_judul"
		}
		p := w.newPage(r, nav, title)
		d := cmpListData{Kind: k, Base: cmpBase(k), Unit: q.Get("unit"), Status: q.Get("status"), Category: q.Get("kategori"),
			Overdue: q.Get("terlambat") == "1", Statuses: complaint.Statuses, Categories: complaint.Categories(k),
			CanSeeWBS: p.Can(string(authz.WBSRead)), CanSeeComplaints: p.Can(string(authz.ComplaintRead))}
		f := complaint.Filter{Kind: k, Overdue: d.Overdue, Status: complaint.Status(d.Status), Category: complaint.Category(d.Category), Limit: 100}
		if d.Unit != "" {
			u, ok := complaint.ParseUnit(d.Unit)
			if !ok {
				w.renderError(rw, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "unit", Reason: "unit tidak dikenal"}}})
				return
			}
			f.Unit = &u
		}
		if v := q.Get("setelah"); v != "" {
			f.After, _ = strconv.ParseInt(v, 10, 64)
		}
		units, err := w.d.Complaints.Units(ctx, k)
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		rows, err := w.d.Complaints.List(ctx, f)
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		var codes []string
		for _, u := range units {
			codes = append(codes, u.Unit.Region)
		}
		for _, x := range rows {
			codes = append(codes, x.Region, x.Unit.Region)
		}
		names := w.regionNames(ctx, codes)
		for _, u := range units {
			d.TotalOpen += u.Open
			d.TotalOverdue += u.Overdue
			d.Units = append(d.Units, cmpUnitRow{UnitCount: u, Name: p.unitName(u.Unit, names),
				Href: d.Base + "?unit=" + url.QueryEscape(u.Unit.String()), Current: u.Unit.String() == d.Unit})
		}
		for _, x := range rows {
			d.Rows = append(d.Rows, cmpRow{Summary: x, RegionName: names[x.Region], UnitName: p.unitName(x.Unit, names)})
		}
		if len(rows) == f.Limit {
			nq := url.Values{}
			for _, key := range []string{"unit", "status", "kategori", "terlambat"} {
				if v := q.Get(key); v != "" {
					nq.Set(key, v)
				}
			}
			nq.Set("setelah", strconv.FormatInt(rows[len(rows)-1].ID, 10))
			d.Next = d.Base + "?" + nq.Encode()
		}
		w.render(rw, r, http.StatusOK, "pengaduan", withData(p, d))
	}
}

type cmpCaseData struct {
	Case                 complaint.Case
	Base                 string
	RegionName, UnitName string
	Revealed             *complaint.Contact
	CanReveal            bool
	Errors               []string
	Form                 complaint.Action
	Statuses             []complaint.Status
}

func (w *Web) cmpCase(k complaint.Kind) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		c, err := w.d.Complaints.Get(r.Context(), k, id)
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		w.renderCase(rw, r, http.StatusOK, c, nil, complaint.Action{Kind: complaint.EvNote}, nil)
	}
}

func (w *Web) renderCase(rw http.ResponseWriter, r *http.Request, status int, c complaint.Case, problems []string, form complaint.Action, revealed *complaint.Contact) {
	nav := "pengaduan"
	p := w.newPage(r, nav, "pengaduan_kasus")
	p.Heading = p.Tf("pengaduan_kasus_judul", c.Code)
	names := w.regionNames(r.Context(), []string{c.Region, c.Unit.Region})
	base := cmpBase(c.Kind)
	listTitle := p.T("pengaduan_judul")
	if c.Kind == complaint.KindWBS {
		listTitle = p.T("wbs_judul")
	}
	p.Crumbs = []crumb{{Name: listTitle, Href: base}, {Name: c.Code}}
	d := cmpCaseData{Case: c, Base: base, RegionName: names[c.Region], UnitName: p.unitName(c.Unit, names),
		Revealed: revealed, CanReveal: c.Kind == complaint.KindWBS && !c.Anonymous && p.Can(string(authz.WBSReveal)),
		Errors: problems, Form: form, Statuses: []complaint.Status{complaint.Processing, complaint.Resolved, complaint.Rejected}}
	w.render(rw, r, status, "pengaduan_rinci", withData(p, d))
}

// fieldProblems lists a validation error's fields for a form.
func fieldProblems(err error) ([]string, bool) {
	var inv *errs.Invalid
	if !errors.As(err, &inv) {
		return nil, false
	}
	var out []string
	for _, f := range inv.Fields {
		out = append(out, f.Field+": "+f.Reason)
	}
	return out, true
}

func (w *Web) cmpAct(k complaint.Kind) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
		a := complaint.Action{Kind: r.PostFormValue("jenis"), Status: complaint.Status(r.PostFormValue("status")), Text: r.PostFormValue("teks")}
		_, err = w.d.Complaints.Act(r.Context(), k, id, a)
		if problems, ok := fieldProblems(err); ok {
			c, gerr := w.d.Complaints.Get(r.Context(), k, id)
			if gerr != nil {
				w.renderError(rw, r, gerr)
				return
			}
			w.renderCase(rw, r, http.StatusUnprocessableEntity, c, problems, a, nil)
			return
		}
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		http.Redirect(rw, r, fmt.Sprintf("%s/%d#riwayat", cmpBase(k), id), http.StatusSeeOther)
	}
}

func (w *Web) cmpReveal(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
	ct, err := w.d.Complaints.Reveal(r.Context(), id, r.PostFormValue("alasan"))
	if problems, ok := fieldProblems(err); ok {
		c, gerr := w.d.Complaints.Get(r.Context(), complaint.KindWBS, id)
		if gerr != nil {
			w.renderError(rw, r, gerr)
			return
		}
		w.renderCase(rw, r, http.StatusUnprocessableEntity, c, problems, complaint.Action{Kind: complaint.EvNote}, nil)
		return
	}
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	c, err := w.d.Complaints.Get(r.Context(), complaint.KindWBS, id)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	w.renderCase(rw, r, http.StatusOK, c, nil, complaint.Action{Kind: complaint.EvNote}, &ct)
}

func (w *Web) cmpFile(k complaint.Kind) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		fid, err := strconv.ParseInt(r.PathValue("berkas"), 10, 64)
		if err != nil || fid <= 0 {
			w.renderError(rw, r, errs.NotFound("berkas"))
			return
		}
		f, data, err := w.d.Complaints.FileData(r.Context(), k, id, fid)
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		h := rw.Header()
		h.Set("Content-Type", f.ContentType)
		h.Set("Content-Disposition", `attachment; filename="`+f.Name+`"`)
		h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Length", strconv.Itoa(len(data)))
		_, _ = rw.Write(data)
	}
}

// ---- statistics ----

type cmpBar struct {
	Label, Href, Value  string
	Y, TextY, W, ValueX int
}

type cmpStatsRow struct {
	Code, Name, Href string
	Counts           []int // per category, in Categories order
	Open, Total      int
}

type cmpStatsData struct {
	Region, RegionName string
	Categories         []complaint.Rule
	Rows               []cmpStatsRow
	Totals             []int
	Open, Total        int
	RegionBars         []cmpBar
	CategoryBars       []cmpBar
	RegionH, CatH      int
	Up                 string
	CanUp              bool
}

// bars lays out a horizontal bar chart of values, 600 units wide.
func bars(labels, hrefs []string, values []int, fmtN func(int) string) ([]cmpBar, int) {
	maxV := 1
	for _, v := range values {
		maxV = max(maxV, v)
	}
	out := make([]cmpBar, len(values))
	for i, v := range values {
		wd := v * 340 / maxV
		if v > 0 && wd == 0 {
			wd = 1
		}
		y := i * 24
		out[i] = cmpBar{Label: labels[i], Value: fmtN(v), Y: y + 4, TextY: y + 16, W: wd, ValueX: 210 + wd + 6}
		if hrefs != nil {
			out[i].Href = hrefs[i]
		}
	}
	return out, len(values)*24 + 8
}

func (w *Web) cmpStats(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := w.newPage(r, "pengaduan", "pengaduan_statistik")
	region, counts, err := w.d.Complaints.Counts(ctx, complaint.KindComplaint, r.URL.Query().Get("wilayah"))
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	d := cmpStatsData{Region: region, Categories: complaint.Categories(complaint.KindComplaint)}
	catIndex := map[complaint.Category]int{}
	for i, c := range d.Categories {
		catIndex[c.Category] = i
	}
	d.Totals = make([]int, len(d.Categories))
	byRegion := map[string]*cmpStatsRow{}
	var codes []string
	for _, c := range counts {
		row, ok := byRegion[c.Region]
		if !ok {
			row = &cmpStatsRow{Code: c.Region, Counts: make([]int, len(d.Categories))}
			byRegion[c.Region] = row
			codes = append(codes, c.Region)
		}
		if i, ok := catIndex[c.Category]; ok {
			row.Counts[i] += c.Total
			d.Totals[i] += c.Total
		}
		row.Open += c.Open
		row.Total += c.Total
		d.Open += c.Open
		d.Total += c.Total
	}
	sort.Strings(codes)
	names := w.regionNames(ctx, append(codes, region))
	d.RegionName = names[region]
	var labels, hrefs []string
	var values []int
	for _, code := range codes {
		row := byRegion[code]
		row.Name = names[code]
		if row.Name == "" {
			row.Name = code
		}
		if len(code) < 13 {
			row.Href = "/admin/pengaduan/statistik?wilayah=" + code
		}
		d.Rows = append(d.Rows, *row)
		labels, hrefs, values = append(labels, row.Name), append(hrefs, row.Href), append(values, row.Total)
	}
	fmtN := func(n int) string { return p.N(n) }
	d.RegionBars, d.RegionH = bars(labels, hrefs, values, fmtN)
	var catLabels []string
	for _, c := range d.Categories {
		catLabels = append(catLabels, p.CmpCategory(c.Kind, c.Category))
	}
	d.CategoryBars, d.CatH = bars(catLabels, nil, d.Totals, fmtN)
	if region != "" && region != authz.Scope(ctx) {
		d.CanUp = true
		switch len(region) {
		case 2:
			d.Up = "/admin/pengaduan/statistik"
		case 13:
			d.Up = "/admin/pengaduan/statistik?wilayah=" + region[:8]
		default:
			d.Up = "/admin/pengaduan/statistik?wilayah=" + region[:len(region)-3]
		}
	}
	if region != "" {
		p.Heading = p.T("pengaduan_statistik") + " · " + d.RegionName
	}
	w.render(rw, r, http.StatusOK, "pengaduan_statistik", withData(p, d))
}
