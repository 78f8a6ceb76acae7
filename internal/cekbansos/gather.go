package cekbansos

import "sync"

// gatherer runs the work of concurrent checks in batches, one batch at a
// time (group commit): a check adds its item and waits. The check that
// finds no batch running runs what has gathered, its own item first; when
// more gathered meanwhile, it hands the next batch over to the oldest of
// them and returns. A check alone is served at once; under a crowd one
// round trip serves many checks; no check waits for more than two
// batches; a failed batch fails the checks it carried. The checks' audit
// entries (Service.audit) and their NIK lookups (Service.nikBatch) go
// through one each.
type gatherer[In, Out any] struct {
	max int                             // items in one batch at most
	run func(batch []In) ([]Out, error) // one result per item, in order

	mu      sync.Mutex
	busy    bool
	pending []*gatherWait[In, Out]
}

type gatherWait[In, Out any] struct {
	in   In
	done chan gathered[Out]
}

// gathered is a waiting check's result, or word that it runs next.
type gathered[Out any] struct {
	out  Out
	err  error
	lead bool
}

// do adds in to the next batch and returns its result. It does not give
// up when a request goes away: the check may be asked to run the next batch.
func (g *gatherer[In, Out]) do(in In) (Out, error) {
	w := &gatherWait[In, Out]{in: in, done: make(chan gathered[Out], 1)}
	g.mu.Lock()
	g.pending = append(g.pending, w)
	if g.busy {
		g.mu.Unlock()
		if r := <-w.done; !r.lead {
			return r.out, r.err
		}
	} else {
		g.busy = true
		g.mu.Unlock()
	}
	return g.lead()
}

// lead runs one batch, whose first item is the leader's own, hands the
// others their results, then hands over to the oldest item left, if any.
func (g *gatherer[In, Out]) lead() (Out, error) {
	g.mu.Lock()
	n := min(len(g.pending), g.max)
	batch := g.pending[:n:n]
	g.pending = g.pending[n:]
	g.mu.Unlock()
	ins := make([]In, n)
	for i, w := range batch {
		ins[i] = w.in
	}
	outs, err := g.run(ins)
	result := func(i int) (o Out) {
		if i < len(outs) {
			o = outs[i]
		}
		return o
	}
	for i, w := range batch[1:] {
		w.done <- gathered[Out]{out: result(i + 1), err: err}
	}
	g.mu.Lock()
	if len(g.pending) > 0 {
		g.pending[0].done <- gathered[Out]{lead: true}
	} else {
		g.busy = false
		g.pending = nil
	}
	g.mu.Unlock()
	return result(0), err
}
