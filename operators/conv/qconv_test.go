package conv

import (
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// refQConv is a direct integer convolution (2-D, no padding beyond pads)
// in int64: sum of (x - xzp) * (w - wzp[m]).
func refQConv(x, w []int64, xs, ws []int, xzp int64, wzp []int64, group int, pads, strides []int, out []int) []int64 {
	N, C, H, W := xs[0], xs[1], xs[2], xs[3]
	M, cg, KH, KW := ws[0], ws[1], ws[2], ws[3]
	mg := M / group
	res := make([]int64, N*M*out[0]*out[1])
	i := 0
	for n := 0; n < N; n++ {
		for m := 0; m < M; m++ {
			g := m / mg
			for oy := 0; oy < out[0]; oy++ {
				for ox := 0; ox < out[1]; ox++ {
					var s int64
					for c := 0; c < cg; c++ {
						for ky := 0; ky < KH; ky++ {
							for kx := 0; kx < KW; kx++ {
								iy, ix := oy*strides[0]-pads[0]+ky, ox*strides[1]-pads[1]+kx
								if iy < 0 || iy >= H || ix < 0 || ix >= W {
									continue // padding is the zero point: contributes 0
								}
								xv := x[((n*C+g*cg+c)*H+iy)*W+ix] - xzp
								wv := w[((m*cg+c)*KH+ky)*KW+kx] - wzp[m%len(wzp)]
								s += xv * wv
							}
						}
					}
					res[i] = s
					i++
				}
			}
		}
	}
	return res
}

func qvals(v *operators.Value) []int64 {
	out := make([]int64, v.Len())
	for i := range out {
		if v.DType == operators.Uint8 {
			out[i] = int64(v.U8()[i])
		} else {
			out[i] = int64(v.I8()[i])
		}
	}
	return out
}

func TestQConv(t *testing.T) {
	r := rand.New(rand.NewSource(24))
	xs, ws := []int{1, 4, 7, 6}, []int{6, 2, 3, 3}
	x, _ := operators.NewValue(operators.Uint8, xs)
	for i := range x.U8() {
		x.U8()[i] = uint8(r.Intn(256))
	}
	w, _ := operators.NewValue(operators.Int8, ws)
	for i := range w.I8() {
		w.I8()[i] = int8(r.Intn(256) - 128)
	}
	xzp, _ := operators.FromSlice([]uint8{7}, []int{})
	wzpv := []int8{1, -2, 3, 0, -1, 5} // per output channel
	wzp, _ := operators.FromSlice(wzpv, []int{6})
	attrs := []*operators.Attr{ints("pads", 1, 0, 1, 2), ints("strides", 2, 1), {Name: "group", Type: operators.AttrInt, I: 2}}
	want := refQConv(qvals(x), qvals(w), xs, ws, 7, []int64{1, -2, 3, 0, -1, 5}, 2, []int{1, 0}, []int{2, 1}, []int{4, 6})

	n := node(10, 4, attrs...)
	n.OpType = "ConvInteger"
	op, err := newConvInteger(n)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*operators.Value, 1)
	if err := op.Run(nil, []*operators.Value{x, w, xzp, wzp}, out); err != nil {
		t.Fatal(err)
	}
	if out[0].DType != operators.Int32 || len(out[0].I32()) != len(want) {
		t.Fatalf("ConvInteger output %v", out[0])
	}
	for i, v := range want {
		if int64(out[0].I32()[i]) != v {
			t.Fatalf("ConvInteger y[%d] = %d, want %d", i, out[0].I32()[i], v)
		}
	}

	// QLinearConv on the same operands: requantize with per-channel weight
	// scales and an int32 bias.
	f := func(v ...float32) *operators.Value { s, _ := operators.FromSlice(v, []int{len(v)}); return s }
	wsv := []float32{0.01, 0.02, 0.015, 0.03, 0.005, 0.025}
	bias, _ := operators.FromSlice([]int32{100, -50, 0, 7, 3000, -3000}, []int{6})
	yzp, _ := operators.FromSlice([]int8{-5}, []int{})
	n = node(10, 9, attrs...)
	n.OpType = "QLinearConv"
	qop, err := newQLinearConv(n)
	if err != nil {
		t.Fatal(err)
	}
	in := []*operators.Value{x, f(0.1), xzp, w, f(wsv...), wzp, f(0.7), yzp, bias}
	metas := make([]operators.Meta, len(in))
	for i, v := range in {
		metas[i] = v.Meta()
	}
	inf, err := qop.Infer(metas, nil)
	if err != nil || inf[0].DType != operators.Int8 {
		t.Fatalf("Infer: %v %v", inf, err)
	}
	if err := qop.Run(nil, in, out); err != nil {
		t.Fatal(err)
	}
	for i, v := range want {
		m := (i / 24) % 6
		// float32 requantization, as ONNX Runtime does it.
		mul := float32(0.1) * wsv[m] / float32(0.7)
		q := math.Max(-128, math.Min(127, math.RoundToEven(float64(float32(v+int64(bias.I32()[m]))*mul))-5))
		if got := out[0].I8()[i]; float64(got) != q {
			t.Fatalf("QLinearConv y[%d] = %d, want %v", i, got, q)
		}
	}
}
