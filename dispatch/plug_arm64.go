//go:build arm64 && !purego

package dispatch

// NEON kernels are not written yet: this build offers no tier beyond the
// reference. See select.go for the hook's contract.

var archLevels []Level

func archCheck(l Level) (bool, string) { return false, "no " + l.String() + " kernels in this build" }

func archPlug(k *Kernels, l Level) {}

func buildDesc() string { return "arm64 build" }
