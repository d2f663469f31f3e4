package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/optest"
)

// intConvCase is one ConvInteger/QLinearConv configuration. Spatial
// parameters have one entry per spatial dimension; pads are begin values
// then end values, as the attribute.
type intConvCase struct {
	name                 string
	x, w                 []int // shapes
	xdt, wdt             operators.DType
	group                int
	pads, strides, dil   []int
	autoPad              string
	perChannelZP, biased bool
	ydt                  operators.DType
}

// refIntConv is an independent reference: direct loops over every output
// position, kernel tap and input channel, summing (x-xzp)*(w-wzp) in
// int64. Spatial dimensions are left-padded to three.
func refIntConv(c intConvCase, x, w []int64, xzp int64, wzp []int64, pads, out []int) []int64 {
	r := len(c.x) - 2
	pad3 := func(v []int, fill int) [3]int {
		o := [3]int{fill, fill, fill}
		copy(o[3-r:], v)
		return o
	}
	in, k := pad3(c.x[2:], 1), pad3(c.w[2:], 1)
	s, d := pad3(c.strides, 1), pad3(c.dil, 1)
	pb, o := pad3(pads[:r], 0), pad3(out, 1)
	n, ch, m := c.x[0], c.x[1], c.w[0]
	cg, mg := ch/c.group, m/c.group
	y := make([]int64, n*m*o[0]*o[1]*o[2])
	i := 0
	for b := 0; b < n; b++ {
		for oc := 0; oc < m; oc++ {
			g := oc / mg
			for z := 0; z < o[0]; z++ {
				for yy := 0; yy < o[1]; yy++ {
					for xx := 0; xx < o[2]; xx++ {
						var sum int64
						for ic := 0; ic < cg; ic++ {
							for kz := 0; kz < k[0]; kz++ {
								for ky := 0; ky < k[1]; ky++ {
									for kx := 0; kx < k[2]; kx++ {
										iz := z*s[0] - pb[0] + kz*d[0]
										iy := yy*s[1] - pb[1] + ky*d[1]
										ix := xx*s[2] - pb[2] + kx*d[2]
										xv := xzp // padding holds the zero point
										if iz >= 0 && iz < in[0] && iy >= 0 && iy < in[1] && ix >= 0 && ix < in[2] {
											xv = x[(((b*ch+g*cg+ic)*in[0]+iz)*in[1]+iy)*in[2]+ix]
										}
										wv := w[(((oc*cg+ic)*k[0]+kz)*k[1]+ky)*k[2]+kx]
										sum += (xv - xzp) * (wv - wzp[oc%len(wzp)])
									}
								}
							}
						}
						y[i] = sum
						i++
					}
				}
			}
		}
	}
	return y
}

func randInts(r *rand.Rand, dt operators.DType, shape []int) (*operators.Value, []int64) {
	v, _ := operators.NewValue(dt, shape)
	vals := make([]int64, v.Len())
	for i := range vals {
		if dt == operators.Uint8 {
			vals[i] = int64(r.IntN(256))
			v.U8()[i] = uint8(vals[i])
		} else {
			vals[i] = int64(r.IntN(256) - 128)
			v.I8()[i] = int8(vals[i])
		}
	}
	return v, vals
}

func scalarOf(dt operators.DType, x int64, shape []int) *operators.Value {
	v, _ := operators.NewValue(dt, shape)
	for i := 0; i < v.Len(); i++ {
		if dt == operators.Uint8 {
			v.U8()[i] = uint8(x)
		} else {
			v.I8()[i] = int8(x)
		}
	}
	return v
}

