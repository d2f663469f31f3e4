package gemm

import (
	"fmt"
	goruntime "runtime"
	"sync"
	"sync/atomic"

	"github.com/onnxrun/onnxrun/dispatch"
)

// Float is the element types the engine handles.
type Float interface{ ~float32 | ~float64 }

// Micro multiplies one packed A panel by one packed B panel and adds the
// product into an MR×NR tile of C:
//
//	for p := 0; p < kc; p++ {
//		for i := 0; i < MR; i++ {
//			for j := 0; j < NR; j++ {
//				c[i*ldc+j] += a[p*MR+i] * b[p*NR+j]
//			}
//		}
//	}
//
// len(a) >= kc*MR, len(b) >= kc*NR and c holds the whole tile.
type Micro[T Float] func(kc int, a, b, c []T, ldc int)

// Kernel is a micro-kernel with its tile shape. Store, when set, is
// Micro storing the product into the tile instead of adding it (the
// tile's previous contents ignored) with the bits Micro would add to a
// zero tile; the engine uses it on the first k-block of a C it starts
// itself, so C is written once instead of cleared (or filled with the
// bias) and read back. Without it New clears the tile and calls Micro.
type Kernel[T Float] struct {
	Name   string
	MR, NR int
	Micro  Micro[T]
	Store  Micro[T]
}

// Blocking sizes. KC×NR floats of B and MR×KC of A stay in L1 during a
// micro-kernel call; MC×KC of A (about 120 KiB for float32) and the KC×NC
// block of packed B (256 KiB) stay in L2 (512 KiB per core on the AMD EPYC
// the figures come from) across the micro-kernel calls that reuse them.
// With NC = 2048 the packed B block was 2 MiB: the packing stores (one
// panel row per 16 KiB) and the micro-kernel's B loads went to L3, and a
// 3×3 convolution's implicit im2col cost as much CPU time as its
// multiply-adds; NC = 256 cut ResNet-18's 64-channel 3×3 layer by about
// a quarter. MC and NC are rounded down to whole tiles so that only the
// matrix's own edge makes partial tiles.
const (
	kcBlock = 256
	mcBlock = 120
	ncBlock = 256
)

// Engine runs GEMMs with one micro-kernel. It is safe for concurrent use.
type Engine[T Float] struct {
	k      Kernel[T]
	mc, nc int       // mcBlock and ncBlock rounded down to whole tiles
	pool   sync.Pool // *[]T packing scratch
	// shift is the dispatch table's ShiftF32 for a float32 engine built
	// by NewF32 (nil otherwise): the epilogue adds a row's bias b as
	// shift(row, row, -b, 0), which rounds as row[j] + b, in vectors.
	shift func(dst, x []T, a, b T)

	startWorkers sync.Once
	work         chan task[T] // strips of parallel GEMMs for the workers
	jobs         sync.Pool    // *sync.WaitGroup, one per parallel GEMM
}

// New returns an engine that uses k.
func New[T Float](k Kernel[T]) *Engine[T] {
	if k.Store == nil {
		micro, mr, nr := k.Micro, k.MR, k.NR
		k.Store = func(kc int, a, b, c []T, ldc int) {
			for i := range mr {
				clear(c[i*ldc : i*ldc+nr])
			}
			micro(kc, a, b, c, ldc)
		}
	}
	return &Engine[T]{
		k:  k,
		mc: max(mcBlock/k.MR, 1) * k.MR,
		nc: max(ncBlock/k.NR, 1) * k.NR,
	}
}

// Name names the micro-kernel in use.
func (e *Engine[T]) Name() string { return e.k.Name }

var (
	// The 2×4 tile is the fastest pure-Go kernel: Go keeps its 8
	// accumulators and operands in registers, while 4×4 and 4×8 spill
	// accumulators to the stack every step. Process CPU time on one thread
	// (the machine was shared, so wall time was noise), in GFLOP/s, before
	// unrolling micro2x4's k loop; the unrolled 2×4 then reached 3.6-4.6 on
	// the same shapes:
	//
	//	shape (M×N×K)        2×4   4×2   4×4   4×8
	//	256×256×256          2.83  2.75  1.94  1.98
	//	64×12544×147         3.25  2.54  1.92
	//	64×3136×576          2.82  2.80  1.92
	//	128×784×1152         3.02  3.10  2.37
	//	256×196×2304         3.41  2.48  2.03  1.81
	//	512×49×4608          2.52  2.70  2.04
	goF32      = Kernel[float32]{Name: "go2x4", MR: 2, NR: 4, Micro: micro2x4[float32], Store: micro2x4Store[float32]}
	defaultF64 = New(Kernel[float64]{Name: "go2x4", MR: 2, NR: 4, Micro: micro2x4[float64], Store: micro2x4Store[float64]})
)

