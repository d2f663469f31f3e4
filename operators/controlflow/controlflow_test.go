package controlflow_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	_ "github.com/onnxrun/onnxrun/operators/all"
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// Models here are built from onnxpb structs and loaded with
// runtime.LoadModel, so the operators run inside real plans with real
// outer-scope resolution.

func vi(name string, dt operators.DType, dims ...int) *onnxpb.ValueInfo {
	// No dims: a scalar.
	t := &onnxpb.TensorType{ElemType: int32(dt), Shape: &onnxpb.Shape{}}
	{
		for _, d := range dims {
			if d < 0 {
				t.Shape.Dims = append(t.Shape.Dims, onnxpb.Dim{Param: "n"})
			} else {
				t.Shape.Dims = append(t.Shape.Dims, onnxpb.Dim{Value: int64(d), HasValue: true})
			}
		}
	}
	return &onnxpb.ValueInfo{Name: name, Type: &onnxpb.Type{Tensor: t}}
}

// untyped is a subgraph value with neither type nor shape declared.
func untyped(name string) *onnxpb.ValueInfo { return &onnxpb.ValueInfo{Name: name} }

func nd(op string, ins, outs []string, attrs ...*onnxpb.Attribute) *onnxpb.Node {
	return &onnxpb.Node{Name: op + "_" + strings.Join(outs, "_"), OpType: op, Inputs: ins, Outputs: outs, Attributes: attrs}
}

func gattr(name string, g *onnxpb.Graph) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttributeType(operators.AttrGraph), G: g}
}

func iattr(name string, v int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttributeType(operators.AttrInt), I: v}
}

func intsAttr(name string, v ...int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttributeType(operators.AttrInts), Ints: v}
}

func model(opset int64, g *onnxpb.Graph) *onnxpb.Model {
	return &onnxpb.Model{IRVersion: 8, OpsetImport: []onnxpb.OperatorSetID{{Domain: "", Version: opset}}, Graph: g}
}

func val[T operators.Element](shape []int, data ...T) *operators.Value {
	v, err := operators.FromSlice(data, shape)
	if err != nil {
		panic(err)
	}
	return v
}

func load(t *testing.T, m *onnxpb.Model) *runtime.Session {
	t.Helper()
	s, err := runtime.LoadModel(m, "")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return s
}

func run(t *testing.T, s *runtime.Session, in map[string]*operators.Value) map[string]*operators.Value {
	t.Helper()
	out, err := s.RunValues(context.Background(), in)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return out
}

// nestedIf: y = If(a > 0, then: If(b > 0, then: x + a + b (x from two
// scopes up, a from the top graph), else: concat(x, x)), else: x * a).
// The branches differ in shape (concat doubles the length).
func nestedIf() *onnxpb.Model {
	innerThen := &onnxpb.Graph{
		Name:    "inner_then",
		Nodes:   []*onnxpb.Node{nd("Add", []string{"x", "a"}, []string{"xa"}), nd("Add", []string{"xa", "b"}, []string{"it"})},
		Outputs: []*onnxpb.ValueInfo{untyped("it")},
	}
	innerElse := &onnxpb.Graph{
		Name:    "inner_else",
		Nodes:   []*onnxpb.Node{nd("Concat", []string{"x", "x"}, []string{"ie"}, iattr("axis", 0))},
		Outputs: []*onnxpb.ValueInfo{untyped("ie")},
	}
	outerThen := &onnxpb.Graph{
		Name: "outer_then",
		Nodes: []*onnxpb.Node{
			nd("Greater", []string{"b", "zero"}, []string{"bpos"}),
			nd("If", []string{"bpos"}, []string{"ot"}, gattr("then_branch", innerThen), gattr("else_branch", innerElse)),
		},
		Outputs: []*onnxpb.ValueInfo{untyped("ot")},
	}
	outerElse := &onnxpb.Graph{
		Name:    "outer_else",
		Nodes:   []*onnxpb.Node{nd("Mul", []string{"x", "a"}, []string{"oe"})},
		Outputs: []*onnxpb.ValueInfo{vi("oe", operators.Float32, -1)},
	}
	return model(13, &onnxpb.Graph{
		Name: "main",
		Nodes: []*onnxpb.Node{
			nd("Greater", []string{"a", "zero"}, []string{"apos"}),
			nd("If", []string{"apos"}, []string{"y"}, gattr("then_branch", outerThen), gattr("else_branch", outerElse)),
		},
		Initializers: []*onnxpb.Tensor{onnxpb.ValueToTensor(val([]int{}, float32(0)), "zero")},
		Inputs:       []*onnxpb.ValueInfo{vi("x", operators.Float32, -1), vi("a", operators.Float32), vi("b", operators.Float32)},
		Outputs:      []*onnxpb.ValueInfo{vi("y", operators.Float32, -1)},
	})
}

