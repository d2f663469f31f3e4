package cast

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

var numeric = []operators.DType{
	operators.Float32, operators.Float64, operators.Float16, operators.BFloat16,
	operators.Int8, operators.Uint8, operators.Int16, operators.Uint16,
	operators.Int32, operators.Uint32, operators.Int64, operators.Uint64, operators.Bool,
}

// TestMatrix casts values every type holds exactly between every pair of
// types; the result must be the same numbers (bool: 0 or 1).
func TestMatrix(t *testing.T) {
	vals := []float64{0, 1, 2, 3, 100, 127, 5, 64}
	for _, from := range numeric {
		for _, to := range numeric {
			t.Run(fmt.Sprintf("%v_to_%v", from, to), func(t *testing.T) {
				in := vals
				if from == operators.Bool {
					in = []float64{0, 1, 1, 0, 1, 0, 0, 1}
				}
				want := append([]float64{}, in...)
				if to == operators.Bool {
					for i, v := range want {
						if v != 0 {
							want[i] = 1
						}
					}
				}
				op := ot.MustBuild(t, "Cast", 13, 1, ot.Int("to", int64(to)))
				y := ot.MustExec(t, op, ot.Val(from, []int{2, 4}, in...))[0]
				ot.MustClose(t, y, []int{2, 4}, want, 0, 0)
			})
		}
	}
}

func castTo(t *testing.T, to operators.DType, x *operators.Value) *operators.Value {
	t.Helper()
	return ot.MustExec(t, ot.MustBuild(t, "Cast", 19, 1, ot.Int("to", int64(to))), x)[0]
}

func TestConversionRules(t *testing.T) {
	f32 := func(v ...float32) *operators.Value { x, _ := operators.FromSlice(v, []int{len(v)}); return x }
	// Floats to integers truncate toward zero.
	y := castTo(t, operators.Int32, f32(2.7, -2.7, 0.5, -0.5, 1e6))
	if got := y.I32(); !reflect.DeepEqual(got, []int32{2, -2, 0, 0, 1000000}) {
		t.Errorf("float32 to int32: %v", got)
	}
	// Integers to narrower integers keep the low bits (ONNX's example).
	i16, _ := operators.FromSlice([]int16{200, -200, 300}, []int{3})
	if got := castTo(t, operators.Int8, i16).I8(); !reflect.DeepEqual(got, []int8{-56, 56, 44}) {
		t.Errorf("int16 to int8: %v", got)
	}
	// To bool: ±0 false, everything else (NaN too) true.
	nan := float32(math.NaN())
	if got := castTo(t, operators.Bool, f32(0, float32(math.Copysign(0, -1)), nan, 1e-30, -3)).Bools(); !reflect.DeepEqual(got, []bool{false, false, true, true, true}) {
		t.Errorf("float32 to bool: %v", got)
	}
	// Narrowing floats rounds to nearest even and overflows to Inf.
	f64, _ := operators.FromSlice([]float64{1e300, -1e300, 0.1, math.NaN()}, []int{4})
	ot.MustClose(t, castTo(t, operators.Float32, f64), []int{4}, []float64{math.Inf(1), math.Inf(-1), float64(float32(0.1)), math.NaN()}, 0, 0)
	// 1 + 2^-11 is a tie between the float16s 1 and 1 + 2^-10: even wins.
	h := castTo(t, operators.Float16, f32(1+1.0/2048, 1+3.0/2048, 70000, -70000, nan, 65504))
	if got := h.U16(); got[0] != 0x3c00 || got[1] != 0x3c02 || got[2] != 0x7c00 || got[3] != 0xfc00 || got[4]&0x7c00 != 0x7c00 || got[4]&0x3ff == 0 || got[5] != 0x7bff {
		t.Errorf("float32 to float16: %#04x", got)
	}
	// bfloat16 keeps float32's range.
	b := castTo(t, operators.BFloat16, f32(1e38, 1, -2.5))
	ot.MustClose(t, b, []int{3}, []float64{1e38, 1, -2.5}, 1.0/256, 0)
	// Large int64s to float32 round to nearest.
	i64, _ := operators.FromSlice([]int64{1<<40 + 1, -(1 << 62)}, []int{2})
	ot.MustClose(t, castTo(t, operators.Float32, i64), []int{2}, []float64{1 << 40, -(1 << 62)}, 0, 0)
	// Unsigned to signed of the same width reinterprets.
	u32, _ := operators.FromSlice([]uint32{math.MaxUint32}, []int{1})
	if got := castTo(t, operators.Int32, u32).I32()[0]; got != -1 {
		t.Errorf("uint32 max to int32: %d", got)
	}
	// Uneven, large input: split between goroutines, with half tails.
	n := 3*chunk + 17
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i%1000) - 500
	}
	big := ot.Val(operators.Float16, []int{n}, xs...)
	ot.MustClose(t, castTo(t, operators.Int64, big), []int{n}, xs, 0, 0)
	ot.MustClose(t, castTo(t, operators.BFloat16, castTo(t, operators.Float64, big)), []int{n}, xs, 1.0/256, 0)
}

