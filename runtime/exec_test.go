package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorgonia.org/tensor"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// poolModel exercises buffer sharing: values passed through (Pass),
// viewed (Flatten1), scratch space (Scratch) and buffers released and
// reused along the way.
//
//	x -> AddOne(a) -> Pass(b) -> Scratch(c) -> Flatten1(d) -> AddOne(e)
//	a, e -> Add -> y ; b -> AddOne(f) -> z
func poolModel() *onnxpb.Model {
	return model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{
			tnode("p_a", "AddOne", []string{"x"}, []string{"a"}),
			tnode("p_b", "Pass", []string{"a"}, []string{"b"}),
			tnode("p_c", "Scratch", []string{"b"}, []string{"c"}),
			tnode("p_d", "Flatten1", []string{"c"}, []string{"d"}),
			tnode("p_e", "AddOne", []string{"d"}, []string{"e"}),
			tnode("p_y", "Sum2", []string{"a", "e"}, []string{"y"}),
			tnode("p_f", "AddOne", []string{"b"}, []string{"z"}),
		},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, "n")},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, "n"), vinfo("z", operators.Float32, "n")},
	})
}

// poolRef computes poolModel's outputs: a = x+1, y = a + (2a+1), z = a+1.
func poolRef(x []float32) (y, z []float32) {
	for _, v := range x {
		a := v + 1
		y = append(y, a+(2*a+1))
		z = append(z, a+1)
	}
	return y, z
}

func TestPoolSharing(t *testing.T) {
	s := mustLoad(t, poolModel())
	t.Logf("plan:\n%s", s.Plan())
	// Shapes change between runs so buffers of several classes are
	// recycled; every result must match the reference exactly (the same
	// float32 operations in the same order).
	for i, n := range []int{4, 4, 100, 3, 100, 1000, 4, 0, 17} {
		x := randF32(uint64(i), n, 100)
		out := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{n}, x...)})
		wy, wz := poolRef(x)
		if !slices.Equal(out["y"].F32(), wy) || !slices.Equal(out["z"].F32(), wz) {
			t.Fatalf("run %d (n=%d): y=%v z=%v, want %v %v", i, n, out["y"].F32(), out["z"].F32(), wy, wz)
		}
	}
}

func TestOutputsAreFresh(t *testing.T) {
	// y is x passed through and k is an initializer: the caller must get
	// copies, never the input's or the constant's memory.
	m := model(&onnxpb.Graph{
		Nodes:        []*onnxpb.Node{tnode("pass", "Pass", []string{"x"}, []string{"y"})},
		Initializers: []*onnxpb.Tensor{initializer("k", f32([]int{2}, 5, 6))},
		Inputs:       []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs:      []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2), vinfo("k", operators.Float32, 2), vinfo("x", operators.Float32, 2)},
	})
	s := mustLoad(t, m)
	x := f32([]int{2}, 1, 2)
	out := mustRun(t, s, map[string]*operators.Value{"x": x})
	out["y"].F32()[0] = 99
	out["k"].F32()[0] = 99
	out["x"].F32()[1] = 99
	if x.F32()[0] != 1 || x.F32()[1] != 2 {
		t.Errorf("writing an output changed the input: %v", x.F32())
	}
	out2 := mustRun(t, s, map[string]*operators.Value{"x": x})
	if !slices.Equal(out2["k"].F32(), []float32{5, 6}) {
		t.Errorf("writing an output changed the constant: %v", out2["k"].F32())
	}
}

