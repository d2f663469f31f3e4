package runtime

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unsafe"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// ValueInfo describes a graph input or output.
type ValueInfo struct {
	Name     string
	DType    operators.DType
	Shape    []int    // -1 for a dimension that is not fixed
	DimNames []string // symbolic dimension names, "" where there is none
	HasShape bool     // false when not even the rank is known
}

// Session is a loaded model, ready to run. It is safe for concurrent use.
type Session struct {
	plan    *Plan
	inputs  []ValueInfo
	outputs []ValueInfo
	opsets  map[string]int

	// Symbolic input dimensions: each occurrence of a dim_param among the
	// inputs, so a run can check that one name means one size.
	syms     []symDim
	symNames []string
}

type symDim struct {
	input, dim, id int // index into plan.inputs, dimension, name
}

// Load reads and loads the model at path. External tensor data is
// resolved relative to the file's directory.
func Load(path string, opts ...Option) (*Session, error) {
	o := buildOptions(opts)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := readLimited(f, o.limits.MaxModelBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s, err := load(b, filepath.Dir(path), &o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// LoadBytes loads a serialized model. A model whose tensors live in
// external files cannot be loaded this way; use Load.
func LoadBytes(b []byte, opts ...Option) (*Session, error) {
	o := buildOptions(opts)
	return load(b, "", &o)
}

// LoadReader reads a serialized model from r (at most the model size
// limit) and loads it like LoadBytes.
func LoadReader(r io.Reader, opts ...Option) (*Session, error) {
	o := buildOptions(opts)
	b, err := readLimited(r, o.limits.MaxModelBytes)
	if err != nil {
		return nil, err
	}
	return load(b, "", &o)
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = onnxpb.DefaultLimits().MaxModelBytes
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: the model is larger than MaxModelBytes = %d", onnxpb.ErrLimit, limit)
	}
	return b, nil
}

func load(b []byte, baseDir string, o *options) (*Session, error) {
	m, err := onnxpb.DecodeModel(b, o.limits)
	if err != nil {
		return nil, err
	}
	return newSession(m, baseDir, o)
}

// LoadModel builds a Session from an already decoded model (for tools and
// tests that construct models in code). baseDir is where external tensor
// data is looked up.
func LoadModel(m *onnxpb.Model, baseDir string, opts ...Option) (*Session, error) {
	o := buildOptions(opts)
	return newSession(m, baseDir, &o)
}

func newSession(m *onnxpb.Model, baseDir string, o *options) (*Session, error) {
	if m == nil || m.Graph == nil {
		return nil, invalidf("the model has no graph")
	}
	opsets, err := modelOpsets(m)
	if err != nil {
		return nil, err
	}
	// The compiler's map may gain domains only functions import; Opsets
	// reports the model's own.
	c := &compiler{o: o, opsets: maps.Clone(opsets), baseDir: baseDir, irVersion: m.IRVersion}
	if err := c.indexFunctions(m.Functions); err != nil {
		return nil, err
	}
	if err := c.checkSupported(m.Graph); err != nil {
		return nil, err
	}
	plan, err := c.compileGraph(m.Graph, nil, "")
	if err != nil {
		return nil, err
	}
	s := &Session{plan: plan, opsets: opsets}
	ids := map[string]int{}
	for i, slot := range plan.inputs {
		vi := valueInfo(plan, slot, m.Graph.Inputs)
		if plan.consts[slot] == nil { // not an initializer's default
			s.inputs = append(s.inputs, vi)
		}
		if !plan.slots[slot].meta.HasShape || len(vi.DimNames) != len(plan.slots[slot].meta.Shape) {
			continue
		}
		for d, name := range vi.DimNames {
			if name == "" || plan.slots[slot].meta.Shape[d] >= 0 {
				continue
			}
			id, ok := ids[name]
			if !ok {
				id = len(s.symNames)
				ids[name] = id
				s.symNames = append(s.symNames, name)
			}
			s.syms = append(s.syms, symDim{input: i, dim: d, id: id})
		}
	}
	for i, o := range m.Graph.Outputs {
		vi := valueInfo(plan, plan.outputs[i], []*onnxpb.ValueInfo{o})
		vi.Name = o.Name
		s.outputs = append(s.outputs, vi)
	}
	return s, nil
}

// modelOpsets maps each imported domain ("" for ai.onnx) to its version.
func modelOpsets(m *onnxpb.Model) (map[string]int, error) {
	opsets := map[string]int{}
	for _, id := range m.OpsetImport {
		d := canonDomain(id.Domain)
		if id.Version < 1 || id.Version > 1<<20 {
			return nil, invalidf("opset_import for domain %q has version %d", id.Domain, id.Version)
		}
		if v, dup := opsets[d]; dup && v != int(id.Version) {
			return nil, invalidf("domain %q is imported twice (opsets %d and %d)", id.Domain, v, id.Version)
		}
		opsets[d] = int(id.Version)
	}
	if len(m.OpsetImport) == 0 && m.IRVersion < 3 {
		// Before IR version 3 models carried no opset_import; the default
		// domain was at opset 1.
		opsets[""] = 1
	}
	return opsets, nil
}

// checkSupported looks up every node of g and of its subgraphs and reports
// all the operators without an implementation together.
func (c *compiler) checkSupported(g *onnxpb.Graph) error {
	type key struct {
		domain, op string
		opset      int
	}
	found := map[key]*UnsupportedOp{}
	var order []key
	var walkNodes func(nodes []*onnxpb.Node, prefix string, depth int)
	walk := func(g *onnxpb.Graph, depth int) {
		if g != nil {
			walkNodes(g.Nodes, "", depth)
		}
	}
	inside := map[*onnxpb.Function]bool{} // functions being walked (recursion)
	walkNodes = func(nodes []*onnxpb.Node, prefix string, depth int) {
		if depth > 64 {
			return
		}
		for _, n := range nodes {
			if n == nil {
				continue
			}
			if f := c.function(n); f != nil {
				if !inside[f] {
					inside[f] = true
					walkNodes(f.Nodes, prefix+f.Name+"/", depth+1)
					inside[f] = false
				}
				continue
			}
			d := canonDomain(n.Domain)
			if opset, ok := c.opsets[d]; ok {
				if _, ok := operators.Lookup(d, n.OpType, opset); !ok {
					k := key{d, n.OpType, opset}
					u := found[k]
					if u == nil {
						u = &UnsupportedOp{Domain: d, OpType: n.OpType, Opset: opset}
						found[k] = u
						order = append(order, k)
					}
					if name := prefix + n.Name; !slices.Contains(u.Nodes, name) {
						u.Nodes = append(u.Nodes, name)
					}
				}
			}
			for _, a := range n.Attributes {
				if a == nil {
					continue
				}
				walk(a.G, depth+1)
				for _, sg := range a.Graphs {
					walk(sg, depth+1)
				}
			}
		}
	}
	walk(g, 0)
	if len(order) == 0 {
		return nil
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].domain != order[j].domain {
			return order[i].domain < order[j].domain
		}
		return order[i].op < order[j].op
	})
	e := &UnsupportedError{}
	for _, k := range order {
		e.Ops = append(e.Ops, *found[k])
	}
	return e
}

