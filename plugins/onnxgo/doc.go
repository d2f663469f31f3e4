// Package onnxgo is an onnx-go backend that runs models on onnxrun, so that
// a program written against github.com/owulveryck/onnx-go v0.5.0 changes
// only the line that creates its backend.
//
// # Use
//
//	b, err := os.ReadFile("model.onnx")
//	backend, err := onnxgo.NewFromBytes(b) // instead of gorgonnx.NewGraph()
//	model := onnx.NewModel(backend)
//	err = model.UnmarshalBinary(b)
//	err = model.SetInput(0, x) // x is a *tensor.Dense
//	err = backend.Run()
//	outs, err := model.GetOutputTensors()
//
// New followed by Load(b), before or after UnmarshalBinary, is the same in
// two steps. Options to New and NewFromBytes are onnxrun's runtime options
// (runtime.WithThreads and so on).
//
// # Why the backend needs the model's bytes
//
// onnx-go decodes the model itself and describes it to a backend through
// gonum graph calls (NewNode, AddNode, SetWeightedEdge), DataCarrier.SetTensor
// for declared values and initializers, and one ApplyOperation per node
// carrying the op type and attributes. That description lacks what a correct
// runtime needs: the model's opset_import (so Softmax-11, which flattens its
// input to 2-D at axis 1, cannot be told from Softmax-13, which normalises
// axis -1), node domains, which nodes are graph inputs and outputs (a zero
// placeholder and an initializer arrive the same way), and every type and
// attribute onnx-go cannot convert. Rebuilding a model from it would mean
// guessing. The backend therefore compiles the model's own bytes with
// onnxrun's decoder, and uses the graph onnx-go builds only to find the
// values Model.SetInput set, to hand the outputs to Model.GetOutputTensors
// (by value name), and to check, node by node (op type and output names),
// that onnx-go was given the same model. Without bytes, Run returns
// ErrNoModel.
//
// # What works
//
// Every model that onnx-go v0.5.0 can decode and onnxrun supports runs, with
// results identical to runtime.Session.Run on the same bytes: the package's
// tests check this bit for bit on the project's bundled models, on mnist-8
// and on every ONNX backend test (node, simple and PyTorch suites) that both
// accept; onnx-go's own backend test suite (its copy of ONNX's node tests,
// run by its harness) passes on the plugin except for cases its data gets
// wrong. Tensors with no elements come back like any other, but gorgonia's
// Dense.Data panics on them: check Shape first.
// Model.SetInput, Model.GetOutputTensors, Model.GetNodeByName and walking
// the gonum graph (Node, Nodes, From, To, Edge, HasEdgeFromTo) behave as with
// onnx-go's own backends: an edge goes from an operation's output to each of
// its inputs, weighted by the input's position. Model.SetInput(i, x) sets the
// i-th graph input that is not an initializer; onnx-go's own backends set the
// i-th entry of the input list instead, which differs in models (usual before
// IR version 4) that list initializers among the inputs, first. That needs
// the model before onnx-go decodes it (NewFromBytes, or Load before
// UnmarshalBinary); otherwise the backend behaves as onnx-go's own. An
// initializer listed as an input keeps its value unless its node is given
// another (Model.GetNodeByName, then DataCarrier.SetTensor).
//
// # What it cannot do
//
//   - onnx-go's own graph execution and operators (gorgonnx) are not used;
//     the operators are onnxrun's, chosen by the model's opsets. Attributes
//     onnx-go passes to ApplyOperation are ignored.
//   - Models onnx-go v0.5.0 cannot decode fail in Model.UnmarshalBinary,
//     before the backend sees them: float16 and bfloat16 values anywhere;
//     initializers and tensor attributes (Constant values) of any type but
//     bool, float32, float64, int32 and int64 (the int8 and uint8 weights of
//     quantized models, for example), empty ones, and ones stored in external
//     files; graph-valued attributes (If, Loop, Scan); attributes holding
//     lists of tensors or graphs. Use onnxrun's runtime package directly for
//     those.
//   - Inputs must be *tensor.Dense (of a type gorgonia has: no float16,
//     bfloat16 or other narrow floats). Run reports any other tensor.Tensor,
//     and any declared input that was not set (onnx-go's zero placeholders
//     do not count as inputs).
//   - Only graph outputs get values; the nodes of intermediate values keep no
//     tensor after Run.
//   - No training: onnx-go and onnxrun are inference only (training-mode
//     Dropout, for example, is rejected when the model is loaded).
//   - Weights are held twice, as onnx-go's tensors on the graph's nodes and
//     in onnxrun's plan.
//   - A Backend runs one model and is not for concurrent use, because
//     onnx-go keeps inputs and outputs on the graph's nodes; Run holds a
//     lock. Session returns the underlying runtime.Session, which is safe for
//     concurrent runs.
//
// This package is its own Go module so that onnx-go's dependencies stay out
// of the onnxrun module.
package onnxgo