func TestConcurrentRuns(t *testing.T) {
	s := mustLoad(t, softmaxChainModel(), WithThreads(2))
	ps := mustLoad(t, poolModel())
	const goroutines, runs = 8, 200
	type job struct {
		x      *operators.Value
		y      []float32
		py, pz []float32
	}
	// Reference results from single-threaded runs, one per batch size.
	jobs := make([]job, 4)
	for i := range jobs {
		b := i + 1
		x := f32([]int{b, 3, 4}, randF32(uint64(100+i), b*12, 20)...)
		px := &operators.Value{DType: operators.Float32, Shape: []int{b * 12}, Raw: x.Raw}
		jobs[i] = job{x: x,
			y:  mustRun(t, s, map[string]*operators.Value{"x": x})["y"].F32(),
			py: mustRun(t, ps, map[string]*operators.Value{"x": px})["y"].F32(),
			pz: mustRun(t, ps, map[string]*operators.Value{"x": px})["z"].F32(),
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for r := range runs {
				j := jobs[(g+r)%len(jobs)]
				out, err := s.RunValues(context.Background(), map[string]*operators.Value{"x": j.x})
				if err != nil {
					errs <- err
					return
				}
				px := &operators.Value{DType: operators.Float32, Shape: []int{j.x.Len()}, Raw: j.x.Raw}
				pout, err := ps.RunValues(context.Background(), map[string]*operators.Value{"x": px})
				if err != nil {
					errs <- err
					return
				}
				if !bitsEqual(out["y"].F32(), j.y) || !bitsEqual(pout["y"].F32(), j.py) || !bitsEqual(pout["z"].F32(), j.pz) {
					errs <- errors.New("a concurrent run's output differs from the single-threaded one")
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func bitsEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func TestSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops states at random under the race detector")
	}
	for _, c := range []struct {
		name   string
		m      *onnxpb.Model
		shape  []int
		max    float64
		strict bool
	}{
		// What a run must allocate: the result map (2 allocations) and,
		// per output, its Value (with its shape) and buffer. The pool model's test
		// operators allocate 3 themselves (Flatten1's Value and shape,
		// Scratch's shape literal, which escapes through the Allocator
		// interface). Anything above that is work the plan should have
		// done once. The softmax chain also counts what the Softmax
		// kernels allocate, which is not the runtime's to fix, so it is
		// only reported.
		{"pool", poolModel(), []int{64}, 2 + 2*2 + 3, true},
		{"softmax-chain", softmaxChainModel(), []int{4, 3, 4}, 2 + 2, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := mustLoad(t, c.m, WithThreads(1))
			in := map[string]*operators.Value{"x": f32(c.shape, randF32(1, operators.NumElements(c.shape), 1)...)}
			ctx := context.Background()
			allocs := testing.AllocsPerRun(200, func() {
				if _, err := s.RunValues(ctx, in); err != nil {
					t.Fatal(err)
				}
			})
			t.Logf("%s: %.1f allocations per run (%d outputs)", c.name, allocs, len(c.m.Graph.Outputs))
			switch {
			case allocs > c.max && c.strict:
				t.Errorf("%.1f allocations per run, want at most %v", allocs, c.max)
			case allocs > c.max:
				t.Logf("NOTE: %.1f allocations per run where the runtime needs %v: an operator or kernel allocates", allocs, c.max)
			}
		})
	}
}

func TestConstantFolding(t *testing.T) {
	k := f32([]int{2}, 1, 2)
	m := model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{
			node("const", "Constant", nil, []string{"c"}, tensorAttr("value", f32([]int{2}, 10, 20))),
			node("sum", "Add", []string{"c", "k"}, []string{"s"}),
			tnode("fold_me", "AddOne", []string{"s"}, []string{"t"}),
			tnode("live", "AddOne", []string{"x"}, []string{"u"}),
			node("out", "Add", []string{"t", "u"}, []string{"y"}),
			tnode("unused", "AddOne", []string{"x"}, []string{"dead"}),
		},
		Initializers: []*onnxpb.Tensor{initializer("k", k)},
		Inputs:       []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs:      []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2)},
	})
	s := mustLoad(t, m)
	if f := s.Plan().Folded(); !slices.Equal(f, []string{"const", "sum", "fold_me"}) {
		t.Errorf("Folded() = %v", f)
	}
	var steps []string
	for _, st := range s.Plan().Steps() {
		steps = append(steps, st.Name)
	}
	if !slices.Equal(steps, []string{"live", "out"}) {
		t.Errorf("steps = %v, want [live out] (folded and unused nodes removed)", steps)
	}
	before := runsOf("fold_me")
	want := []float32{(10 + 1 + 1) + (5 + 1), (20 + 2 + 1) + (6 + 1)}
	for range 3 {
		y := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{2}, 5, 6)})["y"].F32()
		if !slices.Equal(y, want) {
			t.Fatalf("y = %v, want %v", y, want)
		}
	}
	if n := runsOf("fold_me") - before; n != 0 {
		t.Errorf("the folded node ran %d times during runs", n)
	}

	// Without optimisations every node is a step and runs each time.
	s = mustLoad(t, m, WithoutOptimizations())
	if len(s.Plan().Folded()) != 0 || len(s.Plan().Steps()) != 6 {
		t.Errorf("unoptimised plan: folded %v, %d steps", s.Plan().Folded(), len(s.Plan().Steps()))
	}
	before = runsOf("fold_me")
	y := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{2}, 5, 6)})["y"].F32()
	if !slices.Equal(y, want) {
		t.Fatalf("unoptimised: y = %v, want %v", y, want)
	}
	if n := runsOf("fold_me") - before; n != 1 {
		t.Errorf("unoptimised: fold_me ran %d times, want 1", n)
	}
}