// f32Engine is the float32 engine built for one dispatch table.
type f32Engine struct {
	table *dispatch.Kernels
	e     *Engine[float32]
}

var lastF32 atomic.Pointer[f32Engine]

// F32 returns the float32 engine for the active dispatch table: its
// micro-kernels are the table's SgemmMicroF32 and SgemmMicroStoreF32
// (copied once, when the engine is built) with packing to the table's
// tile shape. When the table has no
// SIMD micro-kernel the unrolled pure-Go 2×4 kernel is used, which beats
// the table's plain reference loop.
func F32() *Engine[float32] {
	t := dispatch.Active()
	if c := lastF32.Load(); c != nil && c.table == t {
		return c.e
	}
	e := NewF32(t)
	lastF32.Store(&f32Engine{table: t, e: e})
	return e
}

// NewF32 returns a float32 engine using the micro-kernels of table t.
func NewF32(t *dispatch.Kernels) *Engine[float32] {
	var e *Engine[float32]
	for _, en := range t.Entries() {
		if en.Name == "SgemmMicroF32" && en.Level == dispatch.GenericLevel {
			e = New(goF32)
		}
	}
	if e == nil {
		name := fmt.Sprintf("%s-%dx%d", t.Level, t.SgemmMR, t.SgemmNR)
		e = New(Kernel[float32]{Name: name, MR: t.SgemmMR, NR: t.SgemmNR, Micro: t.SgemmMicroF32, Store: t.SgemmMicroStoreF32})
	}
	e.shift = t.ShiftF32
	return e
}

// F64 returns the default float64 engine.
func F64() *Engine[float64] { return defaultF64 }

// Sgemm computes C = alpha*op(A)*op(B) + beta*C with the default float32
// engine. op(A) is m×k: A is stored m×k with row stride lda, or k×m when
// transA. op(B) is k×n: B is stored k×n with row stride ldb, or n×k when
// transB. C is m×n with row stride ldc. threads > 1 splits the work over
// that many goroutines. When beta is 0, C's previous contents are ignored
// (NaNs in C do not propagate).
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, threads int) {
	F32().Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads)
}

// Dgemm is Sgemm for float64.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int, threads int) {
	defaultF64.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads)
}

// parallelMinFlops is the smallest m*n*k worth a second goroutine: about
// 50 µs of one core's work with a SIMD micro-kernel. Handing a strip to a
// worker costs about 1 µs when the worker is awake, but waking a parked
// one often takes tens of µs, so mid-sized products (mnist-8's second
// convolution, 0.6 M) ran slower on two threads than on one at 1<<18.
const parallelMinFlops = 1 << 20

// Gemm computes C = alpha*op(A)*op(B) + beta*C; see Sgemm.
func (e *Engine[T]) Gemm(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, threads int) {
	if m <= 0 || n <= 0 {
		return
	}
	if k <= 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	t := task[T]{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc}
	t.setEpilogue(Epilogue[T]{}, beta)
	e.dispatch(&t, threads)
}

// dispatch runs t on this goroutine or splits it between threads.
func (e *Engine[T]) dispatch(t *task[T], threads int) {
	if threads > 1 && t.m*t.n*t.k >= parallelMinFlops {
		e.gemmParallel(*t, threads)
		return
	}
	e.gemmSerial(t)
}

