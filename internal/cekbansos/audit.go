package cekbansos

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/audit"
)

// Audit of public checks.
const (
	ActCheck    = "publik.cek"
	PublicActor = "publik"
)

// auditor writes the audit entries of concurrent checks in one
// transaction (group commit). A check adds its entry and waits for the
// commit that carries it. The check that finds no write in progress
// writes what has gathered (its own entry first); when more entries
// gathered meanwhile, it hands the writing over to the oldest of them and
// returns. So an answered check is always audited (no entry waits in a
// buffer that a crash could lose, and a failed write fails its checks),
// no check waits for more than two writes, and under load one statement
// (audit.Appender) carries many checks.
type auditor struct {
	app     audit.Appender
	mu      sync.Mutex
	writing bool
	pending []pendingEntry
}

type pendingEntry struct {
	e    audit.Entry
	done chan written
}

// written tells a waiting check its entry's fate, or that it writes next.
type written struct {
	err  error
	lead bool
}

// maxBatch bounds one transaction; writeTimeout bounds one write, which
// every waiting check depends on.
const (
	maxBatch     = 512
	writeTimeout = 10 * time.Second
)

func (au *auditor) record(ctx context.Context, a *Answer, via string) error {
	reqID, addr := audit.RequestFrom(ctx)
	e := audit.Entry{Actor: PublicActor, Role: PublicActor, Region: a.village, Action: ActCheck,
		ObjectType: audit.ObjFamily, ObjectID: a.familyID, PersonID: a.personID,
		After:     map[string]any{"cara": via, "subjek": a.subject},
		RequestID: reqID, ClientAddr: addr}
	done := make(chan written, 1)
	au.mu.Lock()
	au.pending = append(au.pending, pendingEntry{e, done})
	if !au.writing {
		au.writing = true
		au.mu.Unlock()
		return au.lead()
	}
	au.mu.Unlock()
	// No giving up on ctx here: this check may be asked to write next.
	if w := <-done; !w.lead {
		return w.err
	}
	return au.lead()
}

// lead writes one batch, which starts with the leader's own entry, then
// hands over to the oldest entry left, if any.
func (au *auditor) lead() error {
	au.mu.Lock()
	n := min(len(au.pending), maxBatch)
	batch := au.pending[:n:n]
	au.pending = au.pending[n:]
	au.mu.Unlock()
	err := au.write(batch)
	for _, p := range batch[1:] {
		p.done <- written{err: err}
	}
	au.mu.Lock()
	if len(au.pending) > 0 {
		au.pending[0].done <- written{lead: true}
	} else {
		au.writing = false
		au.pending = nil
	}
	au.mu.Unlock()
	return err
}

// write commits a batch. It does not use a request's context: the
// requests it carries are many, and one going away must not undo the
// entries of the others.
func (au *auditor) write(batch []pendingEntry) error {
	entries := make([]audit.Entry, len(batch))
	for i, p := range batch {
		entries[i] = p.e
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := au.app.Append(ctx, entries); err != nil {
		return fmt.Errorf("cekbansos: audit: %w", err)
	}
	return nil
}
