#!/usr/bin/env bash
# Runs the side-by-side benchmarks and prints the tables of BENCHMARKS.md.
# Usage: ONNXRUN_TESTDATA=/path/to/shared bash bench/run.sh [outdir]
# COUNT (default 5) repeats each benchmark; the tables show medians.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/.results}
count=${COUNT:-5}
mkdir -p "$out"
cd "$here"
export ORT_LIB=${ORT_LIB:-$(bash setup.sh)}

echo "## Softmax and LogSoftmax (float32, opset 13)"
go test -run '^$' -bench 'Softmax/.*/.*/.*/.*/impl=' -benchtime 0.5s -count "$count" . | tee "$out/softmax.txt" >/dev/null
go run ./cmd/table < "$out/softmax.txt"

echo
echo "## Single-core memory bandwidth (read + write)"
go test -run '^$' -bench 'Bandwidth' -benchtime 10x -count "$count" . | tee "$out/bandwidth.txt" | grep '^Benchmark'

if [ -n "${ONNXRUN_TESTDATA:-}" ]; then
	echo
	echo "## Exported classifiers"
	go test -run '^$' -bench 'Models' -benchtime 10x -count 3 -timeout 60m . | tee "$out/models.txt" >/dev/null
	go run ./cmd/table < "$out/models.txt"
fi
