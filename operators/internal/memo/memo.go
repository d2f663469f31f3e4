package memo

import (
	"slices"
	"sync/atomic"
)

// Last remembers one value keyed by a list of shapes.
type Last[T any] struct {
	p atomic.Pointer[entry[T]]
}

type entry[T any] struct {
	keys [][]int
	val  T
}

// Get returns the value stored for exactly these shapes (a nil shape
// matches only a nil or empty one).
func (l *Last[T]) Get(keys ...[]int) (T, bool) {
	var zero T
	e := l.p.Load()
	if e == nil || len(e.keys) != len(keys) {
		return zero, false
	}
	for i, k := range keys {
		if (k == nil) != (e.keys[i] == nil) || !slices.Equal(k, e.keys[i]) {
			return zero, false
		}
	}
	return e.val, true
}

// Put stores val for these shapes, replacing the previous entry. The
// shapes are copied; val must not be modified afterwards.
func (l *Last[T]) Put(val T, keys ...[]int) {
	e := &entry[T]{keys: make([][]int, len(keys)), val: val}
	for i, k := range keys {
		if k != nil {
			e.keys[i] = append(make([]int, 0, len(k)), k...)
		}
	}
	l.p.Store(e)
}
