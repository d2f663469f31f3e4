package conv

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// refConvTranspose scatters every input pixel through the kernel in
// float64 (the definition, independent of the GEMM + col2im route).
func refConvTranspose(x, w, b *operators.Value, group int, strides, dil, padsBegin, out []int) []float64 {
	r := len(x.Shape) - 2
	pad3 := func(v []int, def int) [3]int {
		a := [3]int{def, def, def}
		copy(a[3-r:], v)
		return a
	}
	in, k := pad3(x.Shape[2:], 1), pad3(w.Shape[2:], 1)
	s, d, p, o := pad3(strides, 1), pad3(dil, 1), pad3(padsBegin, 0), pad3(out, 1)
	N, C, mg := x.Shape[0], x.Shape[1], w.Shape[1]
	cg, M := C/group, mg*group
	ov := o[0] * o[1] * o[2]
	res := make([]float64, N*M*ov)
	for n := 0; n < N; n++ {
		for m := 0; m < M; m++ {
			if b != nil {
				for i := 0; i < ov; i++ {
					res[(n*M+m)*ov+i] = float64(b.F32()[m])
				}
			}
		}
		for c := 0; c < C; c++ {
			g := c / cg
			for z := 0; z < in[0]; z++ {
				for yy := 0; yy < in[1]; yy++ {
					for xx := 0; xx < in[2]; xx++ {
						xv := float64(x.F32()[(((n*C+c)*in[0]+z)*in[1]+yy)*in[2]+xx])
						for mm := 0; mm < mg; mm++ {
							m := g*mg + mm
							for a := 0; a < k[0]; a++ {
								for bb := 0; bb < k[1]; bb++ {
									for cc := 0; cc < k[2]; cc++ {
										oz := z*s[0] - p[0] + a*d[0]
										oy := yy*s[1] - p[1] + bb*d[1]
										ox := xx*s[2] - p[2] + cc*d[2]
										if oz < 0 || oz >= o[0] || oy < 0 || oy >= o[1] || ox < 0 || ox >= o[2] {
											continue
										}
										wv := float64(w.F32()[(((c*mg+mm)*k[0]+a)*k[1]+bb)*k[2]+cc])
										res[(n*M+m)*ov+(oz*o[1]+oy)*o[2]+ox] += xv * wv
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return res
}

func ctNode(inputs int, attrs ...*operators.Attr) *operators.Node {
	n := node(11, inputs, attrs...)
	n.OpType = "ConvTranspose"
	return n
}

func TestConvTranspose(t *testing.T) {
	r := rand.New(rand.NewSource(22))
	sattr := func(v string) *operators.Attr {
		return &operators.Attr{Name: "auto_pad", Type: operators.AttrString, S: []byte(v)}
	}
	cases := []struct {
		name      string
		x, w      []int
		bias      bool
		group     int
		attrs     []*operators.Attr
		strides   []int
		dil       []int
		padsBegin []int
		out       []int
	}{
		// out = s*(in-1) + output_padding + d*(k-1) + 1 - pads
		{name: "2d", x: []int{1, 2, 4, 5}, w: []int{2, 3, 3, 3}, bias: true, out: []int{6, 7}},
		{name: "2d_strides_pads_outpad", x: []int{2, 3, 4, 3}, w: []int{3, 2, 3, 2},
			attrs:   []*operators.Attr{ints("strides", 3, 2), ints("pads", 1, 0, 2, 1), ints("output_padding", 1, 1)},
			strides: []int{3, 2}, padsBegin: []int{1, 0}, out: []int{10, 6}},
		{name: "2d_dilations", x: []int{1, 2, 3, 4}, w: []int{2, 2, 3, 2}, bias: true,
			attrs: []*operators.Attr{ints("dilations", 2, 3)}, dil: []int{2, 3}, out: []int{7, 7}},
		{name: "groups", x: []int{1, 4, 3, 3}, w: []int{4, 3, 2, 2}, group: 2, bias: true,
			attrs: []*operators.Attr{ints("strides", 2, 2)}, strides: []int{2, 2}, out: []int{6, 6}},
		{name: "1d", x: []int{2, 3, 5}, w: []int{3, 2, 4},
			attrs: []*operators.Attr{ints("strides", 2), ints("pads", 1, 1)}, strides: []int{2}, padsBegin: []int{1}, out: []int{10}},
		{name: "3d", x: []int{1, 2, 2, 3, 3}, w: []int{2, 2, 2, 2, 3}, bias: true,
			attrs: []*operators.Attr{ints("strides", 1, 2, 2)}, strides: []int{1, 2, 2}, out: []int{3, 6, 7}},
		// SAME: out = in*s; total = full - out split with the odd one at the
		// end (UPPER) or the start (LOWER). full = 2*(4-1)+3 = 9, total 1.
		{name: "same_upper", x: []int{1, 1, 4, 4}, w: []int{1, 1, 3, 3},
			attrs: []*operators.Attr{sattr("SAME_UPPER"), ints("strides", 2, 2)}, strides: []int{2, 2}, padsBegin: []int{0, 0}, out: []int{8, 8}},
		{name: "same_lower", x: []int{1, 1, 4, 4}, w: []int{1, 1, 3, 3},
			attrs: []*operators.Attr{sattr("SAME_LOWER"), ints("strides", 2, 2)}, strides: []int{2, 2}, padsBegin: []int{1, 1}, out: []int{8, 8}},
		// output_shape larger than full (9x7): begin pad floor-halves to 0.
		{name: "output_shape", x: []int{1, 1, 3, 3}, w: []int{1, 2, 3, 3},
			attrs: []*operators.Attr{ints("strides", 3, 2), ints("output_shape", 10, 8)}, strides: []int{3, 2}, out: []int{10, 8}},
		{name: "output_shape_smaller", x: []int{1, 1, 3, 3}, w: []int{1, 2, 3, 3},
			attrs: []*operators.Attr{ints("strides", 3, 2), ints("output_shape", 7, 6)}, strides: []int{3, 2}, padsBegin: []int{1, 1}, out: []int{7, 6}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			group := max(c.group, 1)
			attrs := c.attrs
			if c.group != 0 {
				attrs = append(attrs, &operators.Attr{Name: "group", Type: operators.AttrInt, I: int64(c.group)})
			}
			ninp := 2
			if c.bias {
				ninp = 3
			}
			op, err := newConvTranspose(ctNode(ninp, attrs...))
			if err != nil {
				t.Fatal(err)
			}
			x, w := randVal(r, c.x...), randVal(r, c.w...)
			in := []*operators.Value{x, w}
			var b *operators.Value
			if c.bias {
				b = randVal(r, c.w[1]*group)
				in = append(in, b)
			}
			wantShape := append([]int{c.x[0], c.w[1] * group}, c.out...)
			metas := make([]operators.Meta, len(in))
			for i, v := range in {
				metas[i] = v.Meta()
			}
			inf, err := op.Infer(metas, nil)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(inf[0].Shape) != fmt.Sprint(wantShape) {
				t.Fatalf("Infer shape %v, want %v", inf[0].Shape, wantShape)
			}
			want := refConvTranspose(x, w, b, group, c.strides, c.dil, c.padsBegin, c.out)
			var first []float32
			for _, threads := range []int{1, 2} {
				out := make([]*operators.Value, 1)
				if err := op.Run(&operators.RunContext{Threads: threads}, in, out); err != nil {
					t.Fatal(err)
				}
				got := out[0].F32()
				for i := range want {
					// Each output sums at most C*kvol products.
					tol := 1e-5 + 2e-6*math.Sqrt(float64(operators.NumElements(c.w)))*(1+math.Abs(want[i]))
					if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol) {
						t.Fatalf("threads %d: y[%d] = %g, want %g", threads, i, got[i], want[i])
					}
				}
				if first == nil {
					first = append([]float32(nil), got...)
				} else {
					for i := range got {
						if got[i] != first[i] {
							t.Fatalf("threads 1 and 2 differ at %d", i)
						}
					}
				}
			}
		})
	}
}

func TestConvTransposeErrors(t *testing.T) {
	var ae *operators.AttributeError
	if _, err := newConvTranspose(ctNode(2, ints("output_padding", -1))); !errors.As(err, &ae) || ae.Attr != "output_padding" {
		t.Errorf("negative output_padding: %v", err)
	}
	f := func(s ...int) operators.Meta {
		return operators.Meta{DType: operators.Float32, Shape: s, HasShape: true}
	}
	op, _ := newConvTranspose(ctNode(2, ints("strides", 2, 2), ints("output_padding", 2, 0)))
	if _, err := op.Infer([]operators.Meta{f(1, 2, 3, 3), f(2, 1, 3, 3)}, nil); !errors.As(err, &ae) || ae.Attr != "output_padding" {
		t.Errorf("output_padding >= stride: %v", err)
	}
	op, _ = newConvTranspose(ctNode(2))
	if _, err := op.Infer([]operators.Meta{f(1, 2, 3, 3), f(3, 1, 3, 3)}, nil); !errors.Is(err, operators.ErrShape) || !contains(err.Error(), "input 1 (W)") {
		t.Errorf("W channel mismatch: %v", err)
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
