package holdout

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	_ "github.com/onnxrun/onnxrun/operators/all"
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// family is one architecture; build lays out its graph at the builder's
// opset.
type family struct {
	name   string
	opsets []int64
	build  func(b *builder)
}

// Tolerance against ONNX Runtime: |ours - ort| <= atol + rtol*|ort|. The
// models are built so their outputs have magnitude about 1; float32 kernels
// that sum in another order (blocked GEMM, fused multiply-add, polynomial
// exp/erf) differ by a few ulps per operator, which after a dozen layers
// stays well under 1e-5.
const atol, rtol = 1e-5, 1e-5

func ortDir(t *testing.T) string {
	d := os.Getenv("ONNXRUN_ORT_DIR")
	if d == "" {
		t.Skip("ONNXRUN_ORT_DIR is not set; point it at a directory where ../shared/tools/ort/setup.sh has run to compare with ONNX Runtime")
	}
	if _, err := os.Stat(filepath.Join(d, "oracle.js")); err != nil {
		t.Skipf("ONNXRUN_ORT_DIR: %v", err)
	}
	return d
}

func TestHoldoutAgainstONNXRuntime(t *testing.T) {
	dir := ortDir(t)
	tmp := t.TempDir()
	for _, f := range families() {
		for _, opset := range f.opsets {
			t.Run(fmt.Sprintf("%s/opset%d", f.name, opset), func(t *testing.T) {
				b := newBuilder(f.name, opset, 0x5eed+uint64(opset))
				f.build(b)
				m := b.model()
				path := filepath.Join(tmp, fmt.Sprintf("%s_%d.onnx", f.name, opset))
				if err := os.WriteFile(path, onnxpb.EncodeModel(m), 0o644); err != nil {
					t.Fatal(err)
				}
				feeds3, err := b.feeds(3, 0xfeed)
				if err != nil {
					t.Fatal(err)
				}
				want, err := runORT(dir, path, feeds3)
				if err != nil {
					t.Fatalf("ONNX Runtime: %v", err)
				}
				feeds1 := map[string]*operators.Value{}
				for k, v := range feeds3 {
					feeds1[k] = firstItem(v)
				}
				for _, c := range []struct {
					name  string
					batch int
					opts  []runtime.Option
				}{
					{"batch3", 3, nil},
					{"batch3_noopt", 3, []runtime.Option{runtime.WithoutOptimizations()}},
					{"batch1", 1, nil},
					{"batch1_noopt", 1, []runtime.Option{runtime.WithoutOptimizations()}},
				} {
					s, err := runtime.Load(path, c.opts...)
					if err != nil {
						t.Fatalf("%s: load: %v", c.name, err)
					}
					in := feeds3
					if c.batch == 1 {
						in = feeds1
					}
					got, err := s.RunValues(context.Background(), in)
					if err != nil {
						t.Fatalf("%s: run: %v", c.name, err)
					}
					for _, o := range m.Graph.Outputs {
						w := want[o.Name]
						if c.batch == 1 {
							w = firstItem(w)
						}
						if msg := compare(got[o.Name], w); msg != "" {
							t.Errorf("%s: output %q: %s", c.name, o.Name, msg)
						} else if c.name == "batch3" {
							t.Logf("%s %v: max |ORT| %.3g, spread %.3g, between items %.3g, max |diff| %.3g", o.Name, w.Shape, maxAbs(asFloats(w)), spread(asFloats(w)), itemSpread(w), maxDiff(got[o.Name], w))
						}
					}
				}
				// Outputs written into caller-bound tensors that hold NaN
				// beforehand: an operator that accumulates into, or reads,
				// memory it assumes zeroed shows.
				bs, err := runtime.Load(path)
				if err != nil {
					t.Fatal(err)
				}
				for i, in := range []map[string]*operators.Value{feeds3, feeds1, feeds3} {
					outs := map[string]*operators.Value{}
					for _, o := range m.Graph.Outputs {
						w := want[o.Name]
						if i == 1 {
							w = firstItem(w)
						}
						v, _ := operators.NewValue(w.DType, w.Shape)
						if v.DType == operators.Float32 {
							for j := range v.F32() {
								v.F32()[j] = float32(math.NaN())
							}
						} else {
							for j := range v.Raw {
								v.Raw[j] = 0xa5
							}
						}
						outs[o.Name] = v
					}
					if err := bs.RunValuesInto(context.Background(), in, outs); err != nil {
						t.Fatalf("RunValuesInto %d: %v", i, err)
					}
					for _, o := range m.Graph.Outputs {
						w := want[o.Name]
						if i == 1 {
							w = firstItem(w)
						}
						if msg := compare(outs[o.Name], w); msg != "" {
							t.Errorf("RunValuesInto %d: output %q: %s", i, o.Name, msg)
						}
					}
				}
				// One session, one thread, run again and again with the
				// batch changing between runs and from two goroutines at
				// once: pooled buffers and per-run state must not carry a
				// shape or a value from one run into another.
				s, err := runtime.Load(path, runtime.WithThreads(1))
				if err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				errs := make(chan string, 16)
				for g := range 2 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := range 4 {
							in, b1 := feeds3, (i+g)%2 == 1
							if b1 {
								in = feeds1
							}
							got, err := s.RunValues(context.Background(), in)
							if err != nil {
								errs <- fmt.Sprintf("reused session, run %d: %v", i, err)
								return
							}
							for _, o := range m.Graph.Outputs {
								w := want[o.Name]
								if b1 {
									w = firstItem(w)
								}
								if msg := compare(got[o.Name], w); msg != "" {
									errs <- fmt.Sprintf("reused session, goroutine %d run %d (batch 1: %v): output %q: %s", g, i, b1, o.Name, msg)
								}
							}
						}
					}()
				}
				wg.Wait()
				close(errs)
				for e := range errs {
					t.Error(e)
				}
			})
		}
	}
}

