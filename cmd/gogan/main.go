// Command gogan builds, trains and samples Generative Adversarial Networks.
//
//	gogan train   --model mlp --epochs 5          train the seed's GAN on MNIST
//	gogan sample  --run runs/mlp-... --n 64       images from a trained generator
//	gogan eval    --samples runs/mlp-...          FID, KID, IS, precision/recall against MNIST's test set
//	gogan summary --model mlp                     the models' layers and parameters
//	gogan export  --run runs/mlp-... --out g.onnx  the generator as ONNX or safetensors
//	gogan serve   --runs runs                     a JSON API and a web studio on 127.0.0.1:8080
//
// Run "gogan help COMMAND" for a command's flags. As with the go tool, "gogan help"
// and "gogan help COMMAND" print on stdout and exit 0; "gogan", "gogan -h" and
// "gogan COMMAND -h" print the same text on stderr and exit 2, as a usage error does.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand: its name, one-line purpose, flags and action.
type command struct {
	name, usage, short string
	flags              *flag.FlagSet
	run                func(env *environment, args []string) error
}

// environment is what a command may touch besides its flags.
type environment struct {
	stdout, stderr io.Writer
	stderrIsTTY    bool
	// refCache is the folder of cached reference statistics ("" is the user cache's).
	refCache string
}

// usageError marks a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitInterrupted is the conventional exit code after Ctrl-C.
const exitInterrupted = 130

var errInterruptedExit = errors.New("interrupted")

func commands() []*command {
	return []*command{newTrainCommand(), newSampleCommand(), newEvalCommand(), newSummaryCommand(), newBenchCommand(), newExportCommand(), newExportFeatureNetCommand(), newServeCommand()}
}

func main() {
	env := &environment{stdout: os.Stdout, stderr: os.Stderr, stderrIsTTY: isTerminal(os.Stderr)}
	os.Exit(runMain(env, os.Args[1:]))
}

// runMain runs the command line and returns the exit status: 0, 1 for errors,
// 2 for usage mistakes and -h, 130 after an interrupt.
func runMain(env *environment, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		printUsage(env.stderr, cmds)
		return 2
	}
	if args[0] == "help" {
		if len(args) > 1 {
			for _, c := range cmds {
				if c.name == args[1] {
					c.flags.SetOutput(env.stdout)
					printCommandUsage(c)
					return 0
				}
			}
		}
		if len(args) > 1 {
			fmt.Fprintf(env.stderr, "gogan help: unknown command %q\n", args[1])
			printUsage(env.stderr, cmds)
			return 2
		}
		printUsage(env.stdout, cmds)
		return 0
	}
	for _, c := range cmds {
		if c.name != args[0] {
			continue
		}
		// flag would print its bare error ("flag provided but not defined: -x");
		// silence it and print the error under the command's name instead.
		c.flags.SetOutput(io.Discard)
		c.flags.Usage = func() {}
		err := c.flags.Parse(args[1:])
		c.flags.SetOutput(env.stderr)
		if err != nil {
			if errors.Is(err, flag.ErrHelp) { // as go build -h: stderr, exit 2; gogan help CMD prints it on stdout
				printCommandUsage(c)
				return 2
			}
			fmt.Fprintf(env.stderr, "gogan %s: %s\n", c.name, oneLine(err.Error()))
			printCommandUsage(c)
			return 2
		}
		if c.flags.NArg() > 0 {
			fmt.Fprintf(env.stderr, "gogan %s: unexpected argument %q\n", c.name, c.flags.Arg(0))
			printCommandUsage(c)
			return 2
		}
		err = c.run(env, c.flags.Args())
		var ue usageError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, errInterruptedExit):
			if err != errInterruptedExit { // a message besides (train prints its own on stdout)
				fmt.Fprintf(env.stderr, "gogan %s: %s\n", c.name, oneLine(err.Error()))
			}
			return exitInterrupted
		case errors.As(err, &ue):
			fmt.Fprintf(env.stderr, "gogan %s: %s\n", c.name, ue.msg)
			printCommandUsage(c)
			return 2
		default:
			// A package named as the command (serve, export, eval) starts its errors with
			// its name: "gogan serve: serve: …" says it twice.
			msg := strings.TrimPrefix(oneLine(err.Error()), c.name+": ")
			fmt.Fprintf(env.stderr, "gogan %s: %s\n", c.name, msg)
			return 1
		}
	}
	fmt.Fprintf(env.stderr, "gogan: unknown command %q\n", args[0])
	printUsage(env.stderr, cmds)
	return 2
}

func printUsage(w io.Writer, cmds []*command) {
	fmt.Fprintln(w, "gogan builds, trains and samples Generative Adversarial Networks.")
	fmt.Fprintln(w, "\nUsage:\n  gogan COMMAND [flags]\n\nCommands:")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.short)
	}
	fmt.Fprintln(w, "\nRun \"gogan help COMMAND\" for a command's flags.")
}

func printCommandUsage(c *command) {
	w := c.flags.Output()
	fmt.Fprintf(w, "Usage: gogan %s %s\n\n%s\n\nFlags:\n", c.name, c.usage, c.short)
	c.flags.PrintDefaults()
}

// setFlags are the names of the flags given on fs's command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// oneLine keeps an error message on one line.
func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ") }

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