// TestIntConvReference compares ConvInteger and QLinearConv with
// refIntConv on the paths the implementation takes (depthwise, pointwise,
// column matrix + integer GEMM), uint8 and int8 operands, per-tensor and
// per-channel zero points and scales, groups, strides, dilations,
// asymmetric pads and auto_pad, in 1, 2 and 3 spatial dimensions.
// ConvInteger must match exactly. QLinearConv's expected output applies
// the requantization formula in float32 (as ONNX Runtime does) to the
// int64 reference sum plus bias, so it must match exactly too.
func TestIntConvReference(t *testing.T) {
	cases := []intConvCase{
		{name: "depthwise3x3", x: []int{2, 4, 9, 8}, w: []int{4, 1, 3, 3}, xdt: operators.Uint8, wdt: operators.Int8, group: 4, pads: []int{1, 1, 1, 1}, strides: []int{1, 1}, perChannelZP: true, biased: true, ydt: operators.Uint8},
		{name: "depthwise_multiplier_stride2", x: []int{1, 3, 10, 7}, w: []int{6, 1, 3, 3}, xdt: operators.Int8, wdt: operators.Int8, group: 3, pads: []int{0, 1, 2, 1}, strides: []int{2, 2}, ydt: operators.Int8},
		{name: "pointwise", x: []int{2, 5, 4, 6}, w: []int{7, 5, 1, 1}, xdt: operators.Uint8, wdt: operators.Uint8, group: 1, perChannelZP: true, biased: true, ydt: operators.Uint8},
		{name: "groups_dilation_pads", x: []int{1, 6, 11, 9}, w: []int{4, 3, 3, 2}, xdt: operators.Int8, wdt: operators.Uint8, group: 2, pads: []int{2, 0, 1, 3}, strides: []int{1, 2}, dil: []int{2, 3}, perChannelZP: true, biased: true, ydt: operators.Int8},
		{name: "same_upper", x: []int{1, 3, 7, 6}, w: []int{5, 3, 4, 3}, xdt: operators.Uint8, wdt: operators.Int8, group: 1, strides: []int{2, 1}, autoPad: "SAME_UPPER", biased: true, ydt: operators.Uint8},
		{name: "1d", x: []int{3, 4, 13}, w: []int{6, 2, 5}, xdt: operators.Uint8, wdt: operators.Int8, group: 2, pads: []int{3, 1}, strides: []int{3}, perChannelZP: true, ydt: operators.Int8},
		{name: "3d", x: []int{1, 2, 4, 5, 6}, w: []int{3, 2, 2, 3, 2}, xdt: operators.Int8, wdt: operators.Int8, group: 1, pads: []int{1, 0, 1, 0, 1, 1}, strides: []int{1, 2, 1}, biased: true, ydt: operators.Uint8},
		{name: "large_k", x: []int{1, 64, 6, 6}, w: []int{20, 64, 3, 3}, xdt: operators.Uint8, wdt: operators.Int8, group: 1, pads: []int{1, 1, 1, 1}, perChannelZP: true, biased: true, ydt: operators.Uint8},
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := len(c.x) - 2
			if c.strides == nil {
				c.strides = ones(r)
			}
			if c.dil == nil {
				c.dil = ones(r)
			}
			// Resolve the pads and output size independently of the
			// implementation.
			pads := make([]int, 2*r)
			copy(pads, c.pads)
			out := make([]int, r)
			for i := 0; i < r; i++ {
				ext := c.dil[i]*(c.w[2+i]-1) + 1
				if c.autoPad == "SAME_UPPER" {
					out[i] = (c.x[2+i] + c.strides[i] - 1) / c.strides[i]
					total := max(0, (out[i]-1)*c.strides[i]+ext-c.x[2+i])
					pads[i], pads[r+i] = total/2, total-total/2
				} else {
					out[i] = (c.x[2+i]+pads[i]+pads[r+i]-ext)/c.strides[i] + 1
				}
			}
			x, xv := randInts(rng, c.xdt, c.x)
			w, wv := randInts(rng, c.wdt, c.w)
			m := c.w[0]
			xzpv := int64(rng.IntN(40)) + 100
			if c.xdt == operators.Int8 {
				xzpv -= 128
			}
			wzpv := make([]int64, 1)
			if c.perChannelZP {
				wzpv = make([]int64, m)
			}
			for i := range wzpv {
				wzpv[i] = int64(rng.IntN(21) - 10)
				if c.wdt == operators.Uint8 {
					wzpv[i] += 128
				}
			}
			wzp, _ := operators.NewValue(c.wdt, []int{len(wzpv)})
			for i, z := range wzpv {
				if c.wdt == operators.Uint8 {
					wzp.U8()[i] = uint8(z)
				} else {
					wzp.I8()[i] = int8(z)
				}
			}
			if !c.perChannelZP {
				wzp.Shape = []int{}
			}
			xzp := scalarOf(c.xdt, xzpv, []int{})
			want := refIntConv(c, xv, wv, xzpv, wzpv, pads, out)

			attrs := []*operators.Attr{optest.Int("group", int64(c.group)), optest.Ints("strides", i64s(c.strides)...), optest.Ints("dilations", i64s(c.dil)...)}
			if c.autoPad != "" {
				attrs = append(attrs, optest.String("auto_pad", c.autoPad))
			} else if c.pads != nil {
				attrs = append(attrs, optest.Ints("pads", i64s(c.pads)...))
			}
			ci := optest.MustBuild(t, "ConvInteger", 10, 4, attrs...)
			got := optest.MustExec(t, ci, x, w, xzp, wzp)[0]
			if got.DType != operators.Int32 || len(got.I32()) != len(want) {
				t.Fatalf("ConvInteger: got %v of shape %v, want %d int32 values", got.DType, got.Shape, len(want))
			}
			for i, v := range want {
				if int64(got.I32()[i]) != v {
					t.Fatalf("ConvInteger: y[%d] = %d, want %d", i, got.I32()[i], v)
				}
			}

			// QLinearConv with per-channel (or per-tensor) weight scales.
			xs := float32(0.02 + 0.01*rng.Float64())
			wsv := make([]float32, len(wzpv))
			for i := range wsv {
				wsv[i] = float32(0.001 + 0.01*rng.Float64())
			}
			ws, _ := operators.FromSlice(wsv, []int{len(wsv)})
			if !c.perChannelZP {
				ws.Shape = []int{}
			}
			ys := float32(0.05 + 0.5*rng.Float64())
			yzpv := int64(3)
			if c.ydt == operators.Uint8 {
				yzpv = 120
			}
			bias := make([]int32, m)
			for i := range bias {
				bias[i] = int32(rng.IntN(20001) - 10000)
			}
			in := []*operators.Value{x, f32(xs), xzp, w, ws, wzp, f32(ys), scalarOf(c.ydt, yzpv, []int{})}
			nIn := 8
			if c.biased {
				bv, _ := operators.FromSlice(bias, []int{m})
				in = append(in, bv)
				nIn = 9
			}
			ql := optest.MustBuild(t, "QLinearConv", 10, nIn, attrs...)
			gotq := optest.MustExec(t, ql, in...)[0]
			if gotq.DType != c.ydt {
				t.Fatalf("QLinearConv output type %v, want %v", gotq.DType, c.ydt)
			}
			outVol := len(want) / (c.x[0] * m)
			lo, hi := -128.0, 127.0
			if c.ydt == operators.Uint8 {
				lo, hi = 0, 255
			}
			for i, v := range want {
				oc := i / outVol % m
				if c.biased {
					v += int64(bias[oc])
				}
				mul := xs * wsv[oc%len(wsv)] / ys
				q := math.Max(lo, math.Min(hi, math.RoundToEven(float64(float32(v)*mul))+float64(yzpv)))
				if g := optest.Get(gotq, i); g != q {
					t.Fatalf("QLinearConv: y[%d] = %v, want %v (sum %d, multiplier %v)", i, g, q, v, mul)
				}
			}
		})
	}
}

