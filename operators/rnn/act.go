package rnn

import (
	"fmt"
	"math"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
)

// act is one activation function with its parameters.
type act struct {
	kind        int
	alpha, beta float64
}

const (
	actSigmoid = iota
	actTanh
	actRelu
	actAffine
	actLeakyRelu
	actThresholdedRelu
	actScaledTanh
	actHardSigmoid
	actElu
	actSoftsign
	actSoftplus
)

// actSpec: the number of parameters each activation takes and their
// defaults (those of the same-named ONNX operators).
var actSpec = map[string]struct {
	kind        int
	params      int
	alpha, beta float64
}{
	"sigmoid":         {actSigmoid, 0, 0, 0},
	"tanh":            {actTanh, 0, 0, 0},
	"relu":            {actRelu, 0, 0, 0},
	"affine":          {actAffine, 2, 1, 0},
	"leakyrelu":       {actLeakyRelu, 1, 0.01, 0},
	"thresholdedrelu": {actThresholdedRelu, 1, 1, 0},
	"scaledtanh":      {actScaledTanh, 2, 1, 1},
	"hardsigmoid":     {actHardSigmoid, 2, 0.2, 0.5},
	"elu":             {actElu, 1, 1, 0},
	"softsign":        {actSoftsign, 0, 0, 0},
	"softplus":        {actSoftplus, 0, 0, 0},
}

func (a act) apply(x float64) float64 {
	switch a.kind {
	case actSigmoid:
		if x >= 0 {
			return 1 / (1 + math.Exp(-x))
		}
		e := math.Exp(x)
		return e / (1 + e)
	case actTanh:
		return math.Tanh(x)
	case actRelu:
		return max(x, 0)
	case actAffine:
		return a.alpha*x + a.beta
	case actLeakyRelu:
		if x < 0 {
			return a.alpha * x
		}
		return x
	case actThresholdedRelu:
		if x > a.alpha {
			return x
		}
		return 0
	case actScaledTanh:
		return a.alpha * math.Tanh(a.beta*x)
	case actHardSigmoid:
		return max(0, min(1, a.alpha*x+a.beta))
	case actElu:
		if x < 0 {
			return a.alpha * (math.Exp(x) - 1)
		}
		return x
	case actSoftsign:
		return x / (1 + math.Abs(x))
	case actSoftplus:
		if x > 30 {
			return x
		}
		return math.Log1p(math.Exp(x))
	}
	return x
}

// parseActs reads activations, activation_alpha and activation_beta; with
// no activations attribute the defaults (one list per direction) apply.
func parseActs(n *operators.Node, defaults []string, nDir int) ([]act, error) {
	names := make([]string, 0, len(defaults)*nDir)
	if a, ok := n.Attrs["activations"]; ok {
		if a.Type != operators.AttrStrings {
			return nil, &operators.AttributeError{Attr: "activations", Reason: "is not a list of strings"}
		}
		for _, s := range a.Strings {
			names = append(names, string(s))
		}
		if len(names) != len(defaults)*nDir {
			return nil, &operators.AttributeError{Attr: "activations", Reason: fmt.Sprintf("has %d entries, want %d (%d per direction)", len(names), len(defaults)*nDir, len(defaults))}
		}
	} else {
		for range nDir {
			names = append(names, defaults...)
		}
	}
	alphas, _, err := n.Floats("activation_alpha")
	if err != nil {
		return nil, err
	}
	betas, _, err := n.Floats("activation_beta")
	if err != nil {
		return nil, err
	}
	out := make([]act, len(names))
	for i, name := range names {
		sp, ok := actSpec[strings.ToLower(name)]
		if !ok {
			return nil, &operators.AttributeError{Attr: "activations", Reason: fmt.Sprintf("entry %d: unknown activation %q", i, name)}
		}
		a := act{kind: sp.kind, alpha: sp.alpha, beta: sp.beta}
		if sp.params >= 1 && len(alphas) > 0 {
			a.alpha, alphas = float64(alphas[0]), alphas[1:]
		}
		if sp.params >= 2 && len(betas) > 0 {
			a.beta, betas = float64(betas[0]), betas[1:]
		}
		out[i] = a
	}
	return out, nil
}
