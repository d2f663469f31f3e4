package broadcast

import (
	"fmt"
	"slices"
	"sync"

	"github.com/onnxrun/onnxrun/operators"
)

// Shape returns the broadcast of shapes: aligned at the trailing dimension,
// each output dimension is the one non-1 size among the operands (or 1).
// Unknown dimensions (-1, as in operators.Meta) are allowed: a -1 against 1
// or -1 stays -1, and against a known size n > 1 becomes n. The error wraps
// operators.ErrShape and names the operands that disagree.
func Shape(shapes ...[]int) ([]int, error) { return shapeOf(shapes) }

// shapeOf is Shape without the variadic slice, so callers can pass a stack
// array; nothing it is given escapes (error messages format copies).
func shapeOf(shapes [][]int) ([]int, error) { return shapeInto(nil, shapes) }

// shapeInto is shapeOf writing into dst when it has room.
func shapeInto(dst []int, shapes [][]int) ([]int, error) {
	rank := 0
	for _, s := range shapes {
		rank = max(rank, len(s))
	}
	var out []int
	if dst != nil && rank <= cap(dst) {
		out = dst[:rank]
	} else {
		out = make([]int, rank)
	}
	for i := range out {
		out[i] = 1
	}
	for k, s := range shapes {
		off := rank - len(s)
		for i, d := range s {
			o := &out[off+i]
			switch {
			case d == 1:
			case d == -1:
				if *o == 1 {
					*o = -1
				}
			case *o == 1 || *o == -1:
				*o = d
			case *o != d:
				j := culprit(shapes[:k], rank, off+i, *o)
				return nil, fmt.Errorf("%w: input %d has shape %v, input %d has shape %v: dimension %d is %d vs %d",
					operators.ErrShape, j, slices.Clone(shapes[j]), k, slices.Clone(s), off+i, *o, d)
			}
		}
	}
	return out, nil
}

// culprit returns the first of shapes whose size at output dimension i is
// d (for error messages).
func culprit(shapes [][]int, rank, i, d int) int {
	for k, s := range shapes {
		if j := i - (rank - len(s)); j >= 0 && s[j] == d {
			return k
		}
	}
	return 0
}

// kind is how the loop runs.
type kind uint8

const (
	empty  kind = iota // no output elements
	flatVV             // same shape: one vector-vector loop
	flatVS             // b is a single element
	flatSV             // a is a single element
	rows               // rows of the innermost merged dimension
)

// maxInline is how many merged dimensions a Binary holds without
// allocating; deeper problems spill to the heap.
const maxInline = 6

// Binary is the iteration plan for one binary operation: the output shape
// and the merged dimensions with each operand's strides (0 where that
// operand is broadcast). Build it with NewBinary on every run (it is cheap)
// or once when shapes are fixed; it is read-only afterwards.
type Binary struct {
	Out []int // the output shape
	N   int   // the number of output elements

	kind   kind
	inner  int // length of a row (the innermost merged dimension)
	nrows  int // number of rows
	innerA int // 1 if a varies along the row, 0 if a is constant on it
	innerB int
	// The outer merged dimensions (all but the innermost), outermost first,
	// and the operands' strides in elements along them: the first nouter
	// entries of buf's three rows, or of spill when they do not fit. (No
	// field points into the plan itself, so a plan can live on the stack.)
	nouter int
	buf    [3][maxInline]int
	spill  *[3][]int
}

// outer returns the outer dimensions and the two operands' strides.
func (p *Binary) outer() (dims, sa, sb []int) {
	if p.spill != nil {
		return p.spill[0], p.spill[1], p.spill[2]
	}
	return p.buf[0][:p.nouter], p.buf[1][:p.nouter], p.buf[2][:p.nouter]
}

// NewBinary plans c = f(a, b) for operand shapes a and b. It fails, with an
// error wrapping operators.ErrShape, when the shapes do not broadcast or
// hold unknown dimensions.
func NewBinary(a, b []int) (*Binary, error) {
	p := &Binary{}
	return p, p.Init(a, b)
}

