package server_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/store"
)

// Citizens' accounts in the scope matrix: the citizen principal gets a
// verified account in A; A and B each have a waiting account (B's with
// B's personal data, which no answer outside B may carry), and each
// decision probe in A gets a fresh waiting account.

const mxCitizenNIK = "3204285507900002" // the citizen principal's own NIK: not a number of A or B

// mxJPEG is a small photo that passes the upload checks.
func mxJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 240, 200))
	for y := range 200 {
		for x := range 240 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 80, 255})
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, nil)
	return b.Bytes()
}

// wargaSetup gives the citizen principal its profile and makes B's
// waiting account and A's.
func (x *mx) wargaSetup(t *testing.T) {
	t.Helper()
	p := x.principal(authz.Citizen)
	u, err := x.auth.UserByName(context.Background(), p.user)
	if err != nil {
		t.Fatal(err)
	}
	x.citizenRow(t, u.ID, mxCitizenNIK, "3204281506100098", "WARGA MATRIKS", mxVillageA, "terverifikasi")
	x.citB = x.freshCitizenIn(mxVillageB, mxNIKB2, mxKKB, "MARIA NONA")
	x.citA = x.freshCitizen()
}

func (x *mx) citizenRow(t *testing.T, id int64, nikv, kk, name, village, status string) {
	ctx := context.Background()
	err := x.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO citizen_account (user_id, nik, kk, name, village_code, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, 1)`,
			id, nikv, kk, name, village, status); err != nil {
			return err
		}
		for _, kind := range []string{"ktp", "swafoto"} {
			if _, err := tx.Exec(ctx, `INSERT INTO citizen_photo (user_id, kind, content_type, data, width, height, created_at) VALUES ($1, $2, 'image/jpeg', $3, 240, 200, 1)`,
				id, kind, mxJPEG()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// freshCitizen makes a waiting citizen account in A.
func (x *mx) freshCitizen() int64 {
	n := x.next()
	return x.freshCitizenIn(mxVillageA, fmt.Sprintf("320428550790%04d", n), fmt.Sprintf("320428150610%04d", n), "WARGA UJI")
}

func (x *mx) freshCitizenIn(village, nikv, kk, name string) int64 {
	ctx := context.Background()
	var id int64
	err := x.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if id, err = tx.ReserveIDs(ctx, "user", 1); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO users (id, username, password_hash, role, region_code, disabled, created_at, created_by) VALUES ($1, $2, 'x', 'warga', $3, $4, 1, $2)`,
			id, fmt.Sprintf("w%d", id), village, false)
		return err
	})
	if err != nil {
		x.t.Fatal(err)
	}
	x.citizenRow(x.t, id, nikv, kk, name, village, "menunggu")
	return id
}

// mxRegistration is a registration form for a fresh resident of A.
func (x *mx) mxRegistration() mxReq {
	n := x.next()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"nik": fmt.Sprintf("320428550790%04d", n), "kk": fmt.Sprintf("320428150610%04d", n), "name": "WARGA DAFTAR",
		"village": mxVillageA, "phone": fmt.Sprintf("08131111%04d", n), "password": "kata-sandi-warga-1"} {
		_ = mw.WriteField(k, v)
	}
	photo := mxJPEG()
	for _, f := range []string{"ktp", "selfie"} {
		fw, _ := mw.CreateFormFile(f, f+".jpg")
		_, _ = fw.Write(photo)
	}
	_ = mw.Close()
	return mxReq{method: "POST", path: "/api/v1/citizens/register", body: buf.Bytes(), ctype: mw.FormDataContentType()}
}

