package gemm

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	eng "github.com/onnxrun/onnxrun/operators/internal/gemm"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
	"github.com/onnxrun/onnxrun/operators/internal/memo"
)

// MatMul is numpy.matmul: 1-D operands are promoted to matrices (and the
// added dimension removed from the result), and leading batch dimensions
// broadcast.
type MatMul struct {
	last memo.Last[*mmPlan]
	cb   constB // B packed once when it is a constant matrix
}

func newMatMul(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 2, 2); err != nil {
		return nil, err
	}
	if len(n.Inputs) != 2 {
		return nil, fmt.Errorf("%w: MatMul takes 2 inputs, got %d", operators.ErrInvalidModel, len(n.Inputs))
	}
	return &MatMul{}, nil
}

// plan is the result of matching two shapes.
type mmPlan struct {
	out        []int // output shape
	batch      []int // broadcast batch shape
	aBatch     []int // A's batch dims, left-padded with 1s to len(batch)
	bBatch     []int
	m, n, k    int
	aVec, bVec bool
}

func planMatMul(a, b []int) (*mmPlan, error) {
	if len(a) == 0 {
		return nil, shapeErr(0, "A", "is a scalar; MatMul needs rank >= 1")
	}
	if len(b) == 0 {
		return nil, shapeErr(1, "B", "is a scalar; MatMul needs rank >= 1")
	}
	p := &mmPlan{}
	if len(a) == 1 {
		a = []int{1, a[0]}
		p.aVec = true
	}
	if len(b) == 1 {
		b = []int{b[0], 1}
		p.bVec = true
	}
	p.m, p.k = a[len(a)-2], a[len(a)-1]
	kb := b[len(b)-2]
	p.n = b[len(b)-1]
	if p.k >= 0 && kb >= 0 && p.k != kb {
		return nil, shapeErr(1, "B", "inner dimension %d does not match A's %d (A %v, B %v)", kb, p.k, a, b)
	}
	ab, bb := a[:len(a)-2], b[:len(b)-2]
	r := max(len(ab), len(bb))
	p.batch = make([]int, r)
	p.aBatch = make([]int, r)
	p.bBatch = make([]int, r)
	for i := 0; i < r; i++ {
		da, db := 1, 1
		if j := i - (r - len(ab)); j >= 0 {
			da = ab[j]
		}
		if j := i - (r - len(bb)); j >= 0 {
			db = bb[j]
		}
		p.aBatch[i], p.bBatch[i] = da, db
		switch {
		case da == db || db == 1:
			p.batch[i] = da
		case da == 1:
			p.batch[i] = db
		case da < 0 || db < 0:
			p.batch[i] = -1
		default:
			return nil, shapeErr(1, "B", "batch dimensions %v do not broadcast with A's %v", bb, ab)
		}
	}
	p.out = append([]int(nil), p.batch...)
	if !p.aVec {
		p.out = append(p.out, p.m)
	}
	if !p.bVec {
		p.out = append(p.out, p.n)
	}
	return p, nil
}

// Infer implements operators.Op.
func (mm *MatMul) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if err := checkFloat(in); err != nil {
		return nil, err
	}
	mm.cb.see(consts)
	out := operators.Meta{DType: in[0].DType}
	if !in[0].HasShape || !in[1].HasShape {
		return []operators.Meta{out}, nil
	}
	p, err := planMatMul(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	out.Shape, out.HasShape = p.out, true
	return []operators.Meta{out}, nil
}

// Run implements operators.Op.
func (mm *MatMul) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	a, b := in[0], in[1]
	if a.DType != b.DType || (a.DType != operators.Float32 && a.DType != operators.Float64) {
		if err := checkFloat([]operators.Meta{a.Meta(), b.Meta()}); err != nil {
			return err
		}
	}
	p, ok := mm.last.Get(a.Shape, b.Shape)
	if !ok {
		var err error
		if p, err = planMatMul(a.Shape, b.Shape); err != nil {
			return err
		}
		mm.last.Put(p, a.Shape, b.Shape)
	}
	y, err := rc.AllocValue(a.DType, p.out, false)
	if err != nil {
		return err
	}
	out[0] = y
	threads := 1
	if rc != nil {
		threads = rc.Threads
	}
	// A constant B shared by every batch (a weight matrix) is packed once;
	// A's batches are contiguous rows of one GEMM.
	packable := !p.bVec && operators.NumElements(p.batch) > 0 && p.m > 0 && p.n > 0 && p.k > 0
	for _, d := range p.bBatch {
		packable = packable && d == 1
	}
	switch a.DType {
	case operators.Float32:
		e := eng.F32()
		if packable {
			if pb := mm.cb.packed32(b, e, false, p.k, p.n, p.n); pb != nil {
				e.GemmPackedB(false, operators.NumElements(p.batch)*p.m, 1, a.F32(), p.k, pb, 0, y.F32(), p.n, threads)
				break
			}
		}
		runMatMul(p, a.F32(), b.F32(), y.F32(), threads, e)
	case operators.Float64:
		e := eng.F64()
		if packable {
			if pb := mm.cb.packed64(b, e, false, p.k, p.n, p.n); pb != nil {
				e.GemmPackedB(false, operators.NumElements(p.batch)*p.m, 1, a.F64(), p.k, pb, 0, y.F64(), p.n, threads)
				break
			}
		}
		runMatMul(p, a.F64(), b.F64(), y.F64(), threads, e)
	}
	return nil
}

func runMatMul[T eng.Float](p *mmPlan, a, b, y []T, threads int, e *eng.Engine[T]) {
	m, n, k := p.m, p.n, p.k
	nb := operators.NumElements(p.batch)
	if nb == 0 || m == 0 || n == 0 {
		return
	}
	bBroadcast := true // B is the same matrix for every batch
	for _, d := range p.bBatch {
		if d != 1 {
			bBroadcast = false
		}
	}
	if bBroadcast {
		// A's batches are contiguous rows: one [nbA*m, k] × [k, n] GEMM.
		// A's batch count equals the output's here since B has none.
		e.Gemm(false, false, nb*m, n, k, 1, a, k, b, n, 0, y, n, threads)
		return
	}
	r := len(p.batch)
	idx := make([]int, r)
	// Strides (in matrices) of A's and B's batch dimensions; 0 where broadcast.
	sa, sb := make([]int, r), make([]int, r)
	ma, mb := 1, 1
	for i := r - 1; i >= 0; i-- {
		if p.aBatch[i] != 1 {
			sa[i] = ma
		}
		if p.bBatch[i] != 1 {
			sb[i] = mb
		}
		ma *= p.aBatch[i]
		mb *= p.bBatch[i]
	}
	for t := 0; t < nb; t++ {
		oa, ob := 0, 0
		for i := 0; i < r; i++ {
			oa += idx[i] * sa[i]
			ob += idx[i] * sb[i]
		}
		e.Gemm(false, false, m, n, k, 1, a[oa*m*k:], k, b[ob*k*n:], n, 0, y[t*m*n:], n, threads)
		for i := r - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < p.batch[i] {
				break
			}
			idx[i] = 0
		}
	}
}
