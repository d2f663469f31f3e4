package conformance

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onnxrun/onnxrun/operators"
)

func f32(t *testing.T, shape []int, x ...float32) *operators.Value {
	t.Helper()
	v, err := operators.FromSlice(x, shape)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCompare(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	tol := ONNXTolerance
	cases := []struct {
		name      string
		got, want *operators.Value
		ok        bool
		reason    string // substring of Mismatch.Reason
		index     []int
	}{
		{"equal", f32(t, []int{2}, 1, 2), f32(t, []int{2}, 1, 2), true, "", nil},
		// 1000 * 1e-3 + 1e-7 allows an error of 1.0000001.
		{"within rtol", f32(t, []int{1}, 1000.9), f32(t, []int{1}, 1000), true, "", nil},
		{"beyond rtol", f32(t, []int{1, 2}, 0, 1001.5), f32(t, []int{1, 2}, 0, 1000), false, "", []int{0, 1}},
		// Near zero only atol = 1e-7 is left.
		{"beyond atol", f32(t, []int{3}, 0, 0, 1e-6), f32(t, []int{3}, 0, 0, 0), false, "", []int{2}},
		{"nan equals nan", f32(t, []int{1}, nan), f32(t, []int{1}, nan), true, "", nil},
		{"nan vs number", f32(t, []int{1}, nan), f32(t, []int{1}, 1), false, "", []int{0}},
		{"inf equals inf", f32(t, []int{1}, inf), f32(t, []int{1}, inf), true, "", nil},
		{"inf vs -inf", f32(t, []int{1}, -inf), f32(t, []int{1}, inf), false, "", []int{0}},
		{"inf vs large", f32(t, []int{1}, math.MaxFloat32), f32(t, []int{1}, inf), false, "", []int{0}},
		{"shape", f32(t, []int{2, 1}, 1, 2), f32(t, []int{1, 2}, 1, 2), false, "shape [2 1], want [1 2]", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, _ := Compare(c.got, c.want, tol)
			if c.ok {
				if m != nil {
					t.Fatalf("mismatch %v, want none", m)
				}
				return
			}
			if m == nil {
				t.Fatal("no mismatch reported")
			}
			if !strings.Contains(m.Reason, c.reason) {
				t.Errorf("reason %q, want %q", m.Reason, c.reason)
			}
			if c.index != nil && !slices.Equal(m.MultiIndex, c.index) {
				t.Errorf("index %v, want %v", m.MultiIndex, c.index)
			}
		})
	}
}

func TestCompareTop1(t *testing.T) {
	got := f32(t, []int{2, 3}, 0.1, 0.7, 0.2, 0.5, 0.3, 0.2)
	want := f32(t, []int{2, 3}, 0.1, 0.8, 0.1, 0.3, 0.5, 0.2)
	m, _ := Compare(got, want, ONNXTolerance)
	if m == nil || m.Top1 != "top-1 agrees in 1 of 2 rows" {
		t.Errorf("mismatch %v, want top-1 agreeing in 1 of 2 rows", m)
	}
}

func TestCompareExactTypes(t *testing.T) {
	a, _ := operators.FromSlice([]int64{1, 1 << 60}, []int{2})
	b, _ := operators.FromSlice([]int64{1, 1<<60 + 1}, []int{2})
	if m, _ := Compare(a, b, Tolerance{RTol: 1, ATol: 1}); m == nil || m.Index != 1 {
		t.Errorf("int64 values 1 apart near 2^60 compared equal (%v); integers must compare exactly", m)
	}
	f, _ := operators.FromSlice([]float64{1}, []int{1})
	g, _ := operators.FromSlice([]float32{1}, []int{1})
	if m, _ := Compare(g, f, ONNXTolerance); m == nil || !strings.Contains(m.Reason, "dtype") {
		t.Errorf("float32 vs float64: %v, want a dtype mismatch", m)
	}
	s1 := &operators.Value{DType: operators.String, Shape: []int{2}, Strs: []string{"a", "b"}}
	s2 := &operators.Value{DType: operators.String, Shape: []int{2}, Strs: []string{"a", "c"}}
	if m, _ := Compare(s1, s2, ONNXTolerance); m == nil {
		t.Error("different strings compared equal")
	}
}

func TestHalf(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{{0x3c00, 1}, {0xc000, -2}, {0x0001, 1.0 / (1 << 24)}, {0x7bff, 65504}, {0x7c00, float32(math.Inf(1))}} {
		if got := halfToFloat(c.h); got != c.want {
			t.Errorf("halfToFloat(%#x) = %v, want %v", c.h, got, c.want)
		}
	}
}

