package einsum

import (
	"fmt"
	"sort"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

// A term is one operand's (or the output's) list of labels: letters as
// their byte value, and ellipsis as the marker ellipsis.
type term struct {
	labels   []int
	ellipsis int // position of the ellipsis in labels, or -1
}

const ellipsis = -1

// ellipsisBase numbers the dimensions an ellipsis stands for: the j-th of
// E (right-aligned across operands) is label ellipsisBase+j.
const ellipsisBase = 1000

type op struct {
	inputs   []term
	output   term
	implicit bool
}

func parseTerm(s string) (term, error) {
	t := term{ellipsis: -1}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
		case c == '.':
			if !strings.HasPrefix(s[i:], "...") {
				return t, fmt.Errorf("a lone %q in %q", ".", s)
			}
			if t.ellipsis >= 0 {
				return t, fmt.Errorf("two ellipses in %q", s)
			}
			t.ellipsis = len(t.labels)
			t.labels = append(t.labels, ellipsis)
			i += 2
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			t.labels = append(t.labels, int(c))
		default:
			return t, fmt.Errorf("character %q in %q", c, s)
		}
	}
	return t, nil
}

func newEinsum(n *operators.Node) (operators.Op, error) {
	eq, err := n.String("equation", "")
	if err != nil {
		return nil, err
	}
	bad := func(reason string) error {
		return &operators.AttributeError{Attr: "equation", Reason: fmt.Sprintf("%q: %s", eq, reason)}
	}
	if eq == "" {
		return nil, bad("is required")
	}
	o := &op{}
	lhs, rhs, explicit := strings.Cut(eq, "->")
	for _, s := range strings.Split(lhs, ",") {
		t, err := parseTerm(s)
		if err != nil {
			return nil, bad(err.Error())
		}
		o.inputs = append(o.inputs, t)
	}
	if explicit {
		if o.output, err = parseTerm(rhs); err != nil {
			return nil, bad(err.Error())
		}
		seen := map[int]bool{}
		for _, l := range o.output.labels {
			if l != ellipsis && seen[l] {
				return nil, bad(fmt.Sprintf("output index %q appears twice", rune(l)))
			}
			seen[l] = true
			if l == ellipsis {
				continue
			}
			found := false
			for _, t := range o.inputs {
				for _, m := range t.labels {
					found = found || m == l
				}
			}
			if !found {
				return nil, bad(fmt.Sprintf("output index %q is in no input", rune(l)))
			}
		}
	} else {
		// Implicit output: ellipsis first, then the indices that appear
		// exactly once, in ASCII order.
		o.implicit = true
		count := map[int]int{}
		anyEllipsis := false
		for _, t := range o.inputs {
			for _, l := range t.labels {
				if l == ellipsis {
					anyEllipsis = true
				} else {
					count[l]++
				}
			}
		}
		o.output = term{ellipsis: -1}
		if anyEllipsis {
			o.output.ellipsis = 0
			o.output.labels = append(o.output.labels, ellipsis)
		}
		var once []int
		for l, c := range count {
			if c == 1 {
				once = append(once, l)
			}
		}
		sort.Ints(once)
		o.output.labels = append(o.output.labels, once...)
	}
	if n.Inputs != nil && len(n.Inputs) != len(o.inputs) {
		return nil, bad(fmt.Sprintf("has %d operands but the node has %d inputs", len(o.inputs), len(n.Inputs)))
	}
	return o, nil
}

// plan binds the equation to concrete shapes.
type plan struct {
	outShape []int
	outLbl   []int         // output labels, in order
	sumLbl   []int         // summed labels
	size     map[int]int   // label -> extent
	stride   []map[int]int // per operand: label -> stride
}

