package runtime

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// testDomain holds operators that exist only for this package's tests.
const testDomain = "test.onnxrun"

// Models in these tests are built as onnxpb structs and go through
// EncodeModel/LoadBytes, so the decoder path is exercised too.

// dim is an int (fixed) or a string (symbolic) dimension.
func tensorType(dt operators.DType, dims ...any) *onnxpb.Type {
	sh := &onnxpb.Shape{}
	for _, d := range dims {
		switch d := d.(type) {
		case int:
			sh.Dims = append(sh.Dims, onnxpb.Dim{Value: int64(d), HasValue: true})
		case string:
			sh.Dims = append(sh.Dims, onnxpb.Dim{Param: d})
		}
	}
	return &onnxpb.Type{Tensor: &onnxpb.TensorType{ElemType: int32(dt), Shape: sh}}
}

func vinfo(name string, dt operators.DType, dims ...any) *onnxpb.ValueInfo {
	return &onnxpb.ValueInfo{Name: name, Type: tensorType(dt, dims...)}
}

func node(name, op string, ins, outs []string, attrs ...*onnxpb.Attribute) *onnxpb.Node {
	return &onnxpb.Node{Name: name, OpType: op, Inputs: ins, Outputs: outs, Attributes: attrs}
}

func tnode(name, op string, ins, outs []string, attrs ...*onnxpb.Attribute) *onnxpb.Node {
	n := node(name, op, ins, outs, attrs...)
	n.Domain = testDomain
	return n
}

func intAttr(name string, v int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttributeType(operators.AttrInt), I: v}
}

func tensorAttr(name string, v *operators.Value) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttributeType(operators.AttrTensor), T: onnxpb.ValueToTensor(v, "")}
}

func graphAttr(name string, g *onnxpb.Graph) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttributeType(operators.AttrGraph), G: g}
}

func f32(shape []int, data ...float32) *operators.Value {
	v, err := operators.FromSlice(data, shape)
	if err != nil {
		panic(err)
	}
	return v
}

func initializer(name string, v *operators.Value) *onnxpb.Tensor {
	return onnxpb.ValueToTensor(v, name)
}

// model wraps g with opset 13 of the default domain and opset 1 of the
// test domain.
func model(g *onnxpb.Graph) *onnxpb.Model {
	return &onnxpb.Model{
		IRVersion: 8,
		OpsetImport: []onnxpb.OperatorSetID{
			{Domain: "", Version: 13}, {Domain: testDomain, Version: 1},
		},
		Graph: g,
	}
}

func mustLoad(t testing.TB, m *onnxpb.Model, opts ...Option) *Session {
	t.Helper()
	s, err := LoadBytes(onnxpb.EncodeModel(m), opts...)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return s
}

func loadErr(t testing.TB, m *onnxpb.Model, opts ...Option) error {
	t.Helper()
	_, err := LoadBytes(onnxpb.EncodeModel(m), opts...)
	if err == nil {
		t.Fatalf("load succeeded, want an error")
	}
	t.Logf("load error: %v", err)
	return err
}

func mustRun(t testing.TB, s *Session, in map[string]*operators.Value) map[string]*operators.Value {
	t.Helper()
	out, err := s.RunValues(context.Background(), in)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return out
}

// Test operators. Each counts its runs per node name so tests can tell
// which nodes executed.
var (
	runCounts sync.Map // node name -> *atomic.Int64
	cancels   sync.Map // node name -> context.CancelFunc
)

func countRun(name string) {
	c, ok := runCounts.Load(name)
	if !ok {
		c, _ = runCounts.LoadOrStore(name, new(atomic.Int64))
	}
	c.(*atomic.Int64).Add(1)
}

func runsOf(name string) int64 {
	c, ok := runCounts.Load(name)
	if !ok {
		return 0
	}
	return c.(*atomic.Int64).Load()
}

// testOp implements operators.Op with functions.
type testOp struct {
	name  string
	infer func(in []operators.Meta) ([]operators.Meta, error)
	run   func(rc *operators.RunContext, in, out []*operators.Value) error
}

func (o *testOp) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if o.infer == nil {
		return []operators.Meta{in[0]}, nil
	}
	return o.infer(in)
}

func (o *testOp) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	countRun(o.name)
	return o.run(rc, in, out)
}

func unary(n *operators.Node) error {
	if len(n.Inputs) != 1 || len(n.Outputs) != 1 {
		return fmt.Errorf("%w: takes 1 input and 1 output", operators.ErrInvalidModel)
	}
	return nil
}