func TestNestedIf(t *testing.T) {
	s := load(t, nestedIf())
	x := []float32{1, -2, 3}
	for _, c := range []struct{ a, b float32 }{{1, 2}, {1, -2}, {-1, 5}, {0, 0}, {3, 0}} {
		var want []float32
		switch {
		case c.a > 0 && c.b > 0:
			for _, v := range x {
				want = append(want, v+c.a+c.b)
			}
		case c.a > 0:
			want = append(append(want, x...), x...)
		default:
			for _, v := range x {
				want = append(want, v*c.a)
			}
		}
		out := run(t, s, map[string]*operators.Value{"x": val([]int{3}, x...), "a": val([]int{}, c.a), "b": val([]int{}, c.b)})
		y := out["y"]
		if !slices.Equal(y.Shape, []int{len(want)}) || !slices.Equal(y.F32(), want) {
			t.Errorf("a=%v b=%v: y = %v %v, want %v", c.a, c.b, y.Shape, y.F32(), want)
		}
	}
}

// countdown: a Loop that carries (s, k), adds k*k to s while the trip count
// allows and s stays below limit, and scans out each iteration's s and
// the iteration number.
func countdown(withM, withCond bool) *onnxpb.Model {
	body := &onnxpb.Graph{
		Name: "body",
		Nodes: []*onnxpb.Node{
			nd("Mul", []string{"k_in", "k_in"}, []string{"kk"}),
			nd("Add", []string{"s_in", "kk"}, []string{"s_out"}),
			nd("Add", []string{"k_in", "one"}, []string{"k_out"}),
			nd("Less", []string{"s_out", "limit"}, []string{"c_out"}),
			nd("Identity", []string{"s_out"}, []string{"scan_s"}),
			nd("Identity", []string{"i"}, []string{"scan_i"}),
		},
		Inputs:  []*onnxpb.ValueInfo{vi("i", operators.Int64), vi("c_in", operators.Bool), untyped("s_in"), untyped("k_in")},
		Outputs: []*onnxpb.ValueInfo{untyped("c_out"), untyped("s_out"), untyped("k_out"), untyped("scan_s"), untyped("scan_i")},
	}
	m, c := "M", "cond"
	ins := []*onnxpb.ValueInfo{vi("limit", operators.Float32), vi("s0", operators.Float32, 1), vi("k0", operators.Float32, 1)}
	if withM {
		ins = append(ins, vi("M", operators.Int64))
	} else {
		m = ""
	}
	if withCond {
		ins = append(ins, vi("cond", operators.Bool))
	} else {
		c = ""
	}
	return model(16, &onnxpb.Graph{
		Name: "main",
		Nodes: []*onnxpb.Node{
			nd("Loop", []string{m, c, "s0", "k0"}, []string{"s", "k", "ss", "is"}, gattr("body", body)),
		},
		Initializers: []*onnxpb.Tensor{onnxpb.ValueToTensor(val([]int{1}, float32(1)), "one")},
		Inputs:       ins,
		Outputs:      []*onnxpb.ValueInfo{vi("s", operators.Float32, 1), vi("k", operators.Float32, 1), vi("ss", operators.Float32, -1, 1), vi("is", operators.Int64, -1)},
	})
}