func TestStrings(t *testing.T) {
	f32, _ := operators.FromSlice([]float32{0.1, 1.5, -2, 1e20, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0.9767611}, []int{8})
	got := castTo(t, operators.String, f32).Strs
	want := []string{"0.1", "1.5", "-2", "1e+20", "NaN", "INF", "-INF", "0.9767611"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("float32 to string: %q, want %q", got, want)
	}
	i64, _ := operators.FromSlice([]int64{-5, 0, 1 << 60}, []int{3})
	if got := castTo(t, operators.String, i64).Strs; !reflect.DeepEqual(got, []string{"-5", "0", "1152921504606846976"}) {
		t.Errorf("int64 to string: %q", got)
	}
	bools, _ := operators.FromSlice([]bool{true, false}, []int{2})
	if got := castTo(t, operators.String, bools).Strs; !reflect.DeepEqual(got, []string{"1", "0"}) {
		t.Errorf("bool to string: %q", got)
	}

	s := &operators.Value{DType: operators.String, Shape: []int{2, 4}, Strs: []string{"3.14", "1e-5", "1E8", "NaN", "INF", "+INF", "-inf", "-0.5"}}
	ot.MustClose(t, castTo(t, operators.Float32, s), []int{2, 4},
		[]float64{float64(float32(3.14)), float64(float32(1e-5)), 1e8, math.NaN(), math.Inf(1), math.Inf(1), math.Inf(-1), -0.5}, 0, 0)
	ot.MustClose(t, castTo(t, operators.Float64, s), []int{2, 4},
		[]float64{3.14, 1e-5, 1e8, math.NaN(), math.Inf(1), math.Inf(1), math.Inf(-1), -0.5}, 0, 0)
	ints := &operators.Value{DType: operators.String, Shape: []int{4}, Strs: []string{"1000", "-7", "100.5", "9223372036854775807"}}
	if got := castTo(t, operators.Int64, ints).I64(); !reflect.DeepEqual(got, []int64{1000, -7, 100, math.MaxInt64}) {
		t.Errorf("string to int64: %v", got)
	}
	if got := castTo(t, operators.Uint8, &operators.Value{DType: operators.String, Shape: []int{2}, Strs: []string{"200", "7"}}).U8(); !reflect.DeepEqual(got, []uint8{200, 7}) {
		t.Errorf("string to uint8: %v", got)
	}
	// Round trip: the string form reads back to the same float32.
	back := castTo(t, operators.Float32, castTo(t, operators.String, f32))
	for i, v := range f32.F32() {
		if w := back.F32()[i]; w != v && !(math.IsNaN(float64(v)) && math.IsNaN(float64(w))) {
			t.Errorf("round trip %d: %v -> %v", i, v, w)
		}
	}
	op := ot.MustBuild(t, "Cast", 13, 1, ot.Int("to", int64(operators.Float32)))
	if _, err := ot.Exec(op, &operators.Value{DType: operators.String, Shape: []int{1}, Strs: []string{"Hello"}}); err == nil {
		t.Error("casting \"Hello\" gave no error")
	}
}

