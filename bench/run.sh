#!/usr/bin/env bash
# Runs the side-by-side benchmarks and prints the tables of BENCHMARKS.md.
# Usage: ONNXRUN_TESTDATA=/path/to/shared bash bench/run.sh [outdir]
# COUNT (default 5) repeats each benchmark; the tables show medians.
# ROUNDS (default 500), TROUNDS (default 300) and MROUNDS (default 40) are
# the numbers of rounds of the interleaved comparisons.
# MEMCOUNT (default 5) repeats each peak-memory measurement.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/.results}
count=${COUNT:-5}
mkdir -p "$out"
cd "$here"
export ORT_LIB=${ORT_LIB:-$(bash setup.sh)}

# paired_table NAME prints the table of interleaved benchmark NAME's output
# (stdin): per case, each side's median time per run, the median over
# rounds of the first side's time / the second's, and its 10th-90th
# percentile spread.
paired_table() {
	awk -v bench="Benchmark$1/" '
		index($1, bench) == 1 {
			delete m; a = ""; c = ""
			for (i = 5; i < NF; i += 2) m[$(i+1)] = $i
			for (u in m) if (u ~ /^x-[^-]+$/) a = substr(u, 3)
			for (u in m) if (u ~ /-ns\/run$/ && u != a "-ns/run") c = substr(u, 1, length(u) - 7)
			name = substr($1, length(bench) + 1); sub(/-[0-9]+$/, "", name)
			if (!hdr++) printf "| case | %s | %s | %s time ÷ %s time (median) | p10–p90 |\n|---|---:|---:|---:|---:|\n", a, c, a, c
			printf "| %s | %.1fµs | %.1fµs | %.2f | %.2f–%.2f |\n", name, m[a "-ns/run"] / 1000, m[c "-ns/run"] / 1000, m["x-" a], m["x-" a "-p10"], m["x-" a "-p90"]
		}'
}

echo "## Softmax and LogSoftmax (float32, opset 13)"
go test -run '^$' -bench 'Softmax/.*/.*/.*/.*/impl=' -benchtime 0.5s -count "$count" . | tee "$out/softmax.txt" >/dev/null
go run ./cmd/table < "$out/softmax.txt"

# The same cases with ONNX Runtime and RunInto interleaved in blocks of
# about a millisecond: the median and spread of the per-round ratios.
echo
echo "## Softmax and LogSoftmax, interleaved (ort time / RunInto time per round)"
go test -run '^$' -bench '^BenchmarkPaired$' -benchtime "${ROUNDS:-500}x" . | tee "$out/paired.txt" | paired_table Paired

# Two threads against one on the largest case, interleaved the same way.
echo
echo "## Two threads against one, interleaved (t1 time / t2 time per round)"
go test -run '^$' -bench '^BenchmarkPairedThreads$' -benchtime "${TROUNDS:-300}x" . | tee "$out/threads.txt" | paired_table PairedThreads
# The same kernels on rows kept in each core's cache: what a second
# thread gives to the arithmetic alone.
echo
go test -run '^$' -bench '^BenchmarkPairedThreadsInCache$' -benchtime "${TROUNDS:-300}x" . | tee "$out/threads-cache.txt" | paired_table PairedThreadsInCache

echo
echo "## Memory bandwidth (read + write; copy-t2 on two cores)"
go test -run '^$' -bench 'Bandwidth' -benchtime 10x -count "$count" . | tee "$out/bandwidth.txt" | grep '^Benchmark'

if [ -n "${ONNXRUN_TESTDATA:-}" ]; then
	echo
	echo "## Exported classifiers"
	go test -run '^$' -bench '^BenchmarkModels$' -benchtime 10x -count "$count" -timeout 60m . | tee "$out/models.txt" >/dev/null
	go run ./cmd/table < "$out/models.txt"

	# Batch 1, one thread, the two runtimes interleaved per round.
	echo
	echo "## Exported classifiers, interleaved (batch 1, one thread)"
	go test -run '^$' -bench '^BenchmarkPairedModels$' -benchtime "${MROUNDS:-40}x" -timeout 60m . | tee "$out/models-paired.txt" | paired_table PairedModels

	# Peak memory: each runtime alone in a process of its own (a process's
	# peak covers everything in it), one thread, MEMCOUNT processes per
	# case; the table shows medians and ranges.
	echo
	echo "## Peak memory (one thread, each runtime in its own process)"
	go build -o "$out/peakmem" ./cmd/peakmem
	: > "$out/peakmem.jsonl"
	"$out/peakmem" -list "$ONNXRUN_TESTDATA/models" | while read -r batch dir; do
		for _ in $(seq "${MEMCOUNT:-5}"); do
			for rt in ort onnxrun; do
				"$out/peakmem" -runtime "$rt" -model "$dir" -threads 1 -batch "$batch" -runs 5 < /dev/null >> "$out/peakmem.jsonl"
			done
		done
	done
	"$out/peakmem" -table < "$out/peakmem.jsonl"
fi
