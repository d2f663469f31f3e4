package runtime

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"gorgonia.org/tensor"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// viewOutputsModel: a = x+1 and b = Flatten1(a) are both outputs, c =
// Flatten1(x) views the input, d = a+1 reads an output.
func viewOutputsModel() *onnxpb.Model {
	return model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{
			tnode("v_a", "AddOne", []string{"x"}, []string{"a"}),
			tnode("v_b", "Flatten1", []string{"a"}, []string{"b"}),
			tnode("v_c", "Flatten1", []string{"x"}, []string{"c"}),
			tnode("v_d", "AddOne", []string{"a"}, []string{"d"}),
		},
		Inputs: []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2, 3)},
		Outputs: []*onnxpb.ValueInfo{
			vinfo("a", operators.Float32, 2, 3), vinfo("b", operators.Float32, 6),
			vinfo("c", operators.Float32, 6), vinfo("d", operators.Float32, 2, 3),
		},
	})
}

// viewOutputsRef returns what viewOutputsModel computes (exact: small
// integers plus one are exact in float32).
func viewOutputsRef(x []float32) map[string][]float32 {
	a := make([]float32, len(x))
	d := make([]float32, len(x))
	for i, v := range x {
		a[i] = v + 1
		d[i] = v + 2
	}
	return map[string][]float32{"a": a, "b": a, "c": x, "d": d}
}

var viewShapes = map[string][]int{"a": {2, 3}, "b": {6}, "c": {6}, "d": {2, 3}}

func seq(n int, from float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = from + float32(i)
	}
	return x
}

func checkF32(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// TestOutputsOwned: outputs of two runs share no memory with each other,
// with the inputs or with the pool, also when outputs are views of other
// outputs or of an input.
func TestOutputsOwned(t *testing.T) {
	s := mustLoad(t, viewOutputsModel(), WithThreads(1))
	x := seq(6, 0)
	xin := f32([]int{2, 3}, slices.Clone(x)...)
	in := map[string]*operators.Value{"x": xin}
	want := viewOutputsRef(x)
	r1 := mustRun(t, s, in)
	r2 := mustRun(t, s, in)
	for name, w := range want {
		checkF32(t, "run 1 "+name, r1[name].F32(), w)
		checkF32(t, "run 2 "+name, r2[name].F32(), w)
	}
	// Scribble over every output of run 1: run 2, the input and the
	// other outputs of run 1 must not change.
	for _, v := range r1 {
		for i := range v.F32() {
			v.F32()[i] = -7
		}
		for name, w := range want {
			checkF32(t, "run 2 "+name+" after writing run 1", r2[name].F32(), w)
		}
		checkF32(t, "input after writing an output", xin.F32(), x)
	}
	// Give each output of run 2 its own mark: if two shared memory, one
	// would show the other's.
	marks := map[string]float32{"a": -1, "b": -2, "c": -3, "d": -4}
	for name, v := range r2 {
		for i := range v.F32() {
			v.F32()[i] = marks[name]
		}
	}
	for name, v := range r2 {
		for _, f := range v.F32() {
			if f != marks[name] {
				t.Fatalf("output %q shares memory with another output: %v", name, v.F32())
			}
		}
	}
	// A third run reuses the pool: nothing it does may reach run 2.
	r3 := mustRun(t, s, in)
	for name, w := range want {
		checkF32(t, "run 3 "+name, r3[name].F32(), w)
	}
	for name, v := range r2 {
		for _, f := range v.F32() {
			if f != marks[name] {
				t.Fatalf("run 3 wrote into run 2's output %q: %v", name, v.F32())
			}
		}
	}
}

// TestDuplicateOutputs: a graph listing one value twice as an output.
func TestDuplicateOutputs(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{tnode("a", "AddOne", []string{"x"}, []string{"y"})},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 3)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 3), vinfo("y", operators.Float32, 3)},
	})
	s := mustLoad(t, m)
	in := map[string]*operators.Value{"x": f32([]int{3}, 1, 2, 3)}
	out := mustRun(t, s, in)
	if len(out) != 1 {
		t.Fatalf("%d outputs, want 1: %v", len(out), out)
	}
	checkF32(t, "y", out["y"].F32(), []float32{2, 3, 4})
	y := f32([]int{3}, 0, 0, 0)
	if err := s.RunValuesInto(context.Background(), in, map[string]*operators.Value{"y": y}); err != nil {
		t.Fatal(err)
	}
	checkF32(t, "bound y", y.F32(), []float32{2, 3, 4})
}

