//go:build race

package dispatch_test

// raceEnabled thins the exhaustive tests under the race detector, which
// slows their pure-Go checking loops tenfold without adding anything (the
// kernels share no memory between goroutines).
const raceEnabled = true
