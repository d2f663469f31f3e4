package ortdiff

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	_ "github.com/onnxrun/onnxrun/operators/all"
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

type tin struct {
	name  string
	dt    operators.DType
	shape []int
	data  []float64
}

type tcase struct {
	name string
	// differs, when set, says why onnxrun's answer is not ONNX Runtime's;
	// the case is then only logged.
	differs string
	op      string
	opset   int64
	attrs   []*onnxpb.Attribute
	ins     []tin
	outDT   []operators.DType
}

var jsType = map[operators.DType]string{operators.Float32: "float32", operators.Float64: "float64", operators.Int32: "int32", operators.Int64: "int64", operators.Uint8: "uint8", operators.Int8: "int8", operators.Bool: "bool"}

func vi(name string, dt operators.DType) *onnxpb.ValueInfo {
	return &onnxpb.ValueInfo{Name: name, Type: &onnxpb.Type{Tensor: &onnxpb.TensorType{ElemType: int32(dt)}}}
}

func TestAgainstONNXRuntime(t *testing.T) {
	ortDir := os.Getenv("ONNXRUN_ORT_DIR")
	if ortDir == "" {
		t.Skip("ONNXRUN_ORT_DIR is not set; point it at a directory where ../shared/tools/ort/setup.sh has run to compare with ONNX Runtime")
	}
	if _, err := os.Stat(filepath.Join(ortDir, "oracle.js")); err != nil {
		t.Skipf("ONNXRUN_ORT_DIR: %v", err)
	}
	nan := math.NaN()
	fi := func(n string, v float64) *onnxpb.Attribute { return &onnxpb.Attribute{Name: n, Type: 1, F: float32(v)} }
	ii := func(n string, v int64) *onnxpb.Attribute { return &onnxpb.Attribute{Name: n, Type: 2, I: v} }
	iis := func(n string, v ...int64) *onnxpb.Attribute { return &onnxpb.Attribute{Name: n, Type: 7, Ints: v} }
	f32 := operators.Float32
	cases := []tcase{
		{"max_nan", "", "Max", 13, nil, []tin{{"a", f32, []int{3}, []float64{nan, 1, 2}}, {"b", f32, []int{3}, []float64{1, nan, 3}}}, []operators.DType{f32}},
		{"min_nan", "", "Min", 13, nil, []tin{{"a", f32, []int{3}, []float64{nan, 1, 2}}, {"b", f32, []int{3}, []float64{1, nan, 3}}}, []operators.DType{f32}},
		{"relu_nan", "", "Relu", 14, nil, []tin{{"a", f32, []int{3}, []float64{nan, -1, 2}}}, []operators.DType{f32}},
		{"clip_inverted", "", "Clip", 13, nil, []tin{{"a", f32, []int{3}, []float64{0, 1.5, 5}}, {"lo", f32, []int{}, []float64{2}}, {"hi", f32, []int{}, []float64{1}}}, []operators.DType{f32}},
		{"clip_nan", "", "Clip", 13, nil, []tin{{"a", f32, []int{2}, []float64{nan, 5}}, {"lo", f32, []int{}, []float64{0}}, {"hi", f32, []int{}, []float64{1}}}, []operators.DType{f32}},
		{"round", "", "Round", 11, nil, []tin{{"a", f32, []int{6}, []float64{0.5, 1.5, 2.5, -0.5, -1.5, 2.4999}}}, []operators.DType{f32}},
		{"cast_f_i32", "", "Cast", 13, []*onnxpb.Attribute{ii("to", 6)}, []tin{{"a", f32, []int{4}, []float64{-1.5, 1.5, 2.7, -2.7}}}, []operators.DType{operators.Int32}},
		{"cast_f_u8", "", "Cast", 13, []*onnxpb.Attribute{ii("to", 2)}, []tin{{"a", f32, []int{3}, []float64{255.9, 0.9, 7}}}, []operators.DType{operators.Uint8}},
		{"cast_f_bool", "", "Cast", 13, []*onnxpb.Attribute{ii("to", 9)}, []tin{{"a", f32, []int{4}, []float64{0, nan, -0.0, 1e-40}}}, []operators.DType{operators.Bool}},
		{"reducemax_empty", "", "ReduceMax", 13, []*onnxpb.Attribute{iis("axes", 0)}, []tin{{"a", f32, []int{0, 3}, nil}}, []operators.DType{f32}},
		{"reducesum_empty", "", "ReduceSum", 13, nil, []tin{{"a", f32, []int{0, 3}, nil}, {"ax", operators.Int64, []int{1}, []float64{0}}}, []operators.DType{f32}},
		{"reducemean_empty", "onnxrun gives 0/0 = NaN as numpy; ONNX Runtime gives 0", "ReduceMean", 13, []*onnxpb.Attribute{iis("axes", 0)}, []tin{{"a", f32, []int{0, 3}, nil}}, []operators.DType{f32}},
		{"reducemax_nan", "onnxrun propagates NaN as numpy; ONNX Runtime skips a NaN after the first element", "ReduceMax", 13, []*onnxpb.Attribute{iis("axes", 1)}, []tin{{"a", f32, []int{2, 3}, []float64{1, nan, 3, 4, 5, 6}}}, []operators.DType{f32}},
		{"reducelse_inf", "", "ReduceLogSumExp", 13, []*onnxpb.Attribute{iis("axes", 1)}, []tin{{"a", f32, []int{2, 2}, []float64{math.Inf(1), 1, math.Inf(-1), math.Inf(-1)}}}, []operators.DType{f32}},
		{"argmax_nan", "", "ArgMax", 13, nil, []tin{{"a", f32, []int{3}, []float64{1, nan, 2}}}, []operators.DType{operators.Int64}},
		{"argmax_nan_first", "", "ArgMax", 13, nil, []tin{{"a", f32, []int{3}, []float64{nan, 1, 2}}}, []operators.DType{operators.Int64}},
		{"topk_nan", "onnxrun ranks NaN above every number; ONNX Runtime places it by an inconsistent comparison", "TopK", 11, nil, []tin{{"a", f32, []int{4}, []float64{1, nan, 3, 3}}, {"k", operators.Int64, []int{1}, []float64{4}}}, []operators.DType{f32, operators.Int64}},
		{"topk_small_nan", "", "TopK", 11, []*onnxpb.Attribute{ii("largest", 0)}, []tin{{"a", f32, []int{4}, []float64{1, nan, 3, 3}}, {"k", operators.Int64, []int{1}, []float64{4}}}, []operators.DType{f32, operators.Int64}},
		{"sigmoid_far", "onnxrun keeps tiny results (sigmoid(-20) = 2e-9); ONNX Runtime flushes them to 0", "Sigmoid", 13, nil, []tin{{"a", f32, []int{4}, []float64{-100, -88, 100, -20}}}, []operators.DType{f32}},
		{"quant_nan", "", "QuantizeLinear", 13, nil, []tin{{"a", f32, []int{3}, []float64{nan, 1e10, -1e10}}, {"s", f32, []int{}, []float64{1}}, {"z", operators.Uint8, []int{}, []float64{128}}}, []operators.DType{operators.Uint8}},
		{"pow_int", "", "Pow", 15, nil, []tin{{"a", operators.Int64, []int{3}, []float64{-2, 2, 3}}, {"b", operators.Int64, []int{3}, []float64{-1, 10, 0}}}, []operators.DType{operators.Int64}},
		{"pow_f_int", "", "Pow", 15, nil, []tin{{"a", f32, []int{3}, []float64{-2, 2, 0.5}}, {"b", operators.Int64, []int{3}, []float64{3, -2, 2}}}, []operators.DType{f32}},
		{"sign_nan", "", "Sign", 13, nil, []tin{{"a", f32, []int{3}, []float64{nan, -0.0, -3}}}, []operators.DType{f32}},
		{"mod_int", "", "Mod", 13, nil, []tin{{"a", operators.Int32, []int{4}, []float64{-7, 7, -7, 7}}, {"b", operators.Int32, []int{4}, []float64{3, -3, -3, 3}}}, []operators.DType{operators.Int32}},
		{"div_int", "", "Div", 14, nil, []tin{{"a", operators.Int32, []int{4}, []float64{-7, 7, -7, 7}}, {"b", operators.Int32, []int{4}, []float64{2, -2, -2, 2}}}, []operators.DType{operators.Int32}},
		{"leaky", "", "LeakyRelu", 16, []*onnxpb.Attribute{fi("alpha", 0.1)}, []tin{{"a", f32, []int{3}, []float64{-3, 0.7, -0.33333334}}}, []operators.DType{f32}},
		{"gelu_like_erf", "", "Erf", 13, nil, []tin{{"a", f32, []int{3}, []float64{0.1, 1, 3}}}, []operators.DType{f32}},
		{"hardswish", "", "HardSwish", 14, nil, []tin{{"a", f32, []int{4}, []float64{-4, -1, 1, 4}}}, []operators.DType{f32}},
		{"softplus_big", "", "Softplus", 1, nil, []tin{{"a", f32, []int{3}, []float64{100, -100, 0}}}, []operators.DType{f32}},
		{"where_bcast", "", "Where", 16, nil, []tin{{"c", operators.Bool, []int{2, 1}, []float64{1, 0}}, {"x", f32, []int{3}, []float64{1, 2, 3}}, {"y", f32, []int{}, []float64{9}}}, []operators.DType{f32}},
		{"dynq", "", "DynamicQuantizeLinear", 11, nil, []tin{{"a", f32, []int{4}, []float64{0.1, 2.5, -1.3, 0}}}, []operators.DType{operators.Uint8, f32, operators.Uint8}},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			node := &onnxpb.Node{OpType: c.op, Attributes: c.attrs}
			g := &onnxpb.Graph{Name: "g", Nodes: []*onnxpb.Node{node}}
			spec := map[string]any{}
			feeds := map[string]*operators.Value{}
			for _, in := range c.ins {
				node.Inputs = append(node.Inputs, in.name)
				g.Inputs = append(g.Inputs, vi(in.name, in.dt))
				v, _ := operators.NewValue(in.dt, in.shape)
				data := []any{}
				for i, x := range in.data {
					switch in.dt {
					case operators.Float32:
						v.F32()[i] = float32(x)
					case operators.Int32:
						v.I32()[i] = int32(x)
					case operators.Int64:
						v.I64()[i] = int64(x)
					case operators.Uint8:
						v.U8()[i] = uint8(x)
					case operators.Bool:
						v.Bools()[i] = x != 0
					}
					if math.IsNaN(x) {
						data = append(data, "NaN")
					} else if math.IsInf(x, 1) {
						data = append(data, "Infinity")
					} else if math.IsInf(x, -1) {
						data = append(data, "-Infinity")
					} else {
						data = append(data, x)
					}
				}
				feeds[in.name] = v
				spec[in.name] = map[string]any{"type": jsType[in.dt], "dims": in.shape, "data": data}
			}
			for i, dt := range c.outDT {
				name := fmt.Sprintf("y%d", i)
				node.Outputs = append(node.Outputs, name)
				g.Outputs = append(g.Outputs, vi(name, dt))
			}
			m := &onnxpb.Model{IRVersion: 8, OpsetImport: []onnxpb.OperatorSetID{{Version: c.opset}}, Graph: g}
			mp := filepath.Join(dir, c.name+".onnx")
			os.WriteFile(mp, onnxpb.EncodeModel(m), 0o644)
			ip := filepath.Join(dir, c.name+".json")
			b, _ := json.Marshal(spec)
			os.WriteFile(ip, b, 0o644)
			cmd := exec.Command("node", filepath.Join(ortDir, "oracle.js"), mp, ip)
			cmd.Dir = ortDir
			ortOut, err := cmd.Output()
			var ortVals [][]float64
			ortRes := string(ortOut)
			if err != nil {
				ortRes = fmt.Sprintf("ORT error: %v %s", err, ortOut)
			} else {
				var res map[string]struct {
					Data []any
				}
				if err := json.Unmarshal(ortOut, &res); err != nil {
					t.Fatalf("ORT output %q: %v", ortOut, err)
				}
				ortRes = ""
				for i := range c.outDT {
					d := res[fmt.Sprintf("y%d", i)].Data
					ortRes += fmt.Sprint(d) + " "
					ortVals = append(ortVals, jsonFloats(d))
				}
			}
			var ourVals [][]float64
			ours := ""
			s, err := runtime.LoadModel(m, dir)
			if err != nil {
				ours = "error: " + err.Error()
			} else if outs, err := s.RunValues(context.Background(), feeds); err != nil {
				ours = "error: " + err.Error()
			} else {
				for i := range c.outDT {
					v := outs[fmt.Sprintf("y%d", i)]
					var xs []string
					var fs []float64
					for j := 0; j < v.Len(); j++ {
						xs = append(xs, fmtEl(v, j))
						f, _ := strconv.ParseFloat(fmtEl(v, j), 64)
						if v.DType == operators.Bool {
							f = map[string]float64{"true": 1}[fmtEl(v, j)]
						}
						fs = append(fs, f)
					}
					ours += fmt.Sprint(xs) + " "
					ourVals = append(ourVals, fs)
				}
			}
			if c.differs != "" {
				t.Logf("known difference (%s)\n  ORT:  %s\n  ours: %s", c.differs, ortRes, ours)
				return
			}
			if !agree(ortVals, ourVals) {
				t.Errorf("\n  ORT:  %s\n  ours: %s", ortRes, ours)
			}
		})
	}
}

