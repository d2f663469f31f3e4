package constant

import (
	"errors"
	"reflect"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func TestConstantKinds(t *testing.T) {
	tensor := ot.Val(operators.Int32, []int{2, 2}, 1, 2, 3, 4)
	tests := []struct {
		name  string
		attr  *operators.Attr
		dt    operators.DType
		shape []int
		want  []float64
		strs  []string
	}{
		{"value", ot.Tensor("value", tensor), operators.Int32, []int{2, 2}, []float64{1, 2, 3, 4}, nil},
		{"value_float", ot.Float("value_float", 1.5), operators.Float32, []int{}, []float64{1.5}, nil},
		{"value_floats", ot.Floats("value_floats", 1, -2, 3.25), operators.Float32, []int{3}, []float64{1, -2, 3.25}, nil},
		{"value_int", ot.Int("value_int", -7), operators.Int64, []int{}, []float64{-7}, nil},
		{"value_ints", ot.Ints("value_ints", 4, 5), operators.Int64, []int{2}, []float64{4, 5}, nil},
		{"value_ints_empty", ot.Ints("value_ints"), operators.Int64, []int{0}, []float64{}, nil},
		{"value_string", ot.String("value_string", "héllo"), operators.String, []int{}, nil, []string{"héllo"}},
		{"value_strings", ot.Strings("value_strings", "a", "", "c"), operators.String, []int{3}, nil, []string{"a", "", "c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			op := ot.MustBuild(t, "Constant", 13, 0, tc.attr)
			out := ot.MustExec(t, op)
			y := out[0]
			if y.DType != tc.dt {
				t.Fatalf("type %v, want %v", y.DType, tc.dt)
			}
			if tc.dt == operators.String {
				if !reflect.DeepEqual(y.Strs, tc.strs) || !sameInts(y.Shape, tc.shape) {
					t.Fatalf("got %v %q, want %v %q", y.Shape, y.Strs, tc.shape, tc.strs)
				}
			} else {
				ot.MustClose(t, y, tc.shape, tc.want, 0, 0)
			}
			c, ok := op.(operators.ConstantOp)
			if !ok {
				t.Fatal("Constant does not implement ConstantOp")
			}
			if c.Constant().DType != tc.dt || !sameInts(c.Constant().Shape, tc.shape) {
				t.Fatalf("Constant() is %v", c.Constant())
			}
			// Run's output is a copy: changing it leaves the constant alone.
			if len(y.Raw) > 0 {
				y.Raw[0] ^= 0xff
				if c.Constant().Raw[0] == y.Raw[0] {
					t.Fatal("Run returned the constant's own buffer")
				}
			}
		})
	}
}

func TestConstantErrors(t *testing.T) {
	var ae *operators.AttributeError
	cases := []struct {
		name  string
		opset int
		attrs []*operators.Attr
		attr  string // expected AttributeError.Attr, "" for another error
	}{
		{"none", 13, nil, "value"},
		{"two", 13, []*operators.Attr{ot.Int("value_int", 1), ot.Float("value_float", 1)}, "value_int"},
		{"too_new", 11, []*operators.Attr{ot.Int("value_int", 1)}, "value_int"},
		{"unknown", 13, []*operators.Attr{ot.Int("valu", 1)}, "valu"},
		{"wrong_type", 13, []*operators.Attr{ot.Float("value_int", 1)}, "value_int"},
		{"bad_tensor", 13, []*operators.Attr{ot.Tensor("value", &operators.Value{DType: operators.Float32, Shape: []int{3}, Raw: make([]byte, 8)})}, "value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ot.Build("Constant", c.opset, 0, c.attrs...)
			if !errors.As(err, &ae) || ae.Attr != c.attr {
				t.Fatalf("got %v, want an AttributeError on %q", err, c.attr)
			}
		})
	}
	sparse := &operators.Attr{Name: "sparse_value", Type: operators.AttrSparseTensor}
	if _, err := ot.Build("Constant", 13, 0, sparse); !errors.Is(err, operators.ErrUnsupportedOp) {
		t.Fatalf("sparse_value: got %v", err)
	}
}

func sameInts(a, b []int) bool { return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b)) }
