package spatial

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
)

// AutoPad is the auto_pad attribute.
type AutoPad int

// The auto_pad modes.
const (
	NotSet AutoPad = iota
	SameUpper
	SameLower
	Valid
)

// Attrs are a windowed operator's spatial attributes as read from the node.
// Nil slices mean "absent" (defaults depend on the spatial rank, known only
// once the input shape is).
type Attrs struct {
	AutoPad   AutoPad
	Kernel    []int // kernel_shape
	Strides   []int
	Dilations []int
	Pads      []int // [x1_begin, x2_begin, ..., x1_end, x2_end, ...]
	CeilMode  bool
}

func ints(n *operators.Node, name string, minVal int) ([]int, error) {
	v, ok, err := n.Ints(name)
	if err != nil || !ok {
		return nil, err
	}
	out := make([]int, len(v))
	for i, x := range v {
		if x < int64(minVal) || x > 1<<30 {
			return nil, &operators.AttributeError{Attr: name, Reason: fmt.Sprintf("element %d is %d, want >= %d", i, x, minVal)}
		}
		out[i] = int(x)
	}
	return out, nil
}

// Parse reads the spatial attributes. ceil is whether the operator has a
// ceil_mode attribute.
func Parse(n *operators.Node, ceil bool) (*Attrs, error) {
	a := &Attrs{}
	ap, err := n.String("auto_pad", "NOTSET")
	if err != nil {
		return nil, err
	}
	switch ap {
	case "NOTSET", "":
		a.AutoPad = NotSet
	case "SAME_UPPER":
		a.AutoPad = SameUpper
	case "SAME_LOWER":
		a.AutoPad = SameLower
	case "VALID":
		a.AutoPad = Valid
	default:
		return nil, &operators.AttributeError{Attr: "auto_pad", Reason: fmt.Sprintf("%q is not NOTSET, SAME_UPPER, SAME_LOWER or VALID", ap)}
	}
	if a.Kernel, err = ints(n, "kernel_shape", 1); err != nil {
		return nil, err
	}
	if a.Strides, err = ints(n, "strides", 1); err != nil {
		return nil, err
	}
	if a.Dilations, err = ints(n, "dilations", 1); err != nil {
		return nil, err
	}
	if a.Pads, err = ints(n, "pads", 0); err != nil {
		return nil, err
	}
	if a.Pads != nil && a.AutoPad != NotSet {
		return nil, &operators.AttributeError{Attr: "pads", Reason: "cannot be used together with auto_pad " + ap}
	}
	if ceil {
		c, err := n.Int("ceil_mode", 0)
		if err != nil {
			return nil, err
		}
		if c != 0 && c != 1 {
			return nil, &operators.AttributeError{Attr: "ceil_mode", Reason: fmt.Sprintf("is %d, want 0 or 1", c)}
		}
		a.CeilMode = c == 1
	}
	// Cross-check the lengths that are all known now.
	r := -1
	for _, s := range []struct {
		name string
		v    []int
		div  int
	}{{"kernel_shape", a.Kernel, 1}, {"strides", a.Strides, 1}, {"dilations", a.Dilations, 1}, {"pads", a.Pads, 2}} {
		if s.v == nil {
			continue
		}
		if len(s.v)%s.div != 0 {
			return nil, &operators.AttributeError{Attr: s.name, Reason: fmt.Sprintf("has %d elements, want an even number", len(s.v))}
		}
		l := len(s.v) / s.div
		if r >= 0 && l != r {
			return nil, &operators.AttributeError{Attr: s.name, Reason: fmt.Sprintf("has %d spatial dimensions, other attributes have %d", l, r)}
		}
		r = l
	}
	return a, nil
}

// Window is the resolved geometry for one input shape.
type Window struct {
	In, Kernel, Strides, Dilations []int
	PadBegin, PadEnd, Out          []int
}

// Resolve computes the output size and padding of each spatial dimension.
// in holds the input's spatial dims and kernel the kernel's (from
// kernel_shape or the weights). Errors name the attribute or say that the
// input is too small.
func (a *Attrs) Resolve(in, kernel []int) (*Window, error) {
	r := len(in)
	if len(kernel) != r {
		return nil, &operators.AttributeError{Attr: "kernel_shape", Reason: fmt.Sprintf("has %d spatial dimensions, input has %d", len(kernel), r)}
	}
	w := &Window{In: in, Kernel: kernel}
	fill := func(name string, v []int, n, def int) ([]int, error) {
		if v == nil {
			s := make([]int, n)
			for i := range s {
				s[i] = def
			}
			return s, nil
		}
		if len(v) != n {
			return nil, &operators.AttributeError{Attr: name, Reason: fmt.Sprintf("has %d elements, want %d for %d spatial dimensions", len(v), n, r)}
		}
		return v, nil
	}
	var err error
	if w.Strides, err = fill("strides", a.Strides, r, 1); err != nil {
		return nil, err
	}
	if w.Dilations, err = fill("dilations", a.Dilations, r, 1); err != nil {
		return nil, err
	}
	pads, err := fill("pads", a.Pads, 2*r, 0)
	if err != nil {
		return nil, err
	}
	w.PadBegin, w.PadEnd, w.Out = make([]int, r), make([]int, r), make([]int, r)
	for i := 0; i < r; i++ {
		s, d, k := w.Strides[i], w.Dilations[i], kernel[i]
		ext := d*(k-1) + 1 // the window's extent in the input
		switch a.AutoPad {
		case SameUpper, SameLower:
			out := (in[i] + s - 1) / s
			total := max(0, (out-1)*s+ext-in[i])
			if a.AutoPad == SameUpper {
				w.PadBegin[i] = total / 2
			} else {
				w.PadBegin[i] = total - total/2
			}
			w.PadEnd[i] = total - w.PadBegin[i]
			w.Out[i] = out
			continue
		case Valid:
		default:
			w.PadBegin[i], w.PadEnd[i] = pads[i], pads[r+i]
		}
		span := in[i] + w.PadBegin[i] + w.PadEnd[i] - ext
		if span < 0 {
			return nil, fmt.Errorf("%w: spatial dimension %d: input size %d with pads %d+%d is smaller than the window extent %d", operators.ErrShape, i, in[i], w.PadBegin[i], w.PadEnd[i], ext)
		}
		out := span/s + 1
		// ceil((span+1)/s), the spec's VALID size with ceil_mode, equals
		// floor(span/s)+1, so VALID ignores ceil_mode.
		if a.CeilMode && a.AutoPad != Valid {
			out = (span+s-1)/s + 1
			// The last window must start inside the input or the leading
			// padding, not entirely in the trailing padding.
			if (out-1)*s >= in[i]+w.PadBegin[i] {
				out--
			}
		}
		w.Out[i] = out
	}
	return w, nil
}
