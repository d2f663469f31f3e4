package runtime_test

import (
	"context"
	"fmt"
	"log"

	"gorgonia.org/tensor"

	_ "github.com/onnxrun/onnxrun/operators/all"
	"github.com/onnxrun/onnxrun/runtime"
)

// Load a model, look at its inputs, run it on a batch of two rows and
// print the probabilities. The model divides its input by a temperature
// and applies Softmax over the last axis; its batch dimension is symbolic.
func Example() {
	s, err := runtime.Load("../models/testdata/softmax_symbolic_batch_opset13/model.onnx")
	if err != nil {
		log.Fatal(err)
	}
	in := s.Inputs()[0]
	fmt.Printf("input %q: %v %v %q\n", in.Name, in.DType, in.Shape, in.DimNames)

	x := tensor.New(tensor.WithShape(2, 6), tensor.WithBacking([]float32{
		0, 1, 2, 3, 4, 5,
		1, 1, 1, 1, 1, 1,
	}))
	out, err := s.Run(context.Background(), map[string]*tensor.Dense{in.Name: x})
	if err != nil {
		log.Fatal(err)
	}
	y := out[s.Outputs()[0].Name]
	fmt.Println("output shape:", y.Shape())
	for i, p := range y.Data().([]float32) {
		fmt.Printf("%.4f", p)
		if i%6 == 5 {
			fmt.Println()
		} else {
			fmt.Print(" ")
		}
	}
	// Output:
	// input "x": float32 [-1 6] ["batch" ""]
	// output shape: (2, 6)
	// 0.0340 0.0560 0.0924 0.1523 0.2512 0.4141
	// 0.1667 0.1667 0.1667 0.1667 0.1667 0.1667
}
