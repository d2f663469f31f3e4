package gemm

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
	"github.com/onnxrun/onnxrun/operators"
)

// gemmRef is alpha*op(A)*op(B) + beta*C (C a row vector) in float64.
func gemmRef(a, b, c *operators.Value, transA, transB bool, alpha, beta float64) []float64 {
	m, k := a.Shape[0], a.Shape[1]
	if transA {
		m, k = k, m
	}
	n := b.Shape[1]
	if transB {
		n = b.Shape[0]
	}
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				av, bv := a.F32()[i*k+p], b.F32()[p*n+j]
				if transA {
					av = a.F32()[p*m+i]
				}
				if transB {
					bv = b.F32()[j*k+p]
				}
				s += float64(av) * float64(bv)
			}
			out[i*n+j] = alpha*s + beta*float64(c.F32()[j])
		}
	}
	return out
}

// TestGemmConstB runs Gemm and MatMul whose B Infer saw as a constant
// (packed once) beside runs given another B buffer of the same shape (not
// packed), at every dispatch tier, on one and two threads, batch 1 (the
// classifier head) and larger. The packed copy must be made once and kept.
func TestGemmConstB(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, _ *dispatch.Kernels) {
		r := rand.New(rand.NewSource(31))
		for _, m := range []int{1, 3, 20} {
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				t.Run(fmt.Sprintf("gemm/m%d/%v", m, tr), func(t *testing.T) {
					const k, n = 300, 70
					op := build(t, node("Gemm", 13, 3, fattr("alpha", 0.5), fattr("beta", 2), iattr("transA", b2i(tr[0])), iattr("transB", b2i(tr[1]))))
					ashape, bshape := []int{m, k}, []int{k, n}
					if tr[0] {
						ashape = []int{k, m}
					}
					if tr[1] {
						bshape = []int{n, k}
					}
					a, b1, b2, c := randVal(r, ashape...), randVal(r, bshape...), randVal(r, bshape...), randVal(r, n)
					metas := []operators.Meta{a.Meta(), b1.Meta(), c.Meta()}
					if _, err := op.Infer(metas, []*operators.Value{nil, b1, c}); err != nil {
						t.Fatal(err)
					}
					g := op.(*Gemm)
					var p *packedB
					for _, threads := range []int{1, 2, 1} {
						for _, b := range []*operators.Value{b1, b2} {
							out := make([]*operators.Value, 1)
							if err := op.Run(&operators.RunContext{Threads: threads}, []*operators.Value{a, b, c}, out); err != nil {
								t.Fatal(err)
							}
							close32(t, out[0].F32(), gemmRef(a, b, c, tr[0], tr[1], 0.5, 2), k)
						}
						if p == nil {
							p = g.cb.packed.Load()
							if p == nil || p.raw != &b1.Raw[0] {
								t.Fatal("the constant B was not packed")
							}
						} else if g.cb.packed.Load() != p {
							t.Fatal("the constant B was packed again")
						}
					}
				})
			}
		}
		t.Run("matmul", func(t *testing.T) {
			for _, sh := range [][2][]int{{{1, 200}, {200, 40}}, {{2, 3, 200}, {200, 40}}, {{4, 200}, {1, 200, 40}}, {{200}, {200, 40}}} {
				op := build(t, node("MatMul", 13, 2))
				a, b1, b2 := randVal(r, sh[0]...), randVal(r, sh[1]...), randVal(r, sh[1]...)
				if _, err := op.Infer([]operators.Meta{a.Meta(), b1.Meta()}, []*operators.Value{nil, b1}); err != nil {
					t.Fatal(err)
				}
				for _, threads := range []int{1, 2} {
					for _, b := range []*operators.Value{b1, b2} {
						out := make([]*operators.Value, 1)
						if err := op.Run(&operators.RunContext{Threads: threads}, []*operators.Value{a, b}, out); err != nil {
							t.Fatal(err)
						}
						want, shape := naiveMatMul(a, b)
						if fmt.Sprint(out[0].Shape) != fmt.Sprint(shape) {
							t.Fatalf("%v: shape %v, want %v", sh, out[0].Shape, shape)
						}
						close32(t, out[0].F32(), want, 200)
					}
				}
				if p := op.(*MatMul).cb.packed.Load(); p == nil || p.raw != &b1.Raw[0] {
					t.Fatalf("%v: the constant B was not packed", sh)
				}
			}
		})
	})
}

// BenchmarkGemmHead times a batch-1 classifier head (MobileNetV2's
// 1280→1000 Gemm, B transposed) with B a constant, as in the exported
// model, and with B a fresh buffer (packed each run).
func BenchmarkGemmHead(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	a, w, c := randVal(r, 1, 1280), randVal(r, 1000, 1280), randVal(r, 1000)
	for _, constW := range []bool{true, false} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("const=%v/t%d", constW, threads), func(b *testing.B) {
				n := &operators.Node{Name: "n", OpType: "Gemm", Opset: 13, Attrs: map[string]*operators.Attr{"transB": iattr("transB", 1)}, Inputs: []string{"a", "w", "c"}, Outputs: []string{"y"}}
				op, err := newGemm(n)
				if err != nil {
					b.Fatal(err)
				}
				in := []*operators.Value{a, w, c}
				var consts []*operators.Value
				if constW {
					consts = in
				}
				if _, err := op.Infer([]operators.Meta{a.Meta(), w.Meta(), c.Meta()}, consts); err != nil {
					b.Fatal(err)
				}
				out := make([]*operators.Value, 1)
				rc := &operators.RunContext{Threads: threads, Alloc: nil}
				if err := op.Run(rc, in, out); err != nil {
					b.Fatal(err)
				}
				rc.Alloc = fixedAlloc{out[0]}
				b.ResetTimer()
				for b.Loop() {
					if err := op.Run(rc, in, out); err != nil {
						b.Fatal(err)
					}
				}
				b.SetBytes(int64(len(w.Raw)))
			})
		}
	}
}
