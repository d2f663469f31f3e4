package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/onnxrun/onnxrun/conformance"
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/npy"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

func (c *cli) model(args []string) error {
	fs := c.newFlags("MODEL.onnx")
	var inputs inputFlags
	fs.Var(&inputs, "input", "an input as `NAME=FILE` (.pb TensorProto or .npy), or an .npz FILE whose arrays bind to the inputs of the same names; repeat for each input; NAME= may be left out for a model with one input")
	top := fs.Int("top", 0, "print the `K` most likely classes of each row of each output instead of its values")
	threads := fs.Int("threads", 0, "goroutines per operator (`N`; 0: one per CPU)")
	outDir := fs.String("output", "", "write each output into `DIR` as NAME.pb (or NAME.npy with -format npy, or all in outputs.npz with -format npz)")
	format := fs.String("format", "pb", "file format for -output: pb, npy or npz")
	seed := fs.Uint64("seed", 1, "seed of the random inputs used when there is neither -input nor test_data_set_0")
	asJSON := fs.Bool("json", false, "print the outputs as one JSON object")
	show := fs.Int("n", 10, "values to print per output")
	noOpt := fs.Bool("noopt", false, "load without graph optimisations (runtime.WithoutOptimizations)")
	imageFile := fs.String("image", "", "classify a PNG or JPEG picture `FILE`: resized, centre-cropped to the model's [N,3,H,W] input and scaled to [0,1]")
	preprocess := fs.String("preprocess", "imagenet", "with -image: imagenet (normalise with the ImageNet mean and std) or none")
	labelsFile := fs.String("labels", "", "with -top: a text `FILE` with one class name per line")
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: %s MODEL.onnx [flags]\n\nRuns a model and prints its outputs.\n\n", c.prog)
		fs.PrintDefaults()
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	if *format != "pb" && *format != "npy" && *format != "npz" {
		return fmt.Errorf("-format %q: want pb, npy or npz", *format)
	}
	path, err := modelPath(pos[0])
	if err != nil {
		return err
	}
	sess, err := loadModel(path, *threads, *noOpt)
	if err != nil {
		return err
	}
	var labels []string
	if *labelsFile != "" {
		if labels, err = readLabels(*labelsFile); err != nil {
			return err
		}
	}
	var feeds map[string]*operators.Value
	var sources map[string]string
	if *imageFile != "" {
		if len(inputs) > 0 {
			return fmt.Errorf("-image and -input both give the model's input; use one")
		}
		name, h, w, err := imageInput(sess)
		if err != nil {
			return fmt.Errorf("model %q: %w", path, err)
		}
		v, err := readImage(*imageFile, h, w, *preprocess)
		if err != nil {
			return err
		}
		feeds = map[string]*operators.Value{name: v}
		sources = map[string]string{name: fmt.Sprintf("%s (preprocess %s)", *imageFile, *preprocess)}
	} else if feeds, sources, err = chooseInputs(sess, path, inputs, *seed); err != nil {
		return err
	}
	outs, err := sess.RunValues(context.Background(), feeds)
	if err != nil {
		return fmt.Errorf("model %q: run: %w", path, err)
	}
	info := sess.Outputs()
	if *outDir != "" {
		if err := writeOutputs(*outDir, *format, info, outs); err != nil {
			return err
		}
	}
	if *asJSON {
		return printJSON(c.stdout, path, sources, info, outs)
	}
	fmt.Fprintf(c.stdout, "model %s\n", path)
	for _, in := range sess.Inputs() {
		v := feeds[in.Name]
		if v == nil {
			continue
		}
		fmt.Fprintf(c.stdout, "input  %q %v%s from %s\n", in.Name, v.DType, fmtShape(v.Shape), sources[in.Name])
	}
	for _, o := range info {
		v := outs[o.Name]
		if v == nil {
			continue
		}
		fmt.Fprintf(c.stdout, "output %q %v%s\n", o.Name, v.DType, fmtShape(v.Shape))
		if *top > 0 {
			printTop(c.stdout, v, *top, labels)
		} else {
			fmt.Fprintf(c.stdout, "  %s\n", fmtValues(v, *show))
		}
	}
	if *outDir != "" {
		fmt.Fprintf(c.stdout, "wrote %d output(s) to %s\n", len(info), *outDir)
	}
	return nil
}

