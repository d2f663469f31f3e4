// Package dispatchtest is the test helper that runs a test body once per
// kernel tier of package dispatch.
package dispatchtest
