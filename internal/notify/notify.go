// Package notify sends notifications to citizens and operators: in the
// app (the notification table, listed and marked read by their recipient),
// and outbound through pluggable senders (e-mail or SMS gateways; by
// default a sender that only logs).
//
// A notice is written with SendTx inside the caller's transaction, so a
// notice exists exactly when the change it tells of was committed. The
// same transaction enqueues a durable job (internal/jobs) that hands the
// notices to the outbound senders after the commit: it survives a
// restart, and a failed delivery is retried with backoff. Delivery is at
// least once: a notice whose batch was interrupted may be sent again.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/errs"
	"github.com/kemensos/jaring/internal/jobs"
	"github.com/kemensos/jaring/internal/store"
)

// Recipient is who a notice is for: one account, or every active account
// of a role bound to exactly a region (for example the operators of a
// village: Role authz.Village, Region "32.04.28.2001").
type Recipient struct {
	UserID int64
	Role   authz.Role
	Region string
}

// Notice is a notification to send. Link is a local path of Jaring ("/warga/akun")
// or ""; it must carry no personal data and no query.
type Notice struct {
	To      Recipient
	Subject string
	Body    string
	Link    string
}

// Limits of a notice.
const (
	MaxSubject = 200
	MaxBody    = 4000
	MaxLink    = 300
)

// Notification is a notice as its recipient sees it.
type Notification struct {
	ID        int64     `json:"id"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	Link      string    `json:"link,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
	ReadAt    time.Time `json:"read_at,omitzero"`
}

// Message is one notice handed to one outbound channel. To is the
// recipient's address for the channel from the AddressBook ("" when
// there is none: a sender that needs one skips the message).
type Message struct {
	NoticeID int64
	UserID   int64
	Channel  string
	To       string
	Subject  string
	Body     string
	Link     string
}

// Sender delivers messages on one channel ("log", "email", "sms").
type Sender interface {
	Channel() string
	Send(ctx context.Context, m Message) error
}

// AddressBook gives the addresses of accounts on a channel: phone numbers
// for "sms", e-mail addresses for "email". Accounts without one are left
// out of the map.
type AddressBook interface {
	Addresses(ctx context.Context, channel string, userIDs []int64) (map[int64]string, error)
}

// LogSender is the default sender: it logs that a notice was sent and on
// which channel, by the notice's ID only: never its content nor an address.
type LogSender struct {
	Logger *slog.Logger
}

// Channel is "log".
func (LogSender) Channel() string { return "log" }

// Send logs the notice's ID and channel.
func (l LogSender) Send(ctx context.Context, m Message) error {
	lg := l.Logger
	if lg == nil {
		lg = slog.Default()
	}
	lg.InfoContext(ctx, "notify: sent", "notice", m.NoticeID, "channel", l.Channel())
	return nil
}

// JobKind is the kind of the delivery jobs.
const JobKind jobs.Kind = "notification"

// Service writes, lists and delivers notifications.
type Service struct {
	DB *store.DB
	// Senders are the outbound channels; none means in-app only.
	Senders []Sender
	// Addresses resolves recipients' addresses for the senders; nil means none known.
	Addresses AddressBook
	Now       func() time.Time
	// BatchSize is how many notices a delivery job hands out between checkpoints.
	BatchSize int

	enqueue *jobs.Runner // enqueues only; the server's runner runs the jobs (Register)
}

// New returns a service on db with the given senders; with none, the
// logging sender.
func New(db *store.DB, senders ...Sender) *Service {
	if len(senders) == 0 {
		senders = []Sender{LogSender{}}
	}
	s := &Service{DB: db, Senders: senders, Now: store.Now, BatchSize: 100}
	s.enqueue = jobs.New(db, jobs.Options{})
	s.Register(s.enqueue)
	return s
}

// Register registers the delivery job on a runner that runs jobs (the
// server's, or a command's).
func (s *Service) Register(r *jobs.Runner) {
	jobs.Register(r, JobKind, s.deliver)
}

