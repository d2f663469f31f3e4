package onnxpb

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
)

// TensorToValue converts a decoded TensorProto into a runtime Value. The
// numeric data is copied into a fresh 8-byte aligned buffer
// (operators.MakeRaw), so the Value never aliases the decoder's input.
//
// The data may come from raw_data (little-endian, exactly dims × element
// size bytes), from the typed field the spec assigns to the data type
// (float_data for float32 and complex64, int32_data for the types of 32
// bits or fewer including bool, float16 and bfloat16 as bit patterns,
// int64_data, uint64_data for uint32 and uint64, double_data for float64 and
// complex128, string_data for strings), or from an external file.
//
// Empty dims mean a scalar, which holds exactly one element. float16 and
// bfloat16 stay as their 16-bit patterns. 8-, 4- and 2-bit float and integer
// types are refused with operators.ErrUnsupportedType.
//
// External data (data_location EXTERNAL) is read from baseDir, the folder
// of the model file. The location must be a local relative path that stays
// inside baseDir, also after resolving symbolic links. The checksum entry is
// not verified. baseDir == "" refuses external data.
//
// Errors wrap operators.ErrInvalidModel (or ErrUnsupportedType) and name the
// tensor.
func TensorToValue(t *Tensor, baseDir string, lim Limits) (*operators.Value, error) {
	if t == nil {
		return nil, fmt.Errorf("%w: nil tensor", operators.ErrInvalidModel)
	}
	v, err := tensorToValue(t, baseDir, lim.withDefaults())
	if err != nil {
		err = named("tensor", t.Name, err)
		if errors.Is(err, operators.ErrUnsupportedType) {
			return nil, err
		}
		return nil, invalid(err)
	}
	return v, nil
}

func tensorToValue(t *Tensor, baseDir string, lim Limits) (*operators.Value, error) {
	dt := operators.DType(t.DataType)
	if dt == operators.Undefined {
		return nil, errors.New("data_type is UNDEFINED")
	}
	if dt != operators.String && dt.Size() == 0 {
		return nil, fmt.Errorf("%w: data_type %v", operators.ErrUnsupportedType, dt)
	}
	if t.Segment != nil {
		return nil, errors.New("segmented tensors are not supported")
	}
	n64, err := dimsProduct(t.Dims, lim.MaxTensorElements)
	if err != nil {
		return nil, err
	}
	if n64 > math.MaxInt {
		return nil, limitErr("%d elements do not fit in memory on this platform", n64)
	}
	n := int(n64)
	shape := make([]int, len(t.Dims))
	for i, d := range t.Dims {
		shape[i] = int(d) // each d <= n64, checked above
	}
	v := &operators.Value{DType: dt, Shape: shape}

	if dt == operators.String {
		if t.DataLocation == dataExternal || t.HasRawData || len(t.RawData) > 0 {
			return nil, errors.New("string tensors must use string_data")
		}
		if len(t.StringData) != n {
			return nil, fmt.Errorf("string_data has %d elements, dims %v need %d", len(t.StringData), t.Dims, n)
		}
		v.Strs = make([]string, n)
		for i, s := range t.StringData {
			v.Strs[i] = string(s)
		}
		return v, nil
	}

	sz := dt.Size()
	nbytes64, err := checkBytes(n64, sz, lim.MaxTensorBytes)
	if err != nil {
		return nil, err
	}
	nbytes := int(nbytes64)

	switch {
	case t.DataLocation == dataExternal:
		v.Raw, err = readExternal(t, baseDir, nbytes64, lim)
		if err != nil {
			return nil, err
		}
	case t.DataLocation != 0:
		return nil, fmt.Errorf("unknown data_location %d", t.DataLocation)
	case t.HasRawData || len(t.RawData) > 0:
		if len(t.RawData) != nbytes {
			return nil, fmt.Errorf("raw_data has %d bytes, dims %v of %v need %d", len(t.RawData), t.Dims, dt, nbytes)
		}
		v.Raw = operators.MakeRaw(nbytes)
		copy(v.Raw, t.RawData)
	default:
		// Check the typed field's length before allocating: a small file
		// may declare large dims and carry no data.
		if err := checkTyped(t, dt, n); err != nil {
			return nil, err
		}
		v.Raw = operators.MakeRaw(nbytes)
		fillTyped(v, t)
	}
	if dt == operators.Bool {
		// Only 0 and 1 are valid Go bools; any non-zero byte means true.
		for i, c := range v.Raw {
			if c > 1 {
				v.Raw[i] = 1
			}
		}
	}
	return v, nil
}