func TestOverridableInitializer(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes:        []*onnxpb.Node{node("add", "Add", []string{"x", "bias"}, []string{"y"})},
		Initializers: []*onnxpb.Tensor{initializer("bias", f32([]int{2}, 1, 2))},
		Inputs:       []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2), vinfo("bias", operators.Float32, 2)},
		Outputs:      []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2)},
	})
	s := mustLoad(t, m)
	if in := s.Inputs(); len(in) != 1 || in[0].Name != "x" {
		t.Errorf("Inputs() = %+v, want only x", in)
	}
	x := f32([]int{2}, 10, 20)
	if y := mustRun(t, s, map[string]*operators.Value{"x": x})["y"].F32(); !slices.Equal(y, []float32{11, 22}) {
		t.Errorf("default bias: y = %v", y)
	}
	y := mustRun(t, s, map[string]*operators.Value{"x": x, "bias": f32([]int{2}, 100, 200)})["y"].F32()
	if !slices.Equal(y, []float32{110, 220}) {
		t.Errorf("overridden bias: y = %v", y)
	}
}

func TestCancel(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{
			tnode("c_first", "AddOne", []string{"x"}, []string{"a"}),
			tnode("c_cancel", "Cancel", []string{"a"}, []string{"b"}),
			tnode("c_after", "AddOne", []string{"b"}, []string{"y"}),
		},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2)},
	})
	s := mustLoad(t, m)
	ctx, cancel := context.WithCancel(context.Background())
	cancels.Store("c_cancel", cancel)
	defer cancels.Delete("c_cancel")
	before := runsOf("c_after")
	_, err := s.RunValues(ctx, map[string]*operators.Value{"x": f32([]int{2}, 1, 2)})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrInput) {
		t.Fatalf("err = %v, want context.Canceled (and not ErrInput)", err)
	}
	if n := runsOf("c_after") - before; n != 0 {
		t.Errorf("a node ran after cancellation")
	}
	// A context cancelled before the run starts stops it at once.
	if _, err := s.RunValues(ctx, map[string]*operators.Value{"x": f32([]int{2}, 1, 2)}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	// The session still works afterwards.
	y := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{2}, 1, 2)})["y"].F32()
	if !slices.Equal(y, []float32{3, 4}) {
		t.Errorf("y = %v", y)
	}
}

func TestThreadsOption(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{tnode("th", "Threads", []string{"x"}, []string{"y"})},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 1)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32)},
	})
	for _, n := range []int{1, 3, 7} {
		s := mustLoad(t, m, WithThreads(n))
		y := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{1}, 0)})["y"]
		if len(y.Shape) != 0 || y.F32()[0] != float32(n) {
			t.Errorf("WithThreads(%d): operator saw %v", n, y.F32())
		}
	}
}

func TestSubgraphCapturesOuterValues(t *testing.T) {
	// The body reads "a" (computed in the outer graph) and "k" (an outer
	// initializer) without declaring them as inputs, plus its own input.
	body := &onnxpb.Graph{
		Name: "body",
		Nodes: []*onnxpb.Node{
			node("b_add", "Add", []string{"a", "k"}, []string{"t"}),
			node("b_add2", "Add", []string{"t", "bin"}, []string{"r"}),
		},
		Inputs:  []*onnxpb.ValueInfo{vinfo("bin", operators.Float32, 2)},
		Outputs: []*onnxpb.ValueInfo{vinfo("r", operators.Float32, 2), vinfo("a", operators.Float32, 2), vinfo("r", operators.Float32, 2)},
	}
	m := model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{
			// Listed before "a" is produced: the body's use of "a" must
			// order the nodes.
			tnode("sub", "RunBody", []string{"x"}, []string{"y", "ya", "y2"}, graphAttr("body", body)),
			tnode("make_a", "AddOne", []string{"x"}, []string{"a"}),
		},
		Initializers: []*onnxpb.Tensor{initializer("k", f32([]int{2}, 100, 200))},
		Inputs:       []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs:      []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2), vinfo("ya", operators.Float32, 2), vinfo("y2", operators.Float32, 2)},
	})
	s := mustLoad(t, m)
	for range 3 {
		out := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{2}, 1, 2)})
		if y := out["y"].F32(); !slices.Equal(y, []float32{2 + 100 + 1, 3 + 200 + 2}) {
			t.Fatalf("y = %v", y)
		}
		if ya := out["ya"].F32(); !slices.Equal(ya, []float32{2, 3}) {
			t.Fatalf("ya = %v", ya)
		}
		if y2 := out["y2"]; y2 == nil || !slices.Equal(y2.F32(), out["y"].F32()) || &y2.Raw[0] == &out["y"].Raw[0] {
			t.Fatalf("y2 = %v, want a copy of y", y2)
		}
	}
	// A body reading a name nobody defines is a load error naming it.
	body.Nodes[0].Inputs[0] = "nobody"
	err := loadErr(t, m)
	if !strings.Contains(err.Error(), `"nobody"`) || !strings.Contains(err.Error(), `subgraph "body"`) {
		t.Errorf("error %q should name the value and the subgraph", err)
	}
}