// modelPath accepts a model file, or a folder holding exactly one .onnx
// file (a test folder).
func modelPath(p string) (string, error) {
	st, err := os.Stat(p)
	if err != nil || !st.IsDir() {
		return p, nil // loadModel reports a missing file
	}
	found, _ := filepath.Glob(filepath.Join(p, "*.onnx"))
	if len(found) != 1 {
		return "", fmt.Errorf("model %q: a folder, holding %d .onnx files; name the model file", p, len(found))
	}
	return found[0], nil
}

// loadModel loads a model and words errors as `model "x.onnx": ...`.
func loadModel(path string, threads int, noOpt bool) (*runtime.Session, error) {
	var opts []runtime.Option
	if threads > 0 {
		opts = append(opts, runtime.WithThreads(threads))
	}
	if noOpt {
		opts = append(opts, runtime.WithoutOptimizations())
	}
	sess, err := runtime.Load(path, opts...)
	if err != nil {
		// runtime.Load prefixes the path; say it once.
		msg := strings.TrimPrefix(err.Error(), path+": ")
		var ue *runtime.UnsupportedError
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("model %q: onnxrun cannot run it yet: %s", path, msg)
		}
		return nil, fmt.Errorf("model %q: %s", path, msg)
	}
	return sess, nil
}

// chooseInputs reads the -input files, or test_data_set_0 beside the
// model, or makes seeded random inputs. sources says where each came from.
func chooseInputs(sess *runtime.Session, modelPath string, flags []string, seed uint64) (map[string]*operators.Value, map[string]string, error) {
	info := sess.Inputs()
	byName := map[string]runtime.ValueInfo{}
	var names []string
	for _, in := range info {
		byName[in.Name] = in
		names = append(names, in.Name)
	}
	feeds := map[string]*operators.Value{}
	sources := map[string]string{}
	if len(flags) > 0 {
		for _, f := range flags {
			if !strings.Contains(f, "=") && strings.EqualFold(filepath.Ext(f), ".npz") {
				a, err := npy.ReadNPZFile(f)
				if err != nil {
					return nil, nil, fmt.Errorf("-input %q: %w", f, err)
				}
				for _, name := range a.Names {
					in, known := byName[name]
					if !known {
						return nil, nil, fmt.Errorf("-input %q: array %q: the model has no such input (its inputs are %s)", f, name, quoteList(names))
					}
					if err := checkInput(in, a.Arrays[name]); err != nil {
						return nil, nil, fmt.Errorf("%w (from %s)", err, f)
					}
					feeds[name] = a.Arrays[name]
					sources[name] = f + ":" + name
				}
				continue
			}
			name, file, ok := strings.Cut(f, "=")
			if !ok {
				if len(info) != 1 {
					return nil, nil, fmt.Errorf("-input %q: write NAME=FILE; the model's inputs are %s", f, quoteList(names))
				}
				name, file = info[0].Name, f
			}
			in, known := byName[name]
			if !known {
				return nil, nil, fmt.Errorf("input %q: the model has no such input (its inputs are %s)", name, quoteList(names))
			}
			v, err := readTensor(file)
			if err != nil {
				return nil, nil, fmt.Errorf("input %q: %w", name, err)
			}
			if err := checkInput(in, v); err != nil {
				return nil, nil, err
			}
			feeds[name] = v
			sources[name] = file
		}
		for _, in := range info {
			if _, ok := feeds[in.Name]; !ok {
				return nil, nil, fmt.Errorf("input %q is missing: give it with -input %s=FILE", in.Name, in.Name)
			}
		}
		return feeds, sources, nil
	}
	set := filepath.Join(filepath.Dir(modelPath), "test_data_set_0")
	if st, err := os.Stat(set); err == nil && st.IsDir() {
		for k, in := range info {
			file := filepath.Join(set, fmt.Sprintf("input_%d.pb", k))
			if _, err := os.Stat(file); err != nil {
				break // optional inputs at the end may be left out
			}
			v, err := conformance.ReadTensorFile(file)
			if err != nil {
				return nil, nil, fmt.Errorf("input %q: %w", in.Name, err)
			}
			if err := checkInput(in, v); err != nil {
				return nil, nil, fmt.Errorf("%w (from %s)", err, file)
			}
			feeds[in.Name] = v
			sources[in.Name] = file
		}
		return feeds, sources, nil
	}
	r := rng{s: seed}
	for _, in := range info {
		v, err := randomValue(in, &r)
		if err != nil {
			return nil, nil, fmt.Errorf("input %q: %w", in.Name, err)
		}
		feeds[in.Name] = v
		sources[in.Name] = fmt.Sprintf("random data (seed %d)", seed)
	}
	return feeds, sources, nil
}

