package operators

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by operators and the runtime wrap one of
// these, so callers can test them with errors.Is.
var (
	ErrUnsupportedOp   = errors.New("unsupported operator")
	ErrUnsupportedType = errors.New("unsupported element type")
	ErrInvalidModel    = errors.New("invalid model")
	ErrShape           = errors.New("shape mismatch")
	ErrAttribute       = errors.New("invalid attribute")
)

// AttributeError says which attribute of a node is wrong and why.
type AttributeError struct {
	Attr   string
	Reason string
}

func (e *AttributeError) Error() string {
	return fmt.Sprintf("attribute %q: %s", e.Attr, e.Reason)
}

func (e *AttributeError) Unwrap() error { return ErrAttribute }
