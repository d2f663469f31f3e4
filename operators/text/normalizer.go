package text

import (
	"fmt"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

type normalizer struct {
	action        string // LOWER, UPPER or NONE
	caseSensitive bool
	stop          map[string]bool // lowered unless caseSensitive
}

func newStringNormalizer(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	o := &normalizer{stop: map[string]bool{}}
	var err error
	if o.action, err = n.String("case_change_action", "NONE"); err != nil {
		return nil, err
	}
	switch o.action {
	case "LOWER", "UPPER", "NONE":
	default:
		return nil, &operators.AttributeError{Attr: "case_change_action", Reason: fmt.Sprintf("is %q, want LOWER, UPPER or NONE", o.action)}
	}
	cs, err := n.Int("is_case_sensitive", 0)
	if err != nil {
		return nil, err
	}
	o.caseSensitive = cs != 0
	if _, err := n.String("locale", ""); err != nil {
		return nil, err
	}
	if a, ok := n.Attrs["stopwords"]; ok {
		if a.Type != operators.AttrStrings {
			return nil, &operators.AttributeError{Attr: "stopwords", Reason: fmt.Sprintf("has type %d, want %d", a.Type, operators.AttrStrings)}
		}
		for _, w := range a.Strings {
			o.stop[o.key(string(w))] = true
		}
	}
	return o, nil
}

func (o *normalizer) key(s string) string {
	if o.caseSensitive {
		return s
	}
	return strings.ToLower(s)
}

func (o *normalizer) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: StringNormalizer takes 1 input, got %d", operators.ErrInvalidModel, len(in))
	}
	if in[0].DType != operators.String {
		return nil, fmt.Errorf("%w: StringNormalizer of %v", operators.ErrUnsupportedType, in[0].DType)
	}
	if !in[0].HasShape {
		return []operators.Meta{{DType: operators.String}}, nil
	}
	s, err := checkShape(in[0].Shape)
	if err != nil {
		return nil, err
	}
	out := []int{-1}
	if len(s) == 2 {
		out = []int{1, -1}
	}
	if len(o.stop) == 0 {
		out = s
	}
	return []operators.Meta{{DType: operators.String, Shape: out, HasShape: true}}, nil
}

func checkShape(s []int) ([]int, error) {
	if len(s) == 1 || (len(s) == 2 && s[0] == 1) {
		return s, nil
	}
	return nil, fmt.Errorf("%w: StringNormalizer takes [C] or [1, C], got shape %v", operators.ErrShape, s)
}

func (o *normalizer) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != 1 || in[0] == nil {
		return fmt.Errorf("%w: StringNormalizer needs its input", operators.ErrInvalidModel)
	}
	x := in[0]
	if x.DType != operators.String {
		return fmt.Errorf("%w: StringNormalizer of %v", operators.ErrUnsupportedType, x.DType)
	}
	if _, err := checkShape(x.Shape); err != nil {
		return err
	}
	var kept []string
	for _, s := range x.Strs {
		if o.stop[o.key(s)] {
			continue
		}
		switch o.action {
		case "LOWER":
			s = strings.ToLower(s)
		case "UPPER":
			s = strings.ToUpper(s)
		}
		kept = append(kept, s)
	}
	if len(kept) == 0 {
		kept = []string{""} // an empty result keeps one empty string
	}
	shape := []int{len(kept)}
	if len(x.Shape) == 2 {
		shape = []int{1, len(kept)}
	}
	y, err := rc.AllocValue(operators.String, shape, false)
	if err != nil {
		return err
	}
	copy(y.Strs, kept)
	out[0] = y
	return nil
}
