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
	opts []runtime.Option
	sess *runtime.Session
	// From the model's bytes: its nodes as onnx-go will describe them, and
	// the names in its graph input list. The decoded model itself is not
	// kept, so that its initializers can be freed.
	want   []operation
	inputs []string

	mu sync.Mutex

	// The graph received from onnx-go.
	created  int     // nodes made by NewNode
	inputIDs []int64 // the ID NewNode gives the i-th node it makes
	nodes    map[int64]*Node
	order    []*Node
	edges    map[edgeKey]edge
	from     map[int64][]int64
	to       map[int64][]int64
	ops      []operation // in the order ApplyOperation received them
}

// operation is what onnx-go tells a backend about a graph node (name is
// known only from the model's bytes).
type operation struct {
	name    string
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
	want := make([]operation, len(m.Graph.Nodes))
	for i, n := range m.Graph.Nodes {
		want[i] = operation{name: n.Name, typ: n.OpType, outputs: n.Outputs}
	}
	if err := checkOps(want, b.ops, 0); err != nil {
		return err
	}
	b.sess, b.want = s, want
	inits := map[string]bool{}
	for _, t := range m.Graph.Initializers {
		inits[t.Name] = true
	}
	var proper, listed []int
	for i, vi := range m.Graph.Inputs {
		b.inputs = append(b.inputs, vi.Name)
		if inits[vi.Name] {
			listed = append(listed, i)
		} else {
			proper = append(proper, i)
		}
	}
	if b.created == 0 { // onnx-go has not started decoding: see NewNode
		b.inputIDs = make([]int64, len(m.Graph.Inputs))
		for id, i := range append(proper, listed...) {
			b.inputIDs[i] = int64(id)
		}
	}
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
	if b.sess != nil {
		return checkOps(b.want, b.ops, len(b.ops)-1)
	}
	return nil
}

// checkOps compares the operations onnx-go described (got), from index
// start on, with the model's nodes (want).
func checkOps(want, got []operation, start int) error {
	for i := start; i < len(got); i++ {
		if i >= len(want) {
			return fmt.Errorf("onnxgo: onnx-go decoded more operations (%d) than the backend's model has nodes (%d): the two were given different models", len(got), len(want))
		}
		w, g := want[i], got[i]
		if w.typ != g.typ || !slices.Equal(w.outputs, g.outputs) {
			return fmt.Errorf("onnxgo: operation %d decoded by onnx-go is %s with outputs %q but node %q of the backend's model is %s with outputs %q: the two were given different models", i, g.typ, g.outputs, w.name, w.typ, w.outputs)
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
	if len(b.ops) != len(b.want) {
		if len(b.ops) == 0 {
			return errors.New("onnxgo: Run: the graph is empty: decode the model with onnx-go's Model.UnmarshalBinary first")
		}
		return fmt.Errorf("onnxgo: Run: onnx-go decoded %d operations but the model has %d nodes: the two were given different models", len(b.ops), len(b.want))
	}
	byName := make(map[string][]*Node, len(b.order))
	for _, n := range b.order {
		byName[n.name] = append(byName[n.name], n)
	}
	ins := map[string]*tensor.Dense{}
	for _, name := range b.inputs {
		for _, n := range byName[name] {
			if !n.userSet {
				continue
			}
			d, ok := n.t.(*tensor.Dense)
			if !ok {
				return fmt.Errorf("onnxgo: input %q is a %T; onnxrun takes *tensor.Dense", name, n.t)
			}
			ins[name] = d
		}
	}
	for _, vi := range b.sess.Inputs() {
		if _, ok := ins[vi.Name]; !ok {
			// Model.SetInput(i, x) addresses the i-th name in the graph's
			// input list, initializers listed there included.
			return fmt.Errorf("onnxgo: input %q is not set: call Model.SetInput(%d, x) before Run", vi.Name, slices.Index(b.inputs, vi.Name))
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
