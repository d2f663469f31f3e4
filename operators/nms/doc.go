// Package nms implements the ONNX NonMaxSuppression operator: per batch
// and class, greedily keep the highest-scoring boxes, dropping those whose
// intersection-over-union with a kept box is above the threshold.
//
// Candidates are taken in descending score order, equal scores by lower
// box index (as ONNX Runtime orders them); boxes scoring at or below
// score_threshold are dropped, as ONNX Runtime does. A box with no area
// overlaps nothing.
package nms
