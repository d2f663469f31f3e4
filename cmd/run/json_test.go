package main

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryCommandJSON runs each subcommand with -json and checks that
// what it prints is JSON: one value, or (run test) a stream of values.
func TestEveryCommandJSON(t *testing.T) {
	model := filepath.Join(testdata, "softmax_axis1_opset13", "model.onnx")
	for _, args := range [][]string{
		{model, "-json"},
		{"test", "-json", filepath.Join(testdata, "softmax_axis1_opset13")},
		{"bench", "-json", "-n", "2", model},
		{"kernels", "-json"},
		{"info", "-json", model},
		{"coverage", "-json", filepath.Join(testdata, "softmax_axis1_opset13")},
		{"ops", "-json"},
	} {
		code, out, errOut := cmd(t, args...)
		if code != 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
			continue
		}
		d := json.NewDecoder(strings.NewReader(out))
		n := 0
		for {
			var v any
			err := d.Decode(&v)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%v: output is not JSON (%v):\n%.400s", args, err, out)
				break
			}
			n++
		}
		if n == 0 || !bytes.HasPrefix(bytes.TrimSpace([]byte(out)), []byte("{")) && !bytes.HasPrefix(bytes.TrimSpace([]byte(out)), []byte("[")) {
			t.Errorf("%v: no JSON value printed:\n%.400s", args, out)
		}
	}
}
