package rnn

import (
	"github.com/onnxrun/onnxrun/operators/internal/gemm"
)

func engine[T gemm.Float]() *gemm.Engine[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(gemm.F32()).(*gemm.Engine[T])
	}
	return any(gemm.F64()).(*gemm.Engine[T])
}

// smallBatch is the largest batch whose recurrent product runs as dot
// products over R's rows rather than through the GEMM. The GEMM packs all
// of R again at every step, which its SIMD micro-kernel repays from about
// three rows on; for one or two rows the dots, which read each row of R
// once, were faster (hidden 64 and 128, float32, one thread).
const smallBatch = 2

// recur computes c[i*ldc+j] = sum_k a[i*k+..] * b[j*k+..] for i < m, j < n:
// the hidden states a (m×k) times the rows of R (b, n×k) transposed.
func recur[T gemm.Float](eng *gemm.Engine[T], m, n, k int, a, b, c []T, ldc, threads int) {
	if m > smallBatch {
		eng.Gemm(false, true, m, n, k, 1, a, k, b, k, 0, c, ldc, threads)
		return
	}
	i := 0
	for ; i+2 <= m; i += 2 {
		a0, a1 := a[i*k:(i+1)*k], a[(i+1)*k:(i+2)*k]
		c0, c1 := c[i*ldc:i*ldc+n], c[(i+1)*ldc:(i+1)*ldc+n]
		for j := range c0 {
			c0[j], c1[j] = dot2(a0, a1, b[j*k:(j+1)*k])
		}
	}
	if i < m {
		ai := a[i*k : (i+1)*k]
		ci := c[i*ldc : i*ldc+n]
		for j := range ci {
			ci[j] = dot(ai, b[j*k:(j+1)*k])
		}
	}
}

// dot2 is dot of x0 and of x1 with the same y, reading y once.
func dot2[T gemm.Float](x0, x1, y []T) (T, T) {
	y = y[:len(x0)]
	x1 = x1[:len(x0)]
	var s0, s1, t0, t1 T
	i := 0
	for ; i+2 <= len(x0); i += 2 {
		y0, y1 := y[i], y[i+1]
		s0 += x0[i] * y0
		s1 += x0[i+1] * y1
		t0 += x1[i] * y0
		t1 += x1[i+1] * y1
	}
	if i < len(x0) {
		s0 += x0[i] * y[i]
		t0 += x1[i] * y[i]
	}
	return s0 + s1, t0 + t1
}

