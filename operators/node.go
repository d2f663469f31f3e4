package operators

import "fmt"

// AttrType is an ONNX AttributeProto.AttributeType.
type AttrType int32

// The ONNX attribute types (numbers as in onnx.proto).
const (
	AttrUndefined     AttrType = 0
	AttrFloat         AttrType = 1
	AttrInt           AttrType = 2
	AttrString        AttrType = 3
	AttrTensor        AttrType = 4
	AttrGraph         AttrType = 5
	AttrSparseTensor  AttrType = 11
	AttrTypeProto     AttrType = 13
	AttrFloats        AttrType = 6
	AttrInts          AttrType = 7
	AttrStrings       AttrType = 8
	AttrTensors       AttrType = 9
	AttrGraphs        AttrType = 10
	AttrSparseTensors AttrType = 12
	AttrTypeProtos    AttrType = 14
)

// Attr is one decoded attribute. Only the field that matches Type is set.
// Graph values are opaque to this package: the runtime stores its own
// subgraph representation there and operators that take subgraphs (If,
// Loop) receive a way to run them through Node.Subgraph.
type Attr struct {
	Name    string
	Type    AttrType
	F       float32
	I       int64
	S       []byte
	T       *Value
	G       any
	Floats  []float32
	Ints    []int64
	Strings [][]byte
	Tensors []*Value
	Graphs  []any
}

// Node is what an operator constructor sees of a graph node: its identity,
// the opset in force and its attributes. Inputs and Outputs hold value
// names; an omitted optional input is the empty string.
type Node struct {
	Name    string
	OpType  string
	Domain  string
	Opset   int // the model's opset for Domain
	Since   int // the since-version of the chosen implementation
	Inputs  []string
	Outputs []string
	Attrs   map[string]*Attr
	// Subgraph, when set by the runtime, compiles a graph attribute into
	// something the operator can run. Operators without graph attributes
	// ignore it.
	Subgraph func(g any) (Graph, error)
}

// Graph is a compiled subgraph (If branches, Loop bodies).
type Graph interface {
	// Run executes the subgraph. outer resolves names captured from
	// enclosing scopes; the result is the subgraph's outputs in order.
	Run(rc *RunContext, inputs []*Value, outer func(name string) (*Value, bool)) ([]*Value, error)
	NumOutputs() int
}

// Describe names the node for error messages: `node "n" (Softmax, opset 13)`.
func (n *Node) Describe() string {
	return fmt.Sprintf("node %q (%s, opset %d)", n.Name, n.OpType, n.Opset)
}

func (n *Node) attr(name string, want AttrType) (*Attr, bool, error) {
	a, ok := n.Attrs[name]
	if !ok {
		return nil, false, nil
	}
	if a.Type != want {
		return nil, false, &AttributeError{Attr: name, Reason: fmt.Sprintf("has type %d, want %d", a.Type, want)}
	}
	return a, true, nil
}

// Has reports whether the node carries attribute name.
func (n *Node) Has(name string) bool { _, ok := n.Attrs[name]; return ok }

// Int returns an INT attribute, or def when it is absent.
func (n *Node) Int(name string, def int64) (int64, error) {
	a, ok, err := n.attr(name, AttrInt)
	if err != nil || !ok {
		return def, err
	}
	return a.I, nil
}

// Float returns a FLOAT attribute, or def when it is absent.
func (n *Node) Float(name string, def float32) (float32, error) {
	a, ok, err := n.attr(name, AttrFloat)
	if err != nil || !ok {
		return def, err
	}
	return a.F, nil
}

// String returns a STRING attribute, or def when it is absent.
func (n *Node) String(name string, def string) (string, error) {
	a, ok, err := n.attr(name, AttrString)
	if err != nil || !ok {
		return def, err
	}
	return string(a.S), nil
}

// Ints returns an INTS attribute; ok is false when it is absent.
func (n *Node) Ints(name string) (v []int64, ok bool, err error) {
	a, ok, err := n.attr(name, AttrInts)
	if err != nil || !ok {
		return nil, false, err
	}
	return a.Ints, true, nil
}

// Floats returns a FLOATS attribute; ok is false when it is absent.
func (n *Node) Floats(name string) (v []float32, ok bool, err error) {
	a, ok, err := n.attr(name, AttrFloats)
	if err != nil || !ok {
		return nil, false, err
	}
	return a.Floats, true, nil
}

// Tensor returns a TENSOR attribute, or nil when it is absent.
func (n *Node) Tensor(name string) (*Value, error) {
	a, ok, err := n.attr(name, AttrTensor)
	if err != nil || !ok {
		return nil, err
	}
	return a.T, nil
}

// NormAxis turns an axis in [-rank, rank) into [0, rank), or returns an
// AttributeError naming the attribute.
func NormAxis(attr string, axis int64, rank int) (int, error) {
	if axis < -int64(rank) || axis >= int64(rank) {
		return 0, &AttributeError{Attr: attr, Reason: fmt.Sprintf("axis %d is out of range for rank %d (want [%d, %d))", axis, rank, -rank, rank)}
	}
	if axis < 0 {
		axis += int64(rank)
	}
	return int(axis), nil
}
