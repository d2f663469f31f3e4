package runtime

import (
	"container/heap"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// compiler holds what every graph of one model shares while it is turned
// into Plans: the options, the opset of each domain and where external
// tensor data lives.
type compiler struct {
	o         *options
	opsets    map[string]int
	baseDir   string
	irVersion int64
	funcs     map[funcKey]*onnxpb.Function // model-local functions
	inlined   int                          // function calls expanded so far
}

// slotKind says where a slot's value comes from during a run.
type slotKind uint8

const (
	kindNode  slotKind = iota // produced by a step
	kindInput                 // a graph input, bound by the caller
	kindConst                 // an initializer or a folded value
	kindOuter                 // captured from an enclosing graph
)

type slotInfo struct {
	name     string
	kind     slotKind
	meta     operators.Meta
	producer int // node index for kindNode
}

// builder turns one GraphProto into a Plan. The builders of nested graphs
// point at their parent so that names from enclosing scopes resolve.
type builder struct {
	c      *compiler
	parent *builder
	g      *onnxpb.Graph
	where  string // "graph" or `subgraph "body" of node "loop"` for errors

	slotOf map[string]int
	slots  []slotInfo
	consts []*operators.Value // per slot: constant value or input default

	nodes []*pnode
	cur   int // index of the node whose factory is running
}

// pnode is a node on its way into the plan.
type pnode struct {
	idx      int
	opset    int // the model's opset for the node's domain; 0 if none
	src      *onnxpb.Node
	node     *operators.Node
	op       operators.Op
	in, out  []int // slot per input/output; -1 for an omitted one
	deps     []int // slots its subgraphs read from this scope
	hasGraph bool
	folded   bool
}

func (n *pnode) describe() string {
	name := fmt.Sprintf("%q", n.src.Name)
	if n.src.Name == "" {
		name = fmt.Sprintf("#%d", n.idx)
	}
	op := n.src.OpType
	if d := canonDomain(n.src.Domain); d != "" {
		op = d + "." + op
	}
	if n.opset == 0 { // the domain has no opset import
		return fmt.Sprintf("node %s (%s)", name, op)
	}
	return fmt.Sprintf("node %s (%s, opset %d)", name, op, n.opset)
}

func canonDomain(d string) string {
	if d == "ai.onnx" {
		return ""
	}
	return d
}

// nondeterministic ops are never folded: their output must change from
// run to run.
var nondeterministic = map[string]bool{
	"RandomNormal": true, "RandomNormalLike": true, "RandomUniform": true,
	"RandomUniformLike": true, "Multinomial": true, "Bernoulli": true,
}

// compileGraph builds the Plan of g. parent is nil for the main graph.
func (c *compiler) compileGraph(g *onnxpb.Graph, parent *builder, where string) (*Plan, error) {
	if g == nil {
		if where == "" {
			where = "the main graph"
		}
		return nil, invalidf("%s is missing", where)
	}
	depth := 1
	for p := parent; p != nil; p = p.parent {
		depth++
	}
	if depth > c.o.limits.MaxGraphDepth {
		return nil, invalidf("%s: graphs nest more than MaxGraphDepth = %d deep", where, c.o.limits.MaxGraphDepth)
	}
	if len(c.funcs) > 0 {
		nodes, err := c.expand(g.Nodes)
		if err != nil {
			return nil, err
		}
		expanded := *g
		expanded.Nodes = nodes
		g = &expanded
	}
	b := &builder{c: c, parent: parent, g: g, where: where, slotOf: map[string]int{}}
	if err := b.declare(); err != nil {
		return nil, err
	}
	if err := b.buildNodes(); err != nil {
		return nil, err
	}
	order, err := b.topoSort()
	if err != nil {
		return nil, err
	}
	outs, err := b.graphOutputs()
	if err != nil {
		return nil, err
	}
	if !c.o.noOpt {
		order = b.prune(order, outs)
	}
	if err := b.inferAndFold(order); err != nil {
		return nil, err
	}
	if !c.o.noOpt {
		order = b.fuse(order, outs)
	}
	return b.plan(order, outs), nil
}

// pre is the prefix that places an error inside a subgraph; the main
// graph needs none.
func (b *builder) pre() string {
	if b.where == "" {
		return ""
	}
	return b.where + ": "
}

func (b *builder) addSlot(name string, kind slotKind, meta operators.Meta, producer int) int {
	s := len(b.slots)
	b.slots = append(b.slots, slotInfo{name: name, kind: kind, meta: meta, producer: producer})
	b.consts = append(b.consts, nil)
	b.slotOf[name] = s
	return s
}

// declare gives every name the graph defines a slot: initializers, inputs
// and node outputs. Each name must be defined once.
func (b *builder) declare() error {
	for i, t := range b.g.Initializers {
		if t == nil {
			return invalidf("%sinitializer %d is empty", b.pre(), i)
		}
		if t.Name == "" {
			return invalidf("%sinitializer %d has no name", b.pre(), i)
		}
		if _, dup := b.slotOf[t.Name]; dup {
			return invalidf("%sinitializer %q is defined twice", b.pre(), t.Name)
		}
		v, err := onnxpb.TensorToValue(t, b.c.baseDir, b.c.o.limits)
		if err != nil {
			return fmt.Errorf("%sinitializer %q: %w", b.pre(), t.Name, err)
		}
		s := b.addSlot(t.Name, kindConst, v.Meta(), -1)
		b.consts[s] = v
	}
	if len(b.g.SparseInitializers) > 0 {
		return fmt.Errorf("%ssparse initializers: %w", b.pre(), operators.ErrUnsupportedType)
	}
	seen := map[string]bool{}
	for i, in := range b.g.Inputs {
		if in == nil || in.Name == "" {
			return invalidf("%sinput %d has no name", b.pre(), i)
		}
		if seen[in.Name] {
			return invalidf("%sinput %q is declared twice", b.pre(), in.Name)
		}
		seen[in.Name] = true
		meta, err := metaOf(in.Type)
		if err != nil {
			return fmt.Errorf("%sinput %q: %w", b.pre(), in.Name, err)
		}
		if s, ok := b.slotOf[in.Name]; ok {
			// An initializer listed among the inputs is a default the
			// caller may override (IR version 4 on). Before IR 4 every
			// initializer had to be listed as an input, so there it is
			// just a constant.
			if b.c.irVersion >= 4 && b.parent == nil {
				b.slots[s].kind = kindInput
				b.slots[s].meta = mergeMeta(meta, b.consts[s].Meta())
			}
			continue
		}
		b.addSlot(in.Name, kindInput, meta, -1)
	}
	if len(b.g.Nodes) == 0 && len(b.g.Outputs) == 0 {
		return invalidf("%sthe graph has no nodes and no outputs", b.pre())
	}
	for i, n := range b.g.Nodes {
		if n == nil {
			return invalidf("%snode %d is empty", b.pre(), i)
		}
		p := &pnode{idx: i, src: n, opset: b.c.opsets[canonDomain(n.Domain)],
			in: make([]int, len(n.Inputs)), out: make([]int, len(n.Outputs))}
		b.nodes = append(b.nodes, p)
		for j, name := range n.Outputs {
			if name == "" {
				p.out[j] = -1
				continue
			}
			if s, dup := b.slotOf[name]; dup {
				other := "an initializer or graph input"
				if b.slots[s].kind == kindNode {
					other = b.nodes[b.slots[s].producer].describe()
				}
				return invalidf("%s%s: output %q is already produced by %s", b.pre(), p.describe(), name, other)
			}
			p.out[j] = b.addSlot(name, kindNode, operators.Meta{}, i)
		}
	}
	return nil
}

// metaOf converts a declared type. A missing type is unknown; only tensor
// types are supported.
func metaOf(t *onnxpb.Type) (operators.Meta, error) {
	if t == nil {
		return operators.Meta{}, nil
	}
	if t.Tensor == nil {
		kind := "a non-tensor type"
		switch {
		case t.Sequence != nil:
			kind = "a sequence"
		case t.IsMap:
			kind = "a map"
		case t.Optional != nil:
			kind = "an optional"
		case t.SparseTensor != nil:
			kind = "a sparse tensor"
		}
		return operators.Meta{}, fmt.Errorf("%w: %s type", operators.ErrUnsupportedType, kind)
	}
	m := operators.Meta{DType: operators.DType(t.Tensor.ElemType)}
	if t.Tensor.Shape != nil {
		m.HasShape = true
		m.Shape = make([]int, len(t.Tensor.Shape.Dims))
		for i, d := range t.Tensor.Shape.Dims {
			m.Shape[i] = -1
			if d.HasValue {
				if d.Value < 0 || d.Value > int64(^uint32(0)>>1) {
					return m, invalidf("dimension %d is %d", i, d.Value)
				}
				m.Shape[i] = int(d.Value)
			}
		}
	}
	return m, nil
}

// mergeMeta prefers what the declaration says and fills the rest from got.
func mergeMeta(decl, got operators.Meta) operators.Meta {
	if decl.DType == operators.Undefined {
		decl.DType = got.DType
	}
	if !decl.HasShape {
		return operators.Meta{DType: decl.DType, Shape: got.Shape, HasShape: got.HasShape}
	}
	return decl
}

// resolve finds the slot of a name used in this graph: defined here, or
// captured from an enclosing graph (which then gets a kindOuter slot here).
func (b *builder) resolve(name string) (int, bool) {
	if s, ok := b.slotOf[name]; ok {
		return s, true
	}
	if b.parent == nil {
		return -1, false
	}
	meta, val, ok := b.parent.resolveForChild(name)
	if !ok {
		return -1, false
	}
	if val != nil {
		s := b.addSlot(name, kindConst, val.Meta(), -1)
		b.consts[s] = val
		return s, true
	}
	return b.addSlot(name, kindOuter, meta, -1), true
}

// resolveForChild is called while the factory of b.nodes[b.cur] compiles a
// subgraph that reads name from an enclosing scope. The node then depends
// on that value. Constants are handed down as values.
func (b *builder) resolveForChild(name string) (operators.Meta, *operators.Value, bool) {
	s, ok := b.resolve(name)
	if !ok {
		return operators.Meta{}, nil, false
	}
	if b.slots[s].kind == kindConst {
		return b.slots[s].meta, b.consts[s], true
	}
	if b.cur >= 0 && b.cur < len(b.nodes) {
		n := b.nodes[b.cur]
		n.deps = append(n.deps, s)
	}
	return b.slots[s].meta, nil, true
}

// buildNodes binds every node to its operator: opset, registration,
// attributes, factory, input slots.
func (b *builder) buildNodes() error {
	for i, p := range b.nodes {
		b.cur = i
		n := p.src
		dom := canonDomain(n.Domain)
		opset, ok := b.c.opsets[dom]
		if !ok {
			return invalidf("%s%s: the model imports no opset for domain %q", b.pre(), p.describe(), n.Domain)
		}
		reg, ok := operators.Lookup(dom, n.OpType, opset)
		if !ok {
			return &UnsupportedError{Ops: []UnsupportedOp{{Domain: dom, OpType: n.OpType, Opset: opset, Nodes: []string{n.Name}}}}
		}
		node := &operators.Node{
			Name: n.Name, OpType: n.OpType, Domain: dom, Opset: opset, Since: reg.Since,
			Inputs: n.Inputs, Outputs: n.Outputs, Attrs: map[string]*operators.Attr{},
		}
		p.node = node
		for _, a := range n.Attributes {
			if a == nil {
				continue
			}
			at, err := b.convAttr(a)
			if err != nil {
				return fmt.Errorf("%s%s: %w", b.pre(), p.describe(), err)
			}
			if _, dup := node.Attrs[a.Name]; dup {
				return fmt.Errorf("%s%s: %w", b.pre(), p.describe(), &operators.AttributeError{Attr: a.Name, Reason: "appears twice"})
			}
			node.Attrs[a.Name] = at
			if at.Type == operators.AttrGraph || at.Type == operators.AttrGraphs {
				p.hasGraph = true
			}
		}
		node.Subgraph = b.subgraphFunc(p)
		op, err := reg.New(node)
		if err != nil {
			return fmt.Errorf("%s%s: %w", b.pre(), p.describe(), err)
		}
		if op == nil {
			return fmt.Errorf("%s%s: the operator's factory returned no operator", b.pre(), p.describe())
		}
		p.op = op
		// Subgraphs are compiled by now (only the factory may do it).
		// Their protos alias the model's bytes, which would otherwise
		// stay alive as long as the session; so would the compiler
		// closure, which holds this graph's proto (the initializers'
		// raw data included) for every step that keeps its node.
		for _, at := range node.Attrs {
			at.G, at.Graphs = nil, nil
		}
		node.Subgraph = nil
		for j, name := range n.Inputs {
			if name == "" {
				p.in[j] = -1
				continue
			}
			s, ok := b.resolve(name)
			if !ok {
				return invalidf("%s%s: input %q is not produced by any node, initializer or graph input", b.pre(), p.describe(), name)
			}
			p.in[j] = s
		}
	}
	b.cur = -1
	return nil
}

// subgraphFunc returns Node.Subgraph for p: it compiles a graph attribute
// as a nested plan whose free names resolve in this graph's scope.
func (b *builder) subgraphFunc(p *pnode) func(g any) (operators.Graph, error) {
	return func(g any) (operators.Graph, error) {
		pg, ok := g.(*onnxpb.Graph)
		if !ok || pg == nil {
			return nil, invalidf("graph attribute holds %T, not a graph", g)
		}
		if b.cur != p.idx {
			return nil, fmt.Errorf("%s: subgraphs must be compiled by the node's factory", p.describe())
		}
		name := pg.Name
		where := fmt.Sprintf("%s%s, subgraph %q", b.pre(), p.describe(), name)
		plan, err := b.c.compileGraph(pg, b, where)
		if err != nil {
			return nil, err
		}
		return &subgraph{p: plan}, nil
	}
}

// convAttr turns an AttributeProto into an operators.Attr. Attributes
// written without a type (very old exporters) get the type of the field
// that is set.
func (b *builder) convAttr(a *onnxpb.Attribute) (*operators.Attr, error) {
	if a.Name == "" {
		return nil, invalidf("an attribute has no name")
	}
	if a.RefAttrName != "" {
		return nil, &operators.AttributeError{Attr: a.Name, Reason: "refers to a function attribute outside a function"}
	}
	t := operators.AttrType(a.Type)
	if t == operators.AttrUndefined {
		switch {
		case a.T != nil:
			t = operators.AttrTensor
		case a.G != nil:
			t = operators.AttrGraph
		case len(a.Floats) > 0:
			t = operators.AttrFloats
		case len(a.Ints) > 0:
			t = operators.AttrInts
		case len(a.Strings) > 0:
			t = operators.AttrStrings
		case len(a.Tensors) > 0:
			t = operators.AttrTensors
		case len(a.Graphs) > 0:
			t = operators.AttrGraphs
		case a.S != nil:
			t = operators.AttrString
		case a.F != 0:
			t = operators.AttrFloat
		default:
			t = operators.AttrInt
		}
	}
	at := &operators.Attr{Name: a.Name, Type: t}
	conv := func(tp *onnxpb.Tensor) (*operators.Value, error) {
		if tp == nil {
			return nil, &operators.AttributeError{Attr: a.Name, Reason: "tensor is missing"}
		}
		v, err := onnxpb.TensorToValue(tp, b.c.baseDir, b.c.o.limits)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		return v, nil
	}
	var err error
	switch t {
	case operators.AttrFloat:
		at.F = a.F
	case operators.AttrInt:
		at.I = a.I
	case operators.AttrString:
		at.S = a.S
	case operators.AttrTensor:
		if at.T, err = conv(a.T); err != nil {
			return nil, err
		}
	case operators.AttrGraph:
		if a.G == nil {
			return nil, &operators.AttributeError{Attr: a.Name, Reason: "graph is missing"}
		}
		at.G = a.G
	case operators.AttrFloats:
		at.Floats = a.Floats
	case operators.AttrInts:
		at.Ints = a.Ints
	case operators.AttrStrings:
		at.Strings = a.Strings
	case operators.AttrTensors:
		at.Tensors = make([]*operators.Value, len(a.Tensors))
		for i, tp := range a.Tensors {
			if at.Tensors[i], err = conv(tp); err != nil {
				return nil, err
			}
		}
	case operators.AttrGraphs:
		at.Graphs = make([]any, len(a.Graphs))
		for i, g := range a.Graphs {
			if g == nil {
				return nil, &operators.AttributeError{Attr: a.Name, Reason: "a graph is missing"}
			}
			at.Graphs[i] = g
		}
	case operators.AttrSparseTensor, operators.AttrSparseTensors, operators.AttrTypeProto, operators.AttrTypeProtos:
		// Kept with its type only; operators that need these reject
		// them when they read the attribute.
	default:
		return nil, &operators.AttributeError{Attr: a.Name, Reason: fmt.Sprintf("unknown attribute type %d", t)}
	}
	return at, nil
}

// graphOutputs resolves the graph's outputs to slots.
func (b *builder) graphOutputs() ([]int, error) {
	outs := make([]int, len(b.g.Outputs))
	for i, o := range b.g.Outputs {
		if o == nil || o.Name == "" {
			return nil, invalidf("%soutput %d has no name", b.pre(), i)
		}
		s, ok := b.resolve(o.Name)
		if !ok {
			return nil, invalidf("%soutput %q is not produced by any node, initializer or graph input", b.pre(), o.Name)
		}
		outs[i] = s
	}
	return outs, nil
}

// nodeHeap orders ready nodes by their position in the file, so a graph
// that is already sorted keeps its order.
type nodeHeap []int

func (h nodeHeap) Len() int           { return len(h) }
func (h nodeHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h nodeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *nodeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// topoSort orders the nodes so every value is produced before it is used
// (Kahn's algorithm, taking the earliest ready node first).
func (b *builder) topoSort() ([]int, error) {
	n := len(b.nodes)
	pending := make([]int, n)
	users := make([][]int, n)
	for i, p := range b.nodes {
		seen := map[int]bool{}
		for _, s := range append(append([]int(nil), p.in...), p.deps...) {
			if s < 0 || seen[s] || b.slots[s].kind != kindNode {
				continue
			}
			seen[s] = true
			pending[i]++
			prod := b.slots[s].producer
			users[prod] = append(users[prod], i)
		}
	}
	h := &nodeHeap{}
	for i := range n {
		if pending[i] == 0 {
			*h = append(*h, i)
		}
	}
	heap.Init(h)
	order := make([]int, 0, n)
	for h.Len() > 0 {
		i := heap.Pop(h).(int)
		order = append(order, i)
		for _, u := range users[i] {
			pending[u]--
			if pending[u] == 0 {
				heap.Push(h, u)
			}
		}
	}
	if len(order) == n {
		return order, nil
	}
	return nil, invalidf("%s%s", b.pre(), b.describeCycle(pending))
}

// describeCycle walks back from a node that never became ready through
// inputs whose producers never ran either, until it meets itself.
func (b *builder) describeCycle(pending []int) string {
	start := -1
	for i, c := range pending {
		if c > 0 {
			start = i
			break
		}
	}
	pos := map[int]int{}
	var path []int
	var via []string
	cur := start
	for {
		if at, ok := pos[cur]; ok {
			path, via = path[at:], via[at:]
			break
		}
		pos[cur] = len(path)
		path = append(path, cur)
		p := b.nodes[cur]
		next, name := -1, ""
		for _, s := range append(append([]int(nil), p.in...), p.deps...) {
			if s >= 0 && b.slots[s].kind == kindNode && pending[b.slots[s].producer] > 0 {
				next, name = b.slots[s].producer, b.slots[s].name
				break
			}
		}
		if next < 0 { // cannot happen: a pending node waits on a pending producer
			return fmt.Sprintf("%s never becomes ready", p.describe())
		}
		via = append(via, name)
		cur = next
	}
	var sb strings.Builder
	sb.WriteString("the graph has a cycle: ")
	for i, n := range path {
		// path[i] reads via[i], produced by path[i+1].
		fmt.Fprintf(&sb, "%s reads %q from ", b.nodes[n].describe(), via[i])
		if i == len(path)-1 {
			sb.WriteString(b.nodes[path[0]].describe())
		}
	}
	return sb.String()
}

// prune drops nodes no graph output depends on.
func (b *builder) prune(order, outs []int) []int {
	need := make([]bool, len(b.nodes))
	var stack []int
	mark := func(s int) {
		if s >= 0 && b.slots[s].kind == kindNode {
			if p := b.slots[s].producer; !need[p] {
				need[p] = true
				stack = append(stack, p)
			}
		}
	}
	for _, s := range outs {
		mark(s)
	}
	for len(stack) > 0 {
		p := b.nodes[stack[len(stack)-1]]
		stack = stack[:len(stack)-1]
		for _, s := range p.in {
			mark(s)
		}
		for _, s := range p.deps {
			mark(s)
		}
	}
	kept := order[:0:0]
	for _, i := range order {
		if need[i] {
			kept = append(kept, i)
		}
	}
	return kept
}

// inferAndFold walks the nodes in order, infers their outputs' types and
// shapes, and runs the ones whose inputs are all constant so that their
// outputs become constants (unless optimisations are off).
func (b *builder) inferAndFold(order []int) error {
	for _, i := range order {
		p := b.nodes[i]
		ins := make([]operators.Meta, len(p.in))
		consts := make([]*operators.Value, len(p.in))
		allConst := !p.hasGraph && len(p.deps) == 0 && !nondeterministic[p.src.OpType]
		for j, s := range p.in {
			if s < 0 {
				continue
			}
			ins[j] = b.slots[s].meta
			if b.slots[s].kind == kindConst {
				consts[j] = b.consts[s]
			} else {
				allConst = false
			}
		}
		metas, err := p.op.Infer(ins, consts)
		if err != nil {
			// With every input's type and rank known the operator has
			// all it needs, so its complaint stands. Otherwise it may
			// only be missing facts that the run will supply; the
			// operator checks again then.
			if knownMetas(p.in, ins) {
				return fmt.Errorf("%s%s: %w", b.pre(), p.describe(), err)
			}
			metas = nil
		}
		for j, s := range p.out {
			if s >= 0 && j < len(metas) {
				b.slots[s].meta = metas[j]
				if metas[j].HasShape {
					b.slots[s].meta.Shape = append([]int{}, metas[j].Shape...)
				}
			}
		}
		switch {
		case b.c.o.noOpt:
		case allConst && b.foldable(p):
			if err := b.fold(p, consts); err != nil {
				return err
			}
		case b.shapeOnly(p, ins):
			// The result depends only on a shape inference has pinned
			// down: run the operator on zeros of that shape. If it
			// refuses, the node simply stays a step.
			if v, err := operators.NewValue(ins[0].DType, ins[0].Shape); err == nil {
				_ = b.fold(p, []*operators.Value{v})
			}
		}
	}
	return nil
}

// shapeOnly reports whether p is an operator whose output depends only on
// its input's shape (Shape, Size) and that shape is fully known. Only the
// main graph qualifies: its inputs' shapes are checked on every run, while
// a subgraph's declared input shapes are not (Loop-carried values may
// change shape from one iteration to the next). The zero-filled stand-in
// must also be small.
func (b *builder) shapeOnly(p *pnode, ins []operators.Meta) bool {
	if b.parent != nil || p.node.Domain != "" || (p.src.OpType != "Shape" && p.src.OpType != "Size") {
		return false
	}
	if len(p.in) != 1 || p.in[0] < 0 || len(p.deps) > 0 || p.hasGraph {
		return false
	}
	m := ins[0]
	if !m.HasShape || m.DType == operators.Undefined || m.DType.Size() == 0 && m.DType != operators.String {
		return false
	}
	n := operators.NumElements(m.Shape) // -1 when a dimension is unknown
	return n >= 0 && n <= 1<<22 && int64(n) <= b.c.o.limits.MaxTensorElements
}

// foldable refuses to fold a node whose inferred outputs are larger than
// the tensor limits: a small model must not make the loader allocate
// gigabytes (ConstantOfShape of a huge constant shape). Such a node stays
// a step and fails, or not, when it runs.
func (b *builder) foldable(p *pnode) bool {
	lim := b.c.o.limits
	for _, s := range p.out {
		if s < 0 || !b.slots[s].meta.HasShape {
			continue
		}
		m := b.slots[s].meta
		n := operators.NumElements(m.Shape)
		if n < 0 && slices.Contains(m.Shape, -1) {
			continue
		}
		if n < 0 || int64(n) > lim.MaxTensorElements || int64(n)*int64(max(m.DType.Size(), 1)) > lim.MaxTensorBytes {
			return false
		}
	}
	return true
}

// fold runs p once on its constant inputs; its outputs become constants
// and p leaves the plan.
func (b *builder) fold(p *pnode, consts []*operators.Value) error {
	outs := make([]*operators.Value, len(p.out))
	rc := &operators.RunContext{Ctx: context.Background(), Threads: b.c.o.threads}
	if err := p.op.Run(rc, consts, outs); err != nil {
		return fmt.Errorf("%s%s: folding a constant: %w", b.pre(), p.describe(), err)
	}
	for j, s := range p.out {
		if s < 0 {
			continue
		}
		if outs[j] == nil {
			return fmt.Errorf("%s%s: output %d was not set", b.pre(), p.describe(), j)
		}
		if err := checkValue(outs[j]); err != nil {
			return fmt.Errorf("%s%s: output %q: %w", b.pre(), p.describe(), p.src.Outputs[j], err)
		}
	}
	// Only now, with every output good, does the node leave the plan.
	for j, s := range p.out {
		if s < 0 {
			continue
		}
		b.slots[s].kind = kindConst
		b.slots[s].meta = outs[j].Meta()
		b.consts[s] = outs[j]
	}
	p.folded = true
	return nil
}

// knownMetas reports whether every input that is present has a known type
// and rank.
func knownMetas(slots []int, ins []operators.Meta) bool {
	for j, s := range slots {
		if s >= 0 && (ins[j].DType == operators.Undefined || !ins[j].HasShape) {
			return false
		}
	}
	return true
}

// checkValue checks that a value's buffer matches its type and shape, so a
// kernel indexing it by its shape stays inside it.
func checkValue(v *operators.Value) error {
	n := operators.NumElements(v.Shape)
	if n < 0 {
		return fmt.Errorf("%w: shape %v has a negative or overflowing size", operators.ErrShape, v.Shape)
	}
	if v.DType == operators.String {
		if len(v.Strs) != n {
			return fmt.Errorf("%w: %d strings for shape %v", operators.ErrShape, len(v.Strs), v.Shape)
		}
		return nil
	}
	sz := v.DType.Size()
	if sz == 0 {
		return fmt.Errorf("%w: %v", operators.ErrUnsupportedType, v.DType)
	}
	if n > len(v.Raw)/sz || len(v.Raw) != n*sz {
		return fmt.Errorf("%w: %d bytes for %v%v (want %d)", operators.ErrShape, len(v.Raw), v.DType, v.Shape, n*sz)
	}
	return nil
}

// plan freezes the builder into an immutable Plan.
func (b *builder) plan(order, outs []int) *Plan {
	p := &Plan{
		name:     b.g.Name,
		slots:    b.slots,
		slotOf:   b.slotOf,
		consts:   b.consts,
		outputs:  outs,
		threads:  b.c.o.threads,
		maxElems: b.c.o.limits.MaxTensorElements,
		maxBytes: b.c.o.limits.MaxTensorBytes,
	}
	for _, in := range b.g.Inputs {
		s := b.slotOf[in.Name]
		if b.slots[s].kind == kindInput {
			p.inputs = append(p.inputs, s)
		}
	}
	// What a caller may assume of the outputs: the declaration where
	// there is one, inference where it is silent.
	for i, o := range b.g.Outputs {
		decl, err := metaOf(o.Type)
		if err != nil {
			decl = operators.Meta{}
		}
		m := mergeMeta(decl, b.slots[outs[i]].meta)
		m.Shape = slices.Clone(m.Shape)
		p.outMetas = append(p.outMetas, m)
	}
	for s, si := range b.slots {
		if si.kind == kindOuter {
			p.captures = append(p.captures, s)
		}
	}
	var steps []*pnode
	for _, i := range order {
		if b.nodes[i].folded {
			p.folded = append(p.folded, b.nodes[i].src.Name)
			continue
		}
		steps = append(steps, b.nodes[i])
	}
	// A slot's last use: the last step that reads it (or, for a value
	// nobody reads, the step that produced it). Graph outputs live to the
	// end of the run.
	last := make([]int, len(b.slots))
	for i := range last {
		last[i] = -1
	}
	for k, n := range steps {
		for _, s := range n.out {
			if s >= 0 {
				last[s] = k
			}
		}
		for _, s := range n.in {
			if s >= 0 {
				last[s] = k
			}
		}
		for _, s := range n.deps {
			last[s] = k
		}
	}
	isOut := make([]bool, len(b.slots))
	for _, s := range outs {
		isOut[s] = true
	}
	p.steps = make([]step, len(steps))
	used := make([]bool, len(b.slots))
	for _, s := range outs {
		used[s] = true
	}
	for k, n := range steps {
		st := &p.steps[k]
		st.node, st.op, st.in, st.out, st.desc = n.node, n.op, n.in, n.out, n.describe()
		p.maxIn = max(p.maxIn, len(n.in))
		p.maxOut = max(p.maxOut, len(n.out))
		for _, s := range append(append([]int(nil), n.in...), n.deps...) {
			if s >= 0 {
				used[s] = true
			}
		}
	}
	for k := range p.steps {
		st := &p.steps[k]
		seen := map[int]bool{}
		for _, s := range append(append(append([]int(nil), st.out...), st.in...), steps[k].deps...) {
			if s < 0 || seen[s] || isOut[s] || b.slots[s].kind != kindNode || last[s] != k {
				continue
			}
			seen[s] = true
			st.free = append(st.free, s)
		}
		sort.Ints(st.free)
	}
	// Constants only folded nodes read are garbage now.
	for s := range p.consts {
		if b.slots[s].kind == kindConst && !used[s] {
			p.consts[s] = nil
		}
	}
	for s, v := range p.consts {
		if v != nil {
			p.constSlots = append(p.constSlots, s)
		}
	}
	p.states.New = func() any { return newState(p) }
	return p
}
