package modeltest

import (
	"fmt"
	"math/rand"
	"os"
	"runtime/debug"
	"strconv"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// attrSpec lists the attributes an operator reads, by type.
type attrSpec struct {
	name string
	typ  operators.AttrType
}

var (
	spatialAttrs = []attrSpec{{"kernel_shape", operators.AttrInts}, {"strides", operators.AttrInts}, {"dilations", operators.AttrInts}, {"pads", operators.AttrInts}, {"auto_pad", operators.AttrString}}
	hostileOps   = []struct {
		op     string
		opsets []int
		inputs []operators.DType // Undefined: float32 data
		attrs  []attrSpec
	}{
		{"Conv", []int{11}, []operators.DType{0, 0, 0}, append([]attrSpec{{"group", operators.AttrInt}}, spatialAttrs...)},
		{"ConvTranspose", []int{11}, []operators.DType{0, 0, 0}, append([]attrSpec{{"group", operators.AttrInt}, {"output_padding", operators.AttrInts}, {"output_shape", operators.AttrInts}}, spatialAttrs...)},
		{"MaxPool", []int{12}, []operators.DType{0}, append([]attrSpec{{"ceil_mode", operators.AttrInt}, {"storage_order", operators.AttrInt}}, spatialAttrs...)},
		{"AveragePool", []int{19}, []operators.DType{0}, append([]attrSpec{{"ceil_mode", operators.AttrInt}, {"count_include_pad", operators.AttrInt}}, spatialAttrs...)},
		{"GlobalAveragePool", []int{1}, []operators.DType{0}, nil},
		{"Gemm", []int{13}, []operators.DType{0, 0, 0}, []attrSpec{{"transA", operators.AttrInt}, {"transB", operators.AttrInt}}},
		{"MatMul", []int{13}, []operators.DType{0, 0}, nil},
		{"BatchNormalization", []int{15}, []operators.DType{0, 0, 0, 0, 0}, nil},
		{"InstanceNormalization", []int{6}, []operators.DType{0, 0, 0}, nil},
		{"LayerNormalization", []int{17}, []operators.DType{0, 0, 0}, []attrSpec{{"axis", operators.AttrInt}}},
		{"LRN", []int{13}, []operators.DType{0}, []attrSpec{{"size", operators.AttrInt}}},
		{"Reshape", []int{14}, []operators.DType{0, operators.Int64}, []attrSpec{{"allowzero", operators.AttrInt}}},
		{"Flatten", []int{13}, []operators.DType{0}, []attrSpec{{"axis", operators.AttrInt}}},
		{"Squeeze", []int{13}, []operators.DType{0, operators.Int64}, nil},
		{"Unsqueeze", []int{13}, []operators.DType{0, operators.Int64}, nil},
		{"Squeeze", []int{11}, []operators.DType{0}, []attrSpec{{"axes", operators.AttrInts}}},
		{"Transpose", []int{13}, []operators.DType{0}, []attrSpec{{"perm", operators.AttrInts}}},
		{"Concat", []int{13}, []operators.DType{0, 0, 0}, []attrSpec{{"axis", operators.AttrInt}}},
		{"Split", []int{13}, []operators.DType{0, operators.Int64}, []attrSpec{{"axis", operators.AttrInt}}},
		{"Split", []int{18}, []operators.DType{0}, []attrSpec{{"axis", operators.AttrInt}, {"num_outputs", operators.AttrInt}}},
		{"Shape", []int{15}, []operators.DType{0}, []attrSpec{{"start", operators.AttrInt}, {"end", operators.AttrInt}}},
		{"Gather", []int{13}, []operators.DType{0, operators.Int64}, []attrSpec{{"axis", operators.AttrInt}}},
		{"GatherElements", []int{13}, []operators.DType{0, operators.Int64}, []attrSpec{{"axis", operators.AttrInt}}},
		{"Slice", []int{13}, []operators.DType{0, operators.Int64, operators.Int64, operators.Int64, operators.Int64}, nil},
		{"Slice", []int{1}, []operators.DType{0}, []attrSpec{{"starts", operators.AttrInts}, {"ends", operators.AttrInts}, {"axes", operators.AttrInts}}},
		{"ConstantOfShape", []int{9}, []operators.DType{operators.Int64}, nil},
		{"Expand", []int{13}, []operators.DType{0, operators.Int64}, nil},
		{"Tile", []int{13}, []operators.DType{0, operators.Int64}, nil},
		{"Pad", []int{19}, []operators.DType{0, operators.Int64, 0, operators.Int64}, []attrSpec{{"mode", operators.AttrString}}},
		{"Pad", []int{2}, []operators.DType{0}, []attrSpec{{"pads", operators.AttrInts}, {"mode", operators.AttrString}}},
		{"SpaceToDepth", []int{13}, []operators.DType{0}, []attrSpec{{"blocksize", operators.AttrInt}}},
		{"DepthToSpace", []int{13}, []operators.DType{0}, []attrSpec{{"blocksize", operators.AttrInt}}},
		{"Resize", []int{13}, []operators.DType{0, 0, 0, operators.Int64}, []attrSpec{{"mode", operators.AttrString}, {"coordinate_transformation_mode", operators.AttrString}}},
		{"Dropout", []int{13}, []operators.DType{0}, nil},
		{"GatherND", []int{13}, []operators.DType{0, operators.Int64}, []attrSpec{{"batch_dims", operators.AttrInt}}},
		{"ScatterND", []int{18}, []operators.DType{0, operators.Int64, 0}, []attrSpec{{"reduction", operators.AttrString}}},
		{"ScatterElements", []int{18}, []operators.DType{0, operators.Int64, 0}, []attrSpec{{"axis", operators.AttrInt}}},
		{"Compress", []int{11}, []operators.DType{0, operators.Bool}, []attrSpec{{"axis", operators.AttrInt}}},
		{"ConvInteger", []int{10}, []operators.DType{operators.Uint8, operators.Int8, operators.Uint8, operators.Int8}, append([]attrSpec{{"group", operators.AttrInt}}, spatialAttrs...)},
		{"MatMulInteger", []int{10}, []operators.DType{operators.Uint8, operators.Uint8, operators.Uint8, operators.Uint8}, nil},
	}
)

var strPool = []string{"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID", "constant", "reflect", "edge", "wrap", "linear", "cubic", "nearest", "half_pixel", "align_corners", "tf_crop_and_resize", "bogus"}

func hostileInt(r *rand.Rand) int64 {
	switch r.Intn(10) {
	case 0:
		return -1 << 62
	case 1:
		return 1 << 40
	case 2:
		return int64(r.Intn(7)) - 4
	}
	return int64(r.Intn(5))
}

func hostileShape(r *rand.Rand) []int {
	s := make([]int, r.Intn(6))
	for i := range s {
		s[i] = r.Intn(5)
	}
	return s
}

// TestNoPanics builds each operator with random, often invalid, attributes
// and runs it on random shapes and index values. Any outcome but a panic
// is fine: bad models must give errors.
func TestNoPanics(t *testing.T) {
	iterations := 300
	if testing.Short() {
		iterations = 50
	}
	seed := int64(70)
	if s := os.Getenv("ONNXRUN_FUZZ_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
		iterations = 3000
	}
	t.Logf("seed %d", seed)
	for hi, h := range hostileOps {
		for _, opset := range h.opsets {
			t.Run(fmt.Sprint(h.op, opset), func(t *testing.T) {
				// One stream per case, so a failure reproduces on its own.
				r := rand.New(rand.NewSource(seed*1000 + int64(hi)))
				reg, ok := operators.Lookup("", h.op, opset)
				if !ok {
					t.Fatalf("%s-%d not registered", h.op, opset)
				}
				for iter := 0; iter < iterations; iter++ {
					n := &operators.Node{Name: "fuzz", OpType: h.op, Opset: opset, Since: reg.Since, Attrs: map[string]*operators.Attr{}, Outputs: []string{"y"}}
					nin := 1 + r.Intn(len(h.inputs))
					for i := 0; i < nin; i++ {
						n.Inputs = append(n.Inputs, fmt.Sprint("in", i))
					}
					for _, a := range h.attrs {
						if r.Intn(3) == 0 {
							continue
						}
						at := &operators.Attr{Name: a.name, Type: a.typ}
						switch a.typ {
						case operators.AttrInt:
							at.I = hostileInt(r)
						case operators.AttrInts:
							for k := r.Intn(6); k > 0; k-- {
								at.Ints = append(at.Ints, hostileInt(r))
							}
						case operators.AttrString:
							at.S = []byte(strPool[r.Intn(len(strPool))])
						}
						n.Attrs[a.name] = at
					}
					in := make([]*operators.Value, nin)
					for i := range in {
						dt := h.inputs[i]
						if dt == operators.Undefined {
							dt = operators.Float32
						}
						if dt == operators.Int64 {
							v := make([]int64, r.Intn(6))
							for k := range v {
								v[k] = hostileInt(r)
							}
							in[i], _ = operators.FromSlice(v, []int{len(v)})
							continue
						}
						in[i], _ = operators.NewValue(dt, hostileShape(r))
					}
					func() {
						defer func() {
							if p := recover(); p != nil {
								t.Fatalf("panic: %v\nattrs %v\ninputs %v\n%s", p, describe(n.Attrs), in, debug.Stack())
							}
						}()
						op, err := reg.New(n)
						if err != nil {
							return
						}
						metas := make([]operators.Meta, len(in))
						for i, v := range in {
							metas[i] = v.Meta()
						}
						infer, err := op.Infer(metas, in)
						if err != nil {
							return
						}
						out := make([]*operators.Value, len(infer))
						_ = op.Run(&operators.RunContext{Threads: 2, Alloc: limitAlloc{}}, in, out)
					}()
				}
			})
		}
	}
}

func describe(attrs map[string]*operators.Attr) string {
	s := ""
	for k, a := range attrs {
		s += fmt.Sprintf("%s=%v%v%q ", k, a.I, a.Ints, a.S)
	}
	return s
}

// limitAlloc refuses large values, as the runtime's allocator does under
// its limits.
type limitAlloc struct{}

func (limitAlloc) Alloc(dt operators.DType, shape []int, zero bool) (*operators.Value, error) {
	if n := operators.NumElements(shape); n < 0 || n > 1<<20 {
		return nil, fmt.Errorf("%w: %v is over the test's limit", operators.ErrShape, shape)
	}
	return operators.NewValue(dt, shape)
}
