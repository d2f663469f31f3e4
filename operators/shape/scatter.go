package shape

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

// indices64 reads an int64 or int32 index tensor.
func indices64(v *operators.Value, idx int) ([]int64, error) {
	n := v.Len()
	switch v.DType {
	case operators.Int64:
		return v.I64()[:n], nil
	case operators.Int32:
		out := make([]int64, n)
		for i, x := range v.I32()[:n] {
			out[i] = int64(x)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: input %d (indices) has type %v, want int64 or int32", operators.ErrUnsupportedType, idx, v.DType)
}

// GatherND gathers slices of data addressed by index tuples.
type GatherND struct{ batchDims int64 }

func newGatherND(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 2, 2); err != nil {
		return nil, err
	}
	b, err := n.Int("batch_dims", 0)
	if err != nil {
		return nil, err
	}
	if b < 0 {
		return nil, &operators.AttributeError{Attr: "batch_dims", Reason: fmt.Sprintf("is %d, want >= 0", b)}
	}
	return &GatherND{batchDims: b}, nil
}

func (g *GatherND) shape(data, idx []int) ([]int, error) {
	b := int(g.batchDims)
	if len(idx) < 1 || len(data) < 1 {
		return nil, inputErr(1, "indices", "data and indices need rank >= 1 (got %d and %d)", len(data), len(idx))
	}
	last := idx[len(idx)-1]
	if b >= len(idx) || b >= len(data) {
		return nil, &operators.AttributeError{Attr: "batch_dims", Reason: fmt.Sprintf("%d is not less than the ranks of data (%d) and indices (%d)", b, len(data), len(idx))}
	}
	if last < 0 || b+last > len(data) {
		return nil, inputErr(1, "indices", "tuples of %d indices address more than the %d dimensions of data after %d batch dimensions", last, len(data)-b, b)
	}
	for i := 0; i < b; i++ {
		if idx[i] != data[i] && idx[i] >= 0 && data[i] >= 0 {
			return nil, inputErr(1, "indices", "batch dimension %d is %d, data's is %d", i, idx[i], data[i])
		}
	}
	out := append(append([]int{}, idx[:len(idx)-1]...), data[b+last:]...)
	return out, nil
}

// Infer implements operators.Op.
func (g *GatherND) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if !knownShape(in[0]) || !knownShape(in[1]) {
		return unknown(in[0].DType), nil
	}
	out, err := g.shape(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	return known(in[0].DType, out), nil
}

// Run implements operators.Op.
func (g *GatherND) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x, iv := in[0], in[1]
	shape, err := g.shape(x.Shape, iv.Shape)
	if err != nil {
		return err
	}
	idx, err := indices64(iv, 1)
	if err != nil {
		return err
	}
	y, err := alloc(rc, x.DType, shape)
	if err != nil {
		return err
	}
	out[0] = y
	b := int(g.batchDims)
	last := iv.Shape[len(iv.Shape)-1]
	batches := operators.NumElements(x.Shape[:b])
	inner := operators.NumElements(x.Shape[b+last:])
	batchSize := operators.NumElements(x.Shape[b:])
	tuples := 0
	if batches > 0 {
		tuples = operators.NumElements(iv.Shape[:len(iv.Shape)-1]) / batches
	}
	xs := strides(x.Shape[b:])
	for bi := 0; bi < batches; bi++ {
		for t := 0; t < tuples; t++ {
			off := 0
			tup := idx[(bi*tuples+t)*last : (bi*tuples+t+1)*last]
			for k, v := range tup {
				d := int64(x.Shape[b+k])
				if v < -d || v >= d {
					return inputErr(1, "indices", "index %d is out of range for dimension %d of size %d", v, b+k, d)
				}
				if v < 0 {
					v += d
				}
				off += int(v) * xs[k]
			}
			copyRun(y, (bi*tuples+t)*inner, x, bi*batchSize+off, inner)
		}
	}
	return nil
}

// reducer combines an update into the output: none (replace), add, mul,
// max or min.
type reducer int

const (
	redNone reducer = iota
	redAdd
	redMul
	redMax
	redMin
)

func parseReduction(n *operators.Node) (reducer, error) {
	r, err := n.String("reduction", "none")
	if err != nil {
		return 0, err
	}
	switch r {
	case "none":
		return redNone, nil
	case "add":
		return redAdd, nil
	case "mul":
		return redMul, nil
	case "max", "min":
		if n.Opset < 18 {
			return 0, &operators.AttributeError{Attr: "reduction", Reason: r + " needs opset 18"}
		}
		if r == "max" {
			return redMax, nil
		}
		return redMin, nil
	}
	return 0, &operators.AttributeError{Attr: "reduction", Reason: fmt.Sprintf("%q is not none, add, mul, max or min", r)}
}

