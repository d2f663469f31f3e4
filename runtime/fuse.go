package runtime

import (
	"math"
	"slices"

	"github.com/onnxrun/onnxrun/operators"
)

// Load-time graph fusion, run after inference and constant folding and
// before planning, unless WithoutOptimizations is given:
//
//   - Identity nodes, and Dropout nodes whose mask nobody reads (inference
//     Dropout copies its input), are removed: their readers read the input
//     directly.
//   - An Add of the output of an operator implementing FuseBias (Conv)
//     without a bias input, read by nothing else, and a constant holding
//     one value per channel (shape [C,1,1] or [1,C,1,1] against an NCHW
//     output) is folded into that operator as its bias: it adds each
//     channel's value to its output as the Add would, so an activation
//     after the Add can fold into it too.
//   - An Add of two tensors of one shape, one of them the output of an
//     operator implementing operators.ResidualFuser (Conv) read by nothing
//     else, is folded into that operator's epilogue (a residual
//     connection): the producer takes the other tensor as an extra input
//     and writes the Add's output slot. The other tensor must be computed
//     before the producer runs. Shapes may hold unknown dimensions (a
//     symbolic batch) in the same places; should they differ at run time,
//     the operator broadcasts as Add would.
//   - An activation (Relu, Clip, LeakyRelu, HardSwish, Sigmoid) whose input
//     comes from an operator implementing operators.Fuser (Conv), and is
//     read by nothing else, is folded into that operator's epilogue: the
//     producer writes the activation's output slot itself.
//
// A slot that is a graph output, or that a subgraph reads, keeps its
// producer as it is, so the rewrites never change what a caller or a
// nested graph sees.

// fuse rewrites the nodes of order in place and returns the order without
// the nodes it removed.
func (b *builder) fuse(order, outs []int) []int {
	pinned := make([]bool, len(b.slots)) // graph outputs and captured slots
	for _, s := range outs {
		pinned[s] = true
	}
	readers := make([]int, len(b.slots))
	for _, i := range order {
		p := b.nodes[i]
		if p.folded {
			continue
		}
		for _, s := range p.in {
			if s >= 0 {
				readers[s]++
			}
		}
		for _, s := range p.deps {
			pinned[s] = true
		}
	}
	removed := make([]bool, len(b.nodes))
	// Pass-through nodes first, so activations behind them meet their
	// producer.
	for _, i := range order {
		p := b.nodes[i]
		if p.folded || p.node.Domain != "" || len(p.in) < 1 || p.in[0] < 0 || len(p.out) < 1 || p.out[0] < 0 {
			continue
		}
		switch p.src.OpType {
		case "Identity":
			if len(p.out) != 1 {
				continue
			}
		case "Dropout":
			if len(p.out) > 1 && p.out[1] >= 0 && (readers[p.out[1]] > 0 || pinned[p.out[1]]) {
				continue // the mask is used
			}
			if p.opset > 0 && p.opset < 7 {
				continue // is_test semantics; leave the operator to decide
			}
			if len(p.in) > 2 && p.in[2] >= 0 { // training_mode must be a constant false
				v := b.consts[p.in[2]]
				if b.slots[p.in[2]].kind != kindConst || v == nil || len(v.Raw) == 0 || v.Raw[0] != 0 {
					continue
				}
			}
		default:
			continue
		}
		x, y := p.in[0], p.out[0]
		if pinned[y] || b.slots[x].meta.DType != b.slots[y].meta.DType {
			continue
		}
		for _, j := range order {
			q := b.nodes[j]
			for k, s := range q.in {
				if s == y {
					q.in[k] = x
				}
			}
		}
		readers[x] += readers[y] - 1
		readers[y] = 0
		removed[i] = true
	}
	b.fuseBiases(order, pinned, readers, removed)
	b.fuseResiduals(order, pinned, readers, removed)
	for _, i := range order {
		p := b.nodes[i]
		if removed[i] || p.folded || p.node.Domain != "" || len(p.in) < 1 || p.in[0] < 0 || len(p.out) != 1 || p.out[0] < 0 {
			continue
		}
		x := p.in[0]
		sx := b.slots[x]
		if sx.kind != kindNode || pinned[x] || readers[x] != 1 {
			continue
		}
		if dt := sx.meta.DType; dt != operators.Float32 && dt != operators.Float64 {
			continue
		}
		prod := b.nodes[sx.producer]
		if removed[prod.idx] || prod.folded || len(prod.out) != 1 || prod.out[0] != x {
			continue
		}
		f, ok := prod.op.(operators.Fuser)
		if !ok {
			continue
		}
		act, ok := b.activation(p)
		if !ok {
			continue
		}
		op, ok := f.Fuse(act)
		if !ok {
			continue
		}
		prod.op = op
		prod.out[0] = p.out[0]
		b.slots[p.out[0]].producer = prod.idx
		removed[i] = true
	}
	kept := order[:0:0]
	for _, i := range order {
		if !removed[i] {
			kept = append(kept, i)
		}
	}
	return kept
}

