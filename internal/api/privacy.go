package api

import (
	"context"
	"net/http"
	"strings"
	"time"

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
