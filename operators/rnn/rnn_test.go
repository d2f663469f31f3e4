package rnn

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

// refAct is the test's own table of activation functions.
func refAct(name string, alpha, beta float64) func(float64) float64 {
	switch name {
	case "Sigmoid":
		return func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	case "Tanh":
		return math.Tanh
	case "Relu":
		return func(x float64) float64 { return math.Max(x, 0) }
	case "HardSigmoid":
		return func(x float64) float64 { return math.Min(1, math.Max(0, alpha*x+beta)) }
	case "LeakyRelu":
		return func(x float64) float64 {
			if x >= 0 {
				return x
			}
			return alpha * x
		}
	case "ScaledTanh":
		return func(x float64) float64 { return alpha * math.Tanh(beta*x) }
	case "Affine":
		return func(x float64) float64 { return alpha*x + beta }
	case "Softsign":
		return func(x float64) float64 { return x / (1 + math.Abs(x)) }
	}
	panic("no activation " + name)
}

type refActSpec struct {
	name        string
	alpha, beta float64
}

// cfg is one test case, in layout 0 terms.
type cfg struct {
	kind                      kind
	seq, batch, input, hidden int
	dirs                      int
	reverse                   bool
	bias, initH, initC, peep  bool
	lens                      []int32
	acts                      []refActSpec // per direction, flattened; nil: defaults
	clip                      float64
	inputForget, lbr          bool
}