func TestRunDense(t *testing.T) {
	s := mustLoad(t, softmaxChainModel())
	x := randF32(3, 24, 5)
	d := tensor.New(tensor.WithShape(2, 3, 4), tensor.WithBacking(slices.Clone(x)))
	out, err := s.Run(context.Background(), map[string]*tensor.Dense{"x": d})
	if err != nil {
		t.Fatal(err)
	}
	y := out["y"]
	if !slices.Equal([]int(y.Shape()), []int{2, 3, 4}) || y.Dtype() != tensor.Float32 {
		t.Fatalf("y: %v %v", y.Shape(), y.Dtype())
	}
	want := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{2, 3, 4}, x...)})["y"].F32()
	if !bitsEqual(y.Data().([]float32), want) {
		t.Errorf("Run and RunValues disagree")
	}
	// A wrong element type is reported with the input's name.
	bad := tensor.New(tensor.WithShape(2, 3, 4), tensor.WithBacking(make([]float64, 24)))
	if _, err := s.Run(context.Background(), map[string]*tensor.Dense{"x": bad}); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("float64 input: err = %v", err)
	}
	// A view is materialised first.
	big := tensor.New(tensor.WithShape(4, 3, 4), tensor.WithBacking(append(slices.Clone(x), make([]float32, 24)...)))
	view, err := big.Slice(tensor.S(0, 2))
	if err != nil {
		t.Fatal(err)
	}
	out, err = s.Run(context.Background(), map[string]*tensor.Dense{"x": view.(*tensor.Dense)})
	if err != nil {
		t.Fatal(err)
	}
	if !bitsEqual(out["y"].Data().([]float32), want) {
		t.Errorf("view input gives a different result")
	}
}

func TestSymbolicDims(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{tnode("sum", "Sum2", []string{"a", "b"}, []string{"y"})},
		Inputs: []*onnxpb.ValueInfo{
			vinfo("a", operators.Float32, "batch", "n"),
			vinfo("b", operators.Float32, "batch", "n"),
		},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, "batch", "n")},
	})
	s := mustLoad(t, m)
	for _, shape := range [][]int{{1, 1}, {3, 2}, {2, 5}} {
		n := shape[0] * shape[1]
		x := f32(shape, randF32(9, n, 1)...)
		if y := mustRun(t, s, map[string]*operators.Value{"a": x, "b": x})["y"]; !slices.Equal(y.Shape, shape) {
			t.Errorf("shape %v: y has shape %v", shape, y.Shape)
		}
	}
	_, err := s.RunValues(context.Background(), map[string]*operators.Value{
		"a": f32([]int{2, 1}, 1, 2), "b": f32([]int{1, 2}, 1, 2),
	})
	if err == nil || !errors.Is(err, operators.ErrShape) || !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), `"batch"`) || !strings.Contains(err.Error(), `input "b"`) {
		t.Errorf("inconsistent batch: err = %v", err)
	}
}

