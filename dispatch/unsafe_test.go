package dispatch_test

import "unsafe"

// unsafeBefore32 returns the k elements that precede s in its backing
// array (the caller guarantees they exist).
func unsafeBefore32(s []float32, k int) []float32 {
	p := unsafe.Pointer(unsafe.SliceData(s))
	return unsafe.Slice((*float32)(unsafe.Add(p, -k*4)), k)
}

func unsafeBefore64(s []float64, k int) []float64 {
	p := unsafe.Pointer(unsafe.SliceData(s))
	return unsafe.Slice((*float64)(unsafe.Add(p, -k*8)), k)
}

// unsafeAfter32 returns the k elements that follow s in its backing array.
func unsafeAfter32(s []float32, k int) []float32 {
	p := unsafe.Pointer(unsafe.SliceData(s))
	return unsafe.Slice((*float32)(unsafe.Add(p, len(s)*4)), k)
}

func unsafeAfter64(s []float64, k int) []float64 {
	p := unsafe.Pointer(unsafe.SliceData(s))
	return unsafe.Slice((*float64)(unsafe.Add(p, len(s)*8)), k)
}

// alignedGuarded32 is guarded32 with the slice starting off elements past
// a 64-byte boundary, so kernels whose fast path needs an aligned buffer
// can be run both ways. guarded32 fills its whole buffer with guards, so
// whatever surrounds the returned slice is guard too.
func alignedGuarded32(n, off int) []float32 {
	buf := guarded32(n+16+off, 0)
	base := 0
	for uintptr(unsafe.Pointer(unsafe.SliceData(buf[base:])))%64 != 0 {
		base++
	}
	base += off
	return buf[base : base+n : base+n]
}