func TestManifest(t *testing.T) {
	m, err := ParseManifest(strings.NewReader("# comment\ntest_abs  # trailing\ntest_softmax_.*\n\nlight_vgg19 slow\n"))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"test_abs": true, "test_abs_expanded": false, "test_softmax_axis_0": true, "xtest_abs": false,
	} {
		if got := m.Match(name); got != want {
			t.Errorf("Match(%q) = %v, want %v", name, got, want)
		}
	}
	if !m.Tagged("light_vgg19", "slow") || m.Tagged("test_abs", "slow") || !m.Match("light_vgg19") {
		t.Error("the slow tag is not read")
	}
	if u := m.Unused([]string{"test_abs", "light_vgg19"}); len(u) != 1 || u[0].Pattern != "test_softmax_.*" || u[0].Line != 3 {
		t.Errorf("Unused = %+v, want the softmax line", u)
	}
	if _, err := ParseManifest(strings.NewReader("test_(\n")); err == nil {
		t.Error("a bad regular expression was accepted")
	}
}

func TestDiscoverLayouts(t *testing.T) {
	dir := t.TempDir()
	mk := func(p string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk("suite/b/model.onnx")
	mk("suite/b/test_data_set_10/input_0.pb")
	mk("suite/b/test_data_set_2/input_0.pb")
	mk("suite/b/test_data_set_2/input_1.pb")
	mk("suite/b/test_data_set_2/output_0.pb")
	mk("suite/a/x.onnx")
	mk("suite/a/test_data_set_0/output_0.pb")
	mk("light/light_net.onnx")
	mk("light/light_net_output_0.pb")
	mk("light/other.onnx")
	mk("models/m/model.onnx")
	mk("models/m/test_data_set_0/output_0.pb")
	if err := os.WriteFile(filepath.Join(dir, "models", "MANIFEST.tsv"), []byte("set\tname\ttol_abs\ndev\tm\t0.01\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tt := range tests {
		names = append(names, tt.Name)
	}
	if want := []string{"a", "b", "light_net", "m"}; !slices.Equal(names, want) {
		t.Fatalf("found %v, want %v", names, want)
	}
	b := tests[1]
	if len(b.Sets) != 2 || b.Sets[0].Name != "test_data_set_2" || len(b.Sets[0].Inputs) != 2 || len(b.Sets[0].Outputs) != 1 {
		t.Errorf("b's data sets = %+v, want set 2 (2 inputs, 1 output) before set 10", b.Sets)
	}
	if !tests[2].Light || len(tests[2].Sets) != 1 || len(tests[2].Sets[0].Outputs) != 1 {
		t.Errorf("light test = %+v", tests[2])
	}
	if tests[3].Tol.ATol != 0.01 {
		t.Errorf("MANIFEST.tsv tol_abs not used: %+v", tests[3].Tol)
	}
	if tests[0].Tol != ONNXTolerance {
		t.Errorf("default tolerance = %+v, want %+v", tests[0].Tol, ONNXTolerance)
	}
}

func TestUpdateManifest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.txt")
	if err := os.WriteFile(path, []byte("# header\n\ntest_b\ntest_a slow # kept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := func(name string, st Status, d time.Duration) *Result {
		return &Result{Test: &Test{Name: name}, Status: st, Duration: d}
	}
	added, err := UpdateManifest(path, []*Result{
		res("test_a", Pass, 0), res("test_c", Pass, 0), res("test_d", Fail, 0), res("light_x.1", Pass, 6*time.Second), res("test_b", Skip, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(added, []string{"test_c", "light_x.1"}) {
		t.Errorf("added %v, want [test_c light_x.1]", added)
	}
	b, _ := os.ReadFile(path)
	want := "# header\n\nlight_x\\.1 slow\ntest_a slow # kept\ntest_b\ntest_c\n"
	if string(b) != want {
		t.Errorf("manifest is\n%s\nwant\n%s", b, want)
	}
}

func TestDiscoverSameNames(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"latest/test_x/model.onnx", "latest/test_x/test_data_set_0/output_0.pb", "legacy/test_x/model.onnx", "legacy/test_x/test_data_set_0/output_0.pb", "legacy/test_y/model.onnx", "legacy/test_y/test_data_set_0/output_0.pb"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests, err := Discover(filepath.Join(dir, "latest"), filepath.Join(dir, "legacy"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tt := range tests {
		names = append(names, tt.Name)
	}
	if want := []string{"latest/test_x", "legacy/test_x", "test_y"}; !slices.Equal(names, want) {
		t.Errorf("names %v, want %v", names, want)
	}
}

func TestResultJSONNonFinite(t *testing.T) {
	got := f32(t, []int{2}, float32(math.NaN()), float32(math.Inf(-1)))
	want := f32(t, []int{2}, 1, 2)
	m, st := Compare(got, want, ONNXTolerance)
	m.Set, m.Output = "test_data_set_0", "y"
	r := &Result{Test: &Test{Name: "t"}, Status: Fail, Mismatch: m, Stats: st}
	b, err := json.Marshal(r.JSON())
	if err != nil {
		t.Fatalf("NaN/Inf values do not encode: %v", err)
	}
	if !strings.Contains(string(b), `"status":"fail"`) || !strings.Contains(string(b), `"output":"y"`) {
		t.Errorf("JSON %s", b)
	}
}
