// Package controlflow implements the ONNX control-flow operators If, Loop
// and Scan, whose bodies are graph attributes compiled by the runtime and
// run through operators.Graph.
//
// The bodies resolve names of enclosing graphs themselves (the runtime
// finds them in the run that called the operator), so the operators pass
// only their explicit inputs. At load, outputs are typed from what the
// runtime learned of the branches' and bodies' outputs (through an
// optional OutputMetas method of the compiled graph): an If output gets
// what both branches agree on, since branches may differ in shape, and
// branches of different element types are refused.
//
// Loop and Scan concatenate their per-iteration scan outputs along a new
// axis (Loop: leading; Scan: scan_output_axes) and check that every
// iteration produced the same type and shape. When no iteration runs, a
// scan output takes the body output's declared type and shape with a zero
// axis inserted, or is float32 [0] when the body does not give them fully.
// Scan-8 runs each batch entry for its sequence_lens steps; later steps'
// scan outputs stay zero.
package controlflow
