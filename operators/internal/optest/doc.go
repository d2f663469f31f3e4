// Package optest is a test harness for operator packages: it builds nodes
// with attributes, looks operators up in the registry, runs them through
// Infer and Run, checks that the two agree, and compares results with
// reference values under a stated tolerance.
package optest
