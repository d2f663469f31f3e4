package shape

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

// Transpose permutes dimensions: output dim i is input dim perm[i].
type Transpose struct {
	perm []int // nil: reverse
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
	p, err := t.permFor(len(x.Shape))
	if err != nil {
		return err
	}
	shape := make([]int, len(p))
	for i, a := range p {
		shape[i] = x.Shape[a]
	}
	y, err := alloc(rc, x.DType, shape)
	if err != nil {
		return err
	}
	out[0] = y
	if x.Len() == 0 {
		return nil
	}
	return permuteInto(rc, y, x, x.Shape, p)
}

// permuteInto writes y = x viewed with shape dims and permuted by perm.
func permuteInto(rc *operators.RunContext, y, x *operators.Value, dims, p []int) error {
	d, perm := coalesce(dims, p)
	switch {
	case x.DType == operators.String:
		transpose(rc, y.Strs, x.Strs, d, perm)
	case x.DType.Size() == 1:
		transpose(rc, y.U8(), x.U8(), d, perm)
	case x.DType.Size() == 2:
		transpose(rc, y.U16(), x.U16(), d, perm)
	case x.DType.Size() == 4:
		transpose(rc, y.U32(), x.U32(), d, perm)
	case x.DType.Size() == 8:
		transpose(rc, y.U64(), x.U64(), d, perm)
	default:
		return fmt.Errorf("%w: moving elements of %v", operators.ErrUnsupportedType, x.DType)
	}
	return nil
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

// transpose writes dst = src permuted; dims are src's, coalesced.
func transpose[T any](rc *operators.RunContext, dst, src []T, dims, perm []int) {
	r := len(dims)
	if r == 1 {
		copy(dst, src[:dims[0]])
		return
	}
	// A batch of 2-D transposes: [B, R, C] -> [B, C, R] (or plain 2-D).
	if r == 2 || (r == 3 && perm[0] == 0 && perm[1] == 2 && perm[2] == 1) {
		b, rows, cols := 1, dims[0], dims[1]
		if r == 3 {
			b, rows, cols = dims[0], dims[1], dims[2]
		}
		rc.Parallel(b*rows, 64, func(lo, hi int) {
			// Whole [lo, hi) row ranges within batches.
			for i := lo; i < hi; {
				bi, ri := i/rows, i%rows
				re := min(rows, ri+(hi-i))
				transpose2D(dst[bi*rows*cols:], src[bi*rows*cols:], rows, cols, ri, re)
				i += re - ri
			}
		})
		return
	}
	// General case: walk the output in order with an odometer over its
	// dims; the innermost output dim reads src with a fixed stride.
	ss := strides(dims)
	od := make([]int, r)
	os := make([]int, r) // src stride of each output dim
	for i, a := range perm {
		od[i] = dims[a]
		os[i] = ss[a]
	}
	inner, istride := od[r-1], os[r-1]
	outer := len(dst) / inner
	rc.Parallel(outer, 64, func(lo, hi int) {
		idx := make([]int, r-1)
		rem := lo
		for i := r - 2; i >= 0; i-- {
			idx[i] = rem % od[i]
			rem /= od[i]
		}
		for o := lo; o < hi; o++ {
			base := 0
			for i := 0; i < r-1; i++ {
				base += idx[i] * os[i]
			}
			d := dst[o*inner : (o+1)*inner]
			for j := range d {
				d[j] = src[base]
				base += istride
			}
			for i := r - 2; i >= 0; i-- {
				idx[i]++
				if idx[i] < od[i] {
					break
				}
				idx[i] = 0
			}
		}
	})
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
				for c, v := range s {
					dst[(cb+c)*rows+r] = v
				}
			}
		}
	}
}
