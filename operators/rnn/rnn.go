package rnn

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
)

type kind int

const (
	lstmKind kind = iota
	gruKind
	rnnKind
)

func (k kind) String() string { return [...]string{"LSTM", "GRU", "RNN"}[k] }

// gates is the number of stacked weight blocks: LSTM iofc, GRU zrh, RNN i.
func (k kind) gates() int { return [...]int{4, 3, 1}[k] }

// Input positions.
const (
	inX = iota
	inW
	inR
	inB
	inSeqLens
	inInitH
	inInitC // LSTM only
	inP     // LSTM only
)

var inNames = [...]string{"X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"}

type op struct {
	kind        kind
	since       int
	hidden      int // 0 when the attribute is absent
	dirs        int
	reverse     bool // the only direction runs backwards
	acts        []act
	clip        float64 // 0: none
	inputForget bool
	lbr         bool // GRU linear_before_reset
	layout      int
	want        []bool // which outputs the node names
}

func newOp(k kind, since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &op{kind: k, since: since, dirs: 1}
		h, err := n.Int("hidden_size", 0)
		if err != nil {
			return nil, err
		}
		if n.Has("hidden_size") && (h < 1 || h > math.MaxInt32) {
			return nil, &operators.AttributeError{Attr: "hidden_size", Reason: fmt.Sprintf("is %d, want >= 1", h)}
		}
		o.hidden = int(h)
		dir, err := n.String("direction", "forward")
		if err != nil {
			return nil, err
		}
		switch dir {
		case "forward":
		case "reverse":
			o.reverse = true
		case "bidirectional":
			o.dirs = 2
		default:
			return nil, &operators.AttributeError{Attr: "direction", Reason: fmt.Sprintf("is %q, want forward, reverse or bidirectional", dir)}
		}
		defaults := map[kind][]string{lstmKind: {"Sigmoid", "Tanh", "Tanh"}, gruKind: {"Sigmoid", "Tanh"}, rnnKind: {"Tanh"}}[k]
		if o.acts, err = parseActs(n, defaults, o.dirs); err != nil {
			return nil, err
		}
		if n.Has("clip") {
			c, err := n.Float("clip", 0)
			if err != nil {
				return nil, err
			}
			if !(c > 0) {
				return nil, &operators.AttributeError{Attr: "clip", Reason: fmt.Sprintf("is %g, want > 0", c)}
			}
			o.clip = float64(c)
		}
		if k == lstmKind {
			f, err := n.Int("input_forget", 0)
			if err != nil {
				return nil, err
			}
			if f != 0 && f != 1 {
				return nil, &operators.AttributeError{Attr: "input_forget", Reason: fmt.Sprintf("is %d, want 0 or 1", f)}
			}
			o.inputForget = f == 1
		}
		if k == gruKind && since >= 3 {
			l, err := n.Int("linear_before_reset", 0)
			if err != nil {
				return nil, err
			}
			if l != 0 && l != 1 {
				return nil, &operators.AttributeError{Attr: "linear_before_reset", Reason: fmt.Sprintf("is %d, want 0 or 1", l)}
			}
			o.lbr = l == 1
		}
		if since >= 14 {
			l, err := n.Int("layout", 0)
			if err != nil {
				return nil, err
			}
			if l != 0 && l != 1 {
				return nil, &operators.AttributeError{Attr: "layout", Reason: fmt.Sprintf("is %d, want 0 or 1", l)}
			}
			o.layout = int(l)
		} else if n.Has("layout") {
			return nil, &operators.AttributeError{Attr: "layout", Reason: "needs opset 14"}
		}
		if since < 7 {
			if _, err := n.Int("output_sequence", 0); err != nil {
				return nil, err
			}
		}
		if max := o.maxIn(); len(n.Inputs) < 3 || len(n.Inputs) > max {
			return nil, fmt.Errorf("%w: %s takes 3 to %d inputs, got %d", operators.ErrInvalidModel, k, max, len(n.Inputs))
		}
		if max := o.maxOut(); len(n.Outputs) > max {
			return nil, fmt.Errorf("%w: %s has at most %d outputs, got %d", operators.ErrInvalidModel, k, max, len(n.Outputs))
		}
		o.want = make([]bool, o.maxOut())
		for i, name := range n.Outputs {
			o.want[i] = name != ""
		}
		return o, nil
	}
}

func (o *op) maxIn() int {
	if o.kind == lstmKind {
		return 8
	}
	return 6
}

func (o *op) maxOut() int {
	if o.kind == lstmKind {
		return 3
	}
	return 2
}

// dims are the sizes a run works with.
type dims struct {
	seq, batch, input, hidden int
}

