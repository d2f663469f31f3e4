package runtime

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// Model-local functions (ModelProto.functions) are expanded in place: a
// node that calls one is replaced by the function's body, with the body's
// values renamed so they cannot clash with the graph's, its formal inputs
// and outputs bound to the node's, and attribute references resolved from
// the node's attributes or the function's defaults. A registered operator
// of the same domain and name wins over a function.

type funcKey struct{ domain, name, overload string }

// maxInlineDepth bounds functions calling functions.
const maxInlineDepth = 16

// indexFunctions records the model's functions and adds the opsets their
// bodies import that the model does not.
func (c *compiler) indexFunctions(fs []*onnxpb.Function) error {
	for i, f := range fs {
		if f == nil || f.Name == "" {
			return invalidf("function %d has no name", i)
		}
		k := funcKey{canonDomain(f.Domain), f.Name, f.Overload}
		if _, dup := c.funcs[k]; dup {
			return invalidf("function %s.%s is defined twice", f.Domain, f.Name)
		}
		if c.funcs == nil {
			c.funcs = map[funcKey]*onnxpb.Function{}
		}
		c.funcs[k] = f
		for _, id := range f.OpsetImport {
			d := canonDomain(id.Domain)
			if _, ok := c.opsets[d]; !ok && id.Version >= 1 && id.Version <= 1<<20 {
				c.opsets[d] = int(id.Version)
			}
		}
	}
	return nil
}

// function returns the function a node calls, if it calls one rather
// than a registered operator.
func (c *compiler) function(n *onnxpb.Node) *onnxpb.Function {
	if len(c.funcs) == 0 {
		return nil
	}
	d := canonDomain(n.Domain)
	f := c.funcs[funcKey{d, n.OpType, n.Overload}]
	if f == nil {
		return nil
	}
	if opset, ok := c.opsets[d]; ok {
		if _, ok := operators.Lookup(d, n.OpType, opset); ok {
			return nil
		}
	}
	return f
}

