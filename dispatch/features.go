package dispatch

import (
	"slices"

	"github.com/klauspost/cpuid/v2"
)

// relevantFeatures are the CPU features that decide, or may one day
// decide, which kernels run.
var relevantFeatures = []cpuid.FeatureID{
	cpuid.SSE2, cpuid.SSE4, cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.F16C,
	cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL,
	cpuid.AVX512FP16, cpuid.AVX512BF16,
	cpuid.ASIMD, cpuid.ASIMDHP, cpuid.ASIMDDP, cpuid.FPHP, cpuid.SVE,
}

// Features returns the names of the CPU features this process sees that
// matter to the kernels (for example "AVX2", "FMA3", "AVX512F", "ASIMD"),
// in a fixed order, as detected by cpuid.
func Features() []string {
	var out []string
	for _, f := range relevantFeatures {
		if cpuid.CPU.Supports(f) {
			out = append(out, f.String())
		}
	}
	return slices.Clip(out)
}

// CPUName returns the processor's brand string, or "" if unknown.
func CPUName() string { return cpuid.CPU.BrandName }

// LastLevelCache returns the size in bytes of the largest cache the CPU
// reports (on x86, the L3 shared by the cores), or 0 if it reports none.
// Kernels use it to tell data that will still be in cache when it is next
// read from data that will not.
func LastLevelCache() int {
	return max(0, cpuid.CPU.Cache.L1D, cpuid.CPU.Cache.L2, cpuid.CPU.Cache.L3)
}