func checkNotice(n Notice) []errs.FieldError {
	var fs []errs.FieldError
	if n.To.UserID <= 0 && (n.To.Role == "" || n.To.UserID < 0) {
		fs = append(fs, errs.FieldError{Field: "to", Reason: "penerima pemberitahuan tidak disebut"})
	}
	if strings.TrimSpace(n.Subject) == "" || utf8.RuneCountInString(n.Subject) > MaxSubject {
		fs = append(fs, errs.FieldError{Field: "subject", Reason: fmt.Sprintf("judul 1 s.d. %d karakter", MaxSubject)})
	}
	if utf8.RuneCountInString(n.Body) > MaxBody {
		fs = append(fs, errs.FieldError{Field: "body", Reason: fmt.Sprintf("isi paling banyak %d karakter", MaxBody)})
	}
	if n.Link != "" && (!strings.HasPrefix(n.Link, "/") || strings.HasPrefix(n.Link, "//") || strings.ContainsAny(n.Link, "?#\\ ") || len(n.Link) > MaxLink) {
		fs = append(fs, errs.FieldError{Field: "link", Reason: "tautan harus jalur lokal Jaring tanpa kueri (mis. /warga/akun)"})
	}
	return fs
}

// SendTx writes a notice inside the caller's transaction and returns the
// IDs of the notifications written (one per account reached). It is
// delivered outbound after the commit; if tx rolls back, nothing was sent.
func (s *Service) SendTx(ctx context.Context, tx *store.Tx, n Notice) ([]int64, error) {
	return s.SendManyTx(ctx, tx, []Notice{n})
}

