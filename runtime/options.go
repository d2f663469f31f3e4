package runtime

import (
	goruntime "runtime"

	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// Option configures Load.
type Option func(*options)

type options struct {
	threads  int
	noOpt    bool
	limits   onnxpb.Limits
	hasLimit bool
}

func buildOptions(opts []Option) options {
	o := options{threads: goruntime.NumCPU()}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	if o.threads < 1 {
		o.threads = 1
	}
	if !o.hasLimit {
		o.limits = onnxpb.DefaultLimits()
	}
	return o
}

// WithThreads sets how many goroutines one operator may use during a Run
// (operators.RunContext.Threads). The default is runtime.NumCPU(); n < 1
// means 1. Concurrent Runs each get this budget.
func WithThreads(n int) Option {
	return func(o *options) { o.threads = n }
}

// WithoutOptimizations turns off load-time graph optimisation: constant
// folding and the removal of nodes no graph output depends on. Every node
// then runs on every Run, which is useful to test operators and to compare
// against an optimised plan.
func WithoutOptimizations() Option {
	return func(o *options) { o.noOpt = true }
}

// WithLimits replaces the decoder's size limits (onnxpb.DefaultLimits).
func WithLimits(l onnxpb.Limits) Option {
	return func(o *options) { o.limits = l; o.hasLimit = true }
}
