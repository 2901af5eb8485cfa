package gan

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gogan/gogan/autograd"
	"github.com/gogan/gogan/checkpoint"
	"github.com/gogan/gogan/internal/runlock"
	"github.com/gogan/gogan/optim"
)

// CheckpointFormat names the layout written by SaveCheckpoint.
const CheckpointFormat = "gogan-checkpoint/1"

// A checkpoint is a folder holding two files:
//
//	latest.json              the state below, as JSON
//	step-00001234.safetensors every tensor: weights, moving statistics, optimizer slots
//
// Tensor names in the safetensors file (all F32, shapes as the weights'):
//
//	generator/<layer>/<weight>            e.g. generator/dense/kernel (100, 256)
//	discriminator/<layer>/<weight>        e.g. discriminator/dense_3/bias (1)
//	optimizer/generator/<slot>/<weight>   Adam's m and v: optimizer/generator/m/dense/kernel
//	optimizer/discriminator/<slot>/<weight>
//
// Dense kernels are (inputs, units), as Keras stores them; BatchNormalization
// has gamma, beta, moving_mean and moving_variance. The safetensors metadata
// repeats the model name and step. The JSON is written after the tensors and
// names them with their checksum, so a crash between the two writes leaves the
// previous checkpoint whole.
type checkpointState struct {
	Format     string                    `json:"format"`
	Model      string                    `json:"model"`
	Step       int                       `json:"step"`
	Tensors    string                    `json:"tensors"`
	Checksum   string                    `json:"tensors_checksum"`
	RNG        string                    `json:"rng"` // base64 of math/rand/v2 PCG state
	Optimizers map[string]optimizerState `json:"optimizers"`
	Config     Config                    `json:"config"`
}

// optimizerState is an entry of checkpointState.Optimizers: the name of the
// optimizer and the steps it has taken (its slots are tensors). No key was ever
// added, removed or renamed: a key it does not have is refused (unknownKey).
type optimizerState struct {
	Name  string `json:"name"`
	Steps int    `json:"steps"`
}

// LatestFile is the name of a checkpoint folder's state file.
const LatestFile = "latest.json"

// parts lists what a trainer saves: its models' weights under a prefix each,
// its optimizers under a name each, its step and its random-generator state.
type parts struct {
	config     Config
	step       int
	weights    map[string][]*autograd.Var // "generator" → G's weights
	optimizers map[string]optim.Optimizer // "generator" → G's optimizer
	pcg        *rand.PCG
	// rngErr is why pcg is not the state of the checkpoint the trainer was
	// loaded from (LoadJob of a damaged one), nil otherwise: saving it then
	// would pass the seed's generator off as the run's.
	rngErr error
}

// SaveCheckpoint writes the whole training state into dir (created if needed)
// and removes the tensors of older checkpoints there. It returns the state
// file's path.
func (t *Trainer) SaveCheckpoint(dir string) (string, error) {
	t.mustBeMade("SaveCheckpoint")
	if err := t.syncHost(); err != nil {
		return "", fmt.Errorf("checkpoint: reading the weights off the GPU: %w", err)
	}
	t.standingSampler() // the saved average samples as the run's did
	return saveParts(dir, t.parts())
}

func (t *Trainer) parts() parts {
	p := parts{
		config: t.Config, step: t.Step, pcg: t.pcg, rngErr: t.rngErr,
		weights:    map[string][]*autograd.Var{"generator": t.G.Weights(), "discriminator": t.D.Weights()},
		optimizers: map[string]optim.Optimizer{"generator": t.OptG, "discriminator": t.OptD},
	}
	if t.GEMA != nil {
		p.weights["generator_ema"] = t.GEMA.Weights()
	}
	return p
}

