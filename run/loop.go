package run

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/gogan/gogan/data"
	"github.com/gogan/gogan/eval"
	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/internal/bar"
	"github.com/gogan/gogan/internal/words"
	"github.com/gogan/gogan/report"
)

// session is one invocation of Train: the state of the loop.
type session struct {
	opts            Options
	job             gan.Job
	dir             string
	source          data.Source
	perEpoch, total int
	mlog            *report.MetricsLog
	elapsedBefore   float64
	images          []float32 // the batch, (batch, sample...)
	labels          []uint8
	test            gan.TestSet // for progress pictures and evaluation
	bar             *progressbar.ProgressBar
	start           time.Time
	epochStart      time.Time
	epochSeconds    []float64
	smooth          []float64     // running (exponential) means of the step's numbers, for the bar
	monitor         *eval.Monitor // scores the generator every EvalEvery steps; nil when off
}

// interval accumulates the step numbers between two metrics lines.
type interval struct {
	n     int
	names []string
	sums  []float64
	start time.Time
}

func (s *session) loop(ctx context.Context) (*Result, error) {
	cfg := s.job.Settings()
	s.start = time.Now()
	s.epochStart = s.start
	startStep := s.job.Steps()
	acc := interval{start: s.start}
	fmt.Fprintf(s.opts.Log, "training %s on %s: %s (%d per epoch, batch %d) into %s\n",
		cfg.Model, cfg.Data, words.Count(s.total-startStep, "step", "steps"), s.perEpoch, cfg.Batch, s.dir)
	s.bar = s.newBar(startStep)
	for s.job.Steps() < s.total {
		if ctx.Err() != nil {
			return s.interrupted()
		}
		step := s.job.Steps()
		s.source.Batch(s.images, s.labels, step/s.perEpoch, step%s.perEpoch)
		values, err := s.job.Train(s.images, s.labels)
		if err != nil {
			s.finishBar()
			return nil, fmt.Errorf("training stopped: %v; %s", err, s.lastGood())
		}
		acc.add(values)
		if s.opts.afterStep != nil {
			s.opts.afterStep(s.job, s.opts.cancel)
		}
		step = s.job.Steps()
		if step%cfg.LogEvery == 0 || step == s.total {
			if err := s.logInterval(&acc); err != nil {
				return nil, err
			}
		}
		if s.monitor != nil && (step%cfg.EvalEvery == 0 || step == s.total) {
			if err := s.evaluate(&acc); err != nil {
				return nil, err
			}
		}
		s.advanceBar(values)
		if step%s.perEpoch == 0 {
			if err := s.endOfEpoch(step / s.perEpoch); err != nil {
				return nil, err
			}
		}
	}
	return s.finish(startStep)
}

// lastGood says where the run's last good checkpoint is, or that it has none
// yet (the run stopped before the end of its first epoch).
func (s *session) lastGood() string {
	p := filepath.Join(s.dir, gan.CheckpointsDir, gan.LatestFile)
	if _, err := os.Stat(p); err != nil {
		return fmt.Sprintf("no checkpoint was saved yet: once fixed, start it again with gogan train --out %s", s.dir)
	}
	return "the last good checkpoint is " + p
}

func (a *interval) add(values []gan.Value) {
	if a.names == nil {
		for _, v := range values {
			a.names = append(a.names, v.Name)
		}
		a.sums = make([]float64, len(values))
	}
	a.n++
	for i, v := range values {
		a.sums[i] += v.Value
	}
}

// logInterval writes one metrics line: the means over the steps since the last.
func (s *session) logInterval(a *interval) error {
	if a.n == 0 {
		return nil
	}
	now := time.Now()
	rec := s.stepRecord()
	for i, name := range a.names {
		rec[name] = a.sums[i] / float64(a.n)
		a.sums[i] = 0
	}
	rec["img_per_s"] = float64(a.n*s.job.Settings().Batch) / now.Sub(a.start).Seconds()
	a.n, a.start = 0, now
	return s.mlog.Write(rec)
}

// stepRecord starts a metrics line with the step, the epoch and the clock.
func (s *session) stepRecord() map[string]float64 {
	step := s.job.Steps()
	return map[string]float64{
		"step":      float64(step),
		"epoch":     float64(step) / float64(s.perEpoch),
		"elapsed_s": s.elapsedBefore + time.Since(s.start).Seconds(),
	}
}

