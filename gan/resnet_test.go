package gan

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gogan/gogan/nn"
	"github.com/gogan/gogan/tensor"
)

// TestResNetParamCounts checks the sizes of SNGAN's ResNet for 3 channels,
// counted by hand from the paper's table 4: G 528,384 (Dense) + 3 × 1,248,000
// (blocks) + 1,024 (BN) + 6,915 (last conv) = 4,280,323, of which 7
// BatchNorms' 3,584 moving statistics are not trainable; D 1,053,825 trainable.
func TestResNetParamCounts(t *testing.T) {
	arch, err := LookupArchitecture("resnet")
	if err != nil {
		t.Fatal(err)
	}
	g, d := arch.New(128, tensor.Shape{32, 32, 3})
	rng := rand.New(rand.NewPCG(1, 1))
	if err := g.Build(rng); err != nil {
		t.Fatal(err)
	}
	if err := d.Build(rng); err != nil {
		t.Fatal(err)
	}
	if c := g.Params(); c.Total != 4280323 || c.Trainable != 4276739 {
		t.Errorf("generator params %+v, want 4,280,323 total, 4,276,739 trainable", c)
	}
	if c := d.Params(); c.Trainable != 1053825 {
		t.Errorf("discriminator params %+v, want 1,053,825 trainable", c)
	}
	if !g.OutputShape().Equal(tensor.Shape{32, 32, 3}) || !d.OutputShape().Equal(tensor.Shape{1}) {
		t.Errorf("G makes %s, D outputs %s", g.OutputShape(), d.OutputShape())
	}
	kernels, norms := 0, 0
	for _, w := range d.Weights() {
		switch {
		case strings.HasSuffix(w.Name, "/kernel"):
			kernels++
		case strings.HasSuffix(w.Name, "/sn_u"):
			norms++
		}
	}
	if kernels != 11 || norms != kernels {
		t.Errorf("D has %d kernels and %d spectral norms, want 11 and 11 (10 convolutions and Dense(1))", kernels, norms)
	}
}

