package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/registry"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// TestAuditPage: a view in the back office is in the trail; the
// inspectorate's page filters, pages and links the export, within the
// inspector's region; others get no menu entry and a 403.
func TestAuditPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		// A family in Jakarta, for the province scope.
		_, jk, err := e.reg.CreateFamily(ctx, registry.Edit{Actor: "test:seed", Reason: "data awal"},
			registry.Family{KK: "3171031506100001", VillageCode: "31.71.03.1001", Address: "Jl. Kemayoran"},
			[]registry.Person{{NIK: "3171031205800001", Name: "Joko Susilo", Sex: "L", BirthDate: "1980-05-12", Relation: "kepala_keluarga"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []struct{ name, role, region string }{
			{"inspektur", "inspektorat", ""}, {"inspektur32", "inspektorat", "32"},
		} {
			if _, err := e.mfa.Svc.CreateUser(ctx, u.name, otherPw, u.role, u.region); err != nil {
				t.Fatal(err)
			}
		}
		admin := e.browser()
		admin.signIn(t, "admin", adminPw)
		for _, path := range []string{fmt.Sprintf("/orang/%d", e.head), fmt.Sprintf("/keluarga/%d?pada=2026-01-10", e.fam1),
			fmt.Sprintf("/orang/%d", jk[0].ID)} {
			resp, body := admin.get(t, path)
			expect(t, resp, body, http.StatusOK)
		}

		ins := e.browser()
		ins.signIn(t, "inspektur", otherPw)
		resp, body := ins.get(t, "/")
		expect(t, resp, body, http.StatusOK)
		contains(t, body, `<a href="/audit">Audit</a>`)
		resp, body = ins.get(t, fmt.Sprintf("/audit?orang=%d", e.head))
		expect(t, resp, body, http.StatusOK)
		contains(t, body, "Jejak audit", "Lihat data lengkap", "Orang didaftarkan", "admin", "127.0.0.1",
			fmt.Sprintf(`<a href="/orang/%d">Orang %[1]d</a>`, e.head), "3204**********01", "Muhammad Rizki",
			`href="/api/v1/audit/export?person=`)
		lacks(t, body, "3204281205800001", "Kemayoran")
		// Filters: the family view as of a day, by action and region.
		_, body = ins.get(t, "/audit?tindakan=lihat&wilayah=32.04.28.2001")
		contains(t, body, fmt.Sprintf(`<a href="/keluarga/%d">Keluarga %[1]d</a>`, e.fam1), "Data per")
		lacks(t, body, "<td>Orang didaftarkan</td>")
		_, body = ins.get(t, "/audit?dari=2000-01-01&sampai=2000-01-02")
		contains(t, body, "Tidak ada entri yang cocok.")
		resp, body = ins.get(t, "/audit?orang=3204281205800001x")
		expect(t, resp, body, http.StatusUnprocessableEntity)
		contains(t, body, "ID orang harus bilangan bulat positif")
		resp, body = ins.get(t, "/audit?dari=kemarin")
		expect(t, resp, body, http.StatusUnprocessableEntity)

		// Paging back from the newest entry: more than a page of views.
		for range 30 {
			if _, err := e.reg.ViewPerson(ctx, e.head, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		_, body = ins.get(t, "/audit")
		contains(t, body, `rel="next" href="/audit?sebelum=`)
		next := between(body, `rel="next" href="`, `"`)
		resp, body = ins.get(t, strings.ReplaceAll(next, "&amp;", "&"))
		expect(t, resp, body, http.StatusOK)
		contains(t, body, `href="/audit">Entri terbaru</a>`)

		// The province inspector sees Jawa Barat only.
		ins32 := e.browser()
		ins32.signIn(t, "inspektur32", otherPw)
		_, body = ins32.get(t, "/audit?tindakan=lihat")
		contains(t, body, fmt.Sprintf(`/orang/%d"`, e.head))
		lacks(t, body, fmt.Sprintf(`/orang/%d"`, jk[0].ID), "31.71.03.1001")
		resp, body = ins32.get(t, "/audit?wilayah=31")
		expect(t, resp, body, http.StatusForbidden)

		// In English too.
		resp, body = ins.get(t, "/bahasa?ke=en&kembali=/audit")
		expect(t, resp, body, http.StatusSeeOther)
		_, body = ins.get(t, "/audit?tindakan=lihat")
		contains(t, body, "Audit trail", "Full record viewed", "Download the audit trail (CSV)")

		// Other roles: no menu entry, no page.
		if _, err := e.mfa.Svc.CreateUser(ctx, "opdesa", otherPw, "desa", village1); err != nil {
			t.Fatal(err)
		}
		op := e.browser()
		op.signIn(t, "opdesa", otherPw)
		_, body = op.get(t, "/cari")
		lacks(t, body, `href="/audit"`)
		resp, body = op.get(t, "/audit")
		expect(t, resp, body, http.StatusForbidden)
	})
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}
