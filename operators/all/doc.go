// Package all links every operator implementation into a program: importing
// it for its side effects registers them all with the operators registry.
//
//	import _ "github.com/onnxrun/onnxrun/operators/all"
package all
