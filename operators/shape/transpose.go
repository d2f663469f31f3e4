package shape

import (
	"fmt"
	"sync"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
	"github.com/onnxrun/onnxrun/operators/internal/memo"
)

// Transpose permutes dimensions: output dim i is input dim perm[i].
type Transpose struct {
	perm []int // nil: reverse
	last memo.Last[*tplan]
}

func newTranspose(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	p, ok, err := n.Ints("perm")
	if err != nil {
		return nil, err
	}
	t := &Transpose{}
	if ok {
		t.perm = make([]int, len(p))
		seen := make([]bool, len(p))
		for i, x := range p {
			if x < 0 || x >= int64(len(p)) || seen[x] {
				return nil, &operators.AttributeError{Attr: "perm", Reason: fmt.Sprintf("%v is not a permutation of 0..%d", p, len(p)-1)}
			}
			seen[x] = true
			t.perm[i] = int(x)
		}
	}
	return t, nil
}

func (t *Transpose) permFor(r int) ([]int, error) {
	if t.perm == nil {
		p := make([]int, r)
		for i := range p {
			p[i] = r - 1 - i
		}
		return p, nil
	}
	if len(t.perm) != r {
		return nil, &operators.AttributeError{Attr: "perm", Reason: fmt.Sprintf("has %d entries, input 0 (data) has rank %d", len(t.perm), r)}
	}
	return t.perm, nil
}

// Infer implements operators.Op.
func (t *Transpose) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if !in[0].HasShape {
		return unknown(in[0].DType), nil
	}
	p, err := t.permFor(len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	out := make([]int, len(p))
	for i, a := range p {
		out[i] = in[0].Shape[a]
	}
	return known(in[0].DType, out), nil
}

// Run implements operators.Op.
func (t *Transpose) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	pl, ok := t.last.Get(x.Shape)
	if !ok {
		p, err := t.permFor(len(x.Shape))
		if err != nil {
			return err
		}
		pl = newTPlan(x.Shape, p)
		t.last.Put(pl, x.Shape)
	}
	y, err := alloc(rc, x.DType, pl.out)
	if err != nil {
		return err
	}
	out[0] = y
	if x.Len() == 0 {
		return nil
	}
	return pl.do(rc, y, x)
}

// permuteInto writes y = x viewed with shape dims and permuted by perm.
func permuteInto(rc *operators.RunContext, y, x *operators.Value, dims, p []int) error {
	return newTPlan(dims, p).do(rc, y, x)
}

// How a transpose moves its elements, from the coalesced source dims.
const (
	tCopy    = iota // the permutation keeps the order: one copy
	tBlocks         // the innermost dim stays innermost: copy whole rows
	tBatch2D        // [B, R, C] -> [B, C, R]: cache-sized tiles
	tGather         // anything else: one element at a time
)

// tplan is a transpose worked out for one input shape: the output shape,
// and the coalesced source dims walked in output order. A plan never
// changes once made, so runs share it.
type tplan struct {
	out  []int // output shape
	kind int
	n    int // elements

	// tBatch2D: batch of rows×cols source matrices.
	batch, rows, cols int

	// tBlocks and tGather: the output is units runs of inner elements;
	// run u starts at the source offset walked by od/os (the outer output
	// dims' sizes and source strides), and its elements are istride
	// apart in the source (1 for tBlocks).
	od, os         []int
	inner, istride int
	units          int
}

// newTPlan plans y = x permuted by perm, for x of shape shape.
func newTPlan(shape, perm []int) *tplan {
	pl := &tplan{out: make([]int, len(perm)), n: 1}
	for i, a := range perm {
		pl.out[i] = shape[a]
	}
	for _, d := range shape {
		pl.n *= d
	}
	dims, p := coalesce(shape, perm)
	r := len(dims)
	switch {
	case r == 1 || pl.n == 0:
		pl.kind = tCopy
		return pl
	case r == 2 || (r == 3 && p[0] == 0 && p[1] == 2 && p[2] == 1):
		pl.kind = tBatch2D
		pl.batch, pl.rows, pl.cols = 1, dims[0], dims[1]
		if r == 3 {
			pl.batch, pl.rows, pl.cols = dims[0], dims[1], dims[2]
		}
		return pl
	}
	ss := strides(dims)
	pl.od = make([]int, r-1)
	pl.os = make([]int, r-1)
	for i, a := range p[:r-1] {
		pl.od[i] = dims[a]
		pl.os[i] = ss[a]
	}
	pl.inner, pl.istride = dims[p[r-1]], ss[p[r-1]]
	pl.units = pl.n / pl.inner
	pl.kind = tGather
	if pl.istride == 1 {
		pl.kind = tBlocks
	}
	return pl
}

// transposeMin is the number of elements worth a second goroutine: a
// transpose moves memory at several GB/s, so below this the hand-off
// costs about as much as it saves.
const transposeMin = 1 << 16

// tjob is a transpose split between goroutines; jobs are pooled so a
// split run allocates nothing.
type tjob struct {
	pl   *tplan
	y, x *operators.Value
}

var tjobs = sync.Pool{New: func() any { return new(tjob) }}

func (j *tjob) Range(lo, hi int) { j.pl.rangeOf(j.y, j.x, lo, hi) }

