package run

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/report"
)

// session is one invocation of Train: the state of the loop.
type session struct {
	opts             Options
	tr               *gan.Trainer
	dir              string
	batcher          *data.Batcher
	perEpoch, total  int
	mlog             *report.MetricsLog
	elapsedBefore    float64
	fixedNoise       []float32 // (64, latent): the same grid every epoch
	real             []float32
	bar              *progressbar.ProgressBar
	start            time.Time
	epochStart       time.Time
	epochSeconds     []float64
	smoothD, smoothG float64 // running (exponential) means of the losses, for the bar
}

// interval accumulates the stats between two metrics lines.
type interval struct {
	n                          int
	dLoss, gLoss, dReal, dFake float64
	start                      time.Time
}

func (s *session) loop(ctx context.Context) (*Result, error) {
	tr := s.tr
	s.start = time.Now()
	s.epochStart = s.start
	startStep := tr.Step
	acc := interval{start: s.start}
	fmt.Fprintf(s.opts.Log, "training %s on %s: %d steps (%d per epoch, batch %d) into %s\n",
		tr.Config.Model, tr.Config.Data, s.total-startStep, s.perEpoch, tr.Config.Batch, s.dir)
	s.bar = s.newBar(startStep)
	for tr.Step < s.total {
		if ctx.Err() != nil {
			return s.interrupted()
		}
		epoch, i := tr.Step/s.perEpoch, tr.Step%s.perEpoch
		s.batcher.Batch(s.real, nil, epoch, i)
		st, err := tr.TrainStep(s.real)
		if err != nil {
			s.finishBar()
			return nil, fmt.Errorf("training stopped: %v; the last good checkpoint is %s", err, filepath.Join(s.dir, "checkpoints", gan.LatestFile))
		}
		acc.add(st)
		if s.opts.afterStep != nil {
			s.opts.afterStep(tr, s.opts.cancel)
		}
		if tr.Step%tr.Config.LogEvery == 0 || tr.Step == s.total {
			if err := s.logInterval(&acc); err != nil {
				return nil, err
			}
		}
		s.advanceBar(st)
		if tr.Step%s.perEpoch == 0 {
			if err := s.endOfEpoch(tr.Step / s.perEpoch); err != nil {
				return nil, err
			}
		}
	}
	return s.finish(startStep)
}

func (a *interval) add(st gan.StepStats) {
	a.n++
	a.dLoss += st.DLoss
	a.gLoss += st.GLoss
	a.dReal += st.DReal
	a.dFake += st.DFake
}

// logInterval writes one metrics line: the means over the steps since the last.
func (s *session) logInterval(a *interval) error {
	if a.n == 0 {
		return nil
	}
	now := time.Now()
	n := float64(a.n)
	rec := map[string]float64{
		"step":      float64(s.tr.Step),
		"epoch":     float64(s.tr.Step) / float64(s.perEpoch),
		"d_loss":    a.dLoss / n,
		"g_loss":    a.gLoss / n,
		"d_x":       a.dReal / n,
		"d_g_z":     a.dFake / n,
		"img_per_s": n * float64(s.tr.Config.Batch) / now.Sub(a.start).Seconds(),
		"elapsed_s": s.elapsedBefore + now.Sub(s.start).Seconds(),
	}
	*a = interval{start: now}
	return s.mlog.Write(rec)
}

// endOfEpoch writes the epoch's sample grid and a checkpoint.
func (s *session) endOfEpoch(epoch int) error {
	now := time.Now()
	s.epochSeconds = append(s.epochSeconds, now.Sub(s.epochStart).Seconds())
	s.epochStart = now
	grid := filepath.Join(s.dir, "samples", fmt.Sprintf("epoch-%03d.png", epoch))
	if err := s.writeGrid(grid); err != nil {
		return err
	}
	if _, err := s.tr.SaveCheckpoint(filepath.Join(s.dir, "checkpoints")); err != nil {
		return err
	}
	if !s.opts.Interactive {
		fmt.Fprintf(s.opts.Progress, "epoch %d done at step %d (%.1f s): %s\n", epoch, s.tr.Step, s.epochSeconds[len(s.epochSeconds)-1], grid)
	}
	return nil
}