// TestResNetTrains: the full-size resnet takes a step on a synthetic 32×32×3
// batch, with finite losses and both networks changed.
func TestResNetTrains(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Model, cfg.Batch, cfg.LatentDim, cfg.Loss = "resnet", 2, 128, "hinge"
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := (tensor.Shape{32, 32, 3}); !tr.SampleShape().Equal(want) {
		t.Fatalf("G makes %s, want %s", tr.SampleShape(), want)
	}
	g0 := slices.Clone(tr.G.TrainableWeights()[0].Data)
	d0 := slices.Clone(tr.D.TrainableWeights()[0].Data)
	st, err := tr.TrainStep(uniformImages(cfg.Batch*32*32*3, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !finite(st.DLoss) || !finite(st.GLoss) {
		t.Fatalf("step: %+v", st)
	}
	if slices.Equal(tr.G.TrainableWeights()[0].Data, g0) || slices.Equal(tr.D.TrainableWeights()[0].Data, d0) {
		t.Fatal("G or D did not change")
	}
}

// narrowResNet is a trainer over the ResNet networks at width 8 on 32×32×1
// samples, given to NewTrainerFor as a program's own networks would be.
func narrowResNet(t *testing.T, loss string) *Trainer {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Model, cfg.Batch, cfg.LatentDim, cfg.Loss, cfg.EMA = "my-resnet", 4, 16, loss, 0.9
	tr, err := NewTrainerFor(ResNetGenerator(16, 1, 8), ResNetDiscriminator(1, 8), cfg,
		WithAverageGenerator(ResNetGenerator(16, 1, 8)))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestNetworksTrainAndRestore: NewTrainerFor trains a pair of functional
// models with no architecture name, with each relativistic objective and EMA;
// the caller saves the trainer and restores it into one made the same way,
// which then takes the steps the first takes, bit for bit.
func TestNetworksTrainAndRestore(t *testing.T) {
	for _, loss := range []string{"ragan", "ralsgan"} {
		t.Run(loss, func(t *testing.T) {
			a := narrowResNet(t, loss)
			step := func(tr *Trainer) StepStats {
				t.Helper()
				st, err := tr.TrainStep(uniformImages(4*32*32, uint64(tr.Step)), nil)
				if err != nil {
					t.Fatal(err)
				}
				if !finite(st.DLoss) || !finite(st.GLoss) {
					t.Fatalf("step %d: %+v", tr.Step, st)
				}
				return st
			}
			step(a)
			dir := t.TempDir()
			if _, err := a.SaveCheckpoint(dir); err != nil {
				t.Fatal(err)
			}
			b := narrowResNet(t, loss)
			if err := b.Restore(dir); err != nil {
				t.Fatal(err)
			}
			if b.Step != 1 {
				t.Fatalf("restored step %d, want 1", b.Step)
			}
			if sa, sb := step(a), step(b); sa != sb {
				t.Fatalf("step after restore: %+v, the saving trainer's %+v", sb, sa)
			}
			wa := append(a.G.Weights(), append(a.D.Weights(), a.GEMA.Weights()...)...)
			wb := append(b.G.Weights(), append(b.D.Weights(), b.GEMA.Weights()...)...)
			for i := range wa {
				if !slices.Equal(wa[i].Data, wb[i].Data) {
					t.Fatalf("%s differs after restore", wa[i].Name)
				}
			}
			if _, err := LoadCheckpoint(dir); err == nil {
				t.Fatal("LoadCheckpoint rebuilt networks it has no name for")
			}
		})
	}
}

// TestNetworksRejected: NewTrainerFor names what does not fit.
func TestNetworksRejected(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Batch, cfg.LatentDim = 4, 16
	for _, c := range []struct {
		name string
		make func() (*Trainer, error)
		want string
	}{
		{"latent", func() (*Trainer, error) {
			return NewTrainerFor(ResNetGenerator(8, 1, 8), ResNetDiscriminator(1, 8), cfg)
		}, "generator takes noise of shape (None, 8), but latent_dim is 16"},
		{"channels", func() (*Trainer, error) {
			return NewTrainerFor(ResNetGenerator(16, 3, 8), ResNetDiscriminator(1, 8), cfg)
		}, "generator makes (None, 32, 32, 3) but discriminator takes (None, 32, 32, 1)"},
		{"ema", func() (*Trainer, error) {
			c := cfg
			c.EMA = 0.9
			return NewTrainerFor(ResNetGenerator(16, 1, 8), ResNetDiscriminator(1, 8), c)
		}, "EMA 0.9 needs a second, unbuilt network of G's architecture: pass it with WithAverageGenerator"},
		{"loss", func() (*Trainer, error) {
			c := cfg
			c.Loss = "softmax"
			return NewTrainerFor(ResNetGenerator(16, 1, 8), ResNetDiscriminator(1, 8), c)
		}, `unknown loss "softmax" (want nonsaturating, minimax, lsgan, wgan, wgan-gp, hinge, ragan, ralsgan)`},
	} {
		if _, err := c.make(); err == nil || err.Error() != c.want {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// TestResNetFitsData: resnet takes 32×32 images of any channels, records a
// shape other than its default in the config, and names the 32×32
// requirement for MNIST's 28×28.
func TestResNetFitsData(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Model = "resnet"
	if _, err := cfg.ForData(tensor.Shape{28, 28, 1}); err == nil || err.Error() != "data mnist: resnet needs 32×32 images (any channels), got samples of 28×28×1" {
		t.Fatalf("error %v", err)
	}
	gray, err := cfg.ForData(tensor.Shape{32, 32, 1})
	if err != nil || !slices.Equal(gray.SampleShape, []int{32, 32, 1}) {
		t.Fatalf("32×32×1: sample shape %v, %v", gray.SampleShape, err)
	}
	if err := gray.Validate(); err != nil {
		t.Fatal(err)
	}
	if rgb, err := cfg.ForData(tensor.Shape{32, 32, 3}); err != nil || rgb.SampleShape != nil {
		t.Fatalf("32×32×3: sample shape %v, %v; want the default, unrecorded", rgb.SampleShape, err)
	}
	mlp := DefaultConfig()
	if fitted, err := mlp.ForData(tensor.Shape{28, 28, 1}); err != nil || fitted.SampleShape != nil {
		t.Fatalf("mlp on MNIST: %v, %v", fitted.SampleShape, err)
	}
	bad := cfg
	bad.SampleShape = []int{64, 64, 3}
	if err := bad.Validate(); err == nil || err.Error() != "resnet needs 32×32 images (any channels), got samples of 64×64×3" {
		t.Fatalf("Validate: %v", err)
	}
}

// TestRegisteredResumes: an architecture a program registers trains, saves
// and resumes by name as the built-in ones do, its sample shape (32×32×1 for
// a ResNet whose default is 3 channels) recorded in the checkpoint's config;
// the resumed run takes the straight run's steps bit for bit.
func TestRegisteredResumes(t *testing.T) {
	narrow := Architecture{
		Name: "test-narrow-resnet", Description: "resnet at width 8",
		New: func(latentDim int, sample tensor.Shape) (nn.Network, nn.Network) {
			return ResNetGenerator(latentDim, sample[2], 8), ResNetDiscriminator(sample[2], 8)
		},
		Sample: tensor.Shape{32, 32, 3}, Fits: resnetFits, Logits: true, SpectralNorm: true,
	}
	if err := RegisterArchitecture(narrow); err != nil {
		t.Fatal(err)
	}
	if err := RegisterArchitecture(narrow); err == nil {
		t.Fatal("registered the same name twice")
	}
	cfg := DefaultConfig()
	cfg.Model, cfg.Data, cfg.Batch, cfg.LatentDim, cfg.Loss = "test-narrow-resnet", "gray32", 4, 16, "ralsgan"
	cfg, err := cfg.ForData(tensor.Shape{32, 32, 1})
	if err != nil {
		t.Fatal(err)
	}
	resumed := resumeMatchesStraight(t, cfg, 1, func(step int) []float32 { return uniformImages(4*32*32, uint64(step)) })
	if !resumed.SampleShape().Equal(tensor.Shape{32, 32, 1}) {
		t.Errorf("resumed G makes %s, want (32, 32, 1)", resumed.SampleShape())
	}
}

// TestLoadJobOfOwnNetworks: a checkpoint of a program's own networks is not
// built by LoadJob, which has no architecture to build; its error names the
// model and the way that works (NewTrainerFor, then Restore).
func TestLoadJobOfOwnNetworks(t *testing.T) {
	a := narrowResNet(t, "nonsaturating")
	dir := t.TempDir()
	if _, err := a.SaveCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	_, err := LoadJob(dir)
	if err == nil || !strings.Contains(err.Error(), a.Config.Model) || !strings.Contains(err.Error(), "Restore") {
		t.Fatalf("LoadJob of %s's checkpoint: error %v, want one naming the model and Restore", a.Config.Model, err)
	}
}