func TestAttributes(t *testing.T) {
	// Opset 1 names the type.
	op := ot.MustBuild(t, "Cast", 1, 1, ot.String("to", "DOUBLE"))
	y := ot.MustExec(t, op, ot.Val(operators.Int32, []int{2}, 1, 2))[0]
	if y.DType != operators.Float64 {
		t.Errorf("Cast-1 to DOUBLE made %v", y.DType)
	}
	var ae *operators.AttributeError
	for _, c := range []struct {
		opset int
		attrs []*operators.Attr
		attr  string
	}{
		{13, nil, "to"},
		{13, []*operators.Attr{ot.Int("to", 99)}, "to"},
		{13, []*operators.Attr{ot.Int("to", int64(operators.Complex64))}, "to"},
		{13, []*operators.Attr{ot.String("to", "FLOAT")}, "to"},
		{1, []*operators.Attr{ot.String("to", "FLOAT8")}, "to"},
		{19, []*operators.Attr{ot.Int("to", 1), ot.Int("saturate", 2)}, "saturate"},
	} {
		if _, err := ot.Build("Cast", c.opset, 1, c.attrs...); !errors.As(err, &ae) || ae.Attr != c.attr {
			t.Errorf("Cast-%d %v: got %v, want an AttributeError on %q", c.opset, c.attrs, err, c.attr)
		}
	}
}

func TestCastLike(t *testing.T) {
	op := ot.MustBuild(t, "CastLike", 15, 2)
	like := ot.Val(operators.Int16, []int{0})
	y := ot.MustExec(t, op, ot.Val(operators.Float32, []int{3}, 1.9, -1.9, 40000), like)[0]
	if y.DType != operators.Int16 || !reflect.DeepEqual(y.I16()[:2], []int16{1, -1}) {
		t.Errorf("CastLike: %v %v", y, y.I16())
	}
	m, err := op.Infer([]operators.Meta{{DType: operators.Float32, Shape: []int{3}, HasShape: true}, {DType: operators.Float16}}, nil)
	if err != nil || m[0].DType != operators.Float16 || !m[0].HasShape {
		t.Errorf("CastLike Infer: %v, %v", m, err)
	}
	if _, err := op.Infer([]operators.Meta{{DType: operators.Float32}}, nil); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("CastLike with one input: %v", err)
	}
}

type fixedAlloc struct{ v *operators.Value }

func (f *fixedAlloc) Alloc(dt operators.DType, shape []int, zero bool) (*operators.Value, error) {
	if f.v == nil || f.v.DType != dt || operators.NumElements(f.v.Shape) != operators.NumElements(shape) {
		v, err := operators.NewValue(dt, shape)
		f.v = v
		return v, err
	}
	return f.v, nil
}

// TestSteadyStateAllocs: a numeric Cast whose output comes from a pooling
// allocator allocates nothing itself.
func TestSteadyStateAllocs(t *testing.T) {
	x, _ := operators.NewValue(operators.Float32, []int{64, 64})
	for _, to := range []operators.DType{operators.Int64, operators.Float16, operators.Float32} {
		op := ot.MustBuild(t, "Cast", 13, 1, ot.Int("to", int64(to)))
		rc := &operators.RunContext{Alloc: &fixedAlloc{}, Threads: 1}
		in, out := []*operators.Value{x}, make([]*operators.Value, 1)
		if n := testing.AllocsPerRun(20, func() {
			if err := op.Run(rc, in, out); err != nil {
				t.Fatal(err)
			}
		}); n > 0 {
			t.Errorf("to %v: %v allocations per run", to, n)
		}
	}
}