// valueInfo describes slot: as declared (by the first entry of decl with
// its name and a tensor type), with what inference found filling the gaps.
func valueInfo(p *Plan, slot int, decl []*onnxpb.ValueInfo) ValueInfo {
	si := p.slots[slot]
	vi := ValueInfo{Name: si.name}
	var t *onnxpb.TensorType
	for _, d := range decl {
		if d != nil && d.Name == si.name && d.Type != nil && d.Type.Tensor != nil {
			t = d.Type.Tensor
			break
		}
	}
	if t != nil {
		vi.DType = operators.DType(t.ElemType)
		if t.Shape != nil {
			vi.HasShape = true
			vi.Shape = make([]int, len(t.Shape.Dims))
			vi.DimNames = make([]string, len(t.Shape.Dims))
			for i, dim := range t.Shape.Dims {
				vi.Shape[i] = -1
				if dim.HasValue {
					vi.Shape[i] = int(dim.Value)
				}
				vi.DimNames[i] = dim.Param
			}
		}
	}
	if vi.DType == operators.Undefined {
		vi.DType = si.meta.DType
	}
	if !vi.HasShape && si.meta.HasShape {
		vi.HasShape = true
		vi.Shape = append([]int{}, si.meta.Shape...)
		vi.DimNames = make([]string, len(vi.Shape))
	}
	return vi
}

