package operators

import (
	goruntime "runtime"
	"sync"
	"sync/atomic"
)

// Ranger is work over the indices [0, n) that can be split into contiguous
// ranges and done in any order, one range per call.
//
// RunContext.ParallelRange takes one. An operator that keeps the Ranger in
// memory it reuses (a pooled struct holding the operands) splits its work
// without allocating; RunContext.Parallel's closure is usually allocated by
// the caller once per call.
type Ranger interface {
	Range(lo, hi int)
}

// funcRanger adapts a func to Ranger (a func value fits in an interface
// without allocating).
type funcRanger func(lo, hi int)

func (f funcRanger) Range(lo, hi int) { f(lo, hi) }

// Parallel splits [0, n) into at most rc.Threads contiguous chunks and runs
// fn on each, in parallel; it runs fn(0, n) directly when one chunk will
// do. minChunk is the smallest chunk worth handing to another goroutine.
// The chunks other than the caller's go to long-lived workers shared by
// the process; Parallel returns when every chunk is done.
func (rc *RunContext) Parallel(n, minChunk int, fn func(lo, hi int)) {
	t := rc.chunks(n, minChunk)
	if t <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	runChunks(funcRanger(fn), n, t)
}

// ParallelRange is Parallel for a Ranger: r.Range is called on each chunk.
func (rc *RunContext) ParallelRange(n, minChunk int, r Ranger) {
	t := rc.chunks(n, minChunk)
	if t <= 1 {
		if n > 0 {
			r.Range(0, n)
		}
		return
	}
	runChunks(r, n, t)
}

// chunks returns how many chunks to split n items into: at most
// rc.Threads, each of at least minChunk items.
func (rc *RunContext) chunks(n, minChunk int) int {
	t := 1
	if rc != nil {
		t = rc.Threads
	}
	if minChunk < 1 {
		minChunk = 1
	}
	if c := n / minChunk; c < t {
		t = c
	}
	return min(t, maxChunks)
}

// parJob is one split call in flight. Its chunks are claimed by index from
// state (generation in the high 32 bits, the number of chunks in the next
// 16 and the next chunk to claim in the low 16): the
// caller and whichever workers received the job claim chunks until none
// is left, so a call never waits for a worker that has not started (a
// nested call, or a busy pool, cannot deadlock). A job is reused after
// its call returns; a worker holding a notice of an earlier generation
// fails to claim and drops it.
type parJob struct {
	state   atomic.Uint64
	pending atomic.Int64 // chunks not yet finished
	done    chan struct{}

	// Set by the owner before the generation is published, read by
	// claimers after a successful claim.
	r       Ranger
	n, step int
}

// maxChunks bounds the chunks of one call, so they fit state's fields.
const maxChunks = 1 << 15

// parNotice asks a worker to help with job j of generation gen.
type parNotice struct {
	j   *parJob
	gen uint32
}

var (
	parStart sync.Once
	parWork  chan parNotice
	parJobs  = sync.Pool{New: func() any { return &parJob{done: make(chan struct{}, 1)} }}
)

// startWorkers starts the shared workers: one per CPU (at least two), so
// concurrent runs and nested splits find helpers; a call with more chunks
// than idle workers runs the rest itself.
func startWorkers() {
	n := max(goruntime.NumCPU(), 2)
	parWork = make(chan parNotice, 4*n)
	for range n {
		go func() {
			for nt := range parWork {
				nt.j.help(nt.gen)
			}
		}()
	}
}

// claim takes the next chunk of generation gen, or returns false when the
// job has none left or has moved on to another generation.
func (j *parJob) claim(gen uint32) (int, bool) {
	for {
		s := j.state.Load()
		if uint32(s>>32) != gen {
			return 0, false
		}
		i, nc := int(s&0xffff), int(s>>16&0xffff)
		if i >= nc {
			return 0, false
		}
		if j.state.CompareAndSwap(s, s+1) {
			return i, true
		}
	}
}

// runChunk runs chunk i and reports whether it was the job's last.
func (j *parJob) runChunk(i int) bool {
	lo := i * j.step
	hi := min(lo+j.step, j.n)
	j.r.Range(lo, hi)
	return j.pending.Add(-1) == 0
}

// help runs chunks of generation gen for as long as there are any; the
// goroutine that finishes the last chunk wakes the owner.
func (j *parJob) help(gen uint32) {
	for {
		i, ok := j.claim(gen)
		if !ok {
			return
		}
		if j.runChunk(i) {
			j.done <- struct{}{}
			return
		}
	}
}

// runChunks splits [0, n) into t chunks, offers them to t-1 workers and
// works on them itself until all are done.
func runChunks(r Ranger, n, t int) {
	parStart.Do(startWorkers)
	j := parJobs.Get().(*parJob)
	step := (n + t - 1) / t
	j.r, j.n, j.step = r, n, step
	nc := (n + step - 1) / step
	j.pending.Store(int64(nc))
	gen := uint32(j.state.Load()>>32) + 1
	j.state.Store(uint64(gen)<<32 | uint64(nc)<<16) // publishes the fields above
	for range nc - 1 {
		select {
		case parWork <- parNotice{j, gen}:
		default: // every worker is busy and the queue full: do it here
		}
	}
	last := false
	for {
		i, ok := j.claim(gen)
		if !ok {
			break
		}
		last = j.runChunk(i)
	}
	if !last {
		<-j.done // a worker finished the last chunk
	}
	j.r = nil
	parJobs.Put(j)
}
