package conv

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
	"github.com/onnxrun/onnxrun/operators"
)

func ints(name string, v ...int64) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrInts, Ints: v}
}

func node(opset, inputs int, attrs ...*operators.Attr) *operators.Node {
	n := &operators.Node{Name: "conv", OpType: "Conv", Opset: opset, Attrs: map[string]*operators.Attr{}, Outputs: []string{"y"}}
	for i := 0; i < inputs; i++ {
		n.Inputs = append(n.Inputs, fmt.Sprint("in", i))
	}
	for _, a := range attrs {
		n.Attrs[a.Name] = a
	}
	return n
}

func randVal(r *rand.Rand, shape ...int) *operators.Value {
	v, _ := operators.NewValue(operators.Float32, shape)
	for i := range v.F32() {
		v.F32()[i] = float32(r.NormFloat64())
	}
	return v
}

// refConv is a direct convolution in float64 over a 3-D spatial view
// (n, m, od, oh, ow, c, kd, kh, kw loops), written independently of the
// implementation. pads are begin pads; outShape is the expected output.
func refConv(x, w, b *operators.Value, group int, strides, dil, padsBegin, out []int) []float64 {
	r := len(x.Shape) - 2
	pad3 := func(v []int, def int) [3]int {
		a := [3]int{def, def, def}
		copy(a[3-r:], v)
		return a
	}
	in, k := pad3(x.Shape[2:], 1), pad3(w.Shape[2:], 1)
	s, d, p, o := pad3(strides, 1), pad3(dil, 1), pad3(padsBegin, 0), pad3(out, 1)
	N, C, M := x.Shape[0], x.Shape[1], w.Shape[0]
	cg, mg := C/group, M/group
	res := make([]float64, N*M*o[0]*o[1]*o[2])
	xs, ws := x.F32(), w.F32()
	i := 0
	for n := 0; n < N; n++ {
		for m := 0; m < M; m++ {
			g := m / mg
			for z := 0; z < o[0]; z++ {
				for yy := 0; yy < o[1]; yy++ {
					for xx := 0; xx < o[2]; xx++ {
						var acc float64
						if b != nil {
							acc = float64(b.F32()[m])
						}
						for c := 0; c < cg; c++ {
							for a := 0; a < k[0]; a++ {
								for bb := 0; bb < k[1]; bb++ {
									for cc := 0; cc < k[2]; cc++ {
										iz := z*s[0] - p[0] + a*d[0]
										iy := yy*s[1] - p[1] + bb*d[1]
										ix := xx*s[2] - p[2] + cc*d[2]
										if iz < 0 || iz >= in[0] || iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2] {
											continue
										}
										xv := xs[((((n*C+g*cg+c)*in[0])+iz)*in[1]+iy)*in[2]+ix]
										wv := ws[(((m*cg+c)*k[0]+a)*k[1]+bb)*k[2]+cc]
										acc += float64(xv) * float64(wv)
									}
								}
							}
						}
						res[i] = acc
						i++
					}
				}
			}
		}
	}
	return res
}

