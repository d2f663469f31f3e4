package operators

import (
	"fmt"
	"math"
	"unsafe"
)

// Value is a tensor inside the runtime: an element type, a shape and the
// elements in row-major order. Numeric elements live in Raw as
// little-endian machine values (every supported architecture is
// little-endian); the typed accessors (F32, I64, ...) view Raw without
// copying. Strings live in Strs. Raw is always 8-byte aligned when it comes
// from NewValue or an allocator, so every typed view is aligned.
type Value struct {
	DType DType
	Shape []int
	Raw   []byte
	Strs  []string
}

// Meta is what is known of a value before it exists: its type and shape.
// HasShape is false when even the rank is unknown; a known rank may still
// hold unknown dimensions, written as -1.
type Meta struct {
	DType    DType
	Shape    []int
	HasShape bool
}

// NumElements returns the product of shape, or -1 if a dimension is
// negative or the product of the non-zero dimensions overflows an int. A
// shape with a zero dimension and no overflow has 0 elements.
func NumElements(shape []int) int {
	n := 1
	zero := false
	for _, d := range shape {
		switch {
		case d < 0:
			return -1
		case d == 0:
			zero = true
		case n > math.MaxInt/d:
			return -1
		default:
			n *= d
		}
	}
	if zero {
		return 0
	}
	return n
}

// Len is the number of elements of v.
func (v *Value) Len() int { return NumElements(v.Shape) }

// MakeRaw returns a zeroed, 8-byte aligned byte slice of length n.
func MakeRaw(n int) []byte {
	if n == 0 {
		return []byte{}
	}
	words := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), n)
}

// NewValue allocates a zeroed value of the given type and shape.
func NewValue(dt DType, shape []int) (*Value, error) {
	n := NumElements(shape)
	if n < 0 {
		return nil, fmt.Errorf("%w: shape %v has a negative or overflowing size", ErrShape, shape)
	}
	v := &Value{DType: dt, Shape: append([]int(nil), shape...)}
	if dt == String {
		v.Strs = make([]string, n)
		return v, nil
	}
	sz := dt.Size()
	if sz == 0 {
		return nil, fmt.Errorf("%w: element type %v", ErrUnsupportedType, dt)
	}
	if n > math.MaxInt/sz {
		return nil, fmt.Errorf("%w: shape %v of %v is too large", ErrShape, shape, dt)
	}
	v.Raw = MakeRaw(n * sz)
	return v, nil
}

// FromSlice wraps a typed slice in a Value without copying. The slice's
// type chooses the DType; use FromRaw for float16 and bfloat16.
func FromSlice[T Element](data []T, shape []int) (*Value, error) {
	var zero T
	dt := dtypeOf(zero)
	n := NumElements(shape)
	if n != len(data) {
		return nil, fmt.Errorf("%w: %d elements do not fill shape %v", ErrShape, len(data), shape)
	}
	return &Value{DType: dt, Shape: append([]int(nil), shape...), Raw: asBytes(data)}, nil
}

// Element lists the Go types that view a Value's Raw buffer.
type Element interface {
	~float32 | ~float64 | ~int8 | ~uint8 | ~int16 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64 | ~bool
}

func dtypeOf(x any) DType {
	switch x.(type) {
	case float32:
		return Float32
	case float64:
		return Float64
	case int8:
		return Int8
	case uint8:
		return Uint8
	case int16:
		return Int16
	case uint16:
		return Uint16
	case int32:
		return Int32
	case uint32:
		return Uint32
	case int64:
		return Int64
	case uint64:
		return Uint64
	case bool:
		return Bool
	}
	return Undefined
}

func asBytes[T Element](s []T) []byte {
	if len(s) == 0 {
		return []byte{}
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

// View returns Raw as a []T without copying. The caller picks T to match
// DType (float16/bfloat16 are viewed as uint16).
func View[T Element](raw []byte) []T {
	var zero T
	sz := int(unsafe.Sizeof(zero))
	if len(raw) < sz {
		return []T{}
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(raw))), len(raw)/sz)
}

// Typed views of v.Raw. They do not check v.DType.
func (v *Value) F32() []float32 { return View[float32](v.Raw) }
func (v *Value) F64() []float64 { return View[float64](v.Raw) }
func (v *Value) I64() []int64   { return View[int64](v.Raw) }
func (v *Value) I32() []int32   { return View[int32](v.Raw) }
func (v *Value) I16() []int16   { return View[int16](v.Raw) }
func (v *Value) I8() []int8     { return View[int8](v.Raw) }
func (v *Value) U8() []uint8    { return v.Raw }
func (v *Value) U16() []uint16  { return View[uint16](v.Raw) }
func (v *Value) U32() []uint32  { return View[uint32](v.Raw) }
func (v *Value) U64() []uint64  { return View[uint64](v.Raw) }
func (v *Value) Bools() []bool  { return View[bool](v.Raw) }

// Meta returns v's type and shape.
func (v *Value) Meta() Meta { return Meta{DType: v.DType, Shape: v.Shape, HasShape: true} }

func (v *Value) String() string {
	return fmt.Sprintf("%v%v", v.DType, v.Shape)
}