const dataExternal = 1

// typedField says which typed data field holds dt, and how many entries
// one element takes.
func typedField(dt operators.DType) (name string, per int) {
	switch dt {
	case operators.Float32:
		return "float_data", 1
	case operators.Complex64:
		return "float_data", 2
	case operators.Float64:
		return "double_data", 1
	case operators.Complex128:
		return "double_data", 2
	case operators.Int64:
		return "int64_data", 1
	case operators.Uint32, operators.Uint64:
		return "uint64_data", 1
	}
	return "int32_data", 1
}

// checkTyped checks that the typed data field of dt holds exactly n
// elements and that no other data field is set.
func checkTyped(t *Tensor, dt operators.DType, n int) error {
	name, per := typedField(dt)
	lens := map[string]int{
		"float_data": len(t.FloatData), "double_data": len(t.DoubleData),
		"int64_data": len(t.Int64Data), "uint64_data": len(t.Uint64Data),
		"int32_data": len(t.Int32Data), "string_data": len(t.StringData),
	}
	for other, l := range lens {
		if other != name && l > 0 {
			return fmt.Errorf("%s is set but a %v tensor keeps its data in %s", other, dt, name)
		}
	}
	if got := lens[name]; got != n*per {
		if got == 0 && n > 0 {
			return fmt.Errorf("no data: dims %v need %d elements and neither raw_data nor %s is set", t.Dims, n, name)
		}
		return fmt.Errorf("%s has %d entries, dims %v of %v need %d", name, got, t.Dims, dt, n*per)
	}
	return nil
}

// fillTyped copies the typed data field, already checked by checkTyped,
// into v.Raw.
func fillTyped(v *operators.Value, t *Tensor) {
	switch v.DType {
	case operators.Float32, operators.Complex64:
		copy(v.F32(), t.FloatData)
	case operators.Float64, operators.Complex128:
		copy(v.F64(), t.DoubleData)
	case operators.Int64:
		copy(v.I64(), t.Int64Data)
	case operators.Uint64:
		copy(v.U64(), t.Uint64Data)
	case operators.Uint32:
		out := v.U32()
		for i, x := range t.Uint64Data {
			out[i] = uint32(x)
		}
	case operators.Int32:
		copy(v.I32(), t.Int32Data)
	case operators.Int16:
		out := v.I16()
		for i, x := range t.Int32Data {
			out[i] = int16(x)
		}
	case operators.Uint16, operators.Float16, operators.BFloat16:
		out := v.U16()
		for i, x := range t.Int32Data {
			out[i] = uint16(x)
		}
	case operators.Int8:
		out := v.I8()
		for i, x := range t.Int32Data {
			out[i] = int8(x)
		}
	case operators.Uint8:
		for i, x := range t.Int32Data {
			v.Raw[i] = uint8(x)
		}
	case operators.Bool:
		for i, x := range t.Int32Data {
			if x != 0 {
				v.Raw[i] = 1
			}
		}
	}
}