// Init is NewBinary into an existing plan, which may be reused.
func (p *Binary) Init(a, b []int) error {
	*p = Binary{}
	ab := [2][]int{a, b}
	for _, s := range ab {
		for _, d := range s {
			if d < 0 {
				return fmt.Errorf("%w: shape %v has a negative dimension", operators.ErrShape, slices.Clone(s))
			}
		}
	}
	// The output shape is worked out on the stack; the plan keeps an
	// operand's own shape when it is the output's (a bias or scale
	// broadcast against a tensor), so only operands that both expand
	// cost an allocation.
	var obuf [8]int
	o, err := shapeInto(obuf[:], ab[:])
	if err != nil {
		return err
	}
	var out []int
	switch {
	case slices.Equal(o, a):
		out = a
	case slices.Equal(o, b):
		out = b
	default:
		out = slices.Clone(o)
	}
	p.Out = out
	p.N = operators.NumElements(out)
	if p.N < 0 {
		return fmt.Errorf("%w: output shape %v is too large", operators.ErrShape, out)
	}
	if p.N == 0 {
		p.kind = empty
		return nil
	}
	rank := len(out)
	at := func(s []int, i int) int { // s's size at output dimension i
		j := i - (rank - len(s))
		if j < 0 {
			return 1
		}
		return s[j]
	}
	// Merge dimensions: drop size-1 output dimensions, and fuse runs where
	// a is full (or broadcast) and b is full (or broadcast) in the same way.
	var (
		mdims              [64]int
		mfa, mfb           [64]bool
		dims               = mdims[:0]
		fullA, fullB       = mfa[:0], mfb[:0]
		anyFullA, anyFullB bool
	)
	if rank > len(mdims) {
		dims = make([]int, 0, rank)
		fullA = make([]bool, 0, rank)
		fullB = make([]bool, 0, rank)
	}
	for i := 0; i < rank; i++ {
		if out[i] == 1 {
			continue
		}
		fa, fb := at(a, i) != 1, at(b, i) != 1
		anyFullA = anyFullA || fa
		anyFullB = anyFullB || fb
		if n := len(dims); n > 0 && fullA[n-1] == fa && fullB[n-1] == fb {
			dims[n-1] *= out[i]
			continue
		}
		dims = append(dims, out[i])
		fullA = append(fullA, fa)
		fullB = append(fullB, fb)
	}
	switch {
	case len(dims) <= 1 && anyFullA == anyFullB:
		// Same shape up to size-1 dimensions (or both single elements).
		p.kind = flatVV
		return nil
	case !anyFullB:
		p.kind = flatVS
		return nil
	case !anyFullA:
		p.kind = flatSV
		return nil
	}
	p.kind = rows
	last := len(dims) - 1
	p.inner = dims[last]
	p.nrows = p.N / p.inner
	if fullA[last] {
		p.innerA = 1
	}
	if fullB[last] {
		p.innerB = 1
	}
	p.nouter = last
	if last > maxInline {
		p.spill = &[3][]int{make([]int, last), make([]int, last), make([]int, last)}
	}
	pd, sa, sb := p.outer()
	copy(pd, dims[:last])
	strideA, strideB := 1, 1
	if fullA[last] {
		strideA = p.inner
	}
	if fullB[last] {
		strideB = p.inner
	}
	for i := last - 1; i >= 0; i-- {
		if fullA[i] {
			sa[i] = strideA
			strideA *= dims[i]
		}
		if fullB[i] {
			sb[i] = strideB
			strideB *= dims[i]
		}
	}
	return nil
}

// Kernels are the three loops of one binary operation c = f(a, b). Each
// must handle any length, including 0.
type Kernels[T, U any] struct {
	VV func(c []U, a, b []T)   // c[i] = f(a[i], b[i])
	VS func(c []U, a []T, b T) // c[i] = f(a[i], b)
	SV func(c []U, a T, b []T) // c[i] = f(a, b[i])
}

// Units is the number of independent work units of p (elements for the
// flat cases, rows otherwise) and Unit their size in elements. Callers
// split [0, Units()) between goroutines and call Range on each part.
func (p *Binary) Units() int {
	switch p.kind {
	case empty:
		return 0
	case rows:
		return p.nrows
	}
	return p.N
}

// Unit is the number of elements in one work unit.
func (p *Binary) Unit() int {
	if p.kind == rows {
		return p.inner
	}
	return 1
}