// Inputs describes the inputs a Run needs: the graph inputs that are not
// initializers. An initializer the graph also lists as an input (IR version
// 4 on) is an optional input and is not listed here.
func (s *Session) Inputs() []ValueInfo { return cloneInfos(s.inputs) }

// Outputs describes the graph's outputs, in order.
func (s *Session) Outputs() []ValueInfo { return cloneInfos(s.outputs) }

func cloneInfos(in []ValueInfo) []ValueInfo {
	out := make([]ValueInfo, len(in))
	for i, v := range in {
		v.Shape = append([]int(nil), v.Shape...)
		v.DimNames = append([]string(nil), v.DimNames...)
		out[i] = v
	}
	return out
}

// Opsets returns the model's opset per domain; the default ONNX domain is
// the key "".
func (s *Session) Opsets() map[string]int {
	out := make(map[string]int, len(s.opsets))
	for k, v := range s.opsets {
		out[k] = v
	}
	return out
}

// Plan returns the session's compiled plan, for inspection.
func (s *Session) Plan() *Plan { return s.plan }

// RunValues runs the model. inputs maps every input of Inputs (and
// optionally overridable initializers) to a value; the values are read,
// never written or kept. The outputs are new values the caller owns.
func (s *Session) RunValues(ctx context.Context, inputs map[string]*operators.Value) (map[string]*operators.Value, error) {
	return s.run(ctx, inputs, nil)
}

// StepTime is how long one step of the plan took in a profiled run.
type StepTime struct {
	Name   string // node name
	OpType string
	Time   time.Duration // wall time, subgraphs included
}

// Profile runs the model like RunValues and also returns the wall time of
// every step, in plan order. Timing costs two clock reads per step.
func (s *Session) Profile(ctx context.Context, inputs map[string]*operators.Value) (map[string]*operators.Value, []StepTime, error) {
	times := make([]time.Duration, len(s.plan.steps))
	out, err := s.run(ctx, inputs, times)
	if err != nil {
		return nil, nil, err
	}
	prof := make([]StepTime, len(times))
	for i, d := range times {
		n := s.plan.steps[i].node
		prof[i] = StepTime{Name: n.Name, OpType: n.OpType, Time: d}
	}
	return out, prof, nil
}