func TestConv(t *testing.T) {
	const seed = 20
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	type tc struct {
		name      string
		x, w      []int
		bias      bool
		attrs     []*operators.Attr
		strides   []int
		dil       []int
		padsBegin []int
		out       []int
		group     int
	}
	cases := []tc{
		{name: "2d_basic", x: []int{1, 3, 7, 9}, w: []int{5, 3, 3, 3}, out: []int{5, 7}},
		{name: "2d_bias_pads", x: []int{2, 3, 7, 9}, w: []int{6, 3, 3, 3}, bias: true,
			attrs: []*operators.Attr{ints("pads", 1, 1, 1, 1)}, padsBegin: []int{1, 1}, out: []int{7, 9}},
		{name: "2d_asym_pads_strides", x: []int{1, 4, 10, 11}, w: []int{7, 4, 3, 2}, bias: true,
			attrs:   []*operators.Attr{ints("pads", 2, 0, 1, 3), ints("strides", 2, 3)},
			strides: []int{2, 3}, padsBegin: []int{2, 0}, out: []int{6, 5}},
		{name: "2d_dilations", x: []int{1, 2, 12, 13}, w: []int{3, 2, 3, 3},
			attrs: []*operators.Attr{ints("dilations", 2, 3), ints("pads", 1, 2, 1, 2)},
			dil:   []int{2, 3}, padsBegin: []int{1, 2}, out: []int{10, 11}},
		{name: "2d_groups", x: []int{2, 6, 8, 8}, w: []int{9, 2, 3, 3}, bias: true, group: 3,
			attrs: []*operators.Attr{ints("pads", 1, 1, 1, 1), ints("kernel_shape", 3, 3)}, padsBegin: []int{1, 1}, out: []int{8, 8}},
		{name: "depthwise", x: []int{2, 5, 9, 10}, w: []int{5, 1, 3, 3}, bias: true, group: 5,
			attrs:   []*operators.Attr{ints("pads", 1, 1, 1, 1), ints("strides", 2, 2)},
			strides: []int{2, 2}, padsBegin: []int{1, 1}, out: []int{5, 5}},
		{name: "depthwise_mult2_dil", x: []int{1, 3, 9, 10}, w: []int{6, 1, 3, 2}, group: 3,
			attrs: []*operators.Attr{ints("pads", 2, 0, 1, 1), ints("dilations", 2, 1)},
			dil:   []int{2, 1}, padsBegin: []int{2, 0}, out: []int{8, 10}},
		{name: "pointwise", x: []int{2, 7, 5, 6}, w: []int{9, 7, 1, 1}, bias: true, out: []int{5, 6}},
		{name: "pointwise_strided", x: []int{1, 4, 7, 7}, w: []int{3, 4, 1, 1},
			attrs: []*operators.Attr{ints("strides", 2, 2)}, strides: []int{2, 2}, out: []int{4, 4}},
		{name: "same_upper", x: []int{1, 2, 7, 8}, w: []int{3, 2, 4, 3},
			attrs:   []*operators.Attr{{Name: "auto_pad", Type: operators.AttrString, S: []byte("SAME_UPPER")}, ints("strides", 2, 2)},
			strides: []int{2, 2}, padsBegin: []int{1, 0}, out: []int{4, 4}},
		{name: "same_lower", x: []int{1, 2, 7, 8}, w: []int{3, 2, 4, 3},
			attrs:   []*operators.Attr{{Name: "auto_pad", Type: operators.AttrString, S: []byte("SAME_LOWER")}, ints("strides", 2, 2)},
			strides: []int{2, 2}, padsBegin: []int{2, 1}, out: []int{4, 4}},
		{name: "valid", x: []int{1, 2, 7, 8}, w: []int{3, 2, 4, 3},
			attrs:   []*operators.Attr{{Name: "auto_pad", Type: operators.AttrString, S: []byte("VALID")}, ints("strides", 2, 2)},
			strides: []int{2, 2}, out: []int{2, 3}},
		{name: "1d", x: []int{2, 3, 17}, w: []int{4, 3, 5}, bias: true,
			attrs: []*operators.Attr{ints("pads", 2, 1), ints("strides", 2)}, strides: []int{2}, padsBegin: []int{2}, out: []int{8}},
		{name: "1d_depthwise", x: []int{1, 4, 11}, w: []int{4, 1, 3}, group: 4,
			attrs: []*operators.Attr{ints("pads", 1, 1)}, padsBegin: []int{1}, out: []int{11}},
		{name: "3d", x: []int{1, 2, 5, 6, 7}, w: []int{3, 2, 3, 2, 3}, bias: true,
			attrs:   []*operators.Attr{ints("pads", 1, 0, 1, 1, 1, 1), ints("strides", 1, 2, 2)},
			strides: []int{1, 2, 2}, padsBegin: []int{1, 0, 1}, out: []int{5, 3, 4}},
		{name: "3d_depthwise", x: []int{1, 2, 4, 5, 5}, w: []int{2, 1, 2, 3, 3}, group: 2, out: []int{3, 3, 3}},
		{name: "single_channel_5x5", x: []int{1, 1, 28, 28}, w: []int{8, 1, 5, 5}, bias: true,
			attrs: []*operators.Attr{ints("pads", 2, 2, 2, 2)}, padsBegin: []int{2, 2}, out: []int{28, 28}},
		{name: "pointwise_wide", x: []int{1, 20, 9, 40}, w: []int{13, 20, 1, 1}, bias: true, out: []int{9, 40}},
		{name: "pointwise_groups", x: []int{1, 8, 6, 6}, w: []int{12, 2, 1, 1}, group: 4, out: []int{6, 6}},
		{name: "deep_k_strided_dil", x: []int{1, 40, 15, 14}, w: []int{70, 40, 3, 3}, bias: true,
			attrs:   []*operators.Attr{ints("pads", 2, 1, 2, 3), ints("strides", 2, 1), ints("dilations", 2, 1)},
			strides: []int{2, 1}, dil: []int{2, 1}, padsBegin: []int{2, 1}, out: []int{8, 16}},
		{name: "big_kernel_odd", x: []int{1, 3, 33, 35}, w: []int{17, 3, 7, 7}, bias: true,
			attrs: []*operators.Attr{ints("pads", 3, 3, 3, 3), ints("strides", 2, 2)}, strides: []int{2, 2}, padsBegin: []int{3, 3}, out: []int{17, 18}},
	}
	dispatchtest.ForEachImpl(t, func(t *testing.T, _ *dispatch.Kernels) {
		for _, c := range cases {
			for _, constW := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/const=%v", c.name, constW), func(t *testing.T) {
					group := max(c.group, 1)
					attrs := c.attrs
					if c.group != 0 {
						attrs = append(attrs, &operators.Attr{Name: "group", Type: operators.AttrInt, I: int64(c.group)})
					}
					ninp := 2
					if c.bias {
						ninp = 3
					}
					op, err := newConv(node(11, ninp, attrs...))
					if err != nil {
						t.Fatal(err)
					}
					x, w := randVal(r, c.x...), randVal(r, c.w...)
					in := []*operators.Value{x, w}
					var b *operators.Value
					if c.bias {
						b = randVal(r, c.w[0])
						in = append(in, b)
					}
					wantShape := append([]int{c.x[0], c.w[0]}, c.out...)
					metas := make([]operators.Meta, len(in))
					for i, v := range in {
						metas[i] = v.Meta()
					}
					// With W among the constants the Conv packs it once and
					// reuses the packed copy; without, every run packs it.
					var consts []*operators.Value
					if constW {
						consts = []*operators.Value{nil, w}
					}
					inf, err := op.Infer(metas, consts)
					if err != nil {
						t.Fatal(err)
					}
					if fmt.Sprint(inf[0].Shape) != fmt.Sprint(wantShape) {
						t.Fatalf("Infer shape %v, want %v", inf[0].Shape, wantShape)
					}
					want := refConv(x, w, b, group, c.strides, c.dil, c.padsBegin, c.out)
					kvol := operators.NumElements(c.w[1:])
					var first []float32
					for _, threads := range []int{1, 2, 1} {
						out := make([]*operators.Value, 1)
						if err := op.Run(&operators.RunContext{Threads: threads}, in, out); err != nil {
							t.Fatal(err)
						}
						if fmt.Sprint(out[0].Shape) != fmt.Sprint(wantShape) {
							t.Fatalf("shape %v, want %v", out[0].Shape, wantShape)
						}
						got := out[0].F32()
						for i := range want {
							// float32 sums of kvol products of N(0,1) values:
							// error grows like sqrt(kvol) ulps.
							tol := 1e-5 + 2e-6*math.Sqrt(float64(kvol))*(1+math.Abs(want[i]))
							if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol) {
								t.Fatalf("threads %d: y[%d] = %g, want %g", threads, i, got[i], want[i])
							}
						}
						if first == nil {
							first = append([]float32(nil), got...)
						} else {
							for i := range got {
								if got[i] != first[i] {
									t.Fatalf("threads 1 and 2 differ at %d", i)
								}
							}
						}
					}
				})
			}
		}
	})
}

