package elementwise

import (
	"fmt"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/operators/internal/broadcast"

	"github.com/onnxrun/onnxrun/operators"
)

// Kernels built inside generic functions are closures over the type's
// dictionary, which the runtime allocates each time they are made. So
// every broadcast kernel set is built once, here, and Run looks it up by
// family, element type and variant: a steady-state Run makes none.

type kkey struct {
	family  string
	dt      operators.DType
	variant int
}

var kcache = map[kkey]any{}

func put[K any](family string, dt operators.DType, variant int, k K) {
	kcache[kkey{family, dt, variant}] = k
}

// kernels returns the cached set; a miss is a bug in the tables below.
func kernels[K any](family string, dt operators.DType, variant int) K {
	k, ok := kcache[kkey{family, dt, variant}].(K)
	if !ok {
		panic(fmt.Sprintf("elementwise: no %s kernels for %v variant %d", family, dt, variant))
	}
	return k
}

// Family names.
const (
	famArith = "arith"
	famCmp   = "cmp"
	famLogic = "logic"
	famPRelu = "prelu"
	famFMod  = "fmod"
	famIMod  = "imod"
	famShift = "shift"
	famPow   = "pow"
	famFold  = "fold"
	famTake  = "take"
)

func putNumeric[T number](dt operators.DType) {
	for op := opAdd; op <= opDiv; op++ {
		put(famArith, dt, int(op), arithKernels[T](op))
	}
	putCmp[T](dt)
	for op := opSum; op <= opMin; op++ {
		put(famFold, dt, int(op), foldKernels[T](op))
	}
	put(famTake, dt, 0, takeKernels[T]())
}

func putCmp[T interface {
	number | string
}](dt operators.DType) {
	for op := opEq; op <= opGe; op++ {
		put(famCmp, dt, int(op), cmpKernels[T](op))
	}
}

func putSigned[T signed](dt operators.DType) { put(famPRelu, dt, 0, preluKernels[T]()) }

func putInteger[T integer](dt operators.DType) {
	put(famIMod, dt, 0, intModKernels[T](false))
	put(famIMod, dt, 1, intModKernels[T](true))
}

func putUnsigned[T ~uint8 | ~uint16 | ~uint32 | ~uint64](dt operators.DType) {
	put(famShift, dt, 0, shiftKernels[T](false))
	put(famShift, dt, 1, shiftKernels[T](true))
}

func putFloat[T float32 | float64](dt operators.DType) {
	put(famFMod, dt, 0, fmodKernels[T]())
	put(famPow, dt, 0, powKernels[T]())
	putSigned[T](dt)
}

func init() {
	putNumeric[float32](operators.Float32)
	// float32 Add and Sub of a tensor and one value (a bias row) through
	// the dispatch table's shift, (x - a) - b, which gives the same bits:
	// x + v is x - (-v) exactly, and subtracting +0 changes nothing.
	for op, k := range map[arithOp]broadcast.Kernels[float32, float32]{
		opAdd: {VV: addVV[float32], VS: addVSF32, SV: addSVF32},
		opSub: {VV: subVV[float32], VS: subVSF32, SV: subSV[float32]},
	} {
		put(famArith, operators.Float32, int(op), k)
	}
	putNumeric[float64](operators.Float64)
	putNumeric[int8](operators.Int8)
	putNumeric[uint8](operators.Uint8)
	putNumeric[int16](operators.Int16)
	putNumeric[uint16](operators.Uint16)
	putNumeric[int32](operators.Int32)
	putNumeric[uint32](operators.Uint32)
	putNumeric[int64](operators.Int64)
	putNumeric[uint64](operators.Uint64)
	putCmp[string](operators.String)
	putCmp[uint8](operators.Bool) // bools compare as their bytes 0 and 1

	putFloat[float32](operators.Float32)
	putFloat[float64](operators.Float64)
	putSigned[int8](operators.Int8)
	putSigned[int16](operators.Int16)
	putSigned[int32](operators.Int32)
	putSigned[int64](operators.Int64)

	putInteger[int8](operators.Int8)
	putInteger[uint8](operators.Uint8)
	putInteger[int16](operators.Int16)
	putInteger[uint16](operators.Uint16)
	putInteger[int32](operators.Int32)
	putInteger[uint32](operators.Uint32)
	putInteger[int64](operators.Int64)
	putInteger[uint64](operators.Uint64)

	putUnsigned[uint8](operators.Uint8)
	putUnsigned[uint16](operators.Uint16)
	putUnsigned[uint32](operators.Uint32)
	putUnsigned[uint64](operators.Uint64)

	for _, dt := range []operators.DType{operators.Float16, operators.BFloat16} {
		hc := codec(dt)
		for op := opAdd; op <= opDiv; op++ {
			put(famArith, dt, int(op), halfKernels(arithKernels[float32](op), hc))
		}
		for op := opEq; op <= opGe; op++ {
			put(famCmp, dt, int(op), halfCmpKernels(op, hc))
		}
		put(famPRelu, dt, 0, halfKernels(preluKernels[float32](), hc))
		put(famFMod, dt, 0, halfKernels(fmodKernels[float32](), hc))
		put(famPow, dt, 0, halfKernels(powKernels[float32](), hc))
	}
	for op := opAnd; op <= opXor; op++ {
		put(famLogic, operators.Bool, int(op), logicKernels(op))
	}
}

func addVSF32(c, a []float32, b float32) { dispatch.Active().ShiftF32(c, a[:len(c)], -b, 0) }

func addSVF32(c []float32, a float32, b []float32) { dispatch.Active().ShiftF32(c, b[:len(c)], -a, 0) }

func subVSF32(c, a []float32, b float32) { dispatch.Active().ShiftF32(c, a[:len(c)], b, 0) }