// fuseResiduals folds Add(op(x), skip) into op where op is an
// operators.ResidualFuser; see fuse.
func (b *builder) fuseResiduals(order []int, pinned []bool, readers []int, removed []bool) {
	pos := make([]int, len(b.nodes)) // position in order
	for k, i := range order {
		pos[i] = k
	}

	for _, i := range order {
		p := b.nodes[i]
		if removed[i] || p.folded || p.node.Domain != "" || p.src.OpType != "Add" || len(p.in) != 2 || len(p.out) != 1 || p.out[0] < 0 {
			continue
		}
		for k := range 2 {
			x, skip := p.in[k], p.in[1-k]
			if x < 0 || skip < 0 || x == skip {
				continue
			}
			sx, ss, sy := b.slots[x], b.slots[skip], b.slots[p.out[0]]
			if sx.kind != kindNode || pinned[x] || readers[x] != 1 {
				continue
			}
			if dt := sx.meta.DType; (dt != operators.Float32 && dt != operators.Float64) || ss.meta.DType != dt || sy.meta.DType != dt {
				continue
			}
			if !sx.meta.HasShape || !ss.meta.HasShape || !sy.meta.HasShape || !slices.Equal(sx.meta.Shape, ss.meta.Shape) || !slices.Equal(sx.meta.Shape, sy.meta.Shape) {
				continue
			}
			prod := b.nodes[sx.producer]
			if removed[prod.idx] || prod.folded || len(prod.out) != 1 || prod.out[0] != x || prod.node.Domain != "" {
				continue
			}
			// The fused node runs where the producer runs: skip must
			// exist by then.
			if ss.kind == kindNode && pos[ss.producer] > pos[prod.idx] {
				continue
			}
			f, ok := prod.op.(operators.ResidualFuser)
			if !ok {
				continue
			}
			op, at, ok := f.FuseResidual()
			if !ok || at < len(prod.in) {
				continue
			}
			for len(prod.in) < at {
				prod.in = append(prod.in, -1)
			}
			prod.in = append(prod.in, skip)
			prod.op = op
			prod.out[0] = p.out[0]
			b.slots[p.out[0]].producer = prod.idx
			readers[x] = 0
			removed[i] = true
			break
		}
	}
}

// biasFuser is implemented by operators that can add a constant holding
// one value per output channel (b, its values in channel order) to their
// output with the bits of the Add they replace (Conv).
type biasFuser interface {
	FuseBias(b *operators.Value) (operators.Op, bool)
}

