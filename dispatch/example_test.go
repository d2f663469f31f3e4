package dispatch_test

import (
	"fmt"

	"github.com/onnxrun/onnxrun/dispatch"
)

// Force the portable Go kernels (as ONNXRUN_ISA=generic does for a whole
// process), use one, and put the previous table back. The output is the
// same on every machine: the generic level exists everywhere.
func ExampleUse() {
	l, err := dispatch.ParseLevel("generic")
	if err != nil {
		fmt.Println(err)
		return
	}
	restore, err := dispatch.Use(l)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer restore()
	k := dispatch.Active()
	fmt.Println("active level:", k.Level)
	fmt.Println("max:", k.MaxF32([]float32{3, -1, 7.5, 2}))
	// Output:
	// active level: generic
	// max: 7.5
}
