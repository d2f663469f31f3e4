package holdout

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// rng is SplitMix64, so the weights of every model are the same on every
// run and Go release.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// uniform returns a value in [-1, 1).
func (r *rng) uniform() float64 { return float64(r.next()>>11)/(1<<53)*2 - 1 }

// intn returns a value in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// inputGen makes the data of one graph input for a batch size. dims holds
// ints and symbolic names; "batch" is the batch size, other names are
// resolved through the builder's syms.
type inputGen struct {
	name string
	dt   operators.DType
	dims []any
	fill func(r *rng, v *operators.Value)
}

// builder assembles one graph the way an exporter lays it out: named
// nodes, initializers for weights, Constant nodes for the small integer
// tensors of shape arithmetic, and opset-dependent operator forms.
type builder struct {
	opset  int64
	g      *onnxpb.Graph
	r      *rng
	n      int
	syms   map[string]int
	inputs []inputGen
	// constNodes makes small integer tensors Constant nodes (as the
	// PyTorch exporter does) instead of initializers.
	constNodes bool
	// noConvBias leaves out the bias of Conv (convolutions followed by
	// BatchNormalization are exported so unless BN is folded).
	noConvBias bool
	// constAttrs writes Constant nodes with value_int and value_ints
	// (opset 12 on) instead of a value tensor.
	constAttrs bool
	// dynHW declares image inputs with symbolic height and width.
	dynHW bool
}

func newBuilder(name string, opset int64, seed uint64) *builder {
	return &builder{opset: opset, g: &onnxpb.Graph{Name: name}, r: &rng{s: seed}, syms: map[string]int{}, constNodes: true}
}

func (b *builder) fresh(p string) string {
	b.n++
	return fmt.Sprintf("%s_%d", p, b.n)
}

func attrI(n string, v int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: n, Type: onnxpb.AttrInt, I: v}
}
func attrF(n string, v float32) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: n, Type: onnxpb.AttrFloat, F: v}
}
func attrIs(n string, v ...int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: n, Type: onnxpb.AttrInts, Ints: v}
}
func attrS(n string, v string) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: n, Type: onnxpb.AttrString, S: []byte(v)}
}
func attrT(n string, t *onnxpb.Tensor) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: n, Type: onnxpb.AttrTensor, T: t}
}

func dimsOf(shape []int64) []int64 { return append([]int64{}, shape...) }

// shapeType is a tensor type with dims given as ints or symbolic names.
func shapeType(dt operators.DType, dims []any) *onnxpb.Type {
	tt := &onnxpb.TensorType{ElemType: int32(dt)}
	if dims != nil {
		tt.Shape = &onnxpb.Shape{}
		for _, d := range dims {
			switch d := d.(type) {
			case int:
				tt.Shape.Dims = append(tt.Shape.Dims, onnxpb.Dim{Value: int64(d), HasValue: true})
			case string:
				tt.Shape.Dims = append(tt.Shape.Dims, onnxpb.Dim{Param: d})
			}
		}
	}
	return &onnxpb.Type{Tensor: tt}
}

// input declares a float graph input filled with uniform values in
// [-1, 1).
func (b *builder) input(name string, dims ...any) string {
	return b.inputWith(name, operators.Float32, func(r *rng, v *operators.Value) {
		for i := range v.F32() {
			v.F32()[i] = float32(r.uniform())
		}
	}, dims...)
}

func (b *builder) inputWith(name string, dt operators.DType, fill func(*rng, *operators.Value), dims ...any) string {
	b.g.Inputs = append(b.g.Inputs, &onnxpb.ValueInfo{Name: name, Type: shapeType(dt, dims)})
	b.inputs = append(b.inputs, inputGen{name: name, dt: dt, dims: dims, fill: fill})
	return name
}

// output declares x a graph output of the given dims.
func (b *builder) output(x string, dims ...any) {
	b.g.Outputs = append(b.g.Outputs, &onnxpb.ValueInfo{Name: x, Type: shapeType(operators.Float32, dims)})
}

// outputAs renames x to name through an Identity and declares it.
func (b *builder) outputAs(x, name string, dims ...any) {
	b.g.Nodes = append(b.g.Nodes, &onnxpb.Node{Name: b.fresh("Identity"), OpType: "Identity", Inputs: []string{x}, Outputs: []string{name}})
	b.output(name, dims...)
}