// gemmParallel splits C into column strips (or row strips when C is tall
// and narrow) on tile boundaries. The calling goroutine computes the last
// strip; the others go to the engine's long-lived workers, so a steady
// stream of GEMMs starts no goroutines and allocates nothing.
func (e *Engine[T]) gemmParallel(t task[T], threads int) {
	j := e.jobs.Get()
	if j == nil {
		j = new(sync.WaitGroup)
	}
	wg := j.(*sync.WaitGroup)
	t.wg = wg
	m, n := t.m, t.n
	a, b, c := t.a, t.b, t.c
	bCol, aRow := t.bCol, t.aRow
	bias, res := t.bias, t.res
	if n >= m {
		tiles := (n + e.k.NR - 1) / e.k.NR
		th := min(threads, tiles)
		per := (tiles + th - 1) / th * e.k.NR
		for j0 := 0; j0 < n; j0 += per {
			t.n, t.c = min(per, n-j0), c[j0:]
			if res != nil {
				t.res = res[j0:]
			}
			switch {
			case t.im != nil || t.pb != nil:
				t.bCol = bCol + j0
			case t.transB:
				t.b = b[j0*t.ldb:]
			default:
				t.b = b[j0:]
			}
			if j0+per >= n {
				t.wg = nil
				e.gemmSerial(&t)
				break
			}
			e.submit(t)
		}
	} else {
		tiles := (m + e.k.MR - 1) / e.k.MR
		th := min(threads, tiles)
		per := (tiles + th - 1) / th * e.k.MR
		for i0 := 0; i0 < m; i0 += per {
			t.m, t.c = min(per, m-i0), c[i0*t.ldc:]
			if bias != nil {
				t.bias = bias[i0:]
			}
			if res != nil {
				t.res = res[i0*t.ldr:]
			}
			switch {
			case t.pa != nil:
				t.aRow = aRow + i0
			case t.transA:
				t.a = a[i0:]
			default:
				t.a = a[i0*t.lda:]
			}
			if i0+per >= m {
				t.wg = nil
				e.gemmSerial(&t)
				break
			}
			e.submit(t)
		}
	}
	wg.Wait()
	e.jobs.Put(wg)
}

// task is one GEMM, or one strip of a parallel GEMM: C += alpha*op(A)*op(B)
// for an m×n block of C. A is either a matrix (a, lda, transA, alpha) or
// pre-packed (pa, starting at row aRow); B is a matrix (b, ldb, transB),
// pre-packed (pb, starting at column bCol) or, when im is set, the column
// matrix of the image b starting at column bCol.
type task[T Float] struct {
	transA, transB bool
	m, n, k        int
	alpha          T
	a, b, c        []T
	lda, ldb, ldc  int
	pa             *PackedA[T]
	aRow           int
	pb             *PackedB[T]
	im             *Im2col
	bCol           int
	// With initC the task starts C itself (beta 0 or a bias): the first
	// k-block stores its product into C instead of adding it. The
	// epilogue (GemmPacked, GemmIm): once a block of C's product is
	// complete, bias[i] is added to row i (with initC), then res (row
	// stride ldr), and act is applied, in one pass over the block. When
	// k spans several k-blocks the bias is added right after the first,
	// so the sum rounds as (bias + first block) + later blocks whether or
	// not the block was stored.
	initC bool
	bias  []T
	res   []T
	ldr   int
	act   func([]T)
	wg    *sync.WaitGroup // nil for the caller's own strip
}

// Epilogue is what GemmPacked and GemmIm do to C besides the product, one
// block of columns at a time while it is in cache, on the goroutine that
// computed it. All fields are optional.
type Epilogue[T Float] struct {
	Bias  []T       // C starts from Bias[i] in row i (beta is ignored)
	Res   []T       // added to C after the product: C[i,j] += Res[i*LdRes+j]
	LdRes int       // Res's row stride
	Act   func([]T) // applied last, in place, to runs of a row of C
}

// initBlock starts columns [j0, j0+nc) of t's C from the bias (or zero),
// for the paths that accumulate into C from its first block (the
// matrix-vector loops, k = 0).
func (t *task[T]) initBlock(j0, nc int) {
	for i := 0; i < t.m; i++ {
		row := t.c[i*t.ldc+j0 : i*t.ldc+j0+nc]
		if t.bias == nil {
			clear(row)
			continue
		}
		fill(row, t.bias[i])
	}
}

// fill sets every element of row to v. It writes a few elements one by one
// and then doubles the filled prefix with copy, whose vectorised memmove
// beats a scalar store loop several times over on rows of hundreds of
// elements. (The blocked path no longer fills C at all: its first k-block
// stores the product and finishBlock adds the bias.)
func fill[T Float](row []T, v T) {
	n := min(len(row), 8)
	for j := range n {
		row[j] = v
	}
	for n < len(row) {
		n += copy(row[n:], row[:n])
	}
}

