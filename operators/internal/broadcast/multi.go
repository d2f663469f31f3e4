package broadcast

import (
	"fmt"
	"slices"

	"github.com/onnxrun/onnxrun/operators"
)

// maxOperands is how many operands a Multi holds without allocating.
const maxOperands = 4

// Multi is the iteration plan for an operation of any number of operands
// (Where's three, Sum's many) when the binary Kernels do not fit. It merges
// dimensions like Binary and visits the output row by row, giving each
// operand's offset and its stride along the row (1, or 0 when that operand
// is broadcast along it). Up to maxOperands operands and maxInline merged
// dimensions it keeps everything in fixed arrays, so a plan and its
// iterator can live on the caller's stack.
type Multi struct {
	Out []int // the output shape
	N   int   // the number of output elements

	// Same is true when every operand has the output's shape (up to
	// leading 1s): callers can then run one flat loop over [0, N).
	Same bool

	k       int // number of operands
	inner   int // row length
	nouter  int // number of outer merged dimensions
	dims    [maxInline]int
	strides [maxOperands][maxInline]int // strides[j][i]: operand j along dims[i]
	innerS  [maxOperands]int            // operand j's stride along the row
	spill   *multiSpill                 // when the arrays are too small
}

type multiSpill struct {
	dims    []int
	strides [][]int
	innerS  []int
}

// NewMulti plans an operation over operands of the given shapes. It fails,
// wrapping operators.ErrShape, when they do not broadcast.
func NewMulti(shapes ...[]int) (*Multi, error) {
	m := &Multi{}
	return m, m.Init(shapes...)
}

// Init is NewMulti into an existing plan, which may be reused.
func (m *Multi) Init(shapes ...[]int) error {
	*m = Multi{k: len(shapes)}
	for _, s := range shapes {
		for _, d := range s {
			if d < 0 {
				return fmt.Errorf("%w: shape %v has a negative dimension", operators.ErrShape, slices.Clone(s))
			}
		}
	}
	// As in Binary.Init: an operand's own shape serves when it is the
	// output's, so only a shape no operand has is allocated.
	var obuf [8]int
	o, err := shapeInto(obuf[:], shapes)
	if err != nil {
		return err
	}
	var out []int
	for _, s := range shapes {
		if slices.Equal(o, s) {
			out = s
			break
		}
	}
	if out == nil {
		out = slices.Clone(o)
	}
	m.Out, m.N = out, operators.NumElements(out)
	if m.N < 0 {
		return fmt.Errorf("%w: output shape %v is too large", operators.ErrShape, slices.Clone(out))
	}
	if m.N == 0 {
		return nil
	}
	k, rank := len(shapes), len(out)
	full := func(s []int, i int) bool {
		j := i - (rank - len(s))
		return j >= 0 && s[j] != 1
	}
	samePattern := func(i, l int) bool { // dims i and l of out, same full/broadcast pattern
		for _, s := range shapes {
			if full(s, i) != full(s, l) {
				return false
			}
		}
		return true
	}
	// Merge dimensions whose full/broadcast pattern is the same for every
	// operand; rep[n] is an output dimension standing for merged dim n.
	var dimsBuf, repBuf [64]int
	dims, rep := dimsBuf[:0], repBuf[:0]
	if rank > len(dimsBuf) {
		dims, rep = make([]int, 0, rank), make([]int, 0, rank)
	}
	for i := 0; i < rank; i++ {
		if out[i] == 1 {
			continue
		}
		if n := len(dims); n > 0 && samePattern(rep[n-1], i) {
			dims[n-1] *= out[i]
			continue
		}
		dims = append(dims, out[i])
		rep = append(rep, i)
	}
	if len(dims) == 0 {
		// Every operand is a single element, like the output.
		m.Same = true
		m.inner = 1
		return nil
	}
	if len(dims) == 1 {
		m.Same = true
		for _, s := range shapes {
			m.Same = m.Same && full(s, rep[0])
		}
	}
	last := len(dims) - 1
	m.inner = dims[last]
	m.nouter = last
	if k > maxOperands || last > maxInline {
		sp := &multiSpill{dims: append([]int(nil), dims[:last]...), strides: make([][]int, k), innerS: make([]int, k)}
		for j := range sp.strides {
			sp.strides[j] = make([]int, last)
		}
		m.spill = sp
	} else {
		copy(m.dims[:], dims[:last])
	}
	for j, s := range shapes {
		stride := 1
		if full(s, rep[last]) {
			m.setInner(j, 1)
			stride = m.inner
		}
		for i := last - 1; i >= 0; i-- {
			if full(s, rep[i]) {
				m.setStride(j, i, stride)
				stride *= dims[i]
			}
		}
	}
	return nil
}

