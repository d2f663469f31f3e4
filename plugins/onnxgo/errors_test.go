package onnxgo_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	onnx "github.com/owulveryck/onnx-go"
	"gonum.org/v1/gonum/graph"
	"gorgonia.org/tensor"

	"github.com/onnxrun/onnxrun/plugins/onnxgo"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

func readModel(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(bundled, name, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantErr(t *testing.T, err error, substr string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", substr)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Fatalf("error %q does not contain %q", err, substr)
	}
}

// TestNewWithoutModel: a backend made by New runs only once it has the
// model's bytes; Load may come after onnx-go's decoding.
func TestNewWithoutModel(t *testing.T) {
	b := readModel(t, "softmax_axis1_opset13")
	backend := onnxgo.New()
	model := onnx.NewModel(backend)
	if err := model.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(2, 3, 4), tensor.WithBacking(make([]float32, 24)))
	if err := model.SetInput(0, x); err != nil {
		t.Fatal(err)
	}
	if err := backend.Run(); !errors.Is(err, onnxgo.ErrNoModel) {
		t.Fatalf("Run without a model: got %v, want ErrNoModel", err)
	}
	if err := backend.Load(b); err != nil {
		t.Fatal(err)
	}
	if err := backend.Run(); err != nil {
		t.Fatal(err)
	}
	outs, err := model.GetOutputTensors()
	if err != nil {
		t.Fatal(err)
	}
	// Zero logits: each distribution over axis 1 (3 values) is uniform.
	for i, v := range outs[0].Data().([]float32) {
		if d := v - 1.0/3; d > 1e-7 || d < -1e-7 {
			t.Fatalf("y[%d] = %v, want 1/3", i, v)
		}
	}
	wantErr(t, backend.Load(b), "already has a model")
}

// TestDifferentModels: onnx-go must decode the model the backend was given.
func TestDifferentModels(t *testing.T) {
	backend, err := onnxgo.NewFromBytes(readModel(t, "softmax_axis1_opset13"))
	if err != nil {
		t.Fatal(err)
	}
	model := onnx.NewModel(backend)
	wantErr(t, model.UnmarshalBinary(readModel(t, "tiny_cnn_opset13")), "different models")

	// Loaded after decoding, the check happens in Load.
	backend = onnxgo.New()
	model = onnx.NewModel(backend)
	if err := model.UnmarshalBinary(readModel(t, "tiny_cnn_opset13")); err != nil {
		t.Fatal(err)
	}
	wantErr(t, backend.Load(readModel(t, "softmax_axis1_opset13")), "different models")
}

// wrapped is a tensor.Tensor that is not a *tensor.Dense.
type wrapped struct{ *tensor.Dense }

func TestInputErrors(t *testing.T) {
	b := readModel(t, "softmax_axis1_opset13")
	backend, err := onnxgo.NewFromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, backend.Run(), "UnmarshalBinary first")
	model := onnx.NewModel(backend)
	if err := model.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	// onnx-go's zero placeholder for x does not count as an input.
	wantErr(t, backend.Run(), `input "x" is not set: call Model.SetInput(0, x)`)

	x := tensor.New(tensor.WithShape(2, 3, 4), tensor.WithBacking(make([]float32, 24)))
	if err := model.SetInput(0, wrapped{x}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, backend.Run(), "takes *tensor.Dense")

	bad := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float32, 6)))
	if err := model.SetInput(0, bad); err != nil {
		t.Fatal(err)
	}
	wantErr(t, backend.Run(), `"x"`)

	if err := model.SetInput(0, nil); err == nil {
		t.Fatal("SetInput(0, nil) succeeded")
	}
	if _, err := onnxgo.NewFromBytes([]byte{0xff, 0xff}); err == nil {
		t.Fatal("NewFromBytes accepted bytes that are not a model")
	}
}

// TestRerun: the same backend and model run again on new inputs, as onnx-go
// programs do in a loop.
func TestRerun(t *testing.T) {
	b := readModel(t, "softmax_axis1_opset13")
	backend, err := onnxgo.NewFromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	model := onnx.NewModel(backend)
	if err := model.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	var first float32
	for run, big := range []float32{0, 10} {
		xs := make([]float32, 24)
		xs[0] = big // x[0,0,0] against x[0,1,0] and x[0,2,0], which are 0
		if err := model.SetInput(0, tensor.New(tensor.WithShape(2, 3, 4), tensor.WithBacking(xs))); err != nil {
			t.Fatal(err)
		}
		if err := backend.Run(); err != nil {
			t.Fatal(err)
		}
		outs, err := model.GetOutputTensors()
		if err != nil {
			t.Fatal(err)
		}
		y := outs[0].Data().([]float32)[0]
		if run == 0 {
			first = y
			continue
		}
		// e^10 / (e^10 + 2) ≈ 0.99991; the first run gave 1/3.
		if first > 0.34 || y < 0.9999 {
			t.Fatalf("y[0] = %v then %v, want 1/3 then ~0.99991", first, y)
		}
	}
}

