package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/npy"
)

const testdata = "../../models/testdata"

var classifier = filepath.Join(testdata, "softmax_classifier_opset11", "model.onnx")

// cmd runs the CLI in-process and returns its exit status and output.
func cmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestModelTop(t *testing.T) {
	code, out, errOut := cmd(t, classifier, "-top", "3")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	// The model's test_data_set_0 is used; its expected output (written by
	// models/gen from a float64 reference) puts class 14 first with
	// probability 0.5646, then 22 (0.2087) and 20 (0.0388).
	for _, want := range []string{
		"test_data_set_0/input_0.pb",
		`output "probabilities" float32[1,2,3,4]`,
		"#1 class 14 [1,0,2] p=0.5646",
		"#2 class 22 [1,2,2] p=0.2087",
		"#3 class 20 [1,2,0] p=0.0388",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "softmax for display") {
		t.Errorf("probabilities were treated as logits:\n%s", out)
	}
}

func TestModelTopLogits(t *testing.T) {
	// LogSoftmax outputs are log-probabilities: shown through exp.
	code, out, errOut := cmd(t, filepath.Join(testdata, "logsoftmax_classifier_opset13", "model.onnx"), "-top", "1")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "log-probabilities") || strings.Count(out, "#1 class") != 2 {
		t.Errorf("want one top class per row of 2, with a note on log-probabilities:\n%s", out)
	}
}

func TestModelValuesAndOutputs(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(testdata, "manual_softmax_opset13", "model.onnx")
	if code, _, _ := cmd(t, model); code != 0 {
		model = filepath.Join(testdata, "softmax_axis1_opset13", "model.onnx") // uses only Softmax
	}
	code, out, errOut := cmd(t, "-output", dir, "-format", "npy", model)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !regexp.MustCompile(`\[[0-9.e-]+ [0-9.e-]+ `).MatchString(out) {
		t.Errorf("no values printed:\n%s", out)
	}
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) == 0 {
		t.Fatalf("nothing written to %s: %v", dir, err)
	}
	v, err := npy.ReadFile(filepath.Join(dir, ents[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	if v.DType != operators.Float32 || v.Len() == 0 {
		t.Errorf("written output is %v", v)
	}
	// The same output as .pb.
	if code, _, errOut := cmd(t, "-output", dir, model); code != 0 {
		t.Fatalf("-output as .pb: exit %d, %s", code, errOut)
	}
	pbs, _ := filepath.Glob(filepath.Join(dir, "*.pb"))
	if len(pbs) == 0 {
		t.Error("no .pb output written")
	}
}

func TestModelInputs(t *testing.T) {
	dir := t.TempDir()
	// A .npy input of the right shape, given with and without NAME=.
	good, _ := operators.NewValue(operators.Float32, []int{1, 2, 3, 4})
	good.F32()[5] = 10 // class 5 dominates
	goodPath := filepath.Join(dir, "good.npy")
	if err := npy.WriteFile(goodPath, good); err != nil {
		t.Fatal(err)
	}
	bad, _ := operators.NewValue(operators.Float32, []int{1, 2, 12})
	badPath := filepath.Join(dir, "bad.npy")
	if err := npy.WriteFile(badPath, bad); err != nil {
		t.Fatal(err)
	}
	i64, _ := operators.NewValue(operators.Int64, []int{1, 2, 3, 4})
	i64Path := filepath.Join(dir, "i64.npy")
	if err := npy.WriteFile(i64Path, i64); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		args    []string
		code    int
		out     string // substring of stdout
		errText string // substring of stderr
	}{
		{"named npy", []string{classifier, "-input", "x=" + goodPath}, 0, "from " + goodPath, ""},
		{"unnamed npy", []string{classifier, "-input", goodPath}, 0, "from " + goodPath, ""},
		{"pb input", []string{classifier, "-input", "x=" + filepath.Join(testdata, "softmax_classifier_opset11", "test_data_set_1", "input_0.pb")}, 0, "test_data_set_1", ""},
		{"mis-shaped", []string{classifier, "-input", "x=" + badPath}, 1, "", `run: input "x": expected shape [1,2,3,4], got [1,2,12]`},
		{"wrong dtype", []string{classifier, "-input", "x=" + i64Path}, 1, "", `input "x": expected float32, got int64`},
		{"unknown name", []string{classifier, "-input", "y=" + goodPath}, 1, "", `input "y": the model has no such input (its inputs are "x")`},
		{"missing file", []string{classifier, "-input", "x=" + filepath.Join(dir, "nope.npy")}, 1, "", "no such file or directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := cmd(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.code, errOut)
			}
			if !strings.Contains(out, c.out) {
				t.Errorf("stdout lacks %q:\n%s", c.out, out)
			}
			if !strings.Contains(errOut, c.errText) {
				t.Errorf("stderr %q lacks %q", errOut, c.errText)
			}
		})
	}
	if code, out, _ := cmd(t, classifier, "-input", "x="+goodPath, "-top", "1"); code != 0 || !strings.Contains(out, "#1 class 5 ") {
		t.Errorf("with x[5] = 10 the top class should be 5:\n%s", out)
	}
}

