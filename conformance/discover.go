package conformance

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Tolerance is the comparison rule |got-want| <= ATol + RTol*|want|.
type Tolerance struct {
	RTol, ATol float64
}

// ONNXTolerance is the ONNX backend tests' default.
var ONNXTolerance = Tolerance{RTol: 1e-3, ATol: 1e-7}

// Test is one model with its data sets.
type Test struct {
	Name  string // the test folder's name, or light_<name> for the light layout
	Dir   string // the folder holding the model
	Model string // path of the .onnx file
	Sets  []DataSet
	// Light marks the onnx/light layout: there is no input file and the
	// input is arange(n)/n in float32 in the declared shape.
	Light bool
	// Tol is the suite's tolerance for this test (ONNXTolerance unless the
	// folder's documentation says otherwise).
	Tol Tolerance
	// TolNote says where Tol came from when it is not the ONNX default.
	TolNote string
	// Problem, when set, is why the folder could not be read as a test; Run
	// reports it as an error.
	Problem string
}

// DataSet is one test_data_set_N: input and output files in graph order.
type DataSet struct {
	Name    string
	Inputs  []string
	Outputs []string
}

// Discover finds the tests in paths. A path may be a test folder, a model
// file, or any folder above them; folders are walked recursively. The
// result is sorted by name (then folder).
func Discover(paths ...string) ([]*Test, error) {
	var tests []*Test
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			t, err := modelFileTest(p)
			if err != nil {
				return nil, err
			}
			tests = append(tests, t)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				return nil
			}
			found, isTest, err := scanDir(path)
			if err != nil {
				return err
			}
			tests = append(tests, found...)
			if isTest {
				return filepath.SkipDir
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// Tests from different suites can share a folder name
	// (node-softmax-latest and node-softmax-legacy both hold
	// test_softmax_axis_0): name those after their parent folder too.
	count := map[string]int{}
	for _, t := range tests {
		count[t.Name]++
	}
	for _, t := range tests {
		if count[t.Name] > 1 {
			t.Name = filepath.Base(filepath.Dir(t.Model)) + "/" + t.Name
			if !t.Light {
				t.Name = filepath.Base(filepath.Dir(t.Dir)) + "/" + filepath.Base(t.Dir)
			}
		}
	}
	sort.SliceStable(tests, func(i, j int) bool {
		if tests[i].Name != tests[j].Name {
			return tests[i].Name < tests[j].Name
		}
		return tests[i].Dir < tests[j].Dir
	})
	return tests, nil
}

// modelFileTest makes a test of one .onnx file: its folder's data sets if
// it is the folder's only model, else a light-layout test.
func modelFileTest(path string) (*Test, error) {
	if !strings.HasSuffix(path, ".onnx") {
		return nil, fmt.Errorf("%s: not a model (.onnx) or a folder", path)
	}
	dir := filepath.Dir(path)
	found, _, err := scanDir(dir)
	if err != nil {
		return nil, err
	}
	for _, t := range found {
		if same(t.Model, path) {
			return t, nil
		}
	}
	t := &Test{Name: strings.TrimSuffix(filepath.Base(path), ".onnx"), Dir: dir, Model: path, Tol: ONNXTolerance}
	t.Problem = "no test_data_set_N folders and no light_<name>_output_0.pb beside the model"
	return t, nil
}

func same(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// scanDir reads one folder: if it holds a backend-layout test it returns
// that test and isTest; light-layout models found in it are returned too.
func scanDir(dir string) (tests []*Test, isTest bool, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, err
	}
	var models []string
	var sets []string
	names := map[string]bool{}
	for _, e := range ents {
		names[e.Name()] = true
		switch {
		case !e.IsDir() && strings.HasSuffix(e.Name(), ".onnx"):
			models = append(models, e.Name())
		case e.IsDir() && strings.HasPrefix(e.Name(), "test_data_set_"):
			sets = append(sets, e.Name())
		}
	}
	tol, note := suiteTolerance(dir)
	if len(sets) > 0 {
		t := &Test{Name: filepath.Base(dir), Dir: dir, Tol: tol, TolNote: note}
		switch len(models) {
		case 1:
			t.Model = filepath.Join(dir, models[0])
		case 0:
			t.Problem = "test_data_set folders but no .onnx model"
		default:
			t.Problem = fmt.Sprintf("%d .onnx models in one test folder (%s)", len(models), strings.Join(models, ", "))
		}
		sortNumbered(sets, "test_data_set_")
		for _, s := range sets {
			ds, err := readSet(filepath.Join(dir, s))
			if err != nil {
				return nil, false, err
			}
			t.Sets = append(t.Sets, ds)
		}
		return []*Test{t}, true, nil
	}
	for _, m := range models {
		base := strings.TrimSuffix(m, ".onnx")
		out := base + "_output_0.pb"
		if !strings.HasPrefix(base, "light_") || !names[out] {
			continue
		}
		t := &Test{Name: base, Dir: dir, Model: filepath.Join(dir, m), Light: true, Tol: tol, TolNote: note}
		ds := DataSet{Name: "arange"}
		for k := 0; names[fmt.Sprintf("%s_output_%d.pb", base, k)]; k++ {
			ds.Outputs = append(ds.Outputs, filepath.Join(dir, fmt.Sprintf("%s_output_%d.pb", base, k)))
		}
		t.Sets = []DataSet{ds}
		tests = append(tests, t)
	}
	return tests, false, nil
}