func maxAbs(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// spread is max - min: a model whose output does not vary with its input
// compares nothing.
func spread(xs []float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return hi - lo
}

// itemSpread is the largest difference between the first and the second
// item of a batch: a model whose outputs do not depend on its input
// compares little.
func itemSpread(v *operators.Value) float64 {
	if len(v.Shape) == 0 || v.Shape[0] < 2 {
		return 0
	}
	xs := asFloats(v)
	n := len(xs) / v.Shape[0]
	m := 0.0
	for i := range n {
		m = math.Max(m, math.Abs(xs[i]-xs[n+i]))
	}
	return m
}

func maxDiff(a, b *operators.Value) float64 {
	x, y := asFloats(a), asFloats(b)
	m := 0.0
	for i := range x {
		m = math.Max(m, math.Abs(x[i]-y[i]))
	}
	return m
}

// firstItem is the first slice of v along axis 0.
func firstItem(v *operators.Value) *operators.Value {
	if v == nil || len(v.Shape) == 0 || v.Shape[0] == 0 {
		return v
	}
	shape := append([]int{1}, v.Shape[1:]...)
	out, _ := operators.NewValue(v.DType, shape)
	copy(out.Raw, v.Raw[:len(out.Raw)])
	return out
}

// compare checks got against want elementwise (NaN only matches NaN).
func compare(got, want *operators.Value) string {
	if got == nil || want == nil {
		return fmt.Sprintf("missing (ours %v, ORT %v)", got != nil, want != nil)
	}
	if fmt.Sprint(got.Shape) != fmt.Sprint(want.Shape) || got.DType != want.DType {
		return fmt.Sprintf("ours %v%v, ORT %v%v", got.DType, got.Shape, want.DType, want.Shape)
	}
	g, w := asFloats(got), asFloats(want)
	worst, at := 0.0, -1
	for i := range g {
		d := math.Abs(g[i] - w[i])
		if math.IsNaN(g[i]) || math.IsNaN(w[i]) {
			if math.IsNaN(g[i]) != math.IsNaN(w[i]) {
				return fmt.Sprintf("element %d: ours %v, ORT %v", i, g[i], w[i])
			}
			continue
		}
		if d > atol+rtol*math.Abs(w[i]) && d > worst {
			worst, at = d, i
		}
	}
	if at >= 0 {
		return fmt.Sprintf("element %d of %d: ours %.8g, ORT %.8g (|diff| %.3g)", at, len(g), g[at], w[at], worst)
	}
	return ""
}

func asFloats(v *operators.Value) []float64 {
	out := make([]float64, v.Len())
	for i := range out {
		switch v.DType {
		case operators.Float32:
			out[i] = float64(v.F32()[i])
		case operators.Float64:
			out[i] = v.F64()[i]
		case operators.Int64:
			out[i] = float64(v.I64()[i])
		case operators.Int32:
			out[i] = float64(v.I32()[i])
		case operators.Bool:
			if v.Bools()[i] {
				out[i] = 1
			}
		}
	}
	return out
}

var jsTypes = map[operators.DType]string{operators.Float32: "float32", operators.Float64: "float64", operators.Int64: "int64", operators.Int32: "int32", operators.Bool: "bool"}

// runORT runs the model in ONNX Runtime through the oracle script.
func runORT(dir, model string, feeds map[string]*operators.Value) (map[string]*operators.Value, error) {
	return runORTIn(dir, dir, model, feeds)
}

// runORTIn runs the oracle with cwd as its working directory, where ONNX
// Runtime looks for external data of a model it is given as bytes.
func runORTIn(dir, cwd, model string, feeds map[string]*operators.Value) (map[string]*operators.Value, error) {
	spec := map[string]any{}
	for name, v := range feeds {
		f := asFloats(v)
		data := make([]any, len(f))
		for i, x := range f {
			data[i] = x
		}
		dims := append([]int{}, v.Shape...)
		spec[name] = map[string]any{"type": jsTypes[v.DType], "dims": dims, "data": data}
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	inPath := model + ".json"
	if err := os.WriteFile(inPath, b, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command("node", filepath.Join(dir, "oracle.js"), model, inPath)
	cmd.Dir = cwd
	var stderr []byte
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, stderr)
	}
	var res map[string]struct {
		Type string
		Dims []int
		Data []any
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("oracle output: %v", err)
	}
	vals := map[string]*operators.Value{}
	for name, r := range res {
		dt := operators.Float32
		for k, s := range jsTypes {
			if s == r.Type {
				dt = k
			}
		}
		v, err := operators.NewValue(dt, r.Dims)
		if err != nil {
			return nil, err
		}
		for i, x := range r.Data {
			var f float64
			switch x := x.(type) {
			case float64:
				f = x
			case string:
				f, _ = strconv.ParseFloat(x, 64)
			case bool:
				if x {
					f = 1
				}
			}
			switch dt {
			case operators.Float32:
				v.F32()[i] = float32(f)
			case operators.Float64:
				v.F64()[i] = f
			case operators.Int64:
				v.I64()[i] = int64(f)
			case operators.Int32:
				v.I32()[i] = int32(f)
			case operators.Bool:
				v.Bools()[i] = f != 0
			}
		}
		vals[name] = v
	}
	return vals, nil
}
