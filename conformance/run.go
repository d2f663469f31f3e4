package conformance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/onnxrun/onnxrun/operators"
	_ "github.com/onnxrun/onnxrun/operators/all" // every operator onnxrun has
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// Status is a test's outcome.
type Status int

const (
	Pass  Status = iota
	Fail         // an output is out of tolerance, or of the wrong dtype or shape
	Skip         // the model uses operators the runtime lacks
	Error        // the model or a data file could not be loaded or run; counts as a failure
)

var statusNames = [...]string{Pass: "PASS", Fail: "FAIL", Skip: "SKIP", Error: "ERROR"}

func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Failed reports whether s counts as a failure (Fail or Error).
func (s Status) Failed() bool { return s == Fail || s == Error }

// Options configure Test.Run.
type Options struct {
	// RTol and ATol, when not nil, replace the test's tolerance.
	RTol, ATol *float64
	// Threads is passed to runtime.WithThreads when > 0.
	Threads int
	// Load holds further options for runtime.Load.
	Load []runtime.Option
	// Context for the runs; nil means context.Background().
	Context context.Context
}

// Result is the outcome of one test.
type Result struct {
	Test   *Test
	Status Status
	// Mismatch is the first failing output's description (Fail).
	Mismatch *Mismatch
	// Unsupported lists the operators the runtime lacks (Skip).
	Unsupported []runtime.UnsupportedOp
	// Err is the load or run error (Error).
	Err error
	// Stats are the largest errors over every compared element.
	Stats ErrStats
	// Tol is the tolerance used.
	Tol Tolerance
	// Ops are the operator types the model uses (main graph, subgraphs and
	// local functions), as "OpType" for the ONNX domain and
	// "domain.OpType" otherwise, sorted.
	Ops []string
	// Sets is the number of data sets run.
	Sets     int
	Duration time.Duration
}

// Tolerance returns the tolerance Run uses for t under o.
func (t *Test) Tolerance(o Options) Tolerance {
	tol := t.Tol
	if o.RTol != nil {
		tol.RTol = *o.RTol
	}
	if o.ATol != nil {
		tol.ATol = *o.ATol
	}
	return tol
}

// Run loads the test's model, runs every data set and compares the
// outputs.
func (t *Test) Run(o Options) *Result {
	start := time.Now()
	r := &Result{Test: t, Tol: t.Tolerance(o)}
	t.run(o, r)
	r.Duration = time.Since(start)
	return r
}

func (t *Test) run(o Options, r *Result) {
	if t.Problem != "" {
		r.Status, r.Err = Error, fmt.Errorf("%s: %s", t.Dir, t.Problem)
		return
	}
	b, err := os.ReadFile(t.Model)
	if err != nil {
		r.Status, r.Err = Error, err
		return
	}
	if m, err := onnxpb.DecodeModel(b, onnxpb.DefaultLimits()); err == nil {
		r.Ops = ModelOps(m)
	}
	opts := append([]runtime.Option(nil), o.Load...)
	if o.Threads > 0 {
		opts = append(opts, runtime.WithThreads(o.Threads))
	}
	sess, err := runtime.Load(t.Model, opts...)
	if err != nil {
		var ue *runtime.UnsupportedError
		if errors.As(err, &ue) {
			r.Status, r.Unsupported = Skip, ue.Ops
			return
		}
		if unsupported(err) {
			// Not a missing operator but a feature of one (an element
			// type, an optional output) or of the graph (sequence or
			// optional inputs) that the runtime reports it lacks.
			r.Status, r.Err = Skip, err
			return
		}
		r.Status, r.Err = Error, err
		return
	}
	ctx := o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	inInfo, outInfo := sess.Inputs(), sess.Outputs()
	compared := 0
	for _, ds := range t.Sets {
		var feeds map[string]*operators.Value
		if t.Light {
			feeds, err = lightInputs(inInfo)
		} else {
			feeds, err = readInputs(ds, inInfo)
		}
		if err != nil {
			r.Status, r.Err = Error, err
			return
		}
		outs, err := sess.RunValues(ctx, feeds)
		if err != nil {
			r.Status, r.Err = Error, fmt.Errorf("%s: run: %w", ds.Name, err)
			if unsupported(err) {
				r.Status = Skip // a kernel found a type or feature it lacks only now
			}
			return
		}
		r.Sets++
		if len(ds.Outputs) > len(outInfo) {
			r.Status, r.Err = Error, fmt.Errorf("%s: %d expected outputs but the model has %d", ds.Name, len(ds.Outputs), len(outInfo))
			return
		}
		for k, path := range ds.Outputs {
			name := outInfo[k].Name
			want, err := ReadTensorFile(path)
			if err != nil {
				r.Status, r.Err = Error, err
				return
			}
			got, ok := outs[name]
			if !ok || got == nil {
				r.Status, r.Err = Error, fmt.Errorf("%s: the run returned no output %q", ds.Name, name)
				return
			}
			bfloat16FromUint16(want, got.DType)
			compared++
			mm, st := Compare(got, want, r.Tol)
			r.Stats.add(st)
			if mm != nil && r.Mismatch == nil {
				mm.Set, mm.Output = ds.Name, name
				r.Mismatch = mm
			}
		}
	}
	if r.Mismatch != nil {
		r.Status = Fail
		return
	}
	if compared == 0 {
		r.Status, r.Err = Error, fmt.Errorf("%s: no expected outputs (output_K.pb) to compare with", t.Dir)
	}
}

