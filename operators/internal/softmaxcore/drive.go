package softmaxcore

import (
	"math"
	"sync"
	"unsafe"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

const (
	// minWork is the number of elements worth a goroutine of its own
	// (64 KiB of float32): below it the start-up and the cache traffic
	// of another goroutine cost more than they save.
	minWork = 16 << 10
	// tile is the number of columns one pass of the Cols kernels covers.
	// A tile of a [D, inner] block is D rows of tile elements, small
	// enough to stay in cache across the kernels' three passes for the
	// axis lengths seen in practice. It is a multiple of every vector
	// width, and tiles always start at multiples of it, so a column is
	// computed by the same code path whatever the thread count.
	tile = 256
	// group is the column granularity of the Cols kernels: each tile's
	// first w - w%group columns go through them, the rest (fewer than
	// group, only at the end of a block) are gathered one by one into a
	// contiguous row for the Row kernels. A multiple of every tier's lane
	// count would leave the Cols kernels no scalar tail, which is many
	// times slower than their vector body; 8 is that for the 4- and
	// 8-lane tiers and half a vector for the 16-lane one.
	group = 8
)

// kern holds the kernels of one element type, copied out of a
// dispatch.Kernels table.
type kern[T float32 | float64] struct {
	max        func(x []T) T
	expSum     func(dst, x []T, m T) T
	sumExp     func(x []T, m T) T
	scale      func(x []T, s T)
	shift      func(dst, x []T, a, b T)
	maxCols    func(m, x []T, n, width, stride int)
	expSumCols func(dst, x, m, s []T, n, width, stride int)
	sumExpCols func(x, m, s []T, n, width, stride int)
	scaleCols  func(x, s []T, n, width, stride int)
	shiftCols  func(dst, x, a, b []T, n, width, stride int)
	// softmaxRows and logSoftmaxRows, when set, normalise a batch of
	// contiguous rows per call with the bits of the row kernels above.
	softmaxRows, logSoftmaxRows func(dst, x []T, rows, d int)
	// softmaxRowsStream and logSoftmaxRowsStream, when set, are the
	// streaming forms of the two above, taking a scratch buffer (see
	// streamMin).
	softmaxRowsStream, logSoftmaxRowsStream func(dst, x, tmp []T, rows, d int)
	scratch                                 *sync.Pool // of *[2 * tile]T: the max and sum of one tile
	column                                  *sync.Pool // of *[]T: one gathered column, or the streaming scratch
}

var (
	scratch32 = sync.Pool{New: func() any { return new([2 * tile]float32) }}
	scratch64 = sync.Pool{New: func() any { return new([2 * tile]float64) }}
	column32  = sync.Pool{New: func() any { return new([]float32) }}
	column64  = sync.Pool{New: func() any { return new([]float64) }}
	// wide32 holds *[]float32 buffers for the float16/bfloat16 path.
	wide32 sync.Pool
)

func kernels32(k *dispatch.Kernels) kern[float32] {
	return kern[float32]{
		max: k.MaxF32, expSum: k.ExpSumF32, sumExp: k.SumExpF32, scale: k.ScaleF32, shift: k.ShiftF32,
		maxCols: k.MaxColsF32, expSumCols: k.ExpSumColsF32, sumExpCols: k.SumExpColsF32,
		scaleCols: k.ScaleColsF32, shiftCols: k.ShiftColsF32,
		softmaxRows: k.SoftmaxRowsF32, logSoftmaxRows: k.LogSoftmaxRowsF32,
		softmaxRowsStream: k.SoftmaxRowsStreamF32, logSoftmaxRowsStream: k.LogSoftmaxRowsStreamF32,
		scratch: &scratch32, column: &column32,
	}
}

func kernels64(k *dispatch.Kernels) kern[float64] {
	return kern[float64]{
		max: k.MaxF64, expSum: k.ExpSumF64, sumExp: k.SumExpF64, scale: k.ScaleF64, shift: k.ShiftF64,
		maxCols: k.MaxColsF64, expSumCols: k.ExpSumColsF64, sumExpCols: k.SumExpColsF64,
		scaleCols: k.ScaleColsF64, shiftCols: k.ShiftColsF64,
		scratch: &scratch64, column: &column64,
	}
}

// streamMin is the size, input plus output bytes, from which contiguous
// rows are normalised by the streaming row-batch entries, which write the
// output with non-temporal stores: when the tensors outgrow the
// last-level cache, each output line has been evicted before anything
// reads it, so reading it in for ownership first and writing it back
// later only spends memory bandwidth (a third of the traffic of a large
// Softmax). 0: never.
var streamMin = dispatch.LastLevelCache()

// streamTmp is the length of the scratch buffer of the streaming entries
// for rows of d elements: two rows, with which the x86 tiers pipeline
// long rows, and room for LogSoftmax to batch short rows.
func streamTmp(d int) int { return max(2*d, 4096) }

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// parallel reports whether rc.Parallel would start goroutines for n units
// of which minChunk are worth one; the callers skip building a closure
// otherwise, so a single-threaded run does not allocate.
func parallel(rc *operators.RunContext, n, minChunk int) bool {
	return rc != nil && rc.Threads > 1 && n/minChunk >= 2
}

// run computes dst from x (which may be the same slice) for geometry g,
// with len(dst) == len(x) == g.size() > 0.
func run[T float32 | float64](k *kern[T], log bool, rc *operators.RunContext, dst, x []T, g geom) {
	if g.inner == 1 {
		stream := k.softmaxRowsStream != nil && streamMin > 0 &&
			2*len(x)*int(unsafe.Sizeof(x[0])) > streamMin
		per := ceilDiv(minWork, g.d)
		if !parallel(rc, g.outer, per) {
			k.rows(log, stream, dst, x, g.d, 0, g.outer)
			return
		}
		rc.Parallel(g.outer, per, func(lo, hi int) { k.rows(log, stream, dst, x, g.d, lo, hi) })
		return
	}
	// Units are (block, column tile) pairs, numbered block-major.
	tiles := ceilDiv(g.inner, tile)
	units := g.outer * tiles
	per := ceilDiv(minWork, g.d*min(g.inner, tile))
	if !parallel(rc, units, per) {
		k.cols(log, dst, x, g, tiles, 0, units)
		return
	}
	rc.Parallel(units, per, func(lo, hi int) { k.cols(log, dst, x, g, tiles, lo, hi) })
}

// rows normalises the contiguous rows [lo, hi) of length d, through the
// streaming entries if stream is set.
func (k *kern[T]) rows(log, stream bool, dst, x []T, d, lo, hi int) {
	if stream {
		ds, xs := dst[lo*d:hi*d], x[lo*d:hi*d]
		tp := k.column.Get().(*[]T)
		if n := streamTmp(d); cap(*tp) < n {
			*tp = make([]T, n)
		}
		tmp := (*tp)[:cap(*tp)]
		if log {
			k.logSoftmaxRowsStream(ds, xs, tmp, hi-lo, d)
		} else {
			k.softmaxRowsStream(ds, xs, tmp, hi-lo, d)
		}
		k.column.Put(tp)
		return
	}
	if k.softmaxRows != nil {
		ds, xs := dst[lo*d:hi*d], x[lo*d:hi*d]
		if log {
			k.logSoftmaxRows(ds, xs, hi-lo, d)
		} else {
			k.softmaxRows(ds, xs, hi-lo, d)
		}
		return
	}
	for r := lo; r < hi; r++ {
		xs := x[r*d : (r+1)*d : (r+1)*d]
		ds := dst[r*d : (r+1)*d : (r+1)*d]
		m := k.max(xs)
		if log {
			s := k.sumExp(xs, m)
			k.shift(ds, xs, m, T(math.Log(float64(s))))
		} else {
			s := k.expSum(ds, xs, m)
			k.scale(ds, 1/s)
		}
	}
}

// cols normalises the units [lo, hi): unit u is column tile u%tiles of
// block u/tiles, a [g.d, w] window with row stride g.inner.
func (k *kern[T]) cols(log bool, dst, x []T, g geom, tiles, lo, hi int) {
	buf := k.scratch.Get().(*[2 * tile]T)
	defer k.scratch.Put(buf)
	m, s := buf[:tile], buf[tile:]
	var col *[]T // for the gathered columns, taken on first use
	defer func() {
		if col != nil {
			k.column.Put(col)
		}
	}()
	block := g.d * g.inner
	for u := lo; u < hi; u++ {
		b, j := u/tiles, (u%tiles)*tile
		w := min(tile, g.inner-j)
		off, end := b*block+j, (b+1)*block
		xs, ds := x[off:end:end], dst[off:end:end]
		if tail := w % group; tail > 0 {
			w -= tail
			if col == nil {
				col = k.column.Get().(*[]T)
				if cap(*col) < g.d {
					*col = make([]T, g.d)
				}
			}
			k.gathered(log, ds[w:], xs[w:], (*col)[:g.d], g.inner, tail)
			if w == 0 {
				continue
			}
		}
		k.maxCols(m, xs, g.d, w, g.inner)
		if log {
			k.sumExpCols(xs, m, s, g.d, w, g.inner)
			for i, v := range s[:w] {
				s[i] = T(math.Log(float64(v)))
			}
			k.shiftCols(ds, xs, m, s, g.d, w, g.inner)
		} else {
			k.expSumCols(ds, xs, m, s, g.d, w, g.inner)
			for i, v := range s[:w] {
				s[i] = 1 / v
			}
			k.scaleCols(ds, s, g.d, w, g.inner)
		}
	}
}

// gathered normalises the first w columns of a [len(row), stride] window
// one at a time: each is copied into row, normalised there by the Row
// kernels and copied back.
func (k *kern[T]) gathered(log bool, dst, x, row []T, stride, w int) {
	d := len(row)
	for j := range w {
		for i := range row {
			row[i] = x[i*stride+j]
		}
		k.rows(log, false, row, row, d, 0, 1)
		for i, v := range row {
			dst[i*stride+j] = v
		}
	}
}

// runHalf widens a float16 or bfloat16 tensor to float32, computes it in
// place through the float32 kernels and rounds the result back.
func (o *Op) runHalf(rc *operators.RunContext, log bool, dst, x []uint16, bf bool, g geom) {
	n := len(x)
	p, _ := wide32.Get().(*[]float32)
	if p == nil {
		p = new([]float32)
	}
	if cap(*p) < n {
		*p = make([]float32, n)
	}
	wide := (*p)[:n]
	widen, narrow := half.Float16sToFloat32s, half.Float32sToFloat16s
	if bf {
		widen, narrow = half.BFloat16sToFloat32s, half.Float32sToBFloat16s
	}
	convert(rc, wide, x, widen)
	run(&o.k32, log, rc, wide, wide, g)
	convert(rc, dst, wide, narrow)
	wide32.Put(p)
}

// convert runs an elementwise conversion, split between goroutines when it
// is large. (The closure lives in its own function so that a
// single-threaded run does not move anything to the heap.)
func convert[D, S any](rc *operators.RunContext, dst []D, src []S, fn func([]D, []S)) {
	if !parallel(rc, len(src), minWork) {
		fn(dst, src)
		return
	}
	convertParallel(rc, dst, src, fn)
}

func convertParallel[D, S any](rc *operators.RunContext, dst []D, src []S, fn func([]D, []S)) {
	rc.Parallel(len(src), minWork, func(lo, hi int) { fn(dst[lo:hi], src[lo:hi]) })
}
