package runtime

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// sharedDir returns $ONNXRUN_TESTDATA or skips the test.
func sharedDir(t *testing.T) string {
	t.Helper()
	d := os.Getenv("ONNXRUN_TESTDATA")
	if d == "" {
		t.Skip("ONNXRUN_TESTDATA is not set (point it at the shared test data, e.g. ONNXRUN_TESTDATA=../../shared)")
	}
	return d
}

func readValue(t *testing.T, path string) (string, *operators.Value) {
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

// dataSets lists dir's test_data_set_N directories in numeric order.
func dataSets(t *testing.T, dir string) []string {
	t.Helper()
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	sort.Slice(sets, func(i, j int) bool {
		a, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(sets[i]), "test_data_set_"))
		b, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(sets[j]), "test_data_set_"))
		return a < b
	})
	return sets
}

// pbFiles lists prefix_N.pb in set in numeric order.
func pbFiles(set, prefix string) []string {
	var out []string
	for i := 0; ; i++ {
		p := filepath.Join(set, fmt.Sprintf("%s_%d.pb", prefix, i))
		if _, err := os.Stat(p); err != nil {
			return out
		}
		out = append(out, p)
	}
}

// checkDataSets runs every test_data_set of a model in the ONNX test
// layout and compares the outputs with |got-want| <= atol + rtol*|want|.
func checkDataSets(t *testing.T, s *Session, dir string, rtol, atol float64) {
	t.Helper()
	sets := dataSets(t, dir)
	if len(sets) == 0 {
		t.Fatalf("%s has no test_data_set_*", dir)
	}
	for _, set := range sets {
		ins := map[string]*operators.Value{}
		for i, p := range pbFiles(set, "input") {
			name, v := readValue(t, p)
			if name == "" && i < len(s.Inputs()) {
				name = s.Inputs()[i].Name
			}
			ins[name] = v
		}
		out, err := s.RunValues(context.Background(), ins)
		if err != nil {
			t.Fatalf("%s: %v", set, err)
		}
		for i, p := range pbFiles(set, "output") {
			name, want := readValue(t, p)
			if name == "" || out[name] == nil {
				name = s.Outputs()[i].Name
			}
			if err := closeEnough(out[name], want, rtol, atol); err != nil {
				t.Errorf("%s: output %q: %v", filepath.Base(set), name, err)
			}
		}
	}
}

func closeEnough(got, want *operators.Value, rtol, atol float64) error {
	if got == nil {
		return errors.New("missing")
	}
	if got.DType != want.DType || fmt.Sprint(got.Shape) != fmt.Sprint(want.Shape) {
		return fmt.Errorf("got %v%v, want %v%v", got.DType, got.Shape, want.DType, want.Shape)
	}
	g, w := toF64(got), toF64(want)
	if g == nil {
		if string(got.Raw) != string(want.Raw) || fmt.Sprint(got.Strs) != fmt.Sprint(want.Strs) {
			return errors.New("values differ")
		}
		return nil
	}
	for i := range w {
		if math.IsNaN(w[i]) && math.IsNaN(g[i]) || g[i] == w[i] {
			continue
		}
		if d := math.Abs(g[i] - w[i]); !(d <= atol+rtol*math.Abs(w[i])) {
			return fmt.Errorf("element %d is %v, want %v (|diff| %.3g)", i, g[i], w[i], d)
		}
	}
	return nil
}

func toF64(v *operators.Value) []float64 {
	var out []float64
	switch v.DType {
	case operators.Float32:
		for _, x := range v.F32() {
			out = append(out, float64(x))
		}
	case operators.Float64:
		out = append(out, v.F64()...)
	case operators.Int64:
		for _, x := range v.I64() {
			out = append(out, float64(x))
		}
	case operators.Int32:
		for _, x := range v.I32() {
			out = append(out, float64(x))
		}
	default:
		return nil
	}
	return out
}

// TestProjectFixtures runs the project's own small models in
// models/testdata. Their expected outputs come from a float64 reference;
// rtol 1e-4 / atol 1e-6 allows the float32 rounding of a softmax over a
// few dozen logits (errors of a few ulp) with a wide margin.
func TestProjectFixtures(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("..", "models", "testdata", "*", "model.onnx"))
	if len(dirs) == 0 {
		t.Skip("no fixtures in models/testdata")
	}
	for _, m := range dirs {
		dir := filepath.Dir(m)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			s, err := Load(m)
			var ue *UnsupportedError
			if errors.As(err, &ue) {
				t.Skipf("not all operators exist yet: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			checkDataSets(t, s, dir, 1e-4, 1e-6)
			sameWithoutOptimizations(t, s, m, dir)
		})
	}
}

