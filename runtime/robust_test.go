package runtime

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// Every variant of a damaged model must load and run, or fail with an
// error, within these bounds. The bundled models are a few kilobytes and
// run in microseconds, so a variant taking seconds means a loop that does
// not end on its own.
const (
	variantDeadline = 5 * time.Second  // the context given to RunValues
	variantWall     = 20 * time.Second // load + run, measured by the test
)

// robustLimits keeps a damaged size field from asking for much memory:
// the bundled models need far less than this.
var robustLimits = onnxpb.Limits{
	MaxModelBytes: 1 << 20, MaxTensorElements: 1 << 18, MaxTensorBytes: 1 << 22,
	MaxNodes: 1024, MaxGraphDepth: 8, MaxExternalBytes: 1,
}

func bundledModels(t *testing.T) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "models", "testdata", "*", "model.onnx"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no bundled models under ../models/testdata (err %v)", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(filepath.Dir(p))] = b
	}
	return out
}

// tryVariant loads b and, if it loads, runs it on zero inputs of the
// declared shapes (symbolic dimensions bound to 1). It reports a panic as
// a test failure naming the variant, and checks the wall-clock bound.
func tryVariant(t *testing.T, what string, b []byte) (loaded, ran bool) {
	t.Helper()
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: panic: %v", what, r)
		}
		if d := time.Since(start); d > variantWall {
			t.Errorf("%s: took %v (bound %v)", what, d, variantWall)
		}
	}()
	s, err := LoadBytes(b, WithLimits(robustLimits), WithThreads(2))
	if err != nil {
		if err.Error() == "" {
			t.Errorf("%s: load failed with an empty error message", what)
		}
		return false, false
	}
	ins := map[string]*operators.Value{}
	for _, in := range s.Inputs() {
		shape := make([]int, len(in.Shape))
		for i, d := range in.Shape {
			shape[i] = max(d, 1)
		}
		if n := operators.NumElements(shape); n < 0 || n > 1<<16 {
			return true, false
		}
		v, err := operators.NewValue(in.DType, shape)
		if err != nil {
			return true, false
		}
		ins[in.Name] = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), variantDeadline)
	defer cancel()
	_, err = s.RunValues(ctx, ins)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%s: run did not finish within %v", what, variantDeadline)
	}
	return true, err == nil
}

// TestDamagedModels truncates every bundled model at every length and
// flips seeded random bits in it; each variant must load and run or fail
// with an error, never panic or hang.
func TestDamagedModels(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ONNXRUN_ROBUST_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	t.Logf("bit-flip seed %d (rerun with ONNXRUN_ROBUST_SEED=%d)", seed, seed)
	flips := 300
	if testing.Short() {
		flips = 50
	}
	for name, b := range bundledModels(t) {
		t.Run(name, func(t *testing.T) {
			// The intact model must load and run, or the variants below
			// prove little.
			if loaded, ran := tryVariant(t, name, b); !loaded || !ran {
				t.Fatalf("the intact model does not load and run (loaded %v, ran %v)", loaded, ran)
			}
			step := 1
			if testing.Short() {
				step = max(1, len(b)/128)
			}
			loadedN := 0
			for n := 0; n < len(b); n += step {
				if l, _ := tryVariant(t, fmt.Sprintf("%s truncated to %d bytes", name, n), b[:n]); l {
					loadedN++
				}
			}
			r := rand.New(rand.NewPCG(seed, uint64(len(b))))
			ranN := 0
			v := make([]byte, len(b))
			for i := range flips {
				copy(v, b)
				k := 1 + r.IntN(3) // one to three bits
				desc := make([]string, 0, k)
				for range k {
					bit := r.IntN(len(b) * 8)
					v[bit/8] ^= 1 << (bit % 8)
					desc = append(desc, fmt.Sprint(bit))
				}
				if _, ran := tryVariant(t, fmt.Sprintf("%s flip %d (bits %s)", name, i, strings.Join(desc, ",")), v); ran {
					ranN++
				}
			}
			t.Logf("%d bytes: %d truncations loaded; %d of %d bit-flipped variants ran", len(b), loadedN, ranN, flips)
		})
	}
}