func (o *op) bind(shapes [][]int) (*plan, error) {
	if len(shapes) != len(o.inputs) {
		return nil, fmt.Errorf("%w: Einsum equation has %d operands, got %d inputs", operators.ErrInvalidModel, len(o.inputs), len(shapes))
	}
	// The ellipsis rank of each operand, and the largest.
	ell := make([]int, len(shapes))
	maxEll := 0
	for i, t := range o.inputs {
		letters := len(t.labels)
		if t.ellipsis >= 0 {
			letters--
			ell[i] = len(shapes[i]) - letters
			if ell[i] < 0 {
				return nil, fmt.Errorf("%w: Einsum operand %d has rank %d, its term needs at least %d", operators.ErrShape, i, len(shapes[i]), letters)
			}
		} else if letters != len(shapes[i]) {
			return nil, fmt.Errorf("%w: Einsum operand %d has rank %d, its term has %d indices", operators.ErrShape, i, len(shapes[i]), letters)
		}
		maxEll = max(maxEll, ell[i])
	}
	p := &plan{size: map[int]int{}, stride: make([]map[int]int, len(shapes))}
	// expand lists operand i's labels, one per dimension.
	expand := func(t term, e int) []int {
		var out []int
		for _, l := range t.labels {
			if l != ellipsis {
				out = append(out, l)
				continue
			}
			for j := maxEll - e; j < maxEll; j++ {
				out = append(out, ellipsisBase+j)
			}
		}
		return out
	}
	for i, t := range o.inputs {
		lbl := expand(t, ell[i])
		p.stride[i] = map[int]int{}
		s := 1
		for d := len(lbl) - 1; d >= 0; d-- {
			l, ext := lbl[d], shapes[i][d]
			switch prev, ok := p.size[l]; {
			case !ok || prev == 1:
				p.size[l] = ext
			case ext != prev && ext != 1:
				return nil, fmt.Errorf("%w: Einsum index %s is %d in one operand and %d in operand %d", operators.ErrShape, name(l), prev, ext, i)
			}
			if !(l >= ellipsisBase && ext == 1) {
				p.stride[i][l] += s
			}
			s *= ext
		}
	}
	// Letters of size 1 against larger ones broadcast only for ellipsis
	// dimensions; check letters agree exactly.
	for i, t := range o.inputs {
		lbl := expand(t, ell[i])
		for d, l := range lbl {
			if l < ellipsisBase && shapes[i][d] != p.size[l] {
				return nil, fmt.Errorf("%w: Einsum index %s is %d in operand %d but %d elsewhere", operators.ErrShape, name(l), shapes[i][d], i, p.size[l])
			}
		}
	}
	p.outLbl = expand(o.output, maxEll)
	inOut := map[int]bool{}
	for _, l := range p.outLbl {
		inOut[l] = true
		p.outShape = append(p.outShape, p.size[l])
	}
	var sum []int
	for l := range p.size {
		if !inOut[l] {
			sum = append(sum, l)
		}
	}
	sort.Ints(sum)
	p.sumLbl = sum
	return p, nil
}

func name(l int) string {
	if l >= ellipsisBase {
		return fmt.Sprintf("of the ellipsis (%d)", l-ellipsisBase)
	}
	return fmt.Sprintf("%q", rune(l))
}

func supported(dt operators.DType) bool {
	switch dt {
	case operators.Float32, operators.Float64, operators.Float16, operators.BFloat16,
		operators.Int32, operators.Int64, operators.Uint32, operators.Uint64:
		return true
	}
	return false
}

func (o *op) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != len(o.inputs) {
		return nil, fmt.Errorf("%w: Einsum equation has %d operands, got %d inputs", operators.ErrInvalidModel, len(o.inputs), len(in))
	}
	dt := in[0].DType
	for i, m := range in {
		if m.DType != dt {
			return nil, fmt.Errorf("%w: Einsum: input %d is %v but input 0 is %v", operators.ErrInvalidModel, i, m.DType, dt)
		}
	}
	if !supported(dt) {
		return nil, fmt.Errorf("%w: Einsum of %v", operators.ErrUnsupportedType, dt)
	}
	shapes := make([][]int, len(in))
	for i, m := range in {
		if !m.HasShape {
			return []operators.Meta{{DType: dt}}, nil
		}
		for _, d := range m.Shape {
			if d < 0 {
				return []operators.Meta{{DType: dt}}, nil
			}
		}
		shapes[i] = m.Shape
	}
	p, err := o.bind(shapes)
	if err != nil {
		return nil, err
	}
	return []operators.Meta{{DType: dt, Shape: p.outShape, HasShape: true}}, nil
}

func (o *op) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	metas := make([]operators.Meta, len(in))
	shapes := make([][]int, len(in))
	for i, v := range in {
		if v == nil {
			return fmt.Errorf("%w: Einsum: input %d is missing", operators.ErrInvalidModel, i)
		}
		metas[i], shapes[i] = v.Meta(), v.Shape
	}
	if _, err := o.Infer(metas, nil); err != nil {
		return err
	}
	p, err := o.bind(shapes)
	if err != nil {
		return err
	}
	dt := in[0].DType
	y, err := rc.AllocValue(dt, p.outShape, false)
	if err != nil {
		return err
	}
	isInt := dt == operators.Int32 || dt == operators.Int64 || dt == operators.Uint32 || dt == operators.Uint64
	if isInt {
		xs := make([][]int64, len(in))
		for i, v := range in {
			xs[i] = toInt64(v)
		}
		res := make([]int64, y.Len())
		contract(p, res, xs)
		storeInt(y, res)
	} else {
		xs := make([][]float64, len(in))
		for i, v := range in {
			xs[i] = toFloat64(v)
		}
		res := make([]float64, y.Len())
		contract(p, res, xs)
		storeFloat(y, res)
	}
	out[0] = y
	return nil
}

