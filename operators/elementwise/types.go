package elementwise

import (
	"fmt"

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
