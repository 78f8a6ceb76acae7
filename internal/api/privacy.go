package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/nik"
	"github.com/kemensos/jaring/internal/privacy"
	"github.com/kemensos/jaring/internal/registry"
)

// NIKs and KK numbers are masked (3204**********01) in every answer of the
// register: lists, searches, single records, histories, lookups and the
// answers to changes. register.read means "with masked NIK"; a full NIK is
// shown only by POST /api/v1/people/{id}/nik (nik.reveal, audited) and in
// exports (register.export, audited). A client that sends a record back as
// it got it, masked NIK or KK included, leaves the number unchanged.

func maskFamily(f registry.Family) registry.Family {
	f.KK = nik.Mask(f.KK)
	return f
}

func maskPerson(p registry.Person) registry.Person {
	p.NIK = nik.Mask(p.NIK)
	return p
}

func maskFamilies(fs []registry.Family) []registry.Family {
	out := make([]registry.Family, len(fs))
	for i, f := range fs {
		out[i] = maskFamily(f)
	}
	return out
}

func maskPeople(ps []registry.Person) []registry.Person {
	out := make([]registry.Person, len(ps))
	for i, p := range ps {
		out[i] = maskPerson(p)
	}
	return out
}

func maskedView(f registry.Family, members []registry.Person) familyView {
	return familyView{Family: maskFamily(f), Members: maskPeople(members)}
}

// isMasked reports whether s looks like a masked number: it has a '*'.
func isMasked(s string) bool { return strings.Contains(s, "*") }

// unmaskPerson puts back the current NIK of person id when p carries it
// in the masked form the API answered. Anything else is left for
// validation to judge.
func (a *API) unmaskPerson(ctx context.Context, id int64, p *registry.Person) error {
	if !isMasked(p.NIK) {
		return nil
	}
	cur, err := a.Registry.GetPerson(ctx, id, time.Time{})
	if err != nil {
		return err
	}
	if strings.TrimSpace(p.NIK) == nik.Mask(cur.NIK) {
		p.NIK = cur.NIK
	}
	return nil
}

// unmaskFamily is unmaskPerson for a family's KK number.
func (a *API) unmaskFamily(ctx context.Context, id int64, f *registry.Family) error {
	if !isMasked(f.KK) {
		return nil
	}
	cur, _, err := a.Registry.GetFamily(ctx, id, time.Time{})
	if err != nil {
		return err
	}
	if strings.TrimSpace(f.KK) == nik.Mask(cur.KK) {
		f.KK = cur.KK
	}
	return nil
}

// revealNIK answers a person's full NIK, for roles with nik.reveal, after
// recording the reveal and its reason in the audit trail.
func (a *API) revealNIK(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var b struct {
		Reason string `json:"reason"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p, err := privacy.RevealNIK(r.Context(), a.Registry, id, b.Reason)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"id": p.ID, "nik": p.NIK})
}

// privacyReport answers a data subject's report (privacy.report): the
// person holding the NIK in the body, within the caller's region. The
// answer holds the person's full NIK: it is produced for them.
func (a *API) privacyReport(w http.ResponseWriter, r *http.Request) {
	var b struct {
		NIK string `json:"nik"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	rep, err := privacy.MakeReport(r.Context(), a.Registry, b.NIK, privacy.ReportOptions{Format: "json"})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
}

// maxBreachPeople caps the people a breach answer lists; the command line
// (jaring privacy breach) writes them all.
const maxBreachPeople = 1000

// privacyBreach answers what a leaked account or token could reach in a
// window (privacy.report): the counts, and the people it viewed, changed
// or exported, NIK masked.
func (a *API) privacyBreach(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Username string `json:"username"`
		TokenID  int64  `json:"token_id"`
		From     string `json:"from"`
		To       string `json:"to"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var fe []errs.FieldError
	instant := func(name, v string, end bool) time.Time {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t
		}
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			if end {
				d = d.Add(24 * time.Hour)
			}
			return d
		}
		fe = append(fe, errs.FieldError{Field: name, Value: v, Reason: "gunakan format RFC 3339 atau TTTT-BB-HH"})
		return time.Time{}
	}
	from, to := instant("from", b.From, false), instant("to", b.To, true)
	if (b.Username == "") == (b.TokenID == 0) {
		fe = append(fe, errs.FieldError{Field: "username", Reason: "isi username atau token_id, salah satu"})
	}
	if err := errs.Fields(fe); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	people := []privacy.Exposed{}
	limited := false
	res, err := privacy.FindBreach(r.Context(), a.Registry.DB, privacy.BreachQuery{Username: b.Username, TokenID: b.TokenID, From: from, To: to},
		func(x privacy.Exposed) error {
			if x.Views == 0 && x.Changes == 0 && !x.Exported {
				return nil
			}
			if len(people) == maxBreachPeople {
				limited = true
				return nil
			}
			x.NIK = nik.Mask(x.NIK)
			people = append(people, x)
			return nil
		})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"breach": res, "people": people, "limited": limited})
}
