// Package text implements ONNX's text operators: StringNormalizer, which
// drops stop words from a [C] or [1, C] string tensor and changes the case
// of the rest, and TfIdfVectorizer, which counts (possibly skipping)
// n-grams of a pool in integer or string sequences.
//
// Case changes and case-insensitive matching use Unicode simple case
// mapping (strings.ToLower/ToUpper); the locale attribute is accepted and
// not consulted.
package text