func combine[T float32 | float64 | int32 | int64](dst []T, src []T, r reducer) {
	for i, v := range src {
		switch r {
		case redAdd:
			dst[i] += v
		case redMul:
			dst[i] *= v
		case redMax:
			dst[i] = max(dst[i], v)
		case redMin:
			dst[i] = min(dst[i], v)
		}
	}
}

// update applies n elements of src at si onto dst at di.
func update(dst *operators.Value, di int, src *operators.Value, si, n int, r reducer) error {
	if r == redNone {
		copyRun(dst, di, src, si, n)
		return nil
	}
	switch dst.DType {
	case operators.Float32:
		combine(dst.F32()[di:di+n], src.F32()[si:si+n], r)
	case operators.Float64:
		combine(dst.F64()[di:di+n], src.F64()[si:si+n], r)
	case operators.Int32:
		combine(dst.I32()[di:di+n], src.I32()[si:si+n], r)
	case operators.Int64:
		combine(dst.I64()[di:di+n], src.I64()[si:si+n], r)
	default:
		return fmt.Errorf("%w: scatter reduction on %v", operators.ErrUnsupportedType, dst.DType)
	}
	return nil
}

// ScatterND writes slices of updates at index tuples of a copy of data.
type ScatterND struct{ red reducer }

func newScatterND(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 3, 3); err != nil {
		return nil, err
	}
	r, err := parseReduction(n)
	if err != nil {
		return nil, err
	}
	return &ScatterND{red: r}, nil
}

// Infer implements operators.Op.
func (s *ScatterND) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if in[2].DType != in[0].DType {
		return nil, fmt.Errorf("%w: updates have type %v, data %v", operators.ErrShape, in[2].DType, in[0].DType)
	}
	return []operators.Meta{in[0]}, nil
}

// Run implements operators.Op.
func (s *ScatterND) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x, iv, up := in[0], in[1], in[2]
	if up.DType != x.DType {
		return fmt.Errorf("%w: updates have type %v, data %v", operators.ErrShape, up.DType, x.DType)
	}
	if len(iv.Shape) < 1 {
		return inputErr(1, "indices", "is a scalar; ScatterND needs rank >= 1")
	}
	last := iv.Shape[len(iv.Shape)-1]
	if last > len(x.Shape) {
		return inputErr(1, "indices", "tuples of %d indices exceed data's rank %d", last, len(x.Shape))
	}
	want := append(append([]int{}, iv.Shape[:len(iv.Shape)-1]...), x.Shape[last:]...)
	if !equalInts(up.Shape, want) {
		return inputErr(2, "updates", "shape %v, want %v", up.Shape, want)
	}
	idx, err := indices64(iv, 1)
	if err != nil {
		return err
	}
	y, err := alloc(rc, x.DType, x.Shape)
	if err != nil {
		return err
	}
	out[0] = y
	copyRun(y, 0, x, 0, x.Len())
	inner := operators.NumElements(x.Shape[last:])
	xs := strides(x.Shape)
	tuples := operators.NumElements(iv.Shape[:len(iv.Shape)-1])
	for t := 0; t < tuples; t++ {
		off := 0
		for k, v := range idx[t*last : (t+1)*last] {
			d := int64(x.Shape[k])
			if v < -d || v >= d {
				return inputErr(1, "indices", "index %d is out of range for dimension %d of size %d", v, k, d)
			}
			if v < 0 {
				v += d
			}
			off += int(v) * xs[k]
		}
		if err := update(y, off, up, t*inner, inner, s.red); err != nil {
			return err
		}
	}
	return nil
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ScatterElements (and the older Scatter) writes each element of updates
// at its own coordinates, with the axis coordinate taken from indices.
type ScatterElements struct {
	axis int64
	red  reducer
}

func newScatterElements(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 3, 3); err != nil {
		return nil, err
	}
	a, err := n.Int("axis", 0)
	if err != nil {
		return nil, err
	}
	r, err := parseReduction(n)
	if err != nil {
		return nil, err
	}
	return &ScatterElements{axis: a, red: r}, nil
}

// Infer implements operators.Op.
func (s *ScatterElements) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if in[2].DType != in[0].DType {
		return nil, fmt.Errorf("%w: updates have type %v, data %v", operators.ErrShape, in[2].DType, in[0].DType)
	}
	return []operators.Meta{in[0]}, nil
}

