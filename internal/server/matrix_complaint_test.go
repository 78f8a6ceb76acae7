package server_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/complaint"
)

// mxComplaints are the complaint world of the scope matrix: in village A a
// complaint for the social office, one for the inspectorate (pungli) and
// a WBS report; in village B a complaint and a WBS report whose filer
// data and descriptions are B's personal data.
type mxComplaints struct {
	socialA, pungliA, wbsA complaint.Receipt
	socialB, wbsB          complaint.Receipt
	fileA, fileB           int64 // evidence of socialA, socialB
	wbsFileA, wbsFileB     int64
}

const (
	mxCmpNameB = "PELAPOR MATRIKS B"
	mxCmpDescB = "URAIAN RAHASIA DESA B"
)

func newMxComplaints(t *testing.T, x *mx) *mxComplaints {
	t.Helper()
	ctx := context.Background()
	svc := complaint.New(x.db, x.auth.Key)
	pdf := []complaint.Upload{{Data: []byte("%PDF-1.4\n%%EOF\n")}}
	file := func(k complaint.Kind, c complaint.Category, region, desc, name string) complaint.Receipt {
		rc, err := svc.File(ctx, complaint.Filing{Kind: k, Category: c, Region: region, Description: desc,
			Contact: complaint.Contact{Name: name, Phone: "081200003333"}, Files: pdf})
		if err != nil {
			t.Fatal(err)
		}
		return rc
	}
	c := &mxComplaints{
		socialA: file(complaint.KindComplaint, complaint.NotReceived, mxVillageA, "Bantuan desa A belum diterima.", "Pelapor A"),
		pungliA: file(complaint.KindComplaint, complaint.Pungli, mxVillageA, "Potongan bantuan di desa A.", "Pelapor A"),
		wbsA:    file(complaint.KindWBS, complaint.Misconduct, "32.04", "Petugas kabupaten A meminta imbalan.", "Saksi A"),
		socialB: file(complaint.KindComplaint, complaint.NotReceived, mxVillageB, mxCmpDescB, mxCmpNameB),
		wbsB:    file(complaint.KindWBS, complaint.Misconduct, mxVillageB, mxCmpDescB+" WBS", mxCmpNameB),
	}
	fileOf := func(id int64) int64 {
		var f int64
		if err := x.db.QueryRow(ctx, `SELECT id FROM complaint_file WHERE complaint_id = $1`, id).Scan(&f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	c.fileA, c.fileB, c.wbsFileA, c.wbsFileB = fileOf(c.socialA.ID), fileOf(c.socialB.ID), fileOf(c.wbsA.ID), fileOf(c.wbsB.ID)
	x.personal = append(x.personal, mxCmpNameB, mxCmpDescB, c.socialB.Code, c.wbsB.Code)
	return c
}

func mxCmpPath(prefix string, id int64, suffix string) string {
	return prefix + "/" + mxID(id) + suffix
}

// mxComplaintCases are the matrix cases of the complaint routes.
func mxComplaintCases() map[string]mxCase {
	// handled is the case of A the principal's office handles: the
	// inspectorate handles pungli, the social offices the rest.
	handled := func(x *mx, p *mxPrincipal) int64 {
		if p.role == authz.Inspectorate {
			return x.cmp.pungliA.ID
		}
		return x.cmp.socialA.ID
	}
	note := func(text string) map[string]string { return map[string]string{"kind": "catatan", "text": text} }
	form := func(text string) url.Values { return url.Values{"jenis": {"catatan"}, "teks": {text}} }
	public := func(path string) mxCase {
		return mxCase{inside: mxFixed(mxProbe{req: mxGet(path)}), why: "public form, holds no register data"}
	}
	return map[string]mxCase{
		"GET /pengaduan":        public("/pengaduan"),
		"GET /pengaduan/wbs":    public("/pengaduan/wbs"),
		"GET /pengaduan/lacak":  public("/pengaduan/lacak"),
		"POST /pengaduan/lacak": {inside: mxFixed(mxProbe{req: mxForm("/pengaduan/lacak", url.Values{"kode": {"ZZZZ-ZZZZ"}, "rahasia": {"x"}}), want: []int{404, 429}}), why: "public: a case is reached by its code and secret, never by region"},
		"GET /api/v1/complaints": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet("/api/v1/complaints"), contains: []string{x.cmp.socialA.Code}}
			},
			outside: []mxBuild{mxGetB("/api/v1/complaints?region=" + mxVillageB)},
		},
		"GET /api/v1/complaints/stats": {
			inside:  mxGetB("/api/v1/complaints/stats"),
			outside: []mxBuild{mxGetB("/api/v1/complaints/stats?region=53")},
		},
		"GET /api/v1/complaints/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxCmpPath("/api/v1/complaints", x.cmp.socialA.ID, "")), contains: []string{"Pelapor A"}}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxCmpPath("/api/v1/complaints", x.cmp.socialB.ID, ""))}
			}},
		},
		"POST /api/v1/complaints/{id}/actions": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxCmpPath("/api/v1/complaints", handled(x, p), "/actions"), note("diperiksa"))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxJSON("POST", mxCmpPath("/api/v1/complaints", x.cmp.socialB.ID, "/actions"), note("diperiksa")), mutates: true}
			}},
		},
		"GET /admin/pengaduan": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet("/admin/pengaduan"), contains: []string{x.cmp.socialA.Code}}
			},
			why: "the queues are the scope; scanned for B's cases",
		},
		"GET /admin/pengaduan/statistik": {
			inside:  mxGetB("/admin/pengaduan/statistik"),
			outside: []mxBuild{mxGetB("/admin/pengaduan/statistik?wilayah=53"), mxGetB("/admin/pengaduan/statistik?wilayah=" + mxVillageB)},
		},
		"GET /admin/pengaduan/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxCmpPath("/admin/pengaduan", x.cmp.socialA.ID, "")), contains: []string{"Pelapor A"}}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxCmpPath("/admin/pengaduan", x.cmp.socialB.ID, ""))}
			}},
		},
		"POST /admin/pengaduan/{id}/tindakan": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxCmpPath("/admin/pengaduan", handled(x, p), "/tindakan"), form("diperiksa"))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxCmpPath("/admin/pengaduan", x.cmp.socialB.ID, "/tindakan"), form("diperiksa")), mutates: true}
			}},
		},
		"GET /admin/pengaduan/{id}/berkas/{berkas}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxCmpPath("/admin/pengaduan", x.cmp.socialA.ID, "/berkas/"+mxID(x.cmp.fileA)))}
			},
			outside: []mxBuild{
				func(x *mx, p *mxPrincipal) mxProbe {
					return mxProbe{req: mxGet(mxCmpPath("/admin/pengaduan", x.cmp.socialB.ID, "/berkas/"+mxID(x.cmp.fileB)))}
				},
				// B's file under A's case.
				func(x *mx, p *mxPrincipal) mxProbe {
					return mxProbe{req: mxGet(mxCmpPath("/admin/pengaduan", x.cmp.socialA.ID, "/berkas/"+mxID(x.cmp.fileB))), seenWant: []int{404}}
				},
			},
		},
		"GET /admin/wbs": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet("/admin/wbs"), contains: []string{x.cmp.wbsA.Code}}
			},
			why: "the list is the scope; scanned for B's reports",
		},
		"GET /admin/wbs/{id}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxCmpPath("/admin/wbs", x.cmp.wbsA.ID, ""))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxCmpPath("/admin/wbs", x.cmp.wbsB.ID, ""))}
			}},
		},
		"POST /admin/wbs/{id}/tindakan": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxCmpPath("/admin/wbs", x.cmp.wbsA.ID, "/tindakan"), form("diperiksa"))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxCmpPath("/admin/wbs", x.cmp.wbsB.ID, "/tindakan"), form("diperiksa")), mutates: true}
			}},
		},
		"GET /admin/wbs/{id}/berkas/{berkas}": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxCmpPath("/admin/wbs", x.cmp.wbsA.ID, "/berkas/"+mxID(x.cmp.wbsFileA)))}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxGet(mxCmpPath("/admin/wbs", x.cmp.wbsB.ID, "/berkas/"+mxID(x.cmp.wbsFileB)))}
			}},
		},
		"POST /admin/wbs/{id}/identitas": {
			inside: func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxCmpPath("/admin/wbs", x.cmp.wbsA.ID, "/identitas"), url.Values{"alasan": {"pemeriksaan"}}), contains: []string{"Saksi A"}}
			},
			outside: []mxBuild{func(x *mx, p *mxPrincipal) mxProbe {
				return mxProbe{req: mxForm(mxCmpPath("/admin/wbs", x.cmp.wbsB.ID, "/identitas"), url.Values{"alasan": {"pemeriksaan"}}), mutates: true}
			}},
		},
	}
}
