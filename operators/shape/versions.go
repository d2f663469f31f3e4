package shape

import "github.com/onnxrun/onnxrun/operators"

func reg(op string, f operators.Factory, since ...int) {
	for _, s := range since {
		operators.Register(operators.Registration{OpType: op, Since: s, New: f})
	}
}

// Versions 21 and later of these operators only add element types
// (float8, int4, ...); they are registered so such models load.
//
// Opset 11 made negative axes legal for Flatten, Squeeze, Unsqueeze,
// Concat, Split and Gather. Older exporters (PyTorch at opset 6, for one)
// already wrote them, and ONNX Runtime accepts them, so every version here
// does too.
func init() {
	// Reshape-1: the shape is an attribute. Reshape-5: the shape is
	// input 1. Reshape-13: bfloat16. Reshape-14: adds allowzero.
	// Reshape-19/21/23/24/25: new element types.
	reg("Reshape", newReshape, 1, 5, 13, 14, 19, 21, 23, 24, 25)
	// Flatten-1: axis in [0, rank]. Flatten-9: all types. Flatten-11:
	// negative axis. Flatten-13: bfloat16. Later: types.
	reg("Flatten", newFlatten, 1, 9, 11, 13, 21, 23, 24, 25)
	// Squeeze-1: axes attribute. Squeeze-11: negative axes. Squeeze-13:
	// axes become optional input 1. Later: types.
	reg("Squeeze", newSqueeze, 1, 11, 13, 21, 23, 24, 25)
	// Unsqueeze-1: axes attribute. Unsqueeze-11: negative axes.
	// Unsqueeze-13: axes become input 1. Later: types.
	reg("Unsqueeze", newUnsqueeze, 1, 11, 13, 21, 23, 24, 25)
	// Transpose-1: perm attribute, default reverse. 13: bfloat16. Later: types.
	reg("Transpose", newTranspose, 1, 13, 21, 23, 24, 25)
	// Concat-1: axis defaults to 1. Concat-4: axis required. Concat-11:
	// negative axis. Concat-13: bfloat16.
	reg("Concat", newConcat, 1, 4, 11, 13)
	// Split-1: split as attribute or input 1. Split-2: attribute only.
	// Split-11: negative axis. Split-13: split becomes input 1. Split-18:
	// num_outputs attribute; uneven splits make the last part smaller.
	reg("Split", newSplit, 1, 2, 11, 13, 18)
	// Shape-1: the whole shape. Shape-13: bfloat16. Shape-15: start/end
	// attributes. Later: types.
	reg("Shape", newShape, 1, 13, 15, 19, 21, 23, 24, 25)
	// Gather-1: axis, indices in range. Gather-11: negative axis and
	// negative indices. Gather-13: bfloat16.
	reg("Gather", newGather, 1, 11, 13)
	// Slice-1: starts/ends/axes attributes. Slice-10: inputs with steps.
	// Slice-11: negative axes spelled out. Slice-13: bfloat16.
	reg("Slice", newSlice, 1, 10, 11, 13)
	// Dropout-1/6: is_test attribute. Dropout-7: mask output, no is_test.
	// Dropout-10: mask is bool. Dropout-12: ratio and training_mode
	// become inputs. Dropout-13: bfloat16. Dropout-22: more types.
	// Inference only: training_mode true is an error.
	reg("Dropout", newDropout, 1, 6, 7, 10, 12, 13, 22)
	// ConstantOfShape-9: value attribute. Later: types.
	reg("ConstantOfShape", newConstantOfShape, 9, 20, 21, 23, 24, 25)
	// Expand-8: bidirectional broadcast to a shape. Expand-13: bfloat16.
	reg("Expand", newExpand, 8, 13)
	// Tile-1: tiles/axis inputs (unsupported). Tile-6: repeats input.
	// Tile-13: bfloat16.
	reg("Tile", newTile, 1, 6, 13)
	// Pad-1: "paddings" attribute. Pad-2: "pads" attribute and "value".
	// Pad-11: pads and constant_value become inputs. Pad-13: bfloat16.
	// Pad-18: axes input. Pad-19: wrap mode. Later: types.
	reg("Pad", newPad, 1, 2, 11, 13, 18, 19, 21, 23, 24, 25)
	// SpaceToDepth-1: blocksize. -13: bfloat16.
	reg("SpaceToDepth", newSpaceToDepth, 1, 13)
	// DepthToSpace-1: DCR order only. -11: mode attribute (DCR or CRD).
	// -13: bfloat16.
	reg("DepthToSpace", newDepthToSpace, 1, 11, 13)
	// Size-1: element count as int64. Later versions: types.
	reg("Size", newSize, 1, 13, 19, 21, 23, 24, 25)
	// GatherElements-11: torch.gather semantics. -13: bfloat16.
	reg("GatherElements", newGatherElements, 11, 13)
	// GatherND-11: index tuples. -12: batch_dims. -13: bfloat16.
	reg("GatherND", newGatherND, 11, 12, 13)
	// ScatterND-11: replace slices. -13: bfloat16. -16: reduction add/mul.
	// -18: reduction max/min.
	reg("ScatterND", newScatterND, 11, 13, 16, 18)
	// Scatter-9 is ScatterElements-11 under its old name (deprecated at 11).
	// ScatterElements-13: bfloat16. -16: reduction add/mul. -18: max/min.
	reg("Scatter", newScatterElements, 9)
	reg("ScatterElements", newScatterElements, 11, 13, 16, 18)
	// Compress-9: condition and optional axis. -11: negative axis.
	reg("Compress", newCompress, 9, 11)
}