func TestLoop(t *testing.T) {
	for _, form := range []struct{ m, c bool }{{true, true}, {true, false}, {false, true}} {
		s := load(t, countdown(form.m, form.c))
		for _, tc := range []struct {
			M     int64
			cond  bool
			limit float32
		}{{5, true, 1000}, {5, true, 20}, {0, true, 1000}, {-3, true, 1000}, {3, false, 1000}, {10, true, -1}} {
			if !form.m && !form.c {
				continue
			}
			// Reference: the loop written out.
			sv, kv := float32(2), float32(1)
			var ss []float32
			var is []int64
			cond := tc.cond || !form.c
			for i := int64(0); (!form.m || i < tc.M) && cond; i++ {
				sv += kv * kv
				kv++
				ss = append(ss, sv)
				is = append(is, i)
				if form.c {
					cond = sv < tc.limit
				}
			}
			in := map[string]*operators.Value{"limit": val([]int{}, tc.limit), "s0": val([]int{1}, float32(2)), "k0": val([]int{1}, float32(1))}
			if form.m {
				in["M"] = val([]int{}, tc.M)
			}
			if form.c {
				in["cond"] = val([]int{}, tc.cond)
			}
			if !form.m {
				// Without a trip count the condition must end the loop.
				if tc.limit > 100 || !tc.cond {
					continue
				}
			}
			name := fmt.Sprintf("M=%v(%d) cond=%v(%v) limit=%v", form.m, tc.M, form.c, tc.cond, tc.limit)
			out := run(t, s, in)
			if got := out["s"].F32(); !slices.Equal(got, []float32{sv}) {
				t.Errorf("%s: s = %v, want %v", name, got, sv)
			}
			if got := out["k"].F32(); !slices.Equal(got, []float32{kv}) {
				t.Errorf("%s: k = %v, want %v", name, got, kv)
			}
			if len(ss) == 0 {
				if n := out["ss"].Len(); n != 0 {
					t.Errorf("%s: ss has %d elements, want 0", name, n)
				}
				// The body's scan_i is Identity of the int64 scalar
				// iteration number, so no iteration is int64 [0].
				if got := out["is"]; got.DType != operators.Int64 || !slices.Equal(got.Shape, []int{0}) {
					t.Errorf("%s: is = %v, want int64[0]", name, got)
				}
				continue
			}
			if got := out["ss"]; !slices.Equal(got.Shape, []int{len(ss), 1}) || !slices.Equal(got.F32(), ss) {
				t.Errorf("%s: ss = %v %v, want %v", name, got.Shape, got.F32(), ss)
			}
			if got := out["is"]; !slices.Equal(got.Shape, []int{len(is)}) || !slices.Equal(got.I64(), is) {
				t.Errorf("%s: is = %v %v, want %v", name, got.Shape, got.I64(), is)
			}
		}
	}
}

// TestLoopZeroTripsKeepsInputs checks that the initial values come back
// unchanged, and that the returned value is not the caller's buffer.
func TestLoopZeroTripsKeepsInputs(t *testing.T) {
	s := load(t, countdown(true, true))
	s0 := val([]int{1}, float32(7))
	out := run(t, s, map[string]*operators.Value{"M": val([]int{}, int64(0)), "cond": val([]int{}, true),
		"limit": val([]int{}, float32(0)), "s0": s0, "k0": val([]int{1}, float32(1))})
	if got := out["s"].F32(); !slices.Equal(got, []float32{7}) {
		t.Fatalf("s = %v, want [7]", got)
	}
	out["s"].F32()[0] = 9
	if s0.F32()[0] != 7 {
		t.Errorf("the output shares the input's buffer")
	}
}

