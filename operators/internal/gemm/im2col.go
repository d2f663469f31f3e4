package gemm

// Im2col describes the column matrix of a convolution of one image (the
// channels of one group) without building it: row (c, kd, kh, kw) holds,
// for every output position in order, the input value that kernel tap
// sees there, zero in the padding. GemmPacked packs B panels straight from
// the image through it, so the matrix (kernel volume times the image's
// size) is never written out. Dimensions are depth, height, width; 1-D
// and 2-D convolutions leave the leading ones at 1 (strides and
// dilations 1, pads 0).
//
// With Flat set, the image is one the caller has already padded (In is
// its padded size, Pad is ignored and every stride must be 1), and column
// j stands for the input position j of a channel's flattened volume
// rather than for the j-th output position: row (c, kd, kh, kw) is then
// the channel's values from the kernel tap's offset on, one contiguous
// run of the image, and packing a block of it is a plain copy. The
// columns at a row's end past the last output (x >= Out[2], and likewise
// for the planes of a 3-D image) hold sums over the wrapped-around taps,
// which the caller discards: Cols is the flattened position of the last
// output plus one.
type Im2col struct {
	C                     int // channels
	In, K, S, D, Pad, Out [3]int
	Flat                  bool
}

// Rows is the column matrix's height: C times the kernel volume.
func (im *Im2col) Rows() int { return im.C * im.K[0] * im.K[1] * im.K[2] }

// Cols is the column matrix's width: the number of output positions, or
// with Flat the flattened position of the last output plus one.
func (im *Im2col) Cols() int {
	if im.Flat {
		if im.Out[0] <= 0 || im.Out[1] <= 0 || im.Out[2] <= 0 {
			return 0
		}
		return (im.Out[0]-1)*im.In[1]*im.In[2] + (im.Out[1]-1)*im.In[2] + im.Out[2]
	}
	return im.Out[0] * im.Out[1] * im.Out[2]
}

