package npy_test

import (
	"bytes"
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/npy"
)

// Write two arrays into an .npz archive (as numpy.savez_compressed would)
// and read them back by name.
func ExampleWriteNPZ() {
	x, _ := operators.FromSlice([]float32{0.5, 1.5, 2.5, 3.5}, []int{2, 2})
	ids, _ := operators.FromSlice([]int64{7, 9}, []int{2})
	var buf bytes.Buffer
	if err := npy.WriteNPZ(&buf, []string{"x", "ids"}, map[string]*operators.Value{"x": x, "ids": ids}, true); err != nil {
		fmt.Println(err)
		return
	}
	a, err := npy.ReadNPZ(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range a.Names {
		v := a.Arrays[name]
		fmt.Println(name, v.DType, v.Shape)
	}
	fmt.Println(a.Arrays["x"].F32(), a.Arrays["ids"].I64())
	// Output:
	// x float32 [2 2]
	// ids int64 [2]
	// [0.5 1.5 2.5 3.5] [7 9]
}
