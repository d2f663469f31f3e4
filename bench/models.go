package bench

import (
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// OneNode encodes a model of a single float32 node op(X) -> Y at the given
// opset, with an int attribute "axis" and a static input shape. Both
// runtimes load the same bytes.
func OneNode(op string, opset int, axis int64, shape []int) []byte {
	dims := make([]onnxpb.Dim, len(shape))
	for i, d := range shape {
		dims[i] = onnxpb.Dim{Value: int64(d), HasValue: true}
	}
	typ := &onnxpb.Type{Tensor: &onnxpb.TensorType{ElemType: int32(operators.Float32), Shape: &onnxpb.Shape{Dims: dims}}}
	node := &onnxpb.Node{Inputs: []string{"X"}, Outputs: []string{"Y"}, Name: "n0", OpType: op}
	if op == "Softmax" || op == "LogSoftmax" {
		node.Attributes = []*onnxpb.Attribute{{Name: "axis", Type: onnxpb.AttributeType(operators.AttrInt), I: axis}}
	}
	m := &onnxpb.Model{
		IRVersion:    8,
		OpsetImport:  []onnxpb.OperatorSetID{{Domain: "", Version: int64(opset)}},
		ProducerName: "onnxrun-bench",
		Graph: &onnxpb.Graph{
			Name:    "one_node",
			Nodes:   []*onnxpb.Node{node},
			Inputs:  []*onnxpb.ValueInfo{{Name: "X", Type: typ}},
			Outputs: []*onnxpb.ValueInfo{{Name: "Y", Type: typ}},
		},
	}
	return onnxpb.EncodeModel(m)
}