func TestNestedSubgraphs(t *testing.T) {
	// inner reads "a" from the main graph, two scopes up, and "m" from the
	// middle graph.
	inner := &onnxpb.Graph{
		Name:    "inner",
		Nodes:   []*onnxpb.Node{tnode("i_sum", "Sum2", []string{"a", "m"}, []string{"r"})},
		Outputs: []*onnxpb.ValueInfo{vinfo("r", operators.Float32, 2)},
	}
	middle := &onnxpb.Graph{
		Name: "middle",
		Nodes: []*onnxpb.Node{
			tnode("m_one", "AddOne", []string{"min"}, []string{"m"}),
			tnode("m_run", "RunBody", nil, []string{"mr"}, graphAttr("body", inner)),
		},
		Inputs:  []*onnxpb.ValueInfo{vinfo("min", operators.Float32, 2)},
		Outputs: []*onnxpb.ValueInfo{vinfo("mr", operators.Float32, 2)},
	}
	m := model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{
			tnode("outer", "RunBody", []string{"x"}, []string{"y"}, graphAttr("body", middle)),
			tnode("make_a", "Scratch", []string{"x"}, []string{"a"}),
		},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2)},
	})
	s := mustLoad(t, m)
	t.Logf("plan:\n%s", s.Plan())
	check := func(i int) error {
		x := float32(i)
		out, err := s.RunValues(context.Background(), map[string]*operators.Value{"x": f32([]int{2}, x, 10*x)})
		if err != nil {
			return err
		}
		// a = 2x, m = x+1, y = a + m
		if y, want := out["y"].F32(), []float32{2*x + x + 1, 20*x + 10*x + 1}; !slices.Equal(y, want) {
			return fmt.Errorf("run %d: y = %v, want %v", i, y, want)
		}
		return nil
	}
	for i := range 5 {
		if err := check(i); err != nil {
			t.Fatal(err)
		}
	}
	// Nested runs from many goroutines keep their states apart.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for r := range 50 {
				if err := check(g*50 + r); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestLoadFileAndReader(t *testing.T) {
	dir := t.TempDir()
	// The bias lives in an external file next to the model.
	bias := f32([]int{2}, 0.5, -4)
	if err := os.WriteFile(filepath.Join(dir, "bias.bin"), append([]byte{9, 9, 9, 9}, bias.Raw...), 0o644); err != nil {
		t.Fatal(err)
	}
	ext := &onnxpb.Tensor{
		Name: "bias", DataType: int32(operators.Float32), Dims: []int64{2}, DataLocation: 1,
		ExternalData: []onnxpb.StringStringEntry{{Key: "location", Value: "bias.bin"}, {Key: "offset", Value: "4"}, {Key: "length", Value: "8"}},
	}
	m := model(&onnxpb.Graph{
		Nodes:        []*onnxpb.Node{node("add", "Add", []string{"x", "bias"}, []string{"y"})},
		Initializers: []*onnxpb.Tensor{ext},
		Inputs:       []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs:      []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2)},
	})
	path := filepath.Join(dir, "model.onnx")
	b := onnxpb.EncodeModel(m)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	y := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{2}, 1, 2)})["y"].F32()
	if !slices.Equal(y, []float32{1.5, -2}) {
		t.Errorf("y = %v", y)
	}
	// Without a directory external data cannot be found; the error names
	// the initializer.
	if _, err := LoadReader(bytes.NewReader(b)); err == nil || !strings.Contains(err.Error(), `"bias"`) {
		t.Errorf("LoadReader of a model with external data: err = %v", err)
	}
	// A reader longer than the size limit is refused before decoding.
	if _, err := LoadReader(bytes.NewReader(b), WithLimits(onnxpb.Limits{MaxModelBytes: int64(len(b) - 1)})); !errors.Is(err, onnxpb.ErrLimit) {
		t.Errorf("oversized reader: err = %v", err)
	}
	// A missing file names the path.
	if _, err := Load(filepath.Join(dir, "nope.onnx")); err == nil || !strings.Contains(err.Error(), "nope.onnx") {
		t.Errorf("missing file: err = %v", err)
	}
	// Garbage is an invalid model, not a panic.
	if _, err := LoadBytes([]byte("not a model at all")); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("garbage: err = %v", err)
	}
}

func callScaledDouble(name, in, out string, attrs ...*onnxpb.Attribute) *onnxpb.Node {
	n := node(name, "ScaledDouble", []string{in}, []string{out}, attrs...)
	n.Domain = "local.fn"
	return n
}

