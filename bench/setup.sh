#!/usr/bin/env bash
# Fetches ONNX Runtime 1.30 (CPU) from the npm registry into bench/.ort and
# prints the path of its shared library. The library ships inside the
# onnxruntime-node package; its install script would try to download GPU
# libraries from elsewhere, so it is skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir="$here/.ort"
lib="$dir/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1"
if [ ! -f "$lib" ]; then
	mkdir -p "$dir"
	cd "$dir"
	[ -f package.json ] || echo '{"name":"onnxrun-bench-ort","private":true}' > package.json
	ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --silent onnxruntime-node@1.30.0 >&2
fi
[ -f "$lib" ] || { echo "setup: $lib is missing after install" >&2; exit 1; }
echo "$lib"
