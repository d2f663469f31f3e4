package runtime

import (
	"errors"
	"fmt"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
)

// UnsupportedOp is one (domain, op type, opset) a model uses that no
// registered operator implements, with the nodes that use it.
type UnsupportedOp struct {
	Domain string // "" for the default ONNX domain
	OpType string
	Opset  int // the model's opset for Domain
	Nodes  []string
}

// UnsupportedError lists every operator of a model the runtime cannot run.
// It wraps operators.ErrUnsupportedOp.
type UnsupportedError struct {
	Ops []UnsupportedOp
}

func (e *UnsupportedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d unsupported operator", len(e.Ops))
	if len(e.Ops) != 1 {
		b.WriteString("s")
	}
	b.WriteString(": ")
	for i, op := range e.Ops {
		if i > 0 {
			b.WriteString(", ")
		}
		if op.Domain != "" {
			b.WriteString(op.Domain)
			b.WriteString(".")
		}
		fmt.Fprintf(&b, "%s (opset %d; ", op.OpType, op.Opset)
		const show = 3
		if len(op.Nodes) == 1 {
			fmt.Fprintf(&b, "node %q)", op.Nodes[0])
			continue
		}
		fmt.Fprintf(&b, "%d nodes: ", len(op.Nodes))
		for j, n := range op.Nodes {
			if j == show {
				b.WriteString(", ...")
				break
			}
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", n)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap lets errors.Is match operators.ErrUnsupportedOp.
func (e *UnsupportedError) Unwrap() error { return operators.ErrUnsupportedOp }

// ErrInput is wrapped by every error a run returns because of its inputs:
// an unknown or missing name, a wrong element type, rank or dimension, a
// buffer that does not match its shape, one symbolic dimension given two
// sizes. Errors the model itself causes during a run do not wrap it.
var ErrInput = errors.New("invalid input")

// inputError marks err as the caller's input's fault without changing its
// message.
type inputError struct{ err error }

func (e *inputError) Error() string   { return e.err.Error() }
func (e *inputError) Unwrap() []error { return []error{ErrInput, e.err} }

func badInput(err error) error { return &inputError{err} }

// invalidf returns an error wrapping operators.ErrInvalidModel.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", operators.ErrInvalidModel, fmt.Sprintf(format, args...))
}
