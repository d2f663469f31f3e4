package npy

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
)

// An .npz file is a zip archive holding one .npy file per array, named
// NAME.npy (numpy.savez stores them, numpy.savez_compressed deflates
// them). The functions below name arrays without the .npy suffix.

// MaxArrays bounds the number of arrays ReadNPZ accepts from one archive.
const MaxArrays = 1 << 16

// Archive is the arrays of an .npz file in the order they were stored.
type Archive struct {
	Names  []string
	Arrays map[string]*operators.Value
}

// ReadNPZFile reads every array of an .npz file.
func ReadNPZFile(path string) (*Archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	a, err := ReadNPZ(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// ReadNPZ reads every array of an .npz archive of size bytes. Members
// may be stored or deflated; each may allocate at most MaxBytes, and no
// more than its stored bytes can hold (see memberLimit).
func ReadNPZ(r io.ReaderAt, size int64) (*Archive, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: not an .npz (zip) archive: %v", ErrFormat, err)
	}
	if len(zr.File) > MaxArrays {
		return nil, fmt.Errorf("%w: .npz archive holds %d members, more than %d", ErrFormat, len(zr.File), MaxArrays)
	}
	a := &Archive{Arrays: map[string]*operators.Value{}}
	for _, f := range zr.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok || name == "" {
			return nil, fmt.Errorf("%w: .npz member %q is not NAME.npy", ErrFormat, f.Name)
		}
		if _, dup := a.Arrays[name]; dup {
			return nil, fmt.Errorf("%w: .npz holds array %q twice", ErrFormat, name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: .npz member %q: %v", ErrFormat, f.Name, err)
		}
		v, err := read(rc, memberLimit(f, size))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf(".npz member %q: %w", f.Name, err)
		}
		a.Names = append(a.Names, name)
		a.Arrays[name] = v
	}
	return a, nil
}

// memberLimit bounds what reading member f may allocate: its declared
// uncompressed size, which for a stored member is at most the archive's
// size and for a deflated one at most what its compressed bytes can
// expand to (deflate's best ratio is under 1032:1). A small archive thus
// cannot make ReadNPZ allocate much, whatever sizes it declares.
func memberLimit(f *zip.File, archive int64) int64 {
	limit := min(int64(MaxBytes), int64(min(f.UncompressedSize64, 1<<62)))
	switch f.Method {
	case zip.Store:
		limit = min(limit, archive)
	default:
		limit = min(limit, int64(min(f.CompressedSize64, 1<<52))*1032+1024)
	}
	return limit
}

// WriteNPZ writes the arrays named by names, in that order, as an .npz
// archive that numpy.load reads; compress deflates the members as
// numpy.savez_compressed does, else they are stored as numpy.savez does.
func WriteNPZ(w io.Writer, names []string, arrays map[string]*operators.Value, compress bool) error {
	zw := zip.NewWriter(w)
	method := zip.Store
	if compress {
		method = zip.Deflate
	}
	seen := map[string]bool{}
	for _, name := range names {
		v := arrays[name]
		if v == nil {
			return fmt.Errorf("npz: no array named %q", name)
		}
		if name == "" || seen[name] {
			return fmt.Errorf("npz: array name %q is empty or repeated", name)
		}
		seen[name] = true
		var b bytes.Buffer
		if err := Write(&b, v); err != nil {
			return fmt.Errorf("npz: array %q: %w", name, err)
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: method})
		if err != nil {
			return err
		}
		if _, err := fw.Write(b.Bytes()); err != nil {
			return err
		}
	}
	return zw.Close()
}

// WriteNPZFile writes an .npz archive to path (see WriteNPZ).
func WriteNPZFile(path string, names []string, arrays map[string]*operators.Value, compress bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WriteNPZ(f, names, arrays, compress); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
