package shape

import "github.com/onnxrun/onnxrun/operators"

// opsetPick returns before for opsets older than since, else after.
func opsetPick(n *operators.Node, since, before, after int) int {
	if n.Opset < since {
		return before
	}
	return after
}

// splitMax is Split's input limit: the split input exists at opset 1
// and again from opset 13.
func splitMax(n *operators.Node) int {
	if n.Opset < 2 || n.Opset >= 13 {
		return 2
	}
	return 1
}