// sameWithoutOptimizations runs the first data set again on a plan without
// folding or pruning: the same kernels on the same values must give the
// same bits.
func sameWithoutOptimizations(t *testing.T, s *Session, path, dir string) {
	t.Helper()
	plain, err := Load(path, WithoutOptimizations())
	if err != nil {
		t.Fatalf("without optimisations: %v", err)
	}
	sets := dataSets(t, dir)
	if len(sets) == 0 {
		return
	}
	in := map[string]*operators.Value{}
	for i, p := range pbFiles(sets[0], "input") {
		n, v := readValue(t, p)
		if n == "" {
			n = s.Inputs()[i].Name
		}
		in[n] = v
	}
	a, err := s.RunValues(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := plain.RunValues(context.Background(), in)
	if err != nil {
		t.Fatalf("without optimisations: %v", err)
	}
	for k, v := range a {
		if b[k] == nil || string(b[k].Raw) != string(v.Raw) || fmt.Sprint(b[k].Shape) != fmt.Sprint(v.Shape) {
			t.Errorf("output %q differs without optimisations", k)
		}
	}
	t.Logf("%d steps (%d folded) vs %d without optimisations", len(s.Plan().Steps()), len(s.Plan().Folded()), len(plain.Plan().Steps()))
}

// TestMNIST loads the ONNX Model Zoo's mnist-8 (opset 8). While operators
// it needs are missing the load must fail with an UnsupportedError that
// lists every one of them; once they all exist the model must reproduce
// its three fixtures (logits up to ~1e3 in magnitude: atol 1e-3 and rtol
// 1e-4 cover float32 accumulation-order differences across 800-term dot
// products).
func TestMNIST(t *testing.T) {
	path := filepath.Join(sharedDir(t), "models", "mnist-8", "model.onnx")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnxpb.DecodeModel(b, onnxpb.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// Which operators does the registry lack for this model right now?
	opset := 0
	for _, o := range m.OpsetImport {
		if canonDomain(o.Domain) == "" {
			opset = int(o.Version)
		}
	}
	missing := map[string][]string{}
	for _, n := range m.Graph.Nodes {
		if _, ok := operators.Lookup(n.Domain, n.OpType, opset); !ok {
			missing[n.OpType] = append(missing[n.OpType], n.Name)
		}
	}
	s, err := Load(path)
	if len(missing) == 0 {
		if err != nil {
			t.Fatalf("every operator is registered but the load failed: %v", err)
		}
		checkDataSets(t, s, filepath.Dir(path), 1e-4, 1e-3)
		return
	}
	var ue *UnsupportedError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want an *UnsupportedError listing %v", err, missing)
	}
	t.Logf("as expected for now: %v", err)
	got := map[string][]string{}
	for _, u := range ue.Ops {
		if u.Opset != opset || u.Domain != "" {
			t.Errorf("%s reported at opset %d domain %q, want opset %d", u.OpType, u.Opset, u.Domain, opset)
		}
		got[u.OpType] = u.Nodes
	}
	if fmt.Sprint(got) != fmt.Sprint(missing) {
		t.Errorf("reported %v\nwant %v", got, missing)
	}
}

// TestSharedModels runs the exported classifiers in $ONNXRUN_TESTDATA/models
// whose operators all exist, with the absolute tolerance MANIFEST.tsv
// gives each (relative 1e-3, ONNX's default).
func TestSharedModels(t *testing.T) {
	root := filepath.Join(sharedDir(t), "models")
	b, err := os.ReadFile(filepath.Join(root, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	head := strings.Split(lines[0], "\t")
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		name := f[col["name"]]
		tol, _ := strconv.ParseFloat(f[col["tol_abs"]], 64)
		size, _ := strconv.ParseInt(f[col["size_bytes"]], 10, 64)
		t.Run(name, func(t *testing.T) {
			if testing.Short() && size > 1<<20 {
				t.Skip("large model skipped in -short mode")
			}
			dir := filepath.Join(root, name)
			s, err := Load(filepath.Join(dir, "model.onnx"))
			var ue *UnsupportedError
			if errors.As(err, &ue) {
				t.Skipf("not all operators exist yet: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			checkDataSets(t, s, dir, 1e-3, tol)
			sameWithoutOptimizations(t, s, filepath.Join(dir, "model.onnx"), dir)
		})
	}
}

// TestConcurrentSharedModels runs small shared models (Conv, Gemm,
// Transpose, Softmax) from eight goroutines at once and checks every
// output bit for bit against a run made alone: operators that cache
// shape-derived state must keep concurrent runs apart. Worth running with
// -race.
func TestConcurrentSharedModels(t *testing.T) {
	root := filepath.Join(sharedDir(t), "models")
	for _, name := range []string{"mlp_mnist_logsoftmax", "cnn_softmax_channels_opset11", "cnn_softmax_channels_opset13"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(root, name)
			s, err := Load(filepath.Join(dir, "model.onnx"), WithThreads(2))
			var ue *UnsupportedError
			if errors.As(err, &ue) {
				t.Skipf("not all operators exist yet: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			type job struct {
				in   map[string]*operators.Value
				want map[string]*operators.Value
			}
			var jobs []job
			for _, set := range dataSets(t, dir) {
				in := map[string]*operators.Value{}
				for i, p := range pbFiles(set, "input") {
					n, v := readValue(t, p)
					if n == "" {
						n = s.Inputs()[i].Name
					}
					in[n] = v
				}
				want, err := s.RunValues(context.Background(), in)
				if err != nil {
					t.Fatal(err)
				}
				jobs = append(jobs, job{in, want})
			}
			runs := 20
			if testing.Short() {
				runs = 5
			}
			errs := make(chan error, 8)
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					for r := range runs {
						j := jobs[(g+r)%len(jobs)]
						got, err := s.RunValues(context.Background(), j.in)
						if err != nil {
							errs <- err
							return
						}
						for k, w := range j.want {
							if string(got[k].Raw) != string(w.Raw) {
								errs <- fmt.Errorf("goroutine %d run %d: output %q differs from a run made alone", g, r, k)
								return
							}
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
		})
	}
}