// checkShapes validates the inputs' shapes (-1: unknown, skipped) and
// returns the sizes, -1 where unknown.
func (o *op) checkShapes(in []operators.Meta) (dims, error) {
	d := dims{-1, -1, -1, -1}
	bad := func(i int, format string, args ...any) error {
		return fmt.Errorf("%w: %s: input %q (%d) %s", operators.ErrShape, o.kind, inNames[i], i, fmt.Sprintf(format, args...))
	}
	// unify records size *p = v, or complains when they differ.
	unify := func(p *int, v int, i int, what string) error {
		if v < 0 {
			return nil
		}
		if *p >= 0 && *p != v {
			return bad(i, "has %s %d, want %d (from the other inputs)", what, v, *p)
		}
		*p = v
		return nil
	}
	if o.hidden > 0 {
		d.hidden = o.hidden
	}
	G := o.kind.gates()
	shapeOf := func(i, rank int) ([]int, error) {
		if i >= len(in) || in[i].DType == operators.Undefined && !in[i].HasShape {
			return nil, nil
		}
		if !in[i].HasShape {
			return nil, nil
		}
		if len(in[i].Shape) != rank {
			return nil, bad(i, "has shape %v, want rank %d", in[i].Shape, rank)
		}
		return in[i].Shape, nil
	}
	s, err := shapeOf(inR, 3)
	if err != nil {
		return d, err
	}
	if s != nil {
		if err := unify(&d.hidden, s[2], inR, "hidden size (dimension 2)"); err != nil {
			return d, err
		}
		if s[0] >= 0 && s[0] != o.dirs {
			return d, bad(inR, "has %d directions (dimension 0), want %d", s[0], o.dirs)
		}
		if s[1] >= 0 && d.hidden >= 0 && s[1] != G*d.hidden {
			return d, bad(inR, "has dimension 1 = %d, want %d*hidden_size = %d", s[1], G, G*d.hidden)
		}
	}
	if s, err = shapeOf(inX, 3); err != nil {
		return d, err
	}
	if s != nil {
		sq, b := s[0], s[1]
		if o.layout == 1 {
			sq, b = b, sq
		}
		d.seq, d.batch, d.input = sq, b, s[2]
	}
	if s, err = shapeOf(inW, 3); err != nil {
		return d, err
	}
	if s != nil {
		if s[0] >= 0 && s[0] != o.dirs {
			return d, bad(inW, "has %d directions (dimension 0), want %d", s[0], o.dirs)
		}
		if s[1] >= 0 && s[1]%G != 0 {
			return d, bad(inW, "has dimension 1 = %d, not a multiple of %d", s[1], G)
		}
		if s[1] >= 0 {
			if err := unify(&d.hidden, s[1]/G, inW, "hidden size (dimension 1 / "+fmt.Sprint(G)+")"); err != nil {
				return d, err
			}
		}
		if err := unify(&d.input, s[2], inW, "input size (dimension 2)"); err != nil {
			return d, err
		}
	}
	if s, err = shapeOf(inB, 2); err != nil {
		return d, err
	}
	if s != nil && ((s[0] >= 0 && s[0] != o.dirs) || (s[1] >= 0 && d.hidden >= 0 && s[1] != 2*G*d.hidden)) {
		return d, bad(inB, "has shape %v, want [%d, %d]", s, o.dirs, 2*G*d.hidden)
	}
	if s, err = shapeOf(inSeqLens, 1); err != nil {
		return d, err
	}
	if s != nil {
		if err := unify(&d.batch, s[0], inSeqLens, "batch size"); err != nil {
			return d, err
		}
	}
	states := []int{inInitH}
	if o.kind == lstmKind {
		states = append(states, inInitC)
	}
	for _, i := range states {
		if s, err = shapeOf(i, 3); err != nil {
			return d, err
		}
		if s == nil {
			continue
		}
		dr, b := s[0], s[1]
		if o.layout == 1 {
			dr, b = b, dr
		}
		if dr >= 0 && dr != o.dirs {
			return d, bad(i, "has shape %v: %d directions, want %d", s, dr, o.dirs)
		}
		if err := unify(&d.batch, b, i, "batch size"); err != nil {
			return d, err
		}
		if err := unify(&d.hidden, s[2], i, "hidden size"); err != nil {
			return d, err
		}
	}
	if o.kind == lstmKind {
		if s, err = shapeOf(inP, 2); err != nil {
			return d, err
		}
		if s != nil && ((s[0] >= 0 && s[0] != o.dirs) || (s[1] >= 0 && d.hidden >= 0 && s[1] != 3*d.hidden)) {
			return d, bad(inP, "has shape %v, want [%d, %d]", s, o.dirs, 3*d.hidden)
		}
	}
	return d, nil
}

