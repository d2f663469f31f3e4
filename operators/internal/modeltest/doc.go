// Package modeltest holds end-to-end tests that run whole CNN models
// (mnist-8 and torchvision classifiers) through the runtime against their
// recorded outputs; it has no non-test code.
package modeltest
