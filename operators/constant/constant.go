package constant

import (
	"fmt"
	"sort"

	"github.com/onnxrun/onnxrun/operators"
)

// op is a Constant node.
type op struct {
	v *operators.Value
}

// valueAttrs lists the attributes that can carry the value, with the first
// opset that has each.
var valueAttrs = map[string]int{
	"value":         1,
	"sparse_value":  11,
	"value_float":   12,
	"value_floats":  12,
	"value_int":     12,
	"value_ints":    12,
	"value_string":  12,
	"value_strings": 12,
}

func newConstant(since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		var set []string
		for name := range n.Attrs {
			first, ok := valueAttrs[name]
			if !ok {
				return nil, &operators.AttributeError{Attr: name, Reason: "is not an attribute of Constant"}
			}
			if first > since {
				return nil, &operators.AttributeError{Attr: name, Reason: fmt.Sprintf("needs opset %d or later", first)}
			}
			set = append(set, name)
		}
		sort.Strings(set)
		switch len(set) {
		case 0:
			return nil, &operators.AttributeError{Attr: "value", Reason: "Constant needs exactly one value attribute, it has none"}
		case 1:
		default:
			return nil, &operators.AttributeError{Attr: set[1], Reason: fmt.Sprintf("Constant needs exactly one value attribute, it has %v", set)}
		}
		v, err := build(n, set[0])
		if err != nil {
			return nil, err
		}
		return &op{v: v}, nil
	}
}

// build makes the value from attribute name.
func build(n *operators.Node, name string) (*operators.Value, error) {
	a := n.Attrs[name]
	want := map[string]operators.AttrType{
		"value": operators.AttrTensor, "sparse_value": operators.AttrSparseTensor,
		"value_float": operators.AttrFloat, "value_floats": operators.AttrFloats,
		"value_int": operators.AttrInt, "value_ints": operators.AttrInts,
		"value_string": operators.AttrString, "value_strings": operators.AttrStrings,
	}[name]
	if a.Type != want {
		return nil, &operators.AttributeError{Attr: name, Reason: fmt.Sprintf("has type %d, want %d", a.Type, want)}
	}
	switch name {
	case "value":
		if a.T == nil {
			return nil, &operators.AttributeError{Attr: name, Reason: "holds no tensor"}
		}
		if err := check(a.T); err != nil {
			return nil, &operators.AttributeError{Attr: name, Reason: err.Error()}
		}
		return a.T, nil
	case "sparse_value":
		return nil, fmt.Errorf("%w: Constant with sparse_value is not supported", operators.ErrUnsupportedOp)
	case "value_float":
		return operators.FromSlice([]float32{a.F}, []int{})
	case "value_floats":
		return operators.FromSlice(append([]float32{}, a.Floats...), []int{len(a.Floats)})
	case "value_int":
		return operators.FromSlice([]int64{a.I}, []int{})
	case "value_ints":
		return operators.FromSlice(append([]int64{}, a.Ints...), []int{len(a.Ints)})
	case "value_string":
		return &operators.Value{DType: operators.String, Shape: []int{}, Strs: []string{string(a.S)}}, nil
	}
	v := &operators.Value{DType: operators.String, Shape: []int{len(a.Strings)}, Strs: make([]string, len(a.Strings))}
	for i, s := range a.Strings {
		v.Strs[i] = string(s)
	}
	return v, nil
}

// check verifies that a tensor attribute's storage matches its shape.
func check(v *operators.Value) error {
	n := operators.NumElements(v.Shape)
	if n < 0 {
		return fmt.Errorf("shape %v is invalid", v.Shape)
	}
	if v.DType == operators.String {
		if len(v.Strs) != n {
			return fmt.Errorf("%d strings for shape %v", len(v.Strs), v.Shape)
		}
		return nil
	}
	sz := v.DType.Size()
	if sz == 0 {
		return fmt.Errorf("element type %v is not supported", v.DType)
	}
	if len(v.Raw) != n*sz {
		return fmt.Errorf("%d bytes for %v%v, want %d", len(v.Raw), v.DType, v.Shape, n*sz)
	}
	return nil
}

// Constant returns the value; it is shared and must not be modified.
func (o *op) Constant() *operators.Value { return o.v }

func (o *op) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 0 {
		return nil, fmt.Errorf("%w: Constant takes no inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	return []operators.Meta{{DType: o.v.DType, Shape: append([]int{}, o.v.Shape...), HasShape: true}}, nil
}

func (o *op) Run(rc *operators.RunContext, _, out []*operators.Value) error {
	v, err := rc.AllocValue(o.v.DType, o.v.Shape, false)
	if err != nil {
		return err
	}
	copy(v.Raw, o.v.Raw)
	copy(v.Strs, o.v.Strs)
	out[0] = v
	return nil
}