// Run implements operators.Op.
func (s *ScatterElements) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x, iv, up := in[0], in[1], in[2]
	if up.DType != x.DType {
		return fmt.Errorf("%w: updates have type %v, data %v", operators.ErrShape, up.DType, x.DType)
	}
	if len(x.Shape) == 0 {
		return inputErr(0, "data", "is a scalar; ScatterElements needs rank >= 1")
	}
	ax, err := operators.NormAxis("axis", s.axis, len(x.Shape))
	if err != nil {
		return err
	}
	if !equalInts(iv.Shape, up.Shape) {
		return inputErr(2, "updates", "shape %v differs from indices' %v", up.Shape, iv.Shape)
	}
	if len(iv.Shape) != len(x.Shape) {
		return inputErr(1, "indices", "rank %d, data has rank %d", len(iv.Shape), len(x.Shape))
	}
	for i := range iv.Shape {
		if i != ax && iv.Shape[i] > x.Shape[i] {
			return inputErr(1, "indices", "shape %v exceeds data's %v outside axis %d", iv.Shape, x.Shape, ax)
		}
	}
	idx, err := indices64(iv, 1)
	if err != nil {
		return err
	}
	y, err := alloc(rc, x.DType, x.Shape)
	if err != nil {
		return err
	}
	out[0] = y
	copyRun(y, 0, x, 0, x.Len())
	xs := strides(x.Shape)
	r := len(iv.Shape)
	coord := make([]int, r)
	dim := int64(x.Shape[ax])
	for k := range idx {
		v := idx[k]
		if v < -dim || v >= dim {
			return inputErr(1, "indices", "index %d is out of range for axis %d of size %d", v, ax, dim)
		}
		if v < 0 {
			v += dim
		}
		off := 0
		for d := 0; d < r; d++ {
			c := coord[d]
			if d == ax {
				c = int(v)
			}
			off += c * xs[d]
		}
		if err := update(y, off, up, k, 1, s.red); err != nil {
			return err
		}
		for d := r - 1; d >= 0; d-- {
			coord[d]++
			if coord[d] < iv.Shape[d] {
				break
			}
			coord[d] = 0
		}
	}
	return nil
}

// Compress keeps the slices along axis (or the elements of the flattened
// input) whose condition is true.
type Compress struct {
	axis    int64
	hasAxis bool
}

func newCompress(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 2, 2); err != nil {
		return nil, err
	}
	a, err := n.Int("axis", 0)
	if err != nil {
		return nil, err
	}
	return &Compress{axis: a, hasAxis: n.Has("axis")}, nil
}

// Infer implements operators.Op.
func (c *Compress) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if in[1].DType != operators.Bool {
		return nil, fmt.Errorf("%w: input 1 (condition) has type %v, want bool", operators.ErrUnsupportedType, in[1].DType)
	}
	if !in[0].HasShape {
		return unknown(in[0].DType), nil
	}
	kept := -1 // unknown unless the condition is a constant
	if cv := constAt(consts, 1); cv != nil && cv.DType == operators.Bool {
		kept = 0
		for _, b := range cv.Bools()[:cv.Len()] {
			if b {
				kept++
			}
		}
	}
	if !c.hasAxis {
		return known(in[0].DType, []int{kept}), nil
	}
	out := append([]int(nil), in[0].Shape...)
	ax, err := operators.NormAxis("axis", c.axis, len(out))
	if err != nil {
		return nil, err
	}
	out[ax] = kept
	return known(in[0].DType, out), nil
}

// Run implements operators.Op.
func (c *Compress) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x, cv := in[0], in[1]
	if cv.DType != operators.Bool {
		return fmt.Errorf("%w: input 1 (condition) has type %v, want bool", operators.ErrUnsupportedType, cv.DType)
	}
	if len(cv.Shape) != 1 {
		return inputErr(1, "condition", "rank %d, want 1", len(cv.Shape))
	}
	cond := cv.Bools()[:cv.Len()]
	shape := []int{x.Len()}
	ax := 0
	if c.hasAxis {
		var err error
		if ax, err = operators.NormAxis("axis", c.axis, len(x.Shape)); err != nil {
			return err
		}
		shape = x.Shape
	}
	dim := shape[ax]
	if len(cond) > dim {
		return inputErr(1, "condition", "has %d entries, the axis has %d", len(cond), dim)
	}
	kept := 0
	for _, b := range cond {
		if b {
			kept++
		}
	}
	oshape := append([]int(nil), shape...)
	oshape[ax] = kept
	y, err := alloc(rc, x.DType, oshape)
	if err != nil {
		return err
	}
	out[0] = y
	outer := operators.NumElements(shape[:ax])
	inner := operators.NumElements(shape[ax+1:])
	o := 0
	for i := 0; i < outer; i++ {
		for j, b := range cond {
			if b {
				copyRun(y, o, x, (i*dim+j)*inner, inner)
				o += inner
			}
		}
	}
	return nil
}
