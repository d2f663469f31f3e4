package runtime

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"

	"github.com/onnxrun/onnxrun/operators"
)

// sharedClassifiers are the exported classifiers of $ONNXRUN_TESTDATA/models
// whose steady-state allocations TestModelAllocs pins.
var sharedClassifiers = []string{"mnist-8", "mobilenet_v2", "resnet18", "shufflenet_v2_x0_5", "squeezenet1_1"}

// allocAllowance is what a steady-state run may allocate beyond its
// returned outputs. With one thread: nothing (half an allocation of slack
// for a sync.Pool the garbage collector empties). With two: the closure
// that an operator splitting its work through RunContext.Parallel (rather
// than ParallelRange with a reused Ranger) builds per split call; the
// poolings of the shared classifiers still make one or two per run, so 4.
func allocAllowance(threads int) float64 {
	if threads > 1 {
		return 4
	}
	return 0.5
}

// TestModelAllocs pins the allocations of a steady-state run of the
// bundled models (and, with ONNXRUN_TESTDATA, the shared classifiers) on
// one and two threads: RunValuesInto and RunInto with outputs bound by the
// caller allocate nothing, RunValues only the result map and, per output,
// its Value and buffer, and Run the map and gorgonia's tensor per output.
// Each is allowed allocAllowance more.
func TestModelAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops states at random under the race detector")
	}
	if testing.Short() {
		t.Skip("runs every model many times")
	}
	dirs, _ := filepath.Glob(filepath.Join("..", "models", "testdata", "*", "model.onnx"))
	if d := os.Getenv("ONNXRUN_TESTDATA"); d != "" {
		for _, name := range sharedClassifiers {
			dirs = append(dirs, filepath.Join(d, "models", name, "model.onnx"))
		}
	}
	if len(dirs) == 0 {
		t.Skip("no models in models/testdata")
	}
	for _, path := range dirs {
		dir := filepath.Dir(path)
		for _, th := range []int{1, 2} {
			t.Run(filepath.Base(dir)+"/t"+string(rune('0'+th)), func(t *testing.T) {
				s, err := Load(path, WithThreads(th))
				var ue *UnsupportedError
				if errors.As(err, &ue) {
					t.Skipf("not all operators exist yet: %v", err)
				}
				if err != nil {
					t.Fatal(err)
				}
				checkModelAllocs(t, s, dir, th)
			})
		}
	}
}

func checkModelAllocs(t *testing.T, s *Session, dir string, threads int) {
	sets := dataSets(t, dir)
	if len(sets) == 0 {
		t.Skip("no test data set")
	}
	in := map[string]*operators.Value{}
	for i, p := range pbFiles(sets[0], "input") {
		name, v := readValue(t, p)
		if name == "" {
			name = s.inputs[i].Name
		}
		in[name] = v
	}
	ctx := context.Background()
	first, err := s.RunValues(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	dense := map[string]*tensor.Dense{}
	for k, v := range in {
		if dense[k], err = ValueToDense(v); err != nil {
			t.Skipf("input %q: %v", k, err)
		}
	}
	outs := map[string]*operators.Value{}
	denseOuts := map[string]*tensor.Dense{}
	for k, v := range first {
		outs[k] = v
		if denseOuts[k], err = ValueToDense(v); err != nil {
			t.Skipf("output %q: %v", k, err)
		}
	}
	const runs = 10
	allow := allocAllowance(threads)
	nout := float64(len(first))
	measure := func(api string, want float64, run func() error) {
		t.Helper()
		for range 2 { // fill the pools for this entry point
			if err := run(); err != nil {
				t.Fatalf("%s: %v", api, err)
			}
		}
		got := testing.AllocsPerRun(runs, func() {
			if err := run(); err != nil {
				t.Fatalf("%s: %v", api, err)
			}
		})
		t.Logf("%s: %.1f allocations per run (the outputs need %v)", api, got, want)
		if got > want+allow {
			t.Errorf("%s: %.1f allocations per run, want at most %v + %v", api, got, want, allow)
		}
	}
	measure("RunValuesInto", 0, func() error { return s.RunValuesInto(ctx, in, outs) })
	measure("RunInto", 0, func() error { return s.RunInto(ctx, dense, denseOuts) })
	// The map (2 allocations with its buckets) and per output a Value with
	// its shape and the buffer.
	measure("RunValues", 2+2*nout, func() error { _, err := s.RunValues(ctx, in); return err })
	// The map, and per output the buffer, the Value it is wrapped from and
	// gorgonia's tensor (which allocates 7 times to build one).
	measure("Run", 2+9*nout, func() error { _, err := s.Run(ctx, dense); return err })
}
