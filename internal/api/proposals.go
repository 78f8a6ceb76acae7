package api

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/proposal"
)

// A citizen's own proposals: list, file an usul or a resignation for
// their family, find a recipient of their village and object to it, and
// read one with its steps. The service keeps everything to the account's
// village and family; another citizen's item is not found.

// MaxObjection caps an objection's body: the photo and the fields.
const MaxObjection = proposal.MaxEvidence + 1<<20

func (a *API) proposalRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/me/proposals", Action: authz.CitizenSelf, Handler: a.myProposals},
		{Method: "POST", Pattern: "/api/v1/me/proposals", Action: authz.CitizenSelf, Handler: a.myProposalFile},
		{Method: "GET", Pattern: "/api/v1/me/proposals/{id}", Action: authz.CitizenSelf, Handler: a.myProposal},
		{Method: "POST", Pattern: "/api/v1/me/objections/recipients", Action: authz.CitizenSelf, Handler: a.myRecipientSearch},
		{Method: "POST", Pattern: "/api/v1/me/objections", Action: authz.CitizenSelf, Handler: a.myObjection, MaxBody: MaxObjection},
	}
}

// proposalJSON is an item as its citizen sees it.
type proposalJSON struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	KindLabel   string     `json:"kind_label"`
	Program     string     `json:"program,omitempty"`
	Reason      string     `json:"reason"`
	Status      string     `json:"status"`
	StatusLabel string     `json:"status_label"`
	Note        string     `json:"note,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	StepAt      time.Time  `json:"step_at"`
	Deadline    *time.Time `json:"deadline,omitempty"`
	Steps       []stepJSON `json:"steps,omitempty"`
}

type stepJSON struct {
	At     time.Time `json:"at"`
	Step   string    `json:"step"`
	Status string    `json:"status"`
	Reason string    `json:"reason,omitempty"`
}

func toProposalJSON(it proposal.Item) proposalJSON {
	return proposalJSON{ID: it.ID, Kind: string(it.Kind), KindLabel: it.Kind.Label(), Program: it.Program, Reason: it.Reason,
		Status: string(it.Status), StatusLabel: it.Status.Label(), Note: it.Note, CreatedAt: it.CreatedAt, StepAt: it.StepAt, Deadline: it.Deadline}
}

func (a *API) proposals() *proposal.Service {
	if a.Proposals != nil {
		return a.Proposals
	}
	svc := proposal.New(a.Registry.DB)
	if a.Notify != nil {
		svc.Notify = proposal.Notifier(a.Notify)
	}
	return svc
}

func proposerOf(acc citizen.Account) proposal.Proposer {
	return proposal.Proposer{CitizenID: acc.ID, UserID: acc.ID, Name: citizen.Username(acc.ID), NIK: acc.NIK, KK: acc.KK,
		VillageCode: acc.VillageCode, Verified: acc.Verified}
}

func (a *API) myProposals(w http.ResponseWriter, r *http.Request) {
	acc, ok := citizen.From(r.Context())
	if !ok {
		httpx.WriteError(w, r, errs.NotFound("akun warga"))
		return
	}
	items, err := a.proposals().List(r.Context(), proposal.Filter{CitizenID: acc.ID, Limit: 500})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := make([]proposalJSON, 0, len(items))
	for _, it := range items {
		out = append(out, toProposalJSON(it))
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": out})
}

func (a *API) myProposal(w http.ResponseWriter, r *http.Request) {
	acc, ok := citizen.From(r.Context())
	if !ok {
		httpx.WriteError(w, r, errs.NotFound("akun warga"))
		return
	}
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	svc := a.proposals()
	it, err := svc.Get(r.Context(), id)
	if err == nil && it.CitizenID != acc.ID {
		err = errs.NotFound("usulan %d", id)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	steps, err := svc.History(r.Context(), id)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	out := toProposalJSON(it)
	for _, s := range steps {
		out.Steps = append(out.Steps, stepJSON{At: s.At, Step: s.Step, Status: string(s.Status), Reason: s.Reason})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// myProposalFile files an usul for the citizen's own family (usul_program)
// or its resignation from a program (mundur).
func (a *API) myProposalFile(w http.ResponseWriter, r *http.Request) {
	acc, err := citizen.RequireVerified(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var body struct {
		Kind    string `json:"kind"`
		Program string `json:"program"`
		Reason  string `json:"reason"`
	}
	if err := httpx.DecodeJSON(w, r, &body); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	k := proposal.Kind(body.Kind)
	if k != proposal.UsulProgram && k != proposal.Resign {
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "kind", Value: body.Kind,
			Reason: "usul_program atau mundur; sanggahan lewat /api/v1/me/objections"}}})
		return
	}
	svc := a.proposals()
	fam, err := svc.FamilyOfKK(r.Context(), acc.KK)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if fam == 0 {
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "kk", Reason: "No. KK akun Anda belum ada di register; ajukan usul masuk register melalui desa/kelurahan"}}})
		return
	}
	it, err := svc.Submit(r.Context(), proposerOf(acc), proposal.Input{Kind: k, Program: body.Program, Reason: body.Reason, FamilyID: fam})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, toProposalJSON(it))
}

// myRecipientSearch finds recipients of the citizen's village by a name
// sent in the body (never in the URL).
func (a *API) myRecipientSearch(w http.ResponseWriter, r *http.Request) {
	acc, err := citizen.RequireVerified(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var body struct {
		Name string `json:"name"`
	}
	if err := httpx.DecodeJSON(w, r, &body); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	found, err := a.proposals().SearchRecipients(r.Context(), proposerOf(acc), body.Name)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if found == nil {
		found = []proposal.Recipient{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"recipients": found})
}

// myObjection files a sanggah against a recipient picked from a search:
// multipart with recipient (the reference), reason, latitude, longitude
// and photo.
func (a *API) myObjection(w http.ResponseWriter, r *http.Request) {
	acc, err := citizen.RequireVerified(r.Context())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if err := ParseUpload(r); err != nil {
		writeUploadError(w, r, err)
		return
	}
	svc := a.proposals()
	ref := strings.TrimSpace(r.FormValue("recipient"))
	if ref == "" {
		httpx.WriteError(w, r, &errs.Invalid{Fields: []errs.FieldError{{Field: "recipient", Reason: "wajib diisi: referensi penerima dari /api/v1/me/objections/recipients"}}})
		return
	}
	fam, err := svc.FamilyOfRef(acc.ID, ref)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	in := proposal.Input{Kind: proposal.Objection, FamilyID: fam, Reason: r.FormValue("reason"),
		Latitude: coord(r.FormValue("latitude")), Longitude: coord(r.FormValue("longitude"))}
	if f, fh, err := r.FormFile("photo"); err == nil {
		data, _ := io.ReadAll(io.LimitReader(f, proposal.MaxEvidence+1))
		f.Close()
		in.Photo = &proposal.File{Name: fh.Filename, Data: data}
	}
	it, err := svc.Submit(r.Context(), proposerOf(acc), in)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, toProposalJSON(it))
}

func coord(s string) *float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(s, ",", ".")), 64)
	if err != nil {
		return nil
	}
	return &v
}
