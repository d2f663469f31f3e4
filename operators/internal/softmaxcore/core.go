package softmaxcore

import (
	"fmt"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/operators"
)

// Kind says which of the two operators an Op computes.
type Kind uint8

const (
	// Softmax computes exp(x - max) / sum(exp(x - max)).
	Softmax Kind = iota
	// LogSoftmax computes (x - max) - log(sum(exp(x - max))).
	LogSoftmax
)

// String returns the ONNX op type.
func (k Kind) String() string {
	if k == LogSoftmax {
		return "LogSoftmax"
	}
	return "Softmax"
}

// Coerce2DBefore is the first since-version with single-axis semantics:
// versions before it coerce the input to 2-D at the axis.
const Coerce2DBefore = 13

// Op is a built Softmax or LogSoftmax node. It is immutable after New and
// safe for concurrent Runs.
type Op struct {
	kind   Kind
	since  int
	legacy bool  // since < 13: coerce to [prod(d[:axis]), prod(d[axis:])]
	axis   int64 // as written in the model (may be negative)
	bf16   bool  // bfloat16 is in the type constraint (since 13)
	input  string

	k32 kern[float32]
	k64 kern[float64]
}

// New builds the operator of the given kind for a node whose chosen
// implementation has since-version since (1, 11 or 13), with the kernels of
// dispatch.Active.
func New(n *operators.Node, kind Kind, since int) (*Op, error) {
	return NewWith(n, kind, since, dispatch.Active())
}

// NewWith is New with an explicit kernel table (tests run every tier).
func NewWith(n *operators.Node, kind Kind, since int, k *dispatch.Kernels) (*Op, error) {
	if k == nil {
		return nil, fmt.Errorf("%v: no kernel table", kind)
	}
	legacy := since < Coerce2DBefore
	def := int64(-1)
	if legacy {
		def = 1
	}
	axis, err := n.Int("axis", def)
	if err != nil {
		return nil, err
	}
	if len(n.Inputs) > 1 {
		return nil, fmt.Errorf("%w: %v takes 1 input, the node has %d", operators.ErrInvalidModel, kind, len(n.Inputs))
	}
	if len(n.Outputs) > 1 {
		return nil, fmt.Errorf("%w: %v has 1 output, the node has %d", operators.ErrInvalidModel, kind, len(n.Outputs))
	}
	name := "input"
	if len(n.Inputs) == 1 && n.Inputs[0] != "" {
		name = n.Inputs[0]
	}
	return &Op{
		kind:   kind,
		since:  since,
		legacy: legacy,
		axis:   axis,
		bf16:   since >= 13,
		input:  name,
		k32:    kernels32(k),
		k64:    kernels64(k),
	}, nil
}

// Kind returns the operator the Op computes.
func (o *Op) Kind() Kind { return o.kind }

// Axis returns the axis attribute as written (or its default).
func (o *Op) Axis() int64 { return o.axis }

// Coerces2D reports whether the Op has the pre-13 semantics.
func (o *Op) Coerces2D() bool { return o.legacy }

func (o *Op) checkType(dt operators.DType) error {
	switch dt {
	case operators.Float32, operators.Float64, operators.Float16:
		return nil
	case operators.BFloat16:
		if o.bf16 {
			return nil
		}
	}
	allowed := "float32, float64 or float16"
	if o.bf16 {
		allowed = "float32, float64, float16 or bfloat16"
	}
	return fmt.Errorf("%w: input %q of %v-%d is %v; want %s", operators.ErrUnsupportedType, o.input, o.kind, o.since, dt, allowed)
}

// geom is the shape of the work: outer independent groups, each
// normalising vectors of length d whose elements are inner apart.
type geom struct{ outer, d, inner int }

func (g geom) size() int { return g.outer * g.d * g.inner }

// geometry resolves the axis against a concrete shape.
func (o *Op) geometry(shape []int) (geom, error) {
	if operators.NumElements(shape) < 0 {
		return geom{}, fmt.Errorf("%w: input %q of %v has shape %v", operators.ErrShape, o.input, o.kind, shape)
	}
	k, err := operators.NormAxis("axis", o.axis, len(shape))
	if err != nil {
		return geom{}, err
	}
	g := geom{outer: 1, d: 1, inner: 1}
	for _, d := range shape[:k] {
		g.outer *= d
	}
	if o.legacy {
		for _, d := range shape[k:] {
			g.d *= d
		}
		return g, nil
	}
	g.d = shape[k]
	for _, d := range shape[k+1:] {
		g.inner *= d
	}
	return g, nil
}

// Infer returns the input's type and shape. It checks the axis as soon as
// the rank is known.
func (o *Op) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: %v takes 1 input, got %d", operators.ErrInvalidModel, o.kind, len(in))
	}
	m := in[0]
	if err := o.checkType(m.DType); err != nil {
		return nil, err
	}
	if !m.HasShape {
		return []operators.Meta{{DType: m.DType}}, nil
	}
	if _, err := operators.NormAxis("axis", o.axis, len(m.Shape)); err != nil {
		return nil, err
	}
	return []operators.Meta{{DType: m.DType, Shape: append([]int(nil), m.Shape...), HasShape: true}}, nil
}

// Run computes the output into a value from rc's allocator.
func (o *Op) Run(rc *operators.RunContext, in []*operators.Value, out []*operators.Value) error {
	if len(in) != 1 || in[0] == nil {
		return fmt.Errorf("%w: %v takes 1 input, got %d", operators.ErrInvalidModel, o.kind, len(in))
	}
	if len(out) < 1 {
		return fmt.Errorf("%w: %v has 1 output, got room for %d", operators.ErrInvalidModel, o.kind, len(out))
	}
	x := in[0]
	if err := o.checkType(x.DType); err != nil {
		return err
	}
	g, err := o.geometry(x.Shape)
	if err != nil {
		return err
	}
	n, size := g.size(), x.DType.Size()
	if n > len(x.Raw)/size {
		return fmt.Errorf("%w: input %q of %v has %d bytes, too few for shape %v of %v", operators.ErrShape, o.input, o.kind, len(x.Raw), x.Shape, x.DType)
	}
	y, err := rc.AllocValue(x.DType, x.Shape, false)
	if err != nil {
		return err
	}
	if n > len(y.Raw)/size {
		return fmt.Errorf("%w: output of %v got %d bytes, too few for shape %v of %v", operators.ErrShape, o.kind, len(y.Raw), x.Shape, x.DType)
	}
	out[0] = y
	if n == 0 {
		return nil
	}
	lg := o.kind == LogSoftmax
	switch x.DType {
	case operators.Float32:
		run(&o.k32, lg, rc, y.F32()[:n], x.F32()[:n], g)
	case operators.Float64:
		run(&o.k64, lg, rc, y.F64()[:n], x.F64()[:n], g)
	case operators.Float16, operators.BFloat16:
		o.runHalf(rc, lg, y.U16()[:n], x.U16()[:n], x.DType == operators.BFloat16, g)
	}
	return nil
}
