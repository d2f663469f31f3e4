package resize

import "github.com/onnxrun/onnxrun/operators"

// opsetPick returns before for opsets older than since, else after.
func opsetPick(n *operators.Node, since, before, after int) int {
	if n.Opset < since {
		return before
	}
	return after
}
