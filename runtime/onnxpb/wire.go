package onnxpb

import (
	"fmt"
	"math"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
)

// field is one decoded protobuf field: its number, wire type and value.
// For varint, fixed32 and fixed64 fields u holds the value; for
// length-delimited fields b holds the payload (a sub-slice of the input).
type field struct {
	num protowire.Number
	typ protowire.Type
	u   uint64
	b   []byte
}

var wireNames = [...]string{
	protowire.VarintType:     "varint",
	protowire.Fixed64Type:    "fixed64",
	protowire.BytesType:      "bytes",
	protowire.StartGroupType: "start-group",
	protowire.EndGroupType:   "end-group",
	protowire.Fixed32Type:    "fixed32",
}

func wireName(t protowire.Type) string {
	if int(t) >= 0 && int(t) < len(wireNames) && wireNames[t] != "" {
		return wireNames[t]
	}
	return fmt.Sprintf("wire type %d", t)
}

// next consumes one field of any wire type from b and returns the rest.
// Truncation, over-long varints, bad field numbers and unbalanced groups are
// errors.
func next(b []byte) (f field, rest []byte, err error) {
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 {
		return f, nil, fmt.Errorf("field tag: %w", protowire.ParseError(n))
	}
	b = b[n:]
	f.num, f.typ = num, typ
	switch typ {
	case protowire.VarintType:
		f.u, n = protowire.ConsumeVarint(b)
	case protowire.Fixed32Type:
		var v uint32
		v, n = protowire.ConsumeFixed32(b)
		f.u = uint64(v)
	case protowire.Fixed64Type:
		f.u, n = protowire.ConsumeFixed64(b)
	case protowire.BytesType:
		f.b, n = protowire.ConsumeBytes(b)
	default:
		n = protowire.ConsumeFieldValue(num, typ, b)
	}
	if n < 0 {
		return f, nil, fmt.Errorf("field %d (%s): %w", num, wireName(typ), protowire.ParseError(n))
	}
	return f, b[n:], nil
}

func (f *field) want(t protowire.Type, name string) error {
	if f.typ != t {
		return fmt.Errorf("field %d (%s): wire type %s, want %s", f.num, name, wireName(f.typ), wireName(t))
	}
	return nil
}

func (f *field) int64(name string) (int64, error) {
	if err := f.want(protowire.VarintType, name); err != nil {
		return 0, err
	}
	return int64(f.u), nil
}

// int32 follows protobuf's rule for int32 and enum fields: the varint is the
// sign-extended 64-bit value and is truncated to 32 bits.
func (f *field) int32(name string) (int32, error) {
	if err := f.want(protowire.VarintType, name); err != nil {
		return 0, err
	}
	return int32(f.u), nil
}

func (f *field) float32(name string) (float32, error) {
	if err := f.want(protowire.Fixed32Type, name); err != nil {
		return 0, err
	}
	return math.Float32frombits(uint32(f.u)), nil
}

func (f *field) bytes(name string) ([]byte, error) {
	if err := f.want(protowire.BytesType, name); err != nil {
		return nil, err
	}
	return f.b, nil
}

// single is bytes for a singular message field. Protobuf would merge a
// repeated occurrence into the first; no ONNX writer produces one, so it is
// refused instead of guessed at. set says whether the field (or another
// member of its oneof) was already decoded.
func (f *field) single(set bool, name string) ([]byte, error) {
	if set {
		return nil, fmt.Errorf("field %d (%s) appears more than once, or with another member of its oneof", f.num, name)
	}
	return f.bytes(name)
}

func (f *field) str(name string) (string, error) {
	b, err := f.bytes(name)
	return string(b), err
}

// bytesCopy returns a copy of a length-delimited payload, so the result does
// not alias the input. An empty payload gives nil.
func (f *field) bytesCopy(name string) ([]byte, error) {
	b, err := f.bytes(name)
	if err != nil || len(b) == 0 {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// countField counts the top-level occurrences of field num in message b
// without decoding them. It is how repeated message fields are sized (and
// checked against limits) before anything is allocated for them.
func countField(b []byte, num protowire.Number) (int, error) {
	n := 0
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return 0, err
		}
		if f.num == num {
			n++
		}
		b = rest
	}
	return n, nil
}

// peekString returns the last value of string field num in message b, or ""
// if there is none or b is malformed. Used only to name a message in an
// error, so it never fails.
func peekString(b []byte, num protowire.Number) string {
	s := ""
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			break
		}
		if f.num == num && f.typ == protowire.BytesType {
			s = string(f.b)
		}
		b = rest
	}
	return s
}