// SendManyTx writes many notices inside the caller's transaction with one
// bulk insert and one delivery job.
func (s *Service) SendManyTx(ctx context.Context, tx *store.Tx, ns []Notice) ([]int64, error) {
	for i, n := range ns {
		if fs := checkNotice(n); len(fs) > 0 {
			for j := range fs {
				fs[j].Field = fmt.Sprintf("notices[%d].%s", i, fs[j].Field)
			}
			return nil, &errs.Invalid{Fields: fs}
		}
	}
	// Expand role recipients: one query per distinct role and region.
	groups := map[Recipient][]int64{}
	for _, n := range ns {
		if n.To.UserID != 0 {
			continue
		}
		key := Recipient{Role: n.To.Role, Region: n.To.Region}
		if _, done := groups[key]; done {
			continue
		}
		ids, err := roleMembers(ctx, tx, key)
		if err != nil {
			return nil, err
		}
		groups[key] = ids
	}
	type row struct {
		user int64
		n    *Notice
	}
	var rows []row
	for i := range ns {
		n := &ns[i]
		if n.To.UserID != 0 {
			rows = append(rows, row{n.To.UserID, n})
			continue
		}
		for _, u := range groups[Recipient{Role: n.To.Role, Region: n.To.Region}] {
			rows = append(rows, row{u, n})
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	first, err := tx.ReserveIDs(ctx, "notification", int64(len(rows)))
	if err != nil {
		return nil, err
	}
	now := store.Micros(s.Now())
	data := make([][]any, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = first + int64(i)
		data[i] = []any{ids[i], r.user, strings.TrimSpace(r.n.Subject), r.n.Body, r.n.Link, now}
	}
	if _, err := tx.CopyFrom(ctx, "notification", []string{"id", "user_id", "subject", "body", "link", "created_at"}, data); err != nil {
		return nil, fmt.Errorf("notify: write: %w", err)
	}
	if len(s.Senders) > 0 {
		last := ids[len(ids)-1]
		if _, _, err := s.enqueue.EnqueueTx(ctx, tx, JobKind, jobArgs{From: first, To: last},
			&jobs.EnqueueOptions{UniqueKey: fmt.Sprintf("%d-%d", first, last), MaxAttempts: 10}); err != nil {
			return nil, fmt.Errorf("notify: enqueue delivery: %w", err)
		}
	}
	return ids, nil
}

func roleMembers(ctx context.Context, tx *store.Tx, r Recipient) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM users WHERE role = $1 AND region_code = $2 AND NOT disabled ORDER BY id`, string(r.Role), r.Region)
	if err != nil {
		return nil, fmt.Errorf("notify: recipients: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ListOptions select notifications.
type ListOptions struct {
	// Before lists notifications older than this ID (the next page); 0 = the newest.
	Before int64
	Unread bool
	Limit  int // default 50, at most 200
}

// List returns a user's notifications, newest first.
func (s *Service) List(ctx context.Context, userID int64, o ListOptions) ([]Notification, error) {
	if o.Limit <= 0 || o.Limit > 200 {
		o.Limit = 50
	}
	q := `SELECT id, subject, body, link, created_at, read_at FROM notification WHERE user_id = $1`
	args := []any{userID}
	if o.Before > 0 {
		args = append(args, o.Before)
		q += fmt.Sprintf(` AND id < $%d`, len(args))
	}
	if o.Unread {
		q += ` AND read_at IS NULL`
	}
	args = append(args, o.Limit)
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("notify: list: %w", err)
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var created int64
		var read *int64
		if err := rows.Scan(&n.ID, &n.Subject, &n.Body, &n.Link, &created, &read); err != nil {
			return nil, err
		}
		n.CreatedAt = store.FromMicros(created)
		if read != nil {
			n.Read, n.ReadAt = true, store.FromMicros(*read)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Unread counts a user's unread notifications.
func (s *Service) Unread(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM notification WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	return n, err
}

// MarkRead marks a user's notifications read: the given IDs, or all when
// ids is empty. IDs of other users' notifications are ignored. It returns
// how many changed.
func (s *Service) MarkRead(ctx context.Context, userID int64, ids []int64) (int, error) {
	if len(ids) > 1000 {
		return 0, &errs.Invalid{Fields: []errs.FieldError{{Field: "ids", Reason: "paling banyak 1000 sekaligus"}}}
	}
	var n int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		q := `UPDATE notification SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`
		args := []any{store.Micros(s.Now()), userID}
		if len(ids) > 0 {
			in, inArgs := tx.Engine().InInt64("id", 3, ids)
			q += ` AND ` + in
			args = append(args, inArgs...)
		}
		res, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("notify: mark read: %w", err)
	}
	return int(n), nil
}

type jobArgs struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

type jobCursor struct {
	Next int64 `json:"next"`
}

// deliver hands the notices of a range to every sender, a batch at a
// time; each batch's sent_at and the job's checkpoint commit together.
func (s *Service) deliver(ctx context.Context, j *jobs.Job, a jobArgs) error {
	cur := jobCursor{Next: a.From}
	if _, err := j.Resume(&cur); err != nil {
		return err
	}
	batch := max(s.BatchSize, 1)
	total := a.To - a.From + 1
	for cur.Next <= a.To {
		ms, err := s.pending(ctx, cur.Next, a.To, batch)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return nil
		}
		users := make([]int64, 0, len(ms))
		for _, m := range ms {
			users = append(users, m.UserID)
		}
		for _, snd := range s.Senders {
			ch := snd.Channel()
			var addr map[int64]string
			if s.Addresses != nil {
				if addr, err = s.Addresses.Addresses(ctx, ch, users); err != nil {
					return fmt.Errorf("notify: addresses for %s: %w", ch, err)
				}
			}
			for _, m := range ms {
				m.Channel, m.To = ch, addr[m.UserID]
				if err := snd.Send(ctx, m); err != nil {
					// The message's content and address stay out of the error.
					return fmt.Errorf("notify: notice %d on %s: %w", m.NoticeID, ch, err)
				}
			}
		}
		last := ms[len(ms)-1].NoticeID
		err = s.DB.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE notification SET sent_at = $1 WHERE id >= $2 AND id <= $3 AND sent_at IS NULL`,
				store.Micros(s.Now()), cur.Next, last); err != nil {
				return err
			}
			return j.CheckpointTx(ctx, tx, jobCursor{Next: last + 1})
		})
		if err != nil {
			return err
		}
		cur.Next = last + 1
		j.Progress(min(cur.Next-a.From, total), total, "")
	}
	return nil
}

func (s *Service) pending(ctx context.Context, from, to int64, limit int) ([]Message, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, user_id, subject, body, link FROM notification
WHERE id >= $1 AND id <= $2 AND sent_at IS NULL ORDER BY id LIMIT $3`, from, to, limit)
	if err != nil {
		return nil, fmt.Errorf("notify: pending: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.NoticeID, &m.UserID, &m.Subject, &m.Body, &m.Link); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
