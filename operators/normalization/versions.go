package normalization

import "github.com/onnxrun/onnxrun/operators"

func reg(op string, f operators.Factory, since ...int) {
	for _, s := range since {
		operators.Register(operators.Registration{OpType: op, Since: s, New: f})
	}
}

func init() {
	// BatchNormalization-1: consumed_inputs, is_test and spatial
	// attributes. -6: drops consumed_inputs. -7: drops is_test (the
	// extra outputs mark training). -9: drops spatial (parameters are
	// always per channel). -14: training_mode attribute. -15: scale/bias
	// and mean/var may have their own float types.
	// Only inference is supported; spatial=0 parameters of shape
	// X.shape[1:] are accepted.
	reg("BatchNormalization", newBatchNorm, 1, 6, 7, 9, 14, 15)
	// InstanceNormalization-1: consumed_inputs. -6: drops it. -22: bfloat16.
	reg("InstanceNormalization", newInstanceNorm, 1, 6, 22)
	// LayerNormalization-17: first standard version (axis, epsilon,
	// stash_type; optional Mean and InvStdDev outputs).
	reg("LayerNormalization", newLayerNorm, 17)
	// LRN-1: size, alpha, beta, bias across channels. -13: bfloat16.
	reg("LRN", newLRN, 1, 13)
}
