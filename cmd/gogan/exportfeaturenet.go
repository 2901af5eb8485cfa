package main

import (
	"flag"
	"fmt"
	"path/filepath"

	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/eval"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/run"
	"github.com/gogan/gogan/tensor"
)

// exportFeatureNetFlags are gogan export-featurenet's flags.
type exportFeatureNetFlags struct {
	run, out string
}

func newExportFeatureNetCommand() *command {
	fs := flag.NewFlagSet("export-featurenet", flag.ContinueOnError)
	f := &exportFeatureNetFlags{}
	fs.StringVar(&f.run, "run", "", "run folder, checkpoint folder or latest.json of a classifier run (required)")
	fs.StringVar(&f.out, "out", "", "weights file to write, e.g. eval/weights/mnist.safetensors (required)")
	c := &command{
		name: "export-featurenet", usage: "--run DIR --out FILE.safetensors", flags: fs,
		short: "Write a trained classifier's weights as a feature network for gogan eval.",
	}
	c.run = func(env *environment, _ []string) error { return runExportFeatureNet(env, f) }
	return c
}

// runExportFeatureNet writes a classifier run's weights as a feature network,
// with its accuracy on the dataset's test set in the file's metadata (a
// folder of images: the test set its run evaluated, read as it trained).
func runExportFeatureNet(env *environment, f *exportFeatureNetFlags) error {
	if f.run == "" || f.out == "" {
		return usageError{"--run and --out are required"}
	}
	if err := gan.CheckOutput(f.out, f.run); err != nil {
		return err
	}
	job, err := gan.LoadJob(f.run)
	if err != nil {
		return err
	}
	cls, ok := job.(*gan.ClassifierTrainer)
	if !ok {
		return fmt.Errorf("%s: a run of model %s, not a classifier (train one with --model classifier)", f.run, job.Settings().Model)
	}
	ds, err := run.LoadDataset(cls.Config, run.DataOptions{}) // a folder of images too, as it was trained
	if err != nil {
		return err
	}
	im := ds.Test.Images
	if have, want := (tensor.Shape{im.Rows, im.Cols, im.NumChannels()}), cls.Features.InputShape(); im.N > 0 && !have.Equal(want) {
		return fmt.Errorf("%s: the classifier takes %s images, the test images of %s are %s", f.run, want, cls.Config.Data, have)
	}
	meta := map[string]string{}
	accuracy := "no test set"
	if im.N > 0 && len(ds.Test.Labels) == im.N {
		values, err := cls.Evaluate(gan.TestSet{Images: data.Scale(im), Labels: ds.Test.Labels})
		if err != nil {
			return err
		}
		acc := values[0].Value // test_accuracy
		meta["test_accuracy"] = fmt.Sprintf("%.4f", acc)
		accuracy = fmt.Sprintf("test accuracy %.2f%%", 100*acc)
	}
	if err := eval.ExportFeatureNet(f.out, cls, meta); err != nil {
		return err
	}
	hash, err := checkpoint.Checksum(f.out)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "wrote %s: feature network %s for %s images, step %d of %s, %s on %s\n",
		f.out, hash, cls.Features.InputShape(), cls.Step, filepath.Clean(f.run), accuracy, cls.Config.Data)
	return nil
}