// appendVarints appends one repeated varint field occurrence, packed or not,
// to dst. The element count of a packed run is counted before dst grows, and
// the total may not pass max.
func appendVarints[T any](dst []T, f *field, name string, max int64, conv func(uint64) T) ([]T, error) {
	switch f.typ {
	case protowire.VarintType:
		if int64(len(dst))+1 > max {
			return nil, limitErr("field %s has more than %d elements", name, max)
		}
		return append(dst, conv(f.u)), nil
	case protowire.BytesType:
		p := f.b
		if len(p) == 0 {
			return dst, nil
		}
		if p[len(p)-1]&0x80 != 0 {
			return nil, fmt.Errorf("field %d (%s): packed varints: %w", f.num, name, protowire.ParseError(-1))
		}
		count := 0
		for _, c := range p {
			if c < 0x80 {
				count++
			}
		}
		if int64(len(dst))+int64(count) > max {
			return nil, limitErr("field %s has more than %d elements", name, max)
		}
		dst = grow(dst, count)
		for len(p) > 0 {
			v, n := protowire.ConsumeVarint(p)
			if n < 0 {
				return nil, fmt.Errorf("field %d (%s): packed varints: %w", f.num, name, protowire.ParseError(n))
			}
			dst = append(dst, conv(v))
			p = p[n:]
		}
		return dst, nil
	}
	return nil, fmt.Errorf("field %d (%s): wire type %s, want varint or packed bytes", f.num, name, wireName(f.typ))
}

// appendFixed32s is appendVarints for fixed32 elements (float, fixed32).
func appendFixed32s[T any](dst []T, f *field, name string, max int64, conv func(uint32) T) ([]T, error) {
	switch f.typ {
	case protowire.Fixed32Type:
		if int64(len(dst))+1 > max {
			return nil, limitErr("field %s has more than %d elements", name, max)
		}
		return append(dst, conv(uint32(f.u))), nil
	case protowire.BytesType:
		p := f.b
		if len(p)%4 != 0 {
			return nil, fmt.Errorf("field %d (%s): packed fixed32 payload of %d bytes is not a multiple of 4", f.num, name, len(p))
		}
		count := len(p) / 4
		if int64(len(dst))+int64(count) > max {
			return nil, limitErr("field %s has more than %d elements", name, max)
		}
		dst = grow(dst, count)
		for i := 0; i < len(p); i += 4 {
			dst = append(dst, conv(uint32(p[i])|uint32(p[i+1])<<8|uint32(p[i+2])<<16|uint32(p[i+3])<<24))
		}
		return dst, nil
	}
	return nil, fmt.Errorf("field %d (%s): wire type %s, want fixed32 or packed bytes", f.num, name, wireName(f.typ))
}

// appendFixed64s is appendVarints for fixed64 elements (double, fixed64).
func appendFixed64s[T any](dst []T, f *field, name string, max int64, conv func(uint64) T) ([]T, error) {
	switch f.typ {
	case protowire.Fixed64Type:
		if int64(len(dst))+1 > max {
			return nil, limitErr("field %s has more than %d elements", name, max)
		}
		return append(dst, conv(f.u)), nil
	case protowire.BytesType:
		p := f.b
		if len(p)%8 != 0 {
			return nil, fmt.Errorf("field %d (%s): packed fixed64 payload of %d bytes is not a multiple of 8", f.num, name, len(p))
		}
		count := len(p) / 8
		if int64(len(dst))+int64(count) > max {
			return nil, limitErr("field %s has more than %d elements", name, max)
		}
		dst = grow(dst, count)
		for i := 0; i < len(p); i += 8 {
			lo := uint64(p[i]) | uint64(p[i+1])<<8 | uint64(p[i+2])<<16 | uint64(p[i+3])<<24
			hi := uint64(p[i+4]) | uint64(p[i+5])<<8 | uint64(p[i+6])<<16 | uint64(p[i+7])<<24
			dst = append(dst, conv(lo|hi<<32))
		}
		return dst, nil
	}
	return nil, fmt.Errorf("field %d (%s): wire type %s, want fixed64 or packed bytes", f.num, name, wireName(f.typ))
}

// grow makes room for n more elements. slices.Grow grows geometrically,
// so a field split into many small packed runs still costs linear time.
func grow[T any](s []T, n int) []T { return slices.Grow(s, n) }

func toInt64(v uint64) int64     { return int64(v) }
func toInt32(v uint64) int32     { return int32(v) }
func toUint64(v uint64) uint64   { return v }
func toFloat32(v uint32) float32 { return math.Float32frombits(v) }
func toFloat64(v uint64) float64 { return math.Float64frombits(v) }