// ref runs the equations of the ONNX specification one element at a time
// in float64. Inputs are in layout 0; outputs Y [seq, dirs, batch, hidden],
// Yh and Yc [dirs, batch, hidden].
func ref(c cfg, x, w, r, b, h0, c0, p []float64) (y, yh, yc []float64) {
	H, I, G := c.hidden, c.input, c.kind.gates()
	y = make([]float64, c.seq*c.dirs*c.batch*H)
	yh = make([]float64, c.dirs*c.batch*H)
	yc = make([]float64, c.dirs*c.batch*H)
	nAct := map[kind]int{lstmKind: 3, gruKind: 2, rnnKind: 1}[c.kind]
	cl := func(v float64) float64 {
		if c.clip > 0 {
			return math.Max(-c.clip, math.Min(c.clip, v))
		}
		return v
	}
	for d := 0; d < c.dirs; d++ {
		var fs []func(float64) float64
		for k := 0; k < nAct; k++ {
			if c.acts == nil {
				fs = append(fs, refAct(map[kind][]string{lstmKind: {"Sigmoid", "Tanh", "Tanh"}, gruKind: {"Sigmoid", "Tanh"}, rnnKind: {"Tanh"}}[c.kind][k], 0, 0))
			} else {
				a := c.acts[d*nAct+k]
				fs = append(fs, refAct(a.name, a.alpha, a.beta))
			}
		}
		// wx(g, t, bt, j): row g*H+j of W times x[t, bt], plus Wb.
		wx := func(g, t, bt, j int) float64 {
			s := 0.0
			for i := 0; i < I; i++ {
				s += w[(d*G*H+g*H+j)*I+i] * x[(t*c.batch+bt)*I+i]
			}
			if c.bias {
				s += b[d*2*G*H+g*H+j]
			}
			return s
		}
		// rh(g, hv, j): row g*H+j of R times hv, plus Rb.
		rh := func(g int, hv []float64, j int) float64 {
			s := 0.0
			for i := 0; i < H; i++ {
				s += r[(d*G*H+g*H+j)*H+i] * hv[i]
			}
			if c.bias {
				s += b[d*2*G*H+G*H+g*H+j]
			}
			return s
		}
		for bt := 0; bt < c.batch; bt++ {
			hv := make([]float64, H)
			cv := make([]float64, H)
			if c.initH {
				copy(hv, h0[(d*c.batch+bt)*H:])
			}
			if c.initC {
				copy(cv, c0[(d*c.batch+bt)*H:])
			}
			L := c.seq
			if c.lens != nil {
				L = int(c.lens[bt])
			}
			for s := 0; s < L; s++ {
				t := s
				if c.reverse || d == 1 {
					t = L - 1 - s
				}
				nh := make([]float64, H)
				nc := make([]float64, H)
				switch c.kind {
				case lstmKind: // gate blocks i, o, f, c; P blocks i, o, f
					for j := 0; j < H; j++ {
						pi, po, pf := 0.0, 0.0, 0.0
						if c.peep {
							pi, po, pf = p[d*3*H+j], p[d*3*H+H+j], p[d*3*H+2*H+j]
						}
						it := fs[0](cl(wx(0, t, bt, j) + rh(0, hv, j) + pi*cv[j]))
						ft := fs[0](cl(wx(2, t, bt, j) + rh(2, hv, j) + pf*cv[j]))
						if c.inputForget {
							ft = 1 - it
						}
						ct := fs[1](cl(wx(3, t, bt, j) + rh(3, hv, j)))
						nc[j] = ft*cv[j] + it*ct
						ot := fs[0](cl(wx(1, t, bt, j) + rh(1, hv, j) + po*nc[j]))
						nh[j] = ot * fs[2](nc[j])
					}
				case gruKind: // gate blocks z, r, h
					rt := make([]float64, H)
					zt := make([]float64, H)
					for j := 0; j < H; j++ {
						zt[j] = fs[0](cl(wx(0, t, bt, j) + rh(0, hv, j)))
						rt[j] = fs[0](cl(wx(1, t, bt, j) + rh(1, hv, j)))
					}
					rhv := make([]float64, H)
					for j := range rhv {
						rhv[j] = rt[j] * hv[j]
					}
					for j := 0; j < H; j++ {
						var ht float64
						if c.lbr {
							ht = fs[1](cl(wx(2, t, bt, j) + rt[j]*rh(2, hv, j)))
						} else {
							ht = fs[1](cl(wx(2, t, bt, j) + rh(2, rhv, j)))
						}
						nh[j] = (1-zt[j])*ht + zt[j]*hv[j]
					}
				case rnnKind:
					for j := 0; j < H; j++ {
						nh[j] = fs[0](cl(wx(0, t, bt, j) + rh(0, hv, j)))
					}
				}
				hv, cv = nh, nc
				copy(y[((t*c.dirs+d)*c.batch+bt)*H:], hv)
			}
			copy(yh[(d*c.batch+bt)*H:], hv)
			copy(yc[(d*c.batch+bt)*H:], cv)
		}
	}
	return y, yh, yc
}

func randv(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.Float64()*2 - 1
	}
	return v
}

func tof32(v []float64) []float32 {
	o := make([]float32, len(v))
	for i, x := range v {
		o[i] = float32(x)
	}
	return o
}

func mkval(dt operators.DType, shape []int, v []float64) *operators.Value {
	var out *operators.Value
	var err error
	if dt == operators.Float32 {
		out, err = operators.FromSlice(tof32(v), shape)
	} else {
		out, err = operators.FromSlice(append([]float64(nil), v...), shape)
	}
	if err != nil {
		panic(err)
	}
	return out
}

func values(v *operators.Value) []float64 {
	if v.DType == operators.Float32 {
		o := make([]float64, v.Len())
		for i, x := range v.F32() {
			o[i] = float64(x)
		}
		return o
	}
	return v.F64()
}

// permute reorders a row-major tensor of the given shape by perm (output
// axis k is input axis perm[k]).
func permute(v []float64, shape, perm []int) []float64 {
	n := len(shape)
	out := make([]float64, len(v))
	oshape := make([]int, n)
	for k := range perm {
		oshape[k] = shape[perm[k]]
	}
	idx := make([]int, n)
	for o := range out {
		rem := o
		for k := n - 1; k >= 0; k-- {
			idx[perm[k]] = rem % oshape[k]
			rem /= oshape[k]
		}
		flat := 0
		for k := 0; k < n; k++ {
			flat = flat*shape[k] + idx[k]
		}
		out[o] = v[flat]
	}
	return out
}