// TestGraph: the graph onnx-go builds is kept, so code that walks it keeps
// working. softmax_classifier_opset11 is x*w+b -> Softmax.
func TestGraph(t *testing.T) {
	b := readModel(t, "softmax_classifier_opset11")
	backend, err := onnxgo.NewFromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	model := onnx.NewModel(backend)
	if err := model.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if n, ok := backend.Node(0).(onnx.Namer); !ok || n.GetName() != "x" {
		t.Fatalf("node 0 is %v, want the graph input x", backend.Node(0))
	}
	byName := map[string]graph.Node{}
	for it := backend.Nodes(); it.Next(); {
		n := it.Node()
		byName[n.(onnx.Namer).GetName()] = n
	}
	for _, name := range []string{"x", "w", "b", "xw", "logits", "probabilities"} {
		if byName[name] == nil {
			t.Fatalf("no node for %q", name)
		}
	}
	xw := byName["xw"].ID()
	for i, in := range []string{"x", "w"} {
		e, ok := backend.Edge(xw, byName[in].ID()).(graph.WeightedEdge)
		if !ok || e.Weight() != float64(i) {
			t.Fatalf("edge xw -> %s is %v, want weight %d", in, e, i)
		}
		if !backend.HasEdgeBetween(byName[in].ID(), xw) {
			t.Fatalf("HasEdgeBetween(%s, xw) is false", in)
		}
	}
	if got := backend.From(xw).Len(); got != 2 {
		t.Fatalf("xw reads %d values, want 2", got)
	}
	if got := backend.To(byName["logits"].ID()).Len(); got != 1 {
		t.Fatalf("logits is read by %d values, want 1", got)
	}
	if backend.Edge(byName["x"].ID(), xw) != nil {
		t.Fatal("an edge goes from x to xw; edges go from an output to its inputs")
	}
}

// TestInitializerInput: in models that list initializers among the graph
// inputs (usual before IR version 4), Model.SetInput(i, x) sets the i-th
// input that is not an initializer, even when an initializer comes first in
// the list; an initializer keeps its value unless its node is given another.
func TestInitializerInput(t *testing.T) {
	m, err := onnxpb.DecodeModel(readModel(t, "softmax_classifier_opset11"), onnxpb.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	// List the initializer w before x.
	c := *m.Graph.Inputs[0]
	if c.Name != "x" {
		t.Fatalf("the bundled model's first input is %q, want x", c.Name)
	}
	c.Name = "w"
	m.Graph.Inputs = append([]*onnxpb.ValueInfo{&c}, m.Graph.Inputs...)
	b := onnxpb.EncodeModel(m)

	backend, err := onnxgo.NewFromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	model := onnx.NewModel(backend)
	if err := model.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	run := func(x []float32) []float32 {
		t.Helper()
		if err := model.SetInput(0, tensor.New(tensor.WithShape(1, 2, 3, 4), tensor.WithBacking(x))); err != nil {
			t.Fatal(err)
		}
		if err := backend.Run(); err != nil {
			t.Fatal(err)
		}
		outs, err := model.GetOutputTensors()
		if err != nil {
			t.Fatal(err)
		}
		return append([]float32(nil), outs[0].Data().([]float32)...)
	}
	// With x zero, x*w is zero whatever w is: the output is Softmax(b).
	softmaxB := run(make([]float32, 24))
	ones := make([]float32, 24)
	for i := range ones {
		ones[i] = 1
	}
	// With x one and the default w, it is Softmax(w+b), which differs.
	if y := run(ones); slices.Equal(y, softmaxB) {
		t.Fatal("x = 1 gives the same output as x = 0: SetInput(0, x) did not set x")
	}
	// With w overridden by zeros it is Softmax(b) again.
	wn, ok := model.GetNodeByName("w")
	if !ok {
		t.Fatal("no node for w")
	}
	if err := wn.(onnx.DataCarrier).SetTensor(tensor.New(tensor.WithShape(1, 2, 3, 4), tensor.WithBacking(make([]float32, 24)))); err != nil {
		t.Fatal(err)
	}
	if y := run(ones); !slices.Equal(y, softmaxB) {
		t.Fatalf("with w set to zeros, y = %v, want Softmax(b) = %v", y, softmaxB)
	}
}
