package contrib

import (
	"errors"
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

func TestQLinearAdd(t *testing.T) {
	n := &operators.Node{Name: "q", OpType: "QLinearAdd", Domain: "com.microsoft", Opset: 1,
		Inputs: []string{"a", "as", "az", "b", "bs", "bz", "cs", "cz"}, Outputs: []string{"c"}}
	op, err := newQLinearAdd(n)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := operators.FromSlice([]uint8{0, 10, 128, 255, 7, 200}, []int{2, 3})
	b, _ := operators.FromSlice([]uint8{100, 50, 250}, []int{3}) // broadcast over rows
	f := func(v float32) *operators.Value { x, _ := operators.FromSlice([]float32{v}, []int{}); return x }
	u := func(v uint8) *operators.Value { x, _ := operators.FromSlice([]uint8{v}, []int{}); return x }
	in := []*operators.Value{a, f(0.5), u(10), b, f(0.25), u(100), f(0.75), u(20)}
	metas := make([]operators.Meta, len(in))
	for i, v := range in {
		metas[i] = v.Meta()
	}
	inf, err := op.Infer(metas, nil)
	if err != nil || len(inf[0].Shape) != 2 {
		t.Fatalf("Infer: %v %v", inf, err)
	}
	out := make([]*operators.Value, 1)
	if err := op.Run(nil, in, out); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		real := (float64(a.U8()[i])-10)*0.5 + (float64(b.U8()[i%3])-100)*0.25
		want := math.Max(0, math.Min(255, math.RoundToEven(real/0.75)+20))
		if got := out[0].U8()[i]; float64(got) != want {
			t.Errorf("c[%d] = %d, want %v", i, got, want)
		}
	}
	bad, _ := operators.FromSlice([]uint8{1, 2}, []int{2})
	if err := op.Run(nil, []*operators.Value{a, f(0.5), u(10), bad, f(0.25), u(100), f(0.75), u(20)}, out); !errors.Is(err, operators.ErrShape) {
		t.Errorf("shapes [2 3] and [2]: %v", err)
	}
}
