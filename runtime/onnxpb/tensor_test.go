package onnxpb

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/onnxrun/onnxrun/operators"
)

// le builds little-endian bytes from values of fixed width, independently
// of the decoder's own code path.
func le(width int, vals ...uint64) []byte {
	b := make([]byte, 0, width*len(vals))
	for _, v := range vals {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], v)
		b = append(b, w[:width]...)
	}
	return b
}

func TestTensorToValueRaw(t *testing.T) {
	f32 := func(x float32) uint64 { return uint64(math.Float32bits(x)) }
	f64 := math.Float64bits
	cases := []struct {
		dt   operators.DType
		raw  []byte
		want any // typed view expected
	}{
		{operators.Float32, le(4, f32(1.5), f32(-2)), []float32{1.5, -2}},
		{operators.Float64, le(8, f64(1.5), f64(-2)), []float64{1.5, -2}},
		{operators.Int8, []byte{0x80, 0x7f}, []int8{-128, 127}},
		{operators.Uint8, []byte{0, 255}, []uint8{0, 255}},
		{operators.Int16, le(2, 0x8000, 1), []int16{-32768, 1}},
		{operators.Uint16, le(2, 0xffff, 1), []uint16{65535, 1}},
		{operators.Int32, le(4, 0x80000000, 7), []int32{math.MinInt32, 7}},
		{operators.Uint32, le(4, 0xffffffff, 7), []uint32{math.MaxUint32, 7}},
		{operators.Int64, le(8, 1<<63, 7), []int64{math.MinInt64, 7}},
		{operators.Uint64, le(8, 1<<64-1, 7), []uint64{math.MaxUint64, 7}},
		{operators.Bool, []byte{0, 2}, []bool{false, true}}, // 2 normalised to true
		{operators.Float16, le(2, 0x3c00, 0xc000), []uint16{0x3c00, 0xc000}},
		{operators.BFloat16, le(2, 0x3f80, 0xc000), []uint16{0x3f80, 0xc000}},
		{operators.Complex64, le(4, f32(1), f32(2), f32(3), f32(4)), []float32{1, 2, 3, 4}},
		{operators.Complex128, le(8, f64(1), f64(2), f64(3), f64(4)), []float64{1, 2, 3, 4}},
	}
	for _, c := range cases {
		t.Run(c.dt.String(), func(t *testing.T) {
			// Offset the raw data by one byte inside a larger buffer so the
			// source is misaligned, as a sub-slice of a model would be.
			buf := append([]byte{0xAA}, c.raw...)
			tp := &Tensor{Name: "x", DataType: int32(c.dt), Dims: []int64{2}, RawData: buf[1:], HasRawData: true}
			v, err := TensorToValue(tp, "", Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if v.DType != c.dt || !reflect.DeepEqual(v.Shape, []int{2}) {
				t.Fatalf("value %v", v)
			}
			if uintptr(unsafe.Pointer(unsafe.SliceData(v.Raw)))%8 != 0 {
				t.Error("Raw is not 8-byte aligned")
			}
			if &v.Raw[0] == &buf[1] {
				t.Error("Raw aliases the tensor's raw_data")
			}
			if got := view(v); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
			// Wrong lengths by one element either way are refused.
			for _, n := range []int64{1, 3} {
				tp.Dims = []int64{n}
				if _, err := TensorToValue(tp, "", Limits{}); !errors.Is(err, operators.ErrInvalidModel) || !strings.Contains(err.Error(), `tensor "x": raw_data`) {
					t.Errorf("dims [%d]: error %v", n, err)
				}
			}
		})
	}
}

func view(v *operators.Value) any {
	switch v.DType {
	case operators.Float32, operators.Complex64:
		return v.F32()
	case operators.Float64, operators.Complex128:
		return v.F64()
	case operators.Int8:
		return v.I8()
	case operators.Uint8:
		return v.U8()
	case operators.Int16:
		return v.I16()
	case operators.Uint16, operators.Float16, operators.BFloat16:
		return v.U16()
	case operators.Int32:
		return v.I32()
	case operators.Uint32:
		return v.U32()
	case operators.Int64:
		return v.I64()
	case operators.Uint64:
		return v.U64()
	case operators.Bool:
		return v.Bools()
	case operators.String:
		return v.Strs
	}
	return nil
}

func TestTensorToValueTyped(t *testing.T) {
	cases := []struct {
		name string
		t    Tensor
		want any
	}{
		{"float32", Tensor{DataType: 1, Dims: []int64{2}, FloatData: []float32{1, -0.5}}, []float32{1, -0.5}},
		{"complex64", Tensor{DataType: 14, Dims: []int64{1}, FloatData: []float32{1, 2}}, []float32{1, 2}},
		{"float64", Tensor{DataType: 11, Dims: []int64{2}, DoubleData: []float64{1e300, -1}}, []float64{1e300, -1}},
		{"complex128", Tensor{DataType: 15, Dims: []int64{1}, DoubleData: []float64{1, 2}}, []float64{1, 2}},
		{"int64", Tensor{DataType: 7, Dims: []int64{2}, Int64Data: []int64{math.MinInt64, 5}}, []int64{math.MinInt64, 5}},
		{"uint64", Tensor{DataType: 13, Dims: []int64{1}, Uint64Data: []uint64{math.MaxUint64}}, []uint64{math.MaxUint64}},
		{"uint32", Tensor{DataType: 12, Dims: []int64{1}, Uint64Data: []uint64{math.MaxUint32}}, []uint32{math.MaxUint32}},
		{"int32", Tensor{DataType: 6, Dims: []int64{2}, Int32Data: []int32{math.MinInt32, 3}}, []int32{math.MinInt32, 3}},
		{"int16", Tensor{DataType: 5, Dims: []int64{2}, Int32Data: []int32{-32768, 32767}}, []int16{-32768, 32767}},
		{"uint16", Tensor{DataType: 4, Dims: []int64{1}, Int32Data: []int32{65535}}, []uint16{65535}},
		{"int8", Tensor{DataType: 3, Dims: []int64{2}, Int32Data: []int32{-128, 127}}, []int8{-128, 127}},
		{"uint8", Tensor{DataType: 2, Dims: []int64{2}, Int32Data: []int32{0, 255}}, []uint8{0, 255}},
		{"bool", Tensor{DataType: 9, Dims: []int64{3}, Int32Data: []int32{0, 1, 5}}, []bool{false, true, true}},
		{"float16", Tensor{DataType: 10, Dims: []int64{1}, Int32Data: []int32{0x3c00}}, []uint16{0x3c00}},
		{"bfloat16", Tensor{DataType: 16, Dims: []int64{1}, Int32Data: []int32{0xbf80}}, []uint16{0xbf80}},
		{"string", Tensor{DataType: 8, Dims: []int64{2}, StringData: [][]byte{[]byte("a"), nil}}, []string{"a", ""}},
		{"scalar", Tensor{DataType: 1, FloatData: []float32{7}}, []float32{7}},
		{"empty", Tensor{DataType: 1, Dims: []int64{0, 3}}, []float32{}},
		{"empty raw", Tensor{DataType: 7, Dims: []int64{2, 0}, HasRawData: true}, []int64{}},
		// Built in code without HasRawData: non-empty RawData counts.
		{"raw without flag", Tensor{DataType: 2, Dims: []int64{2}, RawData: []byte{7, 8}}, []uint8{7, 8}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := TensorToValue(&c.t, "", Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Shape) != len(c.t.Dims) {
				t.Errorf("shape %v for dims %v", v.Shape, c.t.Dims)
			}
			if got := view(v); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

func TestTensorToValueErrors(t *testing.T) {
	cases := []struct {
		name string
		t    Tensor
		want string
		is   error
	}{
		{"scalar without data", Tensor{Name: "s", DataType: 1}, "no data", operators.ErrInvalidModel},
		{"scalar with two", Tensor{DataType: 1, FloatData: []float32{1, 2}}, "float_data has 2 entries", operators.ErrInvalidModel},
		{"wrong field", Tensor{DataType: 7, Dims: []int64{1}, FloatData: []float32{1}}, "float_data is set but a int64 tensor", operators.ErrInvalidModel},
		{"undefined", Tensor{Dims: []int64{1}}, "UNDEFINED", operators.ErrInvalidModel},
		{"float8", Tensor{DataType: 17, Dims: []int64{1}, Int32Data: []int32{1}}, "dtype(17)", operators.ErrUnsupportedType},
		{"negative dim", Tensor{DataType: 1, Dims: []int64{-1}}, "negative", operators.ErrInvalidModel},
		{"2^40 elements", Tensor{DataType: 1, Dims: []int64{1 << 20, 1 << 20}}, "MaxTensorElements", ErrLimit},
		// Empty, but the other dims multiply past the limit (found by
		// fuzzing: operators.NumElements reports such shapes as -1).
		{"empty with huge dims", Tensor{DataType: 1, Dims: []int64{1 << 40, 1 << 40, 0}}, "MaxTensorElements", ErrLimit},
		{"string raw", Tensor{DataType: 8, Dims: []int64{1}, RawData: []byte("a"), HasRawData: true}, "string_data", operators.ErrInvalidModel},
		{"string count", Tensor{DataType: 8, Dims: []int64{2}, StringData: [][]byte{nil}}, "string_data has 1", operators.ErrInvalidModel},
		{"segment", Tensor{DataType: 1, Dims: []int64{1}, FloatData: []float32{1}, Segment: &Segment{}}, "segment", operators.ErrInvalidModel},
		{"bad location", Tensor{DataType: 1, Dims: []int64{1}, DataLocation: 2}, "data_location 2", operators.ErrInvalidModel},
		{"external from bytes", Tensor{DataType: 1, Dims: []int64{1}, DataLocation: 1,
			ExternalData: []StringStringEntry{{"location", "w.bin"}}}, "loaded from bytes", operators.ErrInvalidModel},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := TensorToValue(&c.t, "", Limits{})
			if err == nil || !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one wrapping %v containing %q", err, c.is, c.want)
			}
		})
	}
	if _, err := TensorToValue(nil, "", Limits{}); err == nil {
		t.Error("nil tensor accepted")
	}
}

func externalTensor(location string, offset, length string) *Tensor {
	e := []StringStringEntry{{"location", location}}
	if offset != "" {
		e = append(e, StringStringEntry{"offset", offset})
	}
	if length != "" {
		e = append(e, StringStringEntry{"length", length})
	}
	return &Tensor{Name: "w", DataType: 1, Dims: []int64{2}, DataLocation: 1, ExternalData: e}
}

func TestExternalData(t *testing.T) {
	root := t.TempDir()
	model := filepath.Join(root, "model")
	if err := os.MkdirAll(filepath.Join(model, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	f32 := func(x float32) uint64 { return uint64(math.Float32bits(x)) }
	// 4 junk bytes, then the tensor's 8 bytes, then 4 junk bytes.
	data := append(append([]byte{9, 9, 9, 9}, le(4, f32(3.5), f32(-1))...), 9, 9, 9, 9)
	write := func(p string, b []byte) {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(model, "sub", "weights.bin"), data)
	write(filepath.Join(model, "exact.bin"), le(4, f32(1), f32(2)))
	write(filepath.Join(root, "secret.bin"), le(4, f32(6), f32(6)))

	ok := []struct {
		name string
		t    *Tensor
		want []float32
	}{
		{"offset and length", externalTensor("sub/weights.bin", "4", "8"), []float32{3.5, -1}},
		{"offset only, to end", externalTensor("exact.bin", "0", ""), []float32{1, 2}},
		{"no offset", externalTensor("exact.bin", "", "8"), []float32{1, 2}},
		{"dot segments inside", externalTensor("sub/../exact.bin", "", ""), []float32{1, 2}},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			v, err := TensorToValue(c.t, model, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(v.F32(), c.want) {
				t.Errorf("got %v, want %v", v.F32(), c.want)
			}
		})
	}

	symlinks := true
	if err := os.Symlink(filepath.Join(root, "secret.bin"), filepath.Join(model, "link.bin")); err != nil {
		symlinks = false
	}
	if symlinks {
		if err := os.Symlink(root, filepath.Join(model, "up")); err != nil {
			t.Fatal(err)
		}
		// A link that stays inside the folder is fine.
		if err := os.Symlink("exact.bin", filepath.Join(model, "inside.bin")); err != nil {
			t.Fatal(err)
		}
		if v, err := TensorToValue(externalTensor("inside.bin", "", ""), model, Limits{}); err != nil || v.F32()[1] != 2 {
			t.Errorf("symlink inside the folder: %v %v", v, err)
		}
	}

	bad := []struct {
		name string
		t    *Tensor
		want string
		skip bool
	}{
		{"parent escape", externalTensor("../secret.bin", "", ""), "stays inside", false},
		{"nested parent escape", externalTensor("sub/../../secret.bin", "", ""), "stays inside", false},
		{"absolute", externalTensor(filepath.Join(root, "secret.bin"), "", ""), "relative", false},
		{"backslash", externalTensor(`sub\weights.bin`, "", ""), "relative POSIX", false},
		{"symlink file escape", externalTensor("link.bin", "", ""), "outside", !symlinks},
		{"symlink dir escape", externalTensor("up/secret.bin", "", ""), "outside", !symlinks},
		{"missing file", externalTensor("nope.bin", "", ""), "nope.bin", false},
		{"no location", &Tensor{DataType: 1, Dims: []int64{1}, DataLocation: 1}, "no location", false},
		{"length mismatch", externalTensor("sub/weights.bin", "4", "4"), "length 4", false},
		{"offset past end", externalTensor("exact.bin", "100", ""), "past the end", false},
		{"region past end", externalTensor("sub/weights.bin", "12", "8"), "runs past the end", false},
		{"to end wrong size", externalTensor("sub/weights.bin", "", ""), "has 16 bytes", false},
		{"negative offset", externalTensor("exact.bin", "-1", ""), "offset", false},
		{"garbage length", externalTensor("exact.bin", "", "8x"), "length", false},
		{"directory", externalTensor("sub", "", ""), "regular file", false},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			if c.skip {
				t.Skip("symbolic links are not available here")
			}
			_, err := TensorToValue(c.t, model, Limits{})
			if err == nil || !errors.Is(err, operators.ErrInvalidModel) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}

	// The byte limit is checked before the file is opened.
	if _, err := TensorToValue(externalTensor("exact.bin", "", ""), model, Limits{MaxExternalBytes: 4}); !errors.Is(err, ErrLimit) {
		t.Errorf("MaxExternalBytes 4: error %v", err)
	}
	big := externalTensor("exact.bin", "", "")
	big.Dims = []int64{1 << 40}
	if _, err := TensorToValue(big, model, Limits{}); !errors.Is(err, ErrLimit) {
		t.Errorf("2^40 external elements: error %v", err)
	}
}

func TestValueToTensor(t *testing.T) {
	v, err := operators.FromSlice([]int64{1, -2, 3, 4, 5, 6}, []int{2, 3})
	if err != nil {
		t.Fatal(err)
	}
	tp := ValueToTensor(v, "y")
	if tp.Name != "y" || tp.DataType != int32(operators.Int64) || !reflect.DeepEqual(tp.Dims, []int64{2, 3}) {
		t.Fatalf("tensor %+v", tp)
	}
	back, err := DecodeTensor(EncodeTensor(tp), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := TensorToValue(back, "", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v2.I64(), v.I64()) || !reflect.DeepEqual(v2.Shape, v.Shape) {
		t.Errorf("round trip gave %v %v", v2, v2.I64())
	}

	s := &operators.Value{DType: operators.String, Shape: []int{2}, Strs: []string{"héllo", ""}}
	back, err = DecodeTensor(EncodeTensor(ValueToTensor(s, "s")), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	s2, err := TensorToValue(back, "", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s2.Strs, s.Strs) {
		t.Errorf("strings round trip gave %q", s2.Strs)
	}

	// A scalar keeps dims [] and an empty value keeps its zero dim.
	for _, shape := range [][]int{{}, {0, 4}} {
		v, _ := operators.NewValue(operators.Float32, shape)
		back, err := DecodeTensor(EncodeTensor(ValueToTensor(v, "z")), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		v2, err := TensorToValue(back, "", Limits{})
		if err != nil {
			t.Fatalf("shape %v: %v", shape, err)
		}
		if len(v2.Shape) != len(shape) || v2.Len() != v.Len() {
			t.Errorf("shape %v came back as %v", shape, v2.Shape)
		}
	}
	if ValueToTensor(nil, "x") != nil {
		t.Error("nil value gave a tensor")
	}
}

// TestNoAllocationBeforeCheck declares 2^29 float32s (2 GiB, inside the
// default limits) with no data: the error must come before the buffer is
// allocated.
func TestNoAllocationBeforeCheck(t *testing.T) {
	cases := []*Tensor{
		{DataType: 1, Dims: []int64{1 << 29}},
		{DataType: 1, Dims: []int64{1 << 29}, FloatData: []float32{1}},
		{DataType: 1, Dims: []int64{1 << 29}, RawData: []byte{1, 2, 3, 4}, HasRawData: true},
		{DataType: 8, Dims: []int64{1 << 29}},
	}
	for i, tp := range cases {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := TensorToValue(tp, "", Limits{})
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("case %d: no error", i)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Errorf("case %d: allocated %d bytes before refusing", i, grew)
		}
	}
}