func (b *builder) nodeN(op string, ins []string, nout int, attrs ...*onnxpb.Attribute) []string {
	name := b.fresh(op)
	outs := make([]string, nout)
	for i := range outs {
		outs[i] = fmt.Sprintf("%s_o%d", name, i)
	}
	b.g.Nodes = append(b.g.Nodes, &onnxpb.Node{Name: name, OpType: op, Inputs: ins, Outputs: outs, Attributes: attrs})
	return outs
}

func (b *builder) node(op string, ins []string, attrs ...*onnxpb.Attribute) string {
	return b.nodeN(op, ins, 1, attrs...)[0]
}

func (b *builder) op(op string, ins ...string) string { return b.node(op, ins) }

// tensorF is a float32 TensorProto in raw_data.
func tensorF(name string, shape []int64, data []float32) *onnxpb.Tensor {
	raw := make([]byte, 4*len(data))
	for i, x := range data {
		u := math.Float32bits(x)
		raw[4*i], raw[4*i+1], raw[4*i+2], raw[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
	}
	return &onnxpb.Tensor{Name: name, Dims: dimsOf(shape), DataType: int32(operators.Float32), RawData: raw, HasRawData: true}
}

func tensorI(name string, shape []int64, data []int64) *onnxpb.Tensor {
	raw := make([]byte, 8*len(data))
	for i, x := range data {
		u := uint64(x)
		for k := range 8 {
			raw[8*i+k] = byte(u >> (8 * k))
		}
	}
	return &onnxpb.Tensor{Name: name, Dims: dimsOf(shape), DataType: int32(operators.Int64), RawData: raw, HasRawData: true}
}

func (b *builder) initF(shape []int64, data []float32) string {
	name := b.fresh("w")
	b.g.Initializers = append(b.g.Initializers, tensorF(name, shape, data))
	return name
}

// weight is an initializer of uniform values in [-scale, scale).
func (b *builder) weight(scale float64, shape ...int64) string {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(b.r.uniform() * scale)
	}
	return b.initF(shape, data)
}

// around is an initializer of values in [c-d, c+d).
func (b *builder) around(c, d float64, shape ...int64) string {
	n := int64(1)
	for _, x := range shape {
		n *= x
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(c + d*b.r.uniform())
	}
	return b.initF(shape, data)
}

// scalarF is a float scalar, as an initializer.
func (b *builder) scalarF(v float32) string { return b.initF(nil, []float32{v}) }

// ints is a 1-D int64 tensor: a Constant node or an initializer.
func (b *builder) ints(vals ...int64) string { return b.intsShaped([]int64{int64(len(vals))}, vals) }

// scalarI is an int64 scalar.
func (b *builder) scalarI(v int64) string { return b.intsShaped(nil, []int64{v}) }

func (b *builder) intsShaped(shape []int64, vals []int64) string {
	if b.constNodes && b.constAttrs {
		name := b.fresh("Constant")
		a := attrIs("value_ints", vals...)
		if shape == nil {
			a = attrI("value_int", vals[0])
		}
		b.g.Nodes = append(b.g.Nodes, &onnxpb.Node{Name: name, OpType: "Constant", Outputs: []string{name + "_o0"}, Attributes: []*onnxpb.Attribute{a}})
		return name + "_o0"
	}
	if b.constNodes {
		name := b.fresh("Constant")
		b.g.Nodes = append(b.g.Nodes, &onnxpb.Node{Name: name, OpType: "Constant", Outputs: []string{name + "_o0"},
			Attributes: []*onnxpb.Attribute{attrT("value", tensorI("", shape, vals))}})
		return name + "_o0"
	}
	name := b.fresh("c")
	b.g.Initializers = append(b.g.Initializers, tensorI(name, shape, vals))
	return name
}

// ---- opset-dependent forms ----

func (b *builder) squeeze(x string, axes ...int64) string {
	if b.opset >= 13 {
		return b.op("Squeeze", x, b.ints(axes...))
	}
	return b.node("Squeeze", []string{x}, attrIs("axes", axes...))
}