// unsupported reports whether err is the runtime saying it lacks
// something, rather than the model or data being wrong.
func unsupported(err error) bool {
	return errors.Is(err, operators.ErrUnsupportedOp) || errors.Is(err, operators.ErrUnsupportedType)
}

// ReadTensorFile reads a serialized TensorProto (.pb) as a Value.
func ReadTensorFile(path string) (*operators.Value, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lim := onnxpb.DefaultLimits()
	tp, err := onnxpb.DecodeTensor(b, lim)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	v, err := onnxpb.TensorToValue(tp, filepath.Dir(path), lim)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// readInputs reads a data set's input files and names them after the
// model's inputs, in order.
func readInputs(ds DataSet, info []runtime.ValueInfo) (map[string]*operators.Value, error) {
	if len(ds.Inputs) > len(info) {
		return nil, fmt.Errorf("%s: %d input files but the model has %d inputs", ds.Name, len(ds.Inputs), len(info))
	}
	feeds := make(map[string]*operators.Value, len(ds.Inputs))
	for k, path := range ds.Inputs {
		v, err := ReadTensorFile(path)
		if err != nil {
			return nil, err
		}
		feeds[info[k].Name] = v
		bfloat16FromUint16(v, info[k].DType)
	}
	return feeds, nil
}

// bfloat16FromUint16 relabels a uint16 tensor as bfloat16 when bfloat16
// is what the model declares or produces. NumPy has no bfloat16, so the
// ONNX test generator saved bfloat16 data as uint16 arrays holding the same
// bits.
func bfloat16FromUint16(v *operators.Value, want operators.DType) {
	if v.DType == operators.Uint16 && want == operators.BFloat16 {
		v.DType = operators.BFloat16
	}
}

// lightInputs builds the onnx/light input of every model input:
// arange(n)/n in float32, in the declared shape with named or unknown
// dimensions taken as 1.
func lightInputs(info []runtime.ValueInfo) (map[string]*operators.Value, error) {
	feeds := make(map[string]*operators.Value, len(info))
	for _, in := range info {
		if in.DType != operators.Float32 {
			return nil, fmt.Errorf("light test input %q is %v, want float32", in.Name, in.DType)
		}
		shape := ConcreteShape(in.Shape)
		v, err := operators.NewValue(operators.Float32, shape)
		if err != nil {
			return nil, fmt.Errorf("light test input %q: %w", in.Name, err)
		}
		x := v.F32()
		n := float32(len(x))
		for i := range x {
			x[i] = float32(i) / n
		}
		feeds[in.Name] = v
	}
	return feeds, nil
}

// ConcreteShape replaces unknown (negative) dimensions with 1.
func ConcreteShape(s []int) []int {
	out := make([]int, len(s))
	for i, d := range s {
		out[i] = d
		if d < 0 {
			out[i] = 1
		}
	}
	return out
}

// ModelOps lists the operator types a model uses, in its main graph,
// every nested subgraph and every local function.
func ModelOps(m *onnxpb.Model) []string {
	seen := map[string]bool{}
	var walk func(nodes []*onnxpb.Node, depth int)
	walk = func(nodes []*onnxpb.Node, depth int) {
		if depth > 64 {
			return
		}
		for _, n := range nodes {
			name := n.OpType
			if n.Domain != "" && n.Domain != "ai.onnx" {
				name = n.Domain + "." + n.OpType
			}
			seen[name] = true
			for _, a := range n.Attributes {
				if a.G != nil {
					walk(a.G.Nodes, depth+1)
				}
				for _, g := range a.Graphs {
					if g != nil {
						walk(g.Nodes, depth+1)
					}
				}
			}
		}
	}
	if m.Graph != nil {
		walk(m.Graph.Nodes, 0)
	}
	for _, f := range m.Functions {
		if f != nil {
			walk(f.Nodes, 0)
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