// finishBlock completes rows [i0, i0+mc) × columns [j0, j0+nc) of t's C:
// with bias it adds bias[i] to row i, then the residual, then it applies
// the activation, a row at a time (one pass while the row is in L1).
func (e *Engine[T]) finishBlock(t *task[T], i0, mc, j0, nc int, bias bool) {
	for i := i0; i < i0+mc; i++ {
		row := t.c[i*t.ldc+j0 : i*t.ldc+j0+nc]
		if bias {
			e.addScalar(row, t.bias[i])
		}
		if t.res != nil {
			r := t.res[i*t.ldr+j0 : i*t.ldr+j0+nc]
			j := 0
			for ; j+4 <= len(row); j += 4 {
				rp, sp := (*[4]T)(row[j:]), (*[4]T)(r[j:])
				rp[0] += sp[0]
				rp[1] += sp[1]
				rp[2] += sp[2]
				rp[3] += sp[3]
			}
			for ; j < len(row); j++ {
				row[j] += r[j]
			}
		}
		if t.act != nil {
			t.act(row)
		}
	}
}

// biasBlock adds bias[i] to row i of rows [i0, i0+mc) × columns
// [j0, j0+nc) of t's C.
func (e *Engine[T]) biasBlock(t *task[T], i0, mc, j0, nc int) {
	for i := i0; i < i0+mc; i++ {
		e.addScalar(t.c[i*t.ldc+j0:i*t.ldc+j0+nc], t.bias[i])
	}
}

// addScalar computes row[j] += v: through the table's shift for float32
// (x - (-v) - 0 rounds exactly as x + v, zeros' signs included), else a
// loop.
func (e *Engine[T]) addScalar(row []T, v T) {
	if e.shift != nil {
		e.shift(row, row, -v, 0)
		return
	}
	j := 0
	for ; j+4 <= len(row); j += 4 {
		rp := (*[4]T)(row[j:])
		rp[0] += v
		rp[1] += v
		rp[2] += v
		rp[3] += v
	}
	for ; j < len(row); j++ {
		row[j] += v
	}
}

// setEpilogue installs ep on t and prepares C: with a bias, or beta 0,
// the strips start their blocks themselves (storing the first k-block's
// product); otherwise C is scaled here and every block adds into it.
func (t *task[T]) setEpilogue(ep Epilogue[T], beta T) {
	t.bias, t.res, t.ldr, t.act = ep.Bias, ep.Res, ep.LdRes, ep.Act
	t.initC = ep.Bias != nil || beta == 0
	if !t.initC {
		scaleC(t.m, t.n, beta, t.c, t.ldc)
	}
}

// submit hands t to a worker, starting the engine's workers on first use
// (one per CPU, which bounds any threads setting in practice; a GEMM with
// more strips than idle workers waits for one to free up).
func (e *Engine[T]) submit(t task[T]) {
	e.startWorkers.Do(func() {
		n := max(goruntime.NumCPU(), 2)
		e.work = make(chan task[T], n)
		for range n {
			go func() {
				for t := range e.work {
					e.gemmSerial(&t)
					t.wg.Done()
				}
			}()
		}
	})
	t.wg.Add(1)
	e.work <- t
}

func scaleC[T Float](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

func (e *Engine[T]) scratch(n int) *[]T {
	if p, ok := e.pool.Get().(*[]T); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]T, n)
	return &s
}