// writeGrid renders G's images for the fixed noise as an 8×8 grid.
func (s *session) writeGrid(path string) error {
	shape := s.tr.G.OutputShape()
	imgs := make([]float32, 64*shape.Size())
	gan.Generate(s.tr.G, imgs, s.fixedNoise, 64)
	return report.Grid(path, imgs, 64, shape[0], shape[1], shape[2], 8)
}

func (s *session) interrupted() (*Result, error) {
	s.finishBar()
	p, err := s.tr.SaveCheckpoint(filepath.Join(s.dir, "checkpoints"))
	if err != nil {
		return nil, fmt.Errorf("interrupted, and the checkpoint could not be saved: %w", err)
	}
	fmt.Fprintf(s.opts.Log, "interrupted at step %d; checkpoint saved to %s\nresume with: gogan train --resume %s\n", s.tr.Step, p, s.dir)
	return nil, ErrInterrupted
}

// finish writes the final grid, checkpoint and loss plot.
func (s *session) finish(startStep int) (*Result, error) {
	s.finishBar()
	res := &Result{Dir: s.dir, Steps: s.tr.Step - startStep, Seconds: time.Since(s.start).Seconds()}
	res.FinalGrid = filepath.Join(s.dir, "samples", "final.png")
	if err := s.writeGrid(res.FinalGrid); err != nil {
		return nil, err
	}
	p, err := s.tr.SaveCheckpoint(filepath.Join(s.dir, "checkpoints"))
	if err != nil {
		return nil, err
	}
	res.Checkpoint = p
	res.LossPlot = filepath.Join(s.dir, "losses.png")
	if err := PlotMetrics(filepath.Join(s.dir, "metrics.jsonl"), res.LossPlot); err != nil {
		return nil, err
	}
	if len(s.epochSeconds) > 0 {
		var sum float64
		for _, v := range s.epochSeconds {
			sum += v
		}
		res.SecondsPerEpoch = sum / float64(len(s.epochSeconds))
	}
	return res, nil
}

// PlotMetrics draws a run's metrics.jsonl: losses on top, D's outputs below.
func PlotMetrics(metricsPath, plotPath string) error {
	rows, err := report.ReadMetrics(metricsPath)
	if err != nil {
		return err
	}
	series := func(name, key string) report.Series {
		s := report.Series{Name: name}
		for _, r := range rows {
			if v, ok := r[key]; ok {
				s.X = append(s.X, r["step"])
				s.Y = append(s.Y, v)
			}
		}
		return s
	}
	return report.PlotPanels(plotPath, "step", []report.Panel{
		{Title: "Losses", YLabel: "loss", Series: []report.Series{series("D loss", "d_loss"), series("G loss", "g_loss")}},
		{Title: "Discriminator outputs", YLabel: "mean probability", Series: []report.Series{series("D(x)", "d_x"), series("D(G(z))", "d_g_z")}},
	})
}

func (s *session) newBar(startStep int) *progressbar.ProgressBar {
	if !s.opts.Interactive {
		return nil
	}
	bar := progressbar.NewOptions(s.total,
		progressbar.OptionSetWriter(s.opts.Progress),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("it"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(24),
		progressbar.OptionFullWidth(),
	)
	bar.Set(startStep)
	return bar
}

func (s *session) advanceBar(st gan.StepStats) {
	if s.bar == nil {
		return
	}
	epoch := (s.tr.Step-1)/s.perEpoch + 1
	epochs := (s.total + s.perEpoch - 1) / s.perEpoch
	if s.smoothD == 0 && s.smoothG == 0 {
		s.smoothD, s.smoothG = st.DLoss, st.GLoss
	}
	s.smoothD = 0.95*s.smoothD + 0.05*st.DLoss
	s.smoothG = 0.95*s.smoothG + 0.05*st.GLoss
	s.bar.Describe(fmt.Sprintf("epoch %d/%d  d_loss %.3f  g_loss %.3f", epoch, epochs, s.smoothD, s.smoothG))
	s.bar.Add(1)
}

func (s *session) finishBar() {
	if s.bar != nil {
		s.bar.Finish()
		fmt.Fprintln(s.opts.Progress)
		s.bar = nil
	}
}
