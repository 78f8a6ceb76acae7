package proposal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/kemensos/jaring/internal/determination/dettest"
	"github.com/kemensos/jaring/internal/proposal"
	"github.com/kemensos/jaring/internal/ratelimit"
)

// TestSearchRecipients: a verified citizen finds a recipient of their own
// village by a member's name, masked, with the programs; picks it by a
// reference signed for them; never a family of another village or one
// that no longer receives in the latest final determination; every search
// audited without the name typed.
func TestSearchRecipients(t *testing.T) {
	run(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		neighbour := proposal.Proposer{CitizenID: 3, UserID: 103, VillageCode: villageA, Verified: true}
		got, err := w.svc.SearchRecipients(ctx, neighbour, "  santo ")
		if err != nil || len(got) != 1 || strings.Join(got[0].Names, ",") != "B**I S*****O" || strings.Join(got[0].Programs, ",") != "PKH" {
			t.Fatalf("search: %+v %v", got, err)
		}
		// Another member's name finds the same family.
		if got2, err := w.svc.SearchRecipients(ctx, neighbour, "AMINAH"); err != nil || len(got2) != 1 || got2[0].Names[0] != "S**I A****H" {
			t.Fatalf("search by the wife's name: %+v %v", got2, err)
		}
		fam, err := w.svc.FamilyOfRef(3, got[0].Ref)
		if err != nil || fam != w.famA {
			t.Fatalf("reference: %d %v", fam, err)
		}
		// The reference is for this citizen only, and cannot be altered.
		_, err = w.svc.FamilyOfRef(4, got[0].Ref)
		wantInvalid(t, err, "penerima", "tidak sah")
		ref := []byte(got[0].Ref)
		ref[3] ^= 1
		_, err = w.svc.FamilyOfRef(3, string(ref))
		if err == nil {
			t.Fatal("an altered reference is accepted")
		}
		// Too short, or no letters; another village's recipient is not
		// found, nor a family that receives nothing.
		_, err = w.svc.SearchRecipients(ctx, neighbour, "bu")
		wantInvalid(t, err, "nama", "paling sedikit 3 huruf")
		for _, q := range []string{"%%%", "_ _ _", "12345"} {
			_, err = w.svc.SearchRecipients(ctx, neighbour, q)
			wantInvalid(t, err, "nama", "paling sedikit 3 huruf")
		}
		// A word's start: "anto" is in no name's words.
		for _, q := range []string{"anto", "Achmad"} {
			if r, err := w.svc.SearchRecipients(ctx, neighbour, q); err != nil || len(r) != 0 {
				t.Fatalf("search %q: %+v %v", q, r, err)
			}
		}
		if r, err := w.svc.SearchRecipients(ctx, proposal.Proposer{CitizenID: 5, VillageCode: villageB, Verified: true}, "budi"); err != nil || len(r) != 0 {
			t.Fatalf("from village B: %+v %v", r, err)
		}
		if _, err := w.svc.SearchRecipients(ctx, proposal.Proposer{CitizenID: 6, VillageCode: villageA}, "budi"); err == nil {
			t.Fatal("an unverified account searches")
		}
		// Every search is audited, without the name typed.
		if n := w.count(`SELECT COUNT(*) FROM audit_log WHERE action = $1 AND region = $2`, proposal.ActSearch, villageA); n != 4 {
			t.Fatalf("audited searches in village A: %d", n)
		}
		if n := w.count(`SELECT COUNT(*) FROM audit_log WHERE action = $1 AND (after_data LIKE '%anto%' OR after_data LIKE '%AMINAH%')`, proposal.ActSearch); n != 0 {
			t.Fatalf("the name typed is in the audit trail: %d", n)
		}

		// Searches are bounded per account.
		w.svc.SearchLimit = ratelimit.New(rate.Every(time.Hour), 1, 10)
		if _, err := w.svc.SearchRecipients(ctx, neighbour, "budi"); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.SearchRecipients(ctx, neighbour, "budi")
		wantInvalid(t, err, "nama", "terlalu banyak pencarian")
		if _, err := w.svc.SearchRecipients(ctx, proposal.Proposer{CitizenID: 8, VillageCode: villageA, Verified: true}, "budi"); err != nil {
			t.Fatalf("another account: %v", err)
		}
		w.svc.SearchLimit = nil

		// A later final PKH determination in which family A no longer
		// receives: it is no longer found, nor can it be objected to.
		dettest.Final(t, w.db, 2, "PKH", "2026-Q2", "2026-04-01", "2026-06-30", dettest.Item{FamilyID: w.famA, Village: villageA,
			Status: "graduated", BaseEligible: true, BaseRecipient: true, BaseAmount: 750000})
		if r, err := w.svc.SearchRecipients(ctx, neighbour, "budi"); err != nil || len(r) != 0 {
			t.Fatalf("after the family left PKH: %+v %v", r, err)
		}
		_, err = w.svc.Submit(ctx, neighbour, proposal.Input{Kind: proposal.Objection, FamilyID: w.famA, Reason: "mampu",
			Photo: &proposal.File{Name: "r.png", Data: png}, Latitude: lat(-6.48), Longitude: lat(106.85)})
		wantInvalid(t, err, "family_id", "bukan penerima")
	})
}
