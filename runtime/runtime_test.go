package runtime

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	_ "github.com/onnxrun/onnxrun/operators/all"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// softmaxRef normalises axis of a row-major [outer, n, inner] array in
// float64.
func softmaxRef(x []float64, outer, n, inner int, log bool) []float64 {
	y := make([]float64, len(x))
	for o := range outer {
		for i := range inner {
			m := math.Inf(-1)
			for k := range n {
				m = math.Max(m, x[(o*n+k)*inner+i])
			}
			s := 0.0
			for k := range n {
				s += math.Exp(x[(o*n+k)*inner+i] - m)
			}
			for k := range n {
				j := (o*n+k)*inner + i
				if log {
					y[j] = x[j] - m - math.Log(s)
				} else {
					y[j] = math.Exp(x[j]-m) / s
				}
			}
		}
	}
	return y
}

func randF32(seed uint64, n int, scale float32) []float32 {
	r := rand.New(rand.NewPCG(seed, 0))
	x := make([]float32, n)
	for i := range x {
		x[i] = (r.Float32()*2 - 1) * scale
	}
	return x
}

func widen(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// softmaxChainModel: x[batch,3,4] -> Softmax(axis -1) -> Softmax(axis 1) ->
// LogSoftmax(axis 0) -> y, at opset 13.
func softmaxChainModel() *onnxpb.Model {
	return model(&onnxpb.Graph{
		Name: "chain",
		Nodes: []*onnxpb.Node{
			node("s1", "Softmax", []string{"x"}, []string{"a"}),
			node("s2", "Softmax", []string{"a"}, []string{"b"}, intAttr("axis", 1)),
			node("s3", "LogSoftmax", []string{"b"}, []string{"y"}, intAttr("axis", 0)),
		},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, "batch", 3, 4)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, "batch", 3, 4)},
	})
}

func softmaxChainRef(x []float32, batch int) []float64 {
	a := softmaxRef(widen(x), batch*3, 4, 1, false)
	b := softmaxRef(a, batch, 3, 4, false)
	return softmaxRef(b, 1, batch, 12, true)
}

func TestSoftmaxChain(t *testing.T) {
	s := mustLoad(t, softmaxChainModel())
	for _, batch := range []int{1, 2, 5} {
		x := randF32(uint64(batch), batch*12, 10)
		out := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{batch, 3, 4}, x...)})
		y := out["y"]
		if y == nil || !slices.Equal(y.Shape, []int{batch, 3, 4}) || y.DType != operators.Float32 {
			t.Fatalf("batch %d: got output %v", batch, y)
		}
		want := softmaxChainRef(x, batch)
		// Three float32 passes each round a few times; 1e-5 absolute
		// is ~100 ulp of the values involved (|y| < 3), far below any
		// semantic error (a wrong axis changes results by > 1e-2).
		for i, v := range y.F32() {
			if math.Abs(float64(v)-want[i]) > 1e-5 {
				t.Fatalf("batch %d: y[%d] = %v, want %v", batch, i, v, want[i])
			}
		}
	}
}

func TestAddBroadcast(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{
			node("add", "Add", []string{"a", "b"}, []string{"c"}),
			node("add2", "Add", []string{"c", "k"}, []string{"y"}),
		},
		Initializers: []*onnxpb.Tensor{initializer("k", f32([]int{2, 1}, 100, 200))},
		Inputs:       []*onnxpb.ValueInfo{vinfo("a", operators.Float32, 2, 3), vinfo("b", operators.Float32, 3)},
		Outputs:      []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2, 3)},
	})
	s := mustLoad(t, m)
	out := mustRun(t, s, map[string]*operators.Value{
		"a": f32([]int{2, 3}, 1, 2, 3, 4, 5, 6),
		"b": f32([]int{3}, 10, 20, 30),
	})
	// Sums of small integers are exact in float32.
	want := []float32{111, 122, 133, 214, 225, 236}
	if got := out["y"].F32(); !slices.Equal(got, want) || !slices.Equal(out["y"].Shape, []int{2, 3}) {
		t.Fatalf("y = %v %v, want [2 3] %v", out["y"].Shape, got, want)
	}
}