func saveParts(dir string, p parts) (string, error) {
	if p.rngErr != nil {
		return "", fmt.Errorf("cannot save a checkpoint: %w", p.rngErr)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("checkpoint folder %s: %w", dir, unwrapPath(err))
	}
	tensors := map[string]checkpoint.Tensor{}
	for prefix, ws := range p.weights {
		for _, w := range ws {
			tensors[prefix+"/"+w.Name] = checkpoint.F32(w.Shape, w.Data)
		}
	}
	opts := map[string]optimizerState{}
	for name, opt := range p.optimizers {
		slots, steps := opt.State()
		for key, v := range slots {
			tensors["optimizer/"+name+"/"+key] = checkpoint.F32([]int{len(v)}, v)
		}
		opts[name] = optimizerState{Name: opt.Name(), Steps: steps}
	}
	name := fmt.Sprintf("step-%08d.safetensors", p.step)
	tensorPath := filepath.Join(dir, name)
	meta := map[string]string{"format": CheckpointFormat, "model": p.config.Model, "step": fmt.Sprint(p.step)}
	if err := checkpoint.SaveSafetensors(tensorPath, tensors, meta); err != nil {
		return "", err
	}
	sum, err := checkpoint.Checksum(tensorPath)
	if err != nil {
		return "", err
	}
	rngState, err := p.pcg.MarshalBinary()
	if err != nil {
		return "", err
	}
	state := checkpointState{
		Format: CheckpointFormat, Model: p.config.Model, Step: p.step,
		Tensors: name, Checksum: sum, RNG: base64.StdEncoding.EncodeToString(rngState),
		Optimizers: opts, Config: p.config,
	}
	statePath := filepath.Join(dir, LatestFile)
	if err := checkpoint.WriteJSONAtomic(statePath, state); err != nil {
		return "", err
	}
	removeOldTensors(dir, name)
	return statePath, nil
}

// removeOldTensors deletes step-*.safetensors files other than keep: they belong
// to checkpoints that latest.json no longer names.
func removeOldTensors(dir, keep string) {
	old, _ := filepath.Glob(filepath.Join(dir, "step-*.safetensors"))
	for _, p := range old {
		if filepath.Base(p) != keep {
			os.Remove(p)
		}
	}
}

// FindCheckpoint resolves what a user names: a run folder (its checkpoints/
// folder), a checkpoint folder, or a latest.json file.
func FindCheckpoint(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("checkpoint %s: %w", path, unwrapPath(err))
	}
	if !info.IsDir() {
		if !strings.EqualFold(filepath.Ext(path), ".json") {
			return "", fmt.Errorf("%s: not a checkpoint: give a run folder, its checkpoints folder or their %s", path, LatestFile)
		}
		return path, nil
	}
	for _, p := range []string{filepath.Join(path, CheckpointsDir, LatestFile), filepath.Join(path, LatestFile)} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: no checkpoint here (no checkpoints/%s nor %s)", path, LatestFile, LatestFile)
}

// LoadCheckpoint restores a GAN Trainer from a checkpoint (see FindCheckpoint
// for what path may name), checking that every tensor is present, has the right
// shape, and that the tensor file is the one the state names. It is LoadJob
// for a GAN: a damaged random-generator state loads, and the trainer then
// refuses to train.
func LoadCheckpoint(path string) (*Trainer, error) {
	job, err := LoadJob(path)
	if err != nil {
		return nil, err
	}
	t, ok := job.(*Trainer)
	if !ok {
		return nil, fmt.Errorf("%s: a checkpoint of %q, which is not a GAN", path, job.Settings().Model)
	}
	return t, nil
}

// LoadJob restores whatever trainer a checkpoint holds: a GAN, an autoencoder
// or a classifier, to sample, evaluate or train on. The checkpoint's
// random-generator state serves training alone (noise, dropout, augmentation;
// samples draw their latent vectors from seeds): a damaged one does not stop
// LoadJob, but the job then refuses to train or be saved, with the error that
// ResumeJob returns for it. So does a config that a new run is refused for
// its clip or gradient-penalty weight of 0 with an objective that needs it
// positive (wgan, wgan-gp), which earlier versions accepted and trained with
// an unconstrained critic: the job samples, and refuses to train.
func LoadJob(path string) (Job, error) { return loadJob(path, false) }

// ResumeJob is LoadJob for training on, as gogan train --resume does: it
// refuses a checkpoint whose random-generator state is damaged, from which
// training could not continue as it would have, and one whose config turns
// off the clip or the penalty its objective needs (see LoadJob).
func ResumeJob(path string) (Job, error) { return loadJob(path, true) }

