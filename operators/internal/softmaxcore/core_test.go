package softmaxcore

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

var kinds = []Kind{Softmax, LogSoftmax}

// testNode is a node with an optional axis attribute.
func testNode(kind Kind, axis *int64) *operators.Node {
	n := &operators.Node{Name: "n", OpType: kind.String(), Inputs: []string{"x"}, Outputs: []string{"y"}, Attrs: map[string]*operators.Attr{}}
	if axis != nil {
		n.Attrs["axis"] = &operators.Attr{Name: "axis", Type: operators.AttrInt, I: *axis}
	}
	return n
}

func ax(a int64) *int64 { return &a }

// defaultAxis is the axis a node without the attribute gets.
func defaultAxis(since int, axis *int64) int64 {
	if axis != nil {
		return *axis
	}
	if since < 13 {
		return 1
	}
	return -1
}

// tolerance returns the error bound |got-want| <= atol + rtol*|want| for
// float32 or float64 results against the float64 reference.
//
// float32: the kernels' exp is faithful to a few ULP and the sum of D
// terms carries at most about D ULP of relative error (D <= 1000 in these
// tests, and far less in practice since the reference kernels sum in
// float64); 2e-5 relative covers both with a margin. LogSoftmax subtracts
// log(sum), so the sum's relative error becomes an absolute one, hence
// atol 2e-5 there; Softmax outputs below the float32 normal range may be
// flushed to zero by SIMD exp, hence atol 1e-30.
// float64: the same reasoning with 2^-52 gives 1e-12.
func tolerance(kind Kind, dt operators.DType) (atol, rtol float64) {
	switch {
	case dt == operators.Float64 && kind == LogSoftmax:
		return 1e-12, 1e-12
	case dt == operators.Float64:
		return 1e-300, 1e-12
	case kind == LogSoftmax:
		return 2e-5, 2e-5
	default:
		return 1e-30, 2e-5
	}
}

// closeTo compares with the tolerance; NaN equals NaN and infinities must
// match exactly.
func closeTo(got, want, atol, rtol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	if math.IsInf(want, 0) || math.IsInf(got, 0) {
		return got == want
	}
	return math.Abs(got-want) <= atol+rtol*math.Abs(want)
}

