//go:build !(amd64 || arm64) || purego

package dispatch

// This build has no assembly (another GOARCH, or the purego tag): the table
// stays the reference. See select.go for the hook's contract.

var archLevels []Level

func archCheck(l Level) (bool, string) { return false, "no " + l.String() + " kernels in this build" }

func archPlug(k *Kernels, l Level) {}

func buildDesc() string { return "build without assembly" }
