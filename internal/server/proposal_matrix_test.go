package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/store"
)

// mxProp holds the proposal objects of villages A and B: a submitted
// item with an evidence file, an item the meeting agreed to, an open
// meeting, and a closed one with its signed scan.
type mxProp struct {
	itemA, itemB, agreedA, agreedB int64
	fileA, fileB                   int64
	sessA, sessB, doneA, doneB     int64
}

var mxEvidenceJPEG = "\xff\xd8\xff\xe0\x00\x10JFIF\x00" + strings.Repeat("\x00", 64)

// mxProposalCases makes the proposal objects of A and B and adds the
// cases of the /usulan and /musdes routes to cases.
func mxProposalCases(t *testing.T, x *mx, db *store.DB, cases map[string]mxCase) map[string]mxCase {
	t.Helper()
	ctx := authz.With(context.Background(), authz.Principal{UserID: 1, Username: "mx-fixture", Role: authz.Admin, Via: "cli"})
	svc := proposal.New(db)
	var o mxProp
	mk := func(village string, famID int64, program string) (int64, int64) {
		it, err := svc.Submit(context.Background(), proposal.Proposer{CitizenID: 77, VillageCode: village, Verified: true},
			proposal.Input{Kind: proposal.UsulProgram, FamilyID: famID, Program: program, Reason: "usul uji",
				Files: []proposal.File{{Name: "bukti.jpg", Data: []byte(mxEvidenceJPEG)}}})
		if err != nil {
			t.Fatal(err)
		}
		files, err := svc.Files(ctx, it.ID)
		if err != nil || len(files) != 1 {
			t.Fatal(files, err)
		}
		return it.ID, files[0].ID
	}
	o.itemA, o.fileA = mk(mxVillageA, x.famA.ID, "PKH")
	o.itemB, o.fileB = mk(mxVillageB, x.famB.ID, "PKH")
	meeting := func(village string, famID int64) (agreed, done int64) {
		agreed, _ = mk(village, famID, "PBI_JK")
		if _, err := svc.Decide(ctx, proposal.Decision{Step: proposal.StepVillage, Verdict: proposal.Approve, Items: proposal.Selection{IDs: []int64{agreed}}}); err != nil {
			t.Fatal(err)
		}
		ss, err := svc.CreateSession(ctx, village, "2026-11-20", "Balai desa")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddToSession(ctx, ss.ID, nil); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetDecisions(ctx, ss.ID, map[int64]string{agreed: "setuju"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetAttendance(ctx, ss.ID, []proposal.Attendee{{Name: "Kepala", Role: "Kepala desa"}}, 12); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CloseSession(ctx, ss.ID); err != nil {
			t.Fatal(err)
		}
		pdf, err := svc.Minutes(ctx, ss.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UploadScan(ctx, ss.ID, proposal.File{Name: "ba.pdf", Data: pdf}); err != nil {
			t.Fatal(err)
		}
		return agreed, ss.ID
	}
	o.agreedA, o.doneA = meeting(mxVillageA, x.famA.ID)
	o.agreedB, o.doneB = meeting(mxVillageB, x.famB.ID)
	for _, v := range []struct {
		village string
		id      *int64
	}{{mxVillageA, &o.sessA}, {mxVillageB, &o.sessB}} {
		ss, err := svc.CreateSession(ctx, v.village, "2026-12-01", "Aula")
		if err != nil {
			t.Fatal(err)
		}
		*v.id = ss.ID
	}

	id := func(n int64) string { return mxID(n) }
	form := func(path string, v url.Values, want ...int) mxBuild {
		return mxFixed(mxProbe{req: mxForm(path, v), want: want})
	}
	outside := func(path string, v url.Values, want ...int) []mxBuild {
		if len(want) == 0 {
			want = []int{http.StatusNotFound}
		}
		return []mxBuild{mxFixed(mxProbe{req: mxForm(path, v), want: want, mutates: true})}
	}
	decide := func(path string, a, b int64) mxCase {
		return mxCase{
			inside:  form(path, url.Values{"id": {id(a)}, "keputusan": {"setuju"}, "status": {"x"}}, http.StatusSeeOther, http.StatusUnprocessableEntity),
			outside: outside(path, url.Values{"id": {id(b)}, "keputusan": {"setuju"}}, http.StatusUnprocessableEntity),
		}
	}
	get := func(a, b string) mxCase {
		return mxCase{inside: mxGetB(a), outside: []mxBuild{mxGetB(b)}}
	}
	add := map[string]mxCase{
		"GET /usulan":      {inside: mxGetB("/usulan?status=diajukan"), outside: []mxBuild{mxGetB("/usulan?wilayah=" + mxVillageB)}},
		"GET /usulan/baru": {inside: mxGetB("/usulan/baru"), why: "an empty form"},
		"POST /usulan/baru": {
			inside: mxFixed(mxProbe{req: mxFile("/usulan/baru", "bukti", "akta.jpg", mxEvidenceJPEG,
				map[string]string{"jenis": "kematian", "orang": id(x.perA.ID), "alasan": "meninggal"}), want: []int{http.StatusSeeOther, http.StatusUnprocessableEntity}}),
			outside: []mxBuild{mxFixed(mxProbe{req: mxFile("/usulan/baru", "bukti", "akta.jpg", mxEvidenceJPEG,
				map[string]string{"jenis": "kematian", "orang": id(x.perB.ID), "alasan": "meninggal"}), want: []int{http.StatusUnprocessableEntity}, mutates: true})},
		},
		"POST /usulan/desa": {
			inside:  form("/usulan/desa", url.Values{"id": {id(o.itemA)}, "keputusan": {"tolak"}, "alasan": {"uji"}}, http.StatusSeeOther, http.StatusUnprocessableEntity),
			outside: outside("/usulan/desa", url.Values{"id": {id(o.itemB)}, "keputusan": {"tolak"}, "alasan": {"uji"}}, http.StatusUnprocessableEntity),
		},
		"POST /usulan/dinsos": decide("/usulan/dinsos", o.agreedA, o.agreedB),
		"POST /usulan/sahkan": decide("/usulan/sahkan", o.agreedA, o.agreedB),
		"POST /usulan/sanggah": {
			inside:  form("/usulan/sanggah", url.Values{"id": {id(o.itemA)}, "keputusan": {"tolak"}, "alasan": {"uji"}}, http.StatusUnprocessableEntity),
			outside: outside("/usulan/sanggah", url.Values{"id": {id(o.itemB)}, "keputusan": {"tolak"}, "alasan": {"uji"}}, http.StatusUnprocessableEntity),
		},
		"GET /usulan/{id}":               get("/usulan/"+id(o.itemA), "/usulan/"+id(o.itemB)),
		"GET /usulan/{id}/berkas/{file}": get("/usulan/"+id(o.itemA)+"/berkas/"+id(o.fileA), "/usulan/"+id(o.itemB)+"/berkas/"+id(o.fileB)),
		"POST /usulan/{id}/verivali": {
			inside:  form("/usulan/"+id(o.itemA)+"/verivali", url.Values{"hasil": {"sesuai"}}, http.StatusUnprocessableEntity),
			outside: outside("/usulan/"+id(o.itemB)+"/verivali", url.Values{"hasil": {"sesuai"}}),
		},
		"GET /musdes": {inside: mxGetB("/musdes"), why: "lists the caller's region only; the scan finds nothing of B in it"},
		"POST /musdes": {
			inside:  form("/musdes", url.Values{"desa": {mxVillageA}, "tanggal": {"2026-12-02"}, "tempat": {"Balai"}}, http.StatusSeeOther, http.StatusUnprocessableEntity),
			outside: outside("/musdes", url.Values{"desa": {mxVillageB}, "tanggal": {"2026-12-02"}}, http.StatusUnprocessableEntity),
		},
		"GET /musdes/{id}": get("/musdes/"+id(o.sessA), "/musdes/"+id(o.sessB)),
		"POST /musdes/{id}/daftar": {
			inside: form("/musdes/"+id(o.sessA)+"/daftar", url.Values{}), outside: outside("/musdes/"+id(o.sessB)+"/daftar", url.Values{}),
		},
		"POST /musdes/{id}/keputusan": {
			inside:  form("/musdes/"+id(o.sessA)+"/keputusan", url.Values{"k_" + id(o.itemA): {"setuju"}}, http.StatusUnprocessableEntity),
			outside: outside("/musdes/"+id(o.sessB)+"/keputusan", url.Values{"k_" + id(o.itemB): {"setuju"}}),
		},
		"POST /musdes/{id}/hadir": {
			inside:  form("/musdes/"+id(o.sessA)+"/hadir", url.Values{"nama": {"Ibu Ketua"}, "peran": {"BPD"}, "jumlah": {"9"}}, http.StatusSeeOther),
			outside: outside("/musdes/"+id(o.sessB)+"/hadir", url.Values{"nama": {"X"}, "peran": {"Y"}}),
		},
		"POST /musdes/{id}/tutup": {
			inside: form("/musdes/"+id(o.sessA)+"/tutup", url.Values{}, http.StatusUnprocessableEntity), outside: outside("/musdes/"+id(o.sessB)+"/tutup", url.Values{}),
		},
		"GET /musdes/{id}/berita-acara": get("/musdes/"+id(o.doneA)+"/berita-acara", "/musdes/"+id(o.doneB)+"/berita-acara"),
		"POST /musdes/{id}/pindaian": {
			inside: mxFixed(mxProbe{req: mxFile("/musdes/"+id(o.doneA)+"/pindaian", "berkas", "ba.pdf", "bukan pdf", nil), want: []int{http.StatusUnprocessableEntity}}),
			outside: []mxBuild{mxFixed(mxProbe{req: mxFile("/musdes/"+id(o.doneB)+"/pindaian", "berkas", "ba.pdf", "bukan pdf", nil),
				want: []int{http.StatusUnprocessableEntity, http.StatusNotFound}, mutates: true})},
		},
		// The matrix's citizen has no citizen profile: refused (403); the
		// service's tests cover a verified citizen's usul and sanggah.
		"GET /warga/usulan": {inside: mxFixed(mxProbe{req: mxGet("/warga/usulan"), want: []int{http.StatusOK, http.StatusForbidden}}),
			why: "a citizen's own items only, chosen by the account"},
		"POST /warga/usulan": {
			inside: mxFixed(mxProbe{req: mxFile("/warga/usulan", "foto", "r.jpg", mxEvidenceJPEG, map[string]string{"jenis": "usul_program", "program": "BPNT", "alasan": "uji"}),
				want: []int{http.StatusSeeOther, http.StatusUnprocessableEntity, http.StatusForbidden}}),
			outside: []mxBuild{mxFixed(mxProbe{req: mxFile("/warga/usulan", "foto", "r.jpg", mxEvidenceJPEG,
				map[string]string{"jenis": "sanggah", "keluarga": id(x.famB.ID), "alasan": "uji", "lintang": "-8.6", "bujur": "122.2"}),
				want: []int{http.StatusUnprocessableEntity, http.StatusForbidden}, mutates: true})},
		},
		// The search is in the citizen's own village, chosen by the account.
		"POST /warga/usulan/cari-penerima": {
			inside: mxFixed(mxProbe{req: mxForm("/warga/usulan/cari-penerima", url.Values{"nama": {"budi"}}),
				want: []int{http.StatusOK, http.StatusForbidden}}),
			why: "a citizen's own village only, chosen by the account"},
		// The API of a citizen's own proposals: chosen by the account (the
		// matrix's citizen has no citizen profile: refused or not found).
		"GET /api/v1/me/proposals": {inside: mxFixed(mxProbe{req: mxGet("/api/v1/me/proposals"), want: []int{http.StatusOK, http.StatusForbidden, http.StatusNotFound}}),
			why: "a citizen's own items only, chosen by the account"},
		"POST /api/v1/me/proposals": {
			inside: mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/me/proposals", map[string]string{"kind": "usul_program", "program": "BPNT", "reason": "uji"}),
				want: []int{http.StatusCreated, http.StatusUnprocessableEntity, http.StatusForbidden}}),
			why: "the account's own family only"},
		"GET /api/v1/me/proposals/{id}": {
			inside: mxFixed(mxProbe{req: mxGet("/api/v1/me/proposals/" + id(o.itemA)), want: []int{http.StatusOK, http.StatusForbidden, http.StatusNotFound}}),
			outside: []mxBuild{mxFixed(mxProbe{req: mxGet("/api/v1/me/proposals/" + id(o.itemB)), want: []int{http.StatusForbidden, http.StatusNotFound},
				seenWant: []int{http.StatusForbidden, http.StatusNotFound}})}},
		"POST /api/v1/me/objections/recipients": {
			inside: mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/me/objections/recipients", map[string]string{"name": "budi"}), want: []int{http.StatusOK, http.StatusForbidden}}),
			why:    "a citizen's own village only, chosen by the account"},
		"POST /api/v1/me/objections": {
			inside: mxFixed(mxProbe{req: mxFile("/api/v1/me/objections", "photo", "r.jpg", mxEvidenceJPEG, map[string]string{"recipient": "x", "reason": "uji", "latitude": "-6.9", "longitude": "107.6"}),
				want: []int{http.StatusUnprocessableEntity, http.StatusForbidden}}),
			why: "the recipient is a reference signed for the account; a family number is never accepted"},
		"GET /musdes/{id}/pindaian": get("/musdes/"+id(o.doneA)+"/pindaian", "/musdes/"+id(o.doneB)+"/pindaian"),
	}
	for k, v := range add {
		cases[k] = v
	}
	return cases
}
