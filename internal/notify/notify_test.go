package notify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/notify"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

const village = "32.04.28.2001"

// world makes a village and three accounts: a citizen-like national
// account, and two operators of the village (one disabled).
func world(t *testing.T, db *store.DB) (user, op1, op2 int64) {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, r := range []struct {
			code   string
			level  int
			parent any
		}{{"32", 1, nil}, {"32.04", 2, "32"}, {"32.04.28", 3, "32.04"}, {village, 4, "32.04.28"}} {
			if _, err := tx.Exec(ctx, `INSERT INTO regions (code, name, level, parent, active, updated_at) VALUES ($1, $2, $3, $4, $5, 0)`,
				r.code, "W"+r.code, r.level, r.parent, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Accounts written directly: hashing passwords is not what this tests.
	mk := func(id int64, role authz.Role, region string, disabled bool) int64 {
		err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO users (id, username, password_hash, role, region_code, disabled, created_at) VALUES ($1, $2, 'x', $3, $4, $5, 0)`,
				id, fmt.Sprintf("u%d", id), string(role), region, disabled)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	user = mk(1, authz.Pusdatin, "", false)
	op1 = mk(2, authz.Village, village, false)
	op2 = mk(3, authz.Village, village, true)
	return user, op1, op2
}

func TestSendListMarkRead(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		user, op1, op2 := world(t, db)
		s := notify.New(db, notify.LogSender{Logger: slog.New(slog.DiscardHandler)})
		var ids []int64
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i := range 3 {
				got, err := s.SendTx(ctx, tx, notify.Notice{To: notify.Recipient{UserID: user}, Subject: fmt.Sprintf("Kabar %d", i), Body: "Isi", Link: "/warga/akun"})
				if err != nil {
					return err
				}
				ids = append(ids, got...)
			}
			got, err := s.SendTx(ctx, tx, notify.Notice{To: notify.Recipient{Role: authz.Village, Region: village}, Subject: "Akun warga menunggu"})
			if err != nil {
				return err
			}
			if len(got) != 1 {
				return fmt.Errorf("village operators reached: %d, want 1 (the disabled one is left out)", len(got))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		list, err := s.List(ctx, user, notify.ListOptions{})
		if err != nil || len(list) != 3 || list[0].Subject != "Kabar 2" || list[0].Link != "/warga/akun" || list[0].Read {
			t.Fatalf("list: %+v %v", list, err)
		}
		if page, _ := s.List(ctx, user, notify.ListOptions{Before: list[0].ID, Limit: 1}); len(page) != 1 || page[0].ID != list[1].ID {
			t.Fatalf("second page: %+v", page)
		}
		if ops, _ := s.List(ctx, op1, notify.ListOptions{}); len(ops) != 1 || ops[0].Subject != "Akun warga menunggu" {
			t.Fatalf("operator: %+v", ops)
		}
		if ops, _ := s.List(ctx, op2, notify.ListOptions{}); len(ops) != 0 {
			t.Fatalf("disabled operator got %+v", ops)
		}
		// Another user's notification is not marked by this one.
		opList, _ := s.List(ctx, op1, notify.ListOptions{})
		if n, err := s.MarkRead(ctx, user, []int64{ids[0], opList[0].ID}); err != nil || n != 1 {
			t.Fatalf("mark read: %d %v", n, err)
		}
		if n, _ := s.Unread(ctx, user); n != 2 {
			t.Fatalf("unread = %d, want 2", n)
		}
		if n, _ := s.Unread(ctx, op1); n != 1 {
			t.Fatalf("operator's unread = %d, want 1", n)
		}
		if unread, _ := s.List(ctx, user, notify.ListOptions{Unread: true}); len(unread) != 2 {
			t.Fatalf("unread list: %+v", unread)
		}
		if n, err := s.MarkRead(ctx, user, nil); err != nil || n != 2 {
			t.Fatalf("mark all read: %d %v", n, err)
		}
		if n, _ := s.Unread(ctx, user); n != 0 {
			t.Fatalf("unread after all = %d", n)
		}
	})
}

func TestSendRolledBack(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		user, _, _ := world(t, db)
		s := notify.New(db)
		boom := errors.New("perubahan gagal")
		err := db.Write(ctx, func(tx *store.Tx) error {
			if _, err := s.SendTx(ctx, tx, notify.Notice{To: notify.Recipient{UserID: user}, Subject: "Tidak jadi"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if list, _ := s.List(ctx, user, notify.ListOptions{}); len(list) != 0 {
			t.Fatalf("a notice of a rolled-back change: %+v", list)
		}
		r := jobs.New(db, jobs.Options{})
		if js, err := r.List(ctx, jobs.ListOptions{Kind: notify.JobKind}); err != nil || len(js) != 0 {
			t.Fatalf("a delivery job of a rolled-back change: %+v %v", js, err)
		}
	})
}

func TestNoticeRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		user, _, _ := world(t, db)
		s := notify.New(db)
		for name, n := range map[string]notify.Notice{
			"subject": {To: notify.Recipient{UserID: user}},
			"link":    {To: notify.Recipient{UserID: user}, Subject: "x", Link: "/warga?nik=3204281205800011"},
			"to":      {Subject: "x"},
			"body":    {To: notify.Recipient{UserID: user}, Subject: "x", Body: strings.Repeat("a", notify.MaxBody+1)},
		} {
			err := db.Write(ctx, func(tx *store.Tx) error { _, err := s.SendTx(ctx, tx, n); return err })
			var inv *errs.Invalid
			if !errors.As(err, &inv) || !strings.Contains(inv.Fields[0].Field, name) {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
}

// recorder is a sender that records what it is given and fails when told.
type recorder struct {
	mu     sync.Mutex
	got    []notify.Message
	failAt int // fail the failAt-th call (1-based) once
	calls  int
}

func (r *recorder) Channel() string { return "sms" }

func (r *recorder) Send(ctx context.Context, m notify.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.calls == r.failAt {
		return errors.New("gateway sibuk")
	}
	r.got = append(r.got, m)
	return nil
}

type book map[int64]string

func (b book) Addresses(ctx context.Context, channel string, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for _, id := range ids {
		if a, ok := b[id]; ok && channel == "sms" {
			out[id] = a
		}
	}
	return out, nil
}

func TestDeliveryThroughJob(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		user, op1, _ := world(t, db)
		rec := &recorder{failAt: 3}
		s := notify.New(db, rec)
		s.Addresses = book{user: "+6281234567890"}
		s.BatchSize = 2
		err := db.Write(ctx, func(tx *store.Tx) error {
			var ns []notify.Notice
			for i := range 5 {
				ns = append(ns, notify.Notice{To: notify.Recipient{UserID: user}, Subject: fmt.Sprintf("Kabar %d", i)})
			}
			ns = append(ns, notify.Notice{To: notify.Recipient{UserID: op1}, Subject: "Untuk operator"})
			_, err := s.SendManyTx(ctx, tx, ns)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// The server's runner: the service registers its kind there.
		r := jobs.New(db, jobs.Options{Backoff: func(int) time.Duration { return 0 }, Logger: slog.New(slog.DiscardHandler)})
		s.Register(r)
		js, err := r.List(ctx, jobs.ListOptions{Kind: notify.JobKind})
		if err != nil || len(js) != 1 {
			t.Fatalf("one delivery job for one transaction: %+v %v", js, err)
		}
		in, err := r.RunNow(ctx, js[0].ID)
		if err != nil || in.State != jobs.Done || in.Attempt != 2 {
			t.Fatalf("job: %+v %v", in, err)
		}
		// The third call failed once: the first batch (2) was checkpointed, so
		// only the second batch's first notice is handed out twice at most.
		seen := map[int64]int{}
		for _, m := range rec.got {
			seen[m.NoticeID]++
			want := ""
			if m.UserID == user {
				want = "+6281234567890"
			}
			if m.To != want || m.Channel != "sms" {
				t.Errorf("message %+v: address %q", m, want)
			}
		}
		if len(seen) != 6 {
			t.Fatalf("delivered %d notices, want 6: %+v", len(seen), rec.got)
		}
		var unsent int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM notification WHERE sent_at IS NULL`).Scan(&unsent); err != nil || unsent != 0 {
			t.Fatalf("unsent after delivery: %d %v", unsent, err)
		}
	})
}

// TestLogSenderCarriesNoContent: the default sender logs the notice's ID
// and channel, never its subject, body, link or the address.
func TestLogSenderCarriesNoContent(t *testing.T) {
	var buf bytes.Buffer
	l := notify.LogSender{Logger: slog.New(slog.NewTextHandler(&buf, nil))}
	err := l.Send(context.Background(), notify.Message{NoticeID: 42, UserID: 7, Channel: "log", To: "siti@example.org",
		Subject: "Akun SITI RAHMAH", Body: "NIK 3204284703850011 disetujui", Link: "/warga/akun"})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"SITI", "3204284703850011", "siti@example.org", "/warga/akun", "disetujui"} {
		if strings.Contains(out, bad) {
			t.Errorf("log carries %q: %s", bad, out)
		}
	}
	if !strings.Contains(out, "notice=42") || !strings.Contains(out, "channel=log") {
		t.Errorf("log lacks the notice ID and channel: %s", out)
	}
}
