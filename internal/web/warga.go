package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/proposal"
)

// ---- a citizen's usul and sanggah (/warga/usulan) ----
//
// A signed-in verified citizen proposes their own family for a program,
// resigns from one, or objects to a recipient of their village with a
// photo of the house and GPS coordinates, and follows the status of their
// items. The service refuses anything outside the citizen's village.

func (w *Web) citizenRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/warga/usulan", Action: authz.CitizenSelf, Handler: w.citizenItems},
		{Method: "POST", Pattern: "/warga/usulan", Action: authz.CitizenSelf, Handler: w.citizenSubmit, MaxBody: 2*proposal.MaxEvidence + 1<<20},
		{Method: "POST", Pattern: "/warga/usulan/cari-penerima", Action: authz.CitizenSelf, Handler: w.citizenSearch},
	}
}

type citizenData struct {
	Items    []proposal.Item
	Verified bool
	FamilyID int64
	Form     map[string]string
	Errors   []string
	// Searched is set after a recipient search; Found are its results.
	Searched bool
	Found    []proposal.Recipient
}

func (w *Web) citizenItems(rw http.ResponseWriter, r *http.Request) {
	w.renderCitizen(rw, r, http.StatusOK, map[string]string{}, nil)
}

// verifiedCitizen returns the signed-in citizen's verified account, or
// answers: the citizen's page saying why for an unverified account, an
// error page otherwise.
func (w *Web) verifiedCitizen(rw http.ResponseWriter, r *http.Request) (citizen.Account, bool) {
	a, err := citizen.RequireVerified(r.Context())
	if errors.Is(err, citizen.ErrNotVerified) {
		// The page says why, with the account's items.
		w.renderCitizen(rw, r, http.StatusForbidden, map[string]string{}, []string{errMessage(err)})
		return a, false
	}
	if err != nil {
		w.renderError(rw, r, err)
		return a, false
	}
	return a, true
}

// citizenSearch finds recipients of the citizen's village by name (sent
// in the body, never in the URL) for the sanggah form.
func (w *Web) citizenSearch(rw http.ResponseWriter, r *http.Request) {
	a, ok := w.verifiedCitizen(rw, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		w.renderError(rw, r, err)
		return
	}
	form := map[string]string{"nama": strings.TrimSpace(r.PostForm.Get("nama"))}
	found, err := w.proposals().SearchRecipients(r.Context(), citizenProposer(a), form["nama"])
	if err != nil {
		if errStatus(err) == http.StatusUnprocessableEntity {
			w.renderCitizen(rw, r, http.StatusUnprocessableEntity, form, problems(err))
			return
		}
		w.renderError(rw, r, err)
		return
	}
	w.renderCitizenWith(rw, r, http.StatusOK, citizenData{Form: form, Searched: true, Found: found})
}

func citizenProposer(a citizen.Account) proposal.Proposer {
	return proposal.Proposer{CitizenID: a.ID, UserID: a.ID, Name: citizen.Username(a.ID), NIK: a.NIK, KK: a.KK, VillageCode: a.VillageCode, Verified: a.Verified}
}

func (w *Web) renderCitizen(rw http.ResponseWriter, r *http.Request, status int, form map[string]string, problems []string) {
	w.renderCitizenWith(rw, r, status, citizenData{Form: form, Errors: problems})
}

func (w *Web) renderCitizenWith(rw http.ResponseWriter, r *http.Request, status int, d citizenData) {
	a, ok := citizen.From(r.Context())
	if !ok {
		w.renderError(rw, r, fmt.Errorf("hanya untuk warga: %w", errs.ErrForbidden))
		return
	}
	svc := w.proposals()
	items, err := svc.List(r.Context(), proposal.Filter{CitizenID: a.ID, Limit: 100})
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	fam, err := svc.FamilyOfKK(r.Context(), a.KK)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	d.Items, d.Verified, d.FamilyID = items, a.Verified, fam
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	p := w.newPage(r, "warga_usulan", "warga_usulan_judul")
	w.render(rw, r, status, "warga_usulan", withData(p, d))
}

func parseCoord(s string) *float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(s, ",", ".")), 64)
	if err != nil {
		return nil
	}
	return &v
}

func (w *Web) citizenSubmit(rw http.ResponseWriter, r *http.Request) {
	a, ok := w.verifiedCitizen(rw, r)
	if !ok {
		return
	}
	if err := r.ParseMultipartForm(2*proposal.MaxEvidence + 1<<20); err != nil {
		w.renderError(rw, r, errs.Fields([]errs.FieldError{{Field: "berkas", Reason: "formulir atau berkas terlalu besar"}}))
		return
	}
	form := map[string]string{}
	for k, v := range r.PostForm {
		if len(v) > 0 {
			form[k] = strings.TrimSpace(v[0])
		}
	}
	svc := w.proposals()
	in := proposal.Input{Kind: proposal.Kind(form["jenis"]), Reason: form["alasan"], Program: form["program"]}
	switch in.Kind {
	case proposal.UsulProgram, proposal.Resign:
		fam, err := svc.FamilyOfKK(r.Context(), a.KK)
		if err != nil {
			w.renderError(rw, r, err)
			return
		}
		in.FamilyID = fam
	case proposal.Objection:
		// The recipient is the one picked from a search: a reference the
		// server signed for this citizen, never a typed family number.
		// Submit checks again that the family is of the citizen's village
		// and receives in a latest final determination.
		if form["penerima"] == "" {
			w.renderCitizen(rw, r, http.StatusUnprocessableEntity, form, []string{"penerima: cari nama penerima lalu pilih salah satu hasilnya"})
			return
		}
		fam, err := svc.FamilyOfRef(a.ID, form["penerima"])
		if err != nil {
			w.renderCitizen(rw, r, http.StatusUnprocessableEntity, form, problems(err))
			return
		}
		in.FamilyID = fam
		in.Latitude, in.Longitude = parseCoord(form["lintang"]), parseCoord(form["bujur"])
		if f, fh, err := r.FormFile("foto"); err == nil {
			data, _ := io.ReadAll(io.LimitReader(f, proposal.MaxEvidence+1))
			f.Close()
			in.Photo = &proposal.File{Name: fh.Filename, Data: data}
		}
	}
	if _, err := svc.Submit(r.Context(), citizenProposer(a), in); err != nil {
		if s := errStatus(err); s == http.StatusUnprocessableEntity || s == http.StatusNotFound {
			w.renderCitizen(rw, r, http.StatusUnprocessableEntity, form, problems(err))
			return
		}
		w.renderError(rw, r, err)
		return
	}
	http.Redirect(rw, r, "/warga/usulan", http.StatusSeeOther)
}
