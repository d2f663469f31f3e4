package signal

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// DFT-17: the axis is an attribute (default 1, the first axis
		// after the batch). DFT-20: the axis is an optional input 2
		// (default -2, the last signal axis).
		operators.Registration{OpType: "DFT", Since: 17, New: newDFT(17)},
		operators.Registration{OpType: "DFT", Since: 20, New: newDFT(20)},
		// STFT: opset 17, one version.
		operators.Registration{OpType: "STFT", Since: 17, New: newSTFT},
	)
}
