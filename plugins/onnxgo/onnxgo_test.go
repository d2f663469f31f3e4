package onnxgo_test

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"

	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// checkModel runs every data set of the model folder dir through onnx-go's
// API and through onnxrun directly. The two must agree exactly: the plugin
// hands onnxrun the same bytes and inputs, so any difference would be the
// plugin's. Both are also compared with the data set's expected outputs at
// ONNX's backend-test tolerance (rtol 1e-3, atol 1e-7) widened to atol 1e-5,
// because mnist-8's expected outputs come from another runtime and its
// logits reach ~1e3 (float32 summation order moves them by ~1e-4).
func checkModel(t *testing.T, dir string) {
	b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	if len(sets) == 0 {
		t.Fatalf("%s has no test_data_set_N", dir)
	}
	for _, set := range sets {
		t.Run(filepath.Base(set), func(t *testing.T) {
			ins, want := dataSet(t, set)
			got := viaOnnxGo(t, b, ins)
			ref := direct(t, b, ins)
			if len(got) != len(ref) || len(got) != len(want) {
				t.Fatalf("got %d outputs, onnxrun gives %d, expected %d", len(got), len(ref), len(want))
			}
			for k := range got {
				d, ok := got[k].(*tensor.Dense)
				if !ok {
					t.Fatalf("output %d is a %T, want *tensor.Dense", k, got[k])
				}
				if !d.Shape().Eq(ref[k].Shape()) || !d.Shape().Eq(want[k].Shape()) {
					t.Fatalf("output %d: shape %v, onnxrun gives %v, expected %v", k, d.Shape(), ref[k].Shape(), want[k].Shape())
				}
				g, r, w := float64s(t, d), float64s(t, ref[k]), float64s(t, want[k])
				for i := range g {
					if g[i] != r[i] && !(math.IsNaN(g[i]) && math.IsNaN(r[i])) {
						t.Fatalf("output %d[%d] = %v through onnx-go, %v through onnxrun directly", k, i, g[i], r[i])
					}
					if diff := math.Abs(g[i] - w[i]); diff > 1e-5+1e-3*math.Abs(w[i]) || math.IsNaN(g[i]) != math.IsNaN(w[i]) {
						t.Fatalf("output %d[%d] = %v, expected %v", k, i, g[i], w[i])
					}
				}
			}
		})
	}
}

// TestBundledModels runs the project's generated models, which need no
// external data.
func TestBundledModels(t *testing.T) {
	models, err := filepath.Glob(filepath.Join(bundled, "*", "model.onnx"))
	if err != nil || len(models) == 0 {
		t.Fatalf("no bundled models under %s: %v", bundled, err)
	}
	for _, m := range models {
		dir := filepath.Dir(m)
		t.Run(filepath.Base(dir), func(t *testing.T) { checkModel(t, dir) })
	}
}

// TestMNIST8 runs the ONNX model zoo's mnist-8 on its three data sets.
func TestMNIST8(t *testing.T) {
	root := os.Getenv("ONNXRUN_TESTDATA")
	if root == "" {
		t.Skip("ONNXRUN_TESTDATA is not set: set it to the shared test data folder to run mnist-8 through onnx-go")
	}
	dir := filepath.Join(root, "models", "mnist-8")
	if _, err := os.Stat(filepath.Join(dir, "model.onnx")); err != nil {
		t.Fatalf("ONNXRUN_TESTDATA is set but mnist-8 is missing: %v", err)
	}
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	if len(sets) != 3 {
		t.Fatalf("mnist-8 has %d data sets, want 3", len(sets))
	}
	checkModel(t, dir)
}

// softmaxRef is a float64 softmax of x viewed as [outer, n, inner],
// normalising the middle extent.
func softmaxRef(x []float64, outer, n, inner int) []float64 {
	y := make([]float64, len(x))
	for o := range outer {
		for in := range inner {
			at := func(j int) int { return (o*n+j)*inner + in }
			m := math.Inf(-1)
			for j := range n {
				m = math.Max(m, x[at(j)])
			}
			var s float64
			for j := range n {
				s += math.Exp(x[at(j)] - m)
			}
			for j := range n {
				y[at(j)] = math.Exp(x[at(j)]-m) / s
			}
		}
	}
	return y
}