// readExternal reads the nbytes of t's data from the external file its
// external_data entries name, checking the path and the region first.
func readExternal(t *Tensor, baseDir string, nbytes int64, lim Limits) ([]byte, error) {
	if baseDir == "" {
		return nil, errors.New("model loaded from bytes has external data; load it from a file")
	}
	var location string
	offset, length := int64(0), int64(-1)
	for _, e := range t.ExternalData {
		switch e.Key {
		case "location":
			location = e.Value
		case "offset", "length":
			x, err := strconv.ParseInt(strings.TrimSpace(e.Value), 10, 64)
			if err != nil || x < 0 {
				return nil, fmt.Errorf("external_data %s %q is not a non-negative integer", e.Key, e.Value)
			}
			if e.Key == "offset" {
				offset = x
			} else {
				length = x
			}
		}
	}
	if location == "" {
		return nil, errors.New("external data has no location")
	}
	if nbytes > lim.MaxExternalBytes {
		return nil, limitErr("external data of %d bytes exceeds MaxExternalBytes = %d", nbytes, lim.MaxExternalBytes)
	}
	if length >= 0 && length != nbytes {
		return nil, fmt.Errorf("external data length %d, dims %v of %v need %d bytes", length, t.Dims, operators.DType(t.DataType), nbytes)
	}

	rel, err := localPath(baseDir, location)
	if err != nil {
		return nil, fmt.Errorf("external data location %q: %w", location, err)
	}
	// Opening through os.Root also refuses a path that a concurrent rename
	// turned into an escape after the check above.
	root, err := os.OpenRoot(baseDir)
	if err != nil {
		return nil, fmt.Errorf("external data: %w", err)
	}
	defer root.Close()
	f, err := root.Open(rel)
	if err != nil {
		return nil, fmt.Errorf("external data: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("external data: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("external data location %q is not a regular file", location)
	}
	size := st.Size()
	if offset > size {
		return nil, fmt.Errorf("external data offset %d is past the end of %q (%d bytes)", offset, location, size)
	}
	if length < 0 && size-offset != nbytes {
		return nil, fmt.Errorf("external data in %q from offset %d has %d bytes, dims %v of %v need %d",
			location, offset, size-offset, t.Dims, operators.DType(t.DataType), nbytes)
	}
	if nbytes > size-offset {
		return nil, fmt.Errorf("external data region [%d, %d) runs past the end of %q (%d bytes)", offset, offset+nbytes, location, size)
	}
	raw := operators.MakeRaw(int(nbytes))
	if _, err := f.ReadAt(raw, offset); err != nil && !(err == io.EOF && nbytes == 0) {
		return nil, fmt.Errorf("external data %q: %w", location, err)
	}
	return raw, nil
}

// localPath checks that location (a POSIX path relative to baseDir) names
// a file inside baseDir, also after resolving symbolic links, and returns it
// in the host's form, relative to baseDir.
func localPath(baseDir, location string) (string, error) {
	if strings.HasPrefix(location, "/") || strings.Contains(location, "\\") || strings.ContainsRune(location, 0) {
		return "", errors.New("must be a relative POSIX path")
	}
	rel := filepath.FromSlash(location)
	if !filepath.IsLocal(rel) {
		return "", errors.New("must be a relative path that stays inside the model's folder")
	}
	base, err := filepath.EvalSymlinks(baseDir)
	if err != nil {
		return "", err
	}
	base, err = filepath.Abs(base)
	if err != nil {
		return "", err
	}
	full, err := filepath.EvalSymlinks(filepath.Join(base, rel))
	if err != nil {
		return "", err
	}
	full, err = filepath.Abs(full)
	if err != nil {
		return "", err
	}
	inside, err := filepath.Rel(base, full)
	if err != nil || !filepath.IsLocal(inside) {
		return "", errors.New("resolves (through a symbolic link) to a file outside the model's folder")
	}
	return rel, nil
}

// ValueToTensor converts a Value into a TensorProto named name. Numeric data
// goes to raw_data, which aliases v.Raw (EncodeTensor copies it); strings go
// to string_data.
func ValueToTensor(v *operators.Value, name string) *Tensor {
	if v == nil {
		return nil
	}
	t := &Tensor{Name: name, DataType: int32(v.DType), Dims: make([]int64, len(v.Shape))}
	for i, d := range v.Shape {
		t.Dims[i] = int64(d)
	}
	if v.DType == operators.String {
		t.StringData = make([][]byte, len(v.Strs))
		for i, s := range v.Strs {
			t.StringData[i] = []byte(s)
		}
		return t
	}
	t.HasRawData = true
	if len(v.Raw) > 0 {
		t.RawData = v.Raw
	}
	return t
}
