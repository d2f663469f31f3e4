package elementwise

import "github.com/onnxrun/onnxrun/operators/internal/broadcast"

// The loops below reslice their operands to len(c) first so the compiler
// drops the bounds checks inside.

func addVV[T number](c, a, b []T) {
	a, b = a[:len(c)], b[:len(c)]
	for i := range c {
		c[i] = a[i] + b[i]
	}
}

func addVS[T number](c, a []T, b T) {
	a = a[:len(c)]
	for i := range c {
		c[i] = a[i] + b
	}
}

func addSV[T number](c []T, a T, b []T) { addVS(c, b, a) }

func subVV[T number](c, a, b []T) {
	a, b = a[:len(c)], b[:len(c)]
	for i := range c {
		c[i] = a[i] - b[i]
	}
}

func subVS[T number](c, a []T, b T) {
	a = a[:len(c)]
	for i := range c {
		c[i] = a[i] - b
	}
}

func subSV[T number](c []T, a T, b []T) {
	b = b[:len(c)]
	for i := range c {
		c[i] = a - b[i]
	}
}

func mulVV[T number](c, a, b []T) {
	a, b = a[:len(c)], b[:len(c)]
	for i := range c {
		c[i] = a[i] * b[i]
	}
}

func mulVS[T number](c, a []T, b T) {
	a = a[:len(c)]
	for i := range c {
		c[i] = a[i] * b
	}
}

func mulSV[T number](c []T, a T, b []T) { mulVS(c, b, a) }

// The division loops are only called on integer divisors without zeros
// (the operator checks first) or on floats.

func divVV[T number](c, a, b []T) {
	a, b = a[:len(c)], b[:len(c)]
	for i := range c {
		c[i] = a[i] / b[i]
	}
}

func divVS[T number](c, a []T, b T) {
	a = a[:len(c)]
	for i := range c {
		c[i] = a[i] / b
	}
}

func divSV[T number](c []T, a T, b []T) {
	b = b[:len(c)]
	for i := range c {
		c[i] = a / b[i]
	}
}

type arithOp uint8

const (
	opAdd arithOp = iota
	opSub
	opMul
	opDiv
)

// arithKernels returns the loops of op for element type T.
func arithKernels[T number](op arithOp) broadcast.Kernels[T, T] {
	switch op {
	case opAdd:
		return broadcast.Kernels[T, T]{VV: addVV[T], VS: addVS[T], SV: addSV[T]}
	case opSub:
		return broadcast.Kernels[T, T]{VV: subVV[T], VS: subVS[T], SV: subSV[T]}
	case opMul:
		return broadcast.Kernels[T, T]{VV: mulVV[T], VS: mulVS[T], SV: mulSV[T]}
	}
	return broadcast.Kernels[T, T]{VV: divVV[T], VS: divVS[T], SV: divSV[T]}
}

// halfKernels lifts float32 loops to a 16-bit float format: each call
// widens up to halfBlock elements of its operands into pooled buffers,
// runs the float32 loop and rounds the result back.
func halfKernels(kf broadcast.Kernels[float32, float32], hc halfCodec) broadcast.Kernels[uint16, uint16] {
	widen := func(dst []float32, src []uint16) {
		for i, h := range src {
			dst[i] = hc.from(h)
		}
	}
	narrow := func(dst []uint16, src []float32) {
		for i, f := range src {
			dst[i] = hc.to(f)
		}
	}
	return broadcast.Kernels[uint16, uint16]{
		VV: func(c, a, b []uint16) {
			buf := halfBufs.Get().(*[3][halfBlock]float32)
			defer halfBufs.Put(buf)
			fa, fb, fc := &buf[0], &buf[1], &buf[2]
			for lo := 0; lo < len(c); lo += halfBlock {
				n := min(halfBlock, len(c)-lo)
				widen(fa[:n], a[lo:lo+n])
				widen(fb[:n], b[lo:lo+n])
				kf.VV(fc[:n], fa[:n], fb[:n])
				narrow(c[lo:lo+n], fc[:n])
			}
		},
		VS: func(c, a []uint16, b uint16) {
			buf := halfBufs.Get().(*[3][halfBlock]float32)
			defer halfBufs.Put(buf)
			fa, fc := &buf[0], &buf[2]
			s := hc.from(b)
			for lo := 0; lo < len(c); lo += halfBlock {
				n := min(halfBlock, len(c)-lo)
				widen(fa[:n], a[lo:lo+n])
				kf.VS(fc[:n], fa[:n], s)
				narrow(c[lo:lo+n], fc[:n])
			}
		},
		SV: func(c []uint16, a uint16, b []uint16) {
			buf := halfBufs.Get().(*[3][halfBlock]float32)
			defer halfBufs.Put(buf)
			fb, fc := &buf[1], &buf[2]
			s := hc.from(a)
			for lo := 0; lo < len(c); lo += halfBlock {
				n := min(halfBlock, len(c)-lo)
				widen(fb[:n], b[lo:lo+n])
				kf.SV(fc[:n], s, fb[:n])
				narrow(c[lo:lo+n], fc[:n])
			}
		},
	}
}