// loadJob is LoadJob, or with resume ResumeJob.
func loadJob(path string, resume bool) (Job, error) {
	c, err := readCheckpoint(path)
	if err != nil {
		return nil, err
	}
	rng, rngErr := decodeRNG(c)
	if rngErr != nil && resume {
		return nil, rngErr
	}
	if _, err := LookupArchitecture(c.state.Config.ArchitectureName()); err != nil {
		return nil, fmt.Errorf("%s: a checkpoint of networks not in gan's table (%w): make the trainer again with NewTrainerFor and call its Restore", c.statePath, err)
	}
	r, err := c.state.Config.resolveStored()
	if err == nil && resume {
		err = resumable(c.state.Config, r.obj)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.statePath, err)
	}
	job, err := NewJobFor(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.statePath, err)
	}
	if err := restore(job.parts(), c, rng); err != nil {
		return nil, err
	}
	job.restored(c.state.Step, rngErr)
	if t, ok := job.(*Trainer); ok && t.GEMA != nil && t.Config.StandingStats > 0 {
		// SaveCheckpoint gave the average its standing statistics under this
		// config: they are the ones it would compute again.
		t.standingAt = t.Step
	}
	return job, nil
}

// resumable is checkLipschitz's error for the config cfg of a checkpoint
// that trains obj, saying that the run still samples: earlier versions
// trained it with the clip or the penalty of 0 that a new run is refused.
func resumable(cfg Config, obj NamedObjective) error {
	if err := cfg.checkLipschitz(obj); err != nil {
		return fmt.Errorf("cannot train on: config: %w (an earlier gogan accepted it and trained the critic unconstrained; the run still loads to sample, evaluate and export)", err)
	}
	return nil
}

// Restore loads a checkpoint that SaveCheckpoint wrote (see FindCheckpoint
// for what path may name) into t: weights, optimizer state, step and random
// state, so that training continues as it would have. t must be made as the
// saving trainer was: NewTrainerFor with networks of the same architecture,
// or NewTrainer with the same config (the same optimizer too). t keeps its
// own Config. An error leaves t as it was: everything is checked before
// anything is copied.
func (t *Trainer) Restore(path string) error {
	t.mustBeMade("Restore")
	c, err := readCheckpoint(path)
	if err != nil {
		return err
	}
	rng, err := decodeRNG(c)
	if err != nil {
		return err
	}
	if err := restore(t.parts(), c, rng); err != nil {
		return err
	}
	t.restored(c.state.Step, nil)
	return t.restoreOnDevice()
}

// savedCheckpoint is a checkpoint as read from disk, checked against its checksum.
type savedCheckpoint struct {
	state                 checkpointState
	statePath, tensorPath string
	tensors               map[string]checkpoint.Tensor
}

// readCheckpoint reads the state and tensors of a checkpoint, checking the
// format, the model name and the tensor file's checksum.
func readCheckpoint(path string) (*savedCheckpoint, error) {
	statePath, err := FindCheckpoint(path)
	if err != nil {
		return nil, err
	}
	raw, err := checkpoint.ReadFile(statePath)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", statePath, unwrapPath(err))
	}
	state, err := parseState(statePath, raw)
	if err != nil {
		return nil, err
	}
	// The tensor file is checked against the state before the model is built,
	// so that a damaged checkpoint costs no allocation of its size.
	tensorPath := filepath.Join(filepath.Dir(statePath), state.Tensors)
	sum, err := checkpoint.Checksum(tensorPath)
	if err != nil {
		return nil, err
	}
	if state.Checksum == "" {
		return nil, fmt.Errorf("%s: damaged: it has no tensors_checksum for %s", statePath, state.Tensors)
	}
	if sum != state.Checksum {
		return nil, fmt.Errorf("%s: damaged: checksum %s, %s says %s", tensorPath, sum, filepath.Base(statePath), state.Checksum)
	}
	tensors, meta, err := checkpoint.LoadSafetensors(tensorPath)
	if err != nil {
		return nil, err
	}
	if err := checkMetadata(statePath, tensorPath, state, meta); err != nil {
		return nil, err
	}
	return &savedCheckpoint{state: state, statePath: statePath, tensorPath: tensorPath, tensors: tensors}, nil
}

// checkMetadata checks that the tensor file's metadata, where SaveCheckpoint
// repeats the model and the step, agrees with the state at statePath. A
// latest.json whose step is not its tensors' is inconsistent: resumed, the run
// would count its steps, checkpoints and metrics lines from the wrong one.
func checkMetadata(statePath, tensorPath string, state checkpointState, meta map[string]string) error {
	name := filepath.Base(tensorPath)
	switch {
	case meta["step"] != strconv.Itoa(state.Step):
		return fmt.Errorf("%s: damaged: it says step %d, its tensor file %s step %q", statePath, state.Step, name, meta["step"])
	case meta["model"] != state.Model:
		return fmt.Errorf("%s: damaged: it says model %q, its tensor file %s model %q", statePath, state.Model, name, meta["model"])
	}
	return nil
}

