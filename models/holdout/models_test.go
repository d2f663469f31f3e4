package holdout

import (
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

var allOpsets = []int64{11, 13, 17}

func families() []family {
	return []family{
		{"efficientnet", allOpsets, efficientnet},
		{"mnasnet", allOpsets, mnasnet},
		{"mobilenetv3", []int64{11, 13, 14, 17}, mobilenetv3},
		{"regnet", allOpsets, regnet},
		{"densenet", allOpsets, densenet},
		{"googlenet", allOpsets, googlenet},
		{"vgg", allOpsets, vgg},
		{"alexnet", allOpsets, alexnet},
		{"convnext", allOpsets, convnext},
		{"vit", allOpsets, vit},
		{"swin", allOpsets, swin},
		{"text_transformer", []int64{11, 13, 17, 18}, textTransformer},
		{"kws_gru", allOpsets, kwsGRU},
		{"kws_lstm", allOpsets, kwsLSTM},
		{"kws_dense", allOpsets, kwsDense},
		{"tf_nhwc", allOpsets, tfNHWC},
		{"efficientnet_dynhw", allOpsets, variant(efficientnet, func(b *builder) { b.dynHW = true })},
		{"googlenet_dynhw_nobias", allOpsets, variant(googlenet, func(b *builder) { b.dynHW, b.noConvBias = true, true })},
		{"regnet_nobias", allOpsets, variant(regnet, func(b *builder) { b.noConvBias = true })},
		{"densenet_nobias_inits", allOpsets, variant(densenet, func(b *builder) { b.noConvBias, b.constNodes = true, false })},
		{"convnext_dynhw", allOpsets, variant(convnext, func(b *builder) { b.dynHW = true })},
		{"vit_wide", allOpsets, vitWide},
		{"text_hf", []int64{11, 13, 14, 17}, textHF},
		{"kws_stream", allOpsets, kwsStream},
		{"dscnn", allOpsets, dscnn},
		{"mixed", allOpsets, mixed},
		// At 16x16 the If takes its else branch.
		{"mixed_dynhw16", allOpsets, variant(mixed, func(b *builder) { b.dynHW, b.syms["height"], b.syms["width"] = true, 16, 16 })},
		{"kws_masked", allOpsets, kwsMasked},
		{"kws_keras", allOpsets, kwsKeras},
		{"kws_loop", allOpsets, kwsLoop},
		{"text_tf", allOpsets, textTF},
		{"ln_variants", allOpsets, lnVariants},
		{"efficientnet_b0", []int64{13}, efficientnetB0},
		{"vit_tiny", []int64{17}, vitTiny},
		{"vit_constattrs", []int64{13, 17}, variant(vit, func(b *builder) { b.constAttrs = true })},
	}
}

func imageInput(b *builder, c, h, w int) string {
	if b.dynHW {
		if _, set := b.syms["height"]; !set {
			b.syms["height"], b.syms["width"] = h, w
		}
		return b.input("input", "batch", c, "height", "width")
	}
	return b.input("input", "batch", c, h, w)
}

// variant runs build with the builder changed by set first.
func variant(build func(*builder), set func(*builder)) func(*builder) {
	return func(b *builder) {
		set(b)
		build(b)
	}
}

// se is squeeze-excitation: GlobalAveragePool, 1x1 Conv, act, 1x1 Conv,
// gate, scale.
func (b *builder) se(x string, c, r int64, act func(string) string, gate func(string) string) string {
	s := b.op("GlobalAveragePool", x)
	s = act(b.conv(s, c, r, 1, 1, 0, 1))
	s = gate(b.conv(s, r, c, 1, 1, 0, 1))
	return b.op("Mul", x, s)
}

func (b *builder) head(x string, c, classes int64) {
	x = b.node("Flatten", []string{b.op("GlobalAveragePool", x)}, attrI("axis", 1))
	b.outputAs(b.gemm(x, c, classes), "logits", "batch", int(classes))
}

// efficientnet: SiLU (Sigmoid*Mul), depthwise 3x3 and 5x5, squeeze-
// excitation, an inverted residual and a GlobalAveragePool head.
func efficientnet(b *builder) {
	x := imageInput(b, 3, 32, 32)
	x = b.silu(b.bn(b.conv(x, 3, 16, 3, 2, 1, 1), 16))
	// MBConv1
	h := b.silu(b.bn(b.conv(x, 16, 16, 3, 1, 1, 16), 16))
	h = b.se(h, 16, 4, b.silu, b.sigmoid)
	x = b.bn(b.conv(h, 16, 8, 1, 1, 0, 1), 8)
	// MBConv6, 5x5 stride 2
	h = b.silu(b.bn(b.conv(x, 8, 48, 1, 1, 0, 1), 48))
	h = b.silu(b.bn(b.conv(h, 48, 48, 5, 2, 2, 48), 48))
	h = b.se(h, 48, 2, b.silu, b.sigmoid)
	x = b.bn(b.conv(h, 48, 12, 1, 1, 0, 1), 12)
	// MBConv6 with the residual
	h = b.silu(b.bn(b.conv(x, 12, 72, 1, 1, 0, 1), 72))
	h = b.silu(b.bn(b.conv(h, 72, 72, 3, 1, 1, 72), 72))
	h = b.se(h, 72, 3, b.silu, b.sigmoid)
	x = b.op("Add", b.bn(b.conv(h, 72, 12, 1, 1, 0, 1), 12), x)
	x = b.silu(b.bn(b.conv(x, 12, 64, 1, 1, 0, 1), 64))
	b.head(x, 64, 10)
}

// mnasnet: ReLU inverted residuals and x.mean([2, 3]) exported as
// ReduceMean(keepdims=0).
func mnasnet(b *builder) {
	x := imageInput(b, 3, 32, 32)
	x = b.relu(b.bn(b.conv(x, 3, 16, 3, 2, 1, 1), 16))
	x = b.relu(b.bn(b.conv(x, 16, 16, 3, 1, 1, 16), 16))
	x = b.bn(b.conv(x, 16, 8, 1, 1, 0, 1), 8)
	for i, s := range []int64{2, 1} {
		h := b.relu(b.bn(b.conv(x, 8, 24, 1, 1, 0, 1), 24))
		h = b.relu(b.bn(b.conv(h, 24, 24, 5, s, 2, 24), 24))
		h = b.bn(b.conv(h, 24, 8, 1, 1, 0, 1), 8)
		if i == 1 {
			h = b.op("Add", h, x)
		}
		x = h
	}
	x = b.relu(b.bn(b.conv(x, 8, 32, 1, 1, 0, 1), 32))
	x = b.reduceMean(x, 0, 2, 3)
	b.outputAs(b.gemm(x, 32, 10), "logits", "batch", 10)
}

// mobilenetv3: HardSwish (HardSigmoid*Mul before opset 14), an SE block
// gated by HardSigmoid, and a Flatten + Gemm head with HardSwish between.
func mobilenetv3(b *builder) {
	x := imageInput(b, 3, 32, 32)
	x = b.hardswish(b.bn(b.conv(x, 3, 16, 3, 2, 1, 1), 16))
	h := b.relu(b.bn(b.conv(x, 16, 16, 3, 2, 1, 16), 16))
	hsig := func(s string) string {
		return b.node("HardSigmoid", []string{s}, attrF("alpha", 1.0/6), attrF("beta", 0.5))
	}
	h = b.se(h, 16, 8, b.relu, hsig)
	x = b.bn(b.conv(h, 16, 16, 1, 1, 0, 1), 16)
	h = b.hardswish(b.bn(b.conv(x, 16, 48, 1, 1, 0, 1), 48))
	h = b.hardswish(b.bn(b.conv(h, 48, 48, 3, 1, 1, 48), 48))
	x = b.op("Add", x, b.bn(b.conv(h, 48, 16, 1, 1, 0, 1), 16))
	x = b.hardswish(b.bn(b.conv(x, 16, 48, 1, 1, 0, 1), 48))
	x = b.node("Flatten", []string{b.op("GlobalAveragePool", x)}, attrI("axis", 1))
	x = b.hardswish(b.gemm(x, 48, 32))
	b.outputAs(b.gemm(x, 32, 10), "logits", "batch", 10)
}

// regnet: grouped 3x3 convolutions, SE with ReLU, projection and identity
// shortcuts.
func regnet(b *builder) {
	x := imageInput(b, 3, 32, 32)
	x = b.relu(b.bn(b.conv(x, 3, 16, 3, 2, 1, 1), 16))
	block := func(x string, cin, w, stride int64) string {
		h := b.relu(b.bn(b.conv(x, cin, w, 1, 1, 0, 1), w))
		h = b.relu(b.bn(b.conv(h, w, w, 3, stride, 1, w/8), w))
		h = b.se(h, w, 4, b.relu, b.sigmoid)
		h = b.bn(b.conv(h, w, w, 1, 1, 0, 1), w)
		sc := x
		if stride != 1 || cin != w {
			sc = b.bn(b.conv(x, cin, w, 1, stride, 0, 1), w)
		}
		return b.relu(b.op("Add", h, sc))
	}
	x = block(x, 16, 24, 2)
	x = block(x, 24, 24, 1)
	x = block(x, 24, 32, 2)
	b.head(x, 32, 10)
}

// densenet: a 7x7 stem with a padded MaxPool, dense layers that Concat
// their input and new features, a transition with AveragePool 2x2.
func densenet(b *builder) {
	x := imageInput(b, 3, 32, 32)
	x = b.relu(b.bn(b.conv(x, 3, 16, 7, 2, 3, 1), 16))
	x = b.node("MaxPool", []string{x}, attrIs("kernel_shape", 3, 3), attrIs("strides", 2, 2), attrIs("pads", 1, 1, 1, 1))
	c := int64(16)
	layer := func(x string) string {
		h := b.conv(b.relu(b.bn(x, c)), c, 16, 1, 1, 0, 1)
		h = b.conv(b.relu(b.bn(h, 16)), 16, 8, 3, 1, 1, 1)
		c += 8
		return b.node("Concat", []string{x, h}, attrI("axis", 1))
	}
	for range 3 {
		x = layer(x)
	}
	x = b.conv(b.relu(b.bn(x, c)), c, 20, 1, 1, 0, 1)
	c = 20
	x = b.node("AveragePool", []string{x}, attrIs("kernel_shape", 2, 2), attrIs("strides", 2, 2))
	for range 2 {
		x = layer(x)
	}
	x = b.relu(b.bn(x, c))
	b.head(x, c, 10)
}

// googlenet: ceil_mode MaxPools, inception branches joined by Concat,
// 1x7/7x1 factorised convolutions, a padded AveragePool counting the
// padding, TensorFlow-style asymmetric (end-only) pads on a strided Conv
// and a MaxPool.
func googlenet(b *builder) {
	x := imageInput(b, 3, 40, 40)
	x = b.relu(b.bn(b.conv(x, 3, 16, 7, 2, 3, 1), 16))                                                               // 20
	x = b.node("MaxPool", []string{x}, attrIs("kernel_shape", 3, 3), attrIs("strides", 2, 2), attrI("ceil_mode", 1)) // 10
	cbr := func(x string, cin, cout, k, pad int64) string {
		return b.relu(b.bn(b.conv(x, cin, cout, k, 1, pad, 1), cout))
	}
	inception := func(x string, cin int64) (string, int64) {
		b1 := cbr(x, cin, 8, 1, 0)
		b2 := cbr(cbr(x, cin, 6, 1, 0), 6, 8, 3, 1)
		b3 := cbr(cbr(x, cin, 4, 1, 0), 4, 6, 3, 1)
		p := b.node("MaxPool", []string{x}, attrIs("kernel_shape", 3, 3), attrIs("strides", 1, 1), attrIs("pads", 1, 1, 1, 1), attrI("ceil_mode", 1))
		b4 := cbr(p, cin, 6, 1, 0)
		return b.node("Concat", []string{b1, b2, b3, b4}, attrI("axis", 1)), 28
	}
	x, c := inception(x, 16)
	x = b.node("MaxPool", []string{x}, attrIs("kernel_shape", 3, 3), attrIs("strides", 2, 2), attrI("ceil_mode", 1)) // 5
	// Inception-v3 style factorised branch and pooled branch.
	f := b.relu(b.bn(b.conv2(x, c, 8, 1, 7, 1, []int64{0, 3, 0, 3}, 1), 8))
	f = b.relu(b.bn(b.conv2(f, 8, 8, 7, 1, 1, []int64{3, 0, 3, 0}, 1), 8))
	p := b.node("AveragePool", []string{x}, attrIs("kernel_shape", 3, 3), attrIs("strides", 1, 1), attrIs("pads", 1, 1, 1, 1), attrI("count_include_pad", 1))
	p = cbr(p, c, 8, 1, 0)
	q := b.node("AveragePool", []string{x}, attrIs("kernel_shape", 3, 3), attrIs("strides", 1, 1), attrIs("pads", 1, 1, 1, 1))
	q = cbr(q, c, 4, 1, 0)
	x = b.node("Concat", []string{f, p, q}, attrI("axis", 1))
	c = 20
	// SAME padding of a stride-2 3x3 on an odd size: pad only the end.
	x = b.relu(b.conv2(x, c, 16, 3, 3, 2, []int64{0, 0, 1, 1}, 1))                                                        // 3
	x = b.node("MaxPool", []string{x}, attrIs("kernel_shape", 2, 2), attrIs("strides", 2, 2), attrIs("pads", 0, 0, 1, 1)) // 2
	b.head(x, 16, 10)
}

// vgg: 3x3 Conv+ReLU stacks, MaxPool 2x2, AdaptiveAvgPool((2,2)) on 4x4
// exported as AveragePool 2x2 and x.view(x.size(0), -1) as Shape,
// Gather, Unsqueeze, Concat, Reshape; the classifier is Gemm, ReLU,
// Dropout, Gemm.
func vgg(b *builder) {
	x := imageInput(b, 3, 32, 32)
	c := int64(3)
	for _, v := range []int64{8, 0, 16, 0, 16, 16, 0} {
		if v == 0 {
			x = b.node("MaxPool", []string{x}, attrIs("kernel_shape", 2, 2), attrIs("strides", 2, 2))
			continue
		}
		x = b.relu(b.conv(x, c, v, 3, 1, 1, 1))
		c = v
	}
	x = b.node("AveragePool", []string{x}, attrIs("kernel_shape", 2, 2), attrIs("strides", 2, 2))
	x = b.flattenBatch(x)
	x = b.relu(b.gemm(x, 64, 32))
	// An inference-mode Dropout kept in the graph, with its mask output.
	if b.opset >= 12 {
		x = b.nodeN("Dropout", []string{x, b.scalarF(0.5), b.node("Cast", []string{b.scalarI(0)}, attrI("to", int64(operators.Bool)))}, 2)[0]
	} else {
		x = b.nodeN("Dropout", []string{x}, 2, attrF("ratio", 0.5))[0]
	}
	b.outputAs(b.gemm(x, 32, 10), "logits", "batch", 10)
}

// alexnet: an 11x11 stride-4 Conv, overlapping MaxPools (3x3 stride 2),
// AdaptiveAvgPool((1,1)) exported as GlobalAveragePool, Flatten, and a
// three-layer Gemm classifier; an LRN after the first Conv as in the
// original Caffe network.
func alexnet(b *builder) {
	x := imageInput(b, 3, 96, 96)
	x = b.relu(b.conv(x, 3, 16, 11, 4, 2, 1))
	x = b.node("LRN", []string{x}, attrI("size", 5), attrF("alpha", 1e-4), attrF("beta", 0.75), attrF("bias", 2))
	mp := func(x string) string {
		return b.node("MaxPool", []string{x}, attrIs("kernel_shape", 3, 3), attrIs("strides", 2, 2))
	}
	x = mp(x)
	x = mp(b.relu(b.conv(x, 16, 24, 5, 1, 2, 1)))
	x = b.relu(b.conv(x, 24, 32, 3, 1, 1, 1))
	x = b.relu(b.conv(x, 32, 24, 3, 1, 1, 1))
	x = mp(x)
	x = b.node("Flatten", []string{b.op("GlobalAveragePool", x)}, attrI("axis", 1))
	x = b.relu(b.gemm(x, 24, 32))
	x = b.relu(b.gemm(x, 32, 32))
	b.outputAs(b.gemm(x, 32, 10), "logits", "batch", 10)
}

// layerNorm2d is ConvNeXt's channel LayerNorm: Transpose to channels
// last, LayerNorm, Transpose back.
func (b *builder) layerNorm2d(x string, c int64) string {
	return b.transpose(b.layerNorm(b.transpose(x, 0, 2, 3, 1), c), 0, 3, 1, 2)
}

// convnext: 4x4 patchify stem, depthwise 7x7, channels-last LayerNorm and
// MLP (MatMul, Erf GELU), layer scale, downsampling through LayerNorm2d
// and a 2x2 stride-2 Conv.
func convnext(b *builder) {
	x := imageInput(b, 3, 32, 32)
	x = b.layerNorm2d(b.conv(x, 3, 16, 4, 4, 0, 1), 16) // 8x8
	block := func(x string, c int64) string {
		h := b.conv(x, c, c, 7, 1, 3, c)
		h = b.layerNorm(b.transpose(h, 0, 2, 3, 1), c)
		h = b.linear(b.gelu(b.linear(h, c, 4*c)), 4*c, c)
		h = b.op("Mul", b.around(0.5, 0.2, c), h)
		return b.op("Add", x, b.transpose(h, 0, 3, 1, 2))
	}
	x = block(x, 16)
	x = b.conv(b.layerNorm2d(x, 16), 16, 32, 2, 2, 0, 1) // 4x4
	x = block(x, 32)
	x = b.layerNorm2d(b.op("GlobalAveragePool", x), 32)
	x = b.node("Flatten", []string{x}, attrI("axis", 1))
	b.outputAs(b.gemm(x, 32, 10), "logits", "batch", 10)
}

// expandBatch is t.expand(x.size(0), -1, -1) as PyTorch exports it: the
// target shape with -1 entries replaced through ConstantOfShape, Mul,
// Equal and Where.
func (b *builder) expandBatch(t, x string) string {
	shape := b.node("Concat", []string{b.dim(x, 0), b.ints(-1, -1)}, attrI("axis", 0))
	ones := b.node("ConstantOfShape", []string{b.ints(3)}, attrT("value", tensorI("", []int64{1}, []int64{1})))
	neg := b.op("Mul", ones, b.scalarI(-1))
	shape = b.op("Where", b.op("Equal", shape, neg), ones, shape)
	return b.op("Expand", t, shape)
}

// attention is multi-head self-attention on [B, N, d] with heads heads:
// one QKV projection reshaped to [B, N, 3, H, dh] from Shape arithmetic,
// Transpose [2,0,3,1,4], q/k/v taken by Gather (or Split), scaled
// MatMul, optional additive bias, Softmax over the last axis.
func (b *builder) attention(x string, d, heads int64, useSplit bool, bias func(string) string) string {
	dh := d / heads
	qkv := b.linear(x, d, 3*d)
	shape := b.node("Concat", []string{b.dim(x, 0), b.dim(x, 1), b.ints(3, heads, dh)}, attrI("axis", 0))
	qkv = b.transpose(b.op("Reshape", qkv, shape), 2, 0, 3, 1, 4)
	var q, k, v string
	if useSplit {
		p := b.split(qkv, 0, 1, 1, 1)
		q, k, v = b.squeeze(p[0], 0), b.squeeze(p[1], 0), b.squeeze(p[2], 0)
	} else {
		q = b.node("Gather", []string{qkv, b.scalarI(0)}, attrI("axis", 0))
		k = b.node("Gather", []string{qkv, b.scalarI(1)}, attrI("axis", 0))
		v = b.node("Gather", []string{qkv, b.scalarI(2)}, attrI("axis", 0))
	}
	q = b.op("Mul", q, b.scalarF(float32(1/math.Sqrt(float64(dh)))))
	a := b.op("MatMul", q, b.transpose(k, 0, 1, 3, 2))
	if bias != nil {
		a = bias(a)
	}
	a = b.softmax(a, -1)
	o := b.transpose(b.op("MatMul", a, v), 0, 2, 1, 3)
	o = b.reshape(o, 0, -1, d)
	return b.linear(o, d, d)
}

func (b *builder) mlp(x string, d, hidden int64) string {
	return b.linear(b.gelu(b.linear(x, d, hidden)), hidden, d)
}

// vit: Conv patch embedding flattened through Shape arithmetic, a class
// token expanded to the batch and Concat-ed, position embeddings,
// pre-LayerNorm encoder blocks and a head on the class token (Gather).
func vit(b *builder) { vitOf(b, 16, 2, 16, 4, 2) }

// vitWide has 65 tokens of width 48 in three heads of 16, so the
// attention and MLP products are past the small-matrix paths.
func vitWide(b *builder) { vitOf(b, 48, 3, 32, 4, 2) }

func vitOf(b *builder, d, heads int64, img, patch int, depth int) {
	n := int64(img/patch) * int64(img/patch)
	x := imageInput(b, 3, img, img)
	x = b.conv(x, 3, d, int64(patch), int64(patch), 0, 1) // [B, d, img/patch, img/patch]
	shape := b.node("Concat", []string{b.dim(x, 0), b.dim(x, 1), b.ints(-1)}, attrI("axis", 0))
	x = b.transpose(b.op("Reshape", x, shape), 0, 2, 1) // [B, n, d]
	cls := b.expandBatch(b.weight(1, 1, 1, d), x)
	x = b.node("Concat", []string{cls, x}, attrI("axis", 1))
	x = b.op("Add", x, b.weight(0.5, 1, n+1, d))
	for i := range depth {
		x = b.op("Add", x, b.attention(b.layerNorm(x, d), d, heads, i == 1, nil))
		x = b.op("Add", x, b.mlp(b.layerNorm(x, d), d, 2*d))
	}
	x = b.layerNorm(x, d)
	x = b.node("Gather", []string{x, b.scalarI(0)}, attrI("axis", 1))
	// A head without bias: Gemm with two inputs.
	w := b.weight(math.Sqrt(3/float64(d)), 10, d)
	b.outputAs(b.node("Gemm", []string{x, w}, attrI("transB", 1)), "logits", "batch", 10)
}

// roll is torch.roll along one axis, as exported: two Slices and a
// Concat.
func (b *builder) roll(x string, shift, axis, size int64) string {
	s := ((-shift)%size + size) % size
	hi := b.slice(x, []int64{s}, []int64{math.MaxInt64}, []int64{axis}, nil)
	lo := b.slice(x, []int64{0}, []int64{s}, []int64{axis}, nil)
	return b.node("Concat", []string{hi, lo}, attrI("axis", axis))
}

// swin: channels-last patch embedding, shifted-window attention (roll,
// window partition and reverse through Reshape/Transpose, relative
// position bias gathered from a table, the shift mask added per window),
// patch merging through strided Slices, and a mean-pooled head.
func swin(b *builder) {
	const c, ws, heads = 16, 4, 2
	x := imageInput(b, 3, 16, 16)
	x = b.transpose(b.conv(x, 3, c, 2, 2, 0, 1), 0, 2, 3, 1) // [B, 8, 8, c]
	x = b.layerNorm(x, c)
	table := b.weight(0.5, (2*ws-1)*(2*ws-1), heads)
	idx := make([]int64, ws*ws*ws*ws)
	for i := range ws * ws {
		for j := range ws * ws {
			dy, dx := i/ws-j/ws+ws-1, i%ws-j%ws+ws-1
			idx[i*ws*ws+j] = int64(dy*(2*ws-1) + dx)
		}
	}
	b.constNodes = false
	index := b.intsShaped([]int64{int64(len(idx))}, idx)
	b.constNodes = true
	relBias := func(a string) string {
		t := b.node("Gather", []string{table, index}, attrI("axis", 0))
		t = b.unsqueeze(b.transpose(b.reshape(t, ws*ws, ws*ws, heads), 2, 0, 1), 0)
		return b.op("Add", a, t)
	}
	mask := make([]float32, 4*ws*ws*ws*ws)
	for i := range mask {
		if b.r.intn(3) == 0 {
			mask[i] = -100
		}
	}
	maskT := b.initF([]int64{4, 1, ws * ws, ws * ws}, mask)
	shiftMask := func(a string) string {
		a = relBias(a)
		a = b.reshape(a, -1, 4, heads, ws*ws, ws*ws)
		a = b.op("Add", a, b.unsqueeze(maskT, 0))
		return b.reshape(a, -1, heads, ws*ws, ws*ws)
	}
	for i := range 2 {
		h := b.layerNorm(x, c)
		if i == 1 {
			h = b.roll(b.roll(h, -2, 1, 8), -2, 2, 8)
		}
		h = b.reshape(h, -1, 2, ws, 2, ws, c)
		h = b.reshape(b.transpose(h, 0, 1, 3, 2, 4, 5), -1, ws*ws, c)
		bias := relBias
		if i == 1 {
			bias = shiftMask
		}
		h = b.attention(h, c, heads, false, bias)
		h = b.reshape(h, -1, 2, 2, ws, ws, c)
		h = b.reshape(b.transpose(h, 0, 1, 3, 2, 4, 5), -1, 8, 8, c)
		if i == 1 {
			h = b.roll(b.roll(h, 2, 1, 8), 2, 2, 8)
		}
		x = b.op("Add", x, h)
		x = b.op("Add", x, b.mlp(b.layerNorm(x, c), c, 2*c))
	}
	// Patch merging: x[:, 0::2, 0::2], x[:, 1::2, 0::2], ...
	var parts []string
	for _, o := range [][2]int64{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		parts = append(parts, b.slice(x, []int64{o[0], o[1]}, []int64{math.MaxInt64, math.MaxInt64}, []int64{1, 2}, []int64{2, 2}))
	}
	x = b.node("Concat", parts, attrI("axis", -1))
	x = b.layerNorm(x, 4*c)
	x = b.op("MatMul", x, b.weight(math.Sqrt(3.0/64), 4*c, 2*c))
	x = b.layerNorm(x, 2*c)
	x = b.reduceMean(x, 0, 1, 2)
	b.outputAs(b.gemm(x, 2*c, 10), "logits", "batch", 10)
}

// textTransformer: token and position embeddings (Gather, Slice of the
// position table to the run's sequence length), a mask from
// attention_mask applied once with Where(Equal(mask, 0)) and once
// additively after a Cast, post-LayerNorm blocks, masked mean pooling
// (ReduceSum / Clip), the first token, plain ReduceMean pooling, and a
// Softmax over the classes.
func textTransformer(b *builder) {
	const d, heads, vocab, maxLen = 16, 2, 50, 32
	b.syms["seq"], b.syms["sequence"] = 7, 7
	b.syms["batch_size"] = -1
	ids := b.inputWith("input_ids", operators.Int64, func(r *rng, v *operators.Value) {
		for i := range v.I64() {
			v.I64()[i] = int64(r.intn(vocab))
		}
	}, "batch", "seq")
	am := b.inputWith("attention_mask", operators.Int64, func(r *rng, v *operators.Value) {
		n, s := v.Shape[0], v.Shape[1]
		for i := range n {
			keep := s - i%3*2 // at least one token stays
			for j := range s {
				if j < keep {
					v.I64()[i*s+j] = 1
				}
			}
		}
	}, "batch_size", "sequence")
	x := b.node("Gather", []string{b.weight(1, vocab, d), ids}, attrI("axis", 0))
	seq := b.dim(ids, 1)
	pos := b.op("Slice", b.weight(0.5, maxLen, d), b.ints(0), seq, b.ints(0))
	x = b.layerNorm(b.op("Add", x, pos), d)
	mf := b.node("Cast", []string{am}, attrI("to", int64(operators.Float32)))
	ext := b.unsqueeze(mf, 1, 2) // [B, 1, 1, S]
	whereMask := func(a string) string {
		z := b.op("Equal", b.unsqueeze(am, 1, 2), b.scalarI(0))
		return b.op("Where", z, b.scalarF(-1e9), a)
	}
	addMask := func(a string) string {
		return b.op("Add", a, b.op("Mul", b.op("Sub", b.scalarF(1), ext), b.scalarF(-10000)))
	}
	for i, mask := range []func(string) string{whereMask, addMask} {
		x = b.layerNorm(b.op("Add", x, b.attention(x, d, heads, i == 1, mask)), d)
		x = b.layerNorm(b.op("Add", x, b.mlp(x, d, 2*d)), d)
	}
	m3 := b.unsqueeze(mf, 2)
	sum := b.reduceSum(b.op("Mul", x, m3), 0, 1)
	cnt := b.clip(b.reduceSum(m3, 0, 1), 1e-9, 1e9)
	pooled := b.op("Div", sum, cnt)
	first := b.node("Gather", []string{x, b.scalarI(0)}, attrI("axis", 1))
	h := b.node("Concat", []string{pooled, first}, attrI("axis", 1))
	h = b.op("Tanh", b.gemm(h, 2*d, d))
	b.outputAs(b.softmax(b.gemm(h, d, 3), -1), "probabilities", "batch", 3)
	b.outputAs(b.reduceMean(x, 0, 1), "mean_pool", "batch", d)
}

// kwsGRU: Conv1d feature extractor over [B, 40 mels, T], time-major GRU
// (linear_before_reset=1 as PyTorch exports), the last hidden state
// Squeezed, Gemm and Sigmoid.
func kwsGRU(b *builder) {
	const hid = 24
	x := b.input("features", "batch", 40, 20)
	x = b.relu(b.bn(b.conv1d(x, 40, 32, 3, 1, 1), 32))
	x = b.relu(b.conv1d(x, 32, 32, 3, 2, 1)) // [B, 32, 10]
	x = b.transpose(x, 2, 0, 1)              // [T, B, 32]
	s := math.Sqrt(1.0 / hid)
	outs := b.nodeN("GRU", []string{x, b.weight(s, 1, 3*hid, 32), b.weight(s, 1, 3*hid, hid), b.weight(s, 1, 6*hid)}, 2,
		attrI("hidden_size", hid), attrI("linear_before_reset", 1))
	h := b.squeeze(outs[1], 0) // [B, hid]
	b.outputAs(b.sigmoid(b.gemm(h, hid, 1)), "wake", "batch", 1)
}

// kwsLSTM: MatMul over the feature axis of [B, T, 40], a bidirectional
// LSTM, its output reshaped to [T, B, 2*hid], the last step taken with
// Gather(-1), and a two-keyword sigmoid head.
func kwsLSTM(b *builder) {
	const hid = 16
	x := b.input("features", "batch", 16, 40)
	x = b.relu(b.linear(x, 40, 32))
	x = b.transpose(x, 1, 0, 2) // [T, B, 32]
	s := math.Sqrt(1.0 / hid)
	outs := b.nodeN("LSTM", []string{x, b.weight(s, 2, 4*hid, 32), b.weight(s, 2, 4*hid, hid), b.weight(s, 2, 8*hid)}, 3,
		attrI("hidden_size", hid), attrS("direction", "bidirectional"))
	y := b.transpose(outs[0], 0, 2, 1, 3) // [T, B, 2, hid]
	y = b.reshape(y, 0, 0, 2*hid)
	last := b.node("Gather", []string{y, b.scalarI(-1)}, attrI("axis", 0))
	b.outputAs(b.sigmoid(b.gemm(last, 2*hid, 2)), "wake", "batch", 2)
	hn := b.transpose(outs[1], 1, 0, 2) // [B, 2, hid]
	b.outputAs(b.flattenBatch(hn), "state", "batch", 2*hid)
}

// kwsDense: MatMul layers over features, ReduceMean over time, one sigmoid
// unit Squeezed to [B].
func kwsDense(b *builder) {
	x := b.input("features", "batch", 24, 40)
	x = b.relu(b.linear(x, 40, 64))
	x = b.relu(b.linear(x, 64, 32))
	x = b.reduceMean(x, 0, 1)
	x = b.sigmoid(b.linear(x, 32, 1))
	b.outputAs(b.squeeze(x, 1), "wake", "batch")
}

// tfNHWC: a channels-last TensorFlow export: Transpose to NCHW, an
// explicit Pad before a VALID stride-2 Conv, ReLU6 as Clip, a depthwise
// Conv with auto_pad SAME_UPPER, a SAME_UPPER MaxPool, Mean with
// keepdims then Squeeze, MatMul + Add and Softmax.
func tfNHWC(b *builder) {
	x := b.input("input:0", "batch", 30, 30, 3)
	x = b.transpose(x, 0, 3, 1, 2)
	x = b.op("Pad", x, b.ints(0, 0, 0, 0, 0, 0, 1, 1), b.scalarF(0))
	x = b.clip(b.conv(x, 3, 16, 3, 2, 0, 1), 0, 6) // 15
	w := b.weight(math.Sqrt(3.0/9), 16, 1, 3, 3)
	x = b.node("Conv", []string{x, w, b.weight(0.1, 16)}, attrIs("kernel_shape", 3, 3), attrIs("strides", 2, 2), attrI("group", 16), attrS("auto_pad", "SAME_UPPER")) // 8
	x = b.clip(x, 0, 6)
	x = b.relu(b.conv(x, 16, 24, 1, 1, 0, 1))
	x = b.node("MaxPool", []string{x}, attrIs("kernel_shape", 3, 3), attrIs("strides", 2, 2), attrS("auto_pad", "SAME_UPPER")) // 4
	x = b.squeeze(b.reduceMean(x, 1, 2, 3), 2, 3)
	x = b.softmax(b.linear(x, 24, 10), -1)
	b.outputAs(x, "Identity:0", "batch", 10)
}

// textHF: a BERT-style export: position ids from Range over the run's
// sequence length, Expand-ed to the batch; word, token-type and position
// embeddings; the mask as (1 - mask) * float32 min; heads split by a
// Reshape whose shape is Slice(Shape) + Concat; the score scale computed
// as Sqrt(Cast(Shape[-1])); a Tanh pooler on the first token.
func textHF(b *builder) {
	const d, heads, vocab = 32, 4, 64
	b.syms["sequence"] = 9
	ids := b.inputWith("input_ids", operators.Int64, func(r *rng, v *operators.Value) {
		for i := range v.I64() {
			v.I64()[i] = int64(r.intn(vocab))
		}
	}, "batch", "sequence")
	am := b.inputWith("attention_mask", operators.Int64, func(r *rng, v *operators.Value) {
		n, s := v.Shape[0], v.Shape[1]
		for i := range n {
			for j := range s {
				if j < s-i*3 || j == 0 {
					v.I64()[i*s+j] = 1
				}
			}
		}
	}, "batch", "sequence")
	tt := b.inputWith("token_type_ids", operators.Int64, func(r *rng, v *operators.Value) {
		s := v.Shape[1]
		for i := range v.I64() {
			if i%s >= s/2 {
				v.I64()[i] = 1
			}
		}
	}, "batch", "sequence")
	shapeIDs := b.op("Shape", ids)
	seqLen := b.node("Gather", []string{shapeIDs, b.scalarI(1)}, attrI("axis", 0))
	pos := b.unsqueeze(b.op("Range", b.scalarI(0), seqLen, b.scalarI(1)), 0)
	pos = b.op("Expand", pos, shapeIDs)
	x := b.node("Gather", []string{b.weight(1, vocab, d), ids}, attrI("axis", 0))
	x = b.op("Add", x, b.node("Gather", []string{b.weight(0.5, 2, d), tt}, attrI("axis", 0)))
	x = b.op("Add", x, b.node("Gather", []string{b.weight(0.5, 40, d), pos}, attrI("axis", 0)))
	x = b.layerNorm(x, d)
	ext := b.node("Cast", []string{b.unsqueeze(am, 1, 2)}, attrI("to", int64(operators.Float32)))
	ext = b.op("Mul", b.op("Sub", b.scalarF(1), ext), b.scalarF(-math.MaxFloat32))
	heads4 := func(t string) string {
		lead := b.slice(b.op("Shape", t), []int64{0}, []int64{-1}, []int64{0}, nil)
		shape := b.node("Concat", []string{lead, b.ints(heads, d/heads)}, attrI("axis", 0))
		return b.transpose(b.op("Reshape", t, shape), 0, 2, 1, 3)
	}
	for range 2 {
		q, k, v := heads4(b.linear(x, d, d)), heads4(b.linear(x, d, d)), heads4(b.linear(x, d, d))
		sc := b.op("MatMul", q, b.transpose(k, 0, 1, 3, 2))
		dh := b.node("Gather", []string{b.op("Shape", q), b.scalarI(-1)}, attrI("axis", 0))
		sc = b.op("Div", sc, b.op("Sqrt", b.node("Cast", []string{dh}, attrI("to", int64(operators.Float32)))))
		p := b.softmax(b.op("Add", sc, ext), -1)
		c := b.transpose(b.op("MatMul", p, v), 0, 2, 1, 3)
		lead := b.slice(b.op("Shape", c), []int64{0}, []int64{-2}, []int64{0}, nil)
		c = b.op("Reshape", c, b.node("Concat", []string{lead, b.ints(d)}, attrI("axis", 0)))
		x = b.layerNorm(b.op("Add", x, b.linear(c, d, d)), d)
		x = b.layerNorm(b.op("Add", x, b.mlp(x, d, 4*d)), d)
	}
	first := b.node("Gather", []string{x, b.scalarI(0)}, attrI("axis", 1))
	pooled := b.op("Tanh", b.gemm(first, d, d))
	b.outputAs(b.gemm(pooled, d, 2), "logits", "batch", 2)
}

// kwsStream: a streaming wake-word model: one chunk of features and the
// recurrent state of two stacked GRU layers come in, the new state goes
// out; the state is split per layer and handed to GRU as initial_h (with
// sequence_lens left empty).
func kwsStream(b *builder) {
	const hid = 20
	x := b.input("features", "batch", 40, 8)
	hIn := b.input("h_in", "batch", 2, hid)
	x = b.relu(b.conv1d(x, 40, 32, 3, 1, 1))
	x = b.transpose(x, 2, 0, 1) // [T, B, 32]
	h := b.split(b.transpose(hIn, 1, 0, 2), 0, 1, 1)
	s := math.Sqrt(1.0 / hid)
	gru := func(x string, in int64, h0 string) (string, string) {
		o := b.nodeN("GRU", []string{x, b.weight(s, 1, 3*hid, in), b.weight(s, 1, 3*hid, hid), b.weight(s, 1, 6*hid), "", h0}, 2,
			attrI("hidden_size", hid), attrI("linear_before_reset", 1))
		return b.squeeze(o[0], 1), o[1]
	}
	y1, h1 := gru(x, 32, h[0])
	y2, h2 := gru(y1, hid, h[1])
	last := b.node("Gather", []string{y2, b.scalarI(-1)}, attrI("axis", 0))
	b.outputAs(b.sigmoid(b.gemm(last, hid, 1)), "wake", "batch", 1)
	b.outputAs(b.transpose(b.node("Concat", []string{h1, h2}, attrI("axis", 0)), 1, 0, 2), "h_out", "batch", 2, hid)
}

// convFull is a Conv with every geometry attribute given.
func (b *builder) convFull(x string, cin, cout, kh, kw, sh, sw int64, pads []int64, group, dil int64) string {
	w := b.weight(math.Sqrt(6/float64(cin/group*kh*kw)), cout, cin/group, kh, kw)
	ins := []string{x, w}
	if !b.noConvBias {
		ins = append(ins, b.weight(0.02, cout))
	}
	return b.node("Conv", ins, attrIs("kernel_shape", kh, kw), attrIs("strides", sh, sw), attrIs("pads", pads...),
		attrI("group", group), attrIs("dilations", dil, dil))
}

// dscnn: the depthwise-separable keyword-spotting CNN over a [1, 49, 10]
// MFCC patch: a 10x4 stride-2 first Conv with uneven padding, depthwise
// layers (one with channel multiplier 2, one dilated), an AveragePool
// with ceil_mode whose last window hangs past the padding
// (count_include_pad=0), GlobalMaxPool beside it, LogSoftmax.
func dscnn(b *builder) {
	x := b.input("mfcc", "batch", 1, 49, 10)
	x = b.relu(b.bn(b.convFull(x, 1, 16, 10, 4, 2, 2, []int64{4, 1, 5, 2}, 1, 1), 16)) // 25x5
	x = b.relu(b.bn(b.convFull(x, 16, 32, 3, 3, 1, 1, []int64{1, 1, 1, 1}, 16, 1), 32))
	x = b.relu(b.bn(b.convFull(x, 32, 16, 1, 1, 1, 1, []int64{0, 0, 0, 0}, 1, 1), 16))
	x = b.relu(b.bn(b.convFull(x, 16, 16, 3, 3, 1, 1, []int64{2, 2, 2, 2}, 16, 2), 16))
	x = b.relu(b.bn(b.convFull(x, 16, 24, 1, 1, 1, 1, []int64{0, 0, 0, 0}, 1, 1), 24))
	avg := b.node("AveragePool", []string{x}, attrIs("kernel_shape", 4, 3), attrIs("strides", 3, 2), attrIs("pads", 1, 1, 1, 0),
		attrI("ceil_mode", 1), attrI("count_include_pad", 0)) // [B, 24, 9, 3]
	avg = b.op("GlobalAveragePool", avg)
	mx := b.op("GlobalMaxPool", x)
	x = b.node("Concat", []string{avg, mx}, attrI("axis", 1))
	x = b.node("Flatten", []string{x}, attrI("axis", 1))
	b.outputAs(b.node("LogSoftmax", []string{b.gemm(x, 48, 12)}, attrI("axis", -1)), "log_probs", "batch", 12)
}

// groupNorm is nn.GroupNorm as PyTorch exports it before opset 18:
// Reshape to [N, G, -1], InstanceNormalization with unit scale, Reshape
// back to the input's shape, per-channel Mul and Add.
func (b *builder) groupNorm(x string, c, groups int64) string {
	ones := make([]float32, groups)
	for i := range ones {
		ones[i] = 1
	}
	h := b.reshape(x, 0, groups, -1)
	h = b.node("InstanceNormalization", []string{h, b.initF([]int64{groups}, ones), b.initF([]int64{groups}, make([]float32, groups))}, attrF("epsilon", 1e-5))
	h = b.op("Reshape", h, b.op("Shape", x))
	return b.op("Add", b.op("Mul", h, b.around(1, 0.2, c, 1, 1)), b.weight(0.1, c, 1, 1))
}

// mixed: activations and heads the other families leave out: PReLU with
// a [C,1,1] slope, Mish (x*tanh(softplus(x))), LeakyRelu, Elu, Selu,
// GroupNorm, a dilated Conv, BatchNormalization on [N, C], an If on the
// input's height (as scripted models export), an Einsum projection
// (opset 12 on), an L2-normalised embedding (ReduceL2, Clip, Expand,
// Div), and TopK/ArgMax outputs.
func mixed(b *builder) {
	x := imageInput(b, 3, 24, 24)
	x = b.conv(x, 3, 16, 3, 1, 1, 1)
	x = b.op("PRelu", x, b.around(0.2, 0.1, 16, 1, 1))
	x = b.groupNorm(x, 16, 4)
	x = b.op("Mul", x, b.op("Tanh", b.op("Softplus", x))) // Mish
	x = b.convFull(x, 16, 16, 3, 3, 2, 2, []int64{2, 2, 2, 2}, 1, 2)
	x = b.node("LeakyRelu", []string{x}, attrF("alpha", 0.1))
	// if x.size(2) > 8: x = avg_pool(x) else: x = x * 2
	h := b.node("Gather", []string{b.op("Shape", x), b.scalarI(2)}, attrI("axis", 0))
	cond := b.op("Greater", h, b.scalarI(8))
	thenOut, elseOut := b.fresh("then"), b.fresh("else")
	pool := &onnxpb.Graph{Name: "then_branch",
		Nodes:   []*onnxpb.Node{{Name: b.fresh("AveragePool"), OpType: "AveragePool", Inputs: []string{x}, Outputs: []string{thenOut}, Attributes: []*onnxpb.Attribute{attrIs("kernel_shape", 2, 2), attrIs("strides", 2, 2)}}},
		Outputs: []*onnxpb.ValueInfo{{Name: thenOut, Type: shapeType(operators.Float32, nil)}}}
	two := b.scalarF(2)
	dbl := &onnxpb.Graph{Name: "else_branch",
		Nodes:   []*onnxpb.Node{{Name: b.fresh("Mul"), OpType: "Mul", Inputs: []string{x, two}, Outputs: []string{elseOut}}},
		Outputs: []*onnxpb.ValueInfo{{Name: elseOut, Type: shapeType(operators.Float32, nil)}}}
	x = b.node("If", []string{cond}, &onnxpb.Attribute{Name: "then_branch", Type: onnxpb.AttrGraph, G: pool},
		&onnxpb.Attribute{Name: "else_branch", Type: onnxpb.AttrGraph, G: dbl})
	x = b.op("Elu", x)
	x = b.op("Selu", b.conv(x, 16, 32, 1, 1, 0, 1))
	x = b.node("Flatten", []string{b.op("GlobalAveragePool", x)}, attrI("axis", 1))
	x = b.bn(x, 32)
	if b.opset >= 12 {
		x = b.node("Einsum", []string{x, b.weight(math.Sqrt(3.0/32), 32, 24)}, attrS("equation", "nc,cd->nd"))
	} else {
		x = b.op("MatMul", x, b.weight(math.Sqrt(3.0/32), 32, 24))
	}
	norm := b.clip(b.node("ReduceL2", []string{x}, attrIs("axes", 1), attrI("keepdims", 1)), 1e-12, math.MaxFloat32)
	emb := b.op("Div", x, b.op("Expand", norm, b.op("Shape", x)))
	b.outputAs(emb, "embedding", "batch", 24)
	logits := b.gemm(emb, 24, 10)
	b.outputAs(logits, "logits", "batch", 10)
	tk := b.nodeN("TopK", []string{logits, b.ints(3)}, 2, attrI("axis", -1))
	b.outputAs(tk[0], "top3", "batch", 3)
	b.g.Outputs = append(b.g.Outputs, &onnxpb.ValueInfo{Name: tk[1], Type: shapeType(operators.Int64, []any{"batch", 3})})
	am := b.node("ArgMax", []string{logits}, attrI("axis", 1), attrI("keepdims", 0))
	b.g.Outputs = append(b.g.Outputs, &onnxpb.ValueInfo{Name: am, Type: shapeType(operators.Int64, []any{"batch"})})
}

// kwsMasked: a Keras-style masked recurrent spotter: the valid length of
// every utterance, from a 0/1 frame mask, goes to LSTM and GRU as
// sequence_lens (int32); the GRU runs with linear_before_reset=0 and
// both directions from a given initial state; max- and log-sum-exp
// pooling over time; RMSNorm (Pow, ReduceMean, Add, Sqrt, Reciprocal,
// Mul) on the pooled features.
func kwsMasked(b *builder) {
	const hid = 12
	x := b.input("features", "batch", 10, 20) // [B, T, F]
	mask := b.inputWith("frame_mask", operators.Float32, func(r *rng, v *operators.Value) {
		n, s := v.Shape[0], v.Shape[1]
		for i := range n {
			for j := range s {
				if j < s-(i*3)%s {
					v.F32()[i*s+j] = 1
				}
			}
		}
	}, "batch", 10)
	lens := b.node("Cast", []string{b.reduceSum(mask, 0, 1)}, attrI("to", int64(operators.Int32)))
	x = b.transpose(b.relu(b.linear(x, 20, 16)), 1, 0, 2) // [T, B, 16]
	s := math.Sqrt(1.0 / hid)
	l := b.nodeN("LSTM", []string{x, b.weight(s, 1, 4*hid, 16), b.weight(s, 1, 4*hid, hid), b.weight(s, 1, 8*hid), lens}, 3,
		attrI("hidden_size", hid))
	y := b.squeeze(l[0], 1) // [T, B, hid]
	h0 := b.op("Tanh", b.unsqueeze(b.linear(b.reduceMean(x, 0, 0), 16, hid), 0))
	h0 = b.node("Concat", []string{h0, b.op("Neg", h0)}, attrI("axis", 0)) // [2, B, hid]
	g := b.nodeN("GRU", []string{y, b.weight(s, 2, 3*hid, hid), b.weight(s, 2, 3*hid, hid), b.weight(s, 2, 6*hid), lens, h0}, 2,
		attrI("hidden_size", hid), attrS("direction", "bidirectional"))
	yg := b.reshape(b.transpose(g[0], 0, 2, 1, 3), 0, 0, 2*hid) // [T, B, 2hid]
	mx := b.node("ReduceMax", []string{yg}, attrIs("axes", 0), attrI("keepdims", 0))
	lse := b.node("ReduceLogSumExp", []string{yg}, attrIs("axes", 0), attrI("keepdims", 0))
	hy := b.reshape(b.transpose(g[1], 1, 0, 2), 0, -1)
	f := b.node("Concat", []string{mx, lse, hy, b.squeeze(l[1], 0), b.squeeze(l[2], 0)}, attrI("axis", 1)) // [B, 8hid]
	ms := b.reduceMean(b.op("Pow", f, b.scalarF(2)), 1, -1)
	f = b.op("Mul", f, b.op("Reciprocal", b.op("Sqrt", b.op("Add", ms, b.scalarF(1e-6)))))
	f = b.op("Mul", f, b.around(1, 0.2, 8*hid))
	b.outputAs(b.sigmoid(b.gemm(f, 8*hid, 3)), "wake", "batch", 3)
}

// lnVariants: LayerNormalization over the last three axes of
// [N, C, H, W] (nn.LayerNorm([C, H, W])), without a bias (opset 17), and
// its decomposition before; InstanceNormalization; ReduceSumSquare and
// ReduceL1 statistics.
func lnVariants(b *builder) {
	x := imageInput(b, 4, 6, 6)
	x = b.conv(x, 4, 8, 3, 1, 1, 1)
	if b.opset >= 17 {
		x = b.node("LayerNormalization", []string{x, b.around(1, 0.2, 8, 6, 6)}, attrI("axis", -3), attrF("epsilon", 1e-5))
	} else {
		mean := b.reduceMean(x, 1, -3, -2, -1)
		d := b.op("Sub", x, mean)
		v := b.reduceMean(b.op("Mul", d, d), 1, -3, -2, -1)
		x = b.op("Mul", b.op("Div", d, b.op("Sqrt", b.op("Add", v, b.scalarF(1e-5)))), b.around(1, 0.2, 8, 6, 6))
	}
	x = b.relu(x)
	x = b.node("InstanceNormalization", []string{x, b.around(1, 0.2, 8), b.weight(0.1, 8)}, attrF("epsilon", 1e-5))
	ss := b.node("ReduceSumSquare", []string{x}, attrIs("axes", 2, 3), attrI("keepdims", 0))
	l1 := b.node("ReduceL1", []string{x}, attrIs("axes", 2, 3), attrI("keepdims", 0))
	f := b.op("Mul", b.node("Concat", []string{ss, l1}, attrI("axis", 1)), b.scalarF(1.0/36))
	b.outputAs(b.gemm(f, 16, 5), "logits", "batch", 5)
}

// efficientnetB0 has EfficientNet-B0's real stage layout (channels,
// kernels, strides, expansion, SE at a quarter of the block's input) on
// a 224x224 input, so every Conv shape of the exported network is met.
func efficientnetB0(b *builder) {
	x := imageInput(b, 3, 224, 224)
	x = b.silu(b.bn(b.conv(x, 3, 32, 3, 2, 1, 1), 32))
	c := int64(32)
	for _, st := range [][5]int64{{1, 3, 1, 16, 1}, {6, 3, 2, 24, 2}, {6, 5, 2, 40, 2}, {6, 3, 2, 80, 3}, {6, 5, 1, 112, 3}, {6, 5, 2, 192, 4}, {6, 3, 1, 320, 1}} {
		e, k, s, out, n := st[0], st[1], st[2], st[3], st[4]
		for i := range n {
			stride := s
			if i > 0 {
				stride = 1
			}
			h := x
			mid := c * e
			if e != 1 {
				h = b.silu(b.bn(b.conv(h, c, mid, 1, 1, 0, 1), mid))
			}
			h = b.silu(b.bn(b.conv(h, mid, mid, k, stride, k/2, mid), mid))
			h = b.se(h, mid, max(1, c/4), b.silu, b.sigmoid)
			h = b.bn(b.conv(h, mid, out, 1, 1, 0, 1), out)
			if stride == 1 && c == out {
				h = b.op("Add", h, x)
			}
			x, c = h, out
		}
	}
	x = b.silu(b.bn(b.conv(x, c, 1280, 1, 1, 0, 1), 1280))
	b.head(x, 1280, 1000)
}

// vitTiny is ViT-Ti/16's geometry (197 tokens of 192 in 3 heads, MLP
// 768) at two blocks.
func vitTiny(b *builder) { vitOf(b, 192, 3, 224, 16, 2) }

// kwsKeras: recurrent layers as keras2onnx writes them: an LSTM with
// Keras' old default recurrent activation, hard_sigmoid (HardSigmoid
// with alpha 0.2, beta 0.5, listed with its activation_alpha/beta), a
// GRU with the activations spelled out and a cell clip, both batch-major
// through Transposes; a Dense softmax head.
func kwsKeras(b *builder) {
	const hid = 16
	x := b.input("input_1", "batch", 12, 20)
	x = b.transpose(x, 1, 0, 2)
	s := math.Sqrt(1.0 / hid)
	l := b.nodeN("LSTM", []string{x, b.weight(s, 1, 4*hid, 20), b.weight(s, 1, 4*hid, hid), b.weight(s, 1, 8*hid)}, 1,
		attrI("hidden_size", hid), attrSs("activations", "HardSigmoid", "Tanh", "Tanh"),
		&onnxpb.Attribute{Name: "activation_alpha", Type: onnxpb.AttrFloats, Floats: []float32{0.2, 1, 1}},
		&onnxpb.Attribute{Name: "activation_beta", Type: onnxpb.AttrFloats, Floats: []float32{0.5, 0, 0}})
	y := b.squeeze(l[0], 1)
	g := b.nodeN("GRU", []string{y, b.weight(s*3, 1, 3*hid, hid), b.weight(s*3, 1, 3*hid, hid), b.weight(s, 1, 6*hid)}, 2,
		attrI("hidden_size", hid), attrSs("activations", "Sigmoid", "Tanh"), attrF("clip", 0.5))
	h := b.squeeze(g[1], 0)
	b.outputAs(b.softmax(b.gemm(h, hid, 4), 1), "dense_1", "batch", 4)
}

func attrSs(n string, v ...string) *onnxpb.Attribute {
	a := &onnxpb.Attribute{Name: n, Type: onnxpb.AttrStrings}
	for _, s := range v {
		a.Strings = append(a.Strings, []byte(s))
	}
	return a
}

// kwsLoop: a scripted recurrent cell (as torch.jit.script exports it): a
// Loop over the time steps whose trip count comes from Shape, carrying
// the hidden state, reading the frame with Gather on the iteration
// number, with a scan output of every state; then the same cell through
// Scan (as tf2onnx writes dynamic RNNs) over a time-major copy; the two
// final states summed into a sigmoid head.
func kwsLoop(b *builder) {
	const hid, feat = 12, 20
	x := b.input("features", "batch", 9, feat) // [B, T, F]
	wx := b.weight(math.Sqrt(3.0/feat), feat, hid)
	wh := b.weight(math.Sqrt(3.0/hid), hid, hid)
	trip := b.node("Gather", []string{b.op("Shape", x), b.scalarI(1)}, attrI("axis", 0))
	// The initial state: a learned [hid] vector expanded to the run's
	// batch.
	h0 := b.op("Expand", b.weight(0.5, hid), b.node("Concat", []string{b.dim(x, 0), b.ints(hid)}, attrI("axis", 0)))
	cond := b.node("Cast", []string{b.scalarI(1)}, attrI("to", int64(operators.Bool)))
	// Loop body: (i, cond, h) -> (cond, h', h')
	it, cin, hin := b.fresh("i"), b.fresh("cond"), b.fresh("h")
	frame, pre, hout, cout, sout := b.fresh("frame"), b.fresh("pre"), b.fresh("hout"), b.fresh("cout"), b.fresh("sout")
	xw, hw := b.fresh("xw"), b.fresh("hw")
	body := &onnxpb.Graph{Name: "loop_body",
		Inputs: []*onnxpb.ValueInfo{{Name: it, Type: shapeType(operators.Int64, []any{})}, {Name: cin, Type: shapeType(operators.Bool, []any{})},
			{Name: hin, Type: shapeType(operators.Float32, []any{"batch", hid})}},
		Nodes: []*onnxpb.Node{
			{Name: b.fresh("Gather"), OpType: "Gather", Inputs: []string{x, it}, Outputs: []string{frame}, Attributes: []*onnxpb.Attribute{attrI("axis", 1)}},
			{Name: b.fresh("MatMul"), OpType: "MatMul", Inputs: []string{frame, wx}, Outputs: []string{xw}},
			{Name: b.fresh("MatMul"), OpType: "MatMul", Inputs: []string{hin, wh}, Outputs: []string{hw}},
			{Name: b.fresh("Add"), OpType: "Add", Inputs: []string{xw, hw}, Outputs: []string{pre}},
			{Name: b.fresh("Tanh"), OpType: "Tanh", Inputs: []string{pre}, Outputs: []string{hout}},
			{Name: b.fresh("Identity"), OpType: "Identity", Inputs: []string{cin}, Outputs: []string{cout}},
			{Name: b.fresh("Identity"), OpType: "Identity", Inputs: []string{hout}, Outputs: []string{sout}},
		},
		Outputs: []*onnxpb.ValueInfo{{Name: cout, Type: shapeType(operators.Bool, []any{})},
			{Name: hout, Type: shapeType(operators.Float32, []any{"batch", hid})}, {Name: sout, Type: shapeType(operators.Float32, []any{"batch", hid})}},
	}
	lo := b.nodeN("Loop", []string{trip, cond, h0}, 2, &onnxpb.Attribute{Name: "body", Type: onnxpb.AttrGraph, G: body})
	// Scan over [T, B, F] with the same weights.
	sh, sx, sxw, shw, spre, sho, sso := b.fresh("sh"), b.fresh("sx"), b.fresh("sxw"), b.fresh("shw"), b.fresh("spre"), b.fresh("sho"), b.fresh("sso")
	sbody := &onnxpb.Graph{Name: "scan_body",
		Inputs: []*onnxpb.ValueInfo{{Name: sh, Type: shapeType(operators.Float32, []any{"batch", hid})}, {Name: sx, Type: shapeType(operators.Float32, []any{"batch", feat})}},
		Nodes: []*onnxpb.Node{
			{Name: b.fresh("MatMul"), OpType: "MatMul", Inputs: []string{sx, wx}, Outputs: []string{sxw}},
			{Name: b.fresh("MatMul"), OpType: "MatMul", Inputs: []string{sh, wh}, Outputs: []string{shw}},
			{Name: b.fresh("Add"), OpType: "Add", Inputs: []string{sxw, shw}, Outputs: []string{spre}},
			{Name: b.fresh("Tanh"), OpType: "Tanh", Inputs: []string{spre}, Outputs: []string{sho}},
			{Name: b.fresh("Identity"), OpType: "Identity", Inputs: []string{sho}, Outputs: []string{sso}},
		},
		Outputs: []*onnxpb.ValueInfo{{Name: sho, Type: shapeType(operators.Float32, []any{"batch", hid})}, {Name: sso, Type: shapeType(operators.Float32, []any{"batch", hid})}},
	}
	xt := b.transpose(x, 1, 0, 2)
	so := b.nodeN("Scan", []string{h0, xt}, 2, &onnxpb.Attribute{Name: "body", Type: onnxpb.AttrGraph, G: sbody}, attrI("num_scan_inputs", 1))
	meanSeq := b.node("ReduceMean", []string{b.transpose(lo[1], 1, 0, 2)}, attrIs("axes", 1), attrI("keepdims", 0))
	f := b.node("Concat", []string{b.op("Add", lo[0], so[0]), meanSeq}, attrI("axis", 1))
	b.outputAs(b.sigmoid(b.gemm(f, 2*hid, 1)), "wake", "batch", 1)
	b.outputAs(b.transpose(so[1], 1, 0, 2), "states", "batch", 9, hid)
}

// textTF: a TensorFlow text classifier export: int32 token ids, a bool
// mask, positions from an int32 Range, Not and Where for the attention
// mask, masked max pooling (Where with a very negative fill, ReduceMax),
// a Cast of the mask for a count, and a sigmoid multi-label head.
func textTF(b *builder) {
	const d, vocab = 24, 40
	b.syms["seq"] = 6
	ids := b.inputWith("input_ids:0", operators.Int32, func(r *rng, v *operators.Value) {
		for i := range v.I32() {
			v.I32()[i] = int32(r.intn(vocab))
		}
	}, "batch", "seq")
	mask := b.inputWith("mask:0", operators.Bool, func(r *rng, v *operators.Value) {
		n, s := v.Shape[0], v.Shape[1]
		for i := range n {
			for j := range s {
				v.Bools()[i*s+j] = j < s-(i*2)%s
			}
		}
	}, "batch", "seq")
	seqLen := b.node("Cast", []string{b.node("Gather", []string{b.op("Shape", ids), b.scalarI(1)}, attrI("axis", 0))}, attrI("to", int64(operators.Int32)))
	zero := b.node("Cast", []string{b.scalarI(0)}, attrI("to", int64(operators.Int32)))
	one := b.node("Cast", []string{b.scalarI(1)}, attrI("to", int64(operators.Int32)))
	pos := b.op("Range", zero, seqLen, one)
	x := b.op("Add", b.node("Gather", []string{b.weight(1, vocab, d), ids}, attrI("axis", 0)),
		b.node("Gather", []string{b.weight(0.5, 16, d), pos}, attrI("axis", 0)))
	x = b.layerNorm(x, d)
	notMask := b.unsqueeze(b.op("Not", mask), 1, 2) // [B,1,1,S]
	x = b.layerNorm(b.op("Add", x, b.attention(x, d, 3, false, func(a string) string {
		return b.op("Where", notMask, b.scalarF(-1e9), a)
	})), d)
	m3 := b.unsqueeze(mask, 2)
	mx := b.node("ReduceMax", []string{b.op("Where", m3, x, b.scalarF(-1e9))}, attrIs("axes", 1), attrI("keepdims", 0))
	cnt := b.node("Cast", []string{mask}, attrI("to", int64(operators.Float32)))
	cnt = b.reduceSum(cnt, 1, 1)
	avg := b.op("Div", b.reduceSum(b.op("Mul", x, b.node("Cast", []string{m3}, attrI("to", int64(operators.Float32)))), 0, 1), cnt)
	f := b.node("Concat", []string{mx, avg}, attrI("axis", -1))
	b.outputAs(b.sigmoid(b.linear(f, 2*d, 5)), "Identity:0", "batch", 5)
}