func node(c cfg, opset int, nIn int, attrs ...*operators.Attr) *operators.Node {
	n := &operators.Node{Name: "n", OpType: c.kind.String(), Opset: opset, Attrs: map[string]*operators.Attr{}}
	for i := 0; i < nIn; i++ {
		n.Inputs = append(n.Inputs, inNames[i])
	}
	n.Outputs = []string{"Y", "Y_h"}
	if c.kind == lstmKind {
		n.Outputs = append(n.Outputs, "Y_c")
	}
	for _, a := range attrs {
		n.Attrs[a.Name] = a
	}
	return n
}

func build(n *operators.Node) (operators.Op, error) {
	reg, ok := operators.Lookup("", n.OpType, n.Opset)
	if !ok {
		return nil, fmt.Errorf("no %s-%d", n.OpType, n.Opset)
	}
	return reg.New(n)
}

// check runs case c (at the given layout and type) and compares with ref.
// Tolerance: float32 sums of up to a few dozen products of values in
// [-1, 1] through bounded activations, chained over a handful of steps;
// 2e-5 absolute plus 2e-5 relative is well above the few-ulp rounding of
// float32 and far below any formula mistake. float64 gets 1e-12.
func check(t *testing.T, name string, c cfg, layout int, dt operators.DType, seed int64) {
	t.Helper()
	rnd := rand.New(rand.NewSource(seed))
	G, H, D := c.kind.gates(), c.hidden, c.dirs
	x := randv(rnd, c.seq*c.batch*c.input)
	w := randv(rnd, D*G*H*c.input)
	r := randv(rnd, D*G*H*H)
	b := randv(rnd, D*2*G*H)
	h0 := randv(rnd, D*c.batch*H)
	c0 := randv(rnd, D*c.batch*H)
	p := randv(rnd, D*3*H)
	wantY, wantH, wantC := ref(c, x, w, r, b, h0, c0, p)

	var attrs []*operators.Attr
	attrs = append(attrs, ot.Int("hidden_size", int64(H)))
	switch {
	case D == 2:
		attrs = append(attrs, ot.String("direction", "bidirectional"))
	case c.reverse:
		attrs = append(attrs, ot.String("direction", "reverse"))
	}
	if c.acts != nil {
		var names []string
		var al, be []float32
		for _, a := range c.acts {
			names = append(names, a.name)
			switch a.name {
			case "HardSigmoid", "ScaledTanh", "Affine":
				al, be = append(al, float32(a.alpha)), append(be, float32(a.beta))
			case "LeakyRelu":
				al = append(al, float32(a.alpha))
			}
		}
		attrs = append(attrs, ot.Strings("activations", names...))
		if al != nil {
			attrs = append(attrs, ot.Floats("activation_alpha", al...))
		}
		if be != nil {
			attrs = append(attrs, ot.Floats("activation_beta", be...))
		}
	}
	if c.clip > 0 {
		attrs = append(attrs, ot.Float("clip", float32(c.clip)))
	}
	if c.inputForget {
		attrs = append(attrs, ot.Int("input_forget", 1))
	}
	if c.lbr {
		attrs = append(attrs, ot.Int("linear_before_reset", 1))
	}
	opset := 7
	if layout == 1 {
		opset = 14
		attrs = append(attrs, ot.Int("layout", 1))
	}
	in := []*operators.Value{nil, mkval(dt, []int{D, G * H, c.input}, w), mkval(dt, []int{D, G * H, H}, r), nil, nil, nil, nil, nil}
	xs := []int{c.seq, c.batch, c.input}
	ss := []int{D, c.batch, H}
	if layout == 1 {
		in[inX] = mkval(dt, []int{c.batch, c.seq, c.input}, permute(x, xs, []int{1, 0, 2}))
	} else {
		in[inX] = mkval(dt, xs, x)
	}
	state := func(v []float64) *operators.Value {
		if layout == 1 {
			return mkval(dt, []int{c.batch, D, H}, permute(v, ss, []int{1, 0, 2}))
		}
		return mkval(dt, ss, v)
	}
	if c.bias {
		in[inB] = mkval(dt, []int{D, 2 * G * H}, b)
	}
	if c.lens != nil {
		var err error
		if in[inSeqLens], err = operators.FromSlice(c.lens, []int{c.batch}); err != nil {
			t.Fatalf("%s: sequence_lens: %v", name, err)
		}
	}
	if c.initH {
		in[inInitH] = state(h0)
	}
	if c.initC && c.kind == lstmKind {
		in[inInitC] = state(c0)
	}
	if c.peep && c.kind == lstmKind {
		in[inP] = mkval(dt, []int{D, 3 * H}, p)
	}
	nIn := 3
	for i, v := range in {
		if v != nil {
			nIn = i + 1
		}
	}
	in = in[:nIn]
	op, err := build(node(c, opset, nIn, attrs...))
	if err != nil {
		t.Fatalf("%s: build: %v", name, err)
	}
	out := make([]*operators.Value, 3)
	if c.kind != lstmKind {
		out = out[:2]
	}
	metas := make([]operators.Meta, len(in))
	for i, v := range in {
		if v != nil {
			metas[i] = v.Meta()
		}
	}
	inferred, err := op.Infer(metas, nil)
	if err != nil {
		t.Fatalf("%s: infer: %v", name, err)
	}
	if err := op.Run(&operators.RunContext{Threads: 2}, in, out); err != nil {
		t.Fatalf("%s: run: %v", name, err)
	}
	if layout == 1 {
		wantY = permute(wantY, []int{c.seq, D, c.batch, H}, []int{2, 0, 1, 3})
		wantH = permute(wantH, ss, []int{1, 0, 2})
		wantC = permute(wantC, ss, []int{1, 0, 2})
	}
	tol := 2e-5
	if dt == operators.Float64 {
		tol = 1e-12
	}
	for k, want := range [][]float64{wantY, wantH, wantC}[:len(out)] {
		got := out[k]
		if fmt.Sprint(got.Shape) != fmt.Sprint(inferred[k].Shape) {
			t.Errorf("%s: output %d has shape %v, Infer said %v", name, k, got.Shape, inferred[k].Shape)
		}
		gv := values(got)
		if len(gv) != len(want) {
			t.Fatalf("%s: output %d has %d elements, want %d", name, k, len(gv), len(want))
		}
		for i := range want {
			if e := math.Abs(gv[i] - want[i]); e > tol+tol*math.Abs(want[i]) {
				t.Errorf("%s: output %d [%d] = %v, want %v (err %.3g)", name, k, i, gv[i], want[i], e)
				break
			}
		}
	}
}