func ones(n int) []int {
	o := make([]int, n)
	for i := range o {
		o[i] = 1
	}
	return o
}

func i64s(v []int) []int64 {
	o := make([]int64, len(v))
	for i, x := range v {
		o[i] = int64(x)
	}
	return o
}

func f32(v float32) *operators.Value {
	s, _ := operators.FromSlice([]float32{v}, []int{})
	return s
}

// TestIntConvErrors checks that bad operands give errors, not panics.
func TestIntConvErrors(t *testing.T) {
	x := scalarOf(operators.Uint8, 1, []int{1, 2, 4, 4})
	w := scalarOf(operators.Int8, 1, []int{3, 2, 3, 3})
	one := func(dt operators.DType, n int) *operators.Value { return scalarOf(dt, 0, []int{n}) }
	type errCase struct {
		name, op string
		in       []*operators.Value
	}
	cases := []errCase{
		{"w zero point count", "ConvInteger", []*operators.Value{x, w, nil, one(operators.Int8, 2)}},
		{"x zero point per channel", "ConvInteger", []*operators.Value{x, w, one(operators.Uint8, 2), nil}},
		{"bias count", "QLinearConv", []*operators.Value{x, f32(1), nil, w, f32(1), nil, f32(1), scalarOf(operators.Uint8, 0, []int{}), func() *operators.Value {
			b, _ := operators.FromSlice([]int32{1, 2}, []int{2})
			return b
		}()}},
		{"w scale count", "QLinearConv", []*operators.Value{x, f32(1), nil, w, func() *operators.Value {
			s, _ := operators.FromSlice([]float32{1, 2}, []int{2})
			return s
		}(), nil, f32(1), scalarOf(operators.Uint8, 0, []int{})}},
	}
	fzp, _ := operators.FromSlice([]float32{0}, []int{})
	i8zp := scalarOf(operators.Int8, 0, []int{})
	cases = append(cases,
		errCase{"float x zero point", "ConvInteger", []*operators.Value{x, w, fzp, nil}},
		errCase{"x zero point of w's type", "ConvInteger", []*operators.Value{x, w, i8zp, nil}},
		errCase{"uint8 scale", "QLinearConv", []*operators.Value{x, scalarOf(operators.Uint8, 1, []int{}), nil, w, f32(1), nil, f32(1), scalarOf(operators.Uint8, 0, []int{})}},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			op := optest.MustBuild(t, c.op, 10, len(c.in))
			if _, err := optest.Exec(op, c.in...); err == nil {
				t.Fatal("no error")
			} else {
				t.Log(err)
			}
		})
	}
}

