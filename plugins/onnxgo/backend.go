package onnxgo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	onnx "github.com/owulveryck/onnx-go"
	"gonum.org/v1/gonum/graph"
	"gorgonia.org/tensor"

	_ "github.com/onnxrun/onnxrun/operators/all" // every operator onnxrun has
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// ErrNoModel is returned by Run when the backend was made by New and no
// model bytes were given to Load.
var ErrNoModel = errors.New("onnxgo: the backend has no model bytes: create it with NewFromBytes(b) or call Load(b) before Run (onnx-go does not pass the model's opset_import to a backend)")

// Backend is an onnx-go backend (it implements onnx.Backend) that runs the
// model on onnxrun.
//
// onnx-go decodes a model and describes it to its backend as a graph of
// value nodes and operations, but without the model's opset_import, so a
// backend cannot tell, say, Softmax-11 from Softmax-13. Backend therefore
// keeps the model's own bytes, given to NewFromBytes or Load, and compiles
// them with runtime.LoadBytes, which resolves every operator's version from
// the model. The graph onnx-go builds is kept for the names of the inputs and
// outputs, for Model.SetInput and Model.GetOutputTensors, and to check that
// onnx-go decoded the same model.
//
// A Backend is for one model and is not safe for concurrent use (onnx-go
// keeps inputs and outputs in the graph's nodes); Run serialises callers.
// For concurrent inference use the Session it wraps.
type Backend struct {
	opts  []runtime.Option
	model *onnxpb.Model
	sess  *runtime.Session

	mu sync.Mutex

	// The graph received from onnx-go.
	nextID int64
	nodes  map[int64]*Node
	order  []*Node
	edges  map[edgeKey]edge
	from   map[int64][]int64
	to     map[int64][]int64
	ops    []operation // in the order ApplyOperation received them
}

// operation is what onnx-go tells a backend about a graph node.
type operation struct {
	typ     string
	outputs []string
}

var _ onnx.Backend = (*Backend)(nil)

// New returns a backend without a model. Give it the model's bytes with Load
// before Run; NewFromBytes does both in one step. opts are passed to
// runtime.LoadBytes.
func New(opts ...runtime.Option) *Backend {
	return &Backend{
		opts:  opts,
		nodes: map[int64]*Node{},
		edges: map[edgeKey]edge{},
		from:  map[int64][]int64{},
		to:    map[int64][]int64{},
	}
}

// NewFromBytes returns a backend for the ONNX model b, compiled by onnxrun
// with opts. Pass the same bytes to onnx-go's Model.UnmarshalBinary:
//
//	backend, err := onnxgo.NewFromBytes(b)
//	model := onnx.NewModel(backend)
//	err = model.UnmarshalBinary(b)
//	err = model.SetInput(0, x)
//	err = backend.Run()
//	outs, err := model.GetOutputTensors()
func NewFromBytes(b []byte, opts ...runtime.Option) (*Backend, error) {
	be := New(opts...)
	if err := be.Load(b); err != nil {
		return nil, err
	}
	return be, nil
}

// Load compiles the ONNX model b for this backend. It may be called before
// or after onnx-go's Model.UnmarshalBinary, once.
func (b *Backend) Load(model []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sess != nil {
		return errors.New("onnxgo: Load: the backend already has a model")
	}
	m, err := onnxpb.DecodeModel(model, onnxpb.DefaultLimits())
	if err != nil {
		return fmt.Errorf("onnxgo: %w", err)
	}
	if m.Graph == nil {
		return errors.New("onnxgo: the model has no graph")
	}
	s, err := runtime.LoadModel(m, "", b.opts...)
	if err != nil {
		return fmt.Errorf("onnxgo: %w", err)
	}
	if err := b.checkOps(m, 0); err != nil {
		return err
	}
	b.model, b.sess = m, s
	return nil
}

