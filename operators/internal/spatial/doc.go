// Package spatial is the window arithmetic shared by Conv and the pooling
// operators: parsing kernel_shape, strides, dilations, pads and auto_pad,
// and computing output sizes and effective padding for an input shape.
package spatial