// readTensor reads a .npy file or a serialized TensorProto.
func readTensor(file string) (*operators.Value, error) {
	if strings.EqualFold(filepath.Ext(file), ".npy") {
		return npy.ReadFile(file)
	}
	return conformance.ReadTensorFile(file)
}

// checkInput compares a value with the model's declaration of an input.
func checkInput(in runtime.ValueInfo, v *operators.Value) error {
	if in.DType != operators.Undefined && v.DType != in.DType {
		return fmt.Errorf("input %q: expected %v, got %v", in.Name, in.DType, v.DType)
	}
	if !in.HasShape {
		return nil
	}
	ok := len(v.Shape) == len(in.Shape)
	for i := 0; ok && i < len(in.Shape); i++ {
		ok = in.Shape[i] < 0 || in.Shape[i] == v.Shape[i]
	}
	if !ok {
		return fmt.Errorf("input %q: expected shape %s, got %s", in.Name, declShape(in), fmtShape(v.Shape))
	}
	return nil
}

// declShape prints a declared shape with symbolic names: [batch,3,224,224].
func declShape(in runtime.ValueInfo) string {
	parts := make([]string, len(in.Shape))
	for i, d := range in.Shape {
		switch {
		case d >= 0:
			parts[i] = fmt.Sprint(d)
		case i < len(in.DimNames) && in.DimNames[i] != "":
			parts[i] = in.DimNames[i]
		default:
			parts[i] = "?"
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func fmtShape(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func quoteList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// rng is SplitMix64, so random inputs are the same on every platform and
// Go release.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// randomValue fills an input's declared shape (unknown dims = 1): floats
// uniform in [-1, 1), integers in [0, 10), bools at random.
func randomValue(in runtime.ValueInfo, r *rng) (*operators.Value, error) {
	if !in.HasShape {
		return nil, fmt.Errorf("its shape is not declared; give it with -input %s=FILE", in.Name)
	}
	v, err := operators.NewValue(in.DType, conformance.ConcreteShape(in.Shape))
	if err != nil {
		return nil, err
	}
	switch in.DType {
	case operators.Float32:
		for i := range v.F32() {
			v.F32()[i] = float32(r.float()*2 - 1)
		}
	case operators.Float64:
		for i := range v.F64() {
			v.F64()[i] = r.float()*2 - 1
		}
	case operators.Int64:
		for i := range v.I64() {
			v.I64()[i] = int64(r.next() % 10)
		}
	case operators.Int32:
		for i := range v.I32() {
			v.I32()[i] = int32(r.next() % 10)
		}
	case operators.Uint8, operators.Int8:
		for i := range v.Raw {
			v.Raw[i] = byte(r.next() % 10)
		}
	case operators.Bool:
		for i := range v.Raw {
			v.Raw[i] = byte(r.next() & 1)
		}
	default:
		return nil, fmt.Errorf("no random data for %v; give it with -input %s=FILE", in.DType, in.Name)
	}
	return v, nil
}

// floats returns v's elements as float64 for display, or false for types
// that are not numbers.
func floats(v *operators.Value) ([]float64, bool) {
	n := v.Len()
	if n < 0 || v.DType == operators.String {
		return nil, false
	}
	out := make([]float64, 0, n)
	switch v.DType {
	case operators.Float32:
		for _, x := range v.F32()[:n] {
			out = append(out, float64(x))
		}
	case operators.Float64:
		out = append(out, v.F64()[:n]...)
	case operators.Int64:
		for _, x := range v.I64()[:n] {
			out = append(out, float64(x))
		}
	case operators.Int32:
		for _, x := range v.I32()[:n] {
			out = append(out, float64(x))
		}
	case operators.Uint8, operators.Bool:
		for _, x := range v.U8()[:n] {
			out = append(out, float64(x))
		}
	case operators.Int8:
		for _, x := range v.I8()[:n] {
			out = append(out, float64(x))
		}
	default:
		return nil, false
	}
	return out, true
}

// fmtValues prints the first n values of v.
func fmtValues(v *operators.Value, n int) string {
	if v.DType == operators.String {
		s := v.Strs
		more := ""
		if len(s) > n {
			s, more = s[:n], fmt.Sprintf(" ... (%d values)", len(v.Strs))
		}
		return fmt.Sprintf("%q%s", s, more)
	}
	xs, ok := floats(v)
	if !ok {
		return fmt.Sprintf("(%v values are not printed)", v.DType)
	}
	var b strings.Builder
	b.WriteString("[")
	for i, x := range xs {
		if i == n {
			fmt.Fprintf(&b, " ... (%d values)", len(xs))
			break
		}
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(fmtNum(x))
	}
	b.WriteString("]")
	return b.String()
}

func fmtNum(x float64) string { return fmt.Sprintf("%.6g", x) }

// printTop prints the k largest classes of each row of v. A row is one
// batch item: rank-1 outputs have one row, higher ranks one row per index
// of the first dimension over the product of the others. Values that are
// not a probability distribution are shown through softmax, or exp for
// log-probabilities, and the output says which. Class c is followed by
// labels[c] when there is one.
func printTop(w io.Writer, v *operators.Value, k int, labels []string) {
	xs, ok := floats(v)
	if !ok || len(v.Shape) == 0 || len(xs) == 0 {
		fmt.Fprintf(w, "  (not a classifier output: %v%s)\n", v.DType, fmtShape(v.Shape))
		return
	}
	rows := 1
	if len(v.Shape) >= 2 {
		rows = v.Shape[0]
	}
	cols := len(xs) / rows
	classShape := v.Shape[len(v.Shape)-1:]
	if len(v.Shape) >= 2 {
		classShape = v.Shape[1:]
	}
	k = min(k, cols)
	for r := range rows {
		row := xs[r*cols : (r+1)*cols]
		probs, how := asProbabilities(row)
		if rows > 1 {
			fmt.Fprintf(w, "  row %d:\n", r)
		}
		if how != "" {
			fmt.Fprintf(w, "  (%s)\n", how)
		}
		idx := make([]int, cols)
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return probs[idx[a]] > probs[idx[b]] })
		for rank, c := range idx[:k] {
			where := ""
			if len(classShape) > 1 {
				where = " " + fmtShape(unflatten(c, classShape))
			}
			if c < len(labels) {
				where += " " + labels[c]
			}
			fmt.Fprintf(w, "  #%d class %d%s p=%.4f\n", rank+1, c, where, probs[c])
		}
	}
}

// asProbabilities returns row as probabilities: unchanged if it already
// is a distribution (entries in [0,1] summing to 1 within 1e-3),
// exponentiated if it holds log-probabilities, else through softmax. how
// says what was done, "" when nothing.
func asProbabilities(row []float64) ([]float64, string) {
	sum, inRange := 0.0, true
	for _, x := range row {
		sum += x
		inRange = inRange && x >= 0 && x <= 1
	}
	if inRange && math.Abs(sum-1) <= 1e-3 {
		return row, ""
	}
	m := slices.Max(row)
	es := make([]float64, len(row))
	var s, expSum float64
	for i, x := range row {
		es[i] = math.Exp(x - m)
		s += es[i]
		expSum += math.Exp(x)
	}
	if m <= 0 && math.Abs(expSum-1) <= 1e-3 {
		for i, x := range row {
			es[i] = math.Exp(x)
		}
		return es, "log-probabilities: showing exp"
	}
	for i := range es {
		es[i] /= s
	}
	return es, "not a probability distribution (does not sum to 1): showing softmax for display"
}

func unflatten(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		if shape[k] > 0 {
			idx[k] = i % shape[k]
			i /= shape[k]
		}
	}
	return idx
}

// writeOutputs writes each output to dir as NAME.pb or NAME.npy.
func writeOutputs(dir, format string, info []runtime.ValueInfo, outs map[string]*operators.Value) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("-output: %w", err)
	}
	if format == "npz" {
		var names []string
		for _, o := range info {
			if outs[o.Name] != nil {
				names = append(names, o.Name)
			}
		}
		if err := npy.WriteNPZFile(filepath.Join(dir, "outputs.npz"), names, outs, false); err != nil {
			return fmt.Errorf("-output: %w", err)
		}
		return nil
	}
	for _, o := range info {
		v := outs[o.Name]
		if v == nil {
			continue
		}
		file := filepath.Join(dir, fileName(o.Name)+"."+format)
		var err error
		if format == "npy" {
			err = npy.WriteFile(file, v)
		} else {
			err = os.WriteFile(file, onnxpb.EncodeTensor(onnxpb.ValueToTensor(v, o.Name)), 0o644)
		}
		if err != nil {
			return fmt.Errorf("output %q: %w", o.Name, err)
		}
	}
	return nil
}

