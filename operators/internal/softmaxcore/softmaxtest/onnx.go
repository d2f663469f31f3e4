package softmaxtest

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// DataEnv names the directory holding the ONNX backend test data (the
// onnx/ folder is below it).
const DataEnv = "ONNXRUN_TESTDATA"

// Suites are the folders, below $ONNXRUN_TESTDATA, of the node tests for
// the current (opset 13) and the legacy (opset 9 and 11) semantics.
var Suites = []string{"onnx/node-softmax-latest", "onnx/node-softmax-legacy"}

// The ONNX backend tests' default tolerance: |got-want| <= atol + rtol*|want|.
const (
	ATol = 1e-7
	RTol = 1e-3
)

// nodeTest is one test folder: its single node, its opset and data sets.
type nodeTest struct {
	dir   string
	node  *operators.Node
	sets  []dataSet
	opset int
}

type dataSet struct {
	name     string
	in, want *operators.Value
}

// RunONNX runs every non-expanded test_<optype>_* folder of Suites through
// the implementation registered for the folder's opset, at every kernel
// tier. It skips when $ONNXRUN_TESTDATA is unset and fails when a suite
// holds fewer than minPerSuite tests of the operator (a moved folder must
// not turn into a silent pass).
func RunONNX(t *testing.T, opType string, minPerSuite int) {
	root := os.Getenv(DataEnv)
	if root == "" {
		t.Skipf("%s is not set; point it at the shared test data (the folder holding onnx/) to run the ONNX node tests", DataEnv)
	}
	prefix := "test_" + strings.ToLower(opType) + "_"
	var tests []*nodeTest
	for _, suite := range Suites {
		dirs, err := filepath.Glob(filepath.Join(root, suite, prefix+"*"))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, d := range dirs {
			if strings.Contains(filepath.Base(d), "_expanded") {
				continue // a graph of other operators
			}
			nt, err := load(d, opType)
			if err != nil {
				t.Fatalf("%s: %v", d, err)
			}
			tests = append(tests, nt)
			n++
		}
		if n < minPerSuite {
			t.Fatalf("%s: found %d %s tests, want at least %d", filepath.Join(root, suite), n, opType, minPerSuite)
		}
	}
	dispatchtest.ForEachImpl(t, func(t *testing.T, _ *dispatch.Kernels) {
		for _, nt := range tests {
			name := filepath.Base(filepath.Dir(nt.dir)) + "/" + filepath.Base(nt.dir)
			t.Run(name, func(t *testing.T) { nt.run(t) })
		}
	})
}

func (nt *nodeTest) run(t *testing.T) {
	reg, ok := operators.Lookup("", nt.node.OpType, nt.opset)
	if !ok {
		t.Fatalf("no %s registered for opset %d", nt.node.OpType, nt.opset)
	}
	n := *nt.node
	n.Since = reg.Since
	op, err := reg.New(&n)
	if err != nil {
		t.Fatalf("%s: %v", n.Describe(), err)
	}
	for _, ds := range nt.sets {
		meta, err := op.Infer([]operators.Meta{ds.in.Meta()}, nil)
		if err != nil {
			t.Fatalf("%s: Infer: %v", ds.name, err)
		}
		if len(meta) != 1 || meta[0].DType != ds.want.DType || !equalInts(meta[0].Shape, ds.want.Shape) {
			t.Errorf("%s: Infer gives %v, want %v%v", ds.name, meta, ds.want.DType, ds.want.Shape)
		}
		out := make([]*operators.Value, 1)
		if err := op.Run(&operators.RunContext{Threads: 1}, []*operators.Value{ds.in}, out); err != nil {
			t.Fatalf("%s: Run: %v", ds.name, err)
		}
		got := out[0]
		if got.DType != ds.want.DType || !equalInts(got.Shape, ds.want.Shape) {
			t.Fatalf("%s: output %v, want %v%v", ds.name, got, ds.want.DType, ds.want.Shape)
		}
		g, w := asFloat64(got), asFloat64(ds.want)
		worst, at := 0.0, -1
		for i := range w {
			if e := excess(g[i], w[i]); e > worst {
				worst, at = e, i
			}
		}
		if at >= 0 {
			t.Errorf("%s: [%d] = %v, want %v (atol %g, rtol %g)", ds.name, at, g[at], w[at], ATol, RTol)
		}
	}
}

// excess is how far got is outside the tolerance around want (0 inside).
// NaN equals NaN; infinities must match.
func excess(got, want float64) float64 {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		if math.IsNaN(want) && math.IsNaN(got) {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		if got == want {
			return 0
		}
		return math.Inf(1)
	}
	return max(0, math.Abs(got-want)-(ATol+RTol*math.Abs(want)))
}

func load(dir, opType string) (*nodeTest, error) {
	b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return nil, err
	}
	m, err := onnxpb.DecodeModel(b, onnxpb.DefaultLimits())
	if err != nil {
		return nil, err
	}
	nt := &nodeTest{dir: dir, opset: -1}
	for _, o := range m.OpsetImport {
		if o.Domain == "" || o.Domain == "ai.onnx" {
			nt.opset = int(o.Version)
		}
	}
	if nt.opset < 0 {
		return nil, fmt.Errorf("no opset for the default domain")
	}
	if m.Graph == nil || len(m.Graph.Nodes) != 1 || m.Graph.Nodes[0].OpType != opType {
		return nil, fmt.Errorf("want a graph of one %s node", opType)
	}
	nt.node = convertNode(m.Graph.Nodes[0], nt.opset)

	sets, err := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(sets)
	for _, s := range sets {
		in, err := readTensor(filepath.Join(s, "input_0.pb"))
		if err != nil {
			return nil, err
		}
		want, err := readTensor(filepath.Join(s, "output_0.pb"))
		if err != nil {
			return nil, err
		}
		nt.sets = append(nt.sets, dataSet{name: filepath.Base(s), in: in, want: want})
	}
	if len(nt.sets) == 0 {
		return nil, fmt.Errorf("no test_data_set_*")
	}
	return nt, nil
}

func readTensor(path string) (*operators.Value, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tp, err := onnxpb.DecodeTensor(b, onnxpb.DefaultLimits())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	v, err := onnxpb.TensorToValue(tp, "", onnxpb.DefaultLimits())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// convertNode keeps what an operator constructor reads: identity, opset
// and the scalar and list attributes.
func convertNode(pn *onnxpb.Node, opset int) *operators.Node {
	n := &operators.Node{
		Name: pn.Name, OpType: pn.OpType, Domain: pn.Domain, Opset: opset,
		Inputs: pn.Inputs, Outputs: pn.Outputs, Attrs: map[string]*operators.Attr{},
	}
	for _, a := range pn.Attributes {
		n.Attrs[a.Name] = &operators.Attr{
			Name: a.Name, Type: operators.AttrType(a.Type),
			F: a.F, I: a.I, S: a.S, Floats: a.Floats, Ints: a.Ints, Strings: a.Strings,
		}
	}
	return n
}

func asFloat64(v *operators.Value) []float64 {
	n := v.Len()
	out := make([]float64, n)
	switch v.DType {
	case operators.Float32:
		for i, f := range v.F32()[:n] {
			out[i] = float64(f)
		}
	case operators.Float64:
		copy(out, v.F64()[:n])
	default:
		panic(fmt.Sprintf("softmaxtest: no float64 view of %v", v.DType))
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
