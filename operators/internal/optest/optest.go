package optest

import (
	"fmt"
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

// Int, Ints, Float, Floats, String, Strings and Tensor build attributes.
func Int(name string, v int64) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrInt, I: v}
}

func Ints(name string, v ...int64) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrInts, Ints: v}
}

func Float(name string, v float32) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrFloat, F: v}
}

func Floats(name string, v ...float32) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrFloats, Floats: v}
}

func String(name, v string) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrString, S: []byte(v)}
}

func Strings(name string, v ...string) *operators.Attr {
	a := &operators.Attr{Name: name, Type: operators.AttrStrings}
	for _, s := range v {
		a.Strings = append(a.Strings, []byte(s))
	}
	return a
}

func Tensor(name string, v *operators.Value) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrTensor, T: v}
}

// Node returns a node of the default domain with nIn inputs and one output.
func Node(opType string, opset, nIn int, attrs ...*operators.Attr) *operators.Node {
	n := &operators.Node{Name: "n_" + opType, OpType: opType, Opset: opset, Outputs: []string{"y"}, Attrs: map[string]*operators.Attr{}}
	for i := 0; i < nIn; i++ {
		n.Inputs = append(n.Inputs, fmt.Sprintf("x%d", i))
	}
	for _, a := range attrs {
		n.Attrs[a.Name] = a
	}
	return n
}

// Build looks the operator up at the given opset and constructs it.
func Build(opType string, opset, nIn int, attrs ...*operators.Attr) (operators.Op, error) {
	n := Node(opType, opset, nIn, attrs...)
	r, ok := operators.Lookup("", opType, opset)
	if !ok {
		return nil, fmt.Errorf("%s opset %d is not registered", opType, opset)
	}
	n.Since = r.Since
	return r.New(n)
}

// MustBuild is Build that fails the test on error.
func MustBuild(t testing.TB, opType string, opset, nIn int, attrs ...*operators.Attr) operators.Op {
	t.Helper()
	op, err := Build(opType, opset, nIn, attrs...)
	if err != nil {
		t.Fatalf("building %s-%d: %v", opType, opset, err)
	}
	return op
}

// Exec runs op on the inputs (nil for an omitted optional input) after
// Infer, and checks that Run's outputs match what Infer said, both with
// every input known as a constant and with none known.
func Exec(op operators.Op, in ...*operators.Value) ([]*operators.Value, error) {
	metas := make([]operators.Meta, len(in))
	for i, v := range in {
		if v != nil {
			metas[i] = v.Meta()
		}
	}
	inferred, err := op.Infer(metas, in)
	if err != nil {
		return nil, err
	}
	loose, err := op.Infer(metas, make([]*operators.Value, len(in)))
	if err != nil {
		return nil, fmt.Errorf("Infer without constants: %w", err)
	}
	out := make([]*operators.Value, len(inferred))
	if err := op.Run(&operators.RunContext{Threads: 2}, in, out); err != nil {
		return nil, err
	}
	for i, v := range out {
		if v == nil {
			return nil, fmt.Errorf("output %d not set", i)
		}
		for _, m := range []operators.Meta{inferred[i], loose[i]} {
			if err := agree(m, v); err != nil {
				return nil, fmt.Errorf("output %d: %w", i, err)
			}
		}
		if !inferred[i].HasShape {
			return nil, fmt.Errorf("output %d: Infer with every input known gave no shape", i)
		}
	}
	return out, nil
}

func agree(m operators.Meta, v *operators.Value) error {
	if m.DType != v.DType {
		return fmt.Errorf("Infer says %v, Run made %v", m.DType, v.DType)
	}
	if !m.HasShape {
		return nil
	}
	if len(m.Shape) != len(v.Shape) {
		return fmt.Errorf("Infer says shape %v, Run made %v", m.Shape, v.Shape)
	}
	for i, d := range m.Shape {
		if d != -1 && d != v.Shape[i] {
			return fmt.Errorf("Infer says shape %v, Run made %v", m.Shape, v.Shape)
		}
	}
	if v.DType != operators.String {
		if n := operators.NumElements(v.Shape) * v.DType.Size(); len(v.Raw) != n {
			return fmt.Errorf("Raw holds %d bytes, shape %v of %v needs %d", len(v.Raw), v.Shape, v.DType, n)
		}
	}
	return nil
}

