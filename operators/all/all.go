package all

// One blank import per operator package, sorted; each registers its
// operators from init.
import (
	_ "github.com/onnxrun/onnxrun/operators/cast"
	_ "github.com/onnxrun/onnxrun/operators/constant"
	_ "github.com/onnxrun/onnxrun/operators/contrib"
	_ "github.com/onnxrun/onnxrun/operators/controlflow"
	_ "github.com/onnxrun/onnxrun/operators/conv"
	_ "github.com/onnxrun/onnxrun/operators/cumsum"
	_ "github.com/onnxrun/onnxrun/operators/einsum"
	_ "github.com/onnxrun/onnxrun/operators/elementwise"
	_ "github.com/onnxrun/onnxrun/operators/gemm"
	_ "github.com/onnxrun/onnxrun/operators/generate"
	_ "github.com/onnxrun/onnxrun/operators/identity"
	_ "github.com/onnxrun/onnxrun/operators/linalg"
	_ "github.com/onnxrun/onnxrun/operators/logsoftmax"
	_ "github.com/onnxrun/onnxrun/operators/loss"
	_ "github.com/onnxrun/onnxrun/operators/nms"
	_ "github.com/onnxrun/onnxrun/operators/normalization"
	_ "github.com/onnxrun/onnxrun/operators/pool"
	_ "github.com/onnxrun/onnxrun/operators/quantize"
	_ "github.com/onnxrun/onnxrun/operators/reduce"
	_ "github.com/onnxrun/onnxrun/operators/resize"
	_ "github.com/onnxrun/onnxrun/operators/rnn"
	_ "github.com/onnxrun/onnxrun/operators/shape"
	_ "github.com/onnxrun/onnxrun/operators/signal"
	_ "github.com/onnxrun/onnxrun/operators/softmax"
	_ "github.com/onnxrun/onnxrun/operators/text"
	_ "github.com/onnxrun/onnxrun/operators/topk"
	_ "github.com/onnxrun/onnxrun/operators/training"
	_ "github.com/onnxrun/onnxrun/operators/trilu"
)