func TestConvFloat64(t *testing.T) {
	op, err := newConv(node(11, 2, ints("pads", 1, 1, 1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	x, _ := operators.FromSlice([]float64{1, 2, 3, 4}, []int{1, 1, 2, 2})
	w, _ := operators.FromSlice([]float64{1, 1, 1, 1, 1, 1, 1, 1, 1}, []int{1, 1, 3, 3})
	out := make([]*operators.Value, 1)
	if err := op.Run(nil, []*operators.Value{x, w}, out); err != nil {
		t.Fatal(err)
	}
	for i, v := range out[0].F64() {
		if v != 10 {
			t.Fatalf("y[%d] = %g, want 10 (every 3x3 window covers the whole 2x2 input)", i, v)
		}
	}
}

func TestConvErrors(t *testing.T) {
	var ae *operators.AttributeError
	for _, c := range []struct {
		attrs []*operators.Attr
		attr  string
	}{
		{[]*operators.Attr{{Name: "auto_pad", Type: operators.AttrString, S: []byte("SAME")}}, "auto_pad"},
		{[]*operators.Attr{{Name: "group", Type: operators.AttrInt, I: 0}}, "group"},
		{[]*operators.Attr{ints("strides", 0, 1)}, "strides"},
		{[]*operators.Attr{ints("pads", -1, 0, 0, 0)}, "pads"},
		{[]*operators.Attr{ints("pads", 1, 1, 1)}, "pads"},
		{[]*operators.Attr{ints("strides", 1, 1), ints("dilations", 1, 1, 1)}, "dilations"},
		{[]*operators.Attr{ints("pads", 1, 1, 1, 1), {Name: "auto_pad", Type: operators.AttrString, S: []byte("VALID")}}, "pads"},
	} {
		_, err := newConv(node(11, 2, c.attrs...))
		if !errors.As(err, &ae) || ae.Attr != c.attr {
			t.Errorf("%v: got %v, want AttributeError on %s", c.attrs, err, c.attr)
		}
	}
	f := func(s ...int) operators.Meta {
		return operators.Meta{DType: operators.Float32, Shape: s, HasShape: true}
	}
	op, _ := newConv(node(11, 3))
	for _, c := range []struct {
		in   []operators.Meta
		want string
	}{
		{[]operators.Meta{f(1, 3, 5), f(2, 3, 3, 3)}, "input 1 (W)"},
		{[]operators.Meta{f(1, 3, 5, 5), f(2, 4, 3, 3)}, "input 1 (W)"},
		{[]operators.Meta{f(1, 3, 5, 5), f(2, 3, 3, 3), f(3)}, "input 2 (B)"},
		{[]operators.Meta{f(1, 3), f(2, 3)}, "input 0 (X)"},
		{[]operators.Meta{f(1, 3, 2, 2), f(2, 3, 3, 3)}, "smaller than the window"},
	} {
		_, err := op.Infer(c.in, nil)
		if !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Infer(%v) = %v, want shape error mentioning %q", c.in, err, c.want)
		}
	}
	opg, _ := newConv(node(11, 2, &operators.Attr{Name: "group", Type: operators.AttrInt, I: 2}))
	if _, err := opg.Infer([]operators.Meta{f(1, 3, 5, 5), f(2, 1, 3, 3)}, nil); !errors.As(err, &ae) || ae.Attr != "group" {
		t.Errorf("group 2 with 3 channels: got %v", err)
	}
	opk, _ := newConv(node(11, 2, ints("kernel_shape", 2, 2)))
	if _, err := opk.Infer([]operators.Meta{f(1, 3, 5, 5), f(2, 3, 3, 3)}, nil); !errors.As(err, &ae) || ae.Attr != "kernel_shape" {
		t.Errorf("kernel_shape mismatch: got %v", err)
	}
}

var sink float32

func BenchmarkConv(b *testing.B) {
	shapes := []struct {
		name  string
		x, w  []int
		attrs []*operators.Attr
		group int64
	}{
		{"resnet_conv1", []int{1, 3, 224, 224}, []int{64, 3, 7, 7}, []*operators.Attr{ints("pads", 3, 3, 3, 3), ints("strides", 2, 2)}, 1},
		{"resnet_3x3_64", []int{1, 64, 56, 56}, []int{64, 64, 3, 3}, []*operators.Attr{ints("pads", 1, 1, 1, 1)}, 1},
		{"resnet_3x3_128", []int{1, 128, 28, 28}, []int{128, 128, 3, 3}, []*operators.Attr{ints("pads", 1, 1, 1, 1)}, 1},
		{"resnet_3x3_512", []int{1, 512, 7, 7}, []int{512, 512, 3, 3}, []*operators.Attr{ints("pads", 1, 1, 1, 1)}, 1},
		{"mnist_conv1", []int{1, 1, 28, 28}, []int{8, 1, 5, 5}, []*operators.Attr{ints("pads", 2, 2, 2, 2)}, 1},
		{"mnist_conv2", []int{1, 8, 14, 14}, []int{16, 8, 5, 5}, []*operators.Attr{ints("pads", 2, 2, 2, 2)}, 1},
		{"mobilenet_dw_144", []int{1, 144, 56, 56}, []int{144, 1, 3, 3}, []*operators.Attr{ints("pads", 1, 1, 1, 1)}, 144},
		{"mobilenet_pw_144_24", []int{1, 144, 56, 56}, []int{24, 144, 1, 1}, nil, 1},
	}
	r := rand.New(rand.NewSource(1))
	for _, s := range shapes {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/t%d", s.name, threads), func(b *testing.B) {
				attrs := append(s.attrs, &operators.Attr{Name: "group", Type: operators.AttrInt, I: s.group})
				op, err := newConv(node(11, 2, attrs...))
				if err != nil {
					b.Fatal(err)
				}
				in := []*operators.Value{randVal(r, s.x...), randVal(r, s.w...)}
				// W is a constant, as in an exported model: packed once.
				if _, err := op.Infer([]operators.Meta{in[0].Meta(), in[1].Meta()}, in); err != nil {
					b.Fatal(err)
				}
				out := make([]*operators.Value, 1)
				rc := &operators.RunContext{Threads: threads}
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := cpuTime()
				for i := 0; i < b.N; i++ {
					if err := op.Run(rc, in, out); err != nil {
						b.Fatal(err)
					}
				}
				flops := 2 * float64(out[0].Len()) * float64(operators.NumElements(s.w[1:])) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				// On a shared machine wall time mostly measures the
				// neighbours; process CPU time (all threads) measures
				// the convolution.
				if d := cpuTime() - cpu0; d > 0 {
					b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
				}
				sink = out[0].F32()[0]
			})
		}
	}
}

