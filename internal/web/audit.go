package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/region"
)

// ---- the audit trail (/audit), for the inspectorate ----
//
// A GET form filters the trail by actor, person (the internal ID: never a
// NIK or a name in a URL), region, action and days; the table pages back
// from the newest entry. The trail is scoped by internal/audit to the
// inspector's region, and its CSV export (the API's) records itself.

// auditPerPage is the length of a page of the trail.
const auditPerPage = 25

type auditForm struct {
	Actor, Person, Region, Action, From, To string
}

type auditRow struct {
	Seq                     int64
	At                      string // Jakarta time, to the second
	Actor, Role, ActorScope string
	Region                  string
	Action                  string
	Object                  string
	Href                    string // the object's page, if it has one
	PersonID                int64
	Changes                 []string
	RequestID, ClientAddr   string
}

type auditData struct {
	Form    auditForm
	Actions []string
	Error   string
	Rows    []auditRow
	Paged   bool   // this is not the newest page
	First   string // the newest page with the same filters
	Next    string // the next (older) page; "" when none
	Export  string // the CSV export of the whole selection
}

// auditFilter reads the form: ?pelaku=&orang=&wilayah=&tindakan=&dari=&sampai=
// (days in Jakarta time, sampai inclusive) and &sebelum= for paging.
func auditFilter(q url.Values, lang string) (audit.Filter, auditForm, string) {
	form := auditForm{Actor: strings.TrimSpace(q.Get("pelaku")), Person: strings.TrimSpace(q.Get("orang")),
		Region: strings.TrimSpace(q.Get("wilayah")), Action: strings.TrimSpace(q.Get("tindakan")),
		From: q.Get("dari"), To: q.Get("sampai")}
	f := audit.Filter{Actor: form.Actor, Region: form.Region, Action: form.Action, Limit: auditPerPage + 1}
	if form.Person != "" {
		id, err := strconv.ParseInt(form.Person, 10, 64)
		if err != nil || id <= 0 || len(form.Person) > 15 {
			return f, form, text(lang, "audit_orang_salah")
		}
		f.PersonID = id
	}
	if form.Region != "" && region.Validate(form.Region) != nil {
		return f, form, text(lang, "kode_salah")
	}
	day := func(v string, next bool) (time.Time, bool) {
		if v == "" {
			return time.Time{}, true
		}
		d, err := time.ParseInLocation(time.DateOnly, v, wib)
		if err != nil {
			return time.Time{}, false
		}
		if next {
			d = d.AddDate(0, 0, 1)
		}
		return d, true
	}
	var ok1, ok2 bool
	f.From, ok1 = day(form.From, false)
	f.To, ok2 = day(form.To, true)
	if !ok1 || !ok2 {
		return f, form, text(lang, "audit_tanggal_salah")
	}
	if v := q.Get("sebelum"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			f.BeforeSeq = n
		}
	}
	return f, form, ""
}

// query returns the form as the page's query, plus extra pairs.
func (f auditForm) query(extra ...string) string {
	q := url.Values{}
	for k, v := range map[string]string{"pelaku": f.Actor, "orang": f.Person, "wilayah": f.Region, "tindakan": f.Action, "dari": f.From, "sampai": f.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// exportURL is the API's CSV export of the selection.
func exportURL(f audit.Filter) string {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("actor", f.Actor)
	set("region", f.Region)
	set("action", f.Action)
	if f.PersonID > 0 {
		q.Set("person", strconv.FormatInt(f.PersonID, 10))
	}
	if !f.From.IsZero() {
		q.Set("from", f.From.UTC().Format(time.RFC3339))
	}
	if !f.To.IsZero() {
		q.Set("to", f.To.UTC().Format(time.RFC3339))
	}
	if len(q) == 0 {
		return "/api/v1/audit/export"
	}
	return "/api/v1/audit/export?" + q.Encode()
}

func (w *Web) auditTrail(rw http.ResponseWriter, r *http.Request) {
	p := w.newPage(r, "audit", "audit_judul")
	f, form, problem := auditFilter(r.URL.Query(), p.Lang)
	actions := append(slices.Clone(audit.Actions), auth.Actions...)
	d := auditData{Form: form, Actions: actions, Error: problem, Paged: f.BeforeSeq > 0}
	status := http.StatusOK
	if problem != "" {
		status = http.StatusUnprocessableEntity
	} else {
		entries, err := audit.Search(r.Context(), w.d.Registry.DB, f)
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		if len(entries) > auditPerPage {
			entries = entries[:auditPerPage]
			d.Next = "/audit" + form.query("sebelum", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		}
		for _, e := range entries {
			d.Rows = append(d.Rows, auditRowOf(p, e))
		}
		d.First = "/audit" + form.query()
		d.Export = exportURL(f)
	}
	w.render(rw, r, status, "audit", withData(p, d))
}

func auditRowOf(p *page, e audit.Entry) auditRow {
	t := e.At.In(wib)
	row := auditRow{Seq: e.Seq, At: formatDate(p.Lang, t.Format(time.DateOnly)) + " " + t.Format("15:04:05") + " WIB", Actor: e.Actor, Role: p.RoleLabel(e.Role), ActorScope: e.ActorRegion,
		Region: e.Region, Action: p.ActionLabel(e.Action), PersonID: e.PersonID, RequestID: e.RequestID, ClientAddr: e.ClientAddr}
	if e.ObjectType != "" {
		row.Object = text(p.Lang, "objek."+e.ObjectType)
		if strings.HasPrefix(row.Object, "objek.") {
			row.Object = e.ObjectType
		}
		if e.ObjectID != 0 {
			row.Object += " " + strconv.FormatInt(e.ObjectID, 10)
			switch e.ObjectType {
			case audit.ObjFamily:
				row.Href = "/keluarga/" + strconv.FormatInt(e.ObjectID, 10)
			case audit.ObjPerson:
				row.Href = "/orang/" + strconv.FormatInt(e.ObjectID, 10)
			}
		}
	}
	keys := map[string]bool{}
	for k := range e.Before {
		keys[k] = true
	}
	for k := range e.After {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		label := text(p.Lang, "f."+k)
		if strings.HasPrefix(label, "f.") {
			label = text(p.Lang, "audit_f."+k)
			if strings.HasPrefix(label, "audit_f.") {
				label = k
			}
		}
		b, inB := e.Before[k]
		a, inA := e.After[k]
		switch {
		case inB && inA:
			row.Changes = append(row.Changes, fmt.Sprintf("%s: %s → %s", label, auditValue(p.Lang, b), auditValue(p.Lang, a)))
		case inA:
			row.Changes = append(row.Changes, fmt.Sprintf("%s: %s", label, auditValue(p.Lang, a)))
		default:
			row.Changes = append(row.Changes, fmt.Sprintf("%s: %s → —", label, auditValue(p.Lang, b)))
		}
	}
	return row
}

func auditValue(lang string, v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		if x == "" {
			return "—"
		}
		if len(x) >= 20 && x[4] == '-' && x[10] == 'T' {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return formatTime(lang, t)
			}
		}
		return x
	case []any:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = auditValue(lang, e)
		}
		return strings.Join(s, ", ")
	}
	return fmt.Sprint(v)
}

// ActionLabel names an audit action in the page's language.
func (p *page) ActionLabel(action string) string {
	if s := text(p.Lang, "aksi."+action); !strings.HasPrefix(s, "aksi.") {
		return s
	}
	return action
}
