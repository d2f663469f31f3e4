package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// dataSet is one test_data_set_N: inputs and expected outputs in graph
// order.
type dataSet struct {
	inputs, outputs []tensor
}

// spec is one generated model: its encoded bytes and its data sets.
type spec struct {
	name  string
	model []byte
	sets  []dataSet
}

func main() {
	out := flag.String("out", filepath.Join("models", "testdata"), "directory to write the models into")
	flag.Parse()
	if err := write(*out, specs()); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func write(dir string, all []spec) error {
	for _, s := range all {
		d := filepath.Join(dir, s.name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, "model.onnx"), s.model, 0o644); err != nil {
			return err
		}
		for i, ds := range s.sets {
			sd := filepath.Join(d, fmt.Sprintf("test_data_set_%d", i))
			if err := os.MkdirAll(sd, 0o755); err != nil {
				return err
			}
			for k, t := range ds.inputs {
				if err := os.WriteFile(filepath.Join(sd, fmt.Sprintf("input_%d.pb", k)), t.proto().b, 0o644); err != nil {
					return err
				}
			}
			for k, t := range ds.outputs {
				if err := os.WriteFile(filepath.Join(sd, fmt.Sprintf("output_%d.pb", k)), t.proto().b, 0o644); err != nil {
					return err
				}
			}
		}
	}
	return writeImages(dir)
}

// specs lists every model. Each builder has its own seed so adding a model
// never changes another's bytes.
func specs() []spec {
	return []spec{
		softmaxClassifierOpset11(),
		logSoftmaxClassifierOpset13(),
		softmaxAxis1Opset13(),
		softmaxFloat64Opset13(),
		softmaxSymbolicBatchOpset13(),
		manualSoftmaxOpset13(),
		castLogSoftmaxOpset11(),
		softmaxOfSumOpset13(),
		tinyCNNOpset13(),
		tinyImageClassifierOpset13(),
	}
}

// softmaxClassifierOpset11 is a tiny linear classifier over a rank-4
// input: probabilities = Softmax_11(x*w + b) with the default axis 1. Under
// opset 11 the [1,2,3,4] tensor is coerced to [1, 24], so every batch item
// gets one distribution over 24 classes (an opset-13 reading would instead
// normalise axis 1 alone, over 2 values).
func softmaxClassifierOpset11() spec {
	r := &rng{s: 11}
	shape := []int64{1, 2, 3, 4}
	w := r.float32s(24, 2)
	b := r.float32s(24, 1)
	g := graph{
		name: "softmax_classifier_opset11",
		nodes: []node{
			{name: "scale", op: "Mul", in: []string{"x", "w"}, out: []string{"xw"}},
			{name: "shift", op: "Add", in: []string{"xw", "b"}, out: []string{"logits"}},
			{name: "softmax", op: "Softmax", in: []string{"logits"}, out: []string{"probabilities"}},
		},
		inits: []tensor{
			{name: "w", dtype: tFloat, shape: shape, data: w},
			{name: "b", dtype: tFloat, shape: shape, data: b},
		},
		inputs:  []valueInfo{{name: "x", dtype: tFloat, shape: shape}},
		outputs: []valueInfo{{name: "probabilities", dtype: tFloat, shape: shape}},
	}
	s := spec{name: g.name, model: model(g, 11, 6, "linear classifier over 24 classes; Softmax-11 coerces [1,2,3,4] to [1,24]")}
	for range 2 {
		x := r.float32s(24, 3)
		logits := f32(bcast(f32(bcast(x, shape, w, shape, mul)), shape, b, shape, add))
		p := softmaxCoerced(logits, shape, 1, false)
		s.sets = append(s.sets, dataSet{
			inputs:  []tensor{{name: "x", dtype: tFloat, shape: shape, data: x}},
			outputs: []tensor{{name: "probabilities", dtype: tFloat, shape: shape, data: p}},
		})
	}
	return s
}