// allocDuring returns the bytes allocated while f runs.
func allocDuring(f func()) uint64 {
	var a, b goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&a)
	f()
	goruntime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestLoadRefusesHugeDeclarations checks, through the public Load API
// and the default limits, that sizes a model merely declares are refused
// with an error wrapping onnxpb.ErrLimit before memory is committed to
// them.
func TestLoadRefusesHugeDeclarations(t *testing.T) {
	t.Run("2^40-element initializer", func(t *testing.T) {
		m := model(&onnxpb.Graph{
			Nodes:        []*onnxpb.Node{node("id", "Identity", []string{"w"}, []string{"y"})},
			Initializers: []*onnxpb.Tensor{{Name: "w", DataType: int32(operators.Float32), Dims: []int64{1 << 20, 1 << 20}, HasRawData: true}},
			Outputs:      []*onnxpb.ValueInfo{{Name: "y"}},
		})
		b := onnxpb.EncodeModel(m)
		var err error
		got := allocDuring(func() { _, err = LoadBytes(b) })
		if !errors.Is(err, onnxpb.ErrLimit) {
			t.Fatalf("err = %v, want one wrapping onnxpb.ErrLimit", err)
		}
		if !strings.Contains(err.Error(), "w") {
			t.Errorf("error %q does not name the tensor w", err)
		}
		if got > 1<<20 {
			t.Errorf("allocated %d bytes before refusing", got)
		}
		t.Logf("error: %v (allocated %d bytes)", err, got)
	})

	t.Run("10^7-node graph", func(t *testing.T) {
		// Hand-built bytes: ir_version 8, opset 13, then a graph of 10^7
		// empty nodes (2 bytes each). Building it through EncodeModel
		// would itself need gigabytes of structs.
		const nodes = 10_000_000
		graph := make([]byte, 0, 2*nodes)
		for range nodes {
			graph = append(graph, 0x0a, 0x00) // field 1 (node), length 0
		}
		b := []byte{0x08, 0x08}                         // ir_version = 8
		b = append(b, 0x42, 0x02, 0x10, 0x0d)           // opset_import {version: 13}
		b = append(b, 0x3a)                             // field 7 (graph)
		b = binary.AppendUvarint(b, uint64(len(graph))) // its length
		b = append(b, graph...)
		var err error
		got := allocDuring(func() { _, err = LoadBytes(b) })
		if !errors.Is(err, onnxpb.ErrLimit) {
			t.Fatalf("err = %v, want one wrapping onnxpb.ErrLimit", err)
		}
		if !strings.Contains(err.Error(), "node") {
			t.Errorf("error %q does not say it is about nodes", err)
		}
		// The decoder counts the nodes before building them; 10^7 Node
		// structs would be gigabytes.
		if got > 64<<20 {
			t.Errorf("allocated %d bytes before refusing", got)
		}
		t.Logf("error: %v (allocated %d MB for a %d MB file)", err, got>>20, len(b)>>20)
	})

	t.Run("external data outside the model folder", func(t *testing.T) {
		root := t.TempDir()
		dir := filepath.Join(root, "model")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		secret := filepath.Join(root, "secret.bin")
		if err := os.WriteFile(secret, make([]byte, 16), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, loc := range []string{"../secret.bin", secret} {
			w := &onnxpb.Tensor{
				Name: "w", DataType: int32(operators.Float32), Dims: []int64{4}, DataLocation: 1,
				ExternalData: []onnxpb.StringStringEntry{{Key: "location", Value: loc}},
			}
			m := model(&onnxpb.Graph{
				Nodes:        []*onnxpb.Node{node("id", "Identity", []string{"w"}, []string{"y"})},
				Initializers: []*onnxpb.Tensor{w},
				Outputs:      []*onnxpb.ValueInfo{{Name: "y"}},
			})
			p := filepath.Join(dir, "model.onnx")
			if err := os.WriteFile(p, onnxpb.EncodeModel(m), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p)
			if err == nil {
				t.Fatalf("location %q: loaded a tensor from outside the model's folder", loc)
			}
			if !strings.Contains(err.Error(), "w") {
				t.Errorf("location %q: error %q does not name the tensor", loc, err)
			}
			t.Logf("location %q: %v", loc, err)
		}
	})
}

// TestNoGoroutineLeak runs a model many times with several threads and
// checks that the number of goroutines comes back to where it was.
func TestNoGoroutineLeak(t *testing.T) {
	p := filepath.Join("..", "models", "testdata", "tiny_cnn_opset13", "model.onnx")
	s, err := Load(p, WithThreads(4))
	if err != nil {
		t.Fatal(err)
	}
	ins := map[string]*operators.Value{}
	for _, in := range s.Inputs() {
		shape := make([]int, len(in.Shape))
		for i, d := range in.Shape {
			shape[i] = max(d, 1)
		}
		v, err := operators.NewValue(in.DType, shape)
		if err != nil {
			t.Fatal(err)
		}
		ins[in.Name] = v
	}
	// One run first, so anything started once per process (not per run)
	// is already counted.
	if _, err := s.RunValues(context.Background(), ins); err != nil {
		t.Fatal(err)
	}
	before := settledGoroutines(0)
	for range 200 {
		if _, err := s.RunValues(context.Background(), ins); err != nil {
			t.Fatal(err)
		}
	}
	// Cancelled runs must not leave workers behind either.
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		s.RunValues(ctx, ins)
	}
	if after := settledGoroutines(before); after > before {
		buf := make([]byte, 1<<16)
		n := goruntime.Stack(buf, true)
		t.Errorf("goroutines: %d before the runs, %d after\n%s", before, after, buf[:n])
	}
}

