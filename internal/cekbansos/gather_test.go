package cekbansos

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestGatherer: each caller gets its own item's result, whatever batch
// carried it; no batch passes max; batches run one at a time; a failed
// batch fails exactly its callers, and the next batch runs as usual.
func TestGatherer(t *testing.T) {
	var running, batches, overlapped atomic.Int32
	release := make(chan struct{})
	var once sync.Once
	g := gatherer[int, string]{max: 4, run: func(batch []int) ([]string, error) {
		if running.Add(1) > 1 {
			overlapped.Add(1)
		}
		defer running.Add(-1)
		batches.Add(1)
		once.Do(func() { <-release }) // the first batch waits, so that the others gather
		if len(batch) > 4 {
			return nil, fmt.Errorf("batch of %d", len(batch))
		}
		out := make([]string, len(batch))
		for i, v := range batch {
			if v < 0 {
				return nil, errors.New("bad item")
			}
			out[i] = fmt.Sprint("r", v)
		}
		return out, nil
	}}
	const n = 40
	got := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := i
			if i == 17 {
				v = -1 // fails its batch
			}
			got[i], errs[i] = g.do(v)
		}()
	}
	// The first caller runs its batch alone and waits in it; the others
	// gather meanwhile.
	waitFor(t, func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return len(g.pending) == n-1
	})
	close(release)
	wg.Wait()
	if overlapped.Load() != 0 {
		t.Errorf("%d batches ran while another was running", overlapped.Load())
	}
	failed := 0
	for i := range n {
		switch {
		case errs[i] != nil:
			failed++
			if errs[i].Error() != "bad item" {
				t.Errorf("caller %d: %v", i, errs[i])
			}
		case got[i] != fmt.Sprint("r", i):
			t.Errorf("caller %d got %q", i, got[i])
		}
	}
	if errs[17] == nil || failed < 1 || failed > 4 {
		t.Errorf("%d callers failed (17: %v), want 17's batch only, at most 4", failed, errs[17])
	}
	// One alone, then the 39 gathered, 4 at a time.
	if b := batches.Load(); b != 11 {
		t.Errorf("%d batches, want 11: 1 alone, then 39 callers 4 at a time", b)
	}
	// After a failure, the next caller is served alone at once.
	if r, err := g.do(7); err != nil || r != "r7" {
		t.Errorf("after the crowd: %q %v", r, err)
	}
}

// waitFor waits until cond holds: a condition, not a clock, decides.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("the callers never gathered")
		}
		time.Sleep(time.Millisecond)
	}
}