func fmtEl(v *operators.Value, j int) string {
	switch v.DType {
	case operators.Float32:
		return strconv.FormatFloat(float64(v.F32()[j]), 'g', -1, 32)
	case operators.Int32:
		return fmt.Sprint(v.I32()[j])
	case operators.Int64:
		return fmt.Sprint(v.I64()[j])
	case operators.Uint8:
		return fmt.Sprint(v.U8()[j])
	case operators.Bool:
		return fmt.Sprint(v.Bools()[j])
	}
	return "?"
}

// jsonFloats reads the oracle's numbers ("NaN", "Infinity" and int64s as
// strings).
func jsonFloats(d []any) []float64 {
	out := make([]float64, len(d))
	for i, v := range d {
		switch x := v.(type) {
		case float64:
			out[i] = x
		case string:
			switch x {
			case "Infinity":
				out[i] = math.Inf(1)
			case "-Infinity":
				out[i] = math.Inf(-1)
			default:
				out[i], _ = strconv.ParseFloat(x, 64)
			}
		case bool:
			if x {
				out[i] = 1
			}
		}
	}
	return out
}

// agree compares with a float32-sized relative tolerance (ONNX Runtime's
// float32 kernels may round differently in the last place); NaN matches
// NaN and -0 matches 0.
func agree(a, b [][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j, x := range a[i] {
			y := b[i][j]
			switch {
			case math.IsNaN(x) || math.IsNaN(y):
				if !(math.IsNaN(x) && math.IsNaN(y)) {
					return false
				}
			case math.IsInf(x, 0) || math.IsInf(y, 0):
				if x != y {
					return false
				}
			case math.Abs(x-y) > 1e-6*math.Abs(x)+1e-30:
				return false
			}
		}
	}
	return true
}