func init() {
	reg := func(op string, f operators.Factory) {
		operators.Register(operators.Registration{Domain: testDomain, OpType: op, Since: 1, New: f})
	}
	// AddOne: y = x + 1 (float32), in a fresh buffer.
	reg("AddOne", func(n *operators.Node) (operators.Op, error) {
		if err := unary(n); err != nil {
			return nil, err
		}
		return &testOp{name: n.Name, run: func(rc *operators.RunContext, in, out []*operators.Value) error {
			y, err := rc.AllocValue(operators.Float32, in[0].Shape, false)
			if err != nil {
				return err
			}
			x, yy := in[0].F32(), y.F32()
			for i := range x {
				yy[i] = x[i] + 1
			}
			out[0] = y
			return nil
		}}, nil
	})
	// Sum2: y = a + b (float32, equal shapes), in a fresh buffer.
	reg("Sum2", func(n *operators.Node) (operators.Op, error) {
		if len(n.Inputs) != 2 || len(n.Outputs) != 1 {
			return nil, fmt.Errorf("%w: takes 2 inputs and 1 output", operators.ErrInvalidModel)
		}
		return &testOp{name: n.Name, run: func(rc *operators.RunContext, in, out []*operators.Value) error {
			if !slices.Equal(in[0].Shape, in[1].Shape) {
				return fmt.Errorf("%w: %v and %v", operators.ErrShape, in[0].Shape, in[1].Shape)
			}
			y, err := rc.AllocValue(operators.Float32, in[0].Shape, false)
			if err != nil {
				return err
			}
			a, b, yy := in[0].F32(), in[1].F32(), y.F32()
			for i := range yy {
				yy[i] = a[i] + b[i]
			}
			out[0] = y
			return nil
		}}, nil
	})
	// Shape1D copies its input into a fresh buffer and then points the
	// output's Shape at a slice the operator keeps (as an operator caching
	// its output shape might). The pool must never write into it.
	reg("Shape1D", func(n *operators.Node) (operators.Op, error) {
		if err := unary(n); err != nil {
			return nil, err
		}
		kept := []int{-1}
		return &testOp{name: n.Name, run: func(rc *operators.RunContext, in, out []*operators.Value) error {
			if kept[0] == -1 {
				kept[0] = in[0].Len()
			}
			if kept[0] != in[0].Len() {
				return fmt.Errorf("the operator's own shape slice was overwritten: %v", kept)
			}
			y, err := rc.AllocValue(in[0].DType, in[0].Shape, false)
			if err != nil {
				return err
			}
			copy(y.Raw, in[0].Raw)
			y.Shape = kept
			out[0] = y
			return nil
		}}, nil
	})
	// Pass returns its input value itself.
	reg("Pass", func(n *operators.Node) (operators.Op, error) {
		if err := unary(n); err != nil {
			return nil, err
		}
		return &testOp{name: n.Name, run: func(_ *operators.RunContext, in, out []*operators.Value) error {
			out[0] = in[0]
			return nil
		}}, nil
	})
	// Flatten1 returns a new value viewing the input's buffer as 1-D.
	reg("Flatten1", func(n *operators.Node) (operators.Op, error) {
		if err := unary(n); err != nil {
			return nil, err
		}
		return &testOp{name: n.Name,
			infer: func(in []operators.Meta) ([]operators.Meta, error) {
				return []operators.Meta{{DType: in[0].DType, Shape: []int{-1}, HasShape: true}}, nil
			},
			run: func(_ *operators.RunContext, in, out []*operators.Value) error {
				out[0] = &operators.Value{DType: in[0].DType, Shape: []int{in[0].Len()}, Raw: in[0].Raw}
				return nil
			}}, nil
	})
	// Scratch allocates a scratch buffer, fills it with garbage, then
	// writes y = 2x into a second buffer.
	reg("Scratch", func(n *operators.Node) (operators.Op, error) {
		if err := unary(n); err != nil {
			return nil, err
		}
		return &testOp{name: n.Name, run: func(rc *operators.RunContext, in, out []*operators.Value) error {
			s, err := rc.AllocValue(operators.Float32, []int{in[0].Len() + 3}, false)
			if err != nil {
				return err
			}
			for i := range s.F32() {
				s.F32()[i] = -12345
			}
			y, err := rc.AllocValue(operators.Float32, in[0].Shape, true)
			if err != nil {
				return err
			}
			for i, v := range in[0].F32() {
				y.F32()[i] = 2 * v
			}
			out[0] = y
			return nil
		}}, nil
	})
	// Cancel calls the cancel function registered for its node name and
	// passes its input through.
	reg("Cancel", func(n *operators.Node) (operators.Op, error) {
		if err := unary(n); err != nil {
			return nil, err
		}
		name := n.Name
		return &testOp{name: n.Name, run: func(rc *operators.RunContext, in, out []*operators.Value) error {
			if f, ok := cancels.Load(name); ok {
				f.(context.CancelFunc)()
			}
			out[0] = in[0]
			return nil
		}}, nil
	})
	// Threads writes rc.Threads as a float32 scalar.
	reg("Threads", func(n *operators.Node) (operators.Op, error) {
		if err := unary(n); err != nil {
			return nil, err
		}
		return &testOp{name: n.Name,
			infer: func(in []operators.Meta) ([]operators.Meta, error) {
				return []operators.Meta{{DType: operators.Float32, Shape: []int{}, HasShape: true}}, nil
			},
			run: func(rc *operators.RunContext, in, out []*operators.Value) error {
				y, err := rc.AllocValue(operators.Float32, nil, false)
				if err != nil {
					return err
				}
				y.F32()[0] = float32(rc.Threads)
				out[0] = y
				return nil
			}}, nil
	})
	// RunBody runs its "body" graph attribute, whose inputs are the node's
	// inputs, and returns the body's outputs.
	reg("RunBody", func(n *operators.Node) (operators.Op, error) {
		a, ok := n.Attrs["body"]
		if !ok || a.Type != operators.AttrGraph {
			return nil, &operators.AttributeError{Attr: "body", Reason: "missing"}
		}
		if n.Subgraph == nil {
			return nil, fmt.Errorf("no subgraph compiler")
		}
		g, err := n.Subgraph(a.G)
		if err != nil {
			return nil, err
		}
		if g.NumOutputs() != len(n.Outputs) {
			return nil, fmt.Errorf("%w: body has %d outputs, node %d", operators.ErrInvalidModel, g.NumOutputs(), len(n.Outputs))
		}
		return &testOp{name: n.Name,
			infer: func(in []operators.Meta) ([]operators.Meta, error) {
				if m, ok := g.(interface{ OutputMetas() []operators.Meta }); ok {
					return m.OutputMetas(), nil
				}
				return make([]operators.Meta, g.NumOutputs()), nil
			},
			run: func(rc *operators.RunContext, in, out []*operators.Value) error {
				res, err := g.Run(rc, in, nil)
				if err != nil {
					return err
				}
				copy(out, res)
				return nil
			}}, nil
	})
}
