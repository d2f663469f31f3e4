package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/conformance"
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/npy"
)

// TestModelNPZ feeds both inputs of a two-input model from one .npz and
// writes the output as .npz; the result must be the model's expected
// output for those inputs (test_data_set_0, computed by models/gen from a
// float64 reference; 1e-6 absolute is a few float32 ulps of values < 1).
func TestModelNPZ(t *testing.T) {
	dir := filepath.Join(testdata, "softmax_of_sum_opset13")
	set := filepath.Join(dir, "test_data_set_0")
	a, err := conformance.ReadTensorFile(filepath.Join(set, "input_0.pb"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := conformance.ReadTensorFile(filepath.Join(set, "input_1.pb"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := conformance.ReadTensorFile(filepath.Join(set, "output_0.pb"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	in := filepath.Join(tmp, "in.npz")
	// Stored in the opposite order to the model's inputs: binding is by name.
	if err := npy.WriteNPZFile(in, []string{"b", "a"}, map[string]*operators.Value{"a": a, "b": b}, true); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out")
	code, stdout, errOut := cmd(t, filepath.Join(dir, "model.onnx"), "-input", in, "-output", out, "-format", "npz")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(stdout, in+":a") || !strings.Contains(stdout, in+":b") {
		t.Errorf("output does not say the inputs came from the archive:\n%s", stdout)
	}
	got, err := npy.ReadNPZFile(filepath.Join(out, "outputs.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Names, []string{"y"}) {
		t.Fatalf("archive holds %v, want [y]", got.Names)
	}
	g, w := got.Arrays["y"].F32(), want.F32()
	if len(g) != len(w) {
		t.Fatalf("y has %d values, want %d", len(g), len(w))
	}
	for i := range g {
		if d := g[i] - w[i]; d > 1e-6 || d < -1e-6 {
			t.Errorf("y[%d] = %v, want %v", i, g[i], w[i])
		}
	}

	// An array whose name is not an input is an error naming it.
	bad := filepath.Join(tmp, "bad.npz")
	npy.WriteNPZFile(bad, []string{"c"}, map[string]*operators.Value{"c": a}, false)
	if code, _, errOut := cmd(t, filepath.Join(dir, "model.onnx"), "-input", bad); code == 0 || !strings.Contains(errOut, `"c"`) {
		t.Errorf("unknown array: exit %d, stderr %q", code, errOut)
	}
}