// endOfEpoch writes the epoch's picture, its evaluation and a checkpoint.
func (s *session) endOfEpoch(epoch int) error {
	now := time.Now()
	s.epochSeconds = append(s.epochSeconds, now.Sub(s.epochStart).Seconds())
	grid := filepath.Join(s.dir, gan.SamplesDir, gan.EpochGrid(epoch))
	if err := WriteProgress(grid, s.job, s.test); err != nil {
		return err
	}
	values, err := Evaluate(s.job, s.test)
	if err != nil {
		return err
	}
	var evaluated []string
	if len(values) > 0 {
		rec := s.stepRecord()
		for _, v := range values {
			rec[v.Name] = v.Value
			evaluated = append(evaluated, fmt.Sprintf("%s %.5g", v.Name, v.Value))
		}
		if err := s.mlog.Write(rec); err != nil {
			return err
		}
	}
	if _, err := s.job.SaveCheckpoint(filepath.Join(s.dir, gan.CheckpointsDir)); err != nil {
		return err
	}
	s.epochStart = time.Now() // the picture, evaluation and checkpoint count toward no epoch
	if !s.opts.Interactive {
		extra := ""
		if len(evaluated) > 0 {
			extra = ", " + strings.Join(evaluated, ", ")
		}
		fmt.Fprintf(s.opts.Progress, "epoch %d done at step %d (%.1f s%s): %s\n", epoch, s.job.Steps(), s.epochSeconds[len(s.epochSeconds)-1], extra, grid)
	} else if s.bar != nil && len(evaluated) > 0 {
		s.bar.Clear()
		fmt.Fprintf(s.opts.Progress, "epoch %d: %s\n", epoch, strings.Join(evaluated, ", "))
	}
	return nil
}

// evaluate logs a metrics line with the generator's FID, KID and Inception Score
// (eval.Monitor) and the feature network's hash. Its time counts toward neither
// the throughput nor the epoch.
func (s *session) evaluate(acc *interval) error {
	start := time.Now()
	values, err := s.monitor.Evaluate(s.job)
	if err != nil {
		return err
	}
	rec := s.stepRecord()
	line := map[string]any{"feature_net": s.monitor.FeatureNet().Hash} // scores name the weights that made them
	for k, v := range rec {
		line[k] = v
	}
	for _, v := range values {
		rec[v.Name], line[v.Name] = v.Value, v.Value
	}
	if err := s.mlog.Write(line); err != nil {
		return err
	}
	took := time.Since(start)
	acc.start, s.epochStart = acc.start.Add(took), s.epochStart.Add(took)
	if s.bar != nil {
		s.bar.Clear()
	}
	if modes, ok := rec["modes_covered"]; ok { // Stacked MNIST
		fmt.Fprintf(s.opts.Progress, "step %d: %.0f of 1000 modes, KL %.3f (%d samples, feature net %s, %.1f s)\n",
			s.job.Steps(), modes, rec["kl"], s.monitor.N(), s.monitor.FeatureNet(), took.Seconds())
		return nil
	}
	fmt.Fprintf(s.opts.Progress, "step %d: FID %.2f, KID %.4f, IS %.2f (%d samples, feature net %s, %.1f s)\n",
		s.job.Steps(), rec["fid"], rec["kid"], rec["is"], s.monitor.N(), s.monitor.FeatureNet(), took.Seconds())
	return nil
}

func (s *session) interrupted() (*Result, error) {
	s.finishBar()
	p, err := s.job.SaveCheckpoint(filepath.Join(s.dir, gan.CheckpointsDir))
	if err != nil {
		return nil, fmt.Errorf("interrupted, and the checkpoint could not be saved: %w", err)
	}
	fmt.Fprintf(s.opts.Log, "interrupted at step %d; checkpoint saved to %s\nresume with: gogan train --resume %s\n", s.job.Steps(), p, s.dir)
	return nil, ErrInterrupted
}