// expand returns g's nodes with every function call replaced by the
// function's body (recursively).
func (c *compiler) expand(nodes []*onnxpb.Node) ([]*onnxpb.Node, error) {
	if len(c.funcs) == 0 {
		return nodes, nil
	}
	var out []*onnxpb.Node
	var walk func(nodes []*onnxpb.Node, depth int) error
	walk = func(nodes []*onnxpb.Node, depth int) error {
		for _, n := range nodes {
			if n == nil {
				out = append(out, n)
				continue
			}
			f := c.function(n)
			if f == nil {
				out = append(out, n)
				continue
			}
			if depth >= maxInlineDepth {
				return invalidf("node %q: functions nest more than %d deep (is %s recursive?)", n.Name, maxInlineDepth, f.Name)
			}
			body, err := c.instantiate(f, n)
			if err != nil {
				return err
			}
			if err := walk(body, depth+1); err != nil {
				return err
			}
			if len(out) > c.o.limits.MaxNodes {
				return invalidf("expanding functions makes more than MaxNodes = %d nodes", c.o.limits.MaxNodes)
			}
		}
		return nil
	}
	if err := walk(nodes, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// instantiate renames f's body for the call n.
func (c *compiler) instantiate(f *onnxpb.Function, n *onnxpb.Node) ([]*onnxpb.Node, error) {
	c.inlined++
	prefix := fmt.Sprintf("%s/%s#%d/", n.Name, f.Name, c.inlined)
	rename := map[string]string{}
	for i, formal := range f.Inputs {
		actual := ""
		if i < len(n.Inputs) {
			actual = n.Inputs[i]
		}
		rename[formal] = actual
	}
	if len(n.Inputs) > len(f.Inputs) {
		return nil, invalidf("node %q calls function %s with %d inputs; it takes %d", n.Name, f.Name, len(n.Inputs), len(f.Inputs))
	}
	if len(n.Outputs) > len(f.Outputs) {
		return nil, invalidf("node %q calls function %s with %d outputs; it has %d", n.Name, f.Name, len(n.Outputs), len(f.Outputs))
	}
	for i, formal := range f.Outputs {
		if i < len(n.Outputs) && n.Outputs[i] != "" {
			rename[formal] = n.Outputs[i]
		}
	}
	name := func(s string) string {
		if s == "" {
			return ""
		}
		if r, ok := rename[s]; ok {
			return r
		}
		return prefix + s
	}
	callAttrs := map[string]*onnxpb.Attribute{}
	for _, a := range n.Attributes {
		if a != nil {
			callAttrs[a.Name] = a
		}
	}
	defaults := map[string]*onnxpb.Attribute{}
	for _, a := range f.AttributeProto {
		if a != nil {
			defaults[a.Name] = a
		}
	}
	body := make([]*onnxpb.Node, 0, len(f.Nodes))
	for _, bn := range f.Nodes {
		if bn == nil {
			return nil, invalidf("function %s has an empty node", f.Name)
		}
		cp := *bn
		cp.Name = prefix + bn.Name
		cp.Inputs = make([]string, len(bn.Inputs))
		for i, s := range bn.Inputs {
			cp.Inputs[i] = name(s)
		}
		cp.Outputs = make([]string, len(bn.Outputs))
		for i, s := range bn.Outputs {
			cp.Outputs[i] = name(s)
		}
		cp.Attributes = nil
		for _, a := range bn.Attributes {
			if a == nil {
				continue
			}
			if a.RefAttrName == "" {
				if a.G != nil || len(a.Graphs) > 0 {
					a = renameGraphAttr(a, name)
				}
				cp.Attributes = append(cp.Attributes, a)
				continue
			}
			src := callAttrs[a.RefAttrName]
			if src == nil {
				src = defaults[a.RefAttrName]
			}
			if src == nil {
				continue // not given and no default: the attribute is absent
			}
			ac := *src
			ac.Name = a.Name
			cp.Attributes = append(cp.Attributes, &ac)
		}
		body = append(body, &cp)
	}
	return body, nil
}

// renameGraphAttr copies a graph attribute of a function body node, with
// the names its graphs read from enclosing scopes (the function's values)
// passed through rename. Names a graph defines itself stay as they are.
func renameGraphAttr(a *onnxpb.Attribute, rename func(string) string) *onnxpb.Attribute {
	ac := *a
	if a.G != nil {
		ac.G = renameFree(a.G, rename)
	}
	if len(a.Graphs) > 0 {
		ac.Graphs = make([]*onnxpb.Graph, len(a.Graphs))
		for i, g := range a.Graphs {
			if g != nil {
				ac.Graphs[i] = renameFree(g, rename)
			}
		}
	}
	return &ac
}

func renameFree(g *onnxpb.Graph, rename func(string) string) *onnxpb.Graph {
	local := map[string]bool{}
	for _, in := range g.Inputs {
		if in != nil {
			local[in.Name] = true
		}
	}
	for _, t := range g.Initializers {
		if t != nil {
			local[t.Name] = true
		}
	}
	for _, n := range g.Nodes {
		if n != nil {
			for _, o := range n.Outputs {
				local[o] = true
			}
		}
	}
	outer := func(s string) string {
		if s == "" || local[s] {
			return s
		}
		return rename(s)
	}
	gc := *g
	gc.Nodes = make([]*onnxpb.Node, len(g.Nodes))
	for i, n := range g.Nodes {
		if n == nil {
			continue
		}
		nc := *n
		nc.Inputs = make([]string, len(n.Inputs))
		for j, s := range n.Inputs {
			nc.Inputs[j] = outer(s)
		}
		nc.Attributes = make([]*onnxpb.Attribute, len(n.Attributes))
		for j, a := range n.Attributes {
			if a != nil && (a.G != nil || len(a.Graphs) > 0) {
				a = renameGraphAttr(a, outer)
			}
			nc.Attributes[j] = a
		}
		gc.Nodes[i] = &nc
	}
	gc.Outputs = make([]*onnxpb.ValueInfo, len(g.Outputs))
	for i, o := range g.Outputs {
		if o == nil {
			continue
		}
		oc := *o
		oc.Name = outer(o.Name)
		gc.Outputs[i] = &oc
	}
	return &gc
}