func (b *builder) unsqueeze(x string, axes ...int64) string {
	if b.opset >= 13 {
		return b.op("Unsqueeze", x, b.ints(axes...))
	}
	return b.node("Unsqueeze", []string{x}, attrIs("axes", axes...))
}

func (b *builder) split(x string, axis int64, sizes ...int64) []string {
	if b.opset >= 13 {
		return b.nodeN("Split", []string{x, b.ints(sizes...)}, len(sizes), attrI("axis", axis))
	}
	return b.nodeN("Split", []string{x}, len(sizes), attrI("axis", axis), attrIs("split", sizes...))
}

// slice takes starts, ends, axes and (when non-nil) steps.
func (b *builder) slice(x string, starts, ends, axes, steps []int64) string {
	ins := []string{x, b.ints(starts...), b.ints(ends...), b.ints(axes...)}
	if steps != nil {
		ins = append(ins, b.ints(steps...))
	}
	return b.op("Slice", ins...)
}

func (b *builder) reduceMean(x string, keep int64, axes ...int64) string {
	if b.opset >= 18 {
		return b.node("ReduceMean", []string{x, b.ints(axes...)}, attrI("keepdims", keep))
	}
	return b.node("ReduceMean", []string{x}, attrIs("axes", axes...), attrI("keepdims", keep))
}

func (b *builder) reduceSum(x string, keep int64, axes ...int64) string {
	if b.opset >= 13 {
		return b.node("ReduceSum", []string{x, b.ints(axes...)}, attrI("keepdims", keep))
	}
	return b.node("ReduceSum", []string{x}, attrIs("axes", axes...), attrI("keepdims", keep))
}

func (b *builder) softmax(x string, axis int64) string {
	return b.node("Softmax", []string{x}, attrI("axis", axis))
}

func (b *builder) transpose(x string, perm ...int64) string {
	return b.node("Transpose", []string{x}, attrIs("perm", perm...))
}

func (b *builder) reshape(x string, shape ...int64) string {
	return b.op("Reshape", x, b.ints(shape...))
}

// clip is Clip(x, lo, hi) with bounds as inputs (opset 11 on).
func (b *builder) clip(x string, lo, hi float32) string {
	return b.op("Clip", x, b.scalarF(lo), b.scalarF(hi))
}

// ---- layers ----

// conv is a Conv with He-like uniform weights and a bias.
func (b *builder) conv(x string, cin, cout, k, stride, pad, group int64, attrs ...*onnxpb.Attribute) string {
	return b.conv2(x, cin, cout, k, k, stride, []int64{pad, pad, pad, pad}, group, attrs...)
}

func (b *builder) conv2(x string, cin, cout, kh, kw, stride int64, pads []int64, group int64, attrs ...*onnxpb.Attribute) string {
	fan := cin / group * kh * kw
	w := b.weight(math.Sqrt(6/float64(fan)), cout, cin/group, kh, kw)
	ins := []string{x, w}
	if !b.noConvBias {
		ins = append(ins, b.weight(0.02, cout))
	}
	as := []*onnxpb.Attribute{attrIs("kernel_shape", kh, kw), attrIs("strides", stride, stride), attrI("group", group), attrIs("dilations", 1, 1)}
	if pads != nil {
		as = append(as, attrIs("pads", pads...))
	}
	as = append(as, attrs...)
	return b.node("Conv", ins, as...)
}

// conv1d is a 1-D Conv.
func (b *builder) conv1d(x string, cin, cout, k, stride, pad int64) string {
	w := b.weight(math.Sqrt(3/float64(cin*k)), cout, cin, k)
	bias := b.weight(0.1, cout)
	return b.node("Conv", []string{x, w, bias}, attrIs("kernel_shape", k), attrIs("strides", stride), attrIs("pads", pad, pad), attrIs("dilations", 1))
}

func (b *builder) bn(x string, c int64) string {
	return b.node("BatchNormalization", []string{x, b.around(1, 0.3, c), b.weight(0.05, c), b.weight(0.05, c), b.around(1, 0.4, c)},
		attrF("epsilon", 1e-5), attrF("momentum", 0.9))
}

func (b *builder) relu(x string) string    { return b.op("Relu", x) }
func (b *builder) sigmoid(x string) string { return b.op("Sigmoid", x) }
func (b *builder) silu(x string) string    { return b.op("Mul", x, b.sigmoid(x)) }