func TestAgainstReference(t *testing.T) {
	base := cfg{seq: 4, batch: 3, input: 5, hidden: 6, dirs: 1, bias: true, initH: true, initC: true}
	with := func(f func(*cfg)) cfg { c := base; f(&c); return c }
	cases := map[string]cfg{}
	for _, k := range []kind{lstmKind, gruKind, rnnKind} {
		kn := k.String()
		cases[kn+" forward"] = with(func(c *cfg) { c.kind = k })
		cases[kn+" no bias, no state"] = with(func(c *cfg) { c.kind, c.bias, c.initH, c.initC = k, false, false, false })
		cases[kn+" reverse"] = with(func(c *cfg) { c.kind, c.reverse = k, true })
		cases[kn+" bidirectional, sequence_lens"] = with(func(c *cfg) { c.kind, c.dirs, c.lens = k, 2, []int32{4, 2, 0} })
		// Batches up to smallBatch take dot products for the recurrent
		// product, larger ones the GEMM.
		cases[kn+" batch 2, bidirectional"] = with(func(c *cfg) {
			c.kind, c.batch, c.dirs, c.lens = k, 2, 2, []int32{3, 4}
		})
		cases[kn+" batch 1, reverse"] = with(func(c *cfg) {
			c.kind, c.batch, c.reverse = k, 1, true
		})
		cases[kn+" large batch, bidirectional"] = with(func(c *cfg) {
			c.kind, c.batch, c.dirs = k, 11, 2
			c.lens = []int32{4, 3, 2, 1, 0, 4, 4, 3, 2, 1, 4}
		})
		cases[kn+" clip"] = with(func(c *cfg) { c.kind, c.clip = k, 0.25 }) // exact in float32
	}
	cases["LSTM peepholes"] = with(func(c *cfg) { c.kind, c.peep = lstmKind, true })
	cases["LSTM peepholes, input_forget, bidirectional"] = with(func(c *cfg) { c.kind, c.peep, c.inputForget, c.dirs = lstmKind, true, true, 2 })
	// Activation parameters are exact in float32, as the attributes are
	// float32 and the reference computes in float64.
	cases["LSTM activations"] = with(func(c *cfg) {
		c.kind, c.dirs = lstmKind, 2
		c.acts = []refActSpec{{"HardSigmoid", 0.25, 0.375}, {"LeakyRelu", 0.125, 0}, {"Softsign", 0, 0}, {"Sigmoid", 0, 0}, {"ScaledTanh", 0.75, 1.25}, {"Affine", 0.5, 0.0625}}
	})
	cases["GRU linear_before_reset"] = with(func(c *cfg) { c.kind, c.lbr = gruKind, true })
	cases["GRU linear_before_reset, bidirectional, lens"] = with(func(c *cfg) { c.kind, c.lbr, c.dirs, c.lens = gruKind, true, 2, []int32{1, 4, 3} })
	cases["GRU activations"] = with(func(c *cfg) {
		c.kind, c.acts = gruKind, []refActSpec{{"HardSigmoid", 0.25, 0.5}, {"LeakyRelu", 0.0625, 0}}
	})
	cases["RNN relu"] = with(func(c *cfg) { c.kind, c.acts = rnnKind, []refActSpec{{"Relu", 0, 0}} })
	seed := int64(1)
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		c := cases[name]
		for _, layout := range []int{0, 1} {
			for _, dt := range []operators.DType{operators.Float32, operators.Float64} {
				seed++
				name := fmt.Sprintf("%s layout %d %v", name, layout, dt)
				t.Run(name, func(t *testing.T) {
					t.Logf("seed %d", seed)
					check(t, name, c, layout, dt, seed)
				})
			}
		}
	}
}