// dot is the inner product of x and y (same length), with four
// accumulators so the adds pipeline.
func dot[T gemm.Float](x, y []T) T {
	y = y[:len(x)]
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// scratchLen is the number of elements run needs as scratch.
func (o *op) scratchLen(d dims) int {
	GH := o.kind.gates() * d.hidden
	n := d.seq*d.batch*GH + d.batch*GH + GH + 2*d.batch*d.hidden
	if o.kind == gruKind {
		n += 2 * d.batch * d.hidden
	}
	return n
}

// run computes one LSTM, GRU or RNN node. Optional inputs and outputs are
// nil when absent; y, yh and yc are zeroed. scratch holds o.scratchLen(d)
// elements of any content.
func run[T gemm.Float](o *op, d dims, lens []int32, threads int, scratch, x, w, r, b, h0, c0, p, y, yh, yc []T) error {
	S, B, I, H := d.seq, d.batch, d.input, d.hidden
	G := o.kind.gates()
	GH := G * H
	if B == 0 {
		return nil // every output has a zero batch axis
	}
	eng := engine[T]()
	take := func(n int) []T {
		v := scratch[:n:n]
		scratch = scratch[n:]
		return v
	}
	xw := take(S * B * GH)
	hr := take(B * GH)
	bias := take(GH)
	h := take(B * H)
	c := take(B * H)
	var zb, rh []T
	if o.kind == gruKind {
		zb = take(B * H)
		rh = take(B * H)
		clear(rh) // rows of ended entries still go through the GEMM
	}
	xrow := func(t, bb int) int { return t*B + bb }
	yoff := func(t, dir, bb int) int { return ((t*o.dirs+dir)*B + bb) * H }
	soff := func(dir, bb int) int { return (dir*B + bb) * H }
	if o.layout == 1 {
		xrow = func(t, bb int) int { return bb*S + t }
		yoff = func(t, dir, bb int) int { return ((bb*S+t)*o.dirs + dir) * H }
		soff = func(dir, bb int) int { return (bb*o.dirs + dir) * H }
	}
	clip := o.clip
	cl := func(v float64) float64 {
		if clip > 0 {
			return max(-clip, min(clip, v))
		}
		return v
	}
	na := len(o.acts) / o.dirs
	for dir := 0; dir < o.dirs; dir++ {
		rev := o.reverse || dir == 1
		wd := w[dir*GH*I : (dir+1)*GH*I]
		rd := r[dir*GH*H : (dir+1)*GH*H]
		acts := o.acts[dir*na : (dir+1)*na]
		if S*B > 0 {
			eng.Gemm(false, true, S*B, GH, I, 1, x, I, wd, I, 0, xw, GH, threads)
		}
		var rbh []T // GRU linear_before_reset: Rbh stays inside the reset product
		if b != nil {
			bd := b[dir*2*GH : (dir+1)*2*GH]
			for j := range bias {
				bias[j] = bd[j] + bd[GH+j]
			}
			if o.kind == gruKind && o.lbr {
				rbh = bd[GH+2*H : 2*GH]
				copy(bias[2*H:], bd[2*H:3*H])
			}
			for row := 0; row < S*B; row++ {
				xr := xw[row*GH : (row+1)*GH]
				for j, v := range bias {
					xr[j] += v
				}
			}
		}
		for bb := 0; bb < B; bb++ {
			if h0 != nil {
				copy(h[bb*H:(bb+1)*H], h0[soff(dir, bb):])
			} else {
				clear(h[bb*H : (bb+1)*H])
			}
			if c0 != nil {
				copy(c[bb*H:(bb+1)*H], c0[soff(dir, bb):])
			} else {
				clear(c[bb*H : (bb+1)*H])
			}
		}
		var pi, po, pf []T
		if p != nil {
			pd := p[dir*3*H : (dir+1)*3*H]
			pi, po, pf = pd[:H], pd[H:2*H], pd[2*H:]
		}
		// step returns the time index of batch entry bb at step s, or -1
		// once the entry's sequence has ended.
		step := func(s, bb int) int {
			L := S
			if lens != nil {
				L = int(lens[bb])
			}
			if s >= L {
				return -1
			}
			if rev {
				return L - 1 - s
			}
			return s
		}
		for s := 0; s < S; s++ {
			n := GH
			if o.kind == gruKind && !o.lbr {
				n = 2 * H
			}
			recur(eng, B, n, H, h, rd, hr, GH, threads)
			switch o.kind {
			case lstmKind:
				f, g, ha := acts[0], acts[1], acts[2]
				for bb := 0; bb < B; bb++ {
					t := step(s, bb)
					if t < 0 {
						continue
					}
					xg := xw[xrow(t, bb)*GH:][:GH]
					hg := hr[bb*GH:][:GH]
					hb, cb := h[bb*H:][:H], c[bb*H:][:H]
					for j := 0; j < H; j++ {
						gi := float64(xg[j]) + float64(hg[j])
						gO := float64(xg[H+j]) + float64(hg[H+j])
						gf := float64(xg[2*H+j]) + float64(hg[2*H+j])
						gc := float64(xg[3*H+j]) + float64(hg[3*H+j])
						cp := float64(cb[j])
						if p != nil {
							gi += float64(pi[j]) * cp
							gf += float64(pf[j]) * cp
						}
						ig := f.apply(cl(gi))
						var fg float64
						if o.inputForget {
							fg = 1 - ig
						} else {
							fg = f.apply(cl(gf))
						}
						cn := T(fg*cp + ig*g.apply(cl(gc)))
						if p != nil {
							gO += float64(po[j]) * float64(cn)
						}
						cb[j] = cn
						hb[j] = T(f.apply(cl(gO)) * ha.apply(float64(cn)))
					}
				}
			case gruKind:
				f, g := acts[0], acts[1]
				for bb := 0; bb < B; bb++ {
					t := step(s, bb)
					if t < 0 {
						continue
					}
					xg := xw[xrow(t, bb)*GH:][:GH]
					hg := hr[bb*GH:][:GH]
					hb := h[bb*H:][:H]
					zr, rr := zb[bb*H:][:H], rh[bb*H:][:H]
					for j := 0; j < H; j++ {
						zr[j] = T(f.apply(cl(float64(xg[j]) + float64(hg[j]))))
						rg := f.apply(cl(float64(xg[H+j]) + float64(hg[H+j])))
						if o.lbr {
							rr[j] = T(rg)
						} else {
							rr[j] = T(rg * float64(hb[j]))
						}
					}
				}
				if !o.lbr {
					recur(eng, B, H, H, rh, rd[2*H*H:], hr[2*H:], GH, threads)
				}
				for bb := 0; bb < B; bb++ {
					t := step(s, bb)
					if t < 0 {
						continue
					}
					xg := xw[xrow(t, bb)*GH:][:GH]
					hg := hr[bb*GH:][:GH]
					hb := h[bb*H:][:H]
					zr, rr := zb[bb*H:][:H], rh[bb*H:][:H]
					for j := 0; j < H; j++ {
						var pre float64
						if o.lbr {
							lin := float64(hg[2*H+j])
							if rbh != nil {
								lin += float64(rbh[j])
							}
							pre = float64(xg[2*H+j]) + float64(rr[j])*lin
						} else {
							pre = float64(xg[2*H+j]) + float64(hg[2*H+j])
						}
						hh := g.apply(cl(pre))
						z := float64(zr[j])
						hb[j] = T((1-z)*hh + z*float64(hb[j]))
					}
				}
			case rnnKind:
				f := acts[0]
				for bb := 0; bb < B; bb++ {
					t := step(s, bb)
					if t < 0 {
						continue
					}
					xg := xw[xrow(t, bb)*GH:][:GH]
					hg := hr[bb*GH:][:GH]
					hb := h[bb*H:][:H]
					for j := 0; j < H; j++ {
						hb[j] = T(f.apply(cl(float64(xg[j]) + float64(hg[j]))))
					}
				}
			}
			if y != nil {
				for bb := 0; bb < B; bb++ {
					if t := step(s, bb); t >= 0 {
						copy(y[yoff(t, dir, bb):][:H], h[bb*H:][:H])
					}
				}
			}
		}
		for bb := 0; bb < B; bb++ {
			if yh != nil {
				copy(yh[soff(dir, bb):][:H], h[bb*H:][:H])
			}
			if yc != nil {
				copy(yc[soff(dir, bb):][:H], c[bb*H:][:H])
			}
		}
	}
	return nil
}