// contract computes res[o] = sum over the summed labels of the product of
// the operands, for every output position o in row-major order.
func contract[T int64 | float64](p *plan, res []T, xs [][]T) {
	k := len(xs)
	nOut, nSum := len(p.outLbl), len(p.sumLbl)
	outExt := make([]int, nOut)
	sumExt := make([]int, nSum)
	outStr := make([][]int, k) // outStr[i][d]: operand i's stride along output label d
	sumStr := make([][]int, k)
	for i := 0; i < k; i++ {
		outStr[i] = make([]int, nOut)
		sumStr[i] = make([]int, nSum)
		for d, l := range p.outLbl {
			outStr[i][d] = p.stride[i][l]
		}
		for d, l := range p.sumLbl {
			sumStr[i][d] = p.stride[i][l]
		}
	}
	total := 1
	for d, l := range p.outLbl {
		outExt[d] = p.size[l]
	}
	for d, l := range p.sumLbl {
		sumExt[d] = p.size[l]
		total *= sumExt[d]
	}
	if total == 0 {
		clear(res)
		return
	}
	base := make([]int, k) // operand offsets at the current output position
	off := make([]int, k)
	oIdx := make([]int, nOut)
	sIdx := make([]int, nSum)
	for o := range res {
		var acc T
		copy(off, base)
		clear(sIdx)
		for s := 0; s < total; s++ {
			prod := T(1)
			for i := 0; i < k; i++ {
				prod *= xs[i][off[i]]
			}
			acc += prod
			for d := nSum - 1; d >= 0; d-- {
				sIdx[d]++
				for i := 0; i < k; i++ {
					off[i] += sumStr[i][d]
				}
				if sIdx[d] < sumExt[d] {
					break
				}
				for i := 0; i < k; i++ {
					off[i] -= sIdx[d] * sumStr[i][d]
				}
				sIdx[d] = 0
			}
		}
		res[o] = acc
		for d := nOut - 1; d >= 0; d-- {
			oIdx[d]++
			for i := 0; i < k; i++ {
				base[i] += outStr[i][d]
			}
			if oIdx[d] < outExt[d] {
				break
			}
			for i := 0; i < k; i++ {
				base[i] -= oIdx[d] * outStr[i][d]
			}
			oIdx[d] = 0
		}
	}
}

func toFloat64(v *operators.Value) []float64 {
	out := make([]float64, v.Len())
	switch v.DType {
	case operators.Float32:
		for i, x := range v.F32() {
			out[i] = float64(x)
		}
	case operators.Float64:
		copy(out, v.F64())
	case operators.Float16:
		for i, h := range v.U16() {
			out[i] = float64(half.FromFloat16(h))
		}
	case operators.BFloat16:
		for i, h := range v.U16() {
			out[i] = float64(half.FromBFloat16(h))
		}
	}
	return out
}

func storeFloat(y *operators.Value, src []float64) {
	switch y.DType {
	case operators.Float32:
		for i, x := range src {
			y.F32()[i] = float32(x)
		}
	case operators.Float64:
		copy(y.F64(), src)
	case operators.Float16:
		for i, x := range src {
			y.U16()[i] = half.ToFloat16(float32(x))
		}
	case operators.BFloat16:
		for i, x := range src {
			y.U16()[i] = half.ToBFloat16(float32(x))
		}
	}
}

func toInt64(v *operators.Value) []int64 {
	out := make([]int64, v.Len())
	switch v.DType {
	case operators.Int32:
		for i, x := range v.I32() {
			out[i] = int64(x)
		}
	case operators.Int64:
		copy(out, v.I64())
	case operators.Uint32:
		for i, x := range v.U32() {
			out[i] = int64(x)
		}
	case operators.Uint64:
		for i, x := range v.U64() {
			out[i] = int64(x)
		}
	}
	return out
}

func storeInt(y *operators.Value, src []int64) {
	switch y.DType {
	case operators.Int32:
		for i, x := range src {
			y.I32()[i] = int32(x)
		}
	case operators.Int64:
		copy(y.I64(), src)
	case operators.Uint32:
		for i, x := range src {
			y.U32()[i] = uint32(x)
		}
	case operators.Uint64:
		for i, x := range src {
			y.U64()[i] = uint64(x)
		}
	}
}
