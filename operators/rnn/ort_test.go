package rnn_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	_ "github.com/onnxrun/onnxrun/operators/all"
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// TestAgainstORT compares single-node LSTM, GRU and RNN models with ONNX
// Runtime on the attributes the ONNX node tests leave out (clip,
// input_forget, activation parameters, sequence_lens with reverse
// directions). It runs the oracle script of the shared tools
// folder (node oracle.js): set ONNXRUN_ORT_DIR to a directory where that
// folder's setup.sh has run; without it the test is skipped.
func TestAgainstORT(t *testing.T) {
	ortDir := os.Getenv("ONNXRUN_ORT_DIR")
	if ortDir == "" {
		t.Skip("ONNXRUN_ORT_DIR is not set; point it at a directory where ../shared/tools/ort/setup.sh has run to compare with ONNX Runtime")
	}
	if _, err := os.Stat(filepath.Join(ortDir, "oracle.js")); err != nil {
		t.Skipf("ONNXRUN_ORT_DIR: %v", err)
	}
	type attr = *onnxpb.Attribute
	str := func(n, v string) attr {
		return &onnxpb.Attribute{Name: n, Type: onnxpb.AttributeType(operators.AttrString), S: []byte(v)}
	}
	strs := func(n string, v ...string) attr {
		a := &onnxpb.Attribute{Name: n, Type: onnxpb.AttributeType(operators.AttrStrings)}
		for _, s := range v {
			a.Strings = append(a.Strings, []byte(s))
		}
		return a
	}
	flt := func(n string, v float32) attr {
		return &onnxpb.Attribute{Name: n, Type: onnxpb.AttributeType(operators.AttrFloat), F: v}
	}
	flts := func(n string, v ...float32) attr {
		return &onnxpb.Attribute{Name: n, Type: onnxpb.AttributeType(operators.AttrFloats), Floats: v}
	}
	int_ := func(n string, v int64) attr {
		return &onnxpb.Attribute{Name: n, Type: onnxpb.AttributeType(operators.AttrInt), I: v}
	}
	const S, B, I, H = 5, 3, 4, 3
	cases := []struct {
		name   string
		op     string
		opset  int64
		dirs   int
		layout int
		inputs []string // which optional inputs are present, by name
		attrs  []attr
	}{
		{"lstm clip peepholes bidirectional lens", "LSTM", 7, 2, 0, []string{"B", "sequence_lens", "initial_h", "initial_c", "P"}, []attr{flt("clip", 0.5), str("direction", "bidirectional")}},
		{"lstm input_forget", "LSTM", 7, 1, 0, []string{"B", "initial_h", "initial_c", "P"}, []attr{int_("input_forget", 1)}},
		{"lstm activations", "LSTM", 7, 2, 0, []string{"B"}, []attr{str("direction", "bidirectional"),
			strs("activations", "HardSigmoid", "LeakyRelu", "ScaledTanh", "Sigmoid", "Affine", "Softsign"),
			flts("activation_alpha", 0.3, 0.2, 0.9, 0.6), flts("activation_beta", 0.4, 1.3, 0.1)}},
		// ONNX Runtime refuses layout 1 ("Batchwise recurrent operations
		// are not supported"); the node tests *_batchwise cover it.
		{"lstm reverse lens", "LSTM", 14, 1, 0, []string{"B", "sequence_lens", "initial_h", "initial_c"}, []attr{str("direction", "reverse")}},
		{"gru linear_before_reset reverse lens", "GRU", 7, 1, 0, []string{"B", "sequence_lens", "initial_h"}, []attr{int_("linear_before_reset", 1), str("direction", "reverse")}},
		{"gru bidirectional clip", "GRU", 7, 2, 0, []string{"B", "sequence_lens", "initial_h"}, []attr{flt("clip", 0.4), str("direction", "bidirectional")}},
		{"gru activations", "GRU", 7, 1, 0, []string{"B"}, []attr{strs("activations", "HardSigmoid", "Elu"), flts("activation_alpha", 0.25, 0.7), flts("activation_beta", 0.5)}},
		{"rnn thresholded relu bidirectional lens", "RNN", 7, 2, 0, []string{"B", "sequence_lens", "initial_h"}, []attr{str("direction", "bidirectional"),
			strs("activations", "ThresholdedRelu", "Softplus"), flts("activation_alpha", 0.1)}},
	}
	dir := t.TempDir()
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewSource(int64(ci + 1)))
			G := map[string]int{"LSTM": 4, "GRU": 3, "RNN": 1}[c.op]
			D := c.dirs
			shapes := map[string][]int{"X": {S, B, I}, "W": {D, G * H, I}, "R": {D, G * H, H}, "B": {D, 2 * G * H},
				"sequence_lens": {B}, "initial_h": {D, B, H}, "initial_c": {D, B, H}, "P": {D, 3 * H}}
			if c.layout == 1 {
				shapes["X"], shapes["initial_h"], shapes["initial_c"] = []int{B, S, I}, []int{B, D, H}, []int{B, D, H}
			}
			order := []string{"X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"}
			present := map[string]bool{"X": true, "W": true, "R": true}
			for _, n := range c.inputs {
				present[n] = true
			}
			node := &onnxpb.Node{Name: "n", OpType: c.op, Attributes: append(c.attrs, int_("hidden_size", H))}
			g := &onnxpb.Graph{Name: "g", Nodes: []*onnxpb.Node{node}}
			feeds := map[string]*operators.Value{}
			spec := map[string]any{}
			last := 0
			for i, n := range order {
				if present[n] {
					last = i
				}
			}
			for _, n := range order[:last+1] {
				if !present[n] {
					node.Inputs = append(node.Inputs, "")
					continue
				}
				node.Inputs = append(node.Inputs, n)
				dt := operators.Float32
				if n == "sequence_lens" {
					dt = operators.Int32
				}
				g.Inputs = append(g.Inputs, &onnxpb.ValueInfo{Name: n, Type: &onnxpb.Type{Tensor: &onnxpb.TensorType{ElemType: int32(dt)}}})
				v, _ := operators.NewValue(dt, shapes[n])
				var data []any
				for j := 0; j < v.Len(); j++ {
					if dt == operators.Int32 {
						l := int32(1 + r.Intn(S)) // 1..S: ORT rejects 0
						v.I32()[j] = l
						data = append(data, l)
					} else {
						x := float32(r.Float64()*2 - 1)
						v.F32()[j] = x
						data = append(data, x)
					}
				}
				feeds[n] = v
				spec[n] = map[string]any{"type": map[operators.DType]string{operators.Float32: "float32", operators.Int32: "int32"}[dt], "dims": shapes[n], "data": data}
			}
			outs := []string{"Y", "Y_h"}
			if c.op == "LSTM" {
				outs = append(outs, "Y_c")
			}
			node.Outputs = outs
			for _, n := range outs {
				g.Outputs = append(g.Outputs, &onnxpb.ValueInfo{Name: n, Type: &onnxpb.Type{Tensor: &onnxpb.TensorType{ElemType: int32(operators.Float32)}}})
			}
			m := &onnxpb.Model{IRVersion: 8, OpsetImport: []onnxpb.OperatorSetID{{Version: c.opset}}, Graph: g}
			mp := filepath.Join(dir, fmt.Sprintf("case%d.onnx", ci))
			ip := filepath.Join(dir, fmt.Sprintf("case%d.json", ci))
			b, _ := json.Marshal(spec)
			if err := os.WriteFile(mp, onnxpb.EncodeModel(m), 0o644); err != nil {
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
			var res map[string]struct{ Data []float64 }
			if err := json.Unmarshal(ortOut, &res); err != nil {
				t.Fatalf("ONNX Runtime output: %v", err)
			}
			s, err := runtime.LoadModel(m, dir)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.RunValues(context.Background(), feeds)
			if err != nil {
				t.Fatal(err)
			}
			// ONNX Runtime's float32 activations are approximations
			// (MLAS); 2e-6 absolute plus 1e-5 relative covers them.
			for _, n := range outs {
				want := res[n].Data
				have := got[n].F32()
				if len(have) != len(want) {
					t.Fatalf("%s: %d elements, ONNX Runtime has %d", n, len(have), len(want))
				}
				for j := range want {
					if e := math.Abs(float64(have[j]) - want[j]); e > 2e-6+1e-5*math.Abs(want[j]) {
						t.Errorf("%s[%d] = %v, ONNX Runtime %v (err %.3g)", n, j, have[j], want[j], e)
						break
					}
				}
			}
		})
	}
}