// Apply computes c = f(a, b) over the whole plan, split between rc's
// threads when it is large enough (rc may be nil: one thread).
func Apply[T, U any](p *Binary, c []U, a, b []T, k Kernels[T, U], rc *operators.RunContext) {
	n := p.Units()
	if n == 0 {
		return
	}
	if rc == nil || rc.Threads <= 1 || p.N < parallelMin {
		Range(p, c, a, b, k, 0, n)
		return
	}
	// The goroutines get a pooled copy of the plan and operands, so the
	// caller's plan need not escape to the heap and nothing is allocated
	// per call.
	j := getJob[T, U]()
	j.p, j.c, j.a, j.b, j.k = *p, c, a, b, k
	rc.ParallelRange(n, max(1, parallelMin/p.Unit()), j)
	*j = applyJob[T, U]{}
	putJob(j)
}

// applyJob is one split Apply.
type applyJob[T, U any] struct {
	p    Binary
	c    []U
	a, b []T
	k    Kernels[T, U]
}

func (j *applyJob[T, U]) Range(lo, hi int) { Range(&j.p, j.c, j.a, j.b, j.k, lo, hi) }

// jobKey[T, U] names the pool of applyJob[T, U] in jobPools (a zero-size
// key fits in an interface without allocating).
type jobKey[T, U any] struct{}

var jobPools sync.Map // jobKey[T, U] -> *sync.Pool of *applyJob[T, U]

func poolOf[T, U any]() *sync.Pool {
	if p, ok := jobPools.Load(jobKey[T, U]{}); ok {
		return p.(*sync.Pool)
	}
	p, _ := jobPools.LoadOrStore(jobKey[T, U]{}, &sync.Pool{New: func() any { return new(applyJob[T, U]) }})
	return p.(*sync.Pool)
}

func getJob[T, U any]() *applyJob[T, U] { return poolOf[T, U]().Get().(*applyJob[T, U]) }

func putJob[T, U any](j *applyJob[T, U]) { poolOf[T, U]().Put(j) }

// parallelMin is the number of output elements below which a goroutine
// costs more than it saves.
const parallelMin = 1 << 15

// Range computes the work units [lo, hi) of p.
func Range[T, U any](p *Binary, c []U, a, b []T, k Kernels[T, U], lo, hi int) {
	switch p.kind {
	case empty:
	case flatVV:
		k.VV(c[lo:hi], a[lo:hi], b[lo:hi])
	case flatVS:
		k.VS(c[lo:hi], a[lo:hi], b[0])
	case flatSV:
		k.SV(c[lo:hi], a[0], b[lo:hi])
	case rows:
		rowsRange(p, c, a, b, k, lo, hi)
	}
}

func rowsRange[T, U any](p *Binary, c []U, a, b []T, k Kernels[T, U], lo, hi int) {
	n := p.inner
	dims, sa, sb := p.outer()
	outer := len(dims)
	// The odometer over the outer dimensions, started at row lo.
	var idxBuf [maxInline]int
	var idx []int
	if outer <= maxInline {
		idx = idxBuf[:outer]
	} else {
		idx = make([]int, outer)
	}
	offA, offB := 0, 0
	r := lo
	for i := outer - 1; i >= 0; i-- {
		idx[i] = r % dims[i]
		r /= dims[i]
		offA += idx[i] * sa[i]
		offB += idx[i] * sb[i]
	}
	for row := lo; row < hi; row++ {
		cr := c[row*n : row*n+n]
		switch {
		case p.innerA == 1 && p.innerB == 1:
			k.VV(cr, a[offA:offA+n], b[offB:offB+n])
		case p.innerA == 1:
			k.VS(cr, a[offA:offA+n], b[offB])
		default:
			k.SV(cr, a[offA], b[offB:offB+n])
		}
		// Advance the odometer.
		for i := outer - 1; i >= 0; i-- {
			idx[i]++
			offA += sa[i]
			offB += sb[i]
			if idx[i] < dims[i] {
				break
			}
			offA -= idx[i] * sa[i]
			offB -= idx[i] * sb[i]
			idx[i] = 0
		}
	}
}