// span returns the range [lo, hi) of output positions o along one
// dimension whose input position o*s - pad + off lies in [0, n).
func span(outN, n, s, pad, off int) (lo, hi int) {
	a := pad - off
	if a > 0 {
		lo = (a + s - 1) / s
	}
	b := n - 1 + pad - off
	if b < 0 {
		return 0, 0
	}
	hi = min(outN, b/s+1)
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// packIm packs rows [p0, p0+kc) and columns [j0, j0+nc) of im's column
// matrix of image x into panels of nr columns, as packB would pack the
// built matrix. Each row is gathered into row (len >= nc), which stays in
// L1, and then dealt out to the panels.
func packIm[T Float](im *Im2col, x []T, p0, j0, kc, nc, nr int, dst, row []T) {
	if im.Flat {
		packFlat(im, x, p0, j0, kc, nc, nr, dst)
		return
	}
	kd, kh, kw := im.K[0], im.K[1], im.K[2]
	id, ih, iw := im.In[0], im.In[1], im.In[2]
	oh, ow := im.Out[1], im.Out[2]
	sd, sh, sw := im.S[0], im.S[1], im.S[2]
	inVol := id * ih * iw
	kVol := kd * kh * kw
	row = row[:nc]
	zrow0, zw0 := j0/ow, j0%ow
	zd0, zh0 := zrow0/oh, zrow0%oh
	for p := 0; p < kc; p++ {
		r := p0 + p
		c, rr := r/kVol, r%kVol
		fd, fh, fw := rr/(kh*kw), rr/kw%kh, rr%kw
		offW := fw * im.D[2]
		xc := x[c*inVol : (c+1)*inVol]
		wlo, whi := span(ow, iw, sw, im.Pad[2], offW)
		// Input row of output row (zd, zh), stepped along with them.
		zi := zd0*sd - im.Pad[0] + fd*im.D[0]
		yi0 := -im.Pad[1] + fh*im.D[1]
		yi := zh0*sh + yi0
		zh, zw := zh0, zw0
		for t := 0; t < nc; {
			l := min(ow-zw, nc-t)
			seg := row[t : t+l]
			lo, hi := max(wlo, zw), min(whi, zw+l)
			if zi < 0 || zi >= id || yi < 0 || yi >= ih || lo >= hi {
				clear(seg)
			} else {
				src := xc[(zi*ih+yi)*iw : (zi*ih+yi+1)*iw]
				if lo > zw {
					zero(seg[:lo-zw])
				}
				if hi < zw+l {
					zero(seg[hi-zw:])
				}
				base := lo*sw - im.Pad[2] + offW
				d := seg[lo-zw : hi-zw]
				switch sw {
				case 1:
					copy(d, src[base:base+len(d)])
				case 2:
					gather2(d, src[base:base+2*len(d)-1])
				default:
					for i := range d {
						d[i] = src[base]
						base += sw
					}
				}
			}
			t += l
			zw = 0
			zh++
			yi += sh
			if zh == oh {
				zh = 0
				yi = yi0
				zi += sd
			}
		}
		dealRow(row, dst[p*nr:], kc, nc, nr)
	}
}

// packFlat is packIm for a Flat im2col: each row's block is one run of
// the padded image, dealt straight to the panels. The run's start steps
// along with the kernel tap (no divisions per row).
func packFlat[T Float](im *Im2col, x []T, p0, j0, kc, nc, nr int, dst []T) {
	kd, kh, kw := im.K[0], im.K[1], im.K[2]
	kVol := kd * kh * kw
	plane := im.In[1] * im.In[2]
	inVol := im.In[0] * plane
	dd, dh, dw := im.D[0]*plane, im.D[1]*im.In[2], im.D[2]
	c, r := p0/kVol, p0%kVol
	fd, fh, fw := r/(kh*kw), r/kw%kh, r%kw
	base := c*inVol + fd*dd + fh*dh + fw*dw + j0
	for p := 0; p < kc; p++ {
		dealRow(x[base:base+nc], dst[p*nr:], kc, nc, nr)
		base += dw
		if fw++; fw < kw {
			continue
		}
		fw = 0
		base += dh - kw*dw
		if fh++; fh < kh {
			continue
		}
		fh = 0
		base += dd - kh*dh
		if fd++; fd < kd {
			continue
		}
		fd = 0
		base += inVol - kd*dd
	}
}

// dealRow writes src (one row of nc values of B) into its place in every
// nr-wide panel: panel q's row starts at d[q*kc], with zeros past nc.
func dealRow[T Float](src, d []T, kc, nc, nr int) {
	full := nc / nr * nr
	q := 0
	// Copies of 4-element arrays compile to one vector load and store;
	// bigger array copies become memmove calls, one per panel row, which
	// cost more than the copy itself.
	switch {
	case nr == 16:
		for ; q < full; q += 16 {
			dq, sq := d[q*kc:q*kc+16], src[q:q+16]
			*(*[4]T)(dq[0:]) = *(*[4]T)(sq[0:])
			*(*[4]T)(dq[4:]) = *(*[4]T)(sq[4:])
			*(*[4]T)(dq[8:]) = *(*[4]T)(sq[8:])
			*(*[4]T)(dq[12:]) = *(*[4]T)(sq[12:])
		}
	case nr%4 == 0:
		for ; q < full; q += nr {
			dq, sq := d[q*kc:q*kc+nr], src[q:q+nr]
			for i := 0; i+4 <= nr; i += 4 {
				*(*[4]T)(dq[i:]) = *(*[4]T)(sq[i:])
			}
		}
	}
	for ; q < nc; q += nr {
		tail := d[q*kc : q*kc+nr]
		n := copy(tail, src[q:min(q+nr, nc)])
		clear(tail[n:])
	}
}

// zero clears x. The padding at the ends of a row is a few elements, for
// which a loop beats a memclr call.
func zero[T Float](x []T) {
	if len(x) > 8 {
		clear(x)
		return
	}
	for i := 0; i < len(x); i++ {
		x[i] = 0
	}
}

// gather2 copies every other element of s into d: d[i] = s[2*i], with
// len(s) == 2*len(d)-1 (a stride-2 row of the column matrix).
func gather2[T Float](d, s []T) {
	i := 0
	for ; i+4 <= len(d) && 2*i+8 <= len(s); i += 4 {
		sp := (*[8]T)(s[2*i:])
		dp := (*[4]T)(d[i:])
		dp[0], dp[1], dp[2], dp[3] = sp[0], sp[2], sp[4], sp[6]
	}
	for ; i < len(d); i++ {
		d[i] = s[2*i]
	}
}

// OneKBlock reports whether a GEMM with inner dimension k (GemmPacked or
// GemmIm) takes it in one k-block. Its epilogue's bias then meets each
// element's finished sum, Σ + bias in one rounding: the bits of adding
// the bias after the GEMM. Over several k-blocks the bias joins the
// first block's partial sum instead.
func OneKBlock(k int) bool { return k <= kcBlock }