// TestScan: a running sum over the rows of x (scan axis 1, reversed),
// with per-step outputs stacked along axis 1, against the sum written out.
func TestScan(t *testing.T) {
	body := &onnxpb.Graph{
		Name:    "body",
		Nodes:   []*onnxpb.Node{nd("Add", []string{"acc_in", "col"}, []string{"acc_out"}), nd("Identity", []string{"acc_out"}, []string{"step"})},
		Inputs:  []*onnxpb.ValueInfo{untyped("acc_in"), untyped("col")},
		Outputs: []*onnxpb.ValueInfo{untyped("acc_out"), untyped("step")},
	}
	m := model(16, &onnxpb.Graph{
		Name: "main",
		Nodes: []*onnxpb.Node{nd("Scan", []string{"init", "x"}, []string{"final", "steps"}, gattr("body", body),
			iattr("num_scan_inputs", 1), intsAttr("scan_input_axes", 1), intsAttr("scan_input_directions", 1),
			intsAttr("scan_output_axes", -1))},
		Inputs:  []*onnxpb.ValueInfo{vi("init", operators.Float32, 2), vi("x", operators.Float32, 2, 3)},
		Outputs: []*onnxpb.ValueInfo{vi("final", operators.Float32, 2), vi("steps", operators.Float32, 2, 3)},
	})
	s := load(t, m)
	x := []float32{1, 2, 3, 10, 20, 30} // [2, 3]
	out := run(t, s, map[string]*operators.Value{"init": val([]int{2}, float32(0.5), -1), "x": val([]int{2, 3}, x...)})
	acc := []float32{0.5, -1}
	steps := make([]float32, 6) // [2, 3]: step k along axis 1
	for k := 0; k < 3; k++ {
		j := 2 - k // reversed input
		for r := 0; r < 2; r++ {
			acc[r] += x[r*3+j]
			steps[r*3+k] = acc[r]
		}
	}
	if got := out["final"].F32(); !slices.Equal(got, acc) {
		t.Errorf("final = %v, want %v", got, acc)
	}
	if got := out["steps"]; !slices.Equal(got.Shape, []int{2, 3}) || !slices.Equal(got.F32(), steps) {
		t.Errorf("steps = %v %v, want %v", got.Shape, got.F32(), steps)
	}
}

func TestErrors(t *testing.T) {
	branch := func(name string, outs ...string) *onnxpb.Graph {
		g := &onnxpb.Graph{Name: name}
		for _, o := range outs {
			g.Nodes = append(g.Nodes, nd("Identity", []string{"x"}, []string{o}))
			g.Outputs = append(g.Outputs, untyped(o))
		}
		return g
	}
	ifModel := func(attrs ...*onnxpb.Attribute) *onnxpb.Model {
		return model(13, &onnxpb.Graph{
			Name:    "main",
			Nodes:   []*onnxpb.Node{nd("If", []string{"c"}, []string{"y"}, attrs...)},
			Inputs:  []*onnxpb.ValueInfo{vi("c", operators.Bool), vi("x", operators.Float32, 2)},
			Outputs: []*onnxpb.ValueInfo{vi("y", operators.Float32, 2)},
		})
	}
	for _, tc := range []struct {
		name string
		m    *onnxpb.Model
		want string
	}{
		{"no else", ifModel(gattr("then_branch", branch("t", "a"))), `"else_branch"`},
		{"output counts", ifModel(gattr("then_branch", branch("t", "a")), gattr("else_branch", branch("e", "a", "b"))), `"else_branch"`},
		{"loop without body", model(13, &onnxpb.Graph{Name: "main",
			Nodes:   []*onnxpb.Node{nd("Loop", []string{"", "", "x"}, []string{"y"})},
			Inputs:  []*onnxpb.ValueInfo{vi("x", operators.Float32, 2)},
			Outputs: []*onnxpb.ValueInfo{vi("y", operators.Float32, 2)}}), `"body"`},
	} {
		_, err := runtime.LoadModel(tc.m, "")
		if err == nil || !errors.Is(err, operators.ErrAttribute) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want an attribute error naming %s", tc.name, err, tc.want)
		}
	}
	// A cond that is not one element fails at run time, naming cond.
	s := load(t, model(13, &onnxpb.Graph{
		Name:    "main",
		Nodes:   []*onnxpb.Node{nd("If", []string{"c"}, []string{"y"}, gattr("then_branch", branch("t", "a")), gattr("else_branch", branch("e", "b")))},
		Inputs:  []*onnxpb.ValueInfo{vi("c", operators.Bool, -1), vi("x", operators.Float32, 2)},
		Outputs: []*onnxpb.ValueInfo{vi("y", operators.Float32, 2)},
	}))
	_, err := s.RunValues(context.Background(), map[string]*operators.Value{"c": val([]int{2}, true, false), "x": val([]int{2}, float32(1), 2)})
	if err == nil || !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "cond") {
		t.Errorf("two-element cond: err = %v", err)
	}
	out := run(t, s, map[string]*operators.Value{"c": val([]int{1}, false), "x": val([]int{2}, float32(1), 2)})
	if got := out["y"].F32(); !slices.Equal(got, []float32{1, 2}) || math.IsNaN(float64(got[0])) {
		t.Errorf("else branch: y = %v", got)
	}
}

