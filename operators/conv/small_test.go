package conv

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
	"github.com/onnxrun/onnxrun/operators"
	eng "github.com/onnxrun/onnxrun/operators/internal/gemm"
)

// flatCase is one unit-stride convolution for the flat path's tests.
type flatCase struct {
	name      string
	x, w      []int
	group     int
	pads      []int64 // begin pads then end pads, nil for none
	dil       []int64
	padsBegin []int
	dilInts   []int
	out       []int
}

var flatCases = []flatCase{
	{name: "mnist_conv1", x: []int{1, 1, 28, 28}, w: []int{8, 1, 5, 5}, pads: []int64{2, 2, 2, 2}, padsBegin: []int{2, 2}, out: []int{28, 28}},
	{name: "mnist_conv2", x: []int{1, 8, 14, 14}, w: []int{16, 8, 5, 5}, pads: []int64{2, 2, 2, 2}, padsBegin: []int{2, 2}, out: []int{14, 14}},
	{name: "no_pads_batch", x: []int{3, 2, 9, 11}, w: []int{5, 2, 3, 3}, out: []int{7, 9}},
	{name: "asym_pads", x: []int{1, 3, 10, 12}, w: []int{7, 3, 3, 4}, pads: []int64{0, 3, 2, 1}, padsBegin: []int{0, 3}, out: []int{10, 13}},
	{name: "dilations", x: []int{1, 2, 12, 13}, w: []int{6, 2, 3, 3}, pads: []int64{1, 2, 1, 2}, dil: []int64{2, 3}, padsBegin: []int{1, 2}, dilInts: []int{2, 3}, out: []int{10, 11}},
	{name: "groups", x: []int{2, 6, 8, 8}, w: []int{9, 2, 3, 3}, group: 3, pads: []int64{1, 1, 1, 1}, padsBegin: []int{1, 1}, out: []int{8, 8}},
	{name: "1d", x: []int{2, 3, 40}, w: []int{4, 3, 5}, pads: []int64{2, 1}, padsBegin: []int{2}, out: []int{39}},
	{name: "3d", x: []int{1, 2, 5, 6, 7}, w: []int{3, 2, 3, 2, 3}, pads: []int64{1, 0, 1, 1, 1, 1}, padsBegin: []int{1, 0, 1}, out: []int{5, 6, 7}},
	{name: "ragged_panels", x: []int{1, 5, 7, 5}, w: []int{13, 5, 2, 3}, pads: []int64{1, 0, 0, 2}, padsBegin: []int{1, 0}, out: []int{7, 5}},
}

func (c flatCase) node(inputs int) *operators.Node {
	var attrs []*operators.Attr
	if c.pads != nil {
		attrs = append(attrs, ints("pads", c.pads...))
	}
	if c.dil != nil {
		attrs = append(attrs, ints("dilations", c.dil...))
	}
	if c.group != 0 {
		attrs = append(attrs, &operators.Attr{Name: "group", Type: operators.AttrInt, I: int64(c.group)})
	}
	return node(11, inputs, attrs...)
}

// TestConvFlat checks the flat path at every dispatch level: it is taken
// for these small unit-stride layers, agrees with the float64 reference
// within the rounding of the float32 sums, and gives the same bits as
// the gathering path's GEMM (same products summed in the same order),
// with and without a constant weight, a bias and a fused Relu, on one
// and two threads.
func TestConvFlat(t *testing.T) {
	r := rand.New(rand.NewSource(31))
	dispatchtest.ForEachImpl(t, func(t *testing.T, _ *dispatch.Kernels) {
		for _, c := range flatCases {
			for _, variant := range []struct {
				bias, constW, relu bool
			}{{false, false, false}, {true, true, false}, {true, false, true}, {false, true, true}} {
				name := fmt.Sprintf("%s/bias=%v/const=%v/relu=%v", c.name, variant.bias, variant.constW, variant.relu)
				t.Run(name, func(t *testing.T) {
					ninp := 2
					if variant.bias {
						ninp = 3
					}
					opv, err := newConv(c.node(ninp))
					if err != nil {
						t.Fatal(err)
					}
					x, w := randVal(r, c.x...), randVal(r, c.w...)
					in := []*operators.Value{x, w}
					var b *operators.Value
					if variant.bias {
						b = randVal(r, c.w[0])
						in = append(in, b)
					}
					metas := make([]operators.Meta, len(in))
					for i, v := range in {
						metas[i] = v.Meta()
					}
					var consts []*operators.Value
					if variant.constW {
						consts = []*operators.Value{nil, w}
					}
					if _, err := opv.Infer(metas, consts); err != nil {
						t.Fatal(err)
					}
					op := opv
					if variant.relu {
						var ok bool
						if op, ok = opv.(*Conv).Fuse(operators.Activation{Kind: operators.ActRelu}); !ok {
							t.Fatal("Fuse refused Relu")
						}
					}
					conv := op.(*Conv)
					geo, err := conv.resolve(x.Shape, w.Shape, shapeOf(b))
					if err != nil {
						t.Fatal(err)
					}
					if geo.flat == nil {
						t.Fatalf("the flat path does not apply")
					}
					// The gathering path on the same geometry, the
					// reference for the bits.
					gather := *geo
					gather.flat = nil
					ref := make([]float32, operators.NumElements(geo.outShape))
					var bias []float32
					if b != nil {
						bias = b.F32()
					}
					run(&operators.RunContext{Threads: 1}, &gather, x.F32(), w.F32(), bias, nil, ref, eng.F32(), nil, conv.act, conv.act32)

					group := max(c.group, 1)
					want := refConv(x, w, b, group, nil, c.dilInts, c.padsBegin, c.out)
					kvol := operators.NumElements(c.w[1:])
					for _, threads := range []int{1, 2} {
						out := make([]*operators.Value, 1)
						if err := op.Run(&operators.RunContext{Threads: threads}, in, out); err != nil {
							t.Fatal(err)
						}
						got := out[0].F32()
						if len(got) != len(want) {
							t.Fatalf("%d outputs, want %d", len(got), len(want))
						}
						for i := range want {
							wv := want[i]
							if variant.relu {
								wv = max(wv, 0)
							}
							// float32 sums of kvol products of N(0,1)
							// values: the error grows like sqrt(kvol) ulps.
							tol := 1e-5 + 2e-6*math.Sqrt(float64(kvol))*(1+math.Abs(wv))
							if d := math.Abs(float64(got[i]) - wv); !(d <= tol) {
								t.Fatalf("threads %d: y[%d] = %g, want %g", threads, i, got[i], wv)
							}
							if math.Float32bits(got[i]) != math.Float32bits(ref[i]) {
								t.Fatalf("threads %d: y[%d] = %g, the gathering path gives %g", threads, i, got[i], ref[i])
							}
						}
					}
				})
			}
		}
	})
}