// MustExec is Exec that fails the test on error.
func MustExec(t testing.TB, op operators.Op, in ...*operators.Value) []*operators.Value {
	t.Helper()
	out, err := Exec(op, in...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Val makes a value of type dt from float64 data (converted as Go
// converts; bool is x != 0; float16 and bfloat16 round to nearest).
func Val(dt operators.DType, shape []int, data ...float64) *operators.Value {
	v, err := operators.NewValue(dt, shape)
	if err != nil {
		panic(err)
	}
	if len(data) != v.Len() {
		panic(fmt.Sprintf("optest.Val: %d values for shape %v", len(data), shape))
	}
	for i, x := range data {
		Set(v, i, x)
	}
	return v
}

// Set stores x as element i of v.
func Set(v *operators.Value, i int, x float64) {
	switch v.DType {
	case operators.Float32:
		v.F32()[i] = float32(x)
	case operators.Float64:
		v.F64()[i] = x
	case operators.Int8:
		v.I8()[i] = int8(x)
	case operators.Uint8:
		v.U8()[i] = uint8(x)
	case operators.Int16:
		v.I16()[i] = int16(x)
	case operators.Uint16:
		v.U16()[i] = uint16(x)
	case operators.Int32:
		v.I32()[i] = int32(x)
	case operators.Uint32:
		v.U32()[i] = uint32(x)
	case operators.Int64:
		v.I64()[i] = int64(x)
	case operators.Uint64:
		v.U64()[i] = uint64(x)
	case operators.Bool:
		v.Bools()[i] = x != 0
	case operators.Float16:
		v.U16()[i] = half.ToFloat16(float32(x))
	case operators.BFloat16:
		v.U16()[i] = half.ToBFloat16(float32(x))
	default:
		panic("optest.Set: unsupported type " + v.DType.String())
	}
}

// Get returns element i of v as a float64.
func Get(v *operators.Value, i int) float64 {
	switch v.DType {
	case operators.Float32:
		return float64(v.F32()[i])
	case operators.Float64:
		return v.F64()[i]
	case operators.Int8:
		return float64(v.I8()[i])
	case operators.Uint8:
		return float64(v.U8()[i])
	case operators.Int16:
		return float64(v.I16()[i])
	case operators.Uint16:
		return float64(v.U16()[i])
	case operators.Int32:
		return float64(v.I32()[i])
	case operators.Uint32:
		return float64(v.U32()[i])
	case operators.Int64:
		return float64(v.I64()[i])
	case operators.Uint64:
		return float64(v.U64()[i])
	case operators.Bool:
		if v.Bools()[i] {
			return 1
		}
		return 0
	case operators.Float16:
		return float64(half.FromFloat16(v.U16()[i]))
	case operators.BFloat16:
		return float64(half.FromBFloat16(v.U16()[i]))
	}
	panic("optest.Get: unsupported type " + v.DType.String())
}

// Floats64 returns every element of v as float64.
func Floats64(v *operators.Value) []float64 {
	out := make([]float64, v.Len())
	for i := range out {
		out[i] = Get(v, i)
	}
	return out
}

// Close reports whether got matches want element-wise within
// |got-want| <= atol + rtol*|want|, with NaN matching NaN and infinities
// matching exactly; the error names the worst element.
func Close(got *operators.Value, shape []int, want []float64, rtol, atol float64) error {
	if len(got.Shape) != len(shape) {
		return fmt.Errorf("shape %v, want %v", got.Shape, shape)
	}
	for i := range shape {
		if got.Shape[i] != shape[i] {
			return fmt.Errorf("shape %v, want %v", got.Shape, shape)
		}
	}
	if got.Len() != len(want) {
		return fmt.Errorf("%d elements, want %d", got.Len(), len(want))
	}
	for i, w := range want {
		g := Get(got, i)
		switch {
		case math.IsNaN(w):
			if !math.IsNaN(g) {
				return fmt.Errorf("element %d is %v, want NaN", i, g)
			}
		case math.IsInf(w, 0):
			if g != w {
				return fmt.Errorf("element %d is %v, want %v", i, g, w)
			}
		case math.IsNaN(g) || math.Abs(g-w) > atol+rtol*math.Abs(w):
			return fmt.Errorf("element %d is %v, want %v (rtol %g, atol %g)", i, g, w, rtol, atol)
		}
	}
	return nil
}

// MustClose is Close that fails the test.
func MustClose(t testing.TB, got *operators.Value, shape []int, want []float64, rtol, atol float64) {
	t.Helper()
	if err := Close(got, shape, want, rtol, atol); err != nil {
		t.Fatalf("%v: %v", got, err)
	}
}
