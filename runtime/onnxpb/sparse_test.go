package onnxpb

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

func TestSparseToValue(t *testing.T) {
	vals := &Tensor{Name: "sp", DataType: 1, Dims: []int64{3}, FloatData: []float32{1, 2, 3}}
	dims := []int64{2, 3}
	// Dense [[0 1 0] [2 0 3]]: positions 1, 3, 5.
	want := []float32{0, 1, 0, 2, 0, 3}
	coords := &Tensor{DataType: 7, Dims: []int64{3, 2}, Int64Data: []int64{0, 1, 1, 0, 1, 2}}
	linear := &Tensor{DataType: 7, Dims: []int64{3}, Int64Data: []int64{1, 3, 5}}
	for name, idx := range map[string]*Tensor{"coordinates": coords, "linear": linear} {
		v, err := SparseToValue(&SparseTensor{Values: vals, Indices: idx, Dims: dims}, "", Limits{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(v.Shape, []int{2, 3}) || !reflect.DeepEqual(v.F32(), want) {
			t.Errorf("%s: got %v %v, want %v", name, v, v.F32(), want)
		}
	}
	strs := &Tensor{DataType: 8, Dims: []int64{1}, StringData: [][]byte{[]byte("x")}}
	v, err := SparseToValue(&SparseTensor{Values: strs, Indices: &Tensor{DataType: 7, Dims: []int64{1}, Int64Data: []int64{2}}, Dims: []int64{3}}, "", Limits{})
	if err != nil || !reflect.DeepEqual(v.Strs, []string{"", "", "x"}) {
		t.Errorf("strings: %v %q", err, v.Strs)
	}

	bad := []struct {
		name string
		s    *SparseTensor
		want string
		is   error
	}{
		{"no indices", &SparseTensor{Values: vals, Dims: dims}, "required", operators.ErrInvalidModel},
		{"out of range", &SparseTensor{Values: vals, Dims: dims, Indices: &Tensor{DataType: 7, Dims: []int64{3}, Int64Data: []int64{1, 3, 6}}}, "outside", operators.ErrInvalidModel},
		{"coordinate out of range", &SparseTensor{Values: vals, Dims: dims, Indices: &Tensor{DataType: 7, Dims: []int64{3, 2}, Int64Data: []int64{0, 1, 1, 0, 1, 3}}}, "coordinate 1 is 3", operators.ErrInvalidModel},
		{"unsorted", &SparseTensor{Values: vals, Dims: dims, Indices: &Tensor{DataType: 7, Dims: []int64{3}, Int64Data: []int64{3, 1, 5}}}, "sorted", operators.ErrInvalidModel},
		{"duplicate", &SparseTensor{Values: vals, Dims: dims, Indices: &Tensor{DataType: 7, Dims: []int64{3}, Int64Data: []int64{1, 1, 5}}}, "distinct", operators.ErrInvalidModel},
		{"int32 indices", &SparseTensor{Values: vals, Dims: dims, Indices: &Tensor{DataType: 6, Dims: []int64{3}, Int32Data: []int32{1, 3, 5}}}, "int64", operators.ErrInvalidModel},
		{"indices shape", &SparseTensor{Values: vals, Dims: dims, Indices: &Tensor{DataType: 7, Dims: []int64{2}, Int64Data: []int64{1, 3}}}, "want [3] or [3 2]", operators.ErrInvalidModel},
		{"huge dense", &SparseTensor{Values: vals, Dims: []int64{1 << 40, 1 << 40}, Indices: linear}, "MaxTensorElements", ErrLimit},
		{"bad values", &SparseTensor{Values: &Tensor{DataType: 1, Dims: []int64{3}}, Dims: dims, Indices: linear}, "values", operators.ErrInvalidModel},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := SparseToValue(c.s, "", Limits{})
			if err == nil || !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one wrapping %v containing %q", err, c.is, c.want)
			}
		})
	}
}

func TestReadModelAndTensor(t *testing.T) {
	dir := t.TempDir()
	mp := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(mp, EncodeModel(smallModel()), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := ReadModel(mp, Limits{})
	if err != nil || m.Graph.Name != "main" {
		t.Fatalf("ReadModel: %v", err)
	}
	if _, err := ReadModel(mp, Limits{MaxModelBytes: 10}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), mp) {
		t.Errorf("size limit: %v", err)
	}
	tp := filepath.Join(dir, "input_0.pb")
	if err := os.WriteFile(tp, EncodeTensor(&Tensor{DataType: 1, Dims: []int64{1}, FloatData: []float32{4}}), 0o644); err != nil {
		t.Fatal(err)
	}
	if tt, err := ReadTensor(tp, Limits{}); err != nil || tt.FloatData[0] != 4 {
		t.Errorf("ReadTensor: %v", err)
	}
	// A model file that is not a model names the file.
	if err := os.WriteFile(mp, []byte{0xff}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadModel(mp, Limits{}); err == nil || !strings.HasPrefix(err.Error(), mp+": invalid model") {
		t.Errorf("garbage file: %v", err)
	}
	if _, err := ReadModel(filepath.Join(dir, "missing.onnx"), Limits{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