// finish writes the final picture, checkpoint and loss plot.
func (s *session) finish(startStep int) (*Result, error) {
	s.finishBar()
	res := &Result{Dir: s.dir, Steps: s.job.Steps() - startStep, Seconds: time.Since(s.start).Seconds()}
	res.FinalGrid = filepath.Join(s.dir, gan.SamplesDir, gan.FinalGridFile)
	if err := WriteProgress(res.FinalGrid, s.job, s.test); err != nil {
		return nil, err
	}
	grids, _ := filepath.Glob(filepath.Join(s.dir, gan.SamplesDir, gan.EpochGrids)) // the pattern is well formed
	res.EpochGrids = len(grids)
	p, err := s.job.SaveCheckpoint(filepath.Join(s.dir, gan.CheckpointsDir))
	if err != nil {
		return nil, err
	}
	res.Checkpoint = p
	res.LossPlot = filepath.Join(s.dir, gan.LossPlotFile)
	if err := PlotMetrics(filepath.Join(s.dir, gan.MetricsFile), res.LossPlot); err != nil {
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

// PlotMetrics draws a run's metrics.jsonl: the losses on top, then the
// discriminator's outputs (GANs), the accuracy (classifiers; the label accuracy
// of a conditional generator's samples), FID and the Inception Score (runs with
// --eval-every), each panel only when its keys are there.
func PlotMetrics(metricsPath, plotPath string) error {
	rows, err := report.ReadMetrics(metricsPath)
	if err != nil {
		return err
	}
	series := func(name, key string) (report.Series, bool) {
		s := report.Series{Name: name}
		for _, r := range rows {
			if v, ok := r[key]; ok {
				s.X = append(s.X, r["step"])
				s.Y = append(s.Y, v)
			}
		}
		return s, len(s.X) > 0
	}
	panels := []report.Panel{
		{Title: "Losses", YLabel: "loss"},
		{Title: "Discriminator outputs", YLabel: "mean probability"},
		{Title: "Accuracy", YLabel: "fraction right"},
		{Title: "FID on the classifier's features (lower is better)", YLabel: "FID"},
		{Title: "Inception Score with the classifier's posteriors", YLabel: "IS"},
	}
	for i, group := range [][][2]string{
		{{"D loss", "d_loss"}, {"G loss", "g_loss"}, {"loss", "loss"}, {"test MSE", "test_mse"}, {"test loss", "test_loss"}},
		{{"D(x)", "d_x"}, {"D(G(z))", "d_g_z"}},
		{{"batch accuracy", "accuracy"}, {"test accuracy", "test_accuracy"}, {"label accuracy of samples", "label_accuracy"}},
		{{"FID", "fid"}},
		{{"IS", "is"}},
	} {
		for _, kv := range group {
			if s, ok := series(kv[0], kv[1]); ok {
				panels[i].Series = append(panels[i].Series, s)
			}
		}
	}
	var shown []report.Panel
	for _, p := range panels {
		if len(p.Series) > 0 {
			shown = append(shown, p)
		}
	}
	if len(shown) == 0 {
		return fmt.Errorf("metrics %s: nothing to plot", metricsPath)
	}
	return report.PlotPanels(plotPath, "step", shown)
}

// newBar is the training bar (bar.New) of the session's steps, s.total - startStep
// (those that "training ... : N steps" announces; its description says the run's
// epoch), drawn at 0; nil when Progress is not a terminal (Options.Interactive). A
// resumed run's bar counted from startStep to s.total, and the bar counts a Set as
// work done since its first draw: its rate said tens of millions of steps a second
// ("(279/310, 39670127 it/s)"), then, while those steps were in its average, tens of
// times the rate, and 0 s left.
func (s *session) newBar(startStep int) *progressbar.ProgressBar {
	if !s.opts.Interactive {
		return nil
	}
	b := bar.New(s.opts.Progress, "", "it", s.total-startStep)
	b.Set(0)
	return b
}

// advanceBar moves the bar and shows the epoch and the running means of the
// step's first two numbers (the losses).
func (s *session) advanceBar(values []gan.Value) {
	if s.bar == nil {
		return
	}
	if s.smooth == nil {
		for _, v := range values {
			s.smooth = append(s.smooth, v.Value)
		}
	}
	desc := fmt.Sprintf("epoch %d/%d", (s.job.Steps()-1)/s.perEpoch+1, (s.total+s.perEpoch-1)/s.perEpoch)
	for i, v := range values[:min(2, len(values))] {
		s.smooth[i] = 0.95*s.smooth[i] + 0.05*v.Value
		desc += fmt.Sprintf("  %s %.3f", v.Name, s.smooth[i])
	}
	// One draw shows both: Describe draws, and the throttle then held back Add's
	// draw, so that the line said this step's losses beside the last step's
	// count. The option sets the description without drawing; the bar, of a
	// known total, has no goroutine of its own to race with.
	progressbar.OptionSetDescription(desc)(s.bar)
	s.bar.Add(1)
}

func (s *session) finishBar() {
	if s.bar != nil {
		s.bar.Finish()
		fmt.Fprintln(s.opts.Progress)
		s.bar = nil
	}
}
