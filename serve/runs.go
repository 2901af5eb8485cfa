package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/generator"
)

// retryLoad is how long a checkpoint that failed to load waits before the
// next try (it may have been replaced during the read).
const retryLoad = 2 * time.Second

// registry finds the runs and keeps their generators.
type registry struct {
	root   string            // the runs folder, symbolic links resolved; "" with one run
	single map[string]string // with one run: its name and folder
	log    *log.Logger

	mu     sync.Mutex
	models map[string]*model // by folder
}

// newRegistry checks the runs folder, or the one run.
func newRegistry(runs, run string, logger *log.Logger) (*registry, error) {
	reg := &registry{log: logger, models: map[string]*model{}}
	switch {
	case (runs == "") == (run == ""):
		return nil, errors.New("serve: give a runs folder or one run, not both nor neither")
	case run != "":
		if _, err := os.Stat(filepath.Join(run, gan.CheckpointsDir, gan.LatestFile)); err != nil {
			return nil, fmt.Errorf("serve: run %s has no checkpoint: %w", run, err)
		}
		abs, err := filepath.Abs(run)
		var real string
		if err == nil { // the run's files are checked against where it really is
			real, err = filepath.EvalSymlinks(abs)
		}
		if err != nil {
			return nil, fmt.Errorf("serve: run %s: %w", run, err)
		}
		reg.single = map[string]string{filepath.Base(abs): real}
		return reg, nil
	}
	root, err := filepath.EvalSymlinks(runs)
	if err == nil {
		root, err = filepath.Abs(root)
	}
	if err != nil {
		return nil, fmt.Errorf("serve: runs folder %s: %w", runs, err)
	}
	if info, err := os.Stat(root); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("serve: runs folder %s is not a folder", runs)
	}
	reg.root = root
	return reg, nil
}