// TestScan8: the batch form with sequence_lens; steps past an entry's
// length leave its scan output zero and its state as it was.
func TestScan8(t *testing.T) {
	body := &onnxpb.Graph{
		Name:    "body",
		Nodes:   []*onnxpb.Node{nd("Add", []string{"acc_in", "v"}, []string{"acc_out"}), nd("Identity", []string{"acc_out"}, []string{"step"})},
		Inputs:  []*onnxpb.ValueInfo{untyped("acc_in"), untyped("v")},
		Outputs: []*onnxpb.ValueInfo{untyped("acc_out"), untyped("step")},
	}
	m := model(8, &onnxpb.Graph{
		Name: "main",
		Nodes: []*onnxpb.Node{nd("Scan", []string{"lens", "init", "x"}, []string{"final", "steps"}, gattr("body", body),
			iattr("num_scan_inputs", 1), intsAttr("directions", 1))},
		Inputs:  []*onnxpb.ValueInfo{vi("lens", operators.Int64, 2), vi("init", operators.Float32, 2, 1), vi("x", operators.Float32, 2, 3, 1)},
		Outputs: []*onnxpb.ValueInfo{vi("final", operators.Float32, 2, 1), vi("steps", operators.Float32, 2, 3, 1)},
	})
	s := load(t, m)
	x := []float32{1, 2, 3, 10, 20, 30}
	out := run(t, s, map[string]*operators.Value{"lens": val([]int{2}, int64(3), 1), "init": val([]int{2, 1}, float32(0), 100), "x": val([]int{2, 3, 1}, x...)})
	// Entry 0 runs 3 steps backwards: 3, 5, 6. Entry 1 runs one step on
	// its first (and last valid) element: 110, then zeros.
	if got, want := out["final"].F32(), []float32{6, 110}; !slices.Equal(got, want) {
		t.Errorf("final = %v, want %v", got, want)
	}
	if got, want := out["steps"].F32(), []float32{3, 5, 6, 110, 0, 0}; !slices.Equal(got, want) || !slices.Equal(out["steps"].Shape, []int{2, 3, 1}) {
		t.Errorf("steps = %v %v, want %v", out["steps"].Shape, got, want)
	}
}

// TestLoopScanShapeChange: a scan output whose shape changes between
// iterations cannot be stacked; the error names it.
func TestLoopScanShapeChange(t *testing.T) {
	body := &onnxpb.Graph{
		Name: "body",
		Nodes: []*onnxpb.Node{
			nd("Concat", []string{"v_in", "v_in"}, []string{"v_out"}, iattr("axis", 0)),
			nd("Identity", []string{"c_in"}, []string{"c_out"}),
			nd("Identity", []string{"v_out"}, []string{"scan"}),
		},
		Inputs:  []*onnxpb.ValueInfo{vi("i", operators.Int64), vi("c_in", operators.Bool), untyped("v_in")},
		Outputs: []*onnxpb.ValueInfo{untyped("c_out"), untyped("v_out"), untyped("scan")},
	}
	s := load(t, model(13, &onnxpb.Graph{
		Name:    "main",
		Nodes:   []*onnxpb.Node{nd("Loop", []string{"M", "", "v0"}, []string{"v", "scans"}, gattr("body", body))},
		Inputs:  []*onnxpb.ValueInfo{vi("M", operators.Int64), vi("v0", operators.Float32, -1)},
		Outputs: []*onnxpb.ValueInfo{vi("v", operators.Float32, -1), vi("scans", operators.Float32, -1, -1)},
	}))
	in := map[string]*operators.Value{"M": val([]int{}, int64(1)), "v0": val([]int{1}, float32(2))}
	out := run(t, s, in)
	if got := out["v"].F32(); !slices.Equal(got, []float32{2, 2}) {
		t.Errorf("one trip: v = %v, want [2 2]", got)
	}
	in["M"] = val([]int{}, int64(3))
	_, err := s.RunValues(context.Background(), in)
	if err == nil || !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "scan output 0") {
		t.Errorf("changing scan shape: err = %v", err)
	}
}

