package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/onnxrun/onnxrun/operators/all" // every operator onnxrun has
)

func main() {
	prog := strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
	if prog == "" || prog == "." || strings.HasPrefix(prog, "__debug") {
		prog = "run"
	}
	os.Exit(runAs(prog, os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command with its arguments, writing to stdout and stderr; it
// returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return runAs("run", args, stdout, stderr)
}

// cli is one invocation.
type cli struct {
	prog           string
	stdout, stderr io.Writer
}

// errUsage marks errors after which the usage has already been printed.
var errUsage = errors.New("usage")

func runAs(prog string, args []string, stdout, stderr io.Writer) int {
	c := &cli{prog: prog, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		c.usage(stderr)
		return 2
	}
	var err error
	switch args[0] {
	case "help", "-h", "-help", "--help":
		c.usage(stdout)
		return 0
	case "test":
		var failed bool
		failed, err = c.test(args[1:])
		if err == nil && failed {
			return 1
		}
	case "bench":
		err = c.bench(args[1:])
	case "kernels", "-kernels", "--kernels":
		err = c.kernels(args[1:])
	case "coverage":
		err = c.coverage(args[1:])
	case "info":
		err = c.info(args[1:])
	case "ops":
		err = c.ops(args[1:])
	default:
		err = c.model(args)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(stderr, "%s: %v\n", prog, err)
	return 1
}

func (c *cli) usage(w io.Writer) {
	p := c.prog
	fmt.Fprintf(w, `%[1]s runs ONNX models on onnxrun, a pure-Go inference runtime.

Usage:
  %[1]s MODEL.onnx [-input NAME=FILE ... | -image FILE.png|.jpg [-preprocess imagenet|none]] [-top K [-labels FILE]] [-threads N] [-output DIR] [-format pb|npy|npz] [-json]
        run a model and print its outputs (inputs: -input files (.pb, .npy or .npz),
        else test_data_set_0 beside the model, else seeded random data)
  %[1]s test [-json] [-rtol R] [-atol A] [-run RE] [-q] [-v] [-coverage] [-j N] [-update-manifest FILE] PATH ...
        run conformance tests (ONNX backend-test layout); exit status 1 if any fails
  %[1]s bench [-json] [-n RUNS] [-threads N] [-api dense|values] [-input NAME=FILE ...] MODEL.onnx
        time Run: median, min, max latency and allocations per run
  %[1]s kernels [-json] [-levels]   (or %[1]s -kernels)
        CPU features and the kernel chosen for each table entry (ONNXRUN_ISA lowers the level)
  %[1]s info [-json] MODEL.onnx
        describe a model: opsets, inputs, outputs, operators, and whether onnxrun loads it
  %[1]s coverage [-json] [-o FILE] [PATH ...]
        per-operator conformance coverage as Markdown (default paths: the suites in $ONNXRUN_TESTDATA)
  %[1]s ops [-markdown | -json | -readme FILE]
        the operators onnxrun implements, with domains and opset versions
  %[1]s help
        this text

Run "%[1]s COMMAND -h" for a command's flags.
`, p)
}

// newFlags makes a flag set that reports errors through c.stderr.
func (c *cli) newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(c.prog+" "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	return fs
}

// parse parses flags that may come before, between or after the
// positional arguments (run model.onnx -top 3), and returns the
// positional ones. "--" ends flag parsing.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// flag stops at "--" too; everything after it is positional.
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// inputFlags collects repeated -input NAME=FILE flags.
type inputFlags []string

func (f *inputFlags) String() string     { return strings.Join(*f, ",") }
func (f *inputFlags) Set(s string) error { *f = append(*f, s); return nil }
