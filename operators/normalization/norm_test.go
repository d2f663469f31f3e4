package normalization

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

func build(t *testing.T, opType string, opset int, ninputs int, outs []string, attrs ...*operators.Attr) operators.Op {
	t.Helper()
	op, err := buildErr(opType, opset, ninputs, outs, attrs...)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func buildErr(opType string, opset int, ninputs int, outs []string, attrs ...*operators.Attr) (operators.Op, error) {
	n := &operators.Node{Name: "n", OpType: opType, Opset: opset, Outputs: outs, Attrs: map[string]*operators.Attr{}}
	if n.Outputs == nil {
		n.Outputs = []string{"y"}
	}
	for i := 0; i < ninputs; i++ {
		n.Inputs = append(n.Inputs, "in")
	}
	for _, a := range attrs {
		n.Attrs[a.Name] = a
	}
	reg, ok := operators.Lookup("", opType, opset)
	if !ok {
		return nil, errors.New("not registered")
	}
	return reg.New(n)
}

func randVal(r *rand.Rand, shape ...int) *operators.Value {
	v, _ := operators.NewValue(operators.Float32, shape)
	for i := range v.F32() {
		v.F32()[i] = float32(r.NormFloat64())
	}
	return v
}

func runOp(t *testing.T, op operators.Op, threads int, in ...*operators.Value) []*operators.Value {
	t.Helper()
	metas := make([]operators.Meta, len(in))
	for i, v := range in {
		if v != nil {
			metas[i] = v.Meta()
		}
	}
	inf, err := op.Infer(metas, nil)
	if err != nil {
		t.Fatalf("Infer: %v", err)
	}
	out := make([]*operators.Value, len(inf))
	if err := op.Run(&operators.RunContext{Threads: threads}, in, out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out
}

// near compares float32 results with a float64 reference; every op here
// does O(1) float32 roundings per element after float64 statistics, so a
// few ulps of the magnitude suffice.
func near(t *testing.T, got []float32, want []float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= 1e-5*(1+math.Abs(want[i]))) {
			t.Fatalf("[%d] = %g, want %g", i, got[i], want[i])
		}
	}
}

func fattr(name string, v float32) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrFloat, F: v}
}
func iattr(name string, v int64) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrInt, I: v}
}

func TestBatchNorm(t *testing.T) {
	r := rand.New(rand.NewSource(40))
	for _, opset := range []int{7, 9, 14, 15} {
		for _, shape := range [][]int{{2, 3, 4, 5}, {3, 4}, {1, 2, 7}} {
			c := shape[1]
			x := randVal(r, shape...)
			scale, b, mean := randVal(r, c), randVal(r, c), randVal(r, c)
			vr := randVal(r, c)
			for i := range vr.F32() {
				vr.F32()[i] = float32(math.Abs(float64(vr.F32()[i]))) + 0.1
			}
			op := build(t, "BatchNormalization", opset, 5, nil, fattr("epsilon", 1e-3))
			inner := operators.NumElements(shape[2:])
			want := make([]float64, x.Len())
			for i := range want {
				ch := (i / inner) % c
				want[i] = (float64(x.F32()[i])-float64(mean.F32()[ch]))/math.Sqrt(float64(vr.F32()[ch])+float64(float32(1e-3)))*float64(scale.F32()[ch]) + float64(b.F32()[ch])
			}
			for _, th := range []int{1, 2} {
				y := runOp(t, op, th, x, scale, b, mean, vr)[0]
				near(t, y.F32(), want)
			}
		}
	}
}

