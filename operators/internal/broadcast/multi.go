package broadcast

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
)

// Multi is the iteration plan for an operation of any number of operands
// (Where's three, Sum's many) when the binary Kernels do not fit. It merges
// dimensions like Binary and visits the output row by row, giving each
// operand's offset and its stride along the row (1, or 0 when that operand
// is broadcast along it).
type Multi struct {
	Out []int // the output shape
	N   int   // the number of output elements

	// Same is true when every operand has the output's shape (up to
	// leading 1s): callers can then run one flat loop over [0, N).
	Same bool

	inner   int     // row length
	dims    []int   // outer merged dimensions
	strides [][]int // strides[k][i]: operand k's stride along dims[i]
	innerS  []int   // operand k's stride along the row
}

// NewMulti plans an operation over operands of the given shapes. It fails,
// wrapping operators.ErrShape, when they do not broadcast.
func NewMulti(shapes ...[]int) (*Multi, error) {
	for _, s := range shapes {
		for _, d := range s {
			if d < 0 {
				return nil, fmt.Errorf("%w: shape %v has a negative dimension", operators.ErrShape, s)
			}
		}
	}
	out, err := Shape(shapes...)
	if err != nil {
		return nil, err
	}
	m := &Multi{Out: out, N: operators.NumElements(out)}
	if m.N < 0 {
		return nil, fmt.Errorf("%w: output shape %v is too large", operators.ErrShape, out)
	}
	k := len(shapes)
	m.innerS = make([]int, k)
	m.strides = make([][]int, k)
	if m.N == 0 {
		return m, nil
	}
	rank := len(out)
	full := func(s []int, i int) bool {
		j := i - (rank - len(s))
		return j >= 0 && s[j] != 1
	}
	// Merge dimensions whose full/broadcast pattern is the same for every
	// operand.
	var dims []int
	var pats [][]bool
	for i := 0; i < rank; i++ {
		if out[i] == 1 {
			continue
		}
		pat := make([]bool, k)
		for j, s := range shapes {
			pat[j] = full(s, i)
		}
		if n := len(dims); n > 0 && equalBools(pats[n-1], pat) {
			dims[n-1] *= out[i]
			continue
		}
		dims = append(dims, out[i])
		pats = append(pats, pat)
	}
	if len(dims) == 0 {
		// Every operand is a single element, like the output.
		m.Same = true
		dims, pats = []int{1}, [][]bool{make([]bool, k)}
	} else if len(dims) == 1 {
		m.Same = true
		for _, f := range pats[0] {
			m.Same = m.Same && f
		}
	}
	last := len(dims) - 1
	m.inner = dims[last]
	m.dims = dims[:last]
	for j := 0; j < k; j++ {
		m.strides[j] = make([]int, last)
		stride := 1
		if pats[last][j] {
			m.innerS[j] = 1
			stride = m.inner
		}
		for i := last - 1; i >= 0; i-- {
			if pats[i][j] {
				m.strides[j][i] = stride
				stride *= dims[i]
			}
		}
	}
	return m, nil
}

func equalBools(a, b []bool) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Rows calls fn for every output row in order: out is the row's offset in
// the output, n its length, offs[k] operand k's offset and inner[k] its
// stride along the row. fn must not keep offs.
func (m *Multi) Rows(fn func(out, n int, offs, inner []int)) {
	if m.N == 0 {
		return
	}
	k := len(m.innerS)
	offs := make([]int, k)
	idx := make([]int, len(m.dims))
	for o := 0; o < m.N; o += m.inner {
		fn(o, m.inner, offs, m.innerS)
		for i := len(m.dims) - 1; i >= 0; i-- {
			idx[i]++
			for j := range offs {
				offs[j] += m.strides[j][i]
			}
			if idx[i] < m.dims[i] {
				break
			}
			for j := range offs {
				offs[j] -= idx[i] * m.strides[j][i]
			}
			idx[i] = 0
		}
	}
}
