// Command expfit derives the polynomial coefficients of the vectorised
// exponentials in package dispatch: c1..cN of
//
//	exp(r) ≈ 1 + c1 r + c2 r² + ... + cN r^N,   |r| ≤ ln2/2,
//
// fitted to the relative error by least squares on Chebyshev nodes (in
// the well-conditioned basis (r/(ln2/2))^k), then
// refined towards minimax by Lawson's iteratively reweighted least squares.
// It prints the coefficients rounded to float32 (N = 6) and the maximum
// relative error of the fit evaluated in float64 with the rounded
// coefficients. (The float64 kernels use the Taylor series to degree 13,
// whose truncation error r^14/14! < 5e-18 needs no fitting.)
//
// Usage: go run . (from this directory).
package main

import (
	"fmt"
	"math"
)

func main() {
	for _, c := range []struct {
		deg  int
		f32  bool
		name string
	}{{6, true, "float32"}} {
		co := fit(c.deg)
		if c.f32 {
			for i := range co {
				co[i] = float64(float32(co[i]))
			}
		}
		fmt.Printf("%s, degree %d, max rel error %.3g\n", c.name, c.deg, maxErr(co))
		for i, v := range co {
			if c.f32 {
				fmt.Printf("  c%d = %.9g  // 0x%08x\n", i+1, float32(v), math.Float32bits(float32(v)))
			} else {
				fmt.Printf("  c%d = %.17g  // 0x%016x\n", i+1, v, math.Float64bits(v))
			}
		}
	}
}

const half = math.Ln2 / 2

func eval(co []float64, r float64) float64 {
	p := 0.0
	for i := len(co) - 1; i >= 0; i-- {
		p = p*r + co[i]
	}
	return 1 + p*r
}

func maxErr(co []float64) float64 {
	m := 0.0
	for i := 0; i <= 200000; i++ {
		r := -half + 2*half*float64(i)/200000
		e := math.Exp(r)
		m = max(m, math.Abs(eval(co, r)-e)/e)
	}
	return m
}

// fit returns c1..c_deg minimising the weighted relative error.
func fit(deg int) []float64 {
	const nodes = 400
	rs := make([]float64, nodes)
	w := make([]float64, nodes)
	for i := range rs {
		rs[i] = half * math.Cos(math.Pi*(float64(i)+0.5)/nodes)
		w[i] = 1
	}
	var co []float64
	for iter := 0; iter < 200; iter++ {
		// Normal equations of sum w_i ((1 + Σ c_k r^k - e)/e)².
		a := make([][]float64, deg)
		b := make([]float64, deg)
		for k := range a {
			a[k] = make([]float64, deg)
		}
		for i, r := range rs {
			e := math.Exp(r)
			for k := 0; k < deg; k++ {
				pk := math.Pow(r/half, float64(k+1)) / e
				b[k] += w[i] * pk * (e - 1) / e
				for j := 0; j < deg; j++ {
					a[k][j] += w[i] * pk * math.Pow(r/half, float64(j+1)) / e
				}
			}
		}
		co = solve(a, b)
		for k := range co { // back from the basis (r/half)^k to r^k
			co[k] /= math.Pow(half, float64(k+1))
		}
		// Lawson: weight each node by its error.
		s := 0.0
		for i, r := range rs {
			e := math.Exp(r)
			w[i] *= math.Abs(eval(co, r)-e) / e
			s += w[i]
		}
		for i := range w {
			w[i] /= s
		}
	}
	return co
}

func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		for r := c + 1; r < n; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < n; k++ {
				a[r][k] -= f * a[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < n; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	return x
}
