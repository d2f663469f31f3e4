package conformance

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
)

// Mismatch describes how one output differs from its expected value: a
// dtype or shape difference (Reason set), or the element that is worst
// relative to the tolerance.
type Mismatch struct {
	Set    string // data set name
	Output string // output name
	Reason string // set for a dtype, shape or non-numeric difference

	Index      int   // flat index of the worst element
	MultiIndex []int // the same index per dimension
	Got, Want  float64
	AbsErr     float64 // |got-want| at that element
	RelErr     float64 // |got-want|/|want| at that element (Inf when want is 0)
	Count      int     // elements out of tolerance
	Total      int     // elements compared
	// Top1 compares the largest element of each row (first dimension =
	// rows, the rest = classes) for floating-point outputs of rank 2 or
	// more: "top-1 agrees in 2 of 2 rows". It is a hint for classifiers
	// whose outputs cannot match exactly (quantized models); it does not
	// change the verdict.
	Top1 string
}

func (m *Mismatch) String() string {
	if m.Reason != "" {
		return fmt.Sprintf("output %q (%s): %s", m.Output, m.Set, m.Reason)
	}
	idx := make([]string, len(m.MultiIndex))
	for i, x := range m.MultiIndex {
		idx[i] = strconv.Itoa(x)
	}
	top := ""
	if m.Top1 != "" {
		top = "; " + m.Top1
	}
	return fmt.Sprintf("output %q (%s): worst abs err %.3g, rel err %.3g at [%s] (flat %d; got %v, want %v); %d of %d elements out of tolerance%s",
		m.Output, m.Set, m.AbsErr, m.RelErr, strings.Join(idx, ","), m.Index, fmtNum(m.Got), fmtNum(m.Want), m.Count, m.Total, top)
}

func fmtNum(v float64) string { return fmt.Sprintf("%.9g", v) }

// ErrStats are the largest errors seen over the elements of some outputs,
// in or out of tolerance.
type ErrStats struct {
	MaxAbs, MaxRel float64
}

func (s *ErrStats) add(o ErrStats) {
	s.MaxAbs = max(s.MaxAbs, o.MaxAbs)
	s.MaxRel = max(s.MaxRel, o.MaxRel)
}

// Compare checks got against want. dtype and shape must be equal; integer,
// bool and string elements must be equal; floating-point ones must satisfy
// |got-want| <= tol.ATol + tol.RTol*|want|, where NaN equals NaN and an
// infinity equals only the same infinity. It returns nil when they agree,
// and the largest errors over all elements either way.
func Compare(got, want *operators.Value, tol Tolerance) (*Mismatch, ErrStats) {
	var st ErrStats
	if got.DType != want.DType {
		return &Mismatch{Reason: fmt.Sprintf("dtype %v, want %v", got.DType, want.DType)}, st
	}
	if !slices.Equal(got.Shape, want.Shape) {
		return &Mismatch{Reason: fmt.Sprintf("shape %v, want %v", got.Shape, want.Shape)}, st
	}
	n := want.Len()
	if got.DType == operators.String {
		if len(got.Strs) < n || len(want.Strs) < n {
			return &Mismatch{Reason: "string tensor holds too few elements"}, st
		}
		for i := range n {
			if got.Strs[i] != want.Strs[i] {
				return &Mismatch{Reason: fmt.Sprintf("string at %v is %q, want %q", multiIndex(i, want.Shape), got.Strs[i], want.Strs[i])}, st
			}
		}
		return nil, st
	}
	ga, err1 := elements(got, n)
	wa, err2 := elements(want, n)
	if err1 != nil || err2 != nil {
		return &Mismatch{Reason: fmt.Sprint(firstErr(err1, err2))}, st
	}
	exact := !got.DType.IsFloat() && got.DType != operators.Complex64 && got.DType != operators.Complex128
	var bad Mismatch
	worst := -1.0 // worst excess ratio err/allowed
	for i := range ga {
		g, w := ga[i], wa[i]
		var abs, rel, ratio float64
		switch {
		case math.IsNaN(w) || math.IsNaN(g):
			if math.IsNaN(w) && math.IsNaN(g) {
				continue
			}
			abs, rel, ratio = math.NaN(), math.NaN(), math.Inf(1)
		case math.IsInf(w, 0) || math.IsInf(g, 0):
			if g == w {
				continue
			}
			abs, rel, ratio = math.Inf(1), math.Inf(1), math.Inf(1)
		default:
			abs = math.Abs(g - w)
			rel = abs / math.Abs(w)
			if w == 0 {
				rel = 0
				if abs > 0 {
					rel = math.Inf(1)
				}
			}
			if exact {
				sz := got.DType.Size()
				if !bytes.Equal(got.Raw[i*sz:(i+1)*sz], want.Raw[i*sz:(i+1)*sz]) {
					ratio = math.Inf(1)
				}
			} else if allowed := tol.ATol + tol.RTol*math.Abs(w); abs > allowed {
				ratio = abs / allowed
				if allowed == 0 {
					ratio = math.Inf(1)
				}
			}
		}
		if !math.IsNaN(abs) {
			st.MaxAbs = max(st.MaxAbs, abs)
		}
		if !math.IsNaN(rel) && !math.IsInf(rel, 0) {
			st.MaxRel = max(st.MaxRel, rel)
		}
		if ratio > 0 {
			bad.Count++
			if ratio > worst || (ratio == worst && abs > bad.AbsErr) {
				worst = ratio
				bad.Index, bad.Got, bad.Want, bad.AbsErr, bad.RelErr = i, g, w, abs, rel
			}
		}
	}
	if bad.Count == 0 {
		return nil, st
	}
	bad.Total = len(ga)
	shape := want.Shape
	if got.DType == operators.Complex64 || got.DType == operators.Complex128 {
		shape = append(slices.Clone(shape), 2) // real and imaginary parts
	}
	bad.MultiIndex = multiIndex(bad.Index, shape)
	if !exact && len(want.Shape) >= 2 && want.Shape[0] > 0 && len(ga) == n {
		rows := want.Shape[0]
		cols := n / rows
		agree := 0
		for r := range rows {
			if argmax(ga[r*cols:(r+1)*cols]) == argmax(wa[r*cols:(r+1)*cols]) {
				agree++
			}
		}
		bad.Top1 = fmt.Sprintf("top-1 agrees in %d of %d rows", agree, rows)
	}
	return &bad, st
}

