package text

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// StringNormalizer: opset 10, one version.
		operators.Registration{OpType: "StringNormalizer", Since: 10, New: newStringNormalizer},
		// TfIdfVectorizer: opset 9, one version.
		operators.Registration{OpType: "TfIdfVectorizer", Since: 9, New: newTfIdf},
	)
}
