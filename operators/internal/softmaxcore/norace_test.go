//go:build !race

package softmaxcore

const raceEnabled = false
