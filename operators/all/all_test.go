package all

import (
	"reflect"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// pkgOf names the package that defines a factory function.
func pkgOf(f operators.Factory) string {
	name := goruntime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
	// "github.com/onnxrun/onnxrun/operators/elementwise.register.func1":
	// the package path ends at the first dot after the last slash.
	slash := strings.LastIndex(name, "/")
	if dot := strings.Index(name[slash+1:], "."); dot >= 0 {
		return name[:slash+1+dot]
	}
	return name
}

// TestRegistrations checks that no (domain, op type, since-version) is
// registered twice and that each operator is served by one package only,
// so two packages implementing the same operator cannot both link in and
// leave the choice to registration order.
func TestRegistrations(t *testing.T) {
	regs := operators.Registrations()
	if len(regs) == 0 {
		t.Fatal("no operators registered")
	}
	seen := map[[3]any]bool{}
	owner := map[[2]string]string{}
	for _, r := range regs {
		k := [3]any{r.Domain, r.OpType, r.Since}
		if seen[k] {
			t.Errorf("%s %s since %d is registered twice", r.Domain, r.OpType, r.Since)
		}
		seen[k] = true
		if r.New == nil {
			t.Errorf("%s %s since %d has no factory", r.Domain, r.OpType, r.Since)
			continue
		}
		op, p := [2]string{r.Domain, r.OpType}, pkgOf(r.New)
		if prev, ok := owner[op]; ok && prev != p {
			t.Errorf("%s %s is registered by both %s and %s", r.Domain, r.OpType, prev, p)
		}
		owner[op] = p
	}
	t.Logf("%d registrations of %d operators", len(regs), len(owner))
}
