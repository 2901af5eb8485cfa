package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/gogan/gogan/export"
)

func newExportCommand() *command {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	from := fs.String("run", "", "run folder, checkpoint folder or latest.json to export the generator of (required)")
	format := fs.String("format", "", "file format: "+export.FormatNames()+" (default: from --out's extension, else onnx)")
	out := fs.String("out", "", "file to write (default generator.FORMAT)")
	c := &command{
		name: "export", usage: "--run DIR [--format onnx|safetensors] [--out generator.onnx]", flags: fs,
		short: "Write a run's generator as an ONNX model or a generator-only safetensors file (see docs/export.md).",
	}
	c.run = func(env *environment, _ []string) error {
		if *from == "" {
			return usageError{"--run is required"}
		}
		name := *format
		if name == "" {
			name = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
			if _, ok := export.Formats[name]; !ok {
				name = "onnx"
			}
		}
		f, ok := export.Formats[name]
		if !ok {
			return usageError{fmt.Sprintf("--format must be one of %s, got %q", export.FormatNames(), name)}
		}
		path := *out
		if path == "" {
			path = "generator." + f.Name
		}
		g, err := export.Load(*from)
		if err != nil {
			return err
		}
		if err := f.Write(path, g); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "wrote %s: %s, the %s from step %d of %s\n", path, f.Description, describe(g), g.Step, filepath.Clean(*from))
		return nil
	}
	return c
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