func TestUnsupportedReportedTogether(t *testing.T) {
	body := &onnxpb.Graph{
		Name:    "body",
		Nodes:   []*onnxpb.Node{node("deep", "NoSuchOpInBody", []string{"x"}, []string{"z"})},
		Outputs: []*onnxpb.ValueInfo{vinfo("z", operators.Float32)},
	}
	m := model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{
			node("c1", "NoSuchConv", []string{"x", "w"}, []string{"a"}),
			node("p1", "NoSuchPool", []string{"a"}, []string{"b"}),
			node("c2", "NoSuchConv", []string{"b", "w"}, []string{"c"}),
			node("sm", "Softmax", []string{"c"}, []string{"d"}),
			{Name: "custom", OpType: "Frobnicate", Domain: testDomain, Inputs: []string{"d"}, Outputs: []string{"e"}},
			tnode("loop", "RunBody", []string{}, []string{"y"}, graphAttr("body", body)),
		},
		Initializers: []*onnxpb.Tensor{initializer("w", f32([]int{1, 1, 1, 1}, 1))},
		Inputs:       []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 1, 1, 4, 4)},
		Outputs:      []*onnxpb.ValueInfo{vinfo("e", operators.Float32), vinfo("y", operators.Float32)},
	})
	err := loadErr(t, m)
	if !errors.Is(err, operators.ErrUnsupportedOp) {
		t.Errorf("error does not wrap ErrUnsupportedOp")
	}
	var ue *UnsupportedError
	if !errors.As(err, &ue) {
		t.Fatalf("error is not an *UnsupportedError: %T", err)
	}
	type key struct {
		dom, op string
		opset   int
		nodes   string
	}
	var got []key
	for _, u := range ue.Ops {
		got = append(got, key{u.Domain, u.OpType, u.Opset, strings.Join(u.Nodes, ",")})
	}
	want := []key{
		{"", "NoSuchConv", 13, "c1,c2"},
		{"", "NoSuchOpInBody", 13, "deep"},
		{"", "NoSuchPool", 13, "p1"},
		{testDomain, "Frobnicate", 1, "custom"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("unsupported = %v\nwant %v", got, want)
	}
	for _, s := range []string{"NoSuchConv", "NoSuchPool", "Frobnicate", "NoSuchOpInBody", `"c2"`} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error message lacks %s", s)
		}
	}
}

func TestDomainWithoutOpset(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{{Name: "n", OpType: "Op", Domain: "com.example", Inputs: []string{"x"}, Outputs: []string{"y"}}},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2)},
	})
	err := loadErr(t, m)
	if !errors.Is(err, operators.ErrInvalidModel) || !strings.Contains(err.Error(), `"com.example"`) || !strings.Contains(err.Error(), `node "n"`) {
		t.Errorf("error %q should name the node and the domain and wrap ErrInvalidModel", err)
	}
}

func TestCycle(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{
			tnode("first", "AddOne", []string{"x"}, []string{"a"}),
			tnode("loopA", "AddOne", []string{"c"}, []string{"b"}),
			tnode("loopB", "AddOne", []string{"b"}, []string{"c"}),
			node("join", "Add", []string{"a", "c"}, []string{"y"}),
		},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2)},
	})
	err := loadErr(t, m)
	msg := err.Error()
	if !errors.Is(err, operators.ErrInvalidModel) || !strings.Contains(msg, "cycle") ||
		!strings.Contains(msg, `"loopA"`) || !strings.Contains(msg, `"loopB"`) || strings.Contains(msg, `"join"`) {
		t.Errorf("error %q should name the cycle loopA/loopB only", msg)
	}
	// A node reading its own output is the smallest cycle.
	m.Graph.Nodes = []*onnxpb.Node{node("self", "Add", []string{"x", "y"}, []string{"y"})}
	if err := loadErr(t, m); !strings.Contains(err.Error(), "cycle") || !strings.Contains(err.Error(), `"self"`) {
		t.Errorf("self-loop error %q", err)
	}
}

func TestDanglingInput(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{node("add", "Add", []string{"x", "ghost"}, []string{"y"})},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2)},
	})
	err := loadErr(t, m)
	if !errors.Is(err, operators.ErrInvalidModel) || !strings.Contains(err.Error(), `"ghost"`) || !strings.Contains(err.Error(), `node "add" (Add, opset 13)`) {
		t.Errorf("error %q should name node and input", err)
	}
	m.Graph.Nodes[0].Inputs[1] = "x"
	m.Graph.Outputs[0].Name = "nowhere"
	if err := loadErr(t, m); !strings.Contains(err.Error(), `"nowhere"`) {
		t.Errorf("error %q should name the output", err)
	}
}

func TestDuplicateProducer(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{
			tnode("one", "AddOne", []string{"x"}, []string{"y"}),
			tnode("two", "AddOne", []string{"x"}, []string{"y"}),
		},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2)},
	})
	err := loadErr(t, m)
	if !strings.Contains(err.Error(), `node "two" (test.onnxrun.AddOne, opset 1)`) || !strings.Contains(err.Error(), `node "one" (test.onnxrun.AddOne, opset 1)`) {
		t.Errorf("error %q should name both producers", err)
	}
}

