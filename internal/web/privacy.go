package web

import (
	"net/http"

	"github.com/kemensos/jaring/internal/privacy"
)

// revealNIK shows a person's full NIK (nik.reveal) after writing the
// reveal and its reason to the audit trail. It answers a POST, so the NIK
// never travels in a URL, and its page is no-store like every other.
func (w *Web) revealNIK(rw http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
	per, err := privacy.RevealNIK(r.Context(), w.d.Registry, id, r.PostFormValue("alasan"))
	if err != nil {
		w.renderError(rw, r, err)
		return
	}
	p := w.newPage(r, "wilayah", "nik_lengkap")
	p.Heading = per.Name
	w.render(rw, r, http.StatusOK, "nik", withData(p, struct {
		ID  int64
		NIK string
	}{per.ID, per.NIK}))
}
