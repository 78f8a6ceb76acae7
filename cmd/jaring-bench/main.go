// Command jaring-bench measures Jaring against a loaded register and prints
// figures; it asserts nothing. See docs/benchmarks.md and scripts/bench/.
//
//	jaring-bench search --db URL [--district CODE] [--queries N] [--concurrency C]
//	jaring-bench http --url URL (--nik-file F | --body-file F) [--concurrency N] [--duration D] [--rate R]
//
// search times registry.SearchPeople within one district over a
// deterministic set of queries built from names present there, and, as the
// baseline of the same run, the indexed region-range lookup alone (the same
// rows' columns, no name matching).
//
// http is a load generator for one endpoint (the public status check in
// scripts/bench/cekbansos.sh): keep-alive connections, closed loop or a
// fixed rate, requests/s, latency percentiles and status counts (503 busy
// apart), and optionally a signed-in user's page measured meanwhile.
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
	case "http":
		err = runHTTP(ctx, args[1:], stdout, stderr)
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
  http     load on one HTTP endpoint (closed loop or fixed rate): requests/s,
           p50/p90/p99/max, status counts, a signed-in probe page meanwhile

Run "jaring-bench COMMAND -h" for the options of a command.
`)
}