// settledGoroutines waits up to two seconds for the goroutine count to
// drop to target (0: just let it settle) and returns it.
func settledGoroutines(target int) int {
	n := goruntime.NumGoroutine()
	for i := 0; i < 100 && (target == 0 || n > target); i++ {
		time.Sleep(20 * time.Millisecond)
		n = goruntime.NumGoroutine()
		if target == 0 && i >= 5 {
			break
		}
	}
	return n
}

// TestNoGoroutineLeakAcrossSessions loads, runs and drops many sessions
// whose MatMul is large enough to be split across threads: whatever
// workers the runtime keeps must not grow with the number of sessions.
func TestNoGoroutineLeakAcrossSessions(t *testing.T) {
	const n = 256 // 256^3 multiply-adds, well above any parallel threshold
	m := model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{node("mm", "MatMul", []string{"a", "b"}, []string{"y"})},
		Inputs:  []*onnxpb.ValueInfo{vinfo("a", operators.Float32, n, n), vinfo("b", operators.Float32, n, n)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, n, n)},
	})
	a, _ := operators.NewValue(operators.Float32, []int{n, n})
	b, _ := operators.NewValue(operators.Float32, []int{n, n})
	one := func() {
		s := mustLoad(t, m, WithThreads(4))
		if _, err := s.RunValues(context.Background(), map[string]*operators.Value{"a": a, "b": b}); err != nil {
			t.Fatal(err)
		}
	}
	one()
	goruntime.GC()
	before := settledGoroutines(0)
	for range 30 {
		one()
	}
	goruntime.GC()
	if after := settledGoroutines(before); after > before {
		buf := make([]byte, 1<<16)
		k := goruntime.Stack(buf, true)
		t.Errorf("goroutines: %d after one session, %d after 30 more\n%s", before, after, buf[:k])
	}
}
