package softmaxcore

import (
	"slices"
	"testing"
	"unsafe"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
	"github.com/onnxrun/onnxrun/operators"
)

// alignedAlloc hands out outputs that start on a 64-byte boundary, as the
// runtime's large buffers do, so the streaming entries take their
// non-temporal path rather than falling back.
type alignedAlloc struct{}

func (alignedAlloc) Alloc(dt operators.DType, shape []int, zero bool) (*operators.Value, error) {
	n := operators.NumElements(shape) * dt.Size()
	buf := operators.MakeRaw(n + 64)
	off := 0
	for uintptr(unsafe.Pointer(unsafe.SliceData(buf[off:])))%64 != 0 {
		off++
	}
	return &operators.Value{DType: dt, Shape: slices.Clone(shape), Raw: buf[off : off+n : off+n]}, nil
}

// TestStreamSameBits runs contiguous rows with the streaming entries
// forced on (streamMin = 1 byte) and off, at every kernel level, on one
// and two threads, and checks that the bits agree: whole-vector rows long
// and short (LogSoftmax batches short rows through its scratch buffer),
// rows the assembly does not take, and a coerced opset-11 shape.
func TestStreamSameBits(t *testing.T) {
	saved := streamMin
	t.Cleanup(func() { streamMin = saved })
	r := newRand(t)
	cases := []layoutCase{
		{"long", 13, -1, []int{5, 32000}},
		{"rows1024", 13, -1, []int{40, 1024}},
		{"short", 13, -1, []int{700, 16}},
		{"odd", 13, -1, []int{64, 1030}},
		{"coerced", 11, 1, []int{64, 2, 512}},
	}
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		for _, kind := range kinds {
			for _, c := range cases {
				t.Run(kind.String()+"/"+c.name, func(t *testing.T) {
					op, err := NewWith(testNode(kind, &c.axis), kind, c.since, k)
					if err != nil {
						t.Fatal(err)
					}
					x, _ := makeValue(t, operators.Float32, c.shape, randomData(r, operators.NumElements(c.shape), 20))
					run := func(min, threads int) []byte {
						streamMin = min
						out := make([]*operators.Value, 1)
						rc := &operators.RunContext{Threads: threads, Alloc: alignedAlloc{}}
						if err := op.Run(rc, []*operators.Value{x}, out); err != nil {
							t.Fatal(err)
						}
						return out[0].Raw
					}
					want := run(0, 1)
					for _, th := range []int{1, 2} {
						if got := run(1, th); !slices.Equal(got, want) {
							t.Errorf("streaming on %d threads gives different bits", th)
						}
					}
				})
			}
		}
	})
}
