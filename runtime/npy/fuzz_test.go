package npy

import (
	"bytes"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// FuzzRead feeds arbitrary bytes to Read: it must return a value or an
// error, never panic, and a value it returns must write back to a file
// that reads as the same value.
func FuzzRead(f *testing.F) {
	v, _ := operators.NewValue(operators.Float32, []int{2, 3})
	var buf bytes.Buffer
	if err := Write(&buf, v); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(numpyV1("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", make([]byte, 8)))
	f.Add(numpyV1("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", []byte{1, 0, 1}))
	f.Add([]byte(magic + "\x02\x00\xff\xff\xff\x7f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Write(&out, v); err != nil {
			t.Fatalf("read %v but cannot write it: %v", v, err)
		}
		w, err := Read(&out)
		if err != nil {
			t.Fatalf("rewritten file does not read: %v", err)
		}
		if w.DType != v.DType || !bytes.Equal(w.Raw, v.Raw) || len(w.Shape) != len(v.Shape) {
			t.Fatalf("round trip changed %v into %v", v, w)
		}
	})
}
