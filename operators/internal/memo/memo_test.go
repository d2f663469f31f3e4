package memo

import (
	"sync"
	"testing"
)

func TestLast(t *testing.T) {
	var l Last[string]
	if _, ok := l.Get([]int{1}); ok {
		t.Fatal("empty memo hit")
	}
	k := []int{1, 2}
	l.Put("a", k, nil)
	k[0] = 9 // the memo keeps its own copy
	if v, ok := l.Get([]int{1, 2}, nil); !ok || v != "a" {
		t.Fatalf("Get = %q, %v", v, ok)
	}
	for _, keys := range [][][]int{{{1, 2}}, {{1, 2}, {}}, {{1, 2}, {3}}, {{9, 2}, nil}} {
		if _, ok := l.Get(keys...); ok {
			t.Errorf("Get(%v) hit", keys)
		}
	}
	// Concurrent use under -race.
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				l.Put("b", []int{g, i})
				if v, ok := l.Get([]int{g, i}); ok && v != "b" {
					t.Errorf("got %q", v)
				}
			}
		}()
	}
	wg.Wait()
	if n := testing.AllocsPerRun(10, func() { l.Get([]int{1, 2}, []int{3}) }); n != 0 {
		t.Errorf("Get allocates %v times", n)
	}
}
