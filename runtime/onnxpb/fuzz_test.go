package onnxpb

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Fuzz limits: small enough that no input can make a fuzz iteration
// allocate much, so the fuzzer explores structure instead of memory.
var fuzzLimits = Limits{
	MaxTensorElements: 1 << 16,
	MaxTensorBytes:    1 << 20,
	MaxNodes:          1 << 12,
	MaxGraphDepth:     8,
	MaxExternalBytes:  1 << 20,
	MaxMessages:       1 << 14,
}

// Seeds larger than this are left out: the fuzzer mutates small inputs
// far faster, and the big models add no message types the small ones lack.
const maxSeedBytes = 64 << 10

// addSeeds adds the project's own fixtures (models/testdata) and, when
// ONNXRUN_TESTDATA is set, the ONNX node test files with suffix ext.
func addSeeds(f *testing.F, ext string) {
	add := func(p string) {
		b, err := os.ReadFile(p)
		if err == nil && len(b) <= maxSeedBytes {
			f.Add(b)
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		own := filepath.Join(filepath.Dir(file), "..", "..", "models", "testdata")
		_ = filepath.WalkDir(own, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ext) {
				add(p)
			}
			return nil
		})
	}
	if root := os.Getenv("ONNXRUN_TESTDATA"); root != "" {
		pattern := filepath.Join(root, "onnx", "node", "*", "model.onnx")
		if ext == ".pb" {
			pattern = filepath.Join(root, "onnx", "node", "*", "test_data_set_0", "*.pb")
		}
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			add(p)
		}
	}
}

func FuzzDecodeModel(f *testing.F) {
	f.Add(EncodeModel(smallModel()))
	f.Add(EncodeModel(fullModel()))
	f.Add(wrapModel(nested(4)))
	f.Add([]byte{})
	f.Add([]byte{0x08, 0x07, 0x3a, 0x00, 0x42, 0x02, 0x10, 0x0d})
	// A sparse initializer: values [1 2] at linear positions 1 and 4 of a
	// [2 3] tensor.
	f.Add(EncodeModel(&Model{IRVersion: 8, OpsetImport: []OperatorSetID{{Version: 13}}, Graph: &Graph{
		SparseInitializers: []*SparseTensor{{
			Values:  &Tensor{Name: "s", DataType: 1, Dims: []int64{2}, FloatData: []float32{1, 2}},
			Indices: &Tensor{DataType: 7, Dims: []int64{2}, Int64Data: []int64{1, 4}},
			Dims:    []int64{2, 3},
		}}}}))
	addSeeds(f, ".onnx")
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeModel(b, fuzzLimits)
		if err != nil {
			if m != nil {
				t.Fatal("model returned with an error")
			}
			return
		}
		for _, in := range m.Graph.Initializers {
			if v, err := TensorToValue(in, "", fuzzLimits); err == nil && v == nil {
				t.Fatal("nil value without error")
			}
		}
		for _, s := range m.Graph.SparseInitializers {
			if v, err := SparseToValue(s, "", fuzzLimits); err == nil && v.Len() != len(v.Strs)+len(v.Raw)/max(1, v.DType.Size()) {
				t.Fatalf("sparse value %v holds %d raw bytes", v, len(v.Raw))
			}
		}
		for _, n := range m.Graph.Nodes {
			for _, a := range n.Attributes {
				if a.T != nil {
					_, _ = TensorToValue(a.T, "", fuzzLimits)
				}
				if a.SparseTensor != nil {
					_, _ = SparseToValue(a.SparseTensor, "", fuzzLimits)
				}
			}
		}
		// Whatever decodes re-encodes to bytes that decode to the same
		// model: encode(decode(encode(m))) == encode(m). Bytes are compared
		// rather than structs so that NaN attributes compare equal.
		e1 := EncodeModel(m)
		m2, err := DecodeModel(e1, fuzzLimits)
		if err != nil {
			t.Fatalf("re-encoded model does not decode: %v", err)
		}
		if e2 := EncodeModel(m2); !bytes.Equal(e1, e2) {
			t.Fatal("re-encoding is not stable")
		}
	})
}