// gemmSerial computes t's C += alpha*op(A)*op(B) on one goroutine.
func (e *Engine[T]) gemmSerial(t *task[T]) {
	m, n, k := t.m, t.n, t.k
	c, ldc := t.c, t.ldc
	if t.pa == nil && t.im == nil && t.pb == nil && (m == 1 || n == 1) {
		if t.initC {
			t.initBlock(0, n) // the matrix-vector loops add into C
		}
		if m == 1 {
			gemvRow(t.transA, t.transB, n, k, t.alpha, t.a, t.lda, t.b, t.ldb, c)
			return
		}
		if n == 1 {
			gemvCol(t.transA, t.transB, m, k, t.alpha, t.a, t.lda, t.b, t.ldb, c, ldc)
			return
		}
	}
	mr, nr := e.k.MR, e.k.NR
	store := e.k.Store
	mcBlock, ncBlock := e.mc, e.nc
	kcMax := min(k, kcBlock)
	mcMax := min(roundUp(m, mr), mcBlock)
	ncMax := min(roundUp(n, nr), ncBlock)
	aLen, bLen := kcMax*mcMax, kcMax*ncMax
	if t.pa != nil {
		aLen = 0
	}
	if t.pb != nil {
		bLen = 0
	}
	rowLen := 0
	if t.im != nil {
		rowLen = ncMax
	}
	bufp := e.scratch(aLen + bLen + mr*nr + rowLen)
	buf := *bufp
	pa := buf[:aLen]
	pb := buf[aLen : aLen+bLen]
	tile := buf[aLen+bLen : aLen+bLen+mr*nr]
	row := buf[aLen+bLen+mr*nr:]
	var mPad, nPad int
	if t.pa != nil {
		mPad = roundUp(t.pa.m, mr)
	}
	if t.pb != nil {
		nPad = roundUp(t.pb.n, nr)
	}

	finish := t.res != nil || t.act != nil || (t.initC && t.bias != nil)
	for j0 := 0; j0 < n; j0 += ncBlock {
		nc := min(ncBlock, n-j0)
		for p0 := 0; p0 < k; p0 += kcBlock {
			kc := min(kcBlock, k-p0)
			last := p0+kc >= k
			// put: this block's product is stored into C, not added.
			put := t.initC && p0 == 0
			micro := e.k.Micro
			if put {
				micro = store
			}
			bblk := pb
			switch {
			case t.pb != nil:
				off := nPad*p0 + (t.bCol+j0)*kc
				bblk = t.pb.data[off : off+roundUp(nc, nr)*kc]
			case t.im != nil:
				packIm(t.im, t.b, p0, t.bCol+j0, kc, nc, nr, pb, row)
			default:
				packB(t.transB, t.b, t.ldb, p0, j0, kc, nc, nr, pb)
			}
			for i0 := 0; i0 < m; i0 += mcBlock {
				mc := min(mcBlock, m-i0)
				ablk := pa
				if t.pa != nil {
					off := mPad*p0 + (t.aRow+i0)*kc
					ablk = t.pa.data[off : off+roundUp(mc, mr)*kc]
				} else {
					packA(t.transA, t.a, t.lda, i0, p0, mc, kc, mr, t.alpha, pa)
				}
				for jr := 0; jr < nc; jr += nr {
					nn := min(nr, nc-jr)
					bp := bblk[jr*kc : jr*kc+kc*nr]
					for ir := 0; ir < mc; ir += mr {
						mm := min(mr, mc-ir)
						ap := ablk[ir*kc : ir*kc+kc*mr]
						off := (i0+ir)*ldc + j0 + jr
						if mm == mr && nn == nr {
							micro(kc, ap, bp, c[off:], ldc)
							continue
						}
						store(kc, ap, bp, tile, nr)
						for i := 0; i < mm; i++ {
							crow := c[off+i*ldc : off+i*ldc+nn]
							trow := tile[i*nr : i*nr+nn]
							if put {
								copy(crow, trow)
								continue
							}
							for j := range crow {
								crow[j] += trow[j]
							}
						}
					}
				}
				// The mc×nc block just computed is still in cache.
				switch {
				case last && finish:
					e.finishBlock(t, i0, mc, j0, nc, put && t.bias != nil)
				case put && t.bias != nil:
					e.biasBlock(t, i0, mc, j0, nc)
				}
			}
		}
	}
	e.pool.Put(bufp)
}

// PackedA is a matrix alpha*op(A) copied once into an engine's A-panel
// layout, for a left operand (a layer's weights) that many GEMMs share.
// For each block of KC columns of op(A), in order, it holds the panels of
// MR rows that packA would make of all m rows: the block starting at
// column p0 begins at element roundUp(m, MR)*p0. It is read-only after
// PackA, so any number of GEMMs may use it at once.
type PackedA[T Float] struct {
	e    *Engine[T]
	m, k int
	data []T
}

// PackA packs alpha*op(A) (m×k; A stored m×k with row stride lda, or k×m
// when transA) for GemmPacked on this engine.
func (e *Engine[T]) PackA(transA bool, m, k int, alpha T, a []T, lda int) *PackedA[T] {
	mr := e.k.MR
	mPad := roundUp(max(m, 0), mr)
	p := &PackedA[T]{e: e, m: m, k: k, data: make([]T, mPad*max(k, 0))}
	for p0 := 0; p0 < k; p0 += kcBlock {
		kc := min(kcBlock, k-p0)
		packA(transA, a, lda, 0, p0, m, kc, mr, alpha, p.data[mPad*p0:mPad*p0+mPad*kc])
	}
	return p
}

