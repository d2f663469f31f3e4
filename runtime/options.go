package runtime

import (
	goruntime "runtime"

	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// Option configures Load.
type Option func(*options)

type options struct {
	threads int
	noOpt   bool
	limits  onnxpb.Limits
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
	// Zero fields mean "the default", as onnxpb documents.
	d := onnxpb.DefaultLimits()
	l := &o.limits
	if l.MaxModelBytes <= 0 {
		l.MaxModelBytes = d.MaxModelBytes
	}
	if l.MaxTensorElements <= 0 {
		l.MaxTensorElements = d.MaxTensorElements
	}
	if l.MaxTensorBytes <= 0 {
		l.MaxTensorBytes = d.MaxTensorBytes
	}
	if l.MaxNodes <= 0 {
		l.MaxNodes = d.MaxNodes
	}
	if l.MaxGraphDepth <= 0 {
		l.MaxGraphDepth = d.MaxGraphDepth
	}
	if l.MaxExternalBytes <= 0 {
		l.MaxExternalBytes = d.MaxExternalBytes
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
// folding, the removal of nodes no graph output depends on, and fusion
// (activations into Conv epilogues, Identity/Dropout removal). Every node
// then runs on every Run, which is useful to test operators and to compare
// against an optimised plan.
func WithoutOptimizations() Option {
	return func(o *options) { o.noOpt = true }
}

// WithLimits replaces the size limits (onnxpb.DefaultLimits; zero fields
// keep their default). The decoder applies them to the file; the runtime
// also refuses to fold constants, or to allocate a value during a run,
// larger than MaxTensorElements elements or MaxTensorBytes bytes.
func WithLimits(l onnxpb.Limits) Option {
	return func(o *options) { o.limits = l }
}