// TestSoftmaxOpsets runs the bundled opset-11 classifier, whose rank-4
// Softmax uses the default axis 1, and its twin that differs only in
// importing opset 13. onnx-go describes both identically to a backend; the
// plugin must still compute Softmax-11 (the [1,2,3,4] logits coerced to
// [1,24]: one distribution) for one and Softmax-13 (whose default axis is
// -1: six distributions of 4 values) for the other. The reference is computed in float64 from the model's own
// weights; the tolerance of 1e-6 covers float32 rounding of probabilities
// at most 1 (a float32 ulp at 1 is 6e-8, and the logits themselves are
// float32).
func TestSoftmaxOpsets(t *testing.T) {
	dir := filepath.Join(bundled, "softmax_classifier_opset11")
	b11, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnxpb.DecodeModel(b11, onnxpb.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for i := range m.OpsetImport {
		if m.OpsetImport[i].Domain == "" || m.OpsetImport[i].Domain == "ai.onnx" {
			if m.OpsetImport[i].Version != 11 {
				t.Fatalf("the bundled model imports opset %d, want 11", m.OpsetImport[i].Version)
			}
			m.OpsetImport[i].Version = 13
			found = true
		}
	}
	if !found {
		t.Fatal("the bundled model has no opset_import for the default domain")
	}
	b13 := onnxpb.EncodeModel(m)

	// The logits x*w+b from the model's initializers, in float64.
	var w, bias []float64
	for _, init := range m.Graph.Initializers {
		v, err := onnxpb.TensorToValue(init, "", onnxpb.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		f := make([]float64, len(v.F32()))
		for i, e := range v.F32() {
			f[i] = float64(e)
		}
		switch init.Name {
		case "w":
			w = f
		case "b":
			bias = f
		}
	}
	if len(w) != 24 || len(bias) != 24 {
		t.Fatalf("initializers w and b have %d and %d elements, want 24", len(w), len(bias))
	}
	ins, _ := dataSet(t, filepath.Join(dir, "test_data_set_0"))
	x := float64s(t, ins[0])
	logits := make([]float64, 24)
	for i := range logits {
		logits[i] = float64(float32(float32(x[i])*float32(w[i]))) + bias[i]
	}
	want11 := softmaxRef(logits, 1, 24, 1)
	want13 := softmaxRef(logits, 6, 4, 1)

	got11 := float64s(t, viaOnnxGo(t, b11, ins)[0])
	got13 := float64s(t, viaOnnxGo(t, b13, ins)[0])
	const tol = 1e-6
	maxDiff := 0.0
	for i := range want11 {
		if math.Abs(got11[i]-want11[i]) > tol {
			t.Errorf("opset 11: y[%d] = %v, want %v", i, got11[i], want11[i])
		}
		if math.Abs(got13[i]-want13[i]) > tol {
			t.Errorf("opset 13: y[%d] = %v, want %v", i, got13[i], want13[i])
		}
		maxDiff = math.Max(maxDiff, math.Abs(got11[i]-got13[i]))
	}
	// Softmax-11 spreads one distribution over 24 values, Softmax-13 six
	// over 4 each, so the results must differ by far more than rounding.
	if maxDiff < 0.1 {
		t.Errorf("opset 11 and 13 results differ by at most %v; the opset was not honoured", maxDiff)
	}
	var s11, s13 float64
	for i := range got11 {
		s11 += got11[i]
		s13 += got13[i]
	}
	if math.Abs(s11-1) > 1e-5 || math.Abs(s13-6) > 1e-5 {
		t.Errorf("probabilities sum to %v (opset 11, want 1) and %v (opset 13, want 6)", s11, s13)
	}
}

// TestSharedModels runs small exported models of the shared test data,
// among them a channel Softmax exported at opset 11 (through Transpose) and
// at opset 13 (on axis 1 directly).
func TestSharedModels(t *testing.T) {
	root := os.Getenv("ONNXRUN_TESTDATA")
	if root == "" {
		t.Skip("ONNXRUN_TESTDATA is not set: set it to the shared test data folder to run its exported models through onnx-go")
	}
	for _, name := range []string{"cnn_softmax_channels_opset11", "cnn_softmax_channels_opset13", "mlp_mnist_logsoftmax"} {
		t.Run(name, func(t *testing.T) { checkModel(t, filepath.Join(root, "models", name)) })
	}
}
