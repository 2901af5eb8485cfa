package main

import (
	"flag"
	"fmt"
	"path/filepath"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/eval"
	"github.com/gogan/gogan/gan"
)

func newExportFeatureNetCommand() *command {
	fs := flag.NewFlagSet("export-featurenet", flag.ContinueOnError)
	from := fs.String("run", "", "run folder, checkpoint folder or latest.json of a classifier run (required)")
	out := fs.String("out", "", "weights file to write, e.g. eval/weights/mnist.safetensors (required)")
	c := &command{
		name: "export-featurenet", usage: "--run DIR --out FILE.safetensors", flags: fs,
		short: "Write a trained classifier's weights as a feature network for gogan eval.",
	}
	c.run = func(env *environment, _ []string) error {
		if *from == "" || *out == "" {
			return usageError{"--run and --out are required"}
		}
		if err := gan.CheckOutput(*out, *from); err != nil {
			return err
		}
		job, err := gan.LoadJob(*from)
		if err != nil {
			return err
		}
		cls, ok := job.(*gan.ClassifierTrainer)
		if !ok {
			return fmt.Errorf("%s: a run of model %s, not a classifier (train one with --model classifier)", *from, job.Settings().Model)
		}
		ds, err := data.Load(cls.Config.Data)
		if err != nil {
			return err
		}
		values, err := cls.Evaluate(gan.TestSet{Images: data.Scale(ds.Test.Images), Labels: ds.Test.Labels})
		if err != nil {
			return err
		}
		acc := values[0].Value // test_accuracy
		meta := map[string]string{"test_accuracy": fmt.Sprintf("%.4f", acc)}
		if err := eval.ExportFeatureNet(*out, cls, meta); err != nil {
			return err
		}
		hash, err := checkpoint.Checksum(*out)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "wrote %s: feature network %s, step %d of %s, test accuracy %.2f%% on %s\n",
			*out, hash, cls.Step, filepath.Clean(*from), 100*acc, cls.Config.Data)
		return nil
	}
	return c
}
