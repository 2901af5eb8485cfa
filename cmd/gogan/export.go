package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gogan/gogan/export"
	"github.com/gogan/gogan/gan"
)

// exportFlags are gogan export's flags; fs tells which were given.
type exportFlags struct {
	run, format, out string
	fs               *flag.FlagSet
}

func newExportCommand() *command {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	f := &exportFlags{fs: fs}
	fs.StringVar(&f.run, "run", "", "run folder, checkpoint folder or latest.json to export the generator of (required)")
	fs.StringVar(&f.format, "format", "", "file format: "+export.FormatNames()+" (default: from --out's extension, else onnx)")
	fs.StringVar(&f.out, "out", "", "file to write (default generator.FORMAT)")
	c := &command{
		name: "export", usage: "--run DIR [--format onnx|safetensors] [--out generator.onnx]", flags: fs,
		short: "Write a run's generator as an ONNX model or a generator-only safetensors file (see docs/export.md).",
	}
	c.run = func(env *environment, _ []string) error { return runExport(env, f) }
	return c
}

// runExport loads the run's generator and writes it in the format asked for.
func runExport(env *environment, f *exportFlags) error {
	if f.run == "" {
		return usageError{"--run is required"}
	}
	if f.out == "" && isSet(f.fs, "out") { // as gogan sample: the default is for no --out
		return usageError{"--out must not be empty"}
	}
	// The format: --format, else --out's extension, else ONNX (no --out, or one without
	// an extension). An extension that names another format, or none, is a usage error.
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(f.out)), ".")
	_, known := export.Formats[ext]
	name := strings.ToLower(f.format) // as the extension, any case
	if name == "" {
		name = "onnx"
		if known {
			name = ext
		} else if ext != "" {
			return usageError{fmt.Sprintf("--out %s: the file's extension names no format (%s): give --format, or an extension of one", f.out, export.FormatNames())}
		}
	}
	format, ok := export.Formats[name]
	if !ok {
		return usageError{fmt.Sprintf("--format must be one of %s, got %q", export.FormatNames(), f.format)}
	}
	if known && ext != name {
		return usageError{fmt.Sprintf("--out %s is a .%s file, but --format is %s: change one of them", f.out, ext, name)}
	}
	path := f.out
	if path == "" {
		path = "generator." + format.Name
	}
	if os.IsPathSeparator(path[len(path)-1]) {
		return usageError{fmt.Sprintf("--out %s ends in %c, a folder's name: give the file to write, such as %s", path, path[len(path)-1], filepath.Join(path, "generator."+format.Name))}
	}
	if err := gan.CheckOutput(path, f.run); err != nil {
		return err
	}
	g, err := export.Load(f.run)
	if err != nil {
		return err
	}
	if err := format.Write(path, g); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "wrote %s: %s, the %s from step %d of %s\n", path, format.Description, describe(g), g.Step, filepath.Clean(f.run))
	return nil
}

// describe says which network was exported and what it maps to what.
func describe(g *export.Generator) string {
	net := "generator"
	switch {
	case g.EMA:
		net = "generator's moving average (EMA)"
	case g.Decoder:
		net = "autoencoder's decoder"
	}
	return fmt.Sprintf("%s %s: %s", g.Config.Model, net, g.Signature())
}
