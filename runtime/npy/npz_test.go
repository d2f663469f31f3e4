package npy

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// npyBytes builds an .npy file by hand as the NumPy format specification
// describes it: magic, version 1.0, a little-endian uint16 header length,
// an ASCII dict padded with spaces and ended by '\n' so that the data
// starts at a multiple of 64 bytes, then the data.
func npyBytes(descr, shape string, data []byte) []byte {
	hdr := "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }"
	for (10+len(hdr)+1)%64 != 0 {
		hdr += " "
	}
	hdr += "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(hdr)), byte(len(hdr)>>8))
	b = append(b, hdr...)
	return append(b, data...)
}

func f32le(xs ...float32) []byte {
	var b []byte
	for _, x := range xs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

func TestReadNPZHandBuilt(t *testing.T) {
	for _, method := range []uint16{zip.Store, zip.Deflate} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		members := []struct{ name, descr, shape string }{
			{"x.npy", "<f4", "(2, 3)"},
			{"ids.npy", "<i8", "(2,)"},
		}
		datas := [][]byte{f32le(1, 2, 3, 4, 5, -6), binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, 7), math.MaxUint64)}
		for i, m := range members {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: method})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(npyBytes(m.descr, m.shape, datas[i]))
		}
		zw.Close()
		a, err := ReadNPZ(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("method %d: %v", method, err)
		}
		if strings.Join(a.Names, ",") != "x,ids" {
			t.Errorf("names %v, want [x ids] in archive order", a.Names)
		}
		x := a.Arrays["x"]
		if x.DType != operators.Float32 || len(x.Shape) != 2 || x.Shape[0] != 2 || x.Shape[1] != 3 || x.F32()[5] != -6 || x.F32()[0] != 1 {
			t.Errorf("x = %v %v %v", x.DType, x.Shape, x.F32())
		}
		ids := a.Arrays["ids"]
		if ids.DType != operators.Int64 || ids.I64()[0] != 7 || ids.I64()[1] != -1 {
			t.Errorf("ids = %v %v", ids.DType, ids.I64())
		}
	}
}

// TestWriteNPZFormat checks what WriteNPZ writes against the format
// specifications rather than against ReadNPZ: zip members NAME.npy, stored
// or deflated, each a version 1.0 .npy with a little-endian descriptor
// whose data starts at a multiple of 64 bytes.
func TestWriteNPZFormat(t *testing.T) {
	x, _ := operators.FromSlice([]float32{1.5, -2, 3}, []int{3})
	y, _ := operators.FromSlice([]int32{1, 2, 3, 4}, []int{2, 2})
	for _, compress := range []bool{false, true} {
		var buf bytes.Buffer
		if err := WriteNPZ(&buf, []string{"logits", "y"}, map[string]*operators.Value{"logits": x, "y": y}, compress); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			name, descr, shape string
			data               []byte
		}{
			{"logits.npy", "'<f4'", "(3,)", f32le(1.5, -2, 3)},
			{"y.npy", "'<i4'", "(2, 2)", []byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0}},
		}
		if len(zr.File) != len(want) {
			t.Fatalf("%d members, want %d", len(zr.File), len(want))
		}
		for i, f := range zr.File {
			w := want[i]
			if f.Name != w.name {
				t.Errorf("member %d is %q, want %q", i, f.Name, w.name)
			}
			if m := map[bool]uint16{false: zip.Store, true: zip.Deflate}[compress]; f.Method != m {
				t.Errorf("%s: method %d, want %d", f.Name, f.Method, m)
			}
			rc, _ := f.Open()
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if string(b[:6]) != "\x93NUMPY" || b[6] != 1 || b[7] != 0 {
				t.Fatalf("%s: magic/version % x", f.Name, b[:8])
			}
			hl := int(binary.LittleEndian.Uint16(b[8:10]))
			start := 10 + hl
			if start%64 != 0 {
				t.Errorf("%s: data starts at %d, not a multiple of 64", f.Name, start)
			}
			hdr := string(b[10:start])
			if !strings.HasSuffix(hdr, "\n") {
				t.Errorf("%s: header %q does not end in a newline", f.Name, hdr)
			}
			for _, part := range []string{"'descr': " + w.descr, "'fortran_order': False", "'shape': " + w.shape} {
				if !strings.Contains(hdr, part) {
					t.Errorf("%s: header %q lacks %s", f.Name, hdr, part)
				}
			}
			if !bytes.Equal(b[start:], w.data) {
				t.Errorf("%s: data % x, want % x", f.Name, b[start:], w.data)
			}
		}
	}
}

func TestNPZFileRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.npz")
	x, _ := operators.FromSlice([]float64{math.Inf(-1), 0, math.Pi}, []int{1, 3})
	if err := WriteNPZFile(p, []string{"x"}, map[string]*operators.Value{"x": x}, true); err != nil {
		t.Fatal(err)
	}
	a, err := ReadNPZFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Arrays["x"].F64(); len(got) != 3 || !math.IsInf(got[0], -1) || got[2] != math.Pi {
		t.Errorf("x = %v", got)
	}
}

func TestNPZRejects(t *testing.T) {
	if _, err := ReadNPZ(bytes.NewReader([]byte("not a zip")), 9); !errors.Is(err, ErrFormat) {
		t.Errorf("not a zip: err = %v", err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("readme.txt")
	w.Write([]byte("hello"))
	zw.Close()
	if _, err := ReadNPZ(bytes.NewReader(buf.Bytes()), int64(buf.Len())); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "readme.txt") {
		t.Errorf("non-.npy member: err = %v", err)
	}
	buf.Reset()
	zw = zip.NewWriter(&buf)
	w, _ = zw.Create("x.npy")
	w.Write(npyBytes("<f4", "(1000,)", f32le(1, 2))) // data shorter than the shape says
	zw.Close()
	if _, err := ReadNPZ(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err == nil || !strings.Contains(err.Error(), "x.npy") {
		t.Errorf("short member: err = %v", err)
	}
	if err := WriteNPZ(io.Discard, []string{"a"}, nil, false); err == nil {
		t.Errorf("missing array written without error")
	}
}

// FuzzReadNPZ feeds arbitrary bytes to ReadNPZ: an archive or an error,
// never a panic, and never an allocation far beyond the input's size.
func FuzzReadNPZ(f *testing.F) {
	x, _ := operators.FromSlice([]float32{1, 2, 3}, []int{3})
	for _, c := range []bool{false, true} {
		var buf bytes.Buffer
		WriteNPZ(&buf, []string{"x", "y"}, map[string]*operators.Value{"x": x, "y": x}, c)
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadNPZ(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		total := 0
		for _, name := range a.Names {
			total += len(a.Arrays[name].Raw)
		}
		if total > 1032*len(b)+1024*len(a.Names) {
			t.Fatalf("%d input bytes gave %d bytes of arrays", len(b), total)
		}
	})
}
