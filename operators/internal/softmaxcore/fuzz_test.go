package softmaxcore

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/operators"
)

// FuzzTiers runs the best kernel tier and the generic reference on the
// same float32 input and checks that they agree within tolerance (and on
// NaN and infinities), for both layouts and both operators. The seed corpus
// covers the edge values; `go test -fuzz FuzzTiers` explores further.
func FuzzTiers(f *testing.F) {
	edge := func(vals ...float32) []byte {
		b := make([]byte, 4*len(vals))
		for i, v := range vals {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
		return b
	}
	ninf, pinf := float32(math.Inf(-1)), float32(math.Inf(1))
	f.Add(edge(1, 2, 3, 4, 5, 6, 7, 8, 9), uint8(3), false, false)
	f.Add(edge(0, 0, -1000, ninf, ninf, ninf, 1e4, 1e4+1, 89, 100), uint8(5), true, true)
	f.Add(edge(float32(math.NaN()), 1, 2, pinf, 0, -0.5, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3), uint8(17), false, true)
	best := dispatch.Best()
	gen := dispatch.Generic()
	f.Fuzz(func(t *testing.T, data []byte, d uint8, cols, log bool) {
		n := len(data) / 4
		if n == 0 || d == 0 || n > 1<<16 {
			return
		}
		dd := int(d)
		n -= n % dd
		if n == 0 {
			return
		}
		x := make([]float32, n)
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		shape, axis := []int{n / dd, dd}, int64(1)
		if cols {
			shape, axis = []int{dd, n / dd}, 0
		}
		kind := Softmax
		if log {
			kind = LogSoftmax
		}
		v, err := operators.FromSlice(x, shape)
		if err != nil {
			t.Fatal(err)
		}
		var outs [2][]float32
		for i, k := range []*dispatch.Kernels{gen, best} {
			op, err := NewWith(testNode(kind, &axis), kind, 13, k)
			if err != nil {
				t.Fatal(err)
			}
			out := make([]*operators.Value, 1)
			if err := op.Run(nil, []*operators.Value{v}, out); err != nil {
				t.Fatal(err)
			}
			outs[i] = out[0].F32()
		}
		atol, rtol := tolerance(kind, operators.Float32)
		for i := range outs[0] {
			g, b := float64(outs[0][i]), float64(outs[1][i])
			if !closeTo(b, g, atol, rtol) {
				t.Fatalf("%v %v axis %d: [%d] = %v at tier %s, %v generic", kind, shape, axis, i, b, best.Level, g)
			}
		}
	})
}
