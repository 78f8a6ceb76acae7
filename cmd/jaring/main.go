// Command jaring runs the Jaring social register. See README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"runtime/trace"
	"syscall"

	"github.com/kemensos/jaring/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := startProfile(os.Getenv("JARING_CPUPROFILE"))
	stopTrace := startTrace(os.Getenv("JARING_TRACE"))
	code := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stopTrace()
	stopProfile()
	stop()
	os.Exit(code)
}

// startProfile writes a CPU profile of the whole command to path, when set
// (JARING_CPUPROFILE; read it with `go tool pprof`). It returns the
// function that ends the profile.
func startProfile(path string) func() {
	return startRecording("JARING_CPUPROFILE", path, pprof.StartCPUProfile, pprof.StopCPUProfile)
}

// startTrace writes an execution trace of the whole command to path, when
// set (JARING_TRACE; read it with `go tool trace`): where goroutines wait
// for each other, which a CPU profile does not show.
func startTrace(path string) func() {
	return startRecording("JARING_TRACE", path, trace.Start, trace.Stop)
}

// startRecording creates path and starts a recording into it; a failure
// is told on standard error under the variable's name, and the command
// runs on unrecorded.
func startRecording(name, path string, start func(io.Writer) error, stop func()) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		if err = start(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "jaring: "+name+":", err)
		return func() {}
	}
	return func() {
		stop()
		f.Close()
	}
}
