package spatial

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

func node(attrs ...*operators.Attr) *operators.Node {
	n := &operators.Node{Name: "n", OpType: "MaxPool", Opset: 12, Attrs: map[string]*operators.Attr{}}
	for _, a := range attrs {
		n.Attrs[a.Name] = a
	}
	return n
}

func intsAttr(name string, v ...int64) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrInts, Ints: v}
}

func TestResolve(t *testing.T) {
	ap := func(s string) *operators.Attr {
		return &operators.Attr{Name: "auto_pad", Type: operators.AttrString, S: []byte(s)}
	}
	ceil := &operators.Attr{Name: "ceil_mode", Type: operators.AttrInt, I: 1}
	cases := []struct {
		attrs       []*operators.Attr
		in, k       []int
		out, pb, pe []int
	}{
		// floor((in + pads - dil*(k-1) - 1) / s) + 1
		{[]*operators.Attr{intsAttr("pads", 1, 2), intsAttr("strides", 2)}, []int{10}, []int{3}, []int{6}, []int{1}, []int{2}},
		{[]*operators.Attr{intsAttr("dilations", 3)}, []int{10}, []int{3}, []int{4}, []int{0}, []int{0}},
		// SAME: out = ceil(in/s); the odd pad goes to the end (UPPER) or
		// the beginning (LOWER).
		{[]*operators.Attr{ap("SAME_UPPER"), intsAttr("strides", 2)}, []int{7}, []int{4}, []int{4}, []int{1}, []int{2}},
		{[]*operators.Attr{ap("SAME_LOWER"), intsAttr("strides", 2)}, []int{7}, []int{4}, []int{4}, []int{2}, []int{1}},
		{[]*operators.Attr{ap("SAME_UPPER"), intsAttr("strides", 3)}, []int{9}, []int{2}, []int{3}, []int{0}, []int{0}},
		{[]*operators.Attr{ap("VALID"), intsAttr("strides", 2)}, []int{7}, []int{3}, []int{3}, []int{0}, []int{0}},
		{[]*operators.Attr{ap("VALID"), intsAttr("strides", 2), ceil}, []int{8}, []int{3}, []int{3}, []int{0}, []int{0}},
		// ceil_mode: ceil instead of floor, but a window may not start in
		// the trailing padding.
		{[]*operators.Attr{intsAttr("strides", 2), ceil}, []int{8}, []int{3}, []int{4}, []int{0}, []int{0}},
		{[]*operators.Attr{intsAttr("strides", 2), intsAttr("pads", 1, 1), ceil}, []int{5}, []int{2}, []int{3}, []int{1}, []int{1}},
		{[]*operators.Attr{intsAttr("strides", 2, 1), intsAttr("pads", 0, 1, 0, 1)}, []int{5, 4}, []int{2, 3}, []int{2, 4}, []int{0, 1}, []int{0, 1}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.in, c.k), func(t *testing.T) {
			a, err := Parse(node(c.attrs...), true)
			if err != nil {
				t.Fatal(err)
			}
			w, err := a.Resolve(c.in, c.k)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(w.Out, c.out) || !reflect.DeepEqual(w.PadBegin, c.pb) || !reflect.DeepEqual(w.PadEnd, c.pe) {
				t.Fatalf("out %v pads %v %v, want %v %v %v", w.Out, w.PadBegin, w.PadEnd, c.out, c.pb, c.pe)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	var ae *operators.AttributeError
	for _, c := range []struct {
		attrs []*operators.Attr
		name  string
	}{
		{[]*operators.Attr{intsAttr("strides", 1, 0)}, "strides"},
		{[]*operators.Attr{intsAttr("dilations", 0)}, "dilations"},
		{[]*operators.Attr{intsAttr("kernel_shape", 0, 1)}, "kernel_shape"},
		{[]*operators.Attr{intsAttr("pads", 1, 2, 3)}, "pads"},
		{[]*operators.Attr{intsAttr("kernel_shape", 2, 2), intsAttr("strides", 1)}, "strides"},
		{[]*operators.Attr{{Name: "auto_pad", Type: operators.AttrString, S: []byte("same")}}, "auto_pad"},
		{[]*operators.Attr{{Name: "ceil_mode", Type: operators.AttrInt, I: 3}}, "ceil_mode"},
		{[]*operators.Attr{{Name: "strides", Type: operators.AttrInt, I: 3}}, "strides"},
	} {
		if _, err := Parse(node(c.attrs...), true); !errors.As(err, &ae) || ae.Attr != c.name {
			t.Errorf("%v: got %v, want AttributeError on %s", c.attrs, err, c.name)
		}
	}
	a, _ := Parse(node(intsAttr("strides", 1, 1)), false)
	if _, err := a.Resolve([]int{5}, []int{2}); !errors.As(err, &ae) || ae.Attr != "strides" {
		t.Errorf("rank mismatch: %v", err)
	}
	a, _ = Parse(node(), false)
	if _, err := a.Resolve([]int{2}, []int{3}); !errors.Is(err, operators.ErrShape) {
		t.Errorf("window larger than input: %v", err)
	}
}