// logSoftmaxClassifierOpset13 scales and shifts [2,10] logits with
// broadcast [10] weights (the bias comes from a Constant node) and applies
// LogSoftmax-13 on axis -1.
func logSoftmaxClassifierOpset13() spec {
	r := &rng{s: 13}
	xs, ps := []int64{2, 10}, []int64{10}
	w := r.float32s(10, 2)
	b := r.float32s(10, 1)
	g := graph{
		name: "logsoftmax_classifier_opset13",
		nodes: []node{
			{name: "bias", op: "Constant", out: []string{"b"}, attrs: []attr{tensorAttr("value", tensor{name: "b", dtype: tFloat, shape: ps, data: b})}},
			{name: "scale", op: "Mul", in: []string{"x", "w"}, out: []string{"xw"}},
			{name: "shift", op: "Add", in: []string{"xw", "b"}, out: []string{"logits"}},
			{name: "logsoftmax", op: "LogSoftmax", in: []string{"logits"}, out: []string{"log_probabilities"}, attrs: []attr{intAttr("axis", -1)}},
		},
		inits:   []tensor{{name: "w", dtype: tFloat, shape: ps, data: w}},
		inputs:  []valueInfo{{name: "x", dtype: tFloat, shape: xs}},
		outputs: []valueInfo{{name: "log_probabilities", dtype: tFloat, shape: xs}},
	}
	s := spec{name: g.name, model: model(g, 13, 7, "two rows of 10-class log-probabilities; LogSoftmax-13 on axis -1")}
	for range 2 {
		x := r.float32s(20, 4)
		logits := f32(bcast(f32(bcast(x, xs, w, ps, mul)), xs, b, ps, add))
		s.sets = append(s.sets, dataSet{
			inputs:  []tensor{{name: "x", dtype: tFloat, shape: xs, data: x}},
			outputs: []tensor{{name: "log_probabilities", dtype: tFloat, shape: xs, data: softmaxAxis(logits, xs, 1, true)}},
		})
	}
	return s
}

// softmaxAxis1Opset13 normalises axis 1 of a [2,3,4] tensor alone: each
// distribution's three elements are 4 apart in memory.
func softmaxAxis1Opset13() spec {
	r := &rng{s: 131}
	xs := []int64{2, 3, 4}
	g := graph{
		name:    "softmax_axis1_opset13",
		nodes:   []node{{name: "softmax", op: "Softmax", in: []string{"x"}, out: []string{"y"}, attrs: []attr{intAttr("axis", 1)}}},
		inputs:  []valueInfo{{name: "x", dtype: tFloat, shape: xs}},
		outputs: []valueInfo{{name: "y", dtype: tFloat, shape: xs}},
	}
	s := spec{name: g.name, model: model(g, 13, 7, "Softmax-13 over a non-last axis")}
	for range 2 {
		x := r.float32s(24, 5)
		s.sets = append(s.sets, dataSet{
			inputs:  []tensor{{name: "x", dtype: tFloat, shape: xs, data: x}},
			outputs: []tensor{{name: "y", dtype: tFloat, shape: xs, data: softmaxAxis(x, xs, 1, false)}},
		})
	}
	return s
}

// softmaxFloat64Opset13 runs Softmax-13 in float64 on rows that stress the
// max subtraction: values far past float32's exp overflow, all-equal rows
// and a row with -Inf entries.
func softmaxFloat64Opset13() spec {
	r := &rng{s: 64}
	xs := []int64{4, 5}
	g := graph{
		name:    "softmax_float64_opset13",
		nodes:   []node{{name: "softmax", op: "Softmax", in: []string{"x"}, out: []string{"y"}}},
		inputs:  []valueInfo{{name: "x", dtype: tDouble, shape: xs}},
		outputs: []valueInfo{{name: "y", dtype: tDouble, shape: xs}},
	}
	s := spec{name: g.name, model: model(g, 13, 7, "Softmax-13 on float64, default axis -1")}
	x := r.float64s(5, 10)
	x = append(x, 1e4, 1e4-1, 1e4-2, 9000, 10001)
	x = append(x, 3, 3, 3, 3, 3)
	x = append(x, math.Inf(-1), 0, math.Inf(-1), 1, -700)
	s.sets = append(s.sets, dataSet{
		inputs:  []tensor{{name: "x", dtype: tDouble, shape: xs, data: x}},
		outputs: []tensor{{name: "y", dtype: tDouble, shape: xs, data: softmaxAxis(x, xs, 1, false)}},
	})
	return s
}

// softmaxSymbolicBatchOpset13 declares its batch dimension by name and
// divides by a scalar temperature before Softmax; its data sets use
// batches of 1 and 3.
func softmaxSymbolicBatchOpset13() spec {
	r := &rng{s: 1313}
	const classes = 6
	temp := []float64{2}
	g := graph{
		name: "softmax_symbolic_batch_opset13",
		nodes: []node{
			{name: "temperature", op: "Div", in: []string{"x", "t"}, out: []string{"scaled"}},
			{name: "softmax", op: "Softmax", in: []string{"scaled"}, out: []string{"y"}},
		},
		inits:   []tensor{{name: "t", dtype: tFloat, shape: []int64{}, data: temp}},
		inputs:  []valueInfo{{name: "x", dtype: tFloat, shape: []int64{-1, classes}, params: []string{"batch"}}},
		outputs: []valueInfo{{name: "y", dtype: tFloat, shape: []int64{-1, classes}, params: []string{"batch"}}},
	}
	s := spec{name: g.name, model: model(g, 13, 7, "symbolic batch dimension; Softmax(x / 2)")}
	for _, batch := range []int64{1, 3} {
		xs := []int64{batch, classes}
		x := r.float32s(batch*classes, 6)
		scaled := f32(bcast(x, xs, temp, nil, div))
		s.sets = append(s.sets, dataSet{
			inputs:  []tensor{{name: "x", dtype: tFloat, shape: xs, data: x}},
			outputs: []tensor{{name: "y", dtype: tFloat, shape: xs, data: softmaxAxis(scaled, xs, 1, false)}},
		})
	}
	return s
}

