// Package inputs checks a node's input count at load time, so operators
// can index their required inputs at run time without further checks.
package inputs
