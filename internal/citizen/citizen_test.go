package citizen_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/citizen"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

func TestFromAndRequireVerified(t *testing.T) {
	ctx := context.Background()
	if _, ok := citizen.From(ctx); ok {
		t.Fatal("a context without a citizen has one")
	}
	if _, err := citizen.RequireVerified(ctx); !errors.Is(err, errs.ErrForbidden) {
		t.Fatalf("no citizen: %v", err)
	}
	pending := citizen.With(ctx, citizen.Account{ID: 7, Status: citizen.Pending})
	if a, ok := citizen.From(pending); !ok || a.ID != 7 {
		t.Fatalf("From: %+v %v", a, ok)
	}
	if _, err := citizen.RequireVerified(pending); !errors.Is(err, citizen.ErrNotVerified) {
		t.Fatalf("pending: %v", err)
	}
	ok := citizen.With(ctx, citizen.Account{ID: 7, Status: citizen.Verified, Verified: true})
	if a, err := citizen.RequireVerified(ok); err != nil || a.ID != 7 {
		t.Fatalf("verified: %+v %v", a, err)
	}
	if citizen.Username(12) != "w12" {
		t.Fatal(citizen.Username(12))
	}
}

func TestAttach(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO users (id, username, password_hash, role, region_code, disabled, created_at) VALUES (5, 'w5', 'x', 'warga', '32.04.28.2001', $1, 0), (6, 'w6', 'x', 'warga', '32.04.28.2001', $1, 0)`, false); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO citizen_account (user_id, nik, kk, name, village_code, status, flags, created_at, updated_at)
VALUES (5, '3204281205800011', '3204281506100011', 'AHMAD FAUZI', '32.04.28.2001', 'terverifikasi', 'kk_beda', 1, 1)`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := citizen.Attach(ctx, db, authz.Principal{UserID: 5, Role: authz.Citizen})
		if err != nil {
			t.Fatal(err)
		}
		a, ok := citizen.From(got)
		if !ok || !a.Verified || a.NIK != "3204281205800011" || a.KK != "3204281506100011" || a.Name != "AHMAD FAUZI" ||
			a.VillageCode != "32.04.28.2001" || len(a.Flags) != 1 || a.Flags[0] != "kk_beda" {
			t.Fatalf("attached: %+v %v", a, ok)
		}
		// A citizen role without a profile, and an operator: no account.
		for _, p := range []authz.Principal{{UserID: 6, Role: authz.Citizen}, {UserID: 5, Role: authz.Village}} {
			got, err := citizen.Attach(ctx, db, p)
			if _, ok := citizen.From(got); ok || err != nil {
				t.Errorf("%+v: attached %v", p, err)
			}
		}
	})
}