// TestIfTypesOutputs: at load, an If output gets what both branches'
// outputs agree on (type float32, rank 2, second dimension 3).
func TestIfTypesOutputs(t *testing.T) {
	then := &onnxpb.Graph{
		Name:    "then",
		Nodes:   []*onnxpb.Node{nd("Identity", []string{"x"}, []string{"t"})},
		Outputs: []*onnxpb.ValueInfo{vi("t", operators.Float32, 2, 3)},
	}
	els := &onnxpb.Graph{
		Name:    "else",
		Nodes:   []*onnxpb.Node{nd("Concat", []string{"x", "x"}, []string{"e"}, iattr("axis", 0))},
		Outputs: []*onnxpb.ValueInfo{vi("e", operators.Float32, 4, 3)},
	}
	s := load(t, model(13, &onnxpb.Graph{
		Name:    "main",
		Nodes:   []*onnxpb.Node{nd("If", []string{"c"}, []string{"y"}, gattr("then_branch", then), gattr("else_branch", els))},
		Inputs:  []*onnxpb.ValueInfo{vi("c", operators.Bool), vi("x", operators.Float32, 2, 3)},
		Outputs: []*onnxpb.ValueInfo{untyped("y")},
	}))
	y := s.Outputs()[0]
	if y.DType != operators.Float32 || !y.HasShape || !slices.Equal(y.Shape, []int{-1, 3}) {
		t.Errorf("y = %+v, want float32 [-1 3]", y)
	}
	// Branches whose outputs have different types are refused.
	els = &onnxpb.Graph{
		Name:    "else",
		Nodes:   []*onnxpb.Node{nd("Identity", []string{"k"}, []string{"e"})},
		Outputs: []*onnxpb.ValueInfo{untyped("e")},
	}
	_, err := runtime.LoadModel(model(13, &onnxpb.Graph{
		Name:    "main",
		Nodes:   []*onnxpb.Node{nd("If", []string{"c"}, []string{"y"}, gattr("then_branch", then), gattr("else_branch", els))},
		Inputs:  []*onnxpb.ValueInfo{vi("c", operators.Bool), vi("x", operators.Float32, 2, 3), vi("k", operators.Int64, 2, 3)},
		Outputs: []*onnxpb.ValueInfo{untyped("y")},
	}), "")
	if err == nil || !strings.Contains(err.Error(), "else_branch") {
		t.Errorf("branches of different types: err = %v", err)
	}
}

// TestConcurrentRuns: one session runs Loop and nested If from several
// goroutines at once; each run must see only its own values.
func TestConcurrentRuns(t *testing.T) {
	loop := load(t, countdown(true, false))
	ifs := load(t, nestedIf())
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for r := range 20 {
				m := int64((g + r) % 6)
				out, err := loop.RunValues(context.Background(), map[string]*operators.Value{"M": val([]int{}, m),
					"limit": val([]int{}, float32(0)), "s0": val([]int{1}, float32(g)), "k0": val([]int{1}, float32(1))})
				if err != nil {
					errs <- err
					return
				}
				// s = g + 1 + 4 + ... + m*m
				want := float32(g)
				for k := int64(1); k <= m; k++ {
					want += float32(k * k)
				}
				if got := out["s"].F32()[0]; got != want {
					errs <- fmt.Errorf("goroutine %d run %d: s = %v, want %v", g, r, got, want)
					return
				}
				a := float32(g%3) - 1 // -1, 0, 1
				out, err = ifs.RunValues(context.Background(), map[string]*operators.Value{"x": val([]int{1}, float32(r)), "a": val([]int{}, a), "b": val([]int{}, float32(1))})
				if err != nil {
					errs <- err
					return
				}
				want = float32(r) * a
				if a > 0 {
					want = float32(r) + a + 1
				}
				if got := out["y"].F32(); len(got) != 1 || got[0] != want {
					errs <- fmt.Errorf("goroutine %d run %d: y = %v, want [%v]", g, r, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