func argmax(x []float64) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// multiIndex turns a flat row-major index into per-dimension indices.
func multiIndex(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		if shape[k] > 0 {
			idx[k] = i % shape[k]
			i /= shape[k]
		}
	}
	return idx
}

// elements widens the first n elements of v (2n for complex types) to
// float64, which holds every value of the types up to 32 bits exactly and
// compares 64-bit integers exactly enough to detect any difference below
// 2^53 (larger ones are compared on their float64 rounding).
func elements(v *operators.Value, n int) ([]float64, error) {
	if n < 0 {
		return nil, fmt.Errorf("bad shape %v", v.Shape)
	}
	sz := v.DType.Size()
	if sz == 0 {
		return nil, fmt.Errorf("cannot compare elements of type %v", v.DType)
	}
	if len(v.Raw) < n*sz {
		return nil, fmt.Errorf("%v holds %d bytes, want %d", v, len(v.Raw), n*sz)
	}
	out := make([]float64, 0, n)
	switch v.DType {
	case operators.Float32:
		for _, x := range v.F32()[:n] {
			out = append(out, float64(x))
		}
	case operators.Complex64:
		for _, x := range v.F32()[:2*n] {
			out = append(out, float64(x))
		}
	case operators.Float64:
		out = append(out, v.F64()[:n]...)
	case operators.Complex128:
		out = append(out, v.F64()[:2*n]...)
	case operators.Float16:
		for _, x := range v.U16()[:n] {
			out = append(out, float64(halfToFloat(x)))
		}
	case operators.BFloat16:
		for _, x := range v.U16()[:n] {
			out = append(out, float64(math.Float32frombits(uint32(x)<<16)))
		}
	case operators.Int8:
		for _, x := range v.I8()[:n] {
			out = append(out, float64(x))
		}
	case operators.Uint8:
		for _, x := range v.U8()[:n] {
			out = append(out, float64(x))
		}
	case operators.Bool:
		for _, x := range v.U8()[:n] {
			b := 0.0
			if x != 0 {
				b = 1
			}
			out = append(out, b)
		}
	case operators.Int16:
		for _, x := range v.I16()[:n] {
			out = append(out, float64(x))
		}
	case operators.Uint16:
		for _, x := range v.U16()[:n] {
			out = append(out, float64(x))
		}
	case operators.Int32:
		for _, x := range v.I32()[:n] {
			out = append(out, float64(x))
		}
	case operators.Uint32:
		for _, x := range v.U32()[:n] {
			out = append(out, float64(x))
		}
	case operators.Int64:
		for _, x := range v.I64()[:n] {
			out = append(out, float64(x))
		}
	case operators.Uint64:
		for _, x := range v.U64()[:n] {
			out = append(out, float64(x))
		}
	default:
		return nil, fmt.Errorf("cannot compare elements of type %v", v.DType)
	}
	return out, nil
}

// halfToFloat converts IEEE 754 binary16 bits to float32 exactly.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | man<<13)
	case exp == 0:
		if man == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal: man * 2^-24.
		f := float32(man) / (1 << 24)
		if sign != 0 {
			f = -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | man<<13)
}
