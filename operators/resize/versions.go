package resize

import "github.com/onnxrun/onnxrun/operators"

func init() {
	reg := func(op string, f operators.Factory, since ...int) {
		for _, s := range since {
			operators.Register(operators.Registration{OpType: op, Since: s, New: f})
		}
	}
	// Upsample-7: scales attribute; nearest or linear, asymmetric
	// coordinates. Upsample-9: scales become input 1. Deprecated by Resize
	// at opset 10.
	reg("Upsample", newUpsample, 7, 9)
	// Resize-10: X and scales; nearest or linear, asymmetric coordinates.
	// Resize-11: roi, scales, sizes inputs; cubic mode; the
	// coordinate_transformation_mode, nearest_mode, cubic_coeff_a,
	// exclude_outside and extrapolation_value attributes.
	// Resize-13: roi and scales may be omitted; tf_half_pixel_for_nn
	// removed (still accepted here). Resize-18: axes,
	// keep_aspect_ratio_policy and antialias (antialias=1 unsupported).
	// Resize-19: half_pixel_symmetric.
	reg("Resize", newResize, 10, 11, 13, 18, 19)
}
