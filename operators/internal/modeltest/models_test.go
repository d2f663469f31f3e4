package modeltest

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	_ "github.com/onnxrun/onnxrun/operators/all"
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

func readTensor(t *testing.T, path string) (string, *operators.Value) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tp, err := onnxpb.DecodeTensor(b, onnxpb.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	v, err := onnxpb.TensorToValue(tp, filepath.Dir(path), onnxpb.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return tp.Name, v
}

// runModel runs every test_data_set_N of dir and compares each output
// with rtol and atol.
func runModel(t *testing.T, dir string, rtol, atol float64, threads int) {
	s, err := runtime.Load(filepath.Join(dir, "model.onnx"), runtime.WithThreads(threads))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	sort.Strings(sets)
	if len(sets) == 0 {
		t.Fatalf("%s has no test_data_set_*", dir)
	}
	ins, outs := s.Inputs(), s.Outputs()
	for _, set := range sets {
		t.Run(filepath.Base(set), func(t *testing.T) {
			inputs := map[string]*operators.Value{}
			for i, vi := range ins {
				p := filepath.Join(set, fmt.Sprintf("input_%d.pb", i))
				if _, err := os.Stat(p); err != nil {
					break
				}
				_, v := readTensor(t, p)
				inputs[vi.Name] = v
			}
			got, err := s.RunValues(context.Background(), inputs)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			for i, vo := range outs {
				p := filepath.Join(set, fmt.Sprintf("output_%d.pb", i))
				if _, err := os.Stat(p); err != nil {
					break
				}
				_, want := readTensor(t, p)
				g := got[vo.Name]
				if g == nil {
					t.Fatalf("no output %q", vo.Name)
				}
				if fmt.Sprint(g.Shape) != fmt.Sprint(want.Shape) {
					t.Fatalf("output %q shape %v, want %v", vo.Name, g.Shape, want.Shape)
				}
				gf, wf := g.F32(), want.F32()
				worst, worstI := 0.0, -1
				for j := range wf {
					d := math.Abs(float64(gf[j]) - float64(wf[j]))
					lim := atol + rtol*math.Abs(float64(wf[j]))
					if !(d <= lim) && (worstI < 0 || d > worst) {
						worst, worstI = d, j
					}
				}
				if worstI >= 0 {
					t.Errorf("output %q: [%d] = %g, want %g (|diff| %g > atol %g + rtol %g*|want|)", vo.Name, worstI, gf[worstI], wf[worstI], worst, atol, rtol)
				}
			}
		})
	}
}

func testdata(t *testing.T) string {
	d := os.Getenv("ONNXRUN_TESTDATA")
	if d == "" {
		t.Skip("ONNXRUN_TESTDATA is not set; point it at the shared test data folder to run model tests")
	}
	return d
}

// TestMNIST8 runs the ONNX model zoo's mnist-8 (Conv, Add, Relu, MaxPool,
// Reshape, MatMul). rtol 1e-3 / atol 1e-5 are the ONNX backend-test
// tolerances loosened for float32 logits of magnitude ~10.
func TestMNIST8(t *testing.T) {
	dir := filepath.Join(testdata(t), "models", "mnist-8")
	for _, threads := range []int{1, 2} {
		t.Run(fmt.Sprint("threads", threads), func(t *testing.T) {
			runModel(t, dir, 1e-3, 1e-5, threads)
		})
	}
}

// TestTorchvision runs the classifiers listed in models/MANIFEST.tsv with
// the manifest's absolute tolerance (tol_abs, chosen against ONNX Runtime)
// and rtol 1e-3. Set ONNXRUN_MODELS to a comma-separated subset to run
// fewer; these are heavy on a small machine.
func TestTorchvision(t *testing.T) {
	root := filepath.Join(testdata(t), "models")
	b, err := os.ReadFile(filepath.Join(root, "MANIFEST.tsv"))
	if err != nil {
		t.Skipf("no manifest: %v", err)
	}
	only := map[string]bool{}
	if s := os.Getenv("ONNXRUN_MODELS"); s != "" {
		for _, m := range strings.Split(s, ",") {
			only[m] = true
		}
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	hdr := strings.Split(lines[0], "\t")
	col := map[string]int{}
	for i, h := range hdr {
		col[h] = i
	}
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		name := f[col["name"]]
		if len(only) > 0 && !only[name] {
			continue
		}
		var atol float64
		fmt.Sscan(f[col["tol_abs"]], &atol)
		t.Run(name, func(t *testing.T) {
			runModel(t, filepath.Join(root, name), 1e-3, atol, 2)
		})
	}
}