// localFunctionModel calls the model-local function ScaledDouble twice.
func localFunctionModel() (*onnxpb.Model, *onnxpb.Function) {
	call := callScaledDouble
	// ScaledDouble(X; alpha = 1) = (X + X) * alpha, with alpha read through
	// an attribute reference.
	fn := &onnxpb.Function{
		Name: "ScaledDouble", Domain: "local.fn",
		Inputs: []string{"X"}, Outputs: []string{"Y"},
		Attributes: []string{},
		AttributeProto: []*onnxpb.Attribute{
			{Name: "alpha", Type: onnxpb.AttributeType(operators.AttrFloat), F: 1},
		},
		Nodes: []*onnxpb.Node{
			node("c", "Constant", nil, []string{"C"}, &onnxpb.Attribute{Name: "value_float", Type: onnxpb.AttributeType(operators.AttrFloat), RefAttrName: "alpha"}),
			node("t", "Add", []string{"X", "X"}, []string{"T"}),
			node("y", "Mul", []string{"T", "C"}, []string{"Y"}),
		},
		OpsetImport: []onnxpb.OperatorSetID{{Domain: "", Version: 13}},
	}
	m := model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{
			call("call1", "x", "y1", &onnxpb.Attribute{Name: "alpha", Type: onnxpb.AttributeType(operators.AttrFloat), F: 3}),
			call("call2", "y1", "y2"),
		},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y2", operators.Float32, 2), vinfo("y1", operators.Float32, 2)},
	})
	m.OpsetImport = append(m.OpsetImport, onnxpb.OperatorSetID{Domain: "local.fn", Version: 1})
	m.Functions = []*onnxpb.Function{fn}
	return m, fn
}

func TestLocalFunctions(t *testing.T) {
	m, fn := localFunctionModel()
	s := mustLoad(t, m)
	t.Logf("plan:\n%s", s.Plan())
	out := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{2}, 1, -2)})
	if y1 := out["y1"].F32(); !slices.Equal(y1, []float32{6, -12}) {
		t.Errorf("y1 = %v, want [6 -12]", y1)
	}
	if y2 := out["y2"].F32(); !slices.Equal(y2, []float32{12, -24}) {
		t.Errorf("y2 = %v, want [12 -24]", y2)
	}
	// An operator missing inside a function body is reported as such.
	fn.Nodes[1].OpType = "NoSuchAdd"
	var ue *UnsupportedError
	if err := loadErr(t, m); !errors.As(err, &ue) || len(ue.Ops) != 1 || ue.Ops[0].OpType != "NoSuchAdd" ||
		!slices.Equal(ue.Ops[0].Nodes, []string{"ScaledDouble/t"}) {
		t.Errorf("err = %v, want NoSuchAdd unsupported", err)
	}
	// A function calling itself is an error, not a hang.
	fn.Nodes[1] = callScaledDouble("again", "X", "T")
	if err := loadErr(t, m); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("recursive function: err = %v", err)
	}
}

func TestPoolRebuildsValues(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{
			tnode("flat", "Shape1D", []string{"x"}, []string{"a"}),
			tnode("grow", "AddOne", []string{"a"}, []string{"b"}),
			tnode("flat2", "Shape1D", []string{"b"}, []string{"c"}),
			tnode("more", "Scratch", []string{"c"}, []string{"y"}),
		},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2, 3)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 6)},
	})
	s := mustLoad(t, m)
	x := f32([]int{2, 3}, 1, 2, 3, 4, 5, 6)
	for range 5 {
		y := mustRun(t, s, map[string]*operators.Value{"x": x})["y"]
		if !slices.Equal(y.Shape, []int{6}) || !slices.Equal(y.F32(), []float32{4, 6, 8, 10, 12, 14}) {
			t.Fatalf("y = %v %v", y.Shape, y.F32())
		}
	}
}

func TestDenseConversions(t *testing.T) {
	cases := []*operators.Value{
		f32(nil, 2.5), // a scalar
		{DType: operators.Int64, Shape: []int{3}, Raw: f32([]int{6}, 1, 0, 2, 0, 3, 0).Raw},
		{DType: operators.String, Shape: []int{2}, Strs: []string{"a", "bc"}},
		{DType: operators.Bool, Shape: []int{2, 1}, Raw: []byte{1, 0}},
		{DType: operators.Float64, Shape: []int{0, 3}, Raw: []byte{}},
	}
	for _, v := range cases {
		d, err := ValueToDense(v)
		if err != nil {
			t.Errorf("%v: %v", v, err)
			continue
		}
		back, err := DenseToValue(d)
		if err != nil {
			t.Errorf("%v: back: %v", v, err)
			continue
		}
		if back.DType != v.DType || !slices.Equal(back.Shape, v.Shape) || string(back.Raw) != string(v.Raw) || !slices.Equal(back.Strs, v.Strs) {
			t.Errorf("%v round-trips to %v (%v %v)", v, back, back.Raw, back.Strs)
		}
	}
	h := &operators.Value{DType: operators.Float16, Shape: []int{1}, Raw: []byte{0, 0x3c}}
	if _, err := ValueToDense(h); !errors.Is(err, operators.ErrUnsupportedType) || !strings.Contains(err.Error(), "RunValues") {
		t.Errorf("float16: err = %v", err)
	}
}