// TestOptionalOutputs: with only Y_h asked for, Y is not computed and
// Y_h still matches.
func TestOptionalOutputs(t *testing.T) {
	c := cfg{kind: lstmKind, seq: 3, batch: 2, input: 2, hidden: 3, dirs: 1}
	rnd := rand.New(rand.NewSource(5))
	x, w, r := randv(rnd, 12), randv(rnd, 4*3*2), randv(rnd, 4*3*3)
	_, wantH, _ := ref(c, x, w, r, nil, nil, nil, nil)
	n := node(c, 14, 3, ot.Int("hidden_size", 3))
	n.Outputs = []string{"", "Y_h"}
	op, err := build(n)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*operators.Value, 2)
	in := []*operators.Value{mkval(operators.Float32, []int{3, 2, 2}, x), mkval(operators.Float32, []int{1, 12, 2}, w), mkval(operators.Float32, []int{1, 12, 3}, r)}
	if err := op.Run(nil, in, out); err != nil {
		t.Fatal(err)
	}
	if out[0] != nil {
		t.Errorf("Y was computed though not asked for")
	}
	for i, g := range values(out[1]) {
		if math.Abs(g-wantH[i]) > 2e-5 {
			t.Errorf("Y_h[%d] = %v, want %v", i, g, wantH[i])
		}
	}
}