// Dims returns the packed matrix's rows and columns.
func (p *PackedA[T]) Dims() (m, k int) { return p.m, p.k }

// Len is the number of elements the packed copy holds (rows rounded up
// to the engine's tile height).
func (p *PackedA[T]) Len() int { return len(p.data) }

// Engine returns the engine p was packed for.
func (p *PackedA[T]) Engine() *Engine[T] { return p.e }

// GemmPacked computes C = A*op(B) + beta*C with A pre-packed by PackA on
// this engine (alpha was applied then), followed by ep. With im nil,
// op(B) is k×n: B is stored k×n with row stride ldb, or n×k when transB.
// With im set, b is an image of im.C channels and op(B) is its column
// matrix (k = im.Rows(), n = im.Cols()), which is packed straight from the
// image. C is m×n with row stride ldc; threads as in Gemm.
func (e *Engine[T]) GemmPacked(pa *PackedA[T], n int, b []T, ldb int, transB bool, im *Im2col, beta T, c []T, ldc int, threads int, ep Epilogue[T]) {
	if pa.e != e {
		panic("gemm: PackedA used with another engine")
	}
	m, k := pa.m, pa.k
	if im != nil && (k != im.Rows() || n != im.Cols()) {
		panic(fmt.Sprintf("gemm: column matrix is %dx%d, GEMM wants %dx%d", im.Rows(), im.Cols(), k, n))
	}
	if m <= 0 || n <= 0 {
		return
	}
	t := task[T]{transB: transB, m: m, n: n, k: k, alpha: 1, pa: pa, b: b, ldb: ldb, im: im, c: c, ldc: ldc}
	t.setEpilogue(ep, beta)
	if k <= 0 {
		e.finishEmpty(&t)
		return
	}
	e.dispatch(&t, threads)
}

