// Package onnxpb is the runtime's reader and writer of ONNX protobuf files:
// it decodes ModelProto and TensorProto bytes into the plain Go structs of
// types.go, converts tensors to and from operators.Value, and encodes models
// and tensors back to bytes.
//
// The entry points are DecodeModel and ReadModel for ModelProto;
// DecodeTensor and ReadTensor for TensorProto files such as the
// input_N.pb / output_N.pb of the ONNX test layout; DecodeSequence,
// DecodeMap and DecodeOptional for the onnx-data.proto messages that layout
// uses for non-tensor values; TensorToValue and SparseToValue to make
// runtime Values (reading external data from the model's folder); and
// ValueToTensor, EncodeTensor, EncodeModel (and the Encode functions of the
// data messages) to write them back.
//
// Decoding uses google.golang.org/protobuf/encoding/protowire directly: no
// generated code and no protobuf registry, so the package can sit beside
// any other ONNX protobuf package in one binary. Unknown fields are skipped,
// as protobuf requires, so models written for newer IR versions still
// decode. Known fields with the wrong wire type, truncated input, over-long
// varints and inconsistent sizes are errors, never panics.
//
// # Limits
//
// A serialized model is untrusted input. Every size it declares (the
// product of a tensor's dims, element counts of packed fields, byte lengths,
// the number of nodes and of messages overall, the nesting depth of
// subgraphs, the region of an external data file) is compared with a Limits
// value before anything is allocated for it. Zero fields of Limits take the
// defaults of DefaultLimits.
//
// Where protobuf would merge a second occurrence of a singular message
// field (or let a later oneof member replace an earlier one), the decoder
// refuses the input instead: no ONNX writer produces it.
//
// # Aliasing
//
// DecodeModel and DecodeTensor do not copy raw_data: Tensor.RawData is a
// sub-slice of the input buffer, so decoding a model with large weights
// costs one pass and no copy of them. The input must therefore stay
// unchanged while the decoded structs are in use. TensorToValue copies the
// data into a fresh 8-byte aligned buffer, after which the input may be
// dropped.
//
// # Errors
//
// Every decode error wraps operators.ErrInvalidModel and says where it
// happened, outermost first, e.g.
//
//	invalid model: graph "main": node 12 "conv1" (Conv): attribute "pads": field 8 (ints): packed varints: unexpected EOF
//
// Errors caused by a limit also wrap ErrLimit.
package onnxpb