// TestRandomInputs runs a copy of a model without its data sets: the
// inputs are seeded random data in the declared shape.
func TestRandomInputs(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(testdata, "softmax_symbolic_batch_opset13", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(model, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out1, errOut := cmd(t, model, "-seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out1, "random data (seed 3)") || !strings.Contains(out1, "float32[1,6]") {
		t.Errorf("want a random [1,6] input (batch taken as 1):\n%s", out1)
	}
	_, out2, _ := cmd(t, model, "-seed", "3")
	if out1 != out2 {
		t.Errorf("the same seed gave different outputs:\n%s\n%s", out1, out2)
	}
	_, out3, _ := cmd(t, model, "-seed", "4")
	if out1 == out3 {
		t.Error("seeds 3 and 4 gave the same output")
	}
}

func TestMissingInput(t *testing.T) {
	model := filepath.Join(testdata, "softmax_of_sum_opset13", "model.onnx")
	a := filepath.Join(testdata, "softmax_of_sum_opset13", "test_data_set_0", "input_0.pb")
	code, _, errOut := cmd(t, model, "-input", "a="+a)
	if code != 1 || errOut != "run: input \"b\" is missing: give it with -input b=FILE\n" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	// Without NAME= a two-input model cannot tell which input is meant.
	code, _, errOut = cmd(t, model, "-input", a)
	if code != 1 || !strings.Contains(errOut, `write NAME=FILE; the model's inputs are "a", "b"`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestMain lets a test run the command in a child process (for settings
// read once per process, such as ONNXRUN_ISA).
func TestMain(m *testing.M) {
	if os.Getenv("ONNXRUN_CLI_CHILD") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestKernelsBadISA(t *testing.T) {
	c := exec.Command(os.Args[0], "kernels")
	c.Env = append(os.Environ(), "ONNXRUN_CLI_CHILD=1", "ONNXRUN_ISA=bogus")
	var e bytes.Buffer
	c.Stderr = &e
	err := c.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("ONNXRUN_ISA=bogus: %v, want exit status 1", err)
	}
	if !strings.HasPrefix(e.String(), "run: ") || !strings.Contains(e.String(), "bogus") {
		t.Errorf("stderr %q, want an error naming the value", e.String())
	}
}

func TestModelErrors(t *testing.T) {
	dir := t.TempDir()
	full, err := os.ReadFile(classifier)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := write("truncated.onnx", full[:len(full)/2])
	empty := write("empty.onnx", nil)
	garbage := write("garbage.onnx", []byte("this is not a protobuf message \xff\xff\xff"))
	cases := []struct {
		name, model, want string
	}{
		{"missing file", "x.onnx", `run: model "x.onnx": open x.onnx: no such file or directory`},
		{"truncated", truncated, `run: model "` + truncated + `": `},
		{"empty", empty, `run: model "` + empty + `": `},
		{"garbage", garbage, `run: model "` + garbage + `": `},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := cmd(t, c.model)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.HasPrefix(errOut, c.want) {
				t.Errorf("stderr %q, want it to start with %q", errOut, c.want)
			}
			if strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("want a one-line error, got %q", errOut)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"help"}, {"--help"}} {
		code, out, _ := cmd(t, args...)
		if code != 0 || !strings.Contains(out, "run test") || !strings.Contains(out, "run bench") || !strings.Contains(out, "run kernels") {
			t.Errorf("%v: exit %d, usage:\n%s", args, code, out)
		}
	}
	if code, _, errOut := cmd(t); code != 2 || !strings.Contains(errOut, "Usage") {
		t.Errorf("no arguments: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := cmd(t, classifier, "-nosuchflag"); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	var o, e bytes.Buffer
	if code := runAs("onnxrun", []string{"x.onnx"}, &o, &e); code != 1 || !strings.HasPrefix(e.String(), "onnxrun: ") {
		t.Errorf("built as onnxrun: exit %d, stderr %q", code, e.String())
	}
}

var summaryLine = regexp.MustCompile(`^(\d+) passed, (\d+) failed, (\d+) skipped$`)

func TestTestCommand(t *testing.T) {
	code, out, errOut := cmd(t, "test", testdata)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	m := summaryLine.FindStringSubmatch(last)
	if m == nil {
		t.Fatalf("last line %q is not the summary line; stderr %q", last, errOut)
	}
	if want := 0; (m[2] != "0") != (code != 0) {
		t.Errorf("exit %d with %s failed (want %d iff none failed)", code, m[2], want)
	}
	for _, l := range lines[:len(lines)-1] {
		if !regexp.MustCompile(`^(PASS|FAIL|SKIP) [a-z0-9_]+($|: )`).MatchString(l) {
			t.Errorf("bad result line %q", l)
		}
	}
	if !strings.Contains(out, "PASS softmax_classifier_opset11\n") {
		t.Errorf("softmax_classifier_opset11 did not pass:\n%s", out)
	}
}

func TestTestCommandFailure(t *testing.T) {
	// A test folder whose expected output is another model's: it must
	// fail, name the output, and exit 1.
	dir := t.TempDir()
	src := filepath.Join(testdata, "softmax_classifier_opset11")
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(filepath.Join(src, "model.onnx"), filepath.Join(dir, "broken", "model.onnx"))
	copyFile(filepath.Join(src, "test_data_set_0", "input_0.pb"), filepath.Join(dir, "broken", "test_data_set_0", "input_0.pb"))
	copyFile(filepath.Join(src, "test_data_set_1", "output_0.pb"), filepath.Join(dir, "broken", "test_data_set_0", "output_0.pb"))
	code, out, _ := cmd(t, "test", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !regexp.MustCompile(`(?m)^FAIL broken: output "probabilities" \(test_data_set_0\): worst abs err \S+, rel err \S+ at \[\d+,\d+,\d+,\d+\] \(flat \d+; got \S+, want \S+\)`).MatchString(out) {
		t.Errorf("no FAIL line with the worst element:\n%s", out)
	}
	if !strings.HasSuffix(out, "0 passed, 1 failed, 0 skipped\n") {
		t.Errorf("summary:\n%s", out)
	}
	// A loose enough tolerance passes it.
	if code, out, _ := cmd(t, "test", "-atol", "1", dir); code != 0 || !strings.Contains(out, "PASS broken") {
		t.Errorf("-atol 1: exit %d:\n%s", code, out)
	}
}

func TestTestFilterQuiet(t *testing.T) {
	code, out, _ := cmd(t, "test", "-run", "^softmax_(axis1|float64)", testdata)
	if code != 0 || out != "PASS softmax_axis1_opset13\nPASS softmax_float64_opset13\n2 passed, 0 failed, 0 skipped\n" {
		t.Errorf("-run: exit %d:\n%s", code, out)
	}
	code, out, _ = cmd(t, "test", "-q", "-run", "^softmax_classifier", testdata)
	if code != 0 || out != "1 passed, 0 failed, 0 skipped\n" {
		t.Errorf("-q: exit %d:\n%s", code, out)
	}
	if code, _, errOut := cmd(t, "test", "-run", "nomatch", testdata); code != 1 || !strings.Contains(errOut, "matches none") {
		t.Errorf("-run without a match: exit %d, %q", code, errOut)
	}
}

func TestTestJSON(t *testing.T) {
	code, out, errOut := cmd(t, "test", "-json", "-coverage", testdata)
	if code != 0 && code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	var n int
	var last map[string]any
	for dec.More() {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			t.Fatalf("object %d does not parse: %v\n%s", n, err, out)
		}
		if _, ok := obj["summary"]; !ok {
			if obj["name"] == nil || obj["status"] == nil {
				t.Errorf("test object without name or status: %v", obj)
			}
		}
		last = obj
		n++
	}
	sum, ok := last["summary"].(map[string]any)
	if !ok {
		t.Fatalf("last object is not a summary: %v", last)
	}
	total := sum["passed"].(float64) + sum["failed"].(float64) + sum["skipped"].(float64)
	if int(total) != n-1 {
		t.Errorf("summary counts %v tests, %d were printed", total, n-1)
	}
	if last["coverage"] == nil {
		t.Error("-coverage added no coverage to the summary")
	}
}

func TestTestErrors(t *testing.T) {
	if code, _, errOut := cmd(t, "test", "/nonexistent/dir"); code != 1 || !strings.Contains(errOut, "no such file") {
		t.Errorf("missing path: exit %d, %q", code, errOut)
	}
	if code, _, _ := cmd(t, "test"); code != 2 {
		t.Errorf("no path: exit %d, want 2", code)
	}
	if code, _, errOut := cmd(t, "test", t.TempDir()); code != 1 || !strings.Contains(errOut, "no tests found") {
		t.Errorf("empty folder: exit %d, %q", code, errOut)
	}
}

func TestTestCoverage(t *testing.T) {
	_, out, _ := cmd(t, "test", "-coverage", testdata)
	if !regexp.MustCompile(`(?m)^Softmax +\d+ +\d+ +\d+ +\d+ +\d+$`).MatchString(out) {
		t.Errorf("no Softmax row in the coverage table:\n%s", out)
	}
}

func TestBench(t *testing.T) {
	code, out, errOut := cmd(t, "bench", "-n", "3", "-json", classifier)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		Model                  string
		Runs, Threads          int
		MedianNS, MinNS, MaxNS int64
		AllocsPerRun           float64
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var raw map[string]any
	_ = json.Unmarshal([]byte(out), &raw)
	for _, k := range []string{"model", "runs", "threads", "median_ns", "min_ns", "max_ns", "allocs_per_run"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("bench JSON lacks %q: %s", k, out)
		}
	}
	if raw["runs"].(float64) != 3 || raw["min_ns"].(float64) > raw["median_ns"].(float64) || raw["median_ns"].(float64) > raw["max_ns"].(float64) {
		t.Errorf("inconsistent timings: %s", out)
	}
	code, out, _ = cmd(t, "bench", "-n", "2", classifier)
	if code != 0 || !strings.Contains(out, "median") || !strings.Contains(out, "allocs/run") {
		t.Errorf("text output: exit %d:\n%s", code, out)
	}
	if code, _, errOut := cmd(t, "bench", "missing.onnx"); code != 1 || !strings.Contains(errOut, `model "missing.onnx"`) {
		t.Errorf("missing model: exit %d, %q", code, errOut)
	}
}

func TestKernels(t *testing.T) {
	code, out, errOut := cmd(t, "kernels")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"features:", "active level:", "MaxF32"} {
		if !strings.Contains(out, want) {
			t.Errorf("kernels output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = cmd(t, "-kernels", "-json")
	var k struct {
		Level   string `json:"level"`
		Entries []struct{ Name, Level string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &k) != nil || k.Level == "" || len(k.Entries) == 0 {
		t.Errorf("-kernels -json: exit %d, %s", code, out)
	}
	code, out, _ = cmd(t, "kernels", "-levels")
	if code != 0 || !strings.HasPrefix(out, "generic\n") {
		t.Errorf("-levels: exit %d, %q", code, out)
	}
}

func TestModelFolder(t *testing.T) {
	code, out, errOut := cmd(t, filepath.Join(testdata, "softmax_classifier_opset11"), "-top", "1")
	if code != 0 || !strings.Contains(out, "#1 class 14 ") {
		t.Errorf("a test folder as the model: exit %d, %s%s", code, out, errOut)
	}
	code, _, errOut = cmd(t, testdata)
	if code != 1 || !strings.Contains(errOut, "holding 0 .onnx files") {
		t.Errorf("a folder without a model: exit %d, %q", code, errOut)
	}
}

func TestModelJSON(t *testing.T) {
	code, out, errOut := cmd(t, classifier, "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Model   string
		Outputs []struct {
			Name   string
			DType  string
			Shape  []int
			Values []float64
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(doc.Outputs) != 1 || doc.Outputs[0].Name != "probabilities" || doc.Outputs[0].DType != "float32" || len(doc.Outputs[0].Values) != 24 {
		t.Fatalf("outputs %+v", doc.Outputs)
	}
	sum := 0.0
	for _, v := range doc.Outputs[0].Values {
		sum += v
	}
	// 24 float32 probabilities sum to 1 within a few float32 roundings.
	if sum < 1-1e-5 || sum > 1+1e-5 {
		t.Errorf("probabilities sum to %v, want 1", sum)
	}
}

func TestCoverageCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "COVERAGE.md")
	code, _, errOut := cmd(t, "coverage", "-o", out, testdata)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^\| Softmax \| \d+ \| \d+ \| 0 \| \d+ \| \d+ \|$`).Match(b) {
		t.Errorf("no Softmax row:\n%s", b)
	}
	t.Setenv("ONNXRUN_TESTDATA", "")
	if code, _, errOut := cmd(t, "coverage"); code != 1 || !strings.Contains(errOut, "ONNXRUN_TESTDATA is not set") {
		t.Errorf("without ONNXRUN_TESTDATA: exit %d, %q", code, errOut)
	}
}

func TestInfo(t *testing.T) {
	code, out, errOut := cmd(t, "info", filepath.Join(testdata, "softmax_symbolic_batch_opset13", "model.onnx"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"opsets ai.onnx:13", `input  "x" float32[batch,6]`, `output "y" float32[batch,6]`, "operators (subgraphs included) Div:1 Softmax:1", "onnxrun: loads"} {
		if !strings.Contains(out, want) {
			t.Errorf("info lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := cmd(t, "info", "missing.onnx"); code != 1 || !strings.Contains(errOut, `model "missing.onnx"`) {
		t.Errorf("missing model: exit %d, %q", code, errOut)
	}
}
