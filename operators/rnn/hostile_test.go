package rnn

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

// TestHostileShapes feeds inputs whose shapes are drawn independently, so
// most disagree with each other: every run must end in a result or an
// error, never a panic or an out-of-range access. A result must have the
// shapes Infer promised.
func TestHostileShapes(t *testing.T) {
	const seed = 77
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	dim := func() int { return r.Intn(4) }
	okRuns := 0
	for it := 0; it < 3000; it++ {
		k := kind(r.Intn(3))
		c := cfg{kind: k}
		attrs := []*operators.Attr{}
		if r.Intn(2) == 0 {
			attrs = append(attrs, ot.Int("hidden_size", int64(1+r.Intn(3))))
		}
		if r.Intn(3) == 0 {
			attrs = append(attrs, ot.String("direction", "bidirectional"))
		}
		opset := 7
		if r.Intn(2) == 0 {
			opset = 14
			attrs = append(attrs, ot.Int("layout", int64(r.Intn(2))))
		}
		nIn := 3 + r.Intn(4)
		if k == lstmKind {
			nIn = 3 + r.Intn(6)
		}
		o, err := build(node(c, opset, nIn, attrs...))
		if err != nil {
			t.Fatalf("iteration %d: build: %v", it, err)
		}
		in := make([]*operators.Value, nIn)
		// Consistent shapes first, then each input is bent with some
		// probability: a dimension changed, or a rank.
		S, B, I, H := dim(), dim(), dim(), 1+dim()
		D := 1
		layout := int64(0)
		for _, a := range attrs {
			if a.Name == "direction" {
				D = 2
			}
			if a.Name == "layout" {
				layout = a.I
			}
			if a.Name == "hidden_size" && r.Intn(4) != 0 {
				H = int(a.I)
			}
		}
		G := k.gates()
		right := [][]int{{S, B, I}, {D, G * H, I}, {D, G * H, H}, {D, 2 * G * H}, {B}, {D, B, H}, {D, B, H}, {D, 3 * H}}
		if layout == 1 {
			right[0] = []int{B, S, I}
			right[5] = []int{B, D, H}
			right[6] = []int{B, D, H}
		}
		for i := range in {
			if i >= 3 && r.Intn(3) == 0 {
				continue // omitted
			}
			shape := append([]int(nil), right[i]...)
			switch r.Intn(10) {
			case 0:
				shape[r.Intn(len(shape))] = dim()
			case 1:
				shape = make([]int, r.Intn(4))
				for j := range shape {
					shape[j] = dim()
				}
			}
			dt := operators.Float32
			if i == inSeqLens {
				dt = operators.Int32
			}
			v, err := operators.NewValue(dt, shape)
			if err != nil {
				t.Fatal(err)
			}
			if dt == operators.Int32 {
				for j := range v.I32() {
					v.I32()[j] = int32(r.Intn(5) - 1)
				}
			} else {
				for j := range v.F32() {
					v.F32()[j] = float32(r.NormFloat64())
				}
			}
			in[i] = v
		}
		out := make([]*operators.Value, o.(*op).maxOut())
		desc := fmt.Sprintf("iteration %d: %s-%d %v inputs %v", it, k, opset, attrs, in)
		err = func() (err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panic: %v", p)
					t.Errorf("%s: %v", desc, err)
				}
			}()
			return o.Run(nil, in, out)
		}()
		if err != nil {
			continue
		}
		okRuns++
		metas := make([]operators.Meta, len(in))
		for i, v := range in {
			if v != nil {
				metas[i] = v.Meta()
			}
		}
		inf, err := o.Infer(metas, nil)
		if err != nil {
			t.Fatalf("%s: Run succeeded but Infer fails: %v", desc, err)
		}
		for i, v := range out {
			if fmt.Sprint(v.Shape) != fmt.Sprint(inf[i].Shape) || v.Len()*4 != len(v.Raw) {
				t.Errorf("%s: output %d is %v, Infer said %v", desc, i, v, inf[i].Shape)
			}
		}
	}
	t.Logf("%d of 3000 runs succeeded", okRuns)
}