func FuzzDecodeTensor(f *testing.F) {
	f.Add(EncodeTensor(&Tensor{Name: "x", DataType: 1, Dims: []int64{2}, FloatData: []float32{1, 2}}))
	f.Add(EncodeTensor(&Tensor{DataType: 7, Dims: []int64{2, 1}, RawData: make([]byte, 16), HasRawData: true}))
	f.Add(EncodeTensor(&Tensor{DataType: 8, Dims: []int64{1}, StringData: [][]byte{[]byte("s")}}))
	f.Add(EncodeTensor(&Tensor{DataType: 10, Int32Data: []int32{0x3c00}}))
	f.Add(EncodeTensor(&Tensor{DataType: 15, Dims: []int64{1}, DoubleData: []float64{1, 2}}))
	f.Add(EncodeTensor(&Tensor{DataType: 12, Dims: []int64{1}, Uint64Data: []uint64{7}}))
	f.Add(EncodeTensor(&Tensor{DataType: 1, Dims: []int64{1}, DataLocation: 1,
		ExternalData: []StringStringEntry{{Key: "location", Value: "../x"}}}))
	addSeeds(f, ".pb")
	f.Fuzz(func(t *testing.T, b []byte) {
		tp, err := DecodeTensor(b, fuzzLimits)
		if err != nil {
			return
		}
		v, err := TensorToValue(tp, "", fuzzLimits)
		if err == nil {
			if v.Len() < 0 || (v.Strs == nil && v.DType.Size()*v.Len() != len(v.Raw)) {
				t.Fatalf("value %v has %d raw bytes", v, len(v.Raw))
			}
			// A value converts back to a tensor that decodes to the same value.
			back, err := DecodeTensor(EncodeTensor(ValueToTensor(v, tp.Name)), fuzzLimits)
			if err != nil {
				t.Fatalf("re-encoded value does not decode: %v", err)
			}
			v2, err := TensorToValue(back, "", fuzzLimits)
			if err != nil {
				t.Fatalf("re-encoded value does not convert: %v", err)
			}
			if v2.DType != v.DType || !bytes.Equal(v2.Raw, v.Raw) || len(v2.Strs) != len(v.Strs) {
				t.Fatalf("value changed: %v -> %v", v, v2)
			}
		}
		// The data messages share the tensor decoder; the same bytes feed
		// them too.
		if s, err := DecodeSequence(b, fuzzLimits); err == nil {
			if _, err := DecodeSequence(EncodeSequence(s), fuzzLimits); err != nil {
				t.Fatalf("re-encoded sequence: %v", err)
			}
		}
		if o, err := DecodeOptional(b, fuzzLimits); err == nil {
			if _, err := DecodeOptional(EncodeOptional(o), fuzzLimits); err != nil {
				t.Fatalf("re-encoded optional: %v", err)
			}
		}
		_, _ = DecodeMap(b, fuzzLimits)
	})
}

// FuzzExternalLocation fuzzes the external_data entries of a uint8 tensor
// against a folder holding files, a subfolder, and symbolic links that
// point outside it. Files inside hold only 0x11 bytes and the file outside
// only 0xEE bytes, so any successful read that returns 0xEE escaped.
func FuzzExternalLocation(f *testing.F) {
	root := f.TempDir()
	model := filepath.Join(root, "model")
	for _, dir := range []string{model, filepath.Join(model, "sub")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			f.Fatal(err)
		}
	}
	fill := func(p string, c byte, n int) {
		if err := os.WriteFile(p, bytes.Repeat([]byte{c}, n), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	fill(filepath.Join(model, "a.bin"), 0x11, 64)
	fill(filepath.Join(model, "sub", "b.bin"), 0x11, 64)
	fill(filepath.Join(root, "secret.bin"), 0xEE, 64)
	// Symbolic links may be unavailable; the fuzz then covers paths only.
	_ = os.Symlink(filepath.Join(root, "secret.bin"), filepath.Join(model, "out.bin"))
	_ = os.Symlink("..", filepath.Join(model, "sub", "up"))
	_ = os.Symlink("a.bin", filepath.Join(model, "in.bin"))

	for _, loc := range []string{"a.bin", "sub/b.bin", "../secret.bin", "out.bin", "sub/up/a.bin", "sub/up/../secret.bin", "in.bin", "/etc/passwd", "sub/../a.bin"} {
		f.Add(loc, "0", "8", uint8(8))
	}
	f.Add("a.bin", "", "", uint8(64))
	f.Add("a.bin", "60", "", uint8(4))
	f.Fuzz(func(t *testing.T, location, offset, length string, n uint8) {
		e := []StringStringEntry{{Key: "location", Value: location}}
		if offset != "" {
			e = append(e, StringStringEntry{Key: "offset", Value: offset})
		}
		if length != "" {
			e = append(e, StringStringEntry{Key: "length", Value: length})
		}
		tp := &Tensor{DataType: 2, Dims: []int64{int64(n)}, DataLocation: 1, ExternalData: e}
		v, err := TensorToValue(tp, model, fuzzLimits)
		if err != nil {
			return
		}
		if len(v.Raw) != int(n) {
			t.Fatalf("read %d bytes for %d elements", len(v.Raw), n)
		}
		if bytes.IndexByte(v.Raw, 0xEE) >= 0 {
			t.Fatalf("location %q read data from outside the model folder", location)
		}
	})
}
