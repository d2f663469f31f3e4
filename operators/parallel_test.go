package operators

import (
	"sync"
	"sync/atomic"
	"testing"
)

// counter counts how often each index is visited.
type counter struct{ hits []atomic.Int32 }

func (c *counter) Range(lo, hi int) {
	for i := lo; i < hi; i++ {
		c.hits[i].Add(1)
	}
}

func (c *counter) check(t *testing.T, what string) {
	t.Helper()
	for i := range c.hits {
		if h := c.hits[i].Swap(0); h != 1 {
			t.Fatalf("%s: index %d visited %d times, want once", what, i, h)
		}
	}
}

// TestParallelCoversOnce checks that every index of [0, n) is visited
// exactly once for many sizes, thread counts and chunk minimums, through
// both entry points.
func TestParallelCoversOnce(t *testing.T) {
	for _, threads := range []int{0, 1, 2, 3, 8, 100} {
		rc := &RunContext{Threads: threads}
		for _, n := range []int{0, 1, 2, 7, 64, 1000, 4097} {
			for _, minChunk := range []int{0, 1, 3, 64, 5000} {
				c := &counter{hits: make([]atomic.Int32, n)}
				rc.ParallelRange(n, minChunk, c)
				c.check(t, "ParallelRange")
				rc.Parallel(n, minChunk, c.Range)
				c.check(t, "Parallel")
			}
		}
	}
	var nilRC *RunContext
	c := &counter{hits: make([]atomic.Int32, 10)}
	nilRC.Parallel(10, 1, c.Range)
	c.check(t, "nil RunContext")
}

// TestParallelChunks checks that a call is split into at most Threads
// chunks of at least minChunk items (the last may be shorter), and that a
// call of one chunk stays on the calling goroutine as fn(0, n).
func TestParallelChunks(t *testing.T) {
	rc := &RunContext{Threads: 4}
	var mu sync.Mutex
	var got [][2]int
	record := func(lo, hi int) {
		mu.Lock()
		got = append(got, [2]int{lo, hi})
		mu.Unlock()
	}
	rc.Parallel(100, 10, record)
	if len(got) != 4 {
		t.Fatalf("100 items, 4 threads: %d chunks %v, want 4", len(got), got)
	}
	got = nil
	rc.Parallel(25, 10, record)
	if len(got) != 2 {
		t.Fatalf("25 items of minimum 10, 4 threads: %d chunks %v, want 2", len(got), got)
	}
	got = nil
	rc.Parallel(19, 10, record)
	if len(got) != 1 || got[0] != [2]int{0, 19} {
		t.Fatalf("19 items of minimum 10: chunks %v, want [0 19]", got)
	}
}

// TestParallelNested splits work inside work: the inner calls must find
// their chunks done even when every worker is busy with outer chunks.
func TestParallelNested(t *testing.T) {
	rc := &RunContext{Threads: 8}
	const outer, inner = 16, 256
	c := &counter{hits: make([]atomic.Int32, outer*inner)}
	rc.Parallel(outer, 1, func(lo, hi int) {
		for o := lo; o < hi; o++ {
			rc.Parallel(inner, 1, func(l, h int) { c.Range(o*inner+l, o*inner+h) })
		}
	})
	c.check(t, "nested")
}

// TestParallelConcurrent has many goroutines split work at once, each
// checking its own indices, so jobs reused between calls cannot mix.
func TestParallelConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := &RunContext{Threads: 1 + g%4}
			c := &counter{hits: make([]atomic.Int32, 333)}
			for range 200 {
				rc.ParallelRange(len(c.hits), 1, c)
				for i := range c.hits {
					if h := c.hits[i].Swap(0); h != 1 {
						t.Errorf("goroutine %d: index %d visited %d times", g, i, h)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

// TestParallelRangeAllocs checks that a split call with a Ranger the
// caller keeps allocates nothing once the workers are running.
func TestParallelRangeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	rc := &RunContext{Threads: 2}
	c := &counter{hits: make([]atomic.Int32, 4096)}
	rc.ParallelRange(len(c.hits), 1, c)
	if a := testing.AllocsPerRun(200, func() { rc.ParallelRange(len(c.hits), 1, c) }); a != 0 {
		t.Errorf("ParallelRange allocates %v times per call, want 0", a)
	}
}

type nop struct{}

func (nop) Range(lo, hi int) {}

// BenchmarkParallelHandOff is the cost of splitting a call with no work
// between two chunks: handing one to a worker and waiting for it.
func BenchmarkParallelHandOff(b *testing.B) {
	rc := &RunContext{Threads: 2}
	b.ReportAllocs()
	for b.Loop() {
		rc.ParallelRange(2, 1, nop{})
	}
}
