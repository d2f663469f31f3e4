package onnxgo_test

import (
	"fmt"
	"log"
	"os"

	onnx "github.com/owulveryck/onnx-go"
	"gorgonia.org/tensor"

	"github.com/onnxrun/onnxrun/plugins/onnxgo"
)

// An onnx-go program runs on onnxrun by swapping its backend: the only new
// step is handing the model's bytes to the backend, which needs them for the
// opset_import onnx-go does not pass on.
func Example() {
	b, err := os.ReadFile("../../models/testdata/softmax_classifier_opset11/model.onnx")
	if err != nil {
		log.Fatal(err)
	}
	// Instead of gorgonnx.NewGraph():
	backend, err := onnxgo.NewFromBytes(b)
	if err != nil {
		log.Fatal(err)
	}
	// From here on, onnx-go's usual calling sequence.
	model := onnx.NewModel(backend)
	if err := model.UnmarshalBinary(b); err != nil {
		log.Fatal(err)
	}
	x := make([]float32, 24)
	for i := range x {
		x[i] = float32(i%5) / 4
	}
	if err := model.SetInput(0, tensor.New(tensor.WithShape(1, 2, 3, 4), tensor.WithBacking(x))); err != nil {
		log.Fatal(err)
	}
	if err := backend.Run(); err != nil {
		log.Fatal(err)
	}
	outs, err := model.GetOutputTensors()
	if err != nil {
		log.Fatal(err)
	}
	// Softmax-11 makes one distribution over the 24 classes.
	p := outs[0].Data().([]float32)
	best, sum := 0, float32(0)
	for i, v := range p {
		sum += v
		if v > p[best] {
			best = i
		}
	}
	fmt.Printf("shape %v, class %d, p=%.3f, sum %.3f\n", outs[0].Shape(), best, p[best], sum)
	// Output: shape (1, 2, 3, 4), class 9, p=0.150, sum 1.000
}
