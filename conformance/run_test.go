package conformance

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime"
)

func TestLightInputs(t *testing.T) {
	feeds, err := lightInputs([]runtime.ValueInfo{{Name: "x", DType: operators.Float32, Shape: []int{-1, 3}, HasShape: true}})
	if err != nil {
		t.Fatal(err)
	}
	v := feeds["x"]
	if !slices.Equal(v.Shape, []int{1, 3}) {
		t.Fatalf("shape %v, want [1 3] (unknown dimension taken as 1)", v.Shape)
	}
	// arange(3)/3 in float32.
	if want := []float32{0, float32(1) / 3, float32(2) / 3}; !slices.Equal(v.F32(), want) {
		t.Errorf("values %v, want %v", v.F32(), want)
	}
	if _, err := lightInputs([]runtime.ValueInfo{{Name: "i", DType: operators.Int64, Shape: []int{2}, HasShape: true}}); err == nil {
		t.Error("an int64 light input was accepted")
	}
}

func TestRunOwnModel(t *testing.T) {
	dir := filepath.Join("..", "models", "testdata", "softmax_classifier_opset11")
	tests, err := Discover(filepath.Join(dir, "model.onnx"))
	if err != nil || len(tests) != 1 {
		t.Fatalf("Discover(model file) = %v, %v; want one test", tests, err)
	}
	r := tests[0].Run(Options{})
	if r.Status != Pass || r.Sets != 2 {
		t.Fatalf("%s (sets run: %d), want PASS over 2 sets", r.Line(), r.Sets)
	}
	if !slices.Equal(r.Ops, []string{"Add", "Mul", "Softmax"}) {
		t.Errorf("ops %v, want [Add Mul Softmax]", r.Ops)
	}
	// A tolerance of zero cannot hold for float32 softmax against a float64
	// reference: the result must fail and say where.
	zero := 0.0
	r = tests[0].Run(Options{RTol: &zero, ATol: &zero})
	if r.Status != Fail || r.Mismatch == nil || r.Mismatch.Output != "probabilities" || len(r.Mismatch.MultiIndex) != 4 {
		t.Errorf("with zero tolerance: %s", r.Line())
	}
}

func TestRunAllOrder(t *testing.T) {
	tests, err := Discover(filepath.Join("..", "models", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	RunAll(tests, Options{Threads: 1}, 3, func(r *Result) { got = append(got, r.Test.Name) })
	var want []string
	for _, tt := range tests {
		want = append(want, tt.Name)
	}
	if !slices.Equal(got, want) || !slices.IsSorted(got) {
		t.Errorf("results in order %v, want %v (sorted)", got, want)
	}
}

func TestRunNoExpectedOutputs(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "models", "testdata", "softmax_axis1_opset13")
	for _, f := range []string{"model.onnx", "test_data_set_0/input_0.pb"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "t", f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests, err := Discover(dir)
	if err != nil || len(tests) != 1 {
		t.Fatalf("Discover: %v, %v", tests, err)
	}
	if r := tests[0].Run(Options{}); r.Status != Error {
		t.Errorf("a test with nothing to compare: %s, want an error", r.Line())
	}
}
