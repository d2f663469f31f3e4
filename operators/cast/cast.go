package cast

import (
	"fmt"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

// typeNames maps the opset 1 string form of the to attribute to types.
var typeNames = map[string]operators.DType{
	"FLOAT": operators.Float32, "UINT8": operators.Uint8, "INT8": operators.Int8,
	"UINT16": operators.Uint16, "INT16": operators.Int16, "INT32": operators.Int32,
	"INT64": operators.Int64, "STRING": operators.String, "BOOL": operators.Bool,
	"FLOAT16": operators.Float16, "DOUBLE": operators.Float64, "UINT32": operators.Uint32,
	"UINT64": operators.Uint64, "BFLOAT16": operators.BFloat16,
}

// supported reports whether Cast converts to and from dt.
func supported(dt operators.DType) bool {
	switch dt {
	case operators.Float32, operators.Float64, operators.Float16, operators.BFloat16,
		operators.Int8, operators.Uint8, operators.Int16, operators.Uint16,
		operators.Int32, operators.Uint32, operators.Int64, operators.Uint64,
		operators.Bool, operators.String:
		return true
	}
	return false
}

// op is a Cast (to fixed at load) or a CastLike (to taken from input 1).
type op struct {
	name string
	to   operators.DType // Undefined for CastLike
}

func newCast(since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &op{name: "Cast"}
		if !n.Has("to") {
			return nil, &operators.AttributeError{Attr: "to", Reason: "is required"}
		}
		if since < 6 {
			// Opset 1 names the type as a string; some exporters wrote an
			// int anyway, so accept both.
			if a := n.Attrs["to"]; a.Type == operators.AttrString {
				dt, ok := typeNames[strings.ToUpper(string(a.S))]
				if !ok {
					return nil, &operators.AttributeError{Attr: "to", Reason: fmt.Sprintf("%q is not a supported type name", a.S)}
				}
				o.to = dt
			}
		}
		if o.to == operators.Undefined {
			to, err := n.Int("to", 0)
			if err != nil {
				return nil, err
			}
			o.to = operators.DType(to)
			if int64(o.to) != to || !supported(o.to) {
				return nil, &operators.AttributeError{Attr: "to", Reason: fmt.Sprintf("type %v is not supported", operators.DType(to))}
			}
		}
		if err := checkSaturate(n, since); err != nil {
			return nil, err
		}
		return o, nil
	}
}

func newCastLike(since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		if err := checkSaturate(n, since); err != nil {
			return nil, err
		}
		return &op{name: "CastLike"}, nil
	}
}

// checkSaturate validates the opset 19 saturate attribute. It only matters
// for float8 targets, which are not supported.
func checkSaturate(n *operators.Node, since int) error {
	if since < 19 {
		return nil
	}
	s, err := n.Int("saturate", 1)
	if err != nil {
		return err
	}
	if s != 0 && s != 1 {
		return &operators.AttributeError{Attr: "saturate", Reason: fmt.Sprintf("is %d, want 0 or 1", s)}
	}
	return nil
}

// target returns the output type given the input metas.
func (o *op) target(in []operators.DType) (operators.DType, error) {
	want := 1
	if o.to == operators.Undefined {
		want = 2
	}
	if len(in) != want {
		return 0, fmt.Errorf("%w: %s takes %d inputs, got %d", operators.ErrInvalidModel, o.name, want, len(in))
	}
	if !supported(in[0]) {
		return 0, fmt.Errorf("%w: %s from %v (input 0)", operators.ErrUnsupportedType, o.name, in[0])
	}
	to := o.to
	if to == operators.Undefined {
		to = in[1]
		if !supported(to) {
			return 0, fmt.Errorf("%w: %s to %v (input 1)", operators.ErrUnsupportedType, o.name, to)
		}
	}
	return to, nil
}

func (o *op) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	var buf [2]operators.DType
	dts := buf[:0]
	for _, m := range in {
		dts = append(dts, m.DType)
	}
	to, err := o.target(dts)
	if err != nil {
		return nil, err
	}
	return []operators.Meta{{DType: to, Shape: in[0].Shape, HasShape: in[0].HasShape}}, nil
}

// chunk is the number of elements worth a goroutine.
const chunk = 1 << 14

