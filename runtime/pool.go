package runtime

import (
	"math"
	"math/bits"
	"unsafe"

	"github.com/onnxrun/onnxrun/operators"
)

// maxAlloc bounds one buffer from the pool (in bytes), far above any real
// tensor, so size arithmetic cannot overflow.
const maxAlloc = math.MaxInt >> 2

// pbuf is a pooled buffer and the Value that views it. refs counts the
// slots of the current run that hold a value living in it.
type pbuf struct {
	v     *operators.Value
	raw   []byte // the whole buffer; v.Raw is a prefix of it
	shape []int  // backing for v.Shape
	refs  int
}

// bufPool keeps free buffers by size class. Classes are a quarter of a
// power of two apart, so a buffer wastes at most a quarter of its size,
// and a run with fixed shapes reaches a steady state where every request
// finds a free buffer of its class.
//
// Buffers of a class no request has asked for in the last keepRuns runs
// are dropped, so a session whose shapes change (a varying sequence
// length) does not keep buffers for every size it has ever seen.
type bufPool struct {
	free    [][]*pbuf // by class
	lastUse []int     // by class: the run that last asked for it
	run     int
}

// keepRuns is how many runs a size class stays pooled without use.
const keepRuns = 4

// sizeClass returns the class of a request of n bytes and the capacity of
// buffers in that class.
func sizeClass(n int) (class, size int) {
	const minSize = 64
	if n <= minSize {
		return 0, minSize
	}
	e := bits.Len(uint(n-1)) - 1 // 2^e < n <= 2^(e+1)
	step := 1 << (e - 2)
	sub := (n - 1<<e + step - 1) / step // 1..4
	return (e-5)*4 + sub - 3, 1<<e + sub*step
}

// get returns a buffer of at least n bytes whose Value's Raw is its first
// n bytes.
func (p *bufPool) get(n int) *pbuf {
	c, size := sizeClass(n)
	for c >= len(p.lastUse) {
		p.lastUse = append(p.lastUse, 0)
	}
	p.lastUse[c] = p.run
	if c < len(p.free) {
		if l := p.free[c]; len(l) > 0 {
			b := l[len(l)-1]
			l[len(l)-1] = nil
			p.free[c] = l[:len(l)-1]
			// Operators own the Value while it is live and may have
			// replaced its fields; rebuild them from the pool's own.
			b.v.Raw = b.raw[:n]
			return b
		}
	}
	raw := operators.MakeRaw(size)
	return &pbuf{v: &operators.Value{Raw: raw[:n]}, raw: raw}
}

// put returns b to the pool.
func (p *bufPool) put(b *pbuf) {
	b.refs = 0
	c, _ := sizeClass(len(b.raw))
	for c >= len(p.free) {
		p.free = append(p.free, nil)
	}
	p.free[c] = append(p.free[c], b)
}

// endRun drops the free buffers of classes unused for keepRuns runs and
// starts the next run.
func (p *bufPool) endRun() {
	for c, l := range p.free {
		if len(l) > 0 && p.run-p.lastUse[c] >= keepRuns {
			clear(l)
			p.free[c] = l[:0]
		}
	}
	p.run++
}

// overlaps reports whether the bytes of v lie inside the capacity of buf.
func overlaps(buf, v []byte) bool {
	if cap(buf) == 0 || len(v) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	hi := lo + uintptr(cap(buf))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(v)))
	return p >= lo && p < hi
}
