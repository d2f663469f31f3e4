package loss

import (
	"errors"
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

// The input and target of the examples in ONNX's operator description:
// N=2, C=3, d1=2.
var (
	exInput  = []float64{1, 2, 2, 2, 3, 2, 0, 1, 2, 2, 1, 2}
	exTarget = []int64{2, 1, 0, 2}
)

func example(dt operators.DType) (*operators.Value, *operators.Value) {
	t, _ := operators.FromSlice(append([]int64{}, exTarget...), []int{2, 2})
	return ot.Val(dt, []int{2, 3, 2}, exInput...), t
}

func TestNLLExamples(t *testing.T) {
	for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Float16} {
		x, tg := example(dt)
		w := ot.Val(dt, []int{3}, 0.2, 0.3, 0.1)
		// Example 1: no reduction.
		y := ot.MustExec(t, ot.MustBuild(t, "NegativeLogLikelihoodLoss", 13, 2, ot.String("reduction", "none")), x, tg)[0]
		ot.MustClose(t, y, []int{2, 2}, []float64{-3, -2, 0, -2}, 0, 0)
		// Example 2: weighted sum, -1.1.
		y = ot.MustExec(t, ot.MustBuild(t, "NegativeLogLikelihoodLoss", 13, 3, ot.String("reduction", "sum")), x, tg, w)[0]
		ot.MustClose(t, y, []int{}, []float64{-1.1}, 1e-3, 0)
		// Example 3: weighted mean, -1.1 / 0.5 (weights 0.1+0.3+0.2... of the targets: 0.1, 0.3, 0.2, 0.1 -> 0.7).
		y = ot.MustExec(t, ot.MustBuild(t, "NegativeLogLikelihoodLoss", 13, 3), x, tg, w)[0]
		ot.MustClose(t, y, []int{}, []float64{-1.1 / 0.7}, 1e-3, 0)
		// Unweighted mean over the 4 samples: (-3-2-0-2)/4.
		y = ot.MustExec(t, ot.MustBuild(t, "NegativeLogLikelihoodLoss", 13, 2), x, tg)[0]
		ot.MustClose(t, y, []int{}, []float64{-7.0 / 4}, 1e-3, 0)
	}
}

func TestNLLIgnoreIndex(t *testing.T) {
	x, _ := example(operators.Float32)
	// -1 is ignored: it is not counted in the mean and is not an index.
	tg, _ := operators.FromSlice([]int32{2, -1, 0, 2}, []int{2, 2})
	op := ot.MustBuild(t, "NegativeLogLikelihoodLoss", 13, 2, ot.Int("ignore_index", -1))
	y := ot.MustExec(t, op, x, tg)[0]
	ot.MustClose(t, y, []int{}, []float64{(-3 - 0 - 2) / 3.0}, 1e-6, 0)
	none := ot.MustBuild(t, "NegativeLogLikelihoodLoss", 13, 2, ot.Int("ignore_index", -1), ot.String("reduction", "none"))
	y = ot.MustExec(t, none, x, tg)[0]
	ot.MustClose(t, y, []int{2, 2}, []float64{-3, 0, 0, -2}, 0, 0)
	// Without ignore_index, -1 is an out-of-range class.
	if _, err := ot.Exec(ot.MustBuild(t, "NegativeLogLikelihoodLoss", 13, 2), x, tg); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("class -1: %v", err)
	}
}

func TestSoftmaxCrossEntropy(t *testing.T) {
	x, tg := example(operators.Float32)
	op := ot.MustBuild(t, "SoftmaxCrossEntropyLoss", 13, 2, ot.String("reduction", "none"))
	out := ot.MustExec(t, op, x, tg)
	// Independent reference: p = exp(x_c) / sum exp(x_k) along C.
	logp := make([]float64, len(exInput))
	for b := 0; b < 2; b++ {
		for j := 0; j < 2; j++ {
			s := 0.0
			for k := 0; k < 3; k++ {
				s += math.Exp(exInput[(b*3+k)*2+j])
			}
			for k := 0; k < 3; k++ {
				logp[(b*3+k)*2+j] = math.Log(math.Exp(exInput[(b*3+k)*2+j]) / s)
			}
		}
	}
	want := make([]float64, 4)
	for s, c := range exTarget {
		b, j := s/2, s%2
		want[s] = -logp[(b*3+int(c))*2+j]
	}
	ot.MustClose(t, out[0], []int{2, 2}, want, 1e-6, 0)
	ot.MustClose(t, out[1], []int{2, 3, 2}, logp, 1e-6, 1e-7)
	// Large scores do not overflow the softmax.
	big := ot.Val(operators.Float32, []int{1, 2}, 1000, 0)
	cls, _ := operators.FromSlice([]int64{1}, []int{1})
	y := ot.MustExec(t, ot.MustBuild(t, "SoftmaxCrossEntropyLoss", 13, 2), big, cls)[0]
	ot.MustClose(t, y, []int{}, []float64{1000}, 1e-6, 0)
}

func TestLossErrors(t *testing.T) {
	var ae *operators.AttributeError
	if _, err := ot.Build("NegativeLogLikelihoodLoss", 13, 2, ot.String("reduction", "max")); !errors.As(err, &ae) || ae.Attr != "reduction" {
		t.Errorf("reduction max: %v", err)
	}
	op := ot.MustBuild(t, "NegativeLogLikelihoodLoss", 13, 2)
	x, _ := example(operators.Float32)
	bad, _ := operators.FromSlice([]int64{0, 1, 2}, []int{3})
	if _, err := ot.Exec(op, x, bad); !errors.Is(err, operators.ErrShape) {
		t.Errorf("target shape: %v", err)
	}
	if _, err := ot.Exec(op, x, ot.Val(operators.Float32, []int{2, 2}, 0, 0, 0, 0)); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("float target: %v", err)
	}
}
