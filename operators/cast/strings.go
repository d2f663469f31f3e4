package cast

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

// formatFloat writes f in the shortest form that parses back to the same
// value at the given bit size, with ONNX's spellings of the specials.
func formatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "INF"
	case math.IsInf(f, -1):
		return "-INF"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// formatStrings formats every element of x into dst.
func formatStrings(dst []string, x *operators.Value) {
	for i := range dst {
		switch x.DType {
		case operators.Float32:
			dst[i] = formatFloat(float64(x.F32()[i]), 32)
		case operators.Float64:
			dst[i] = formatFloat(x.F64()[i], 64)
		case operators.Float16:
			dst[i] = formatFloat(float64(half.FromFloat16(x.U16()[i])), 32)
		case operators.BFloat16:
			dst[i] = formatFloat(float64(half.FromBFloat16(x.U16()[i])), 32)
		case operators.Int8:
			dst[i] = strconv.FormatInt(int64(x.I8()[i]), 10)
		case operators.Int16:
			dst[i] = strconv.FormatInt(int64(x.I16()[i]), 10)
		case operators.Int32:
			dst[i] = strconv.FormatInt(int64(x.I32()[i]), 10)
		case operators.Int64:
			dst[i] = strconv.FormatInt(x.I64()[i], 10)
		case operators.Uint8:
			dst[i] = strconv.FormatUint(uint64(x.U8()[i]), 10)
		case operators.Uint16:
			dst[i] = strconv.FormatUint(uint64(x.U16()[i]), 10)
		case operators.Uint32:
			dst[i] = strconv.FormatUint(uint64(x.U32()[i]), 10)
		case operators.Uint64:
			dst[i] = strconv.FormatUint(x.U64()[i], 10)
		case operators.Bool:
			dst[i] = "0"
			if x.Bools()[i] {
				dst[i] = "1"
			}
		}
	}
}

// parseFloat reads a decimal or scientific number, or NaN/INF/+INF/-INF in
// any case (strconv accepts those spellings, and "infinity").
func parseFloat(s string, bits int) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), bits)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return f, nil // ±Inf on overflow, as C's strtod
		}
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return f, nil
}

// parseStrings converts strings to y's numeric type. Integers parse
// exactly when they are written as integers; otherwise the string is read
// as a float and converted like a float would be.
func parseStrings(y *operators.Value, src []string) error {
	for i, s := range src {
		var err error
		switch y.DType {
		case operators.Float32, operators.Float16, operators.BFloat16:
			var f float64
			if f, err = parseFloat(s, 32); err == nil {
				switch y.DType {
				case operators.Float32:
					y.F32()[i] = float32(f)
				case operators.Float16:
					y.U16()[i] = half.ToFloat16(float32(f))
				default:
					y.U16()[i] = half.ToBFloat16(float32(f))
				}
			}
		case operators.Float64:
			y.F64()[i], err = parseFloat(s, 64)
		case operators.Bool:
			var f float64
			if f, err = parseFloat(s, 64); err == nil {
				y.Bools()[i] = f != 0
			}
		case operators.Uint8, operators.Uint16, operators.Uint32, operators.Uint64:
			var u uint64
			if u, err = parseUint(s); err == nil {
				storeUint(y, i, u)
			}
		default:
			var v int64
			if v, err = parseInt(s); err == nil {
				storeInt(y, i, v)
			}
		}
		if err != nil {
			return fmt.Errorf("element %d: %w", i, err)
		}
	}
	return nil
}

func parseInt(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	f, err := parseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	return int64(f), nil
}

func parseUint(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseUint(s, 10, 64); err == nil {
		return v, nil
	}
	f, err := parseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	if f < 0 {
		return uint64(int64(f)), nil
	}
	return uint64(f), nil
}

func storeInt(y *operators.Value, i int, v int64) {
	switch y.DType {
	case operators.Int8:
		y.I8()[i] = int8(v)
	case operators.Int16:
		y.I16()[i] = int16(v)
	case operators.Int32:
		y.I32()[i] = int32(v)
	case operators.Int64:
		y.I64()[i] = v
	}
}

func storeUint(y *operators.Value, i int, v uint64) {
	switch y.DType {
	case operators.Uint8:
		y.U8()[i] = uint8(v)
	case operators.Uint16:
		y.U16()[i] = uint16(v)
	case operators.Uint32:
		y.U32()[i] = uint32(v)
	case operators.Uint64:
		y.U64()[i] = v
	}
}
