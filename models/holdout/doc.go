// Package holdout checks that classifiers of families the bundled fixtures
// do not cover run unchanged and give ONNX Runtime's numbers.
//
// Its test builds small but structurally faithful versions of exported
// networks in code (efficientnet/mnasnet, regnet, densenet, googlenet,
// vgg/alexnet, convnext, vit, swin, a text transformer, wake-word heads
// and a channels-last TensorFlow-style network), each with the operator
// patterns, attribute forms and dynamic batch dimension their exporters
// emit, at opsets 11, 13 and 17 and with seeded random weights. Every
// model runs through onnxrun and through ONNX Runtime via the oracle
// script of the shared tools folder (node oracle.js); the outputs are
// compared, and onnxrun is also run at batch 1 and without optimizations.
// Set ONNXRUN_ORT_DIR to a directory where that folder's setup.sh has run;
// without it the comparison is skipped.
//
// A second test exercises the loader on what such exports carry:
// symbolic dimensions named differently across inputs, stale value_info
// shapes, initializers also listed as graph inputs, unused opset imports
// and tensors stored as external data next to the model.
package holdout
