package generator_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/generator"
)

// Train the seed's GAN for a few steps into a run folder, then load the run and
// write a PNG grid of 16 images, with the truncation trick.
func Example() {
	dir, err := os.MkdirTemp("", "gogan-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	run := filepath.Join(dir, "run")
	if err := trainRun(run, 3); err != nil {
		panic(err)
	}

	g, err := generator.Load(run)
	if err != nil {
		panic(err)
	}
	batch, err := g.Generate(generator.Request{Seeds: generator.Seeds(1, 16), Truncation: 1.5})
	if err != nil {
		panic(err)
	}
	if err := batch.WriteGrid(filepath.Join(dir, "samples.png"), 4); err != nil {
		panic(err)
	}
	img, err := batch.Image(0)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s at step %d: %d samples of %s\n", g.Model(), g.Step(), batch.N, batch.Shape)
	fmt.Printf("image 0: %T %v\n", img, img.Bounds())
	// Output:
	// mlp at step 3: 16 samples of (28, 28, 1)
	// image 0: *image.Gray (0,0)-(28,28)
}

// Generate many samples with a progress report after each batch of BatchSize, as
// gogan sample draws its bar; a cancelled context would stop it between batches.
func Example_progress() {
	dir, err := os.MkdirTemp("", "gogan-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	run := filepath.Join(dir, "run")
	if err := trainRun(run, 1); err != nil {
		panic(err)
	}

	g, err := generator.Load(run)
	if err != nil {
		panic(err)
	}
	batch, err := g.GenerateContext(context.Background(), generator.Request{
		Seeds: generator.Seeds(1, 600),
		Progress: func(done, total int) {
			fmt.Printf("%d/%d\n", done, total)
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(batch.N, "samples")
	// Output:
	// 256/600
	// 512/600
	// 600/600
	// 600 samples
}

// trainRun trains the seed's GAN for steps steps on a synthetic batch (pixels
// in [−1, 1]) and saves its checkpoint into run/checkpoints, as gogan train does.
func trainRun(run string, steps int) error {
	cfg := gan.DefaultConfig()
	cfg.Batch = 16
	t, err := gan.NewTrainer(cfg)
	if err != nil {
		return err
	}
	images := make([]float32, cfg.Batch*28*28)
	for i := range images {
		images[i] = float32(i%28)/14 - 1 // a horizontal gradient
	}
	for range steps {
		if _, err := t.TrainStep(images, nil); err != nil {
			return err
		}
	}
	_, err = t.SaveCheckpoint(filepath.Join(run, "checkpoints"))
	return err
}