func TestAttributeErrors(t *testing.T) {
	c := cfg{kind: lstmKind}
	for _, tc := range []struct {
		opset int
		kind  kind
		attr  *operators.Attr
		name  string
	}{
		{7, lstmKind, ot.String("direction", "sideways"), "direction"},
		{7, lstmKind, ot.Int("hidden_size", 0), "hidden_size"},
		{7, lstmKind, ot.Strings("activations", "Sigmoid", "Tanh"), "activations"},
		{7, lstmKind, ot.Strings("activations", "Sigmoid", "Tanh", "Cosh"), "activations"},
		{7, lstmKind, ot.Float("clip", -1), "clip"},
		{7, lstmKind, ot.Int("input_forget", 2), "input_forget"},
		{7, lstmKind, ot.Int("layout", 1), "layout"},
		{14, lstmKind, ot.Int("layout", 2), "layout"},
		{7, gruKind, ot.Int("linear_before_reset", 3), "linear_before_reset"},
		{7, rnnKind, ot.Int("hidden_size", -4), "hidden_size"},
	} {
		c.kind = tc.kind
		_, err := build(node(c, tc.opset, 3, tc.attr))
		var ae *operators.AttributeError
		if !errors.As(err, &ae) || ae.Attr != tc.name {
			t.Errorf("%s-%d with %s: err = %v, want an error on %q", tc.kind, tc.opset, tc.attr.Name, err, tc.name)
		}
	}
}

func TestShapeErrors(t *testing.T) {
	f := func(shape ...int) operators.Meta {
		return operators.Meta{DType: operators.Float32, Shape: shape, HasShape: true}
	}
	c := cfg{kind: gruKind}
	op, err := build(node(c, 7, 6, ot.Int("hidden_size", 4)))
	if err != nil {
		t.Fatal(err)
	}
	good := []operators.Meta{f(5, 2, 3), f(1, 12, 3), f(1, 12, 4), f(1, 24), {DType: operators.Int32, Shape: []int{2}, HasShape: true}, f(1, 2, 4)}
	if _, err := op.Infer(good, nil); err != nil {
		t.Fatalf("good shapes: %v", err)
	}
	for _, tc := range []struct {
		i    int
		m    operators.Meta
		name string
	}{
		{inW, f(1, 12, 7), `"W"`},
		{inW, f(2, 12, 3), `"W"`},
		{inR, f(1, 12, 5), `"R"`},
		{inB, f(1, 12), `"B"`},
		{inSeqLens, operators.Meta{DType: operators.Int32, Shape: []int{3}, HasShape: true}, `"sequence_lens"`},
		{inInitH, f(1, 2, 5), `"initial_h"`},
		{inX, f(5, 3), `"X"`},
	} {
		in := append([]operators.Meta(nil), good...)
		in[tc.i] = tc.m
		_, err := op.Infer(in, nil)
		if err == nil || !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("bad %s %v: err = %v, want a shape error naming %s", inNames[tc.i], tc.m.Shape, err, tc.name)
		}
	}
	// Run checks too: sequence_lens longer than the sequence.
	lens, _ := operators.FromSlice([]int32{6, 1}, []int{2})
	in := []*operators.Value{mkval(operators.Float32, []int{5, 2, 3}, make([]float64, 30)), mkval(operators.Float32, []int{1, 12, 3}, make([]float64, 36)),
		mkval(operators.Float32, []int{1, 12, 4}, make([]float64, 48)), nil, lens}
	op5, err := build(node(c, 7, 5, ot.Int("hidden_size", 4)))
	if err != nil {
		t.Fatal(err)
	}
	if err := op5.Run(nil, in, make([]*operators.Value, 2)); err == nil || !strings.Contains(err.Error(), "sequence_lens") {
		t.Errorf("sequence_lens 6 > 5: err = %v", err)
	}
}
