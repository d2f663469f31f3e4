// Package memo keeps an operator's most recent shape-derived plan, so
// repeated runs with the same input shapes skip recomputing (and
// reallocating) it. It is safe for concurrent use: a plan is stored whole
// behind an atomic pointer and never modified after Put.
package memo
