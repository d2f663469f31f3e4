// Package text implements ONNX's string operators: StringNormalizer, which
// drops stop words from a [C] or [1, C] string tensor and changes the case
// of the rest.
//
// Case changes and case-insensitive matching use Unicode simple case
// mapping (strings.ToLower/ToUpper); the locale attribute is accepted and
// not consulted.
package text