// Session returns the onnxrun session running the model, or nil before Load.
// It is safe for concurrent use and reports input and output metadata.
func (b *Backend) Session() *runtime.Session {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sess
}

// decoded reports whether onnx-go has started describing operations, after
// which every SetTensor comes from the caller rather than from decoding.
func (b *Backend) decoded() bool { return len(b.ops) > 0 }

// ApplyOperation records that the operation op produces the values outputs.
// onnx-go calls it once per graph node, in the model's node order; when the
// model is already loaded the op type and output names are checked against
// it.
func (b *Backend) ApplyOperation(op onnx.Operation, outputs ...graph.Node) error {
	names := make([]string, len(outputs))
	for i, o := range outputs {
		if n, ok := o.(*Node); ok {
			names[i] = n.name
		}
	}
	b.ops = append(b.ops, operation{typ: op.Name, outputs: names})
	if b.model != nil {
		return b.checkOps(b.model, len(b.ops)-1)
	}
	return nil
}

// checkOps compares the op types onnx-go described, from index start on,
// with the nodes of m.
func (b *Backend) checkOps(m *onnxpb.Model, start int) error {
	for i := start; i < len(b.ops); i++ {
		if i >= len(m.Graph.Nodes) {
			return fmt.Errorf("onnxgo: onnx-go decoded more operations (%d) than the backend's model has nodes (%d): the two were given different models", len(b.ops), len(m.Graph.Nodes))
		}
		n, op := m.Graph.Nodes[i], b.ops[i]
		if n.OpType != op.typ || !slices.Equal(n.Outputs, op.outputs) {
			return fmt.Errorf("onnxgo: operation %d decoded by onnx-go is %s with outputs %q but node %q of the backend's model is %s with outputs %q: the two were given different models", i, op.typ, op.outputs, n.Name, n.OpType, n.Outputs)
		}
	}
	return nil
}

// Run runs the model on the inputs set with Model.SetInput and stores the
// outputs for Model.GetOutputTensors. It is onnx-go's ComputationBackend
// method.
func (b *Backend) Run() error { return b.RunContext(context.Background()) }

// RunContext is Run with a context that can cancel the run.
func (b *Backend) RunContext(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sess == nil {
		return ErrNoModel
	}
	if len(b.ops) != len(b.model.Graph.Nodes) {
		if len(b.ops) == 0 {
			return errors.New("onnxgo: Run: the graph is empty: decode the model with onnx-go's Model.UnmarshalBinary first")
		}
		return fmt.Errorf("onnxgo: Run: onnx-go decoded %d operations but the model has %d nodes: the two were given different models", len(b.ops), len(b.model.Graph.Nodes))
	}
	byName := make(map[string][]*Node, len(b.order))
	for _, n := range b.order {
		byName[n.name] = append(byName[n.name], n)
	}
	ins := map[string]*tensor.Dense{}
	for _, vi := range b.model.Graph.Inputs {
		for _, n := range byName[vi.Name] {
			if !n.userSet {
				continue
			}
			d, ok := n.t.(*tensor.Dense)
			if !ok {
				return fmt.Errorf("onnxgo: input %q is a %T; onnxrun takes *tensor.Dense", vi.Name, n.t)
			}
			ins[vi.Name] = d
		}
	}
	for i, vi := range b.sess.Inputs() {
		if _, ok := ins[vi.Name]; !ok {
			return fmt.Errorf("onnxgo: input %q (graph input %d) is not set: call Model.SetInput before Run", vi.Name, i)
		}
	}
	outs, err := b.sess.Run(ctx, ins)
	if err != nil {
		return fmt.Errorf("onnxgo: %w", err)
	}
	for _, vi := range b.sess.Outputs() {
		nodes := byName[vi.Name]
		if len(nodes) == 0 {
			return fmt.Errorf("onnxgo: output %q has no node in the graph onnx-go built", vi.Name)
		}
		for _, n := range nodes {
			n.t = outs[vi.Name]
		}
	}
	return nil
}
