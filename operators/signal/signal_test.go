package signal

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

// refDFT is the definition, in complex128.
func refDFT(x []complex128, inverse bool) []complex128 {
	n := len(x)
	out := make([]complex128, n)
	sign := -1.0
	if inverse {
		sign = 1
	}
	for k := range out {
		for j, v := range x {
			out[k] += v * cmplx.Exp(complex(0, sign*2*math.Pi*float64(k*j)/float64(n)))
		}
		if inverse {
			out[k] /= complex(float64(n), 0)
		}
	}
	return out
}

func TestTransformLengths(t *testing.T) {
	r := rand.New(rand.NewSource(31))
	for _, n := range []int{1, 2, 3, 5, 8, 12, 16, 17, 64} {
		for _, inv := range []bool{false, true} {
			x := make([]complex128, n)
			re, im := make([]float64, n), make([]float64, n)
			for i := range x {
				re[i], im[i] = r.NormFloat64(), r.NormFloat64()
				x[i] = complex(re[i], im[i])
			}
			want := refDFT(x, inv)
			transform(re, im, inv)
			for k := range want {
				if d := cmplx.Abs(complex(re[k], im[k]) - want[k]); d > 1e-9*float64(n) {
					t.Fatalf("n=%d inverse=%v: bin %d off by %g", n, inv, k, d)
				}
			}
		}
	}
}

func TestDFTOp(t *testing.T) {
	// Input [2, 6, 1] (batch 2, real signal of 6), axis 1.
	x := make([]float64, 12)
	for i := range x {
		x[i] = float64(i%5) - 1.5
	}
	xv := ot.Val(operators.Float32, []int{2, 6, 1}, x...)
	expect := func(length int, onesided bool) ([]float64, []int) {
		bins := length
		if onesided {
			bins = length/2 + 1
		}
		var out []float64
		for b := 0; b < 2; b++ {
			sig := make([]complex128, length)
			for k := 0; k < min(6, length); k++ {
				sig[k] = complex(x[b*6+k], 0)
			}
			f := refDFT(sig, false)
			for k := 0; k < bins; k++ {
				out = append(out, real(f[k]), imag(f[k]))
			}
		}
		return out, []int{2, bins, 2}
	}
	for _, c := range []struct {
		length   int // 0: none given
		onesided bool
	}{{0, false}, {0, true}, {8, false}, {4, true}} {
		t.Run(fmt.Sprintf("len%d_onesided%v", c.length, c.onesided), func(t *testing.T) {
			attrs := []*operators.Attr{ot.Int("onesided", map[bool]int64{true: 1}[c.onesided])}
			in := []*operators.Value{xv}
			length := 6
			nIn := 1
			if c.length > 0 {
				l, _ := operators.FromSlice([]int64{int64(c.length)}, []int{})
				in, length, nIn = append(in, l), c.length, 2
			}
			op := ot.MustBuild(t, "DFT", 17, nIn, attrs...)
			want, shape := expect(length, c.onesided)
			y := ot.MustExec(t, op, in...)[0]
			ot.MustClose(t, y, shape, want, 1e-5, 1e-5)
		})
	}
	// Forward then inverse (complex) restores the signal; DFT-20 takes the
	// axis as an input.
	fwd := ot.MustExec(t, ot.MustBuild(t, "DFT", 17, 1), xv)[0]
	axis, _ := operators.FromSlice([]int64{-2}, []int{})
	back := ot.MustExec(t, ot.MustBuild(t, "DFT", 20, 3, ot.Int("inverse", 1)), fwd, nil, axis)[0]
	want := make([]float64, 24)
	for i, v := range x {
		want[2*i] = v
	}
	ot.MustClose(t, back, []int{2, 6, 2}, want, 1e-5, 1e-5)
	// Errors.
	if _, err := ot.Build("DFT", 17, 1, ot.Int("onesided", 1), ot.Int("inverse", 1)); !errors.Is(err, operators.ErrUnsupportedOp) {
		t.Errorf("IRFFT: %v", err)
	}
	var ae *operators.AttributeError
	if _, err := ot.Exec(ot.MustBuild(t, "DFT", 17, 1, ot.Int("axis", 2)), xv); !errors.As(err, &ae) {
		t.Errorf("axis on the complex dimension: %v", err)
	}
}

func TestSTFT(t *testing.T) {
	// One real signal of 10 samples, frames of 4 every 3 samples: 3 frames.
	sig := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	win := []float64{0.5, 1, 1, 0.5}
	x := ot.Val(operators.Float32, []int{1, 10, 1}, sig...)
	step, _ := operators.FromSlice([]int64{3}, []int{})
	var want []float64
	for f := 0; f < 3; f++ {
		fr := make([]complex128, 4)
		for k := range fr {
			fr[k] = complex(sig[f*3+k]*win[k], 0)
		}
		d := refDFT(fr, false)
		for k := 0; k < 3; k++ { // one-sided: 4/2+1 bins
			want = append(want, real(d[k]), imag(d[k]))
		}
	}
	op := ot.MustBuild(t, "STFT", 17, 3)
	y := ot.MustExec(t, op, x, step, ot.Val(operators.Float32, []int{4}, win...))[0]
	ot.MustClose(t, y, []int{1, 3, 3, 2}, want, 1e-5, 1e-5)
	if _, err := ot.Exec(ot.MustBuild(t, "STFT", 17, 2), x, step); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("no window and no frame_length: %v", err)
	}
}
