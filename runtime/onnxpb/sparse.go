package onnxpb

import (
	"errors"
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
)

// SparseToValue converts a SparseTensorProto (a sparse initializer, or a
// Constant's sparse_value) into a dense Value of shape dims, zero where no
// value is given.
//
// values is a 1-D tensor of NNZ elements; indices is an int64 tensor of
// shape [NNZ, rank] (coordinates) or [NNZ] (row-major linear positions).
// The spec requires the indices in sorted order; they must be strictly
// increasing (which also rules out duplicates) and inside dims. The dense
// size is checked against lim before anything is allocated.
func SparseToValue(s *SparseTensor, baseDir string, lim Limits) (*operators.Value, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil sparse tensor", operators.ErrInvalidModel)
	}
	name := ""
	if s.Values != nil {
		name = s.Values.Name
	}
	v, err := sparseToValue(s, baseDir, lim.withDefaults())
	if err != nil {
		err = named("sparse tensor", name, err)
		if errors.Is(err, operators.ErrUnsupportedType) || errors.Is(err, operators.ErrInvalidModel) {
			return nil, err
		}
		return nil, invalid(err)
	}
	return v, nil
}

func sparseToValue(s *SparseTensor, baseDir string, lim Limits) (*operators.Value, error) {
	if s.Values == nil || s.Indices == nil {
		return nil, errors.New("values and indices are both required")
	}
	n64, err := dimsProduct(s.Dims, lim.MaxTensorElements)
	if err != nil {
		return nil, fmt.Errorf("dims: %w", err)
	}
	if n64 > math.MaxInt {
		return nil, limitErr("%d elements do not fit in memory on this platform", n64)
	}
	dt := operators.DType(s.Values.DataType)
	if dt != operators.String {
		if _, err := checkBytes(n64, dt.Size(), lim.MaxTensorBytes); err != nil {
			return nil, err
		}
	}
	vals, err := TensorToValue(s.Values, baseDir, lim)
	if err != nil {
		return nil, fmt.Errorf("values: %w", err)
	}
	idx, err := TensorToValue(s.Indices, baseDir, lim)
	if err != nil {
		return nil, fmt.Errorf("indices: %w", err)
	}
	if len(vals.Shape) != 1 {
		return nil, fmt.Errorf("values have shape %v, want 1-D", vals.Shape)
	}
	nnz := vals.Shape[0]
	rank := len(s.Dims)
	if idx.DType != operators.Int64 {
		return nil, fmt.Errorf("indices are %v, want int64", idx.DType)
	}
	linear := len(idx.Shape) == 1 && idx.Shape[0] == nnz
	coords := len(idx.Shape) == 2 && idx.Shape[0] == nnz && idx.Shape[1] == rank
	if !linear && !coords {
		return nil, fmt.Errorf("indices have shape %v, want [%d] or [%d %d]", idx.Shape, nnz, nnz, rank)
	}

	shape := make([]int, rank)
	for i, d := range s.Dims {
		shape[i] = int(d)
	}
	out, err := operators.NewValue(dt, shape)
	if err != nil {
		return nil, err
	}
	n := int(n64)
	ix := idx.I64()
	sz := dt.Size()
	prev := -1
	for k := 0; k < nnz; k++ {
		pos := 0
		if linear {
			p := ix[k]
			if p < 0 || p >= int64(n) {
				return nil, fmt.Errorf("index %d is %d, outside [0, %d)", k, p, n)
			}
			pos = int(p)
		} else {
			for j := 0; j < rank; j++ {
				c := ix[k*rank+j]
				if c < 0 || c >= s.Dims[j] {
					return nil, fmt.Errorf("index %d: coordinate %d is %d, outside [0, %d)", k, j, c, s.Dims[j])
				}
				pos = pos*shape[j] + int(c)
			}
		}
		if pos <= prev {
			return nil, fmt.Errorf("index %d (position %d) is not after the previous one (%d): indices must be sorted and distinct", k, pos, prev)
		}
		prev = pos
		if dt == operators.String {
			out.Strs[pos] = vals.Strs[k]
		} else {
			copy(out.Raw[pos*sz:(pos+1)*sz], vals.Raw[k*sz:(k+1)*sz])
		}
	}
	return out, nil
}