// TestConvConcurrent runs one Conv from several goroutines at once, as the
// runtime does; the scratch pools must keep the runs apart (run with -race).
func TestConvConcurrent(t *testing.T) {
	r := rand.New(rand.NewSource(21))
	op, err := newConv(node(11, 3, ints("pads", 1, 1, 1, 1), ints("strides", 2, 1)))
	if err != nil {
		t.Fatal(err)
	}
	type job struct{ x, w, b, want *operators.Value }
	var jobs []job
	for i := 0; i < 6; i++ {
		j := job{x: randVal(r, 1, 3, 9+i, 7), w: randVal(r, 4, 3, 3, 3), b: randVal(r, 4)}
		out := make([]*operators.Value, 1)
		if err := op.Run(nil, []*operators.Value{j.x, j.w, j.b}, out); err != nil {
			t.Fatal(err)
		}
		j.want = out[0]
		jobs = append(jobs, j)
	}
	errs := make(chan error, 4*len(jobs))
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for rep := 0; rep < 5; rep++ {
				for _, j := range jobs {
					out := make([]*operators.Value, 1)
					if err := op.Run(&operators.RunContext{Threads: 2}, []*operators.Value{j.x, j.w, j.b}, out); err != nil {
						errs <- err
						return
					}
					for i, v := range out[0].F32() {
						if v != j.want.F32()[i] {
							errs <- fmt.Errorf("concurrent run differs at %d: %g vs %g", i, v, j.want.F32()[i])
							return
						}
					}
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// seqAlloc recycles values in call order, like the runtime's pool in a
// steady state: the k-th allocation of a run gets the k-th value.
type seqAlloc struct {
	vals []*operators.Value
	i    int
}

func (a *seqAlloc) Alloc(dt operators.DType, shape []int, zero bool) (*operators.Value, error) {
	if a.i == len(a.vals) {
		v, err := operators.NewValue(dt, shape)
		if err != nil {
			return nil, err
		}
		a.vals = append(a.vals, v)
	}
	v := a.vals[a.i]
	a.i++
	return v, nil
}

// TestConvSteadyStateAllocs checks that a single-threaded run with
// recycled buffers allocates nothing once the geometry is memoised.
func TestConvSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	r := rand.New(rand.NewSource(23))
	for _, c := range []struct {
		name  string
		x, w  []int
		attrs []*operators.Attr
		group int64
	}{
		{"im2col", []int{1, 3, 9, 9}, []int{4, 3, 3, 3}, []*operators.Attr{ints("pads", 1, 1, 1, 1)}, 1},
		{"pointwise", []int{1, 8, 5, 5}, []int{4, 8, 1, 1}, nil, 1},
		{"depthwise", []int{1, 6, 7, 7}, []int{6, 1, 3, 3}, []*operators.Attr{ints("strides", 2, 2)}, 6},
	} {
		op, err := newConv(node(11, 3, append(c.attrs, &operators.Attr{Name: "group", Type: operators.AttrInt, I: c.group})...))
		if err != nil {
			t.Fatal(err)
		}
		in := []*operators.Value{randVal(r, c.x...), randVal(r, c.w...), randVal(r, c.w[0])}
		out := make([]*operators.Value, 1)
		alloc := &seqAlloc{}
		rc := &operators.RunContext{Threads: 1, Alloc: alloc}
		run := func() {
			alloc.i = 0
			if err := op.Run(rc, in, out); err != nil {
				t.Fatal(err)
			}
		}
		run()
		if n := testing.AllocsPerRun(20, run); n != 0 {
			t.Errorf("%s: %v allocations per run, want 0", c.name, n)
		}
		// The GEMM packs B straight from the image: no column buffer.
		if len(alloc.vals) != 1 {
			t.Errorf("%s: %d values allocated, want the output only", c.name, len(alloc.vals))
		}
	}
}

// TestConvConstWeight checks the packed-weight cache: a W that Infer saw
// as a constant is packed on the first run and reused by later runs and
// by the fused copy of the operator, while a run given another W buffer
// (the same shape) computes with that buffer and leaves the cache alone.
func TestConvConstWeight(t *testing.T) {
	r := rand.New(rand.NewSource(24))
	opv, err := newConv(node(11, 3, ints("pads", 1, 1, 1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	op := opv.(*Conv)
	x, w1, w2, b := randVal(r, 1, 5, 8, 9), randVal(r, 7, 5, 3, 3), randVal(r, 7, 5, 3, 3), randVal(r, 7)
	if _, err := op.Infer([]operators.Meta{x.Meta(), w1.Meta(), b.Meta()}, []*operators.Value{nil, w1, nil}); err != nil {
		t.Fatal(err)
	}
	check := func(op operators.Op, w *operators.Value, relu bool) {
		t.Helper()
		out := make([]*operators.Value, 1)
		if err := op.Run(&operators.RunContext{Threads: 1}, []*operators.Value{x, w, b}, out); err != nil {
			t.Fatal(err)
		}
		want := refConv(x, w, b, 1, nil, nil, []int{1, 1}, []int{8, 9})
		for i, v := range out[0].F32() {
			wv := want[i]
			if relu {
				wv = max(wv, 0)
			}
			// float32 sums of 45 products of N(0,1) values.
			if d := math.Abs(float64(v) - wv); !(d <= 1e-5+2e-6*math.Sqrt(45)*(1+math.Abs(wv))) {
				t.Fatalf("y[%d] = %g, want %g", i, v, wv)
			}
		}
	}
	check(op, w1, false)
	p := op.w.packed.Load()
	if p == nil || p.w32 != &w1.F32()[0] || len(p.p32) != 1 {
		t.Fatalf("the constant weight was not packed: %+v", p)
	}
	check(op, w1, false)
	if op.w.packed.Load() != p {
		t.Error("the constant weight was packed again")
	}
	check(op, w2, false)
	if op.w.packed.Load() != p {
		t.Error("a run with another weight buffer replaced the packed constant")
	}
	fused, ok := op.Fuse(operators.Activation{Kind: operators.ActRelu})
	if !ok {
		t.Fatal("Fuse refused Relu")
	}
	check(fused, w1, true)
	if op.w.packed.Load() != p {
		t.Error("the fused copy packed the constant weight again")
	}
	check(fused, w2, true)
}

// cpuTime is the process's user plus system CPU time.
func cpuTime() time.Duration {
	var r syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &r) != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// TestConvResidual checks the fused residual: Conv.FuseResidual then
// Fuse(Relu) must give the bits of the plain Conv followed by a float32
// Add and Relu, on the GEMM, 1×1 and depthwise paths, on one and two
// threads; a second residual or one after an activation is refused, and a
// residual of the wrong shape is an error naming the input.
func TestConvResidual(t *testing.T) {
	r := rand.New(rand.NewSource(25))
	for _, c := range []struct {
		name  string
		x, w  []int
		attrs []*operators.Attr
	}{
		{"gemm", []int{2, 4, 7, 6}, []int{5, 4, 3, 3}, []*operators.Attr{ints("pads", 1, 1, 1, 1)}},
		{"pointwise", []int{1, 6, 5, 5}, []int{3, 6, 1, 1}, nil},
		{"depthwise", []int{1, 4, 9, 8}, []int{4, 1, 3, 3}, []*operators.Attr{ints("pads", 1, 1, 1, 1), {Name: "group", Type: operators.AttrInt, I: 4}}},
	} {
		plainOp, err := newConv(node(11, 3, c.attrs...))
		if err != nil {
			t.Fatal(err)
		}
		x, w := randVal(r, c.x...), randVal(r, c.w...)
		b := randVal(r, c.w[0])
		out := make([]*operators.Value, 1)
		if err := plainOp.Run(nil, []*operators.Value{x, w, b}, out); err != nil {
			t.Fatal(err)
		}
		skip := randVal(r, out[0].Shape...)
		want := make([]float32, out[0].Len())
		for i, v := range out[0].F32() {
			want[i] = max(v+skip.F32()[i], 0)
		}
		resOp, idx, ok := plainOp.(*Conv).FuseResidual()
		if !ok || idx != 3 {
			t.Fatalf("%s: FuseResidual = %v, %d", c.name, ok, idx)
		}
		if _, _, ok := resOp.(*Conv).FuseResidual(); ok {
			t.Errorf("%s: a second residual was accepted", c.name)
		}
		fused, ok := resOp.(*Conv).Fuse(operators.Activation{Kind: operators.ActRelu})
		if !ok {
			t.Fatalf("%s: Fuse after FuseResidual refused", c.name)
		}
		if _, _, ok := fused.(*Conv).FuseResidual(); ok {
			t.Errorf("%s: a residual after an activation was accepted", c.name)
		}
		for _, run := range []string{"t1", "t2", "const/t1", "const/t2"} {
			threads := 1 + strings.Count(run, "2")
			if run == "const/t1" {
				// W becomes a constant: the packed-weight path from here on.
				if _, err := plainOp.Infer([]operators.Meta{x.Meta(), w.Meta(), b.Meta()}, []*operators.Value{nil, w}); err != nil {
					t.Fatal(err)
				}
			}
			if err := fused.Run(&operators.RunContext{Threads: threads}, []*operators.Value{x, w, b, skip}, out); err != nil {
				t.Fatal(err)
			}
			for i, v := range out[0].F32() {
				if math.Float32bits(v) != math.Float32bits(want[i]) {
					t.Fatalf("%s %s: y[%d] = %g, want %g (Conv, Add, Relu)", c.name, run, i, v, want[i])
				}
			}
		}
		bad := randVal(r, 1, 2, 3)
		if err := fused.Run(nil, []*operators.Value{x, w, b, bad}, out); err == nil || !strings.Contains(err.Error(), "input 3") {
			t.Errorf("%s: residual of shape %v: err %v, want a shape error naming input 3", c.name, bad.Shape, err)
		}
		// A residual that broadcasts (one channel) still computes Add's
		// result, with Add's output shape.
		bshape := append([]int(nil), out[0].Shape...)
		bshape[1] = 1
		bskip := randVal(r, bshape...)
		if err := plainOp.Run(nil, []*operators.Value{x, w, b}, out); err != nil {
			t.Fatal(err)
		}
		plainOut := append([]float32(nil), out[0].F32()...)
		if err := fused.Run(nil, []*operators.Value{x, w, b, bskip}, out); err != nil {
			t.Fatalf("%s: broadcast residual: %v", c.name, err)
		}
		m, vol := out[0].Shape[1], out[0].Len()/(out[0].Shape[0]*out[0].Shape[1])
		for i, v := range out[0].F32() {
			n, o := i/(m*vol), i%vol
			if wv := max(plainOut[i]+bskip.F32()[n*vol+o], 0); math.Float32bits(v) != math.Float32bits(wv) {
				t.Fatalf("%s: broadcast residual: y[%d] = %g, want %g", c.name, i, v, wv)
			}
		}
		if err := fused.Run(nil, []*operators.Value{x, w, b}, out); err == nil {
			t.Errorf("%s: a missing residual was accepted", c.name)
		}
	}
}
