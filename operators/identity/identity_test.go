package identity

import (
	"reflect"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func TestIdentity(t *testing.T) {
	op := ot.MustBuild(t, "Identity", 16, 1)
	for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Int64, operators.Uint8, operators.Bool, operators.Float16} {
		x := ot.Val(dt, []int{2, 3}, 1, 0, 1, 1, 0, 1)
		y := ot.MustExec(t, op, x)[0]
		ot.MustClose(t, y, []int{2, 3}, []float64{1, 0, 1, 1, 0, 1}, 0, 0)
		if &y.Raw[0] == &x.Raw[0] {
			t.Errorf("%v: output shares the input's buffer", dt)
		}
	}
	s := &operators.Value{DType: operators.String, Shape: []int{2}, Strs: []string{"a", "b"}}
	y := ot.MustExec(t, op, s)[0]
	if !reflect.DeepEqual(y.Strs, s.Strs) {
		t.Errorf("strings: got %q", y.Strs)
	}
	empty := ot.Val(operators.Float32, []int{0, 3})
	if y := ot.MustExec(t, op, empty)[0]; y.Len() != 0 || len(y.Shape) != 2 {
		t.Errorf("empty: got %v", y)
	}
}
