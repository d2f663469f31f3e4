// Package runtime loads ONNX models and runs them.
//
// Load (or LoadBytes, LoadReader) decodes a model, resolves the opset of
// every operator domain it imports, binds each node to the operator
// implementation registered for that opset, infers static shapes, folds
// nodes whose inputs are all constant, and builds an immutable Plan: the
// node order, each step's input and output slots and the values whose last
// use is that step. Every operator the runtime lacks is reported at once in
// an *UnsupportedError.
//
// A Session runs the Plan. Run takes and returns gorgonia.org/tensor
// values without copying the inputs; RunValues takes and returns the
// runtime's own operators.Value and supports every element type, float16,
// bfloat16 and string included. Each run draws its working state (value
// slots and a pool of reusable buffers) from a pool owned by the Session,
// so a Session may be used from many goroutines at once and a run with
// fixed shapes allocates little beyond the outputs it returns, which always
// belong to the caller: an output the run computed into pooled memory is
// handed over as it is, without a copy, and the pool takes new memory.
//
// RunInto and RunValuesInto write the outputs into tensors the caller
// supplies (of the outputs' types and shapes). While the step producing a
// bound output runs, the allocation matching that output's type and shape
// returns the caller's memory, so the operator writes there directly; an
// output that lands elsewhere (a view, a graph input passed through) is
// copied once at the end. A steady-state RunInto with fixed shapes
// allocates nothing.
//
// Options: WithThreads sets the goroutines one operator may use
// (runtime.NumCPU() by default), WithoutOptimizations keeps every node as a
// step (no constant folding, no removal of nodes no output needs, no
// fusion of activations into Conv), and
// WithLimits bounds what a model may make the loader and a run allocate.
//
// Model-local functions are expanded in place at load time. Graph
// attributes (the branches of If, the body of Loop) become nested Plans
// that read values of enclosing graphs by name; operators reach them
// through operators.Node.Subgraph. An operator compiles its graphs in its
// factory (Attr.G is cleared once the factory returns) and runs one with
// Graph.Run(rc, inputs, nil): names the graph reads from enclosing scopes
// come from the run that called the operator, and the outputs belong to
// the operator.
//
// The runtime registers no operators itself. Import the operator packages
// a program needs, or all of them at once:
//
//	import _ "github.com/onnxrun/onnxrun/operators/all"
package runtime