// manualSoftmaxOpset13 spells softmax out of elementwise operators and
// reductions (ReduceMax with an axes attribute, ReduceSum with an axes
// input, as opset 13 defines them) and has two outputs, softmax and its
// log, so output order matters.
func manualSoftmaxOpset13() spec {
	r := &rng{s: 7}
	xs := []int64{3, 4}
	g := graph{
		name: "manual_softmax_opset13",
		nodes: []node{
			{name: "max", op: "ReduceMax", in: []string{"x"}, out: []string{"m"}, attrs: []attr{intsAttr("axes", 1), intAttr("keepdims", 1)}},
			{name: "center", op: "Sub", in: []string{"x", "m"}, out: []string{"c"}},
			{name: "exp", op: "Exp", in: []string{"c"}, out: []string{"e"}},
			{name: "sum", op: "ReduceSum", in: []string{"e", "axes"}, out: []string{"s"}, attrs: []attr{intAttr("keepdims", 1)}},
			{name: "normalise", op: "Div", in: []string{"e", "s"}, out: []string{"softmax"}},
			{name: "log", op: "Log", in: []string{"softmax"}, out: []string{"log_softmax"}},
		},
		inits:  []tensor{{name: "axes", dtype: tInt64, shape: []int64{1}, data: []float64{1}}},
		inputs: []valueInfo{{name: "x", dtype: tFloat, shape: xs}},
		outputs: []valueInfo{
			{name: "softmax", dtype: tFloat, shape: xs},
			{name: "log_softmax", dtype: tFloat, shape: xs},
		},
	}
	s := spec{name: g.name, model: model(g, 13, 7, "softmax from ReduceMax, Sub, Exp, ReduceSum, Div; and its Log")}
	for range 2 {
		x := r.float32s(12, 8)
		m, ms := reduceAxis(x, xs, 1, math.Inf(-1), math.Max)
		c := f32(bcast(x, xs, m, ms, func(a, b float64) float64 { return a - b }))
		e := f32(mapf(c, math.Exp))
		sum, ss := reduceAxis(e, xs, 1, 0, add)
		sm := f32(bcast(e, xs, f32(sum), ss, div))
		s.sets = append(s.sets, dataSet{
			inputs: []tensor{{name: "x", dtype: tFloat, shape: xs, data: x}},
			outputs: []tensor{
				{name: "softmax", dtype: tFloat, shape: xs, data: sm},
				{name: "log_softmax", dtype: tFloat, shape: xs, data: mapf(sm, math.Log)},
			},
		})
	}
	return s
}

// castLogSoftmaxOpset11 casts a float64 rank-3 input to float32 and applies
// LogSoftmax-11 on axis 1, which coerces [2,3,2] to [2,6]; an Identity
// names the output.
func castLogSoftmaxOpset11() spec {
	r := &rng{s: 1111}
	xs := []int64{2, 3, 2}
	g := graph{
		name: "cast_logsoftmax_opset11",
		nodes: []node{
			{name: "cast", op: "Cast", in: []string{"x"}, out: []string{"xf"}, attrs: []attr{intAttr("to", tFloat)}},
			{name: "logsoftmax", op: "LogSoftmax", in: []string{"xf"}, out: []string{"ls"}, attrs: []attr{intAttr("axis", 1)}},
			{name: "name_output", op: "Identity", in: []string{"ls"}, out: []string{"y"}},
		},
		inputs:  []valueInfo{{name: "x", dtype: tDouble, shape: xs}},
		outputs: []valueInfo{{name: "y", dtype: tFloat, shape: xs}},
	}
	s := spec{name: g.name, model: model(g, 11, 6, "Cast float64 to float32, then LogSoftmax-11 coercing [2,3,2] to [2,6]")}
	x := r.float64s(12, 5)
	s.sets = append(s.sets, dataSet{
		inputs:  []tensor{{name: "x", dtype: tDouble, shape: xs, data: x}},
		outputs: []tensor{{name: "y", dtype: tFloat, shape: xs, data: softmaxCoerced(f32(x), xs, 1, true)}},
	})
	return s
}

