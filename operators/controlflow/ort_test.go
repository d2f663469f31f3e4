package controlflow_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// TestAgainstORT runs Loop and Scan corner cases through ONNX Runtime's
// oracle script (node oracle.js of the shared tools folder) and compares
// shapes and values. Set ONNXRUN_ORT_DIR to a directory where that
// folder's setup.sh has run; without it the test is skipped.
func TestAgainstORT(t *testing.T) {
	ortDir := os.Getenv("ONNXRUN_ORT_DIR")
	if ortDir == "" {
		t.Skip("ONNXRUN_ORT_DIR is not set; point it at a directory where ../shared/tools/ort/setup.sh has run to compare with ONNX Runtime")
	}
	if _, err := os.Stat(filepath.Join(ortDir, "oracle.js")); err != nil {
		t.Skipf("ONNXRUN_ORT_DIR: %v", err)
	}
	accBody := func() *onnxpb.Graph {
		return &onnxpb.Graph{
			Name:    "body",
			Nodes:   []*onnxpb.Node{nd("Add", []string{"acc_in", "v"}, []string{"acc_out"}), nd("Identity", []string{"acc_out"}, []string{"step"})},
			Inputs:  []*onnxpb.ValueInfo{vi("acc_in", operators.Float32, 2), vi("v", operators.Float32, 2)},
			Outputs: []*onnxpb.ValueInfo{vi("acc_out", operators.Float32, 2), vi("step", operators.Float32, 2)},
		}
	}
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12} // [3, 2, 2] or [2, 3, 2]
	cases := []struct {
		name  string
		m     *onnxpb.Model
		feeds map[string]*operators.Value
	}{
		{"scan9 reverse input, output axis 1 reversed", model(16, &onnxpb.Graph{
			Name: "main",
			Nodes: []*onnxpb.Node{nd("Scan", []string{"init", "x"}, []string{"final", "steps"}, gattr("body", accBody()),
				iattr("num_scan_inputs", 1), intsAttr("scan_input_directions", 1), intsAttr("scan_output_axes", 1), intsAttr("scan_output_directions", 1))},
			Inputs:  []*onnxpb.ValueInfo{vi("init", operators.Float32, 2), vi("x", operators.Float32, 3, 2)},
			Outputs: []*onnxpb.ValueInfo{vi("final", operators.Float32, 2), vi("steps", operators.Float32, 2, 3)},
		}), map[string]*operators.Value{"init": val([]int{2}, float32(0.5), -1), "x": val([]int{3, 2}, x[:6]...)}},
		{"scan8 reverse with sequence_lens", model(8, &onnxpb.Graph{
			Name: "main",
			Nodes: []*onnxpb.Node{nd("Scan", []string{"lens", "init", "x"}, []string{"final", "steps"}, gattr("body", accBody()),
				iattr("num_scan_inputs", 1), intsAttr("directions", 1))},
			Inputs:  []*onnxpb.ValueInfo{vi("lens", operators.Int64, 2), vi("init", operators.Float32, 2, 2), vi("x", operators.Float32, 2, 3, 2)},
			Outputs: []*onnxpb.ValueInfo{vi("final", operators.Float32, 2, 2), vi("steps", operators.Float32, 2, 3, 2)},
		}), map[string]*operators.Value{"lens": val([]int{2}, int64(3), 2), "init": val([]int{2, 2}, float32(0.5), -1, 2, 3), "x": val([]int{2, 3, 2}, x...)}},
		// ONNX Runtime fails on a Scan of zero steps ("Invalid
		// dim0_offset of 0"), so that case is tested only here.
		{"loop zero trips", countdown(true, true), map[string]*operators.Value{"M": val([]int{}, int64(0)), "cond": val([]int{}, true),
			"limit": val([]int{}, float32(10)), "s0": val([]int{1}, float32(2)), "k0": val([]int{1}, float32(1))}},
		{"loop negative trip count", countdown(true, true), map[string]*operators.Value{"M": val([]int{}, int64(-3)), "cond": val([]int{}, true),
			"limit": val([]int{}, float32(10)), "s0": val([]int{1}, float32(2)), "k0": val([]int{1}, float32(1))}},
		{"loop stops on cond", countdown(true, true), map[string]*operators.Value{"M": val([]int{}, int64(10)), "cond": val([]int{}, true),
			"limit": val([]int{}, float32(20)), "s0": val([]int{1}, float32(2)), "k0": val([]int{1}, float32(1))}},
	}
	dir := t.TempDir()
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := map[string]any{}
			for n, v := range c.feeds {
				var data []any
				typ := ""
				switch v.DType {
				case operators.Float32:
					typ = "float32"
					for _, f := range v.F32() {
						data = append(data, f)
					}
				case operators.Int64:
					typ = "int64"
					for _, f := range v.I64() {
						data = append(data, f)
					}
				case operators.Bool:
					typ = "bool"
					for _, f := range v.Bools() {
						data = append(data, map[bool]int{true: 1}[f])
					}
				}
				if data == nil {
					data = []any{}
				}
				dims := append([]int{}, v.Shape...) // a scalar's dims are [], not null
				spec[n] = map[string]any{"type": typ, "dims": dims, "data": data}
			}
			mp := filepath.Join(dir, fmt.Sprintf("case%d.onnx", ci))
			ip := filepath.Join(dir, fmt.Sprintf("case%d.json", ci))
			b, _ := json.Marshal(spec)
			if err := os.WriteFile(mp, onnxpb.EncodeModel(c.m), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(ip, b, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("node", filepath.Join(ortDir, "oracle.js"), mp, ip)
			cmd.Dir = ortDir
			var stderr strings.Builder
			cmd.Stderr = &stderr
			ortOut, err := cmd.Output()
			if err != nil {
				t.Fatalf("ONNX Runtime: %v: %s", err, stderr.String())
			}
			var res map[string]struct {
				Type string
				Dims []int
				Data []any
			}
			if err := json.Unmarshal(ortOut, &res); err != nil {
				t.Fatalf("ONNX Runtime output: %v", err)
			}
			s, err := runtime.LoadModel(c.m, dir)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.RunValues(context.Background(), c.feeds)
			if err != nil {
				t.Fatal(err)
			}
			for n, want := range res {
				v := got[n]
				var have []string
				for j := 0; j < v.Len(); j++ {
					switch v.DType {
					case operators.Float32:
						have = append(have, fmt.Sprint(v.F32()[j]))
					case operators.Int64:
						have = append(have, fmt.Sprint(v.I64()[j]))
					}
				}
				var w []string
				for _, d := range want.Data {
					w = append(w, fmt.Sprint(d))
				}
				if !slices.Equal(v.Shape, want.Dims) || !slices.Equal(have, w) {
					t.Errorf("%s = %v %v, ONNX Runtime %s %v %v", n, v, have, want.Type, want.Dims, w)
				}
			}
		})
	}
}
