package holdout

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

func buildFamily(t *testing.T, name string, opset int64) *builder {
	t.Helper()
	for _, f := range families() {
		if f.name == name {
			b := newBuilder(name, opset, 0x5eed+uint64(opset))
			f.build(b)
			return b
		}
	}
	t.Fatalf("no family %q", name)
	return nil
}

// runOurs loads path with opts and runs it on feeds.
func runOurs(t *testing.T, path string, feeds map[string]*operators.Value, opts ...runtime.Option) map[string]*operators.Value {
	t.Helper()
	s, err := runtime.Load(path, opts...)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	out, err := s.RunValues(context.Background(), feeds)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return out
}

func sameOutputs(t *testing.T, what string, got, want map[string]*operators.Value) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d outputs, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		if msg := compare(got[name], w); msg != "" {
			t.Errorf("%s: output %q: %s", what, name, msg)
		}
	}
}

// writeModel encodes m into dir/name.onnx.
func writeModel(t *testing.T, dir, name string, m *onnxpb.Model) string {
	t.Helper()
	p := filepath.Join(dir, name+".onnx")
	if err := os.WriteFile(p, onnxpb.EncodeModel(m), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestInitializersAsInputs: older exporters list every initializer among
// the graph inputs (keep_initializers_as_inputs). From IR version 4 such
// an input is a default the caller may override; the override must reach
// every operator, including those that prepare constant weights at load
// time (Conv, Gemm, BatchNormalization folded into Conv).
func TestInitializersAsInputs(t *testing.T) {
	dir := ortDir(t)
	tmp := t.TempDir()
	for _, fam := range []string{"regnet", "vit", "kws_gru"} {
		t.Run(fam, func(t *testing.T) {
			b := buildFamily(t, fam, 13)
			for _, init := range b.g.Initializers {
				dims := make([]any, len(init.Dims))
				for i, d := range init.Dims {
					dims[i] = int(d)
				}
				b.g.Inputs = append(b.g.Inputs, &onnxpb.ValueInfo{Name: init.Name, Type: shapeType(operators.DType(init.DataType), dims)})
			}
			path := writeModel(t, tmp, fam+"_inits", b.model())
			s, err := runtime.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, in := range s.Inputs() {
				names = append(names, in.Name)
			}
			var want []string
			for _, in := range b.inputs {
				want = append(want, in.name)
			}
			if !slices.Equal(names, want) {
				t.Errorf("Inputs() = %v, want the proper inputs %v", names, want)
			}
			feeds, err := b.feeds(3, 0xfeed)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := runORT(dir, path, feeds)
			if err != nil {
				t.Fatalf("ONNX Runtime: %v", err)
			}
			sameOutputs(t, "defaults", runOurs(t, path, feeds), ref)
			// Override every float weight (not the scalar constants), scaled
			// by 1.25 (variances stay positive), so a kernel still using the
			// stored value shows. (Scaling the exponent of the decomposed
			// LayerNorm's Pow would also tell ONNX Runtime apart: its
			// LayerNorm fusion does not check that the exponent is 2.)
			// ONNX Runtime's Node binding feeds only the proper inputs, so
			// its reference is a copy of the model holding the new values.
			scaled := b.model()
			scaled.Graph = &onnxpb.Graph{Name: b.g.Name, Nodes: b.g.Nodes, Outputs: b.g.Outputs, Inputs: b.g.Inputs[:len(b.inputs)]}
			for _, init := range b.g.Initializers {
				if init.DataType != int32(operators.Float32) || len(init.Dims) == 0 {
					scaled.Graph.Initializers = append(scaled.Graph.Initializers, init)
					continue
				}
				v, err := onnxpb.TensorToValue(init, tmp, onnxpb.Limits{})
				if err != nil {
					t.Fatal(err)
				}
				w, _ := operators.NewValue(v.DType, v.Shape)
				for j, x := range v.F32() {
					w.F32()[j] = x * 1.25
				}
				v = w
				feeds[init.Name] = v
				scaled.Graph.Initializers = append(scaled.Graph.Initializers, onnxpb.ValueToTensor(v, init.Name))
			}
			proper := map[string]*operators.Value{}
			for _, in := range b.inputs {
				proper[in.name] = feeds[in.name]
			}
			ref2, err := runORT(dir, writeModel(t, tmp, fam+"_scaled", scaled), proper)
			if err != nil {
				t.Fatalf("ONNX Runtime: %v", err)
			}
			for name, v := range ref2 {
				if compare(ref[name], v) == "" || spread(asFloats(v)) == 0 || math.IsNaN(spread(asFloats(v))) {
					t.Fatalf("scaling the weights did not change ONNX Runtime's %q, or made it constant", name)
				}
			}
			sameOutputs(t, "overridden", runOurs(t, path, feeds), ref2)
			sameOutputs(t, "overridden, no optimizations", runOurs(t, path, feeds, runtime.WithoutOptimizations()), ref2)
		})
	}
}

// TestStaleValueInfo: value_info and output declarations written by an
// exporter at batch 1 (static shapes from its shape inference), or left
// behind wrong by a graph edit, must not change what a batch-3 run
// computes.
func TestStaleValueInfo(t *testing.T) {
	dir := ortDir(t)
	tmp := t.TempDir()
	for _, fam := range []string{"efficientnet", "text_transformer", "swin", "kws_lstm"} {
		t.Run(fam, func(t *testing.T) {
			b := buildFamily(t, fam, 13)
			feeds, err := b.feeds(3, 0xfeed)
			if err != nil {
				t.Fatal(err)
			}
			clean := writeModel(t, tmp, fam+"_clean", b.model())
			ref, err := runORT(dir, clean, feeds)
			if err != nil {
				t.Fatalf("ONNX Runtime: %v", err)
			}
			// The shapes and types of every value at batch 1, found by
			// running a copy that outputs them all.
			all := b.model()
			all.Graph = &onnxpb.Graph{Name: b.g.Name, Nodes: b.g.Nodes, Inputs: b.g.Inputs, Initializers: b.g.Initializers}
			for _, n := range b.g.Nodes {
				for _, o := range n.Outputs {
					all.Graph.Outputs = append(all.Graph.Outputs, &onnxpb.ValueInfo{Name: o})
				}
			}
			s, err := runtime.LoadModel(all, tmp, runtime.WithoutOptimizations())
			if err != nil {
				t.Fatal(err)
			}
			feeds1 := map[string]*operators.Value{}
			for k, v := range feeds {
				feeds1[k] = firstItem(v)
			}
			vals, err := s.RunValues(context.Background(), feeds1)
			if err != nil {
				t.Fatal(err)
			}
			static := func(o string) *onnxpb.ValueInfo {
				v := vals[o]
				dims := make([]any, len(v.Shape))
				for i, d := range v.Shape {
					dims[i] = d
				}
				return &onnxpb.ValueInfo{Name: o, Type: shapeType(v.DType, dims)}
			}
			for _, n := range b.g.Nodes {
				for _, o := range n.Outputs {
					b.g.ValueInfo = append(b.g.ValueInfo, static(o))
				}
			}
			for i, o := range b.g.Outputs {
				b.g.Outputs[i] = static(o.Name)
			}
			stale := writeModel(t, tmp, fam+"_batch1", b.model())
			sameOutputs(t, "batch-1 value_info", runOurs(t, stale, feeds), ref)
			sameOutputs(t, "batch-1 value_info, no optimizations", runOurs(t, stale, feeds, runtime.WithoutOptimizations()), ref)
			// ONNX Runtime's optimizer trusts these declarations: on some
			// models it fails or computes another shape. Only logged.
			if ortStale, err := runORT(dir, stale, feeds); err != nil {
				t.Logf("ONNX Runtime refuses batch-1 declarations at batch 3: %.300s", err)
			} else {
				for name, w := range ref {
					if msg := compare(ortStale[name], w); msg != "" {
						t.Logf("ONNX Runtime on batch-1 declarations at batch 3, output %q: %s", name, msg)
					}
				}
			}
			// Declarations left wrong by an edit: every float value
			// declared [1, 7]. ONNX Runtime refuses most such models in its
			// own shape inference; onnxrun infers from the operators.
			for i, vi := range b.g.ValueInfo {
				if vi.Type.Tensor.ElemType == int32(operators.Float32) {
					b.g.ValueInfo[i] = &onnxpb.ValueInfo{Name: vi.Name, Type: shapeType(operators.Float32, []any{1, 7})}
				}
			}
			wrong := writeModel(t, tmp, fam+"_wrong", b.model())
			sameOutputs(t, "wrong value_info", runOurs(t, wrong, feeds), ref)
			sameOutputs(t, "wrong value_info, no optimizations", runOurs(t, wrong, feeds, runtime.WithoutOptimizations()), ref)
		})
	}
}

// TestSymbolicDimNames: the text model names its inputs' dimensions
// differently (batch/seq and batch_size/sequence); the same names on two
// inputs must agree within a run.
func TestSymbolicDimNames(t *testing.T) {
	tmp := t.TempDir()
	b := buildFamily(t, "text_transformer", 13)
	path := writeModel(t, tmp, "text", b.model())
	s, err := runtime.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(s.Inputs()[0].DimNames, s.Inputs()[1].DimNames)
	if got != "[batch seq] [batch_size sequence]" {
		t.Errorf("dimension names %s", got)
	}
	feeds, err := b.feeds(2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunValues(context.Background(), feeds); err != nil {
		t.Fatalf("run: %v", err)
	}
	// Rename the mask's dims to the ids' names, then give it a different
	// sequence length: onnxrun refuses the run, naming both inputs, since
	// one dim_param denotes one size. (ONNX Runtime 1.30 does not check
	// this and runs such a model.)
	in := b.g.Inputs[1]
	in.Type = shapeType(operators.Int64, []any{"batch", "seq"})
	s2, err := runtime.LoadModel(b.model(), tmp)
	if err != nil {
		t.Fatal(err)
	}
	short, _ := operators.NewValue(operators.Int64, []int{2, 5})
	feeds["attention_mask"] = short
	if _, err := s2.RunValues(context.Background(), feeds); err == nil {
		t.Errorf("a run with seq = 7 and seq = 5 succeeded")
	}
}

// TestUnusedOpsetImports: exporters import ai.onnx.ml, com.microsoft and
// other domains the graph never uses; the model must load and run.
func TestUnusedOpsetImports(t *testing.T) {
	dir := ortDir(t)
	tmp := t.TempDir()
	for _, opset := range []int64{11, 17} {
		b := buildFamily(t, "vit", opset)
		feeds, err := b.feeds(3, 0xfeed)
		if err != nil {
			t.Fatal(err)
		}
		m := b.model()
		ref, err := runORT(dir, writeModel(t, tmp, "plain", m), feeds)
		if err != nil {
			t.Fatalf("ONNX Runtime: %v", err)
		}
		m.OpsetImport = append(m.OpsetImport, onnxpb.OperatorSetID{Domain: "ai.onnx.ml", Version: 3},
			onnxpb.OperatorSetID{Domain: "com.microsoft", Version: 1}, onnxpb.OperatorSetID{Domain: "ai.onnx.training", Version: 1},
			onnxpb.OperatorSetID{Domain: "com.example.custom", Version: 7})
		path := writeModel(t, tmp, fmt.Sprintf("extra%d", opset), m)
		sameOutputs(t, fmt.Sprintf("opset %d with unused imports", opset), runOurs(t, path, feeds), ref)
	}
}

// TestExternalDataNextToModel: weights stored the way onnx's
// convert_model_to_external_data leaves them: one shared file with
// offsets and lengths (some tensors padded to a 4096-byte boundary), and
// one tensor in a file of its own, in a subfolder, without a length.
func TestExternalDataNextToModel(t *testing.T) {
	dir := ortDir(t)
	tmp := t.TempDir()
	b := buildFamily(t, "convnext", 17)
	feeds, err := b.feeds(3, 0xfeed)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := runORT(dir, writeModel(t, tmp, "inline", b.model()), feeds)
	if err != nil {
		t.Fatalf("ONNX Runtime: %v", err)
	}
	ext := filepath.Join(tmp, "ext")
	if err := os.MkdirAll(filepath.Join(ext, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	var shared []byte
	for i, init := range b.g.Initializers {
		if i == 0 {
			if err := os.WriteFile(filepath.Join(ext, "data", "first.bin"), init.RawData, 0o644); err != nil {
				t.Fatal(err)
			}
			init.ExternalData = []onnxpb.StringStringEntry{{Key: "location", Value: "data/first.bin"}}
		} else {
			if len(init.RawData) > 1024 {
				for len(shared)%4096 != 0 {
					shared = append(shared, 0)
				}
			}
			init.ExternalData = []onnxpb.StringStringEntry{{Key: "location", Value: "model.onnx.data"},
				{Key: "offset", Value: fmt.Sprint(len(shared))}, {Key: "length", Value: fmt.Sprint(len(init.RawData))}}
			shared = append(shared, init.RawData...)
		}
		init.DataLocation = 1
		init.RawData, init.HasRawData = nil, false
	}
	if err := os.WriteFile(filepath.Join(ext, "model.onnx.data"), shared, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(ext, "model.onnx")
	if err := os.WriteFile(path, onnxpb.EncodeModel(b.model()), 0o644); err != nil {
		t.Fatal(err)
	}
	// (The oracle hands ONNX Runtime the model as bytes, with which it
	// cannot resolve external data; the inline model is the reference.)
	sameOutputs(t, "external data", runOurs(t, path, feeds), ref)
	sameOutputs(t, "external data, no optimizations", runOurs(t, path, feeds, runtime.WithoutOptimizations()), ref)
	// LoadBytes has no folder to look in: the error names the tensor.
	raw, _ := os.ReadFile(path)
	if _, err := runtime.LoadBytes(raw); err == nil {
		t.Errorf("LoadBytes of a model with external data and no folder succeeded")
	} else {
		t.Logf("LoadBytes: %v", err)
	}
}

// TestOlderEncodings: inputs declared without a shape or with unnamed
// unknown dimensions (as some converters write them), and weights stored
// in the typed fields (float_data, int64_data) instead of raw_data, as
// older exporters and Caffe2 did, in initializers and Constant nodes.
func TestOlderEncodings(t *testing.T) {
	dir := ortDir(t)
	tmp := t.TempDir()
	for _, fam := range []string{"efficientnet", "text_hf", "kws_lstm"} {
		t.Run(fam, func(t *testing.T) {
			b := buildFamily(t, fam, 11)
			feeds, err := b.feeds(3, 0xfeed)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := runORT(dir, writeModel(t, tmp, fam, b.model()), feeds)
			if err != nil {
				t.Fatalf("ONNX Runtime: %v", err)
			}
			typed := func(tn *onnxpb.Tensor) {
				v, err := onnxpb.TensorToValue(tn, tmp, onnxpb.Limits{})
				if err != nil {
					t.Fatal(err)
				}
				switch v.DType {
				case operators.Float32:
					tn.FloatData = append([]float32{}, v.F32()...)
				case operators.Int64:
					tn.Int64Data = append([]int64{}, v.I64()...)
				default:
					return
				}
				tn.RawData, tn.HasRawData = nil, false
			}
			for _, init := range b.g.Initializers {
				typed(init)
			}
			for _, n := range b.g.Nodes {
				for _, a := range n.Attributes {
					if a.T != nil {
						typed(a.T)
					}
				}
			}
			for i, in := range b.g.Inputs {
				tt := in.Type.Tensor
				if i == 0 {
					tt.Shape = nil
					continue
				}
				for j := range tt.Shape.Dims {
					tt.Shape.Dims[j] = onnxpb.Dim{}
				}
			}
			path := writeModel(t, tmp, fam+"_typed", b.model())
			sameOutputs(t, "typed fields, shapeless inputs", runOurs(t, path, feeds), ref)
			sameOutputs(t, "typed fields, shapeless inputs, no optimizations", runOurs(t, path, feeds, runtime.WithoutOptimizations()), ref)
			ortTyped, err := runORT(dir, path, feeds)
			if err != nil {
				t.Fatalf("ONNX Runtime on typed fields: %v", err)
			}
			sameOutputs(t, "ONNX Runtime on typed fields", ortTyped, ref)
		})
	}
}

// TestExporterNames: value names as exporters write them ("/blocks.0/
// attn/MatMul_output_0", "input.1", "onnx::Gemm_42", "x:0"), node names
// empty or all the same, and the nodes in reverse order (ONNX asks for a
// topological order; not every tool keeps it).
func TestExporterNames(t *testing.T) {
	dir := ortDir(t)
	tmp := t.TempDir()
	for _, fam := range []string{"vit", "kws_stream", "mixed"} {
		t.Run(fam, func(t *testing.T) {
			b := buildFamily(t, fam, 13)
			feeds, err := b.feeds(3, 0xfeed)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := runORT(dir, writeModel(t, tmp, fam, b.model()), feeds)
			if err != nil {
				t.Fatalf("ONNX Runtime: %v", err)
			}
			rename := map[string]string{}
			forms := []string{"/blocks.%d/attn/MatMul_output_0", "input.%d", "onnx::Gemm_%d", "x:%d", "%d"}
			keep := map[string]bool{}
			for _, in := range b.g.Inputs {
				keep[in.Name] = true
			}
			for _, o := range b.g.Outputs {
				keep[o.Name] = true
			}
			name := func(s string) string {
				if s == "" || keep[s] {
					return s
				}
				if r, ok := rename[s]; ok {
					return r
				}
				r := fmt.Sprintf(forms[len(rename)%len(forms)], len(rename))
				rename[s] = r
				return r
			}
			var walk func(g *onnxpb.Graph)
			walk = func(g *onnxpb.Graph) {
				for _, init := range g.Initializers {
					init.Name = name(init.Name)
				}
				for i, n := range g.Nodes {
					for j := range n.Inputs {
						n.Inputs[j] = name(n.Inputs[j])
					}
					for j := range n.Outputs {
						n.Outputs[j] = name(n.Outputs[j])
					}
					n.Name = []string{"", "node"}[i%2]
					for _, a := range n.Attributes {
						if a.G != nil {
							walk(a.G)
						}
					}
				}
				for _, o := range g.Outputs {
					o.Name = name(o.Name)
				}
			}
			walk(b.g)
			slices.Reverse(b.g.Nodes)
			path := writeModel(t, tmp, fam+"_names", b.model())
			sameOutputs(t, "exporter names, reversed nodes", runOurs(t, path, feeds), ref)
			sameOutputs(t, "exporter names, reversed nodes, no optimizations", runOurs(t, path, feeds, runtime.WithoutOptimizations()), ref)
		})
	}
}