// gelu is the exact GELU as exported: x * 0.5 * (1 + erf(x / sqrt 2)).
func (b *builder) gelu(x string) string {
	e := b.op("Erf", b.op("Div", x, b.scalarF(1.4142135)))
	return b.op("Mul", b.op("Mul", x, b.op("Add", e, b.scalarF(1))), b.scalarF(0.5))
}

// hardswish is HardSwish-14 from opset 14 and x*HardSigmoid(x) before.
func (b *builder) hardswish(x string) string {
	if b.opset >= 14 {
		return b.op("HardSwish", x)
	}
	return b.op("Mul", x, b.node("HardSigmoid", []string{x}, attrF("alpha", 1.0/6), attrF("beta", 0.5)))
}

// layerNorm normalises the last axis (of size c): LayerNormalization at
// opset 17, the decomposition PyTorch exports before.
func (b *builder) layerNorm(x string, c int64) string {
	gamma, beta := b.around(1, 0.2, c), b.weight(0.1, c)
	if b.opset >= 17 {
		return b.node("LayerNormalization", []string{x, gamma, beta}, attrI("axis", -1), attrF("epsilon", 1e-5))
	}
	mean := b.reduceMean(x, 1, -1)
	d := b.op("Sub", x, mean)
	v := b.reduceMean(b.op("Pow", d, b.scalarF(2)), 1, -1)
	n := b.op("Div", d, b.op("Sqrt", b.op("Add", v, b.scalarF(1e-5))))
	return b.op("Add", b.op("Mul", n, gamma), beta)
}

// gemm is a Linear layer on [N, in] as Gemm with transB=1.
func (b *builder) gemm(x string, in, out int64) string {
	w := b.weight(math.Sqrt(3/float64(in)), out, in)
	return b.node("Gemm", []string{x, w, b.weight(0.1, out)}, attrF("alpha", 1), attrF("beta", 1), attrI("transB", 1))
}

// linear is a Linear layer on [..., in] as MatMul + Add.
func (b *builder) linear(x string, in, out int64) string {
	w := b.weight(math.Sqrt(3/float64(in)), in, out)
	return b.op("Add", b.weight(0.1, out), b.op("MatMul", x, w))
}

// dim is Shape(x)[i] as a 1-element int64 tensor, the way x.size(i)
// feeds a Concat in an exported graph.
func (b *builder) dim(x string, i int64) string {
	g := b.node("Gather", []string{b.op("Shape", x), b.scalarI(i)}, attrI("axis", 0))
	return b.unsqueeze(g, 0)
}

// flattenBatch is x.view(x.size(0), -1).
func (b *builder) flattenBatch(x string) string {
	shape := b.node("Concat", []string{b.dim(x, 0), b.ints(-1)}, attrI("axis", 0))
	return b.op("Reshape", x, shape)
}

// model wraps the graph with the opset import and an IR version of that
// opset's ONNX release.
func (b *builder) model() *onnxpb.Model {
	ir := int64(6)
	switch {
	case b.opset >= 17:
		ir = 8
	case b.opset >= 13:
		ir = 7
	}
	return &onnxpb.Model{IRVersion: ir, ProducerName: "holdout", OpsetImport: []onnxpb.OperatorSetID{{Version: b.opset}}, Graph: b.g}
}

// feeds makes the graph inputs for a batch size, from a seed of their own
// so batch 1 is the first item of batch 3 when the seed is equal.
func (b *builder) feeds(batch int, seed uint64) (map[string]*operators.Value, error) {
	out := map[string]*operators.Value{}
	r := &rng{s: seed}
	for _, in := range b.inputs {
		var shape []int
		for _, d := range in.dims {
			switch d := d.(type) {
			case int:
				shape = append(shape, d)
			case string:
				if s, ok := b.syms[d]; d == "batch" || ok && s < 0 {
					shape = append(shape, batch)
				} else if ok {
					shape = append(shape, s)
				} else {
					return nil, fmt.Errorf("input %s: no size for dimension %q", in.name, d)
				}
			}
		}
		v, err := operators.NewValue(in.dt, shape)
		if err != nil {
			return nil, err
		}
		in.fill(r, v)
		out[in.name] = v
	}
	return out, nil
}
