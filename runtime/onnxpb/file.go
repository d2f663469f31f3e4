package onnxpb

import (
	"fmt"
	"io"
	"os"

	"github.com/onnxrun/onnxrun/operators"
)

// ReadModel reads and decodes the model file at path. The file's size is
// checked against lim.MaxModelBytes before it is read. Errors start with the
// path. External data of the model's tensors is resolved later, by
// TensorToValue with baseDir = filepath.Dir(path).
func ReadModel(path string, lim Limits) (*Model, error) {
	b, err := readLimited(path, lim)
	if err != nil {
		return nil, err
	}
	m, err := DecodeModel(b, lim)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ReadTensor reads and decodes a TensorProto file (input_N.pb and the like),
// checking its size first. Errors start with the path.
func ReadTensor(path string, lim Limits) (*Tensor, error) {
	b, err := readLimited(path, lim)
	if err != nil {
		return nil, err
	}
	t, err := DecodeTensor(b, lim)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

func readLimited(path string, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > lim.MaxModelBytes {
		return nil, fmt.Errorf("%s: %w: %w", path, operators.ErrInvalidModel,
			limitErr("file is %d bytes, MaxModelBytes = %d", st.Size(), lim.MaxModelBytes))
	}
	// One allocation of the stated size; a file that changes meanwhile
	// gives a short read error or is cut at that size.
	b := make([]byte, st.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}