// softmaxOfSumOpset13 has two inputs, a [2,5] and b [5] broadcast onto
// it: y = Softmax_13(a + b).
func softmaxOfSumOpset13() spec {
	r := &rng{s: 2}
	as, bs := []int64{2, 5}, []int64{5}
	g := graph{
		name: "softmax_of_sum_opset13",
		nodes: []node{
			{name: "sum", op: "Add", in: []string{"a", "b"}, out: []string{"s"}},
			{name: "softmax", op: "Softmax", in: []string{"s"}, out: []string{"y"}},
		},
		inputs:  []valueInfo{{name: "a", dtype: tFloat, shape: as}, {name: "b", dtype: tFloat, shape: bs}},
		outputs: []valueInfo{{name: "y", dtype: tFloat, shape: as}},
	}
	s := spec{name: g.name, model: model(g, 13, 7, "two inputs, one broadcast: Softmax(a + b)")}
	a, b := r.float32s(10, 3), r.float32s(5, 3)
	sum := f32(bcast(a, as, b, bs, add))
	s.sets = append(s.sets, dataSet{
		inputs:  []tensor{{name: "a", dtype: tFloat, shape: as, data: a}, {name: "b", dtype: tFloat, shape: bs, data: b}},
		outputs: []tensor{{name: "y", dtype: tFloat, shape: as, data: softmaxAxis(sum, as, 1, false)}},
	})
	return s
}

// tinyCNNOpset13 is a small image classifier: an [batch,1,8,8] image in
// [0, 1) goes through Conv (4 filters of 3×3, padding 1), Relu, a 2×2
// MaxPool, Flatten, Gemm to 10 classes and Softmax. Its data sets use
// batches of 1 and 2.
func tinyCNNOpset13() spec {
	r := &rng{s: 88}
	ws, fcs := []int64{4, 1, 3, 3}, []int64{10, 64}
	w := r.float32s(prod(ws), 0.5)
	b := r.float32s(4, 0.1)
	fc := r.float32s(prod(fcs), 0.3)
	fb := r.float32s(10, 0.1)
	g := graph{
		name: "tiny_cnn_opset13",
		nodes: []node{
			{name: "conv", op: "Conv", in: []string{"image", "conv_w", "conv_b"}, out: []string{"c"},
				attrs: []attr{intsAttr("kernel_shape", 3, 3), intsAttr("pads", 1, 1, 1, 1)}},
			{name: "relu", op: "Relu", in: []string{"c"}, out: []string{"r"}},
			{name: "pool", op: "MaxPool", in: []string{"r"}, out: []string{"p"},
				attrs: []attr{intsAttr("kernel_shape", 2, 2), intsAttr("strides", 2, 2)}},
			{name: "flatten", op: "Flatten", in: []string{"p"}, out: []string{"f"}, attrs: []attr{intAttr("axis", 1)}},
			{name: "fc", op: "Gemm", in: []string{"f", "fc_w", "fc_b"}, out: []string{"logits"}, attrs: []attr{intAttr("transB", 1)}},
			{name: "softmax", op: "Softmax", in: []string{"logits"}, out: []string{"probabilities"}},
		},
		inits: []tensor{
			{name: "conv_w", dtype: tFloat, shape: ws, data: w},
			{name: "conv_b", dtype: tFloat, shape: []int64{4}, data: b},
			{name: "fc_w", dtype: tFloat, shape: fcs, data: fc},
			{name: "fc_b", dtype: tFloat, shape: []int64{10}, data: fb},
		},
		inputs:  []valueInfo{{name: "image", dtype: tFloat, shape: []int64{-1, 1, 8, 8}, params: []string{"batch"}}},
		outputs: []valueInfo{{name: "probabilities", dtype: tFloat, shape: []int64{-1, 10}, params: []string{"batch"}}},
	}
	s := spec{name: g.name, model: model(g, 13, 7, "tiny image classifier: Conv, Relu, MaxPool, Flatten, Gemm, Softmax")}
	for _, batch := range []int64{1, 2} {
		xs := []int64{batch, 1, 8, 8}
		x := mapf(r.float32s(prod(xs), 1), math.Abs) // pixel-like values in [0, 1)
		c, cs := conv2d(x, xs, w, ws, b, 1)
		relu := mapf(f32(c), func(v float64) float64 { return math.Max(v, 0) })
		p, _ := maxPool2(relu, cs)
		logits := f32(gemmTransB(p, batch, 64, fc, 10, fb))
		s.sets = append(s.sets, dataSet{
			inputs:  []tensor{{name: "image", dtype: tFloat, shape: xs, data: x}},
			outputs: []tensor{{name: "probabilities", dtype: tFloat, shape: []int64{batch, 10}, data: softmaxAxis(logits, []int64{batch, 10}, 1, false)}},
		})
	}
	return s
}