func (s *Session) run(ctx context.Context, inputs map[string]*operators.Value, times []time.Duration) (map[string]*operators.Value, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := s.plan
	if err := checkNames(s, inputs); err != nil {
		return nil, err
	}
	st := p.getState()
	st.bind()
	for _, slot := range p.inputs {
		v, ok := inputs[p.slots[slot].name]
		if err := s.bindInput(st, slot, v, ok); err != nil {
			st.reset()
			p.putState(st)
			return nil, err
		}
	}
	if err := s.checkSymbols(st); err != nil {
		st.reset()
		p.putState(st)
		return nil, badInput(err)
	}
	st.times = times
	err := st.exec(ctx)
	st.times = nil
	var out map[string]*operators.Value
	if err == nil {
		out = make(map[string]*operators.Value, len(p.outputs))
		for i, slot := range p.outputs {
			name := s.outputs[i].Name
			if _, dup := out[name]; dup {
				continue
			}
			// The output's own pooled buffer leaves the pool for the
			// caller; a value sharing memory with something else of the
			// run is copied.
			v, derr := st.handOut(slot)
			if derr != nil {
				err = fmt.Errorf("output %q: %w", name, derr)
				break
			}
			out[name] = v
		}
	}
	st.reset()
	p.putState(st)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkSymbols checks that every symbolic dimension name stands for one
// size across the inputs of this run (ONNX: the same dim_param in two
// places of a graph denotes the same value).
func (s *Session) checkSymbols(st *State) error {
	if len(s.syms) == 0 {
		return nil
	}
	var sizeBuf, fromBuf [8]int
	size, from := sizeBuf[:0], fromBuf[:0]
	if n := len(s.symNames); n <= len(sizeBuf) {
		size, from = sizeBuf[:n], fromBuf[:n]
	} else {
		size, from = make([]int, n), make([]int, n)
	}
	for i := range size {
		size[i] = -1
	}
	p := s.plan
	for _, sd := range s.syms {
		v := st.vals[p.inputs[sd.input]]
		if v == nil || sd.dim >= len(v.Shape) {
			continue
		}
		got := v.Shape[sd.dim]
		if size[sd.id] < 0 {
			size[sd.id], from[sd.id] = got, sd.input
			continue
		}
		if got != size[sd.id] {
			return fmt.Errorf("%w: input %q: dimension %d (%q) is %d, but input %q has %q = %d",
				operators.ErrShape, p.slots[p.inputs[sd.input]].name, sd.dim, s.symNames[sd.id], got,
				p.slots[p.inputs[from[sd.id]]].name, s.symNames[sd.id], size[sd.id])
		}
	}
	return nil
}

func (s *Session) inputNames() string {
	if len(s.inputs) == 0 {
		return "none"
	}
	names := make([]string, len(s.inputs))
	for i, in := range s.inputs {
		names[i] = fmt.Sprintf("%q", in.Name)
	}
	return strings.Join(names, ", ")
}

// checkInput checks v against the input's declared type and shape and
// that its buffer holds exactly its elements. A buffer not aligned for its
// element type is copied.
func checkInput(name string, v *operators.Value, want operators.Meta) (*operators.Value, error) {
	if v == nil {
		return nil, fmt.Errorf("input %q is nil", name)
	}
	if want.DType != operators.Undefined && v.DType != want.DType {
		return nil, fmt.Errorf("input %q: element type is %v, want %v", name, v.DType, want.DType)
	}
	if want.HasShape {
		if len(v.Shape) != len(want.Shape) {
			return nil, fmt.Errorf("%w: input %q has rank %d (shape %v), want rank %d (shape %s)",
				operators.ErrShape, name, len(v.Shape), v.Shape, len(want.Shape), shapeString(want.Shape))
		}
		for i, d := range want.Shape {
			if d >= 0 && v.Shape[i] != d {
				return nil, fmt.Errorf("%w: input %q: dimension %d is %d, want %d (shape %v, want %s)",
					operators.ErrShape, name, i, v.Shape[i], d, v.Shape, shapeString(want.Shape))
			}
		}
	}
	if err := checkValue(v); err != nil {
		return nil, fmt.Errorf("input %q: %w", name, err)
	}
	if sz := v.DType.Size(); sz > 1 && len(v.Raw) > 0 && uintptr(unsafe.Pointer(unsafe.SliceData(v.Raw)))%uintptr(sz) != 0 {
		c, err := operators.NewValue(v.DType, v.Shape)
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", name, err)
		}
		copy(c.Raw, v.Raw)
		return c, nil
	}
	return v, nil
}

func shapeString(shape []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, d := range shape {
		if i > 0 {
			b.WriteByte(' ')
		}
		if d < 0 {
			b.WriteByte('?')
		} else {
			fmt.Fprintf(&b, "%d", d)
		}
	}
	b.WriteByte(']')
	return b.String()
}
