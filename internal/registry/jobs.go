package registry

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kemensos/jaring/internal/audit"
	"github.com/kemensos/jaring/internal/auth"
)

// ImportJob is an upload being imported in the background of a server.
type ImportJob struct {
	ID       string         `json:"id"`
	Owner    string         `json:"owner"`
	FileName string         `json:"file_name"`
	State    string         `json:"state"` // berjalan, selesai, gagal
	Progress ImportProgress `json:"progress"`
	Result   ImportResult   `json:"result"`
	Error    string         `json:"error,omitempty"`
	Started  time.Time      `json:"started"`
	Finished *time.Time     `json:"finished,omitempty"`
	dir      string
}

// ReportPath is the error report's file.
func (j *ImportJob) ReportPath() string { return filepath.Join(j.dir, "laporan.csv") }

// Jobs runs uploaded imports and keeps their status for the server's life.
type Jobs struct {
	Registry *Registry
	Dir      string // where uploads and reports are kept
	mu       sync.Mutex
	jobs     map[string]*ImportJob
}

// NewJobs returns a job runner keeping files under dir.
func NewJobs(r *Registry, dir string) *Jobs {
	return &Jobs{Registry: r, Dir: dir, jobs: map[string]*ImportJob{}}
}

// Start saves the upload and imports it in the background.
// The import runs as the principal of ctx, within their region.
func (j *Jobs) Start(ctx context.Context, owner, fileName string, upload io.Reader, o ImportOptions) (*ImportJob, error) {
	id := auth.RandomToken(12)
	dir := filepath.Join(j.Dir, id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	ext := filepath.Ext(fileName)
	in := filepath.Join(dir, "unggahan"+ext)
	f, err := os.OpenFile(in, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(f, upload); err != nil {
		f.Close()
		return nil, fmt.Errorf("simpan unggahan: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	src, err := OpenFile(in, SourceOptions{})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	job := &ImportJob{ID: id, Owner: owner, FileName: filepath.Base(fileName), State: "berjalan", Started: time.Now().UTC(), dir: dir}
	j.mu.Lock()
	j.jobs[id] = job
	j.mu.Unlock()
	// The principal and the request's ID and address, for the audit trail, without its cancellation.
	go j.run(audit.Detach(ctx), job, src, in, o)
	return job, nil
}

func (j *Jobs) run(ctx context.Context, job *ImportJob, src RowReader, in string, o ImportOptions) {
	defer src.Close()
	defer os.Remove(in)
	rep, err := os.Create(job.ReportPath())
	if err == nil {
		defer rep.Close()
		o.Report = rep
	}
	o.Progress = func(p ImportProgress) {
		j.mu.Lock()
		job.Progress = p
		j.mu.Unlock()
	}
	if o.Reason == "" {
		o.Reason = "impor berkas " + job.FileName
	}
	res, err := j.Registry.Import(ctx, src, o)
	now := time.Now().UTC()
	j.mu.Lock()
	defer j.mu.Unlock()
	job.Result, job.Finished = res, &now
	job.Progress.Rows, job.Progress.Families = res.Rows, res.Families
	job.Progress.Bytes = job.Progress.Total
	if err != nil {
		job.State, job.Error = "gagal", err.Error()
		// The error text may quote the file; the log names the job only.
		slog.Warn("import failed", "job", job.ID)
		return
	}
	job.State = "selesai"
}

// Get returns a copy of a job's status; only its owner may see it.
func (j *Jobs) Get(id, owner string) (ImportJob, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job, ok := j.jobs[id]
	if !ok || job.Owner != owner {
		return ImportJob{}, false
	}
	return *job, true
}
