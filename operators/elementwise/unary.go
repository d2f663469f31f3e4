package elementwise

import (
	"fmt"
	"math"
	"sync"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/operators"
)

// unaryLoop computes elements [lo, hi) of y = f(x).
type unaryLoop func(y, x *operators.Value, lo, hi int)

// loops maps each supported element type to its loop.
type loops map[operators.DType]unaryLoop

// typed wraps a loop over typed slices.
func typed[T operators.Element](f func(y, x []T)) unaryLoop {
	return func(y, x *operators.Value, lo, hi int) {
		f(operators.View[T](y.Raw)[lo:hi], operators.View[T](x.Raw)[lo:hi])
	}
}

// halfLoop runs a float32 loop over a 16-bit float tensor a block at a
// time.
func halfLoop(f func(y, x []float32), hc halfCodec) unaryLoop {
	return func(y, x *operators.Value, lo, hi int) {
		ys, xs := y.U16()[lo:hi], x.U16()[lo:hi]
		buf := halfBufs.Get().(*[3][halfBlock]float32)
		defer halfBufs.Put(buf)
		fx, fy := &buf[0], &buf[1]
		for s := 0; s < len(ys); s += halfBlock {
			n := min(halfBlock, len(ys)-s)
			for i, h := range xs[s : s+n] {
				fx[i] = hc.from(h)
			}
			f(fy[:n], fx[:n])
			for i, v := range fy[:n] {
				ys[s+i] = hc.to(v)
			}
		}
	}
}

// floatLoops serves float32, float64, float16 and bfloat16 from a float32
// and a float64 loop.
func floatLoops(f32 func(y, x []float32), f64 func(y, x []float64)) loops {
	return loops{
		operators.Float32:  typed(f32),
		operators.Float64:  typed(f64),
		operators.Float16:  halfLoop(f32, f16),
		operators.BFloat16: halfLoop(f32, bf16),
	}
}

// mathLoops builds float loops from a float64 function; float32 results
// are computed in float64 and rounded once, so they are within an ULP or
// so of exact.
func mathLoops(f func(float64) float64) loops {
	return floatLoops(
		func(y, x []float32) {
			x = x[:len(y)]
			for i := range y {
				y[i] = float32(f(float64(x[i])))
			}
		},
		func(y, x []float64) {
			x = x[:len(y)]
			for i := range y {
				y[i] = f(x[i])
			}
		})
}

// unary is a one-input, one-output element-wise map whose output has the
// input's type and shape.
type unary struct {
	name  string
	loops loops
}

// unaryFactory returns a factory for an operator without attributes.
func unaryFactory(name string, l loops) operators.Factory {
	op := &unary{name: name, loops: l}
	return func(*operators.Node) (operators.Op, error) { return op, nil }
}

func (o *unary) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: %s takes 1 input, got %d", operators.ErrInvalidModel, o.name, len(in))
	}
	if o.loops[in[0].DType] == nil {
		return nil, unsupported(o.name, in[0].DType)
	}
	return []operators.Meta{in[0]}, nil
}

// unaryChunk is the number of elements worth a goroutine.
const unaryChunk = 1 << 14

func (o *unary) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if err := checkInputs(o.name, in, 1); err != nil {
		return err
	}
	x := in[0]
	f := o.loops[x.DType]
	if f == nil {
		return unsupported(o.name, x.DType)
	}
	y, err := rc.AllocValue(x.DType, x.Shape, false)
	if err != nil {
		return err
	}
	parallel(rc, x.Len(), f, y, x)
	out[0] = y
	return nil
}

func registerUnary() {
	register(
		// Exp and Log: opset 6 drops consumed_inputs, opset 13 adds
		// bfloat16; the computation never changed.
		operators.Registration{OpType: "Exp", Since: 1, New: newExp},
		operators.Registration{OpType: "Log", Since: 1, New: unaryFactory("Log", mathLoops(math.Log))},
	)
}

// parallel runs f over [0, n), split between goroutines when n is large
// enough and rc allows, through a pooled job, so no run allocates for it.
func parallel(rc *operators.RunContext, n int, f unaryLoop, y, x *operators.Value) {
	if rc == nil || rc.Threads <= 1 || n < 2*unaryChunk {
		f(y, x, 0, n)
		return
	}
	j := unaryJobs.Get().(*unaryJob)
	j.f, j.y, j.x = f, y, x
	rc.ParallelRange(n, unaryChunk, j)
	*j = unaryJob{}
	unaryJobs.Put(j)
}

// unaryJob is a unary loop split between goroutines.
type unaryJob struct {
	f    unaryLoop
	y, x *operators.Value
}

func (j *unaryJob) Range(lo, hi int) { j.f(j.y, j.x, lo, hi) }

var unaryJobs = sync.Pool{New: func() any { return new(unaryJob) }}

// newExp binds the exponential kernels of the dispatch table in force when
// the model is loaded: float32 (and float16/bfloat16 through it) use the
// SIMD kernel, within 1 ULP of exp rounded from float64.
func newExp(*operators.Node) (operators.Op, error) {
	k := dispatch.Active()
	return &unary{name: "Exp", loops: floatLoops(k.ExpF32, k.ExpF64)}, nil
}

// newSigmoid computes float32 1/(1+exp(-x)) with the dispatch table's
// exponential, in place in the output: negate, exponentiate, then take the
// reciprocal of one plus. Each step rounds once, so the result is within a
// few ULP. Below -80, where exp(-x) nears overflow, it takes exp(x) in
// float64 instead. float64 uses the math package.
func newSigmoid(*operators.Node) (operators.Op, error) {
	exp := dispatch.Active().ExpF32
	f32 := func(y, x []float32) {
		x = x[:len(y)]
		for i, v := range x {
			y[i] = -v
		}
		exp(y, y)
		for i, e := range y {
			if v := x[i]; v < -80 {
				// exp(-x) is near or past float32 overflow; sigmoid(x) is
				// exp(x) to float32 precision (down to subnormals).
				y[i] = float32(math.Exp(float64(v)))
				continue
			}
			y[i] = 1 / (1 + e)
		}
	}
	f64 := func(y, x []float64) {
		x = x[:len(y)]
		for i, v := range x {
			y[i] = sigmoid(v)
		}
	}
	return &unary{name: "Sigmoid", loops: floatLoops(f32, f64)}, nil
}

// tanhSmall is where Tanh switches from the exponential form, which loses
// relative precision near 0 (1 - 2/(e+1) cancels), to math.Tanh.
const tanhSmall = 0.625

// newTanh computes float32 tanh(x) = 1 - 2/(exp(2x)+1) with the dispatch
// table's exponential for |x| >= tanhSmall, and math.Tanh in float64 below
// it; both are within a few ULP. Overflowing exp(2x) gives exactly ±1.
// float64 uses the math package.
func newTanh(*operators.Node) (operators.Op, error) {
	exp := dispatch.Active().ExpF32
	f32 := func(y, x []float32) {
		x = x[:len(y)]
		for i, v := range x {
			y[i] = 2 * v
		}
		exp(y, y)
		for i, e := range y {
			if v := x[i]; v > -tanhSmall && v < tanhSmall {
				y[i] = float32(math.Tanh(float64(v)))
				continue
			}
			y[i] = 1 - 2/(e+1)
		}
	}
	f64 := func(y, x []float64) {
		x = x[:len(y)]
		for i, v := range x {
			y[i] = math.Tanh(v)
		}
	}
	return &unary{name: "Tanh", loops: floatLoops(f32, f64)}, nil
}