// BenchmarkQLinearConv times QLinearConv on ShuffleNet-like layers: a 1×1
// convolution (the GEMM on the input itself), a depthwise 3×3 and a dense
// 3×3 (im2col + GEMM), uint8 activations and int8 per-channel weights.
func BenchmarkQLinearConv(b *testing.B) {
	layers := []struct {
		name  string
		x, w  []int
		group int
		pads  []int64
	}{
		{"pointwise116", []int{1, 116, 28, 28}, []int{116, 116, 1, 1}, 1, []int64{0, 0, 0, 0}},
		{"depthwise116", []int{1, 116, 28, 28}, []int{116, 1, 3, 3}, 116, []int64{1, 1, 1, 1}},
		{"dense3x3_24", []int{1, 24, 56, 56}, []int{24, 24, 3, 3}, 1, []int64{1, 1, 1, 1}},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, l := range layers {
		x, _ := randInts(rng, operators.Uint8, l.x)
		w, _ := randInts(rng, operators.Int8, l.w)
		m := l.w[0]
		ws, _ := operators.NewValue(operators.Float32, []int{m})
		for i := range ws.F32() {
			ws.F32()[i] = 0.01
		}
		bias, _ := operators.NewValue(operators.Int32, []int{m})
		in := []*operators.Value{x, f32(0.02), scalarOf(operators.Uint8, 128, []int{}), w, ws, scalarOf(operators.Int8, 0, []int{m}), f32(0.1), scalarOf(operators.Uint8, 128, []int{}), bias}
		op := optest.MustBuild(b, "QLinearConv", 10, 9, optest.Int("group", int64(l.group)), optest.Ints("pads", l.pads...))
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", l.name, threads), func(b *testing.B) {
				rc := &operators.RunContext{Threads: threads}
				out := make([]*operators.Value, 1)
				for b.Loop() {
					if err := op.Run(rc, in, out); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
