package onnxpb

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// testdataDir returns $ONNXRUN_TESTDATA/sub, skipping the test when the
// variable is unset.
func testdataDir(t testing.TB, sub string) string {
	t.Helper()
	root := os.Getenv("ONNXRUN_TESTDATA")
	if root == "" {
		t.Skip("ONNXRUN_TESTDATA is not set; point it at the shared ONNX test data folder to run this test")
	}
	dir := filepath.Join(root, sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("test data folder %s: %v", dir, err)
	}
	return dir
}

// pbKind says how the ONNX test layout stores a value of type ty in a .pb
// file: a TensorProto, or one of the onnx-data.proto messages.
func pbKind(ty *Type) string {
	switch {
	case ty == nil || ty.Tensor != nil:
		return "tensor"
	case ty.Sequence != nil:
		return "sequence"
	case ty.IsMap:
		return "map"
	case ty.Optional != nil:
		return "optional"
	case ty.SparseTensor != nil:
		return "sparse"
	}
	return "tensor"
}

// TestDecodeBackendNodeTests decodes every model.onnx and every input and
// output .pb of the ONNX node tests, choosing the .pb message from the
// model's declared input and output types, and converts every tensor to a
// Value.
func TestDecodeBackendNodeTests(t *testing.T) {
	dir := testdataDir(t, "onnx/node")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	models, files := 0, 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		tdir := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(filepath.Join(tdir, "model.onnx"))
		if err != nil {
			continue
		}
		m, err := DecodeModel(b, Limits{})
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		models++
		for _, init := range m.Graph.Initializers {
			if _, err := TensorToValue(init, tdir, Limits{}); err != nil {
				t.Errorf("%s: initializer: %v", e.Name(), err)
			}
		}
		for _, init := range m.Graph.SparseInitializers {
			if _, err := SparseToValue(init, tdir, Limits{}); err != nil {
				t.Errorf("%s: sparse initializer: %v", e.Name(), err)
			}
		}
		for _, n := range m.Graph.Nodes {
			for _, a := range n.Attributes {
				if a.T != nil {
					if _, err := TensorToValue(a.T, tdir, Limits{}); err != nil {
						t.Errorf("%s: node %q attribute %q: %v", e.Name(), n.Name, a.Name, err)
					}
				}
				if a.SparseTensor != nil {
					if _, err := SparseToValue(a.SparseTensor, tdir, Limits{}); err != nil {
						t.Errorf("%s: node %q attribute %q: %v", e.Name(), n.Name, a.Name, err)
					}
				}
			}
		}
		sets, _ := filepath.Glob(filepath.Join(tdir, "test_data_set_*"))
		for _, set := range sets {
			pbs, _ := filepath.Glob(filepath.Join(set, "*.pb"))
			for _, pb := range pbs {
				base := filepath.Base(pb)
				var vi []*ValueInfo
				var idx int
				switch {
				case strings.HasPrefix(base, "input_"):
					vi = m.Graph.Inputs
					idx = pbIndex(t, base, "input_")
					// Inputs that are initializers are not fed; the test
					// layout numbers only the fed ones.
					vi = fedInputs(m.Graph)
				case strings.HasPrefix(base, "output_"):
					vi = m.Graph.Outputs
					idx = pbIndex(t, base, "output_")
				default:
					continue
				}
				if idx >= len(vi) {
					t.Errorf("%s: %s has no matching graph value (%d declared)", e.Name(), base, len(vi))
					continue
				}
				files++
				checkPB(t, e.Name()+"/"+filepath.Base(set)+"/"+base, pb, vi[idx].Type)
			}
		}
	}
	if models < 100 {
		t.Errorf("decoded only %d models under %s; is the folder complete?", models, dir)
	}
	t.Logf("decoded %d models and %d .pb files", models, files)
}

func fedInputs(g *Graph) []*ValueInfo {
	inits := map[string]bool{}
	for _, in := range g.Initializers {
		inits[in.Name] = true
	}
	var out []*ValueInfo
	for _, v := range g.Inputs {
		if !inits[v.Name] {
			out = append(out, v)
		}
	}
	return out
}