// fuseBiases folds Add(op(x), B) into op where op is a biasFuser without
// a bias input and B a per-channel constant; see fuse.
func (b *builder) fuseBiases(order []int, pinned []bool, readers []int, removed []bool) {
	for _, i := range order {
		p := b.nodes[i]
		if removed[i] || p.folded || p.node.Domain != "" || p.src.OpType != "Add" || len(p.in) != 2 || len(p.out) != 1 || p.out[0] < 0 {
			continue
		}
		if p.opset > 0 && p.opset < 7 {
			continue // the legacy broadcast attributes
		}
		for k := range 2 {
			x, s := p.in[k], p.in[1-k]
			if x < 0 || s < 0 || x == s {
				continue
			}
			sx, v := b.slots[x], b.consts[s]
			if sx.kind != kindNode || pinned[x] || readers[x] != 1 || b.slots[s].kind != kindConst || v == nil {
				continue
			}
			if dt := sx.meta.DType; (dt != operators.Float32 && dt != operators.Float64) || v.DType != dt || b.slots[p.out[0]].meta.DType != dt {
				continue
			}
			if !sx.meta.HasShape || !perChannel(sx.meta.Shape, v.Shape) {
				continue
			}
			prod := b.nodes[sx.producer]
			if removed[prod.idx] || prod.folded || len(prod.out) != 1 || prod.out[0] != x || prod.node.Domain != "" || (len(prod.in) > 2 && prod.in[2] >= 0) {
				continue
			}
			f, ok := prod.op.(biasFuser)
			if !ok {
				continue
			}
			op, ok := f.FuseBias(v)
			if !ok {
				continue
			}
			prod.op = op
			prod.out[0] = p.out[0]
			b.slots[p.out[0]].producer = prod.idx
			readers[x] = 0
			removed[i] = true
			break
		}
	}
}

// perChannel reports whether a tensor of shape bs, broadcast as Add does
// against a tensor of shape out (channels on axis 1), gives every channel
// one value and leaves out's shape as it is: aligned to out's trailing
// axes it reaches the channel axis, where it has out's known channel
// count, and is 1 on every other axis.
func perChannel(out, bs []int) bool {
	if len(out) < 2 || out[1] < 0 || len(bs) > len(out) || len(bs) < len(out)-1 {
		return false
	}
	off := len(out) - len(bs)
	for i, d := range bs {
		if i+off == 1 {
			if d != out[1] {
				return false
			}
		} else if d != 1 {
			return false
		}
	}
	return true
}

// activation describes p as an epilogue activation, if it is one whose
// parameters are known at load time.
func (b *builder) activation(p *pnode) (operators.Activation, bool) {
	n := p.node
	switch p.src.OpType {
	case "Relu":
		return operators.Activation{Kind: operators.ActRelu}, true
	case "Sigmoid":
		return operators.Activation{Kind: operators.ActSigmoid}, true
	case "HardSwish":
		return operators.Activation{Kind: operators.ActHardSwish}, true
	case "LeakyRelu":
		a, err := n.Float("alpha", 0.01)
		if err != nil {
			return operators.Activation{}, false
		}
		return operators.Activation{Kind: operators.ActLeakyRelu, Alpha: a}, true
	case "Clip":
		act := operators.Activation{Kind: operators.ActClip, Min: float32(math.Inf(-1)), Max: float32(math.Inf(1))}
		if p.opset > 0 && p.opset < 11 {
			lo, err1 := n.Float("min", act.Min)
			hi, err2 := n.Float("max", act.Max)
			if err1 != nil || err2 != nil {
				return operators.Activation{}, false
			}
			act.Min, act.Max = lo, hi
			return act, true
		}
		for k, dst := range []*float32{&act.Min, &act.Max} {
			if len(p.in) <= k+1 || p.in[k+1] < 0 {
				continue
			}
			s := p.in[k+1]
			v := b.consts[s]
			if b.slots[s].kind != kindConst || v == nil || len(v.Shape) != 0 {
				return operators.Activation{}, false
			}
			switch v.DType {
			case operators.Float32:
				*dst = v.F32()[0]
			case operators.Float64:
				*dst = float32(v.F64()[0])
				if float64(*dst) != v.F64()[0] {
					return operators.Activation{}, false
				}
			default:
				return operators.Activation{}, false
			}
		}
		return act, true
	}
	return operators.Activation{}, false
}