func (o *op) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	var buf [2]operators.DType
	dts := buf[:0]
	for i, v := range in {
		if v == nil {
			return fmt.Errorf("%w: %s: input %d is missing", operators.ErrInvalidModel, o.name, i)
		}
		dts = append(dts, v.DType)
	}
	to, err := o.target(dts)
	if err != nil {
		return err
	}
	x := in[0]
	y, err := rc.AllocValue(to, x.Shape, false)
	if err != nil {
		return err
	}
	switch {
	case x.DType == to:
		copy(y.Raw, x.Raw)
		copy(y.Strs, x.Strs)
	case to == operators.String:
		formatStrings(y.Strs, x)
	case x.DType == operators.String:
		if err := parseStrings(y, x.Strs); err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
	case rc == nil || rc.Threads <= 1 || x.Len() < 2*chunk:
		convert(y, x, 0, x.Len()) // no closure to allocate
	default:
		rc.Parallel(x.Len(), chunk, func(lo, hi int) { convert(y, x, lo, hi) })
	}
	out[0] = y
	return nil
}

// block is how many float16 elements are widened at a time, on the stack.
const block = 256

// convert casts elements [lo, hi) of x into y, both numeric or bool.
func convert(y, x *operators.Value, lo, hi int) {
	switch x.DType {
	case operators.Float16, operators.BFloat16:
		from := half.FromFloat16
		if x.DType == operators.BFloat16 {
			from = half.FromBFloat16
		}
		src := x.U16()
		var buf [block]float32
		for s := lo; s < hi; s += block {
			n := min(block, hi-s)
			for i, h := range src[s : s+n] {
				buf[i] = from(h)
			}
			store(y, s, buf[:n])
		}
	case operators.Float32:
		store(y, lo, x.F32()[lo:hi])
	case operators.Float64:
		store(y, lo, x.F64()[lo:hi])
	case operators.Int8:
		store(y, lo, x.I8()[lo:hi])
	case operators.Uint8, operators.Bool: // bools are the bytes 0 and 1
		store(y, lo, x.U8()[lo:hi])
	case operators.Int16:
		store(y, lo, x.I16()[lo:hi])
	case operators.Uint16:
		store(y, lo, x.U16()[lo:hi])
	case operators.Int32:
		store(y, lo, x.I32()[lo:hi])
	case operators.Uint32:
		store(y, lo, x.U32()[lo:hi])
	case operators.Int64:
		store(y, lo, x.I64()[lo:hi])
	case operators.Uint64:
		store(y, lo, x.U64()[lo:hi])
	}
}

type number interface {
	~int8 | ~uint8 | ~int16 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64 | ~float32 | ~float64
}

// store converts src into y's elements starting at off.
func store[S number](y *operators.Value, off int, src []S) {
	n := len(src)
	switch y.DType {
	case operators.Float32:
		conv(y.F32()[off:off+n], src)
	case operators.Float64:
		conv(y.F64()[off:off+n], src)
	case operators.Int8:
		conv(y.I8()[off:off+n], src)
	case operators.Uint8:
		conv(y.U8()[off:off+n], src)
	case operators.Int16:
		conv(y.I16()[off:off+n], src)
	case operators.Uint16:
		conv(y.U16()[off:off+n], src)
	case operators.Int32:
		conv(y.I32()[off:off+n], src)
	case operators.Uint32:
		conv(y.U32()[off:off+n], src)
	case operators.Int64:
		conv(y.I64()[off:off+n], src)
	case operators.Uint64:
		conv(y.U64()[off:off+n], src)
	case operators.Bool:
		dst := y.Bools()[off : off+n]
		for i, v := range src {
			dst[i] = v != 0
		}
	case operators.Float16, operators.BFloat16:
		to := half.ToFloat16
		if y.DType == operators.BFloat16 {
			to = half.ToBFloat16
		}
		dst := y.U16()[off : off+n]
		var buf [block]float32
		for s := 0; s < n; s += block {
			m := min(block, n-s)
			conv(buf[:m], src[s:s+m])
			for i, f := range buf[:m] {
				dst[s+i] = to(f)
			}
		}
	}
}

func conv[D, S number](dst []D, src []S) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] = D(src[i])
	}
}