func pbIndex(t *testing.T, base, prefix string) int {
	var i int
	s := strings.TrimSuffix(strings.TrimPrefix(base, prefix), ".pb")
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("unexpected file name %s", base)
		}
		i = i*10 + int(c-'0')
	}
	return i
}

// checkPB decodes one .pb file as the message type ty calls for and checks
// a tensor's element type and shape against the declared type.
func checkPB(t *testing.T, name, path string, ty *Type) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch pbKind(ty) {
	case "tensor":
		tp, err := DecodeTensor(b, Limits{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		v, err := TensorToValue(tp, "", Limits{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if ty == nil || ty.Tensor == nil {
			return
		}
		want := operators.DType(ty.Tensor.ElemType)
		// Known fixture quirk: the ONNX generator writes bfloat16 test data
		// with data_type UINT16 (same 16-bit patterns).
		quirk := want == operators.BFloat16 && v.DType == operators.Uint16
		if want != operators.Undefined && v.DType != want && !quirk {
			t.Errorf("%s: dtype %v, model declares %v", name, v.DType, want)
		}
		// Known fixture quirk: CastLike's "like" input holds one element
		// of shape [1] although the model declares it [3, 4]; only its type
		// matters to the operator.
		if strings.HasPrefix(name, "test_castlike_") && strings.HasSuffix(name, "/input_1.pb") {
			return
		}
		if sh := ty.Tensor.Shape; sh != nil {
			if len(sh.Dims) != len(v.Shape) {
				t.Errorf("%s: rank %d (shape %v), model declares rank %d", name, len(v.Shape), v.Shape, len(sh.Dims))
				return
			}
			for i, d := range sh.Dims {
				if d.HasValue && int(d.Value) != v.Shape[i] {
					t.Errorf("%s: shape %v, model declares dim %d = %d", name, v.Shape, i, d.Value)
				}
			}
		}
	case "sequence":
		s, err := DecodeSequence(b, Limits{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		for i, tp := range s.Tensors {
			if _, err := TensorToValue(tp, "", Limits{}); err != nil {
				t.Errorf("%s: element %d: %v", name, i, err)
			}
		}
	case "map":
		if _, err := DecodeMap(b, Limits{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	case "optional":
		if _, err := DecodeOptional(b, Limits{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestDecodeAllSharedModels decodes every .onnx file in the shared folder
// (node tests, converted PyTorch tests, the model zoo), and converts every
// initializer.
func TestDecodeAllSharedModels(t *testing.T) {
	root := testdataDir(t, ".")
	n := 0
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if de.IsDir() && de.Name() == "node_modules" {
			return filepath.SkipDir
		}
		if de.IsDir() || !strings.HasSuffix(p, ".onnx") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		m, err := DecodeModel(b, Limits{})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		n++
		for _, in := range m.Graph.Initializers {
			if _, err := TensorToValue(in, filepath.Dir(p), Limits{}); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("decoded %d models", n)
}

// TestSoftmaxAxis0Facts checks decoded fields of one fixture against values
// read by hand from its bytes (a hex dump of model.onnx).
func TestSoftmaxAxis0Facts(t *testing.T) {
	dir := filepath.Join(testdataDir(t, "onnx/node"), "test_softmax_axis_0")
	b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		t.Skipf("fixture missing: %v", err)
	}
	m, err := DecodeModel(b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if m.IRVersion != 7 || m.ProducerName != "backend-test" {
		t.Errorf("ir_version %d producer %q, want 7 backend-test", m.IRVersion, m.ProducerName)
	}
	if want := []OperatorSetID{{Domain: "", Version: 13}}; !reflect.DeepEqual(m.OpsetImport, want) {
		t.Errorf("opset_import %+v, want %+v", m.OpsetImport, want)
	}
	g := m.Graph
	if g.Name != "test_softmax_axis_0" || len(g.Nodes) != 1 {
		t.Fatalf("graph %q with %d nodes", g.Name, len(g.Nodes))
	}
	n := g.Nodes[0]
	if n.OpType != "Softmax" || !reflect.DeepEqual(n.Inputs, []string{"x"}) || !reflect.DeepEqual(n.Outputs, []string{"y"}) {
		t.Errorf("node %+v", n)
	}
	if len(n.Attributes) != 1 || n.Attributes[0].Name != "axis" || n.Attributes[0].Type != AttrInt || n.Attributes[0].I != 0 {
		t.Errorf("attributes %+v, want axis INT 0", n.Attributes)
	}
	in := g.Inputs[0]
	if in.Name != "x" || in.Type.Tensor == nil || in.Type.Tensor.ElemType != int32(operators.Float32) {
		t.Fatalf("input %+v", in)
	}
	want := []Dim{{Value: 3, HasValue: true}, {Value: 4, HasValue: true}, {Value: 5, HasValue: true}}
	if !reflect.DeepEqual(in.Type.Tensor.Shape.Dims, want) {
		t.Errorf("input dims %+v, want %+v", in.Type.Tensor.Shape.Dims, want)
	}

	pb, err := os.ReadFile(filepath.Join(dir, "test_data_set_0", "input_0.pb"))
	if err != nil {
		t.Fatal(err)
	}
	tp, err := DecodeTensor(pb, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := TensorToValue(tp, "", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if v.DType != operators.Float32 || !reflect.DeepEqual(v.Shape, []int{3, 4, 5}) || len(v.F32()) != 60 {
		t.Errorf("input_0.pb: %v with %d float32s, want float32[3 4 5]", v, len(v.F32()))
	}
	// The fixture's input is 60 values from a standard normal; a tensor of
	// garbage (e.g. misread endianness) would hold huge or NaN values.
	for i, x := range v.F32() {
		if !(x > -10 && x < 10) {
			t.Errorf("input_0.pb element %d = %v, outside (-10, 10)", i, x)
			break
		}
	}
}

// TestTruncatedFixture cuts a real model at every byte. Its last field is
// opset_import, so every strict prefix lacks a required field or ends
// inside a message: each must give an error (and none may panic).
func TestTruncatedFixture(t *testing.T) {
	dir := filepath.Join(testdataDir(t, "onnx/node"), "test_softmax_axis_0")
	b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		t.Skipf("fixture missing: %v", err)
	}
	for i := 0; i < len(b); i++ {
		if _, err := DecodeModel(b[:i], Limits{}); err == nil {
			t.Errorf("prefix of %d/%d bytes decoded without error", i, len(b))
		}
	}
	pb, err := os.ReadFile(filepath.Join(dir, "test_data_set_0", "input_0.pb"))
	if err != nil {
		t.Fatal(err)
	}
	// A tensor prefix may be a smaller valid message; converting it must
	// then fail on the data length, since raw_data comes last.
	for i := 0; i < len(pb); i++ {
		tp, err := DecodeTensor(pb[:i], Limits{})
		if err != nil {
			continue
		}
		if _, err := TensorToValue(tp, "", Limits{}); err == nil {
			t.Errorf("tensor prefix of %d/%d bytes converted without error", i, len(pb))
		}
	}
}

// TestProjectFixtures decodes the project's own generated fixtures in
// models/testdata (present in the repository, so this runs everywhere),
// and checks that re-encoding a model gives the same model.
func TestProjectFixtures(t *testing.T) {
	root := filepath.Join("..", "..", "models", "testdata")
	models, _ := filepath.Glob(filepath.Join(root, "*", "model.onnx"))
	if len(models) == 0 {
		t.Skipf("no fixtures under %s", root)
	}
	for _, p := range models {
		m, err := ReadModel(p, Limits{})
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		m2, err := DecodeModel(EncodeModel(m), Limits{})
		if err != nil || !reflect.DeepEqual(m, m2) {
			t.Errorf("%s: re-encoding changed the model (%v)", p, err)
		}
		pbs, _ := filepath.Glob(filepath.Join(filepath.Dir(p), "test_data_set_*", "*.pb"))
		for _, pb := range pbs {
			tp, err := ReadTensor(pb, Limits{})
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			if _, err := TensorToValue(tp, "", Limits{}); err != nil {
				t.Errorf("%s: %v", pb, err)
			}
		}
	}
}
