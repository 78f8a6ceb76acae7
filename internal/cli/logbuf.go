package cli

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logBuffer gathers the server's log lines and writes them out every
// interval, when 32 KB have gathered, and on Close: one system call per
// batch instead of one per request, which under a crowd of public checks
// is a tenth of a request's cost on the server. Lines are whole; at most
// one interval of them is lost if the process is killed.
type logBuffer struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newLogBuffer(out io.Writer, interval time.Duration) *logBuffer {
	b := &logBuffer{w: bufio.NewWriterSize(out, 32<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.flush()
			case <-b.stop:
				b.flush()
				return
			}
		}
	}()
	return b
}

// Write takes one log record (slog writes each with one call).
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

func (b *logBuffer) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.w.Flush()
}

// Close writes what is left and stops the timer.
func (b *logBuffer) Close() error {
	close(b.stop)
	<-b.done
	return nil
}