func TestFreeLists(t *testing.T) {
	s := mustLoad(t, poolModel())
	want := map[string][]string{
		"p_a": nil, "p_b": nil, "p_c": nil, "p_d": {"c"}, "p_e": {"d"}, "p_y": {"a", "e"}, "p_f": {"b"},
	}
	for _, st := range s.Plan().Steps() {
		if !slices.Equal(st.Free, want[st.Name]) {
			t.Errorf("step %s frees %v, want %v", st.Name, st.Free, want[st.Name])
		}
	}
}

// TestBuffersReused runs a 100-step chain on one State and checks that the
// intermediate values shared a handful of buffers: each is released right
// after the step that reads it.
func TestBuffersReused(t *testing.T) {
	s := mustLoad(t, chainModel(100))
	p := s.plan
	st := newState(p)
	for run := range 3 {
		st.bind()
		st.vals[p.inputs[0]] = f32([]int{1000}, make([]float32, 1000)...)
		if err := st.exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		y, err := st.take(p.outputs[0])
		if err != nil {
			t.Fatal(err)
		}
		if y.F32()[999] != 100 {
			t.Fatalf("y[999] = %v, want 100", y.F32()[999])
		}
		st.reset()
		n := 0
		for _, l := range st.pool.free {
			n += len(l)
		}
		// Two buffers are live at once (a step's input and output); the
		// output taken by the caller leaves the pool each run.
		if n > 2 {
			t.Errorf("run %d: the pool holds %d buffers after a chain that needs 2", run, n)
		}
	}
}

func TestProfile(t *testing.T) {
	s := mustLoad(t, softmaxChainModel())
	x := f32([]int{2, 3, 4}, randF32(5, 24, 1)...)
	out, prof, err := s.Profile(context.Background(), map[string]*operators.Value{"x": x})
	if err != nil {
		t.Fatal(err)
	}
	if want := mustRun(t, s, map[string]*operators.Value{"x": x})["y"].F32(); !bitsEqual(out["y"].F32(), want) {
		t.Errorf("profiled run differs from a plain one")
	}
	if len(prof) != 3 || prof[0].Name != "s1" || prof[2].OpType != "LogSoftmax" {
		t.Fatalf("profile = %+v", prof)
	}
	for _, p := range prof {
		// A coarse clock may read 0 for a tiny step, never less.
		if p.Time < 0 {
			t.Errorf("step %s took %v", p.Name, p.Time)
		}
		t.Logf("%s (%s): %v", p.Name, p.OpType, p.Time)
	}
}

// TestPoolForgetsOldSizes checks that buffers of sizes a session stopped
// using leave the pool after a few runs, while the sizes in use stay.
func TestPoolForgetsOldSizes(t *testing.T) {
	s := mustLoad(t, chainModel(10))
	p := s.plan
	st := newState(p)
	run := func(n int) {
		st.bind()
		st.vals[p.inputs[0]] = f32([]int{n}, make([]float32, n)...)
		if err := st.exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		st.reset()
	}
	pooled := func() (n int) {
		for _, l := range st.pool.free {
			n += len(l)
		}
		return n
	}
	run(100000)
	big := pooled()
	if big == 0 {
		t.Fatal("the pool kept nothing")
	}
	for range keepRuns + 1 {
		run(10)
	}
	if n := pooled(); n > 2 {
		t.Errorf("%d buffers pooled after switching to a small size; want the large ones gone", n)
	}
	for _, l := range st.pool.free {
		for _, b := range l {
			if len(b.raw) >= 100000*4 {
				t.Errorf("a %d-byte buffer is still pooled", len(b.raw))
			}
		}
	}
}