func checkClose(t *testing.T, what string, got, want []float64, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d outputs, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range want {
		if !closeTo(got[i], want[i], atol, rtol) {
			if bad < 5 {
				t.Errorf("%s: [%d] = %v, want %v (atol %g, rtol %g)", what, i, got[i], want[i], atol, rtol)
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d elements differ", what, bad, len(want))
	}
}

// makeValue builds a value of type dt holding x (rounded to dt), and
// returns the values it holds as float64 (what the reference must see).
func makeValue(t *testing.T, dt operators.DType, shape []int, x []float64) (*operators.Value, []float64) {
	t.Helper()
	v, err := operators.NewValue(dt, shape)
	if err != nil {
		t.Fatal(err)
	}
	exact := make([]float64, len(x))
	for i, f := range x {
		switch dt {
		case operators.Float32:
			v.F32()[i] = float32(f)
			exact[i] = float64(v.F32()[i])
		case operators.Float64:
			v.F64()[i] = f
			exact[i] = f
		case operators.Float16:
			v.U16()[i] = half.ToFloat16(float32(f))
			exact[i] = float64(half.FromFloat16(v.U16()[i]))
		case operators.BFloat16:
			v.U16()[i] = half.ToBFloat16(float32(f))
			exact[i] = float64(half.FromBFloat16(v.U16()[i]))
		}
	}
	return v, exact
}

// floats returns a value's elements as float64.
func floats(v *operators.Value) []float64 {
	n := v.Len()
	out := make([]float64, n)
	for i := range out {
		switch v.DType {
		case operators.Float32:
			out[i] = float64(v.F32()[i])
		case operators.Float64:
			out[i] = v.F64()[i]
		case operators.Float16:
			out[i] = float64(half.FromFloat16(v.U16()[i]))
		case operators.BFloat16:
			out[i] = float64(half.FromBFloat16(v.U16()[i]))
		}
	}
	return out
}

// guardBytes surround every buffer a run sees; 0xff bytes are NaN in
// every float type, so a stray write of a real result shows.
const guardBytes = 64

// guarded returns a copy of raw placed one element past the start of a
// guarded buffer (so SIMD loads start misaligned), and the whole buffer.
func guarded(raw []byte, elem int) (inner, whole []byte) {
	whole = operators.MakeRaw(len(raw) + elem + 2*guardBytes)
	for i := range whole {
		whole[i] = 0xff
	}
	off := guardBytes + elem
	inner = whole[off : off+len(raw) : off+len(raw)]
	copy(inner, raw)
	return inner, whole
}

// checkGuards reports bytes outside [off, off+n) of whole that are no
// longer 0xff.
func checkGuards(t *testing.T, what string, whole []byte, off, n int) {
	t.Helper()
	for i, b := range whole {
		if (i < off || i >= off+n) && b != 0xff {
			t.Fatalf("%s: guard byte %d (of %d, data at [%d, %d)) overwritten", what, i, len(whole), off, off+n)
		}
	}
}

// guardAlloc hands out outputs inside guarded buffers, filled with NaN so
// an element the run forgets to write shows too.
type guardAlloc struct {
	whole []byte
	off   int
}

func (a *guardAlloc) Alloc(dt operators.DType, shape []int, zero bool) (*operators.Value, error) {
	n := operators.NumElements(shape) * dt.Size()
	inner, whole := guarded(make([]byte, n), dt.Size())
	for i := range inner {
		inner[i] = 0xff
	}
	a.whole, a.off = whole, guardBytes+dt.Size()
	return &operators.Value{DType: dt, Shape: slices.Clone(shape), Raw: inner}, nil
}

// runOp runs op on a guarded, misaligned copy of x with the given thread
// count, into a guarded output, and checks that nothing outside the
// buffers was written and that the input was left alone.
func runOp(t *testing.T, op *Op, x *operators.Value, threads int) *operators.Value {
	t.Helper()
	raw, whole := guarded(x.Raw, x.DType.Size())
	xg := &operators.Value{DType: x.DType, Shape: x.Shape, Raw: raw}
	out := make([]*operators.Value, 1)
	alloc := &guardAlloc{}
	rc := &operators.RunContext{Threads: threads, Alloc: alloc}
	if err := op.Run(rc, []*operators.Value{xg}, out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !slices.Equal(raw, x.Raw) {
		t.Fatal("Run modified its input")
	}
	checkGuards(t, "input", whole, guardBytes+x.DType.Size(), len(raw))
	y := out[0]
	if y == nil || y.DType != x.DType || !slices.Equal(y.Shape, x.Shape) {
		t.Fatalf("output %v, want %v%v", y, x.DType, x.Shape)
	}
	checkGuards(t, "output", alloc.whole, alloc.off, len(y.Raw))
	return y
}

func newRand(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, 0x5eed))
}

func randomData(r *rand.Rand, n int, scale float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = (r.Float64()*2 - 1) * scale
	}
	return x
}

// layoutCase is a node (opset and axis) and an input shape, for tests
// that compare runs of the same case with each other.
type layoutCase struct {
	name  string
	since int
	axis  int64
	shape []int
}

type semCase struct {
	name  string
	since int
	axis  *int64
	shape []int
}