// TestRunInto checks RunInto and RunValuesInto against RunValues, with the
// output tensors reused across runs, on models where outputs are views,
// read by later steps, or come from an operator that also allocates
// scratch space.
func TestRunInto(t *testing.T) {
	ctx := context.Background()
	t.Run("views", func(t *testing.T) {
		s := mustLoad(t, viewOutputsModel(), WithThreads(1))
		outs := map[string]*tensor.Dense{}
		for name, sh := range viewShapes {
			outs[name] = tensor.New(tensor.WithShape(sh...), tensor.Of(tensor.Float32))
		}
		for run := range 3 {
			x := seq(6, float32(10*run))
			in := map[string]*tensor.Dense{"x": tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(slices.Clone(x)))}
			if err := s.RunInto(ctx, in, outs); err != nil {
				t.Fatal(err)
			}
			for name, w := range viewOutputsRef(x) {
				checkF32(t, fmt.Sprintf("run %d %s", run, name), outs[name].Data().([]float32), w)
			}
			checkF32(t, "input", in["x"].Data().([]float32), x)
		}
	})
	t.Run("pool", func(t *testing.T) {
		s := mustLoad(t, poolModel(), WithThreads(1))
		for _, n := range []int{1, 17, 64} {
			x := randF32(uint64(n), n, 3)
			want := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{n}, x...)})
			y, z := f32([]int{n}, make([]float32, n)...), f32([]int{n}, make([]float32, n)...)
			for range 2 {
				err := s.RunValuesInto(ctx, map[string]*operators.Value{"x": f32([]int{n}, x...)},
					map[string]*operators.Value{"y": y, "z": z})
				if err != nil {
					t.Fatal(err)
				}
				checkF32(t, "y", y.F32(), want["y"].F32())
				checkF32(t, "z", z.F32(), want["z"].F32())
			}
		}
	})
	t.Run("output-is-input", func(t *testing.T) {
		// The caller binds the output to the input tensor itself: the
		// result is written once the input has been read.
		s := mustLoad(t, chainModel(3), WithThreads(1))
		x := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float32{1, 2, 3, 4}))
		if err := s.RunInto(ctx, map[string]*tensor.Dense{"v0": x}, map[string]*tensor.Dense{"v3": x}); err != nil {
			t.Fatal(err)
		}
		checkF32(t, "v3", x.Data().([]float32), []float32{4, 5, 6, 7})
	})
	t.Run("softmax", func(t *testing.T) {
		s := mustLoad(t, softmaxChainModel())
		for _, batch := range []int{1, 3} {
			x := randF32(uint64(batch), batch*12, 10)
			y := tensor.New(tensor.WithShape(batch, 3, 4), tensor.Of(tensor.Float32))
			err := s.RunInto(ctx, map[string]*tensor.Dense{"x": tensor.New(tensor.WithShape(batch, 3, 4), tensor.WithBacking(x))},
				map[string]*tensor.Dense{"y": y})
			if err != nil {
				t.Fatal(err)
			}
			// Same kernels as the checked Run path: equal bit for bit.
			want := mustRun(t, s, map[string]*operators.Value{"x": f32([]int{batch, 3, 4}, x...)})
			got := y.Data().([]float32)
			for i, w := range want["y"].F32() {
				if math.Float32bits(got[i]) != math.Float32bits(w) {
					t.Fatalf("batch %d: y[%d] = %v, RunValues gives %v", batch, i, got[i], w)
				}
			}
		}
	})
}