func shapeOf(v *operators.Value) []int {
	if v == nil {
		return nil
	}
	return v.Shape
}

// TestConvFlatFloat64 runs a float64 layer on the flat path against the
// gathering path (same bits) and the reference.
func TestConvFlatFloat64(t *testing.T) {
	r := rand.New(rand.NewSource(32))
	c := flatCases[1]
	opv, err := newConv(c.node(2))
	if err != nil {
		t.Fatal(err)
	}
	x32, w32 := randVal(r, c.x...), randVal(r, c.w...)
	x, _ := operators.NewValue(operators.Float64, c.x)
	w, _ := operators.NewValue(operators.Float64, c.w)
	for i, v := range x32.F32() {
		x.F64()[i] = float64(v)
	}
	for i, v := range w32.F32() {
		w.F64()[i] = float64(v)
	}
	out := make([]*operators.Value, 1)
	if err := opv.Run(&operators.RunContext{Threads: 1}, []*operators.Value{x, w}, out); err != nil {
		t.Fatal(err)
	}
	geo, err := opv.(*Conv).resolve(x.Shape, w.Shape, nil)
	if err != nil {
		t.Fatal(err)
	}
	if geo.flat == nil {
		t.Fatal("the flat path does not apply")
	}
	gather := *geo
	gather.flat = nil
	ref := make([]float64, len(out[0].F64()))
	run(nil, &gather, x.F64(), w.F64(), nil, nil, ref, eng.F64(), nil, operators.Activation{}, nil)
	want := refConv(x32, w32, nil, 1, nil, nil, c.padsBegin, c.out)
	for i, v := range out[0].F64() {
		if v != ref[i] {
			t.Fatalf("y[%d] = %g, the gathering path gives %g", i, v, ref[i])
		}
		// float64 sums of 200 products of N(0,1) values.
		if d := math.Abs(v - want[i]); !(d <= 1e-12*(1+math.Abs(want[i]))) {
			t.Fatalf("y[%d] = %g, want %g", i, v, want[i])
		}
	}
}

// TestConvFlatChoice checks which layers take the flat path: strided,
// wide (many output channels), large-image and heavily padded layers
// keep the gathering path, as do pointwise and depthwise ones.
func TestConvFlatChoice(t *testing.T) {
	for _, c := range []struct {
		name  string
		x, w  []int
		attrs []*operators.Attr
		flat  bool
	}{
		{"mnist_conv2", []int{1, 8, 14, 14}, []int{16, 8, 5, 5}, []*operators.Attr{ints("pads", 2, 2, 2, 2)}, true},
		{"strided", []int{1, 8, 14, 14}, []int{16, 8, 3, 3}, []*operators.Attr{ints("strides", 2, 2)}, false},
		{"many_channels", []int{1, 8, 14, 14}, []int{64, 8, 3, 3}, nil, false},
		{"large_image", []int{1, 3, 224, 224}, []int{16, 3, 3, 3}, []*operators.Attr{ints("pads", 1, 1, 1, 1)}, false},
		// 5 columns computed per row of 3 outputs.
		{"heavy_padding", []int{1, 2, 6, 1}, []int{4, 2, 1, 3}, []*operators.Attr{ints("pads", 0, 2, 0, 2)}, false},
		{"pointwise", []int{1, 8, 14, 14}, []int{16, 8, 1, 1}, nil, false},
		{"depthwise", []int{1, 8, 14, 14}, []int{8, 1, 3, 3}, []*operators.Attr{{Name: "group", Type: operators.AttrInt, I: 8}}, false},
	} {
		opv, err := newConv(node(11, 2, c.attrs...))
		if err != nil {
			t.Fatal(err)
		}
		geo, err := opv.(*Conv).resolve(c.x, c.w, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := geo.flat != nil; got != c.flat {
			t.Errorf("%s: flat path %v, want %v", c.name, got, c.flat)
		}
	}
}
