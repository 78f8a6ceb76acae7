package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/proposal"
)

type sessListData struct {
	Sessions []proposal.Session
	Village  string // the user's village, when bound to one: the form's default
	Today    string
	Errors   []string
}

func (w *Web) sessList(rw http.ResponseWriter, r *http.Request) {
	w.renderSessList(rw, r, http.StatusOK, nil)
}

func (w *Web) renderSessList(rw http.ResponseWriter, r *http.Request, status int, problems []string) {
	list, err := w.proposals().Sessions(r.Context(), "", 100)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	d := sessListData{Sessions: list, Errors: problems, Today: nowWIB().Format("2006-01-02")}
	if s := authz.Scope(r.Context()); strings.Count(s, ".") == 3 {
		d.Village = s
	}
	p := w.newPage(r, "musdes", "musdes_judul")
	w.render(rw, r, status, "musdes", withData(p, d))
}

func (w *Web) sessCreate(rw http.ResponseWriter, r *http.Request) {
	ss, err := w.proposals().CreateSession(r.Context(), r.PostFormValue("desa"), r.PostFormValue("tanggal"), r.PostFormValue("tempat"))
	if err != nil {
		if s := errStatus(err); s == http.StatusUnprocessableEntity || s == http.StatusNotFound {
			w.renderSessList(rw, r, http.StatusUnprocessableEntity, problems(err))
			return
		}
		w.renderError(rw, r, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/musdes/%d", ss.ID), http.StatusSeeOther)
}

type sessPageData struct {
	S        proposal.Session
	Items    []proposal.SessionItem
	Waiting  int
	CanEdit  bool
	Rows     []proposal.Attendee // the attendance form: the recorded rows plus blanks
	Errors   []string
	Decided  map[string]int
	Decision []string
}

func (w *Web) sessPage(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	w.renderSess(rw, r, http.StatusOK, id, nil)
}

func (w *Web) renderSess(rw http.ResponseWriter, r *http.Request, status int, id int64, problems []string) {
	svc := w.proposals()
	ss, err := svc.GetSession(r.Context(), id)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	items, err := svc.SessionItems(r.Context(), id)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	p := w.newPage(r, "musdes", "musdes_rinci_judul")
	p.Heading = p.Tf("musdes_rinci_judul_n", ss.Label(), ss.ID)
	p.Crumbs = []crumb{{p.T("musdes_judul"), "/musdes"}, {fmt.Sprint(ss.ID), ""}}
	d := sessPageData{S: ss, Items: items, Errors: problems, Decided: map[string]int{}, Decision: []string{"setuju", "tolak", "tunda"}}
	d.CanEdit = ss.Status == "terbuka" && p.Can(string(authz.ProposalVillage))
	for _, it := range items {
		d.Decided[it.Decision]++
	}
	if d.CanEdit {
		waiting, err := svc.List(r.Context(), proposal.Filter{Region: ss.VillageCode, Status: proposal.VillageChecked, Limit: 500})
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		for _, it := range waiting {
			if it.SessionID == 0 {
				d.Waiting++
			}
		}
	}
	d.Rows = append(d.Rows, ss.Attendance...)
	for len(d.Rows) < len(ss.Attendance)+5 {
		d.Rows = append(d.Rows, proposal.Attendee{})
	}
	w.render(rw, r, status, "musdes_rinci", withData(p, d))
}

// sessDo runs a change on a session and comes back to its page.
func (w *Web) sessDo(rw http.ResponseWriter, r *http.Request, fn func(id int64) error) {
	id, err := pathID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	if err := fn(id); err != nil {
		if s := errStatus(err); s == http.StatusUnprocessableEntity || s == http.StatusForbidden {
			w.renderSess(rw, r, s, id, problems(err))
			return
		}
		w.renderError(rw, r, err)
		return
	}
	http.Redirect(rw, r, fmt.Sprintf("/musdes/%d", id), http.StatusSeeOther)
}

func (w *Web) sessAdd(rw http.ResponseWriter, r *http.Request) {
	w.sessDo(rw, r, func(id int64) error {
		if err := r.ParseForm(); err != nil {
			return err
		}
		_, err := w.proposals().AddToSession(r.Context(), id, formIDs(r))
		return err
	})
}

func (w *Web) sessDecide(rw http.ResponseWriter, r *http.Request) {
	w.sessDo(rw, r, func(id int64) error {
		if err := r.ParseForm(); err != nil {
			return err
		}
		dec := map[int64]string{}
		for k, v := range r.PostForm {
			if n, ok := strings.CutPrefix(k, "k_"); ok {
				if pid, err := strconv.ParseInt(n, 10, 64); err == nil && len(v) > 0 {
					dec[pid] = v[0]
				}
			}
		}
		return w.proposals().SetDecisions(r.Context(), id, dec)
	})
}

func (w *Web) sessAttend(rw http.ResponseWriter, r *http.Request) {
	w.sessDo(rw, r, func(id int64) error {
		if err := r.ParseForm(); err != nil {
			return err
		}
		names, roles := r.PostForm["nama"], r.PostForm["peran"]
		var people []proposal.Attendee
		for i := range names {
			a := proposal.Attendee{Name: names[i]}
			if i < len(roles) {
				a.Role = roles[i]
			}
			people = append(people, a)
		}
		return w.proposals().SetAttendance(r.Context(), id, people, atoiOr0(r.PostFormValue("jumlah")))
	})
}

func (w *Web) sessClose(rw http.ResponseWriter, r *http.Request) {
	w.sessDo(rw, r, func(id int64) error {
		_, err := w.proposals().CloseSession(r.Context(), id)
		return err
	})
}

func (w *Web) sessMinutes(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	b, err := w.proposals().Minutes(r.Context(), id)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"berita-acara-%d.pdf\"", id))
	_, _ = rw.Write(b)
}

func (w *Web) sessUpload(rw http.ResponseWriter, r *http.Request) {
	w.sessDo(rw, r, func(id int64) error {
		file, hdr, err := r.FormFile("berkas")
		if err != nil {
			return errs.Fields([]errs.FieldError{{Field: "berita_acara", Reason: "pilih berkas PDF pindaian berita acara"}})
		}
		defer file.Close()
		data, err := io.ReadAll(io.LimitReader(file, proposal.MaxScan+1))
		if err != nil {
			return err
		}
		_, err = w.proposals().UploadScan(r.Context(), id, proposal.File{Name: hdr.Filename, Data: data})
		return err
	})
}

func (w *Web) sessScan(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	fi, data, err := w.proposals().Scan(r.Context(), id)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	sendFile(rw, fi, data)
}

func nowWIB() time.Time { return time.Now().In(wib) }
