package main

import "math"

// The float64 reference: plain loops over row-major data, written from the
// ONNX operator definitions and nothing else.

// f32 rounds every element to float32, as a float32 tensor between two
// nodes of a graph holds it.
func f32(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(float32(v))
	}
	return out
}

// bcast applies op elementwise with ONNX (NumPy) broadcasting of b
// against a, where b's shape is a suffix-aligned broadcastable shape.
func bcast(a []float64, as []int64, b []float64, bs []int64, op func(x, y float64) float64) []float64 {
	out := make([]float64, len(a))
	rank := len(as)
	// b's strides in a's index space (0 where b broadcasts).
	bstr := make([]int64, rank)
	s := int64(1)
	for i := len(bs) - 1; i >= 0; i-- {
		ai := rank - len(bs) + i
		if bs[i] != 1 {
			bstr[ai] = s
		}
		s *= bs[i]
	}
	idx := make([]int64, rank)
	for i := range a {
		var bi int64
		for k := range rank {
			bi += idx[k] * bstr[k]
		}
		out[i] = op(a[i], b[bi])
		for k := rank - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < as[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out
}

func mul(x, y float64) float64 { return x * y }
func add(x, y float64) float64 { return x + y }
func div(x, y float64) float64 { return x / y }

func prod(s []int64) int64 {
	p := int64(1)
	for _, d := range s {
		p *= d
	}
	return p
}

// softmaxAxis normalises axis alone (the opset-13 definition) and returns
// softmax or, with logOut, log-softmax. It works on outer × n × inner
// blocks: the elements of one distribution are inner apart.
func softmaxAxis(x []float64, shape []int64, axis int, logOut bool) []float64 {
	outer, n, inner := prod(shape[:axis]), shape[axis], prod(shape[axis+1:])
	out := make([]float64, len(x))
	for o := range outer {
		for in := range inner {
			at := func(k int64) int64 { return (o*n+k)*inner + in }
			m := math.Inf(-1)
			for k := range n {
				m = math.Max(m, x[at(k)])
			}
			var sum float64
			for k := range n {
				sum += math.Exp(x[at(k)] - m)
			}
			for k := range n {
				if logOut {
					out[at(k)] = x[at(k)] - m - math.Log(sum)
				} else {
					out[at(k)] = math.Exp(x[at(k)]-m) / sum
				}
			}
		}
	}
	return out
}

// softmaxCoerced is the definition before opset 13: the input is viewed as
// a matrix [prod(d[:axis]), prod(d[axis:])] and each row is normalised.
func softmaxCoerced(x []float64, shape []int64, axis int, logOut bool) []float64 {
	rows, cols := prod(shape[:axis]), prod(shape[axis:])
	return softmaxAxis(x, []int64{rows, cols}, 1, logOut)
}

// reduceAxis reduces one axis with keepdims=1.
func reduceAxis(x []float64, shape []int64, axis int, init float64, op func(acc, v float64) float64) ([]float64, []int64) {
	outer, n, inner := prod(shape[:axis]), shape[axis], prod(shape[axis+1:])
	out := make([]float64, outer*inner)
	for o := range outer {
		for in := range inner {
			acc := init
			for k := range n {
				acc = op(acc, x[(o*n+k)*inner+in])
			}
			out[o*inner+in] = acc
		}
	}
	rs := append([]int64(nil), shape...)
	rs[axis] = 1
	return out, rs
}

func mapf(x []float64, f func(float64) float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = f(v)
	}
	return out
}

// conv2d is Conv with one group, 'pads' = pad on every side, stride 1 and
// no dilation: x [n,c,h,w], w [m,c,kh,kw], b [m] -> [n,m,h',w'].
func conv2d(x []float64, xs []int64, w []float64, ws []int64, b []float64, pad int64) ([]float64, []int64) {
	n, c, h, wd := xs[0], xs[1], xs[2], xs[3]
	m, kh, kw := ws[0], ws[2], ws[3]
	oh, ow := h+2*pad-kh+1, wd+2*pad-kw+1
	out := make([]float64, n*m*oh*ow)
	for in := range n {
		for om := range m {
			for y := range oh {
				for xx := range ow {
					acc := b[om]
					for ic := range c {
						for ky := range kh {
							for kx := range kw {
								iy, ix := y+ky-pad, xx+kx-pad
								if iy < 0 || iy >= h || ix < 0 || ix >= wd {
									continue
								}
								acc += x[((in*c+ic)*h+iy)*wd+ix] * w[((om*c+ic)*kh+ky)*kw+kx]
							}
						}
					}
					out[((in*m+om)*oh+y)*ow+xx] = acc
				}
			}
		}
	}
	return out, []int64{n, m, oh, ow}
}

// maxPool2 is MaxPool with a 2×2 kernel and stride 2 (even sizes).
func maxPool2(x []float64, xs []int64) ([]float64, []int64) {
	n, c, h, w := xs[0], xs[1], xs[2], xs[3]
	oh, ow := h/2, w/2
	out := make([]float64, n*c*oh*ow)
	for p := range n * c {
		for y := range oh {
			for xx := range ow {
				m := math.Inf(-1)
				for dy := range int64(2) {
					for dx := range int64(2) {
						m = math.Max(m, x[(p*h+2*y+dy)*w+2*xx+dx])
					}
				}
				out[(p*oh+y)*ow+xx] = m
			}
		}
	}
	return out, []int64{n, c, oh, ow}
}

// gemmTransB is Gemm with transB=1: a [n,k], w [m,k], b [m] -> a·wᵀ + b.
func gemmTransB(a []float64, n, k int64, w []float64, m int64, b []float64) []float64 {
	out := make([]float64, n*m)
	for i := range n {
		for j := range m {
			acc := b[j]
			for p := range k {
				acc += a[i*k+p] * w[j*k+p]
			}
			out[i*m+j] = acc
		}
	}
	return out
}
