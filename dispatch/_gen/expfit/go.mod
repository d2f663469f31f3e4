module github.com/onnxrun/onnxrun/dispatch/_gen/expfit

go 1.26