func (o *op) outShapes(d dims) [][]int {
	y := []int{d.seq, o.dirs, d.batch, d.hidden}
	st := []int{o.dirs, d.batch, d.hidden}
	if o.layout == 1 {
		y = []int{d.batch, d.seq, o.dirs, d.hidden}
		st = []int{d.batch, o.dirs, d.hidden}
	}
	return [][]int{y, st, st}
}

func (o *op) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if len(in) < 3 || len(in) > o.maxIn() {
		return nil, fmt.Errorf("%w: %s takes 3 to %d inputs, got %d", operators.ErrInvalidModel, o.kind, o.maxIn(), len(in))
	}
	dt := in[inX].DType
	if dt != operators.Undefined && dt != operators.Float32 && dt != operators.Float64 {
		return nil, fmt.Errorf("%w: %s of %v (input %q)", operators.ErrUnsupportedType, o.kind, dt, "X")
	}
	for i := 1; i < len(in); i++ {
		want := dt
		if i == inSeqLens {
			want = operators.Int32
		}
		if in[i].DType != operators.Undefined && want != operators.Undefined && in[i].DType != want {
			return nil, fmt.Errorf("%w: %s: input %q (%d) is %v, want %v", operators.ErrInvalidModel, o.kind, inNames[i], i, in[i].DType, want)
		}
	}
	d, err := o.checkShapes(in)
	if err != nil {
		return nil, err
	}
	out := make([]operators.Meta, o.maxOut())
	for i, s := range o.outShapes(d)[:o.maxOut()] {
		out[i] = operators.Meta{DType: dt, Shape: s, HasShape: true}
	}
	return out, nil
}

func (o *op) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) < 3 || len(in) > o.maxIn() {
		return fmt.Errorf("%w: %s takes 3 to %d inputs, got %d", operators.ErrInvalidModel, o.kind, o.maxIn(), len(in))
	}
	for _, i := range []int{inX, inW, inR} {
		if in[i] == nil {
			return fmt.Errorf("%w: %s: input %q (%d) is missing", operators.ErrInvalidModel, o.kind, inNames[i], i)
		}
	}
	metas := make([]operators.Meta, len(in))
	for i, v := range in {
		if v != nil {
			metas[i] = v.Meta()
		}
	}
	if _, err := o.Infer(metas, nil); err != nil {
		return err
	}
	d, err := o.checkShapes(metas)
	if err != nil {
		return err
	}
	if d.hidden < 0 {
		return fmt.Errorf("%w: %s: the hidden size is unknown", operators.ErrShape, o.kind)
	}
	get := func(i int) *operators.Value {
		if i < len(in) {
			return in[i]
		}
		return nil
	}
	var lens []int32
	if sl := get(inSeqLens); sl != nil {
		lens = sl.I32()
		for b, l := range lens {
			if l < 0 || int(l) > d.seq {
				return fmt.Errorf("%w: %s: input %q: entry %d is %d, want 0 to %d", operators.ErrInvalidModel, o.kind, "sequence_lens", b, l, d.seq)
			}
		}
	}
	shapes := o.outShapes(d)
	for i := range out {
		if i < len(o.want) && !o.want[i] {
			continue
		}
		if out[i], err = rc.AllocValue(in[inX].DType, shapes[i], true); err != nil {
			return err
		}
	}
	outAt := func(i int) *operators.Value {
		if i < len(out) {
			return out[i]
		}
		return nil
	}
	threads := 1
	if rc != nil {
		threads = rc.Threads
	}
	// Scratch comes from the run's allocator, which takes it back after
	// this step, so a steady-state run allocates no new buffers.
	scratch, err := rc.AllocValue(in[inX].DType, []int{o.scratchLen(d)}, false)
	if err != nil {
		return err
	}
	switch in[inX].DType {
	case operators.Float32:
		return run(o, d, lens, threads, scratch.F32(), f32(get(inX)), f32(get(inW)), f32(get(inR)), f32(get(inB)), f32(get(inInitH)), f32(get(inInitC)), f32(get(inP)),
			f32(outAt(0)), f32(outAt(1)), f32(outAt(2)))
	case operators.Float64:
		return run(o, d, lens, threads, scratch.F64(), f64(get(inX)), f64(get(inW)), f64(get(inR)), f64(get(inB)), f64(get(inInitH)), f64(get(inInitC)), f64(get(inP)),
			f64(outAt(0)), f64(outAt(1)), f64(outAt(2)))
	}
	return fmt.Errorf("%w: %s of %v", operators.ErrUnsupportedType, o.kind, in[inX].DType)
}

func f32(v *operators.Value) []float32 {
	if v == nil {
		return nil
	}
	return v.F32()
}

func f64(v *operators.Value) []float64 {
	if v == nil {
		return nil
	}
	return v.F64()
}
