package operators

import (
	"context"
	"sort"
	"sync"
)

// Op is one node's operator, built once at load time from the node's
// attributes and opset, and then shared by every Run of the model (from
// many goroutines at once), so it must not change after construction.
type Op interface {
	// Infer returns the outputs' types and shapes from the inputs'. Shapes
	// may be partly unknown at load time (Meta.HasShape false, or -1
	// dimensions). consts[i] is input i's value when it is known (an
	// initializer or constant, or every input at run time), else nil.
	// An operator that cannot tell returns Meta with HasShape false.
	Infer(in []Meta, consts []*Value) ([]Meta, error)
	// Run computes the outputs. in[i] is nil for an omitted optional
	// input. Run sets out[i] for every output, allocating it through
	// rc.AllocValue, or setting it to a view of an input's buffer (the
	// runtime counts references to shared buffers).
	Run(rc *RunContext, in []*Value, out []*Value) error
}

// ConstantOp is implemented by operators whose output is fixed when the
// model is loaded (Constant). The runtime may fold such a node: treat the
// returned value as an initializer and never run the node. The value is
// shared and must not be modified.
type ConstantOp interface {
	Op
	Constant() *Value
}

// Factory builds an Op from a node. It validates every attribute and
// returns an error that names the bad attribute; the runtime adds the node.
type Factory func(n *Node) (Op, error)

// Registration ties an operator implementation to ONNX's versioning: it
// serves (Domain, OpType) for model opsets from Since up to the next
// registration's Since.
type Registration struct {
	Domain string // "" for the default ONNX domain ("ai.onnx")
	OpType string
	Since  int
	New    Factory
}

var (
	regMu    sync.RWMutex
	registry = map[[2]string][]Registration{}
)

func canonDomain(d string) string {
	if d == "ai.onnx" {
		return ""
	}
	return d
}

// Register adds implementations to the global registry. Operator packages
// call it from init.
func Register(rs ...Registration) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, r := range rs {
		r.Domain = canonDomain(r.Domain)
		k := [2]string{r.Domain, r.OpType}
		list := append(registry[k], r)
		sort.Slice(list, func(i, j int) bool { return list[i].Since < list[j].Since })
		registry[k] = list
	}
}

// Lookup picks the registration for a node: the highest Since that is at
// most opset.
func Lookup(domain, opType string, opset int) (Registration, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	list := registry[[2]string{canonDomain(domain), opType}]
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Since <= opset {
			return list[i], true
		}
	}
	return Registration{}, false
}

// Registrations returns every registration, sorted by domain, op type and
// version; it feeds the supported-operator table.
func Registrations() []Registration {
	regMu.RLock()
	defer regMu.RUnlock()
	var out []Registration
	for _, l := range registry {
		out = append(out, l...)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Domain != b.Domain {
			return a.Domain < b.Domain
		}
		if a.OpType != b.OpType {
			return a.OpType < b.OpType
		}
		return a.Since < b.Since
	})
	return out
}

// Allocator hands out value buffers for one run. The runtime's
// implementation reuses buffers freed earlier in the run (or in earlier
// runs) so a steady-state run allocates nothing.
type Allocator interface {
	// Alloc returns a value of the given type and shape. Its elements are
	// not zeroed unless zero is true. The shape slice is copied.
	Alloc(dt DType, shape []int, zero bool) (*Value, error)
}

// RunContext carries what an operator needs during a run besides its
// inputs: the allocator, the thread budget and the caller's context.
type RunContext struct {
	Ctx     context.Context
	Alloc   Allocator
	Threads int    // intra-op goroutines an operator may use; <= 1 means one
	Views   *Views // headers for views (see View); nil makes new ones
}

// AllocValue allocates through rc.Alloc, or directly when rc has no
// allocator (tests, constant folding).
func (rc *RunContext) AllocValue(dt DType, shape []int, zero bool) (*Value, error) {
	if rc == nil || rc.Alloc == nil {
		return NewValue(dt, shape)
	}
	return rc.Alloc.Alloc(dt, shape, zero)
}
