package cekbansos

import (
	"context"
	"fmt"
	"time"

	"github.com/kemensos/jaring/internal/audit"
)

// Audit of public checks.
const (
	ActCheck    = "publik.cek"
	PublicActor = "publik"
)

// maxBatch bounds one audit transaction; writeTimeout bounds one batch
// statement, which every check it carries depends on.
const (
	maxBatch     = 512
	writeTimeout = 10 * time.Second
)

// record adds a's audit entry to the next audit batch (s.audit, a
// gatherer: concurrent checks share one transaction) and returns once it
// is committed. So an answered check is always audited: no entry waits in
// a buffer that a crash could lose, and a failed write fails its checks.
func (s *Service) record(ctx context.Context, a *Answer, via string) error {
	reqID, addr := audit.RequestFrom(ctx)
	_, err := s.audit.do(audit.Entry{Actor: PublicActor, Role: PublicActor, Region: a.village, Action: ActCheck,
		ObjectType: audit.ObjFamily, ObjectID: a.familyID, PersonID: a.personID,
		After:     map[string]any{"cara": via, "subjek": a.subject},
		RequestID: reqID, ClientAddr: addr})
	return err
}

// writeAudit commits a batch of entries in one statement (audit.Appender).
// It does not use a request's context: the requests it carries are many,
// and one going away must not undo the entries of the others.
func (s *Service) writeAudit(entries []audit.Entry) ([]struct{}, error) {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := s.appender.Append(ctx, entries); err != nil {
		return nil, fmt.Errorf("cekbansos: audit: %w", err)
	}
	return nil, nil
}
