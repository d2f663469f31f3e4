package rnn

import "github.com/onnxrun/onnxrun/operators"

func init() {
	reg := func(op string, k kind, vs ...int) {
		for _, v := range vs {
			operators.Register(operators.Registration{OpType: op, Since: v, New: newOp(k, v)})
		}
	}
	// 1: output_sequence attribute (ignored: Y is produced when asked
	// for); 7: output_sequence removed; 14: layout attribute; 22: bfloat16
	// and float16 in the type list (this package computes float32 and
	// float64). GRU-3 adds linear_before_reset.
	reg("LSTM", lstmKind, 1, 7, 14, 22)
	reg("GRU", gruKind, 1, 3, 7, 14, 22)
	reg("RNN", rnnKind, 1, 7, 14, 22)
}
