package conv

// plane3x3 computes one output plane of a depthwise 3×3 convolution with
// dilation 1 (MobileNet's and ShuffleNet's depthwise layers) in one pass
// over the output: each output value is the bias plus its nine taps, added
// in the same order as depthwiseRange adds them (row by row, left to
// right), so both paths give the same bits. The generic path makes nine
// passes over the plane, one per tap.
//
// xc is the input plane (ih×iw), yc the output plane (oh×ow), wm the nine
// weights; sh, sw are the strides and ph, pw the leading pads.
func plane3x3[T elem](xc, yc, wm []T, b T, ih, iw, oh, ow, sh, sw, ph, pw int) {
	wk := (*[9]T)(wm[:9])
	w00, w01, w02 := wk[0], wk[1], wk[2]
	w10, w11, w12 := wk[3], wk[4], wk[5]
	w20, w21, w22 := wk[6], wk[7], wk[8]
	// Output columns whose three taps all lie inside the row.
	olo := (pw + sw - 1) / sw
	ohi := 0
	if iw-3+pw >= 0 {
		ohi = min(ow, (iw-3+pw)/sw+1)
	}
	olo = min(olo, ohi)
	for zh := 0; zh < oh; zh++ {
		dst := yc[zh*ow : (zh+1)*ow]
		iy := zh*sh - ph
		if iy < 0 || iy+2 >= ih {
			for o := range dst {
				dst[o] = edge3x3(xc, wk, b, ih, iw, iy, o*sw-pw)
			}
			continue
		}
		r0 := xc[iy*iw : (iy+1)*iw]
		r1 := xc[(iy+1)*iw : (iy+2)*iw]
		r2 := xc[(iy+2)*iw : (iy+3)*iw]
		for o := 0; o < olo; o++ {
			dst[o] = edge3x3(xc, wk, b, ih, iw, iy, o*sw-pw)
		}
		for o := olo; o < ohi; o++ {
			i := o*sw - pw
			a0 := (*[3]T)(r0[i : i+3])
			a1 := (*[3]T)(r1[i : i+3])
			a2 := (*[3]T)(r2[i : i+3])
			dst[o] = b + w00*a0[0] + w01*a0[1] + w02*a0[2] +
				w10*a1[0] + w11*a1[1] + w12*a1[2] +
				w20*a2[0] + w21*a2[1] + w22*a2[2]
		}
		for o := ohi; o < ow; o++ {
			dst[o] = edge3x3(xc, wk, b, ih, iw, iy, o*sw-pw)
		}
	}
}

// edge3x3 is one output value of plane3x3 whose window (top-left input
// position iy, ix) may reach into the padding.
func edge3x3[T elem](xc []T, wk *[9]T, b T, ih, iw, iy, ix int) T {
	s := b
	for fh := 0; fh < 3; fh++ {
		y := iy + fh
		if y < 0 || y >= ih {
			continue
		}
		for fw := 0; fw < 3; fw++ {
			x := ix + fw
			if x < 0 || x >= iw {
				continue
			}
			s += wk[fh*3+fw] * xc[y*iw+x]
		}
	}
	return s
}