// readSet lists input_K.pb and output_K.pb of one data set, K = 0, 1, ...
// without gaps.
func readSet(dir string) (DataSet, error) {
	ds := DataSet{Name: filepath.Base(dir)}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return ds, err
	}
	have := map[string]bool{}
	for _, e := range ents {
		have[e.Name()] = true
	}
	for k := 0; have[fmt.Sprintf("input_%d.pb", k)]; k++ {
		ds.Inputs = append(ds.Inputs, filepath.Join(dir, fmt.Sprintf("input_%d.pb", k)))
	}
	for k := 0; have[fmt.Sprintf("output_%d.pb", k)]; k++ {
		ds.Outputs = append(ds.Outputs, filepath.Join(dir, fmt.Sprintf("output_%d.pb", k)))
	}
	return ds, nil
}

// sortNumbered sorts names that end in a number by that number
// (test_data_set_2 before test_data_set_10).
func sortNumbered(s []string, prefix string) {
	num := func(x string) int {
		n, err := strconv.Atoi(strings.TrimPrefix(x, prefix))
		if err != nil {
			return 1 << 30
		}
		return n
	}
	sort.SliceStable(s, func(i, j int) bool {
		if a, b := num(s[i]), num(s[j]); a != b {
			return a < b
		}
		return s[i] < s[j]
	})
}

// suiteTolerance picks the tolerance for a test folder from what its
// suite's documentation states:
//   - a MANIFEST.tsv in the parent folder with a tol_abs column for this
//     model (the shared models/ suite) sets atol to that value;
//   - models/ otherwise: atol 1e-5. These are whole networks whose float32
//     results move by a few 1e-6 with summation order (ONNX Runtime vs
//     PyTorch differ by up to 1.1e-5 there).
//   - models-edge/: atol 1e-4. Its README records that ONNX Runtime itself
//     moves embedding_model's outputs by 3.2e-5 between optimisation
//     levels, and asks for an absolute tolerance on sigmoid outputs.
//   - models-quantized/: atol 1e-3. Requantisation rounds to integers, so
//     one step of a different summation order can flip a quantum; the
//     README expects close but not always exact agreement.
//
// rtol stays at the ONNX 1e-3 throughout.
func suiteTolerance(dir string) (Tolerance, string) {
	parent := filepath.Dir(dir)
	if v, ok := manifestTolAbs(filepath.Join(parent, "MANIFEST.tsv"), filepath.Base(dir)); ok {
		return Tolerance{RTol: ONNXTolerance.RTol, ATol: v}, "tol_abs from MANIFEST.tsv"
	}
	switch filepath.Base(parent) {
	case "models":
		return Tolerance{RTol: ONNXTolerance.RTol, ATol: 1e-5}, "models suite"
	case "models-edge":
		return Tolerance{RTol: ONNXTolerance.RTol, ATol: 1e-4}, "models-edge suite: ORT itself varies by 3.2e-5"
	case "models-quantized":
		return Tolerance{RTol: ONNXTolerance.RTol, ATol: 1e-3}, "models-quantized suite"
	}
	return ONNXTolerance, ""
}

// manifestTolAbs reads the tol_abs column of a MANIFEST.tsv for one model
// name.
func manifestTolAbs(path, name string) (float64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	nameCol, tolCol := -1, -1
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if nameCol < 0 {
			for i, c := range cols {
				switch c {
				case "name":
					nameCol = i
				case "tol_abs":
					tolCol = i
				}
			}
			if nameCol < 0 || tolCol < 0 {
				return 0, false
			}
			continue
		}
		if len(cols) > max(nameCol, tolCol) && cols[nameCol] == name {
			v, err := strconv.ParseFloat(cols[tolCol], 64)
			return v, err == nil && v >= 0
		}
	}
	return 0, false
}
