package controlflow

import (
	"fmt"
	"slices"

	"github.com/onnxrun/onnxrun/operators"
)

// graphAttr compiles the required graph attribute name of n.
func graphAttr(n *operators.Node, name string) (operators.Graph, error) {
	a, ok := n.Attrs[name]
	if !ok {
		return nil, &operators.AttributeError{Attr: name, Reason: "is required"}
	}
	if a.Type != operators.AttrGraph || a.G == nil {
		return nil, &operators.AttributeError{Attr: name, Reason: "is not a graph"}
	}
	if n.Subgraph == nil {
		return nil, &operators.AttributeError{Attr: name, Reason: "cannot be compiled: the node has no subgraph compiler"}
	}
	g, err := n.Subgraph(a.G)
	if err != nil {
		return nil, fmt.Errorf("attribute %q: %w", name, err)
	}
	return g, nil
}

// unknown returns n metas of unknown type and shape.
func unknown(n int) []operators.Meta { return make([]operators.Meta, n) }

// metasOf returns what the runtime learned at load of g's outputs, or
// unknown metas when its graphs do not say.
func metasOf(g operators.Graph) []operators.Meta {
	if m, ok := g.(interface{ OutputMetas() []operators.Meta }); ok {
		if ms := m.OutputMetas(); len(ms) == g.NumOutputs() {
			return ms
		}
	}
	return unknown(g.NumOutputs())
}

// join is what two metas have in common: the type if they agree (or only
// one is known), the rank if they agree, and each dimension that agrees
// (else -1).
func join(a, b operators.Meta) operators.Meta {
	var m operators.Meta
	switch {
	case a.DType == b.DType || b.DType == operators.Undefined:
		m.DType = a.DType
	case a.DType == operators.Undefined:
		m.DType = b.DType
	}
	if a.HasShape && b.HasShape && len(a.Shape) == len(b.Shape) {
		m.HasShape = true
		m.Shape = make([]int, len(a.Shape))
		for i := range a.Shape {
			m.Shape[i] = -1
			if a.Shape[i] == b.Shape[i] {
				m.Shape[i] = a.Shape[i]
			}
		}
	}
	return m
}

// stacked is the meta of per-iteration values of meta m stacked along a
// new leading axis of unknown length.
func stacked(m operators.Meta) operators.Meta {
	out := operators.Meta{DType: m.DType}
	if m.HasShape {
		out.HasShape = true
		out.Shape = append([]int{-1}, m.Shape...)
	}
	return out
}

// emptyScan is a scan output of zero iterations: type and per-iteration
// shape from the body's declared output m when it gives them fully,
// else float32 [0].
func emptyScan(rc *operators.RunContext, m operators.Meta, axis int) (*operators.Value, error) {
	dt, shape := m.DType, []int{0}
	if dt == operators.Undefined {
		dt = operators.Float32
	}
	if m.HasShape && !slices.Contains(m.Shape, -1) && axis >= 0 && axis <= len(m.Shape) {
		shape = slices.Insert(slices.Clone(m.Shape), axis, 0)
	}
	return rc.AllocValue(dt, shape, false)
}

// clone copies v into a value from rc's allocator, so an output never
// shares a buffer with an input the runtime still owns.
func clone(rc *operators.RunContext, v *operators.Value) (*operators.Value, error) {
	c, err := rc.AllocValue(v.DType, v.Shape, false)
	if err != nil {
		return nil, err
	}
	copy(c.Raw, v.Raw)
	copy(c.Strs, v.Strs)
	return c, nil
}

// stacker concatenates per-iteration values of one scan output along a new
// axis. Every part must have the type and shape of the first.
type stacker struct {
	name  string         // for errors: "scan output 0"
	decl  operators.Meta // the body output's meta from load
	first *operators.Value
	parts []*operators.Value
}

func (s *stacker) add(v *operators.Value) error {
	if v == nil {
		return fmt.Errorf("%w: %s is missing", operators.ErrInvalidModel, s.name)
	}
	if s.first == nil {
		s.first = v
	} else if v.DType != s.first.DType || !slices.Equal(v.Shape, s.first.Shape) {
		return fmt.Errorf("%w: %s is %v in iteration %d but %v in iteration 0", operators.ErrShape, s.name, v, len(s.parts), s.first)
	}
	s.parts = append(s.parts, v)
	return nil
}

// stack writes the parts along axis (of the result's rank, in [0, rank
// of a part]); reverse puts the last part first. With no parts it returns
// emptyScan(decl).
func (s *stacker) stack(rc *operators.RunContext, axis int, reverse bool) (*operators.Value, error) {
	if s.first == nil {
		return emptyScan(rc, s.decl, axis)
	}
	ps := s.first.Shape
	if axis < 0 || axis > len(ps) {
		return nil, fmt.Errorf("%w: %s: axis %d is out of range for rank %d", operators.ErrInvalidModel, s.name, axis, len(ps)+1)
	}
	n := len(s.parts)
	shape := make([]int, 0, len(ps)+1)
	shape = append(shape, ps[:axis]...)
	shape = append(shape, n)
	shape = append(shape, ps[axis:]...)
	out, err := rc.AllocValue(s.first.DType, shape, false)
	if err != nil {
		return nil, err
	}
	outer, inner := 1, 1
	for _, d := range ps[:axis] {
		outer *= d
	}
	for _, d := range ps[axis:] {
		inner *= d
	}
	for k, p := range s.parts {
		j := k
		if reverse {
			j = n - 1 - k
		}
		copyBlock(out, p, outer, inner, n, j, true)
	}
	return out, nil
}

// copyBlock moves one slice between a tensor big, viewed as [outer, n,
// inner], at index j of its middle axis, and a tensor small viewed as
// [outer, inner]: into big when toBig, else out of it.
func copyBlock(big, small *operators.Value, outer, inner, n, j int, toBig bool) {
	if big.DType == operators.String {
		for o := 0; o < outer; o++ {
			b := big.Strs[(o*n+j)*inner : (o*n+j+1)*inner]
			sm := small.Strs[o*inner : (o+1)*inner]
			if toBig {
				copy(b, sm)
			} else {
				copy(sm, b)
			}
		}
		return
	}
	es := big.DType.Size()
	row := inner * es
	for o := 0; o < outer; o++ {
		b := big.Raw[(o*n+j)*row : (o*n+j+1)*row]
		sm := small.Raw[o*row : (o+1)*row]
		if toBig {
			copy(b, sm)
		} else {
			copy(sm, b)
		}
	}
}

// sliceAxis returns index j of v along axis, as a new value without that
// axis. The slice is garbage-collected rather than pooled: it lives only
// for one iteration of a body.
func sliceAxis(v *operators.Value, axis, j int) (*operators.Value, error) {
	shape := slices.Delete(slices.Clone(v.Shape), axis, axis+1)
	out, err := operators.NewValue(v.DType, shape)
	if err != nil {
		return nil, err
	}
	outer, inner := 1, 1
	for _, d := range v.Shape[:axis] {
		outer *= d
	}
	for _, d := range v.Shape[axis+1:] {
		inner *= d
	}
	copyBlock(v, out, outer, inner, v.Shape[axis], j, false)
	return out, nil
}
