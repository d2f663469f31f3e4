// Package controlflow implements the ONNX control-flow operators If, Loop
// and Scan, whose bodies are graph attributes compiled by the runtime and
// run through operators.Graph.
//
// The bodies resolve names of enclosing graphs themselves (the runtime
// finds them in the run that called the operator), so the operators pass
// only their explicit inputs. Output types and shapes are left unknown at
// load time: a branch or body decides them when it runs, and If branches
// may even disagree in shape.
//
// Loop and Scan concatenate their per-iteration scan outputs along a new
// leading axis (Scan: along scan_output_axes) and check that every
// iteration produced the same type and shape. A Loop that runs no
// iteration returns its scan outputs as float32 tensors of shape [0],
// since no iteration told their element type.
package controlflow
