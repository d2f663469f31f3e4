package operators

import (
	"math"

	"github.com/onnxrun/onnxrun/dispatch"
)

// ActKind names an elementwise activation a producing operator can apply
// to its own output (an epilogue), so the runtime can drop the separate
// activation node when nothing else reads the producer's output.
type ActKind uint8

const (
	ActNone      ActKind = iota
	ActRelu              // max(x, 0)
	ActClip              // min(max(x, Min), Max)
	ActLeakyRelu         // x if x >= 0 else Alpha*x
	ActHardSwish         // x * max(0, min(1, x/6 + 1/2))
	ActSigmoid           // 1 / (1 + exp(-x))
)

// Activation is one activation with its parameters. The zero value is no
// activation.
type Activation struct {
	Kind     ActKind
	Min, Max float32 // ActClip bounds (-Inf/+Inf when absent)
	Alpha    float32 // ActLeakyRelu slope
}

// Fuser is implemented by operators that can apply an activation to their
// output in their epilogue. Fuse returns an operator computing act(op(x))
// for the same inputs and node, or false when it cannot (it already has an
// activation, say). The receiver is left unchanged: the returned operator
// is a new one.
type Fuser interface {
	Fuse(act Activation) (Op, bool)
}

// ResidualFuser is implemented by operators that can add a tensor of
// their output's shape to their output in their epilogue, so the runtime
// can drop the Add of a residual connection, Add(op(x), skip), when
// nothing else reads op's output. FuseResidual returns an operator that
// takes skip as input number skipInput (omitted optional inputs before it
// are passed as nil) and computes op(x) + skip, adding as Add does (one
// rounding per element, so the bits are Add's), before any activation
// fused afterwards. The receiver is left unchanged; ok is false when the
// operator cannot (it already has an activation, say).
type ResidualFuser interface {
	FuseResidual() (op Op, skipInput int, ok bool)
}

// Activate applies a to every element of x in place, rounding each result
// to T as the standalone operator would (HardSwish and Sigmoid are
// computed in float64 and rounded once, so Sigmoid may differ from a
// vectorised Sigmoid by about 1 ULP).
func Activate[T ~float32 | ~float64](a Activation, x []T) {
	switch a.Kind {
	case ActRelu, ActClip:
		lo, hi := T(0), T(math.Inf(1))
		if a.Kind == ActClip {
			lo, hi = T(a.Min), T(a.Max)
		}
		if x32, ok := any(x).([]float32); ok {
			// The dispatch clamp gives the bits of Relu's and Clip's
			// compare loops (NaN and signed zeros included).
			dispatch.Active().ClampF32(x32, float32(lo), float32(hi))
			return
		}
		// Go's min/max are branch-free, several times faster than a
		// compare and branch on data of random sign. NaN stays NaN; a
		// zero at a bound may change sign.
		for i, v := range x {
			x[i] = min(max(v, lo), hi)
		}
	case ActLeakyRelu:
		al := T(a.Alpha)
		for i, v := range x {
			if v < 0 {
				x[i] = al * v
			}
		}
	case ActHardSwish:
		for i, v := range x {
			f := float64(v)
			x[i] = T(f * math.Max(0, math.Min(1, f/6+0.5)))
		}
	case ActSigmoid:
		for i, v := range x {
			x[i] = T(1 / (1 + math.Exp(-float64(v))))
		}
	}
}
