package softmax

import (
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/softmaxcore/softmaxtest"
)

// build looks Softmax up in the registry for a model opset, as the
// runtime does, and builds it for a node with the given attributes.
func build(t *testing.T, opset int, axis *int64) (operators.Op, int) {
	t.Helper()
	reg, ok := operators.Lookup("", "Softmax", opset)
	if !ok {
		t.Fatalf("Softmax is not registered for opset %d", opset)
	}
	n := &operators.Node{Name: "sm", OpType: "Softmax", Opset: opset, Since: reg.Since,
		Inputs: []string{"x"}, Outputs: []string{"y"}, Attrs: map[string]*operators.Attr{}}
	if axis != nil {
		n.Attrs["axis"] = &operators.Attr{Name: "axis", Type: operators.AttrInt, I: *axis}
	}
	op, err := reg.New(n)
	if err != nil {
		t.Fatal(err)
	}
	return op, reg.Since
}

func run(t *testing.T, op operators.Op, shape []int, x []float32) []float32 {
	t.Helper()
	v, err := operators.FromSlice(x, shape)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*operators.Value, 1)
	if err := op.Run(&operators.RunContext{Threads: 1}, []*operators.Value{v}, out); err != nil {
		t.Fatal(err)
	}
	return out[0].F32()
}

// TestVersions checks which implementation serves each opset and that it
// has that version's semantics: on a [1, 2, 2] input of zeros the default
// axis coerces to one row of 4 before opset 13 (each output 1/4) and
// normalises the last axis of 2 from opset 13 (each output 1/2).
func TestVersions(t *testing.T) {
	for opset := 1; opset <= 24; opset++ {
		wantSince, wantOut := 1, 0.25
		switch {
		case opset >= 13:
			wantSince, wantOut = 13, 0.5
		case opset >= 11:
			wantSince = 11
		}
		op, since := build(t, opset, nil)
		if since != wantSince {
			t.Errorf("opset %d: served by Softmax-%d, want Softmax-%d", opset, since, wantSince)
		}
		for i, y := range run(t, op, []int{1, 2, 2}, make([]float32, 4)) {
			if math.Abs(float64(y)-wantOut) > 1e-7 {
				t.Errorf("opset %d: [%d] = %v, want %v", opset, i, y, wantOut)
			}
		}
	}
}

// TestExample is the example of the operator's documentation, run at
// every kernel tier through the registered constructor (which copies the
// tier's kernels).
func TestExample(t *testing.T) {
	want := []float64{0.09003058, 0.24472848, 0.66524094}
	dispatchtest.ForEachImpl(t, func(t *testing.T, _ *dispatch.Kernels) {
		for _, opset := range []int{1, 11, 13} {
			op, _ := build(t, opset, nil)
			for i, y := range run(t, op, []int{1, 3}, []float32{-1, 0, 1}) {
				if math.Abs(float64(y)-want[i]) > 1e-7 {
					t.Errorf("opset %d: [%d] = %v, want %v", opset, i, y, want[i])
				}
			}
		}
	})
}

// TestONNX runs the ONNX backend node tests of Softmax (opsets 9, 11 and
// 13) from $ONNXRUN_TESTDATA.
func TestONNX(t *testing.T) { softmaxtest.RunONNX(t, "Softmax", 7) }

func BenchmarkSoftmax(b *testing.B) { softmaxtest.Bench(b, "Softmax") }