func (m *Multi) setInner(j, v int) {
	if m.spill != nil {
		m.spill.innerS[j] = v
		return
	}
	m.innerS[j] = v
}

func (m *Multi) setStride(j, i, v int) {
	if m.spill != nil {
		m.spill.strides[j][i] = v
		return
	}
	m.strides[j][i] = v
}

func (m *Multi) dim(i int) int {
	if m.spill != nil {
		return m.spill.dims[i]
	}
	return m.dims[i]
}

func (m *Multi) stride(j, i int) int {
	if m.spill != nil {
		return m.spill.strides[j][i]
	}
	return m.strides[j][i]
}

// Inner returns operand j's stride along every row: 1, or 0 when it is
// broadcast along the row.
func (m *Multi) Inner(j int) int {
	if m.spill != nil {
		return m.spill.innerS[j]
	}
	return m.innerS[j]
}

// Row is the row length.
func (m *Multi) Row() int { return m.inner }

// MultiIter walks the rows of a Multi in order:
//
//	it := m.Iter()
//	for it.Next() {
//		o := it.Out()      // offset of the row in the output
//		a := it.Off(0)     // offset of operand 0's first element
//		...
//	}
type MultiIter struct {
	m    *Multi
	out  int
	idx  [maxInline]int
	offs [maxOperands]int
	ext  *iterSpill
	done bool
}

type iterSpill struct{ idx, offs []int }

// Iter starts a walk over m's rows.
func (m *Multi) Iter() MultiIter {
	it := MultiIter{m: m, out: -m.inner, done: m.N == 0}
	if m.spill != nil {
		it.ext = &iterSpill{idx: make([]int, m.nouter), offs: make([]int, m.k)}
	}
	return it
}

// Next moves to the next row and reports whether there is one.
func (it *MultiIter) Next() bool {
	if it.done {
		return false
	}
	m := it.m
	if it.out < 0 {
		it.out = 0
		return true
	}
	it.out += m.inner
	if it.out >= m.N {
		it.done = true
		return false
	}
	var idx, offs []int
	if it.ext != nil {
		idx, offs = it.ext.idx, it.ext.offs
	} else {
		idx, offs = it.idx[:m.nouter], it.offs[:m.k]
	}
	for i := m.nouter - 1; i >= 0; i-- {
		idx[i]++
		for j := range offs {
			offs[j] += m.stride(j, i)
		}
		if idx[i] < m.dim(i) {
			break
		}
		for j := range offs {
			offs[j] -= idx[i] * m.stride(j, i)
		}
		idx[i] = 0
	}
	return true
}

// Out is the current row's offset in the output.
func (it *MultiIter) Out() int { return it.out }

// Off is operand j's offset at the start of the current row.
func (it *MultiIter) Off(j int) int {
	if it.ext != nil {
		return it.ext.offs[j]
	}
	return it.offs[j]
}

// Rows calls fn for every output row in order: out is the row's offset in
// the output, n its length, offs[k] operand k's offset and inner[k] its
// stride along the row. fn must not keep offs. (Iter does the same without
// a callback.)
func (m *Multi) Rows(fn func(out, n int, offs, inner []int)) {
	offs := make([]int, m.k)
	inner := make([]int, m.k)
	for j := range inner {
		inner[j] = m.Inner(j)
	}
	for it := m.Iter(); it.Next(); {
		for j := range offs {
			offs[j] = it.Off(j)
		}
		fn(it.Out(), m.inner, offs, inner)
	}
}