// mxWargaCases are the cases of the citizens' and notifications' routes.
func mxWargaCases() map[string]mxCase {
	own := "the caller's own account or notifications: nothing of another region to ask for"
	fresh := func(path string, v url.Values, json bool) mxBuild {
		return func(x *mx, p *mxPrincipal) mxProbe {
			path := mxWithID(path, x.freshCitizen())
			if json {
				return mxProbe{req: mxJSON("POST", path, map[string]string{"reason": v.Get("alasan")})}
			}
			return mxProbe{req: mxForm(path, v)}
		}
	}
	onB := func(path string, v url.Values, json bool) mxBuild {
		return func(x *mx, p *mxPrincipal) mxProbe {
			path := mxWithID(path, x.citB)
			if json {
				return mxProbe{req: mxJSON("POST", path, map[string]string{"reason": v.Get("alasan")}), mutates: true}
			}
			return mxProbe{req: mxForm(path, v), mutates: true}
		}
	}
	get := func(path string) mxCase {
		return mxCase{
			inside:  func(x *mx, p *mxPrincipal) mxProbe { return mxProbe{req: mxGet(mxWithID(path, x.citA))} },
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe { return mxProbe{req: mxGet(mxWithID(path, x.citB))} }},
		}
	}
	reject := url.Values{"alasan": {"foto_tidak_jelas"}}
	return map[string]mxCase{
		"POST /api/v1/citizens/register": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: x.mxRegistration(), want: []int{http.StatusCreated}}
			},
			why: "public: a resident registers in the village they name; B's registrations are left alone",
		},
		"GET /api/v1/me/citizen": {inside: mxGetB("/api/v1/me/citizen"), why: own},
		"POST /api/v1/me/citizen/photos": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				photo := mxJPEG()
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				for _, f := range []string{"ktp", "selfie"} {
					fw, _ := mw.CreateFormFile(f, f+".jpg")
					_, _ = fw.Write(photo)
				}
				_ = mw.Close()
				// The principal's account is verified: new photos are refused.
				return mxProbe{req: mxReq{method: "POST", path: "/api/v1/me/citizen/photos", body: buf.Bytes(), ctype: mw.FormDataContentType()},
					want: []int{http.StatusConflict}}
			},
			why: own,
		},
		"GET /api/v1/me/notifications":       {inside: mxGetB("/api/v1/me/notifications"), why: own},
		"POST /api/v1/me/notifications/read": {inside: mxFixed(mxProbe{req: mxJSON("POST", "/api/v1/me/notifications/read", map[string]any{"ids": []int64{}})}), why: own},
		"GET /api/v1/citizens":               {inside: mxGetB("/api/v1/citizens"), why: "the list is the scope; scanned for B's waiting account"},
		"GET /api/v1/citizens/{id}":          get("/api/v1/citizens/{id}"),
		"GET /api/v1/citizens/{id}/photos/{kind}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/api/v1/citizens/{id}/photos/ktp", x.citA))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/api/v1/citizens/{id}/photos/swafoto", x.citB))}
			}},
		},
		"POST /api/v1/citizens/{id}/approve": {inside: fresh("/api/v1/citizens/{id}/approve", nil, true), outside: []mxBuild{onB("/api/v1/citizens/{id}/approve", nil, true)}},
		"POST /api/v1/citizens/{id}/reject":  {inside: fresh("/api/v1/citizens/{id}/reject", reject, true), outside: []mxBuild{onB("/api/v1/citizens/{id}/reject", reject, true)}},
		"GET /verifikasi-warga":              {inside: mxGetB("/verifikasi-warga"), why: "the list is the scope; scanned for B's waiting account"},
		"GET /verifikasi-warga/{id}":         get("/verifikasi-warga/{id}"),
		"GET /verifikasi-warga/{id}/foto/{kind}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/verifikasi-warga/{id}/foto/ktp", x.citA))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxWithID("/verifikasi-warga/{id}/foto/swafoto", x.citB))}
			}},
		},
		"POST /verifikasi-warga/{id}/setujui": {inside: fresh("/verifikasi-warga/{id}/setujui", url.Values{}, false), outside: []mxBuild{onB("/verifikasi-warga/{id}/setujui", url.Values{}, false)}},
		"POST /verifikasi-warga/{id}/tolak":   {inside: fresh("/verifikasi-warga/{id}/tolak", reject, false), outside: []mxBuild{onB("/verifikasi-warga/{id}/tolak", reject, false)}},
		"GET /pemberitahuan":                  {inside: mxGetB("/pemberitahuan"), why: own},
		"POST /pemberitahuan/baca":            {inside: mxFixed(mxProbe{req: mxForm("/pemberitahuan/baca", url.Values{})}), why: own},
	}
}