// fileName turns an output name into a safe file name.
func fileName(name string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, name)
	if s == "" || strings.Trim(s, ".") == "" {
		s = "output"
	}
	return s
}

type jsonTensor struct {
	Name   string    `json:"name"`
	DType  string    `json:"dtype"`
	Shape  []int     `json:"shape"`
	Source string    `json:"source,omitempty"`
	Values []jsonNum `json:"values,omitempty"`
	Strs   []string  `json:"strings,omitempty"`
}

// jsonNum writes non-finite numbers as strings.
type jsonNum float64

func (f jsonNum) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Infinity"`), nil
	}
	return json.Marshal(v)
}

func printJSON(w io.Writer, path string, sources map[string]string, info []runtime.ValueInfo, outs map[string]*operators.Value) error {
	type doc struct {
		Model   string       `json:"model"`
		Inputs  []jsonTensor `json:"inputs"`
		Outputs []jsonTensor `json:"outputs"`
	}
	d := doc{Model: path, Inputs: []jsonTensor{}, Outputs: []jsonTensor{}}
	names := make([]string, 0, len(sources))
	for n := range sources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		d.Inputs = append(d.Inputs, jsonTensor{Name: n, Source: sources[n]})
	}
	for _, o := range info {
		v := outs[o.Name]
		if v == nil {
			continue
		}
		t := jsonTensor{Name: o.Name, DType: v.DType.String(), Shape: v.Shape}
		if v.DType == operators.String {
			t.Strs = v.Strs
		} else if xs, ok := floats(v); ok {
			t.Values = make([]jsonNum, len(xs))
			for i, x := range xs {
				t.Values[i] = jsonNum(x)
			}
		}
		d.Outputs = append(d.Outputs, t)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