// semCases covers every opset's semantics: default and explicit axes,
// negative axes, ranks 1 to 4, both layouts (contiguous rows and columns
// with a stride) and lengths around every vector width.
var semCases = []semCase{
	{"v1/rank2/default", 1, nil, []int{3, 5}},
	{"v1/rank3/default", 1, nil, []int{2, 3, 4}},
	{"v1/rank4/axis2", 1, ax(2), []int{2, 3, 4, 5}},
	{"v1/rank3/axis0", 1, ax(0), []int{2, 3, 4}},
	{"v1/rank3/axis-1", 1, ax(-1), []int{2, 3, 4}},
	{"v11/rank1/axis0", 11, ax(0), []int{17}},
	{"v11/rank2/axis-1", 11, ax(-1), []int{4, 33}},
	{"v11/rank3/default", 11, nil, []int{3, 4, 5}},
	{"v11/rank3/axis-2", 11, ax(-2), []int{3, 4, 5}},
	{"v11/rank4/axis-3", 11, ax(-3), []int{2, 3, 4, 5}},
	{"v11/rank4/axis3", 11, ax(3), []int{2, 3, 4, 5}},
	{"v13/rank1/default", 13, nil, []int{9}},
	{"v13/rank2/default", 13, nil, []int{3, 16}},
	{"v13/rank3/default", 13, nil, []int{2, 3, 4}},
	{"v13/rank4/default", 13, nil, []int{2, 2, 3, 31}},
	{"v13/rank3/axis1", 13, ax(1), []int{2, 3, 4}},
	{"v13/rank3/axis0", 13, ax(0), []int{2, 3, 4}},
	{"v13/rank3/axis-3", 13, ax(-3), []int{5, 3, 4}},
	{"v13/rank4/axis1", 13, ax(1), []int{2, 21, 8, 8}},
	{"v13/rank4/axis1/wide", 13, ax(1), []int{1, 5, 3, 300}}, // inner > tile: two tiles
	{"v13/rank4/axis-2", 13, ax(-2), []int{2, 3, 7, 9}},
	{"v13/rank2/axis0", 13, ax(0), []int{64, 33}},
	{"v13/rank2/axis0/len1", 13, ax(0), []int{1, 7}},
}

// widths are lengths around the vector widths of every tier (4, 8 and 16
// float32 lanes; 2, 4 and 8 float64 lanes).
var widths = []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65}

func TestSemantics(t *testing.T) {
	r := newRand(t)
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		cases := slices.Clone(semCases)
		for _, w := range widths {
			shape := []int{3, w}
			cases = append(cases,
				semCase{"v13/rows/w" + strconv.Itoa(w), 13, nil, shape},
				semCase{"v13/cols/w" + strconv.Itoa(w), 13, ax(0), shape},
				semCase{"v13/cols3/w" + strconv.Itoa(w), 13, ax(1), []int{2, 3, w}})
		}
		for _, kind := range kinds {
			for _, dt := range []operators.DType{operators.Float32, operators.Float64} {
				atol, rtol := tolerance(kind, dt)
				for _, c := range cases {
					t.Run(kind.String()+"/"+dt.String()+"/"+c.name, func(t *testing.T) {
						op, err := NewWith(testNode(kind, c.axis), kind, c.since, k)
						if err != nil {
							t.Fatal(err)
						}
						x, exact := makeValue(t, dt, c.shape, randomData(r, operators.NumElements(c.shape), 6))
						got := floats(runOp(t, op, x, 1))
						want := reference(kind, c.since, defaultAxis(c.since, c.axis), c.shape, exact)
						checkClose(t, "output", got, want, atol, rtol)
					})
				}
			}
		}
	})
}

// TestLegacyIsNotSingleAxis checks the opset-11 coercion on a rank-3 input,
// where normalising the single axis 1 gives a different answer.
func TestLegacyIsNotSingleAxis(t *testing.T) {
	r := newRand(t)
	shape := []int{2, 3, 4}
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		for _, kind := range kinds {
			t.Run(kind.String(), func(t *testing.T) {
				op, err := NewWith(testNode(kind, nil), kind, 11, k)
				if err != nil {
					t.Fatal(err)
				}
				x, exact := makeValue(t, operators.Float32, shape, randomData(r, 24, 3))
				got := floats(runOp(t, op, x, 1))
				atol, rtol := tolerance(kind, operators.Float32)
				checkClose(t, "coerced", got, reference(kind, 11, 1, shape, exact), atol, rtol)
				single := referenceSingleAxis(kind, 1, shape, exact)
				differ := 0
				for i := range got {
					if !closeTo(got[i], single[i], 1e-3, 1e-3) {
						differ++
					}
				}
				if differ < len(got)/2 {
					t.Errorf("only %d of %d outputs differ from the single-axis result", differ, len(got))
				}
				// A softmax of the coerced rows sums to 1 over the last
				// two axes together.
				if kind == Softmax {
					for b := 0; b < 2; b++ {
						s := 0.0
						for _, v := range got[b*12 : b*12+12] {
							s += v
						}
						if math.Abs(s-1) > 1e-5 {
							t.Errorf("row %d sums to %v", b, s)
						}
					}
				}
			})
		}
	})
}