func TestFactoryErrorNamesNode(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{tnode("bad", "AddOne", []string{"x", "x"}, []string{"y"})},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2)},
	})
	err := loadErr(t, m)
	if !strings.HasPrefix(err.Error(), `node "bad" (test.onnxrun.AddOne, opset 1): `) {
		t.Errorf("error %q should start with the node", err)
	}
	// Softmax with an axis out of range for the declared rank fails at
	// load, with the node named.
	m = model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{node("sm", "Softmax", []string{"x"}, []string{"y"}, intAttr("axis", 5))},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2, 3)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2, 3)},
	})
	err = loadErr(t, m)
	if !strings.Contains(err.Error(), `node "sm" (Softmax, opset 13)`) {
		t.Errorf("error %q should name the node", err)
	}
}

func TestInputErrors(t *testing.T) {
	s := mustLoad(t, softmaxChainModel())
	good := f32([]int{2, 3, 4}, make([]float32, 24)...)
	cases := []struct {
		name string
		in   map[string]*operators.Value
		want []string
	}{
		{"missing", map[string]*operators.Value{}, []string{`missing input "x"`}},
		{"unknown", map[string]*operators.Value{"x": good, "z": good}, []string{`unknown input "z"`, `"x"`}},
		{"nil", map[string]*operators.Value{"x": nil}, []string{`input "x"`}},
		{"dtype", map[string]*operators.Value{"x": {DType: operators.Float64, Shape: []int{2, 3, 4}, Raw: make([]byte, 192)}}, []string{`input "x"`, "float64", "float32"}},
		{"rank", map[string]*operators.Value{"x": f32([]int{6, 4}, make([]float32, 24)...)}, []string{`input "x"`, "rank 2", "rank 3"}},
		{"dim", map[string]*operators.Value{"x": f32([]int{2, 4, 3}, make([]float32, 24)...)}, []string{`input "x"`, "dimension 1 is 4, want 3"}},
		{"short buffer", map[string]*operators.Value{"x": {DType: operators.Float32, Shape: []int{2, 3, 4}, Raw: make([]byte, 95)}}, []string{`input "x"`, "95 bytes"}},
		{"negative dim", map[string]*operators.Value{"x": {DType: operators.Float32, Shape: []int{-2, 3, 4}}}, []string{`input "x"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.RunValues(context.Background(), c.in)
			if err == nil {
				t.Fatal("run succeeded")
			}
			if !errors.Is(err, ErrInput) {
				t.Errorf("error %q does not wrap ErrInput", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if _, err := s.RunValues(context.Background(), map[string]*operators.Value{"x": good}); err != nil {
		t.Errorf("a good run after bad ones: %v", err)
	}
}

func TestInfo(t *testing.T) {
	s := mustLoad(t, softmaxChainModel())
	in, out := s.Inputs(), s.Outputs()
	if len(in) != 1 || in[0].Name != "x" || in[0].DType != operators.Float32 || !in[0].HasShape ||
		!slices.Equal(in[0].Shape, []int{-1, 3, 4}) || !slices.Equal(in[0].DimNames, []string{"batch", "", ""}) {
		t.Errorf("Inputs() = %+v", in)
	}
	if len(out) != 1 || out[0].Name != "y" || !slices.Equal(out[0].Shape, []int{-1, 3, 4}) {
		t.Errorf("Outputs() = %+v", out)
	}
	if o := s.Opsets(); o[""] != 13 || o[testDomain] != 1 {
		t.Errorf("Opsets() = %v", o)
	}
}

func TestUnsortedNodes(t *testing.T) {
	m := softmaxChainModel()
	slices.Reverse(m.Graph.Nodes)
	s := mustLoad(t, m)
	var ops []string
	for _, st := range s.Plan().Steps() {
		ops = append(ops, st.Name)
	}
	if !slices.Equal(ops, []string{"s1", "s2", "s3"}) {
		t.Errorf("order = %v", ops)
	}
	x := randF32(7, 24, 3)
	y := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{2, 3, 4}, x...)})["y"].F32()
	want := softmaxChainRef(x, 2)
	for i := range y {
		if math.Abs(float64(y[i])-want[i]) > 1e-5 { // as in TestSoftmaxChain
			t.Fatalf("y[%d] = %v, want %v", i, y[i], want[i])
		}
	}
}