func TestShapeFolding(t *testing.T) {
	build := func(dims ...any) *onnxpb.Model {
		return model(&onnxpb.Graph{
			Nodes: []*onnxpb.Node{
				tnode("grow", "AddOne", []string{"x"}, []string{"a"}),
				node("shape", "Shape", []string{"a"}, []string{"s"}),
				node("size", "Size", []string{"x"}, []string{"n"}),
			},
			Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, dims...)},
			Outputs: []*onnxpb.ValueInfo{vinfo("s", operators.Int64, 2), vinfo("n", operators.Int64), vinfo("a", operators.Float32, dims...)},
		})
	}
	// With every dimension fixed, Shape and Size are constants.
	s := mustLoad(t, build(2, 3))
	if f := s.Plan().Folded(); !slices.Equal(f, []string{"shape", "size"}) {
		t.Errorf("folded %v, want [shape size]", f)
	}
	out := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{2, 3}, make([]float32, 6)...)})
	if !slices.Equal(out["s"].I64(), []int64{2, 3}) || !slices.Equal(out["n"].I64(), []int64{6}) {
		t.Errorf("s = %v, n = %v", out["s"].I64(), out["n"].I64())
	}
	// A symbolic dimension keeps them as steps, computed per run.
	s = mustLoad(t, build("batch", 3))
	if f := s.Plan().Folded(); len(f) != 0 {
		t.Errorf("folded %v with a symbolic batch", f)
	}
	out = mustRun(t, s, map[string]*operators.Value{"x": f32([]int{4, 3}, make([]float32, 12)...)})
	if !slices.Equal(out["s"].I64(), []int64{4, 3}) || !slices.Equal(out["n"].I64(), []int64{12}) {
		t.Errorf("s = %v, n = %v", out["s"].I64(), out["n"].I64())
	}
}

// A subgraph inside a function body reads the function's values by their
// names in the body; expansion renames those references with the call.
func TestFunctionWithSubgraph(t *testing.T) {
	body := &onnxpb.Graph{
		Name:    "inner",
		Nodes:   []*onnxpb.Node{tnode("inner_add", "Sum2", []string{"T", "X"}, []string{"R"})},
		Outputs: []*onnxpb.ValueInfo{vinfo("R", operators.Float32, 2), vinfo("T", operators.Float32, 2)},
	}
	fn := &onnxpb.Function{
		Name: "Tripled", Domain: "local.fn",
		Inputs: []string{"X"}, Outputs: []string{"Y", "Z"},
		Nodes: []*onnxpb.Node{
			tnode("t", "Sum2", []string{"X", "X"}, []string{"T"}),
			tnode("run", "RunBody", nil, []string{"Y", "Z"}, graphAttr("body", body)),
		},
		OpsetImport: []onnxpb.OperatorSetID{{Domain: testDomain, Version: 1}},
	}
	call := node("call", "Tripled", []string{"x"}, []string{"y", "z"})
	call.Domain = "local.fn"
	m := model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{call},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2), vinfo("z", operators.Float32, 2)},
	})
	m.OpsetImport = append(m.OpsetImport, onnxpb.OperatorSetID{Domain: "local.fn", Version: 1})
	m.Functions = []*onnxpb.Function{fn}
	s := mustLoad(t, m)
	out := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{2}, 1, 5)})
	if y := out["y"].F32(); !slices.Equal(y, []float32{3, 15}) {
		t.Errorf("y = %v, want [3 15]", y)
	}
	if z := out["z"].F32(); !slices.Equal(z, []float32{2, 10}) {
		t.Errorf("z = %v, want [2 10]", z)
	}
	if body.Nodes[0].Inputs[0] != "T" {
		t.Errorf("expansion changed the function's own body: %v", body.Nodes[0].Inputs)
	}
}

// A compiled subgraph tells its caller what it knows of its outputs: the
// declared type where there is one, else what inference found.
func TestSubgraphOutputMetasDeclaredFirst(t *testing.T) {
	body := &onnxpb.Graph{
		Name: "body",
		Nodes: []*onnxpb.Node{
			tnode("b_one", "AddOne", []string{"bin"}, []string{"r"}),
			tnode("b_two", "AddOne", []string{"r"}, []string{"u"}),
		},
		Inputs: []*onnxpb.ValueInfo{vinfo("bin", operators.Float32, 2, 3)},
		Outputs: []*onnxpb.ValueInfo{
			vinfo("r", operators.Float32, "rows", 3), // declared: wins
			{Name: "u"},                              // undeclared: inferred
		},
	}
	m := model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{tnode("sub", "RunBody", []string{"x"}, []string{"y", "z"}, graphAttr("body", body))},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2, 3)},
		Outputs: []*onnxpb.ValueInfo{{Name: "y"}, {Name: "z"}},
	})
	s := mustLoad(t, m)
	out := s.Outputs()
	if out[0].DType != operators.Float32 || !slices.Equal(out[0].Shape, []int{-1, 3}) {
		t.Errorf("y: %+v, want float32 [-1 3] as the body declares", out[0])
	}
	if out[1].DType != operators.Float32 || !slices.Equal(out[1].Shape, []int{2, 3}) {
		t.Errorf("z: %+v, want float32 [2 3] as inferred", out[1])
	}
}