func TestRunIntoErrors(t *testing.T) {
	ctx := context.Background()
	s := mustLoad(t, viewOutputsModel())
	x := map[string]*tensor.Dense{"x": tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(seq(6, 0)))}
	good := func() map[string]*tensor.Dense {
		outs := map[string]*tensor.Dense{}
		for name, sh := range viewShapes {
			outs[name] = tensor.New(tensor.WithShape(sh...), tensor.Of(tensor.Float32))
		}
		return outs
	}
	for _, c := range []struct {
		name   string
		edit   func(map[string]*tensor.Dense)
		inputs map[string]*tensor.Dense
		want   string
	}{
		{"missing", func(o map[string]*tensor.Dense) { delete(o, "b") }, x, `missing output "b"`},
		{"nil", func(o map[string]*tensor.Dense) { o["b"] = nil }, x, `missing output "b"`},
		{"unknown", func(o map[string]*tensor.Dense) { o["q"] = o["a"] }, x, `unknown output "q"`},
		{"dtype", func(o map[string]*tensor.Dense) {
			o["d"] = tensor.New(tensor.WithShape(2, 3), tensor.Of(tensor.Float64))
		}, x, `output "d": element type`},
		{"rank", func(o map[string]*tensor.Dense) { o["a"] = tensor.New(tensor.WithShape(6), tensor.Of(tensor.Float32)) }, x, `output "a" has shape`},
		{"dim", func(o map[string]*tensor.Dense) {
			o["a"] = tensor.New(tensor.WithShape(3, 2), tensor.Of(tensor.Float32))
		}, x, `output "a" has shape`},
		{"shared", func(o map[string]*tensor.Dense) {
			o["b"] = tensor.New(tensor.WithShape(6), tensor.WithBacking(o["a"].Data()))
		}, x, `share memory`},
		{"missing input", func(map[string]*tensor.Dense) {}, map[string]*tensor.Dense{}, `missing input "x"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			outs := good()
			c.edit(outs)
			err := s.RunInto(ctx, c.inputs, outs)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	// After every failure the session still runs.
	outs := good()
	if err := s.RunInto(ctx, x, outs); err != nil {
		t.Fatal(err)
	}
	checkF32(t, "a", outs["a"].Data().([]float32), viewOutputsRef(seq(6, 0))["a"])

	// A shape known only at run time is checked once computed.
	cs := mustLoad(t, chainModel(2))
	err := cs.RunInto(ctx, map[string]*tensor.Dense{"v0": tensor.New(tensor.WithShape(4), tensor.Of(tensor.Float32))},
		map[string]*tensor.Dense{"v2": tensor.New(tensor.WithShape(5), tensor.Of(tensor.Float32))})
	if err == nil || !strings.Contains(err.Error(), `output "v2" has shape [4]`) {
		t.Fatalf("error %v, want a shape mismatch naming v2", err)
	}
}

// TestRunIntoAllocs: a steady-state RunInto with fixed shapes allocates
// nothing, for one Softmax and for a chain of steps.
func TestRunIntoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops states at random under the race detector")
	}
	softmax := model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{node("sm", "Softmax", []string{"X"}, []string{"Y"})},
		Inputs:  []*onnxpb.ValueInfo{vinfo("X", operators.Float32, 1, 1000)},
		Outputs: []*onnxpb.ValueInfo{vinfo("Y", operators.Float32, 1, 1000)},
	})
	for _, c := range []struct {
		name  string
		m     *onnxpb.Model
		in    string
		out   string
		shape []int
	}{
		{"softmax", softmax, "X", "Y", []int{1, 1000}},
		{"chain", chainModel(10), "v0", "v10", []int{1000}},
		{"softmax-chain", softmaxChainModel(), "x", "y", []int{2, 3, 4}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := mustLoad(t, c.m, WithThreads(1))
			n := operators.NumElements(c.shape)
			in := map[string]*tensor.Dense{c.in: tensor.New(tensor.WithShape(c.shape...), tensor.WithBacking(randF32(1, n, 1)))}
			outs := map[string]*tensor.Dense{c.out: tensor.New(tensor.WithShape(c.shape...), tensor.Of(tensor.Float32))}
			ctx := context.Background()
			allocs := testing.AllocsPerRun(100, func() {
				if err := s.RunInto(ctx, in, outs); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("RunInto allocates %.1f times per run, want 0", allocs)
			}
		})
	}
}

// TestRunIntoConcurrent runs one session from several goroutines, each
// with its own inputs and output tensors (run it with -race).
func TestRunIntoConcurrent(t *testing.T) {
	s := mustLoad(t, viewOutputsModel(), WithThreads(2))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs := map[string]*tensor.Dense{}
			for name, sh := range viewShapes {
				outs[name] = tensor.New(tensor.WithShape(sh...), tensor.Of(tensor.Float32))
			}
			for run := range 50 {
				x := seq(6, float32(100*g+run))
				in := map[string]*tensor.Dense{"x": tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(x))}
				if run%2 == 0 {
					if err := s.RunInto(context.Background(), in, outs); err != nil {
						errs <- err
						return
					}
				} else {
					res, err := s.Run(context.Background(), in)
					if err != nil {
						errs <- err
						return
					}
					outs = res
				}
				for name, w := range viewOutputsRef(x) {
					if got := outs[name].Data().([]float32); !slices.Equal(got, w) {
						errs <- fmt.Errorf("goroutine %d run %d: %s = %v, want %v", g, run, name, got, w)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func init() {
	reg := func(op string, f operators.Factory) {
		operators.Register(operators.Registration{Domain: testDomain, OpType: op, Since: 1, New: f})
	}
	// Crossed: two outputs of x's shape. It allocates p then q, writes
	// 2x into p and 3x into q, and returns out[0] = q, out[1] = p, so
	// with both outputs bound each lands in the other's memory.
	reg("Crossed", func(n *operators.Node) (operators.Op, error) {
		if len(n.Inputs) != 1 || len(n.Outputs) != 2 {
			return nil, fmt.Errorf("%w: takes 1 input and 2 outputs", operators.ErrInvalidModel)
		}
		return &testOp{name: n.Name,
			infer: func(in []operators.Meta) ([]operators.Meta, error) { return []operators.Meta{in[0], in[0]}, nil },
			run: func(rc *operators.RunContext, in, out []*operators.Value) error {
				p, err := rc.AllocValue(operators.Float32, in[0].Shape, false)
				if err != nil {
					return err
				}
				q, err := rc.AllocValue(operators.Float32, in[0].Shape, false)
				if err != nil {
					return err
				}
				for i, v := range in[0].F32() {
					p.F32()[i], q.F32()[i] = 2*v, 3*v
				}
				out[0], out[1] = q, p
				return nil
			}}, nil
	})
	// SameScratch allocates scratch space of its output's shape first,
	// fills it with garbage, then writes y = x+1 into a second buffer.
	reg("SameScratch", func(n *operators.Node) (operators.Op, error) {
		if err := unary(n); err != nil {
			return nil, err
		}
		return &testOp{name: n.Name, run: func(rc *operators.RunContext, in, out []*operators.Value) error {
			s, err := rc.AllocValue(operators.Float32, in[0].Shape, false)
			if err != nil {
				return err
			}
			for i := range s.F32() {
				s.F32()[i] = -12345
			}
			y, err := rc.AllocValue(operators.Float32, in[0].Shape, false)
			if err != nil {
				return err
			}
			for i, v := range in[0].F32() {
				y.F32()[i] = v + 1
			}
			out[0] = y
			return nil
		}}, nil
	})
}

// TestRunIntoMisdirected: operators that use a bound output's memory for
// something else (another output, scratch space) still give the right
// results.
func TestRunIntoMisdirected(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes: []*onnxpb.Node{
			tnode("c", "Crossed", []string{"x"}, []string{"q", "p"}),
			tnode("s", "SameScratch", []string{"x"}, []string{"y"}),
			tnode("a", "AddOne", []string{"q"}, []string{"z"}),
		},
		Inputs: []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 3)},
		Outputs: []*onnxpb.ValueInfo{
			vinfo("q", operators.Float32, 3), vinfo("p", operators.Float32, 3),
			vinfo("y", operators.Float32, 3), vinfo("z", operators.Float32, 3),
		},
	})
	s := mustLoad(t, m)
	outs := map[string]*operators.Value{}
	for _, name := range []string{"q", "p", "y", "z"} {
		outs[name] = f32([]int{3}, 0, 0, 0)
	}
	for run := range 3 {
		x := seq(3, float32(run))
		if err := s.RunValuesInto(context.Background(), map[string]*operators.Value{"x": f32([]int{3}, x...)}, outs); err != nil {
			t.Fatal(err)
		}
		q, p, y, z := make([]float32, 3), make([]float32, 3), make([]float32, 3), make([]float32, 3)
		for i, v := range x {
			q[i], p[i], y[i], z[i] = 3*v, 2*v, v+1, 3*v+1
		}
		checkF32(t, "q", outs["q"].F32(), q)
		checkF32(t, "p", outs["p"].F32(), p)
		checkF32(t, "y", outs["y"].F32(), y)
		checkF32(t, "z", outs["z"].F32(), z)
	}
}

// TestRunIntoSplit: a standard multi-output operator writing bound
// outputs of one type and shape.
func TestRunIntoSplit(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{node("split", "Split", []string{"x"}, []string{"a", "b"})},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 4)},
		Outputs: []*onnxpb.ValueInfo{vinfo("a", operators.Float32, 2), vinfo("b", operators.Float32, 2)},
	})
	s := mustLoad(t, m)
	a := tensor.New(tensor.WithShape(2), tensor.Of(tensor.Float32))
	b := tensor.New(tensor.WithShape(2), tensor.Of(tensor.Float32))
	x := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float32{1, 2, 3, 4}))
	if err := s.RunInto(context.Background(), map[string]*tensor.Dense{"x": x}, map[string]*tensor.Dense{"a": a, "b": b}); err != nil {
		t.Fatal(err)
	}
	checkF32(t, "a", a.Data().([]float32), []float32{1, 2})
	checkF32(t, "b", b.Data().([]float32), []float32{3, 4})
}

// probeData is where the last Probe step wrote its output.
var probeData atomic.Pointer[byte]

func init() {
	// Probe: y = x + 1 like AddOne, recording where y lives.
	operators.Register(operators.Registration{Domain: testDomain, OpType: "Probe", Since: 1, New: func(n *operators.Node) (operators.Op, error) {
		if err := unary(n); err != nil {
			return nil, err
		}
		return &testOp{name: n.Name, run: func(rc *operators.RunContext, in, out []*operators.Value) error {
			y, err := rc.AllocValue(operators.Float32, in[0].Shape, false)
			if err != nil {
				return err
			}
			for i, v := range in[0].F32() {
				y.F32()[i] = v + 1
			}
			probeData.Store(unsafe.SliceData(y.Raw))
			out[0] = y
			return nil
		}}, nil
	}})
}

// TestRunIntoWritesInPlace: the operator producing a bound output gets
// the caller's memory (no copy at the end), and Run hands over the memory
// the operator wrote (no copy either).
func TestRunIntoWritesInPlace(t *testing.T) {
	m := model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{tnode("p", "Probe", []string{"x"}, []string{"y"})},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2, 2)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2, 2)},
	})
	s := mustLoad(t, m)
	x := map[string]*tensor.Dense{"x": tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4}))}
	y := tensor.New(tensor.WithShape(2, 2), tensor.Of(tensor.Float32))
	if err := s.RunInto(context.Background(), x, map[string]*tensor.Dense{"y": y}); err != nil {
		t.Fatal(err)
	}
	checkF32(t, "y", y.Data().([]float32), []float32{2, 3, 4, 5})
	if got, want := probeData.Load(), unsafe.SliceData(y.Raw); got != want {
		t.Errorf("the operator wrote to %p, not into the caller's tensor at %p", got, want)
	}
	out, err := s.Run(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := probeData.Load(), unsafe.SliceData(out["y"].Raw); got != want {
		t.Errorf("Run returned memory at %p, the operator wrote to %p: a copy was made", want, got)
	}
}
