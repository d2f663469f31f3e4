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
			eng.Gemm(false, true, B, n, H, 1, h, H, rd, H, 0, hr, GH, threads)
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
					eng.Gemm(false, true, B, H, H, 1, rh, H, rd[2*H*H:], H, 0, hr[2*H:], GH, threads)
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