// checkName refuses a run name that is not one plain path element.
func checkName(name string) error {
	switch {
	case name == "" || len(name) > 255:
		return errorf(http.StatusBadRequest, "run name must have 1 to 255 bytes, got %d", len(name))
	case name == "." || name == "..", strings.ContainsAny(name, `/\`+"\x00"), filepath.IsAbs(name), !filepath.IsLocal(name):
		return errorf(http.StatusBadRequest, "run name %q is not a plain folder name", name)
	}
	return nil
}

// dir returns the folder of the run called name: 400 for a bad name, 403 for
// a name whose folder leads outside the runs folder, 404 for no such run.
func (reg *registry) dir(name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	if reg.single != nil {
		if d, ok := reg.single[name]; ok {
			return d, nil
		}
		return "", errorf(http.StatusNotFound, "no run %q (this server serves %s)", name, reg.names()[0])
	}
	real, err := filepath.EvalSymlinks(filepath.Join(reg.root, name))
	if err != nil {
		return "", errorf(http.StatusNotFound, "no run %q", name)
	}
	if rel, err := filepath.Rel(reg.root, real); err != nil || !filepath.IsLocal(rel) {
		return "", errorf(http.StatusForbidden, "run %q leads outside the runs folder", name)
	}
	if !isRun(real) {
		return "", errorf(http.StatusNotFound, "no run %q (a run holds checkpoints/%s or metrics.jsonl)", name, gan.LatestFile)
	}
	return real, nil
}

// isRun reports whether dir holds a checkpoint or a metrics log.
func isRun(dir string) bool {
	for _, p := range []string{filepath.Join(gan.CheckpointsDir, gan.LatestFile), gan.MetricsFile} {
		if info, err := os.Stat(filepath.Join(dir, p)); err == nil && info.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// names lists the runs, sorted.
func (reg *registry) names() []string {
	var out []string
	if reg.single != nil {
		for n := range reg.single {
			out = append(out, n)
		}
		return out
	}
	entries, err := os.ReadDir(reg.root)
	if err != nil {
		reg.log.Printf("serve: list runs: %v", err)
		return nil
	}
	for _, e := range entries {
		if e.IsDir() || e.Type()&fs.ModeSymlink != 0 {
			if _, err := reg.dir(e.Name()); err == nil {
				out = append(out, e.Name())
			}
		}
	}
	sort.Strings(out)
	return out
}

// generator returns the run's current generator, loading it when the
// checkpoint is new or has changed.
func (reg *registry) generator(name string) (*loaded, error) {
	dir, err := reg.dir(name)
	if err != nil {
		return nil, err
	}
	reg.mu.Lock()
	m := reg.models[dir]
	if m == nil {
		m = &model{dir: dir}
		reg.models[dir] = m
	}
	reg.mu.Unlock()
	return m.current(reg.log)
}

// model is one run's generator, reloaded when its checkpoint changes.
type model struct {
	dir string

	mu       sync.Mutex // held while checking and loading
	cur      *loaded
	stamp    fileStamp // of latest.json when cur was checked
	state    []byte    // latest.json's content when cur was loaded
	failedAt time.Time // the last load that failed
	failed   error     // its answer, while there is no generator to serve instead
	failedOn fileStamp // latest.json's stamp then
}

// fileStamp is what a stat says of a file's change.
type fileStamp struct {
	mtime time.Time
	size  int64
}

// loaded is a generator with what its checkpoint says of it.
type loaded struct {
	gen     *generator.Generator
	dataset string
}

// current returns the generator of the checkpoint now in the run, or the
// previous one when the new checkpoint does not load.
func (m *model) current(logger *log.Logger) (*loaded, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	path := filepath.Join(m.dir, gan.CheckpointsDir, gan.LatestFile)
	info, err := os.Stat(path)
	if err != nil {
		if m.cur != nil {
			return m.cur, nil
		}
		return nil, errorf(http.StatusNotFound, "run %s has no checkpoint yet", filepath.Base(m.dir))
	}
	stamp := fileStamp{info.ModTime(), info.Size()}
	if m.cur != nil && (stamp == m.stamp || time.Since(m.failedAt) < retryLoad) {
		return m.cur, nil
	}
	if m.cur == nil && m.failed != nil && stamp == m.failedOn && time.Since(m.failedAt) < retryLoad {
		return nil, m.failed // a request does not load a checkpoint that failed just now
	}
	state, err := os.ReadFile(path)
	if err == nil && m.cur != nil && bytes.Equal(state, m.state) {
		m.stamp = stamp
		return m.cur, nil
	}
	next, err := load(m.dir, state, err)
	if err != nil {
		m.failedAt = time.Now()
		if m.cur != nil {
			logger.Printf("serve: %v; serving step %d still", err, m.cur.gen.Step())
			return m.cur, nil
		}
		m.failed, m.failedOn = m.loadError(err, logger), stamp
		return nil, m.failed
	}
	m.cur, m.stamp, m.state, m.failed = next, stamp, state, nil
	return m.cur, nil
}

// loadError is the answer to a checkpoint that does not load, with no
// previous generator to serve instead: 400 for a model that generates nothing
// (a classifier), else 503 with Retry-After (a damaged checkpoint, or one
// replaced during the read, which is tried again). Its message names the run,
// not the server's folders; the log has the full error.
func (m *model) loadError(err error, logger *log.Logger) error {
	name := filepath.Base(m.dir)
	msg := strings.ReplaceAll(err.Error(), m.dir, name)
	if errors.Is(err, generator.ErrGeneratesNothing) {
		return errorf(http.StatusBadRequest, "run %s cannot generate: %s", name, msg)
	}
	logger.Printf("serve: run %s: its checkpoint does not load: %v", name, err)
	se := errorf(http.StatusServiceUnavailable, "run %s: its checkpoint does not load (damaged, or being replaced): %s", name, msg).(*statusError)
	se.retry = int((retryLoad + time.Second - 1) / time.Second) // this answer is given again until then
	return se
}

// load reads the generator of the run dir whose latest.json holds state
// (readErr: the error reading it).
func load(dir string, state []byte, readErr error) (*loaded, error) {
	if readErr != nil {
		return nil, readErr
	}
	g, err := generator.Load(dir)
	if err != nil {
		return nil, err
	}
	var settings struct {
		Config struct {
			Data string `json:"data"`
		} `json:"config"`
	}
	_ = json.Unmarshal(state, &settings) // the dataset is only shown; Load checked the file
	return &loaded{gen: g, dataset: settings.Config.Data}, nil
}
