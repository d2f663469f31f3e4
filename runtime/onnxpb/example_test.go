package onnxpb_test

import (
	"errors"
	"fmt"

	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// A model is encoded, decoded again, and its one initializer converted to
// a runtime Value.
func ExampleDecodeModel() {
	b := onnxpb.EncodeModel(&onnxpb.Model{
		IRVersion:   8,
		OpsetImport: []onnxpb.OperatorSetID{{Version: 13}},
		Graph: &onnxpb.Graph{
			Name: "g",
			Nodes: []*onnxpb.Node{{OpType: "Softmax", Inputs: []string{"x"}, Outputs: []string{"y"},
				Attributes: []*onnxpb.Attribute{{Name: "axis", Type: onnxpb.AttrInt, I: 1}}}},
			Initializers: []*onnxpb.Tensor{{Name: "x", DataType: 1, Dims: []int64{2, 2},
				FloatData: []float32{1, 2, 3, 4}}},
		},
	})
	m, err := onnxpb.DecodeModel(b, onnxpb.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	n := m.Graph.Nodes[0]
	fmt.Println(n.OpType, n.Attributes[0].Name, n.Attributes[0].I, "opset", m.OpsetImport[0].Version)
	v, err := onnxpb.TensorToValue(m.Graph.Initializers[0], "", onnxpb.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v, v.F32())
	// Output:
	// Softmax axis 1 opset 13
	// float32[2 2] [1 2 3 4]
}

// Declared sizes are checked before anything is allocated.
func ExampleLimits() {
	b := onnxpb.EncodeTensor(&onnxpb.Tensor{Name: "huge", DataType: 1, Dims: []int64{1 << 20, 1 << 20}})
	_, err := onnxpb.DecodeTensor(b, onnxpb.Limits{})
	fmt.Println(errors.Is(err, onnxpb.ErrLimit))
	fmt.Println(err)
	// Output:
	// true
	// invalid model: tensor "huge": exceeds decoder limit: dims [1048576 1048576] hold more than MaxTensorElements = 2147483648 elements
}