// parseState decodes and checks the bytes of a latest.json at statePath: its
// format, its fields, its model, its tensor file's name and its config, which
// is validated as strictly as a new run's flags (Config.Validate) before
// anything is built from it, but for the clip or penalty weight of 0 that
// earlier versions accepted (see LoadJob).
func parseState(statePath string, raw []byte) (checkpointState, error) {
	var state checkpointState
	if err := checkpoint.DecodeJSON(statePath, raw, &state); err != nil {
		return state, err
	}
	if err := checkFormat(statePath, state.Format); err != nil {
		return state, err
	}
	if key := unknownKey(raw); key != "" {
		return state, fmt.Errorf("%s: it has %s, which this gogan does not know: the checkpoint was written by a newer gogan (sample, evaluate and resume it with that one), or edited", statePath, key)
	}
	switch {
	case state.Config.Model != state.Model:
		return state, fmt.Errorf("%s: damaged: model %q but config says %q", statePath, state.Model, state.Config.Model)
	case strings.ContainsAny(state.Tensors, `/\`) || state.Tensors == "" || state.Tensors == "." || state.Tensors == "..":
		return state, fmt.Errorf("%s: damaged: tensor file name %q", statePath, state.Tensors)
	case state.Step < 0:
		return state, fmt.Errorf("%s: damaged: negative step %d", statePath, state.Step)
	case state.Model == "":
		return state, fmt.Errorf("%s: damaged: no model name", statePath)
	}
	if err := state.Config.validateStored(); err != nil {
		return state, fmt.Errorf("%s: config: %w", statePath, err)
	}
	return state, nil
}

// checkFormat refuses a latest.json at statePath whose format is not
// CheckpointFormat, saying whether it is another version's (newer, when its
// number is higher) or not a gogan checkpoint at all.
func checkFormat(statePath, format string) error {
	if format == CheckpointFormat {
		return nil
	}
	prefix, version, _ := strings.Cut(CheckpointFormat, "/")
	found, ok := strings.CutPrefix(format, prefix+"/")
	if !ok {
		return fmt.Errorf("%s: not a gogan checkpoint (format %q, want %q)", statePath, format, CheckpointFormat)
	}
	by := "another version of gogan"
	ours, _ := strconv.Atoi(version)
	if theirs, err := strconv.Atoi(found); err == nil && theirs > ours {
		by = "a newer gogan"
	}
	return fmt.Errorf("%s: written by %s, in format %q; this gogan reads %q: sample, evaluate and resume it with the gogan that wrote it", statePath, by, format, CheckpointFormat)
}

// unknownKey names the first key of the latest.json raw, in sorted order, that
// this gogan's checkpointState does not have: a field ("the field \"ema\""), a
// setting of its config ("the config setting \"r1\"") or of one of its
// optimizers' entries ("the setting \"lr_decay\" of the optimizer
// \"generator\""); "" when there is none. Decoded into a checkpointState, such
// a key would be dropped without a word, and a newer gogan's run sampled or
// trained on without a setting it has. Keys match fields as encoding/json
// matches them, case-insensitively: a "Config" is read as the config, and its
// settings are checked too, as are an "Optimizers"' entries.
func unknownKey(raw []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) != nil {
		return "" // DecodeJSON has decoded it
	}
	if key := firstUnknown(top, reflect.TypeFor[checkpointState]()); key != "" {
		return fmt.Sprintf("the field %q", key)
	}
	for _, name := range slices.Sorted(maps.Keys(top)) {
		var found string
		switch {
		case strings.EqualFold(name, "config"):
			found = unknownSetting(top[name])
		case strings.EqualFold(name, "optimizers"):
			found = unknownOptimizerSetting(top[name])
		}
		if found != "" {
			return found
		}
	}
	return ""
}

// unknownSetting names the first key of the config raw, in sorted order, that
// Config does not have ("the config setting \"r1\""); "" when there is none.
func unknownSetting(raw json.RawMessage) string {
	var config map[string]json.RawMessage
	if json.Unmarshal(raw, &config) != nil {
		return "" // DecodeJSON has decoded it
	}
	if key := firstUnknown(config, reflect.TypeFor[Config]()); key != "" {
		return fmt.Sprintf("the config setting %q", key)
	}
	return ""
}

// unknownOptimizerSetting names the first key, in sorted order of the
// optimizers and then of their keys, of an entry of the optimizers raw
// ({"generator": {"name": "adam", "steps": 937}, ...}) that optimizerState does
// not have ("the setting \"lr_decay\" of the optimizer \"generator\""); ""
// when there is none. Every gogan has written an entry's name and steps alone.
func unknownOptimizerSetting(raw json.RawMessage) string {
	var optimizers map[string]map[string]json.RawMessage
	if json.Unmarshal(raw, &optimizers) != nil {
		return "" // DecodeJSON has decoded it
	}
	for _, name := range slices.Sorted(maps.Keys(optimizers)) {
		if key := firstUnknown(optimizers[name], reflect.TypeFor[optimizerState]()); key != "" {
			return fmt.Sprintf("the setting %q of the optimizer %q", key, name)
		}
	}
	return ""
}

// firstUnknown is the first key of m, in sorted order, that names no field
// of the struct type t. encoding/json itself tells: a key is decoded, with the
// value null (which changes no field), into a new t by a decoder that refuses
// unknown fields, so that tags, their options, embedded structs and case match
// as they do when the file is read.
func firstUnknown(m map[string]json.RawMessage, t reflect.Type) string {
	for _, key := range slices.Sorted(maps.Keys(m)) {
		name, _ := json.Marshal(key) // a string always marshals
		dec := json.NewDecoder(bytes.NewReader(slices.Concat([]byte("{"), name, []byte(":null}"))))
		dec.DisallowUnknownFields()
		if dec.Decode(reflect.New(t).Interface()) != nil {
			return key
		}
	}
	return ""
}

// validateStored checks a checkpoint's config: as strictly as a new run's
// flags (Validate) when it names an architecture of the table, but for
// checkLipschitz's check (see resolveStored); a program's own networks
// (NewTrainerFor) have none to check against, so their config is held to the
// limits and the settings every model has.
func (c Config) validateStored() error {
	if _, err := LookupArchitecture(c.ArchitectureName()); err == nil {
		_, err := c.resolveStored()
		return err
	}
	if err := c.validateSizes(); err != nil {
		return err
	}
	return c.validateRun()
}

// checkFinite returns an error naming the first NaN or ±Inf value of tensor
// name, or nil. A checkpoint whose weights diverged can make no image: sample,
// eval and resume refuse it alike.
func checkFinite(path, name string, data []float32) error {
	if err := checkpoint.CheckFinite(name, data); err != nil {
		return fmt.Errorf("%s: %v: the weights diverged, and this checkpoint cannot be used", path, err)
	}
	return nil
}

// decodeRNG returns the random-generator state of a checkpoint, or an error
// naming it damaged.
func decodeRNG(c *savedCheckpoint) (*rand.PCG, error) {
	var pcg rand.PCG
	raw, err := base64.StdEncoding.DecodeString(c.state.RNG)
	if err == nil {
		err = pcg.UnmarshalBinary(raw)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: damaged random-generator state: %v", c.statePath, err)
	}
	return &pcg, nil
}

// restore copies the tensors and state of checkpoint c into the parts of a
// trainer, and rng, unless nil, into its random generator. It checks
// everything first (every tensor present, finite and of its weight's shape,
// no tensor left over, no optimizer the parts lack, each optimizer's kind,
// step count and slots,
// Optimizer.CheckState's checks of their values), so that an error leaves the
// parts as they were.
func restore(p parts, c *savedCheckpoint, rng *rand.PCG) error {
	tensors, state, path := c.tensors, c.state, c.tensorPath
	used := 0
	take := func(name string, want []int) ([]float32, error) {
		ts, ok := tensors[name]
		if !ok {
			return nil, fmt.Errorf("%s: no tensor %s (a checkpoint of another model?)", path, name)
		}
		if ts.DType != "F32" || !slices.Equal(ts.Shape, want) {
			return nil, fmt.Errorf("%s: tensor %s is %s %v, model wants F32 %v (a checkpoint of another model?)", path, name, ts.DType, ts.Shape, want)
		}
		if err := checkFinite(path, name, ts.F32); err != nil {
			return nil, err
		}
		used++
		return ts.F32, nil
	}
	type copyTo struct {
		dst, src []float32
	}
	var weights []copyTo
	for prefix, ws := range p.weights {
		for _, w := range ws {
			data, err := take(prefix+"/"+w.Name, w.Shape)
			if err != nil {
				return err
			}
			weights = append(weights, copyTo{w.Data, data})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(state.Optimizers)) {
		if _, ok := p.optimizers[name]; !ok {
			return fmt.Errorf("%s: state of an optimizer %q, which the model does not have (a checkpoint of another model?)", path, name)
		}
	}
	slots := map[string]map[string][]float32{}
	for name, opt := range p.optimizers {
		saved, ok := state.Optimizers[name]
		switch {
		case !ok:
			return fmt.Errorf("%s: no state of the %s's optimizer", path, name)
		case saved.Name != opt.Name():
			return fmt.Errorf("%s: the %s's optimizer is %s, the checkpoint's is %q", path, name, opt.Name(), saved.Name)
		case saved.Steps < 0:
			return fmt.Errorf("%s: damaged: the %s's optimizer has taken %d steps", path, name, saved.Steps)
		}
		live, _ := opt.State()
		slots[name] = map[string][]float32{}
		for key, v := range live {
			data, err := take("optimizer/"+name+"/"+key, []int{len(v)})
			if err != nil {
				return err
			}
			slots[name][key] = data
		}
		// What only the optimizer knows: a negative second moment (Adam's v)
		// is finite, but its square root makes the next step NaN.
		if err := opt.CheckState(slots[name], saved.Steps); err != nil {
			return fmt.Errorf("%s: damaged: optimizer/%s: %v", path, name, err)
		}
	}
	if used != len(tensors) {
		return fmt.Errorf("%s: %d tensors, the model has %d (a checkpoint of another model?)", path, len(tensors), used)
	}
	// Everything is checked: copy. LoadState checks again what CheckState
	// checked above, and so cannot fail.
	for _, w := range weights {
		copy(w.dst, w.src)
	}
	for name, opt := range p.optimizers {
		if err := opt.LoadState(slots[name], state.Optimizers[name].Steps); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if rng != nil {
		*p.pcg = *rng
	}
	return nil
}

// unwrapPath drops the *PathError wrapper so messages don't repeat the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// The files and folders a training run keeps in its folder.
const (
	CheckpointsDir = "checkpoints"   // its checkpoints (LatestFile and the tensors)
	ConfigFile     = "config.json"   // the Config it was started with
	MetricsFile    = "metrics.jsonl" // one JSON line of losses and scores per logged step
	LossPlotFile   = "losses.png"    // the losses plotted
	SamplesDir     = "samples"       // the sample grids, one per epoch and a final one
	FinalGridFile  = "final.png"     // in SamplesDir: the grid at the end of training
)

// EpochGrid is the name of the grid in SamplesDir after epoch (epoch-001.png).
func EpochGrid(epoch int) string {
	return fmt.Sprintf("epoch-%03d.png", epoch)
}

// EpochGrids is the pattern (filepath.Match) of the names that a run counts as
// its epoch grids, EpochGrid's and any other that matches.
const EpochGrids = "epoch-*.png"

// IsTrainingGrid reports whether name, in a run's SamplesDir, is a grid that
// training writes there: FinalGridFile, or a name of EpochGrids.
func IsTrainingGrid(name string) bool {
	epoch, _ := filepath.Match(EpochGrids, name) // the pattern is well formed
	return epoch || name == FinalGridFile
}

// RunFiles are the files and folders a training run keeps in its folder, which
// resuming, sampling and serving the run read back.
var RunFiles = []string{CheckpointsDir, ConfigFile, MetricsFile, LossPlotFile, SamplesDir}

// AttemptName is the name under which a run started again from step 0 keeps
// the file name (ConfigFile or MetricsFile) of its earlier attempt n, beside
// the run's own: config.json becomes config.attempt-1.json.
func AttemptName(name string, n int) string {
	ext := filepath.Ext(name)
	return fmt.Sprintf("%s.attempt-%d%s", strings.TrimSuffix(name, ext), n, ext)
}

// isAttemptFile reports whether name is AttemptName of ConfigFile or
// MetricsFile for some attempt n ≥ 1.
func isAttemptFile(name string) bool {
	for _, kept := range []string{ConfigFile, MetricsFile} {
		ext := filepath.Ext(kept)
		rest, prefixed := strings.CutPrefix(name, strings.TrimSuffix(kept, ext)+".attempt-")
		digits, suffixed := strings.CutSuffix(rest, ext)
		if !prefixed || !suffixed {
			continue
		}
		if n, err := strconv.Atoi(digits); err == nil && n >= 1 && AttemptName(kept, n) == name {
			return true
		}
	}
	return false
}

// checkRunFile refuses out when a run folder (one holding checkpoints/latest.json)
// keeps a file of that name: one of RunFiles, one kept of an earlier attempt
// (AttemptName), its lock file (runlock.FileName), or in its SamplesDir a grid
// that training writes (FinalGridFile, or a name of EpochGrids, which the run
// counts as its epoch grids). Other names in SamplesDir are let through: training
// neither writes nor reads them. Names are matched as written, and an out that
// exists also by the file it is (os.SameFile), so that another spelling of a
// kept file on a case-insensitive disk (macOS's, Windows's: RUN/samples/FINAL.png
// for final.png, or RUN/Samples/final.png) is refused too.
func checkRunFile(out string) error {
	dir, name := filepath.Dir(out), filepath.Base(out)
	if isRunFolder(dir) {
		keptInRun := func(name string) error { return runFileError(out, dir, name) }
		if err := keptInRun(name); err != nil {
			return err
		}
		if err := sameAsKept(out, dir, keptInRun); err != nil {
			return err
		}
	}
	run := filepath.Dir(dir)
	if !isRunFolder(run) || !(filepath.Base(dir) == SamplesDir || sameFile(dir, filepath.Join(run, SamplesDir))) {
		return nil
	}
	keptGrid := func(name string) error {
		if IsTrainingGrid(name) {
			return fmt.Errorf("%s: is the run %s's own %s/%s, a sample grid that training writes: choose another --out", out, run, SamplesDir, name)
		}
		return nil
	}
	if err := keptGrid(name); err != nil {
		return err
	}
	return sameAsKept(out, filepath.Join(run, SamplesDir), keptGrid)
}

// runFileError is checkRunFile's error for out, named name in the run folder
// dir, or nil where the run keeps no file of that name.
func runFileError(out, dir, name string) error {
	switch {
	case slices.Contains(RunFiles, name):
		return fmt.Errorf("%s: is the run %s's own %s, which resuming it reads back: choose another --out", out, dir, name)
	case isAttemptFile(name):
		return fmt.Errorf("%s: is the run %s's own %s, kept from an earlier attempt when the run was started again: choose another --out", out, dir, name)
	case name == runlock.FileName:
		return fmt.Errorf("%s: is the run %s's lock file, which a training run holds while it runs: choose another --out", out, dir)
	}
	return nil
}

// sameAsKept returns kept's error for the file of dir that out is, when out
// exists and is the same file as one of dir's entries whose name kept refuses;
// else nil.
func sameAsKept(out, dir string, kept func(name string) error) error {
	ost, err := os.Stat(out)
	if err != nil {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		if err := kept(e.Name()); err != nil {
			if st, serr := os.Stat(filepath.Join(dir, e.Name())); serr == nil && os.SameFile(ost, st) {
				return err
			}
		}
	}
	return nil
}

// sameFile reports whether paths a and b exist and are the same file.
func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}

// isRunFolder reports whether dir holds a run's checkpoint (checkpoints/latest.json).
func isRunFolder(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, CheckpointsDir, LatestFile))
	return err == nil
}

// CheckOutput refuses an output path that a command must not write: one in a
// checkpoint folder (a folder holding latest.json, where a file of the same
// name as the tensors would replace them), a checkpoint folder itself (for a
// folder of outputs), a run folder's own file (checkRunFile), or one of the
// command's input files. The paths need not exist.
func CheckOutput(out string, inputs ...string) error {
	for _, dir := range []string{out, filepath.Dir(out)} {
		if _, err := os.Stat(filepath.Join(dir, LatestFile)); err == nil {
			return fmt.Errorf("%s: is in the checkpoint folder %s, where it could replace the checkpoint: choose another --out", out, dir)
		}
	}
	if err := checkRunFile(out); err != nil {
		return err
	}
	ost, err := os.Stat(out)
	if err != nil {
		return nil
	}
	for _, in := range inputs {
		if ist, err := os.Stat(in); err == nil && os.SameFile(ost, ist) {
			return fmt.Errorf("%s: is the input %s: choose another --out", out, in)
		}
	}
	return nil
}