// do moves every element of x into y.
func (pl *tplan) do(rc *operators.RunContext, y, x *operators.Value) error {
	if x.DType != operators.String {
		switch x.DType.Size() {
		case 1, 2, 4, 8:
		default:
			return fmt.Errorf("%w: moving elements of %v", operators.ErrUnsupportedType, x.DType)
		}
	}
	if pl.kind == tCopy {
		copyRun(y, 0, x, 0, pl.n)
		return nil
	}
	units, per := pl.units, pl.inner // work units and elements per unit
	if pl.kind == tBatch2D {
		units, per = pl.batch*pl.rows, pl.cols
	}
	if rc == nil || rc.Threads <= 1 || pl.n < 2*transposeMin {
		pl.rangeOf(y, x, 0, units)
		return nil
	}
	j := tjobs.Get().(*tjob)
	j.pl, j.y, j.x = pl, y, x
	rc.ParallelRange(units, max(1, transposeMin/max(per, 1)), j)
	*j = tjob{}
	tjobs.Put(j)
	return nil
}

// rangeOf moves the elements of work units [lo, hi): source rows for
// tBatch2D, output runs otherwise.
func (pl *tplan) rangeOf(y, x *operators.Value, lo, hi int) {
	if x.DType == operators.String {
		moveRange(pl, y.Strs, x.Strs, lo, hi)
		return
	}
	switch x.DType.Size() {
	case 1:
		moveRange(pl, y.U8(), x.U8(), lo, hi)
	case 2:
		moveRange(pl, y.U16(), x.U16(), lo, hi)
	case 4:
		moveRange(pl, y.U32(), x.U32(), lo, hi)
	case 8:
		moveRange(pl, y.U64(), x.U64(), lo, hi)
	}
}

func moveRange[T any](pl *tplan, dst, src []T, lo, hi int) {
	if pl.kind == tBatch2D {
		rows, cols := pl.rows, pl.cols
		// Whole [lo, hi) row ranges within batches.
		for i := lo; i < hi; {
			bi, ri := i/rows, i%rows
			re := min(rows, ri+(hi-i))
			transpose2D(dst[bi*rows*cols:], src[bi*rows*cols:], rows, cols, ri, re)
			i += re - ri
		}
		return
	}
	// Walk output runs lo..hi-1 with an odometer over the outer output
	// dims, tracking the source offset of each run.
	od, os := pl.od, pl.os
	var idxBuf [8]int
	idx := idxBuf[:0]
	if len(od) <= len(idxBuf) {
		idx = idxBuf[:len(od)]
	} else {
		idx = make([]int, len(od))
	}
	base, rem := 0, lo
	for i := len(od) - 1; i >= 0; i-- {
		idx[i] = rem % od[i]
		rem /= od[i]
		base += idx[i] * os[i]
	}
	inner, istride := pl.inner, pl.istride
	last := len(od) - 1
	for u := lo; u < hi; u++ {
		d := dst[u*inner : (u+1)*inner]
		if istride == 1 {
			copy(d, src[base:base+inner])
		} else {
			s := base
			for k := range d {
				d[k] = src[s]
				s += istride
			}
		}
		// Next run: the fastest outer dim first.
		for i := last; i >= 0; i-- {
			idx[i]++
			base += os[i]
			if idx[i] < od[i] {
				break
			}
			base -= idx[i] * os[i]
			idx[i] = 0
		}
	}
}

// coalesce drops size-1 dimensions and merges input dimensions that stay
// adjacent and in order under perm, so NCHW→NHWC becomes a batch of 2-D
// transposes [N, C, HW] with perm [0, 2, 1].
func coalesce(shape, perm []int) ([]int, []int) {
	// Keep dims of size > 1.
	keep := make([]int, len(shape)) // old index -> new index, or -1
	var dims []int
	for i, d := range shape {
		if d == 1 {
			keep[i] = -1
			continue
		}
		keep[i] = len(dims)
		dims = append(dims, d)
	}
	var p []int
	for _, a := range perm {
		if keep[a] >= 0 {
			p = append(p, keep[a])
		}
	}
	// Merge runs where output-adjacent dims are input-adjacent.
	for changed := true; changed; {
		changed = false
		for i := 0; i+1 < len(p); i++ {
			if p[i+1] == p[i]+1 {
				a := p[i]
				dims[a] *= dims[a+1]
				dims = append(dims[:a+1], dims[a+2:]...)
				p = append(p[:i+1], p[i+2:]...)
				for j := range p {
					if p[j] > a {
						p[j]--
					}
				}
				changed = true
				break
			}
		}
	}
	if len(dims) == 0 {
		dims, p = []int{1}, []int{0}
	}
	return dims, p
}

// transpose2D writes dst[c*rows+r] = src[r*cols+c] for r in [r0, r1), in
// cache-sized tiles.
func transpose2D[T any](dst, src []T, rows, cols, r0, r1 int) {
	const tile = 32
	for rb := r0; rb < r1; rb += tile {
		re := min(rb+tile, r1)
		for cb := 0; cb < cols; cb += tile {
			ce := min(cb+tile, cols)
			for r := rb; r < re; r++ {
				s := src[r*cols+cb : r*cols+ce]
				d := dst[cb*rows+r:]
				_ = d[(len(s)-1)*rows] // one bounds check for the column
				for c, v := range s {
					d[c*rows] = v
				}
			}
		}
	}
}