// finishEmpty applies t's epilogue to a product with k = 0.
func (e *Engine[T]) finishEmpty(t *task[T]) {
	if t.initC {
		t.initBlock(0, t.n)
	}
	if t.res != nil || t.act != nil {
		e.finishBlock(t, 0, t.m, 0, t.n, false)
	}
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// packB copies op(B)[p0:p0+kc, j0:j0+nc] into panels of nr columns: panel
// q holds, for each p, the nr values op(B)[p0+p, j0+q*nr : j0+q*nr+nr],
// zero-padded past nc.
func packB[T Float](transB bool, b []T, ldb, p0, j0, kc, nc, nr int, dst []T) {
	if !transB && (nr == 16 || nr == 32) {
		packBRows(b, ldb, p0, j0, kc, nc, nr, dst)
		return
	}
	for q := 0; q < nc; q += nr {
		nn := min(nr, nc-q)
		panel := dst[q*kc : q*kc+kc*nr]
		if !transB {
			for p := 0; p < kc; p++ {
				src := b[(p0+p)*ldb+j0+q : (p0+p)*ldb+j0+q+nn]
				d := panel[p*nr : p*nr+nr]
				copy(d, src)
				clear(d[nn:])
			}
			continue
		}
		for j := 0; j < nn; j++ {
			src := b[(j0+q+j)*ldb+p0 : (j0+q+j)*ldb+p0+kc]
			for p, v := range src {
				panel[p*nr+j] = v
			}
		}
		if nn < nr {
			for p := 0; p < kc; p++ {
				clear(panel[p*nr+nn : p*nr+nr])
			}
		}
	}
}

// packBRows is packB for a row-major B and the SIMD tile widths 16 and
// 32: it walks B row by row and deals each row out to the panels with
// whole-panel-row vector moves (dealRow).
func packBRows[T Float](b []T, ldb, p0, j0, kc, nc, nr int, dst []T) {
	for p := 0; p < kc; p++ {
		dealRow(b[(p0+p)*ldb+j0:(p0+p)*ldb+j0+nc], dst[p*nr:], kc, nc, nr)
	}
}

// packA copies alpha*op(A)[i0:i0+mc, p0:p0+kc] into panels of mr rows:
// panel q holds, for each p, the mr values alpha*op(A)[i0+q*mr+i, p0+p],
// zero-padded past mc.
func packA[T Float](transA bool, a []T, lda, i0, p0, mc, kc, mr int, alpha T, dst []T) {
	for q := 0; q < mc; q += mr {
		mm := min(mr, mc-q)
		panel := dst[q*kc : q*kc+kc*mr]
		if transA {
			for p := 0; p < kc; p++ {
				src := a[(p0+p)*lda+i0+q : (p0+p)*lda+i0+q+mm]
				d := panel[p*mr : p*mr+mr]
				for i, v := range src {
					d[i] = alpha * v
				}
				clear(d[mm:])
			}
			continue
		}
		for i := 0; i < mm; i++ {
			src := a[(i0+q+i)*lda+p0 : (i0+q+i)*lda+p0+kc]
			for p, v := range src {
				panel[p*mr+i] = alpha * v
			}
		}
		if mm < mr {
			for p := 0; p < kc; p++ {
				clear(panel[p*mr+mm : p*mr+mr])
			}
		}
	}
}

// GemmIm computes C = A*B' + beta*C where A is m×k (row stride lda) and
// B' is the column matrix of image x described by im (k = im.Rows()
// rows, im.Cols() columns), packed straight from the image, followed by
// ep. C has row stride ldc; threads as in Gemm.
func (e *Engine[T]) GemmIm(m int, a []T, lda int, x []T, im *Im2col, beta T, c []T, ldc int, threads int, ep Epilogue[T]) {
	n, k := im.Cols(), im.Rows()
	if m <= 0 || n <= 0 {
		return
	}
	t := task[T]{m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: x, im: im, c: c, ldc: ldc}
	t.setEpilogue(ep, beta)
	if k <= 0 {
		e.finishEmpty(&t)
		return
	}
	e.dispatch(&t, threads)
}

// PackedB is a matrix op(B) copied once into an engine's B-panel layout,
// for a right operand (a layer's weights) that many GEMMs share. For each
// block of KC rows of op(B), in order, it holds the panels of NR columns
// that packB would make of all n columns: the block starting at row p0
// begins at element roundUp(n, NR)*p0. It is read-only after PackB.
type PackedB[T Float] struct {
	e    *Engine[T]
	k, n int
	data []T
}

// PackB packs op(B) (k×n; B stored k×n with row stride ldb, or n×k when
// transB) for GemmPackedB on this engine.
func (e *Engine[T]) PackB(transB bool, k, n int, b []T, ldb int) *PackedB[T] {
	nr := e.k.NR
	nPad := roundUp(max(n, 0), nr)
	p := &PackedB[T]{e: e, k: k, n: n, data: make([]T, nPad*max(k, 0))}
	for p0 := 0; p0 < k; p0 += kcBlock {
		kc := min(kcBlock, k-p0)
		packB(transB, b, ldb, p0, 0, kc, n, nr, p.data[nPad*p0:nPad*p0+nPad*kc])
	}
	return p
}

// Dims returns the packed matrix's rows and columns.
func (p *PackedB[T]) Dims() (k, n int) { return p.k, p.n }

// Len is the number of elements the packed copy holds (columns rounded
// up to the engine's tile width).
func (p *PackedB[T]) Len() int { return len(p.data) }

// Engine returns the engine p was packed for.
func (p *PackedB[T]) Engine() *Engine[T] { return p.e }

// GemmPackedB computes C = alpha*op(A)*B + beta*C with B pre-packed by
// PackB on this engine. op(A) is m×k: A is stored m×k with row stride
// lda, or k×m when transA. C is m×n with row stride ldc; threads as in
// Gemm. A single row (a batch-1 fully connected layer) runs the SIMD
// micro-kernel over the packed panels, which streams the weights once at
// close to memory speed.
func (e *Engine[T]) GemmPackedB(transA bool, m int, alpha T, a []T, lda int, pb *PackedB[T], beta T, c []T, ldc int, threads int) {
	if pb.e != e {
		panic("gemm: PackedB used with another engine")
	}
	n, k := pb.n, pb.k
	if m <= 0 || n <= 0 {
		return
	}
	if k <= 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	t := task[T]{transA: transA, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, pb: pb, c: c, ldc: ldc}
	t.setEpilogue(Epilogue[T]{}, beta)
	e.dispatch(&t, threads)
}
