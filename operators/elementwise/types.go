package elementwise

import (
	"fmt"
	"sync"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

// number is every Go type that backs an ONNX numeric tensor.
type number interface {
	~int8 | ~uint8 | ~int16 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64 | ~float32 | ~float64
}

// signed is the numeric types with a sign.
type signed interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~float32 | ~float64
}

// halfBlock is how many float16 elements are widened to float32 at a time;
// the buffers live on the stack.
const halfBlock = 256

// halfBufs holds float32 scratch blocks for the 16-bit float paths. The
// blocks are handed to float32 loops the compiler cannot see through, so
// stack arrays would be moved to the heap on every call; a pool makes the
// steady state allocation-free.
var halfBufs = sync.Pool{New: func() any { return new([3][halfBlock]float32) }}

// halfCodec converts one 16-bit float format to and from float32.
type halfCodec struct {
	from func(uint16) float32
	to   func(float32) uint16
}

var (
	f16  = halfCodec{half.FromFloat16, half.ToFloat16}
	bf16 = halfCodec{half.FromBFloat16, half.ToBFloat16}
)

// codec returns the conversions for a 16-bit float type.
func codec(dt operators.DType) halfCodec {
	if dt == operators.BFloat16 {
		return bf16
	}
	return f16
}

// checkSame fails unless every present input has the same type as the
// first one.
func checkSame(op string, in []operators.Meta) error {
	for i := 1; i < len(in); i++ {
		if in[i].DType != in[0].DType {
			return fmt.Errorf("%w: %s: input %d is %v but input 0 is %v", operators.ErrInvalidModel, op, i, in[i].DType, in[0].DType)
		}
	}
	return nil
}

func checkInputs(op string, in []*operators.Value, n int) error {
	if len(in) != n {
		return fmt.Errorf("%w: %s takes %d inputs, got %d", operators.ErrInvalidModel, op, n, len(in))
	}
	for i, v := range in {
		if v == nil {
			return fmt.Errorf("%w: %s: input %d is missing", operators.ErrInvalidModel, op, i)
		}
	}
	return nil
}

func unsupported(op string, dt operators.DType) error {
	return fmt.Errorf("%w: %s does not support %v", operators.ErrUnsupportedType, op, dt)
}

// toFloat64 returns v's elements as float64 (a copy).
func toFloat64(v *operators.Value) []float64 {
	out := make([]float64, v.Len())
	switch v.DType {
	case operators.Float32:
		widen(out, v.F32())
	case operators.Float64:
		copy(out, v.F64())
	case operators.Int8:
		widen(out, v.I8())
	case operators.Uint8:
		widen(out, v.U8())
	case operators.Int16:
		widen(out, v.I16())
	case operators.Uint16:
		widen(out, v.U16())
	case operators.Int32:
		widen(out, v.I32())
	case operators.Uint32:
		widen(out, v.U32())
	case operators.Int64:
		widen(out, v.I64())
	case operators.Uint64:
		widen(out, v.U64())
	case operators.Float16, operators.BFloat16:
		hc := codec(v.DType)
		for i, h := range v.U16() {
			out[i] = float64(hc.from(h))
		}
	}
	return out
}

func widen[T number](dst []float64, src []T) {
	for i, x := range src {
		dst[i] = float64(x)
	}
}

// fromFloat64 stores src into v, converting as Go converts (floats to
// integers truncate); 16-bit floats round through float32.
func fromFloat64(v *operators.Value, src []float64) {
	switch v.DType {
	case operators.Float32:
		narrow(v.F32(), src)
	case operators.Float64:
		copy(v.F64(), src)
	case operators.Int8:
		narrow(v.I8(), src)
	case operators.Uint8:
		narrow(v.U8(), src)
	case operators.Int16:
		narrow(v.I16(), src)
	case operators.Uint16:
		narrow(v.U16(), src)
	case operators.Int32:
		narrow(v.I32(), src)
	case operators.Uint32:
		narrow(v.U32(), src)
	case operators.Int64:
		narrow(v.I64(), src)
	case operators.Uint64:
		narrow(v.U64(), src)
	case operators.Float16, operators.BFloat16:
		hc := codec(v.DType)
		for i, x := range src {
			v.U16()[i] = hc.to(float32(x))
		}
	}
}

func narrow[T number](dst []T, src []float64) {
	for i, x := range src {
		dst[i] = T(x)
	}
}
