package shape

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
)

func inputErr(idx int, name, format string, args ...any) error {
	return fmt.Errorf("%w: input %d (%s): %s", operators.ErrShape, idx, name, fmt.Sprintf(format, args...))
}

// input returns in[i], or nil when the optional input is absent.
func input(in []*operators.Value, i int) *operators.Value {
	if i < len(in) {
		return in[i]
	}
	return nil
}

func constAt(consts []*operators.Value, i int) *operators.Value {
	if i < len(consts) {
		return consts[i]
	}
	return nil
}

// readInts reads a 1-D (or scalar) int64 or int32 tensor input. An int64
// input is returned without copying; callers only read it.
func readInts(v *operators.Value, idx int, name string) ([]int64, error) {
	if len(v.Shape) > 1 {
		return nil, inputErr(idx, name, "rank %d, want a 1-D tensor", len(v.Shape))
	}
	switch v.DType {
	case operators.Int64:
		return v.I64()[:v.Len()], nil
	case operators.Int32:
		s := v.I32()[:v.Len()]
		out := make([]int64, len(s))
		for i, x := range s {
			out[i] = int64(x)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: input %d (%s) has type %v, want int64 or int32", operators.ErrUnsupportedType, idx, name, v.DType)
}

// alloc allocates an output; string tensors do not come from the pool.
func alloc(rc *operators.RunContext, dt operators.DType, shape []int) (*operators.Value, error) {
	if dt == operators.String {
		return operators.NewValue(dt, shape)
	}
	return rc.AllocValue(dt, shape, false)
}

// ints0 returns n zeros in dst's memory when it has room, else new ones.
func ints0(dst []int, n int) []int {
	if n <= cap(dst) {
		s := dst[:n]
		clear(s)
		return s
	}
	return make([]int, n)
}

// copyRun copies n elements from src[si:] to dst[di:].
func copyRun(dst *operators.Value, di int, src *operators.Value, si, n int) {
	if n <= 0 {
		return
	}
	if src.DType == operators.String {
		copy(dst.Strs[di:di+n], src.Strs[si:si+n])
		return
	}
	sz := src.DType.Size()
	copy(dst.Raw[di*sz:(di+n)*sz], src.Raw[si*sz:(si+n)*sz])
}

// fillRepeat repeats the n elements at dst[di:di+n] times more after
// themselves (dst[di+n:di+n*(times+1)]), doubling the copied block.
func fillRepeat(dst *operators.Value, di, n, times int) {
	total := n * (times + 1)
	done := n
	for done < total {
		c := min(done, total-done)
		copyRun(dst, di+done, dst, di, c)
		done += c
	}
}

// strides returns row-major strides of shape.
func strides(shape []int) []int {
	s := make([]int, len(shape))
	acc := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= shape[i]
	}
	return s
}

// maxDim bounds any single dimension or index: 2^51, or what an int holds
// on 32-bit targets. Products of such values are checked separately.
const maxDim = min(int64(1)<<51, int64(math.MaxInt))

// toInt converts an int64 dimension or index, rejecting ones that do not fit
// comfortably in an int.
func toInt(x int64) (int, bool) {
	if x > maxDim || x < -maxDim {
		return 0, false
	}
	return int(x), true
}

func knownShape(m operators.Meta) bool {
	if !m.HasShape {
		return false
	}
	for _, d := range m.Shape {
		if d < 0 {
			return false
		}
	}
	return true
}

func unknown(dt operators.DType) []operators.Meta {
	return []operators.Meta{{DType: dt}}
}

func known(dt operators.DType, shape []int) []operators.Meta {
	return []operators.Meta{{DType: dt, Shape: shape, HasShape: true}}
}

// axesAttr reads an INTS attribute of axes; ok is false when absent.
func axesAttr(n *operators.Node, name string) ([]int64, bool, error) {
	return n.Ints(name)
}

// normAxes normalises axes for rank r, rejecting duplicates.
func normAxes(attr string, axes []int64, r int) ([]int, error) {
	out := make([]int, len(axes))
	seen := make(map[int]bool, len(axes))
	for i, a := range axes {
		ax, err := operators.NormAxis(attr, a, r)
		if err != nil {
			return nil, err
		}
		if seen[ax] {
			return nil, &operators.AttributeError{Attr: attr, Reason: fmt.Sprintf("axis %d appears twice", a)}
		}
		seen[ax] = true
		out[i] = ax
	}
	return out, nil
}
