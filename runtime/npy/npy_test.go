package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// numpyV1 builds a version-1.0 file the way numpy.save lays it out.
func numpyV1(header string, data []byte) []byte {
	pad := 64 - (10+len(header)+1)%64
	if pad == 64 {
		pad = 0
	}
	h := header + strings.Repeat(" ", pad) + "\n"
	b := []byte(magic + "\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	b = append(b, h...)
	return append(b, data...)
}

func TestReadNumPyLayout(t *testing.T) {
	var data []byte
	for _, f := range []float32{1, 2, 3, 4, 5, -6.5} {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(f))
	}
	file := numpyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data)
	v, err := Read(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if v.DType != operators.Float32 || len(v.Shape) != 2 || v.Shape[0] != 2 || v.Shape[1] != 3 {
		t.Fatalf("got %v, want float32[2 3]", v)
	}
	if got := v.F32(); got[5] != -6.5 || got[0] != 1 {
		t.Errorf("data = %v", got)
	}
}

func TestRoundTrip(t *testing.T) {
	cases := []struct {
		name  string
		dt    operators.DType
		shape []int
	}{
		{"f32 2-D", operators.Float32, []int{2, 3}},
		{"f64 1-D", operators.Float64, []int{5}},
		{"i64 scalar", operators.Int64, []int{}},
		{"i32", operators.Int32, []int{1, 1, 4}},
		{"u8", operators.Uint8, []int{7}},
		{"i8", operators.Int8, []int{3, 1}},
		{"bool", operators.Bool, []int{4}},
		{"f16", operators.Float16, []int{2, 2}},
		{"empty", operators.Float32, []int{0, 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := operators.NewValue(c.dt, c.shape)
			if err != nil {
				t.Fatal(err)
			}
			for i := range v.Raw {
				v.Raw[i] = byte(i*7 + 1)
				if c.dt == operators.Bool {
					v.Raw[i] &= 1
				}
			}
			var buf bytes.Buffer
			if err := Write(&buf, v); err != nil {
				t.Fatal(err)
			}
			b := buf.Bytes()
			hl := int(binary.LittleEndian.Uint16(b[8:10]))
			if (10+hl)%64 != 0 {
				t.Errorf("data starts at %d, not a multiple of 64", 10+hl)
			}
			if b[10+hl-1] != '\n' {
				t.Errorf("header does not end with a newline")
			}
			got, err := Read(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if got.DType != c.dt || len(got.Shape) != len(c.shape) || !bytes.Equal(got.Raw, v.Raw) {
				t.Errorf("round trip: got %v, want %v", got, v)
			}
			for i := range c.shape {
				if got.Shape[i] != c.shape[i] {
					t.Errorf("shape %v, want %v", got.Shape, c.shape)
				}
			}
		})
	}
}

func TestVersion2(t *testing.T) {
	h := "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }"
	pad := 64 - (12+len(h)+1)%64
	h += strings.Repeat(" ", pad) + "\n"
	b := []byte(magic + "\x02\x00")
	b = binary.LittleEndian.AppendUint32(b, uint32(len(h)))
	b = append(b, h...)
	b = binary.LittleEndian.AppendUint64(b, 7)
	b = binary.LittleEndian.AppendUint64(b, math.MaxUint64) // -1
	v, err := Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := v.I64(); len(got) != 2 || got[0] != 7 || got[1] != -1 {
		t.Errorf("got %v, want [7 -1]", got)
	}
}

func TestRejects(t *testing.T) {
	f4 := make([]byte, 24)
	cases := []struct {
		name, want string
		file       []byte
	}{
		{"fortran", "Fortran", numpyV1("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f4)},
		{"big-endian", "big-endian", numpyV1("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", f4)},
		{"truncated data", "reading 24 bytes", numpyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f4[:10])},
		{"bad magic", "bad magic", []byte("PK\x03\x04 not numpy at all")},
		{"structured", "structured", numpyV1("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", f4)},
		{"object", "unsupported dtype", numpyV1("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", f4)},
		{"missing shape", "missing key shape", numpyV1("{'descr': '<f4', 'fortran_order': False}", f4)},
		{"huge shape", "larger than", numpyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", f4)},
		{"empty", "preamble", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := read(bytes.NewReader(c.file), int64(len(c.file)))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want one mentioning %q", err, c.want)
			}
		})
	}
}
