// Command jaring-bench measures Jaring against a loaded register and prints
// figures; it asserts nothing. See docs/benchmarks.md and scripts/bench/.
//
//	jaring-bench search --db URL [--district CODE] [--queries N] [--concurrency C]
//
// search times registry.SearchPeople within one district over a
// deterministic set of queries built from names present there, and, as the
// baseline of the same run, the indexed region-range lookup alone (the same
// rows' columns, no name matching).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	var err error
	switch args[0] {
	case "search":
		err = runSearch(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "jaring-bench: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(stderr, "jaring-bench %s: %v\n", args[0], err)
		return 1
	}
}

var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage: jaring-bench COMMAND [OPTIONS]

Commands:
  search   name search latency within one district (registry.SearchPeople)
           against the plain region-range lookup, on a loaded register

Run "jaring-bench COMMAND -h" for the options of a command.
`)
}