func TestBatchNormErrors(t *testing.T) {
	var ae *operators.AttributeError
	if _, err := buildErr("BatchNormalization", 14, 5, nil, iattr("training_mode", 1)); !errors.Is(err, operators.ErrUnsupportedOp) {
		t.Errorf("training_mode=1: %v", err)
	}
	if _, err := buildErr("BatchNormalization", 14, 5, nil, fattr("epsilon", -1)); !errors.As(err, &ae) || ae.Attr != "epsilon" {
		t.Errorf("negative epsilon: %v", err)
	}
	if _, err := buildErr("BatchNormalization", 9, 5, []string{"y", "mean", "var"}); !errors.Is(err, operators.ErrUnsupportedOp) {
		t.Errorf("training outputs: %v", err)
	}
	op := build(t, "BatchNormalization", 15, 5, nil)
	r := rand.New(rand.NewSource(1))
	x := randVal(r, 1, 3, 2)
	out := make([]*operators.Value, 1)
	err := op.Run(nil, []*operators.Value{x, randVal(r, 3), randVal(r, 4), randVal(r, 3), randVal(r, 3)}, out)
	if !errors.Is(err, operators.ErrShape) || !contains(err.Error(), "input 2 (B)") {
		t.Errorf("bad B: %v", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestInstanceNorm(t *testing.T) {
	r := rand.New(rand.NewSource(41))
	x := randVal(r, 2, 3, 4, 5)
	scale, b := randVal(r, 3), randVal(r, 3)
	op := build(t, "InstanceNormalization", 6, 3, nil, fattr("epsilon", 1e-2))
	want := make([]float64, x.Len())
	for nc := 0; nc < 6; nc++ {
		s := x.F32()[nc*20 : nc*20+20]
		var m, v float64
		for _, a := range s {
			m += float64(a) / 20
		}
		for _, a := range s {
			v += (float64(a) - m) * (float64(a) - m) / 20
		}
		for i, a := range s {
			want[nc*20+i] = float64(scale.F32()[nc%3])*(float64(a)-m)/math.Sqrt(v+float64(float32(1e-2))) + float64(b.F32()[nc%3])
		}
	}
	near(t, runOp(t, op, 2, x, scale, b)[0].F32(), want)
}

func TestLayerNorm(t *testing.T) {
	r := rand.New(rand.NewSource(42))
	cases := []struct {
		axis        int64
		shape, pshp []int
		bias        bool
	}{
		{-1, []int{2, 3, 8}, []int{8}, true},
		{1, []int{2, 3, 4}, []int{3, 4}, true},
		{-2, []int{2, 3, 4}, []int{1, 3, 4}, false},
		{0, []int{5, 2}, []int{1}, true},
	}
	for _, c := range cases {
		x := randVal(r, c.shape...)
		scale := randVal(r, c.pshp...)
		in := []*operators.Value{x, scale}
		var b *operators.Value
		if c.bias {
			b = randVal(r, c.pshp...)
			in = append(in, b)
		}
		op := build(t, "LayerNormalization", 17, len(in), []string{"y", "mean", "inv"}, iattr("axis", c.axis))
		ax := int(c.axis)
		if ax < 0 {
			ax += len(c.shape)
		}
		inner := operators.NumElements(c.shape[ax:])
		rows := x.Len() / inner
		want := make([]float64, x.Len())
		wm, wi := make([]float64, rows), make([]float64, rows)
		for row := 0; row < rows; row++ {
			s := x.F32()[row*inner : (row+1)*inner]
			var m, v float64
			for _, a := range s {
				m += float64(a)
			}
			m /= float64(inner)
			for _, a := range s {
				v += (float64(a) - m) * (float64(a) - m)
			}
			inv := 1 / math.Sqrt(v/float64(inner)+float64(float32(1e-5)))
			wm[row], wi[row] = m, inv
			for i, a := range s {
				sc := float64(scale.F32()[i%scale.Len()])
				bb := 0.0
				if b != nil {
					bb = float64(b.F32()[i%b.Len()])
				}
				want[row*inner+i] = (float64(a)-m)*inv*sc + bb
			}
		}
		out := runOp(t, op, 2, in...)
		near(t, out[0].F32(), want)
		near(t, out[1].F32(), wm)
		near(t, out[2].F32(), wi)
		if len(out[1].Shape) != len(c.shape) || out[1].Shape[len(c.shape)-1] != 1 {
			t.Errorf("mean shape %v", out[1].Shape)
		}
	}
	op := build(t, "LayerNormalization", 17, 2, nil)
	out := make([]*operators.Value, 1)
	r2 := rand.New(rand.NewSource(2))
	if err := op.Run(nil, []*operators.Value{randVal(r2, 2, 4), randVal(r2, 3)}, out); !errors.Is(err, operators.ErrShape) {
		t.Errorf("bad Scale: %v", err)
	}
	var ae *operators.AttributeError
	if _, err := buildErr("LayerNormalization", 17, 2, nil, iattr("stash_type", 7)); !errors.As(err, &ae) || ae.Attr != "stash_type" {
		t.Errorf("stash_type: %v", err)
	}
}

func TestLRN(t *testing.T) {
	r := rand.New(rand.NewSource(43))
	for _, size := range []int64{1, 2, 3, 5} {
		x := randVal(r, 2, 6, 3, 2)
		op := build(t, "LRN", 13, 1, nil, iattr("size", size), fattr("alpha", 2e-4), fattr("beta", 0.75), fattr("bias", 2))
		want := make([]float64, x.Len())
		C, inner := 6, 6
		for i := range want {
			n, c, p := i/(C*inner), (i/inner)%C, i%inner
			var sq float64
			for cc := c - int((size-1)/2); cc <= c+int(size-1)-int((size-1)/2); cc++ {
				if cc < 0 || cc >= C {
					continue
				}
				v := float64(x.F32()[(n*C+cc)*inner+p])
				sq += v * v
			}
			want[i] = float64(x.F32()[i]) / math.Pow(2+float64(float32(2e-4))/float64(size)*sq, float64(float32(0.75)))
		}
		near(t, runOp(t, op, 2, x)[0].F32(), want)
	}
	var ae *operators.AttributeError
	if _, err := buildErr("LRN", 13, 1, nil); !errors.As(err, &ae) || ae.Attr != "size" {
		t.Errorf("missing size: %v", err)
	}
}
