package cuda

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gogan/gogan/internal/atomicfile"
	"github.com/gogan/gogan/internal/runlock"
)

// The choices between cuDNN and im2col + cuBLAS that timing made are kept in a file,
// so that later processes on the machine make the same ones: a timing can go either
// way where the two are close, and the two ways round float32 sums differently, so
// without the file two runs with the same seed could differ in their last bits. The
// file is JSON, one object per GPU model, cuDNN version and kernels, mapping
// ConvKey.String() to the choice:
//
//	{"NVIDIA H200 / cudnn 9.14.0 / kernels 3c1f0e9a2b7d": {"conv forward of (256,14,14,64) by 5x5/2x2 pad 1,1 to (7,7,128) TF32": {"cudnn": true, "algo": 1, "math_type": 1}}}
//
// The first process to time a key keeps its choice; a later one, or one that timed
// it at the same moment, takes the kept choice over its own (a lock file beside it
// orders them). The scope also names a hash of the loaded kernels, so that choices
// timed against other im2col kernels are not reused. It lives in the user's cache
// folder (os.UserCacheDir()/gogan/conv-choices.json); EnvConvChoices names another
// file, or "off" for none (each process then times afresh). Deleting it makes the
// next run time every geometry again.

// EnvConvChoices is the environment variable naming the file of timed choices, or
// "off".
const EnvConvChoices = "GOGAN_CONV_CHOICES"

// savedChoice is one key's choice in the file.
type savedChoice struct {
	Cudnn    bool   `json:"cudnn"`
	Algo     uint32 `json:"algo,omitempty"`
	MathType uint32 `json:"math_type,omitempty"`
}

// errChoicesOff is why no file is used when EnvConvChoices is "off".
var errChoicesOff = errors.New(EnvConvChoices + "=off")

// ChoicesOff reports whether err is RecordConvChoice's for a file turned off on
// purpose (EnvConvChoices=off), which needs no warning.
func ChoicesOff(err error) bool { return errors.Is(err, errChoicesOff) }

// TempChoicesFile points EnvConvChoices at a file in a new temporary folder and
// returns the function that removes the folder: tests keep their timed choices
// out of the user's cache with it, in TestMain.
func TempChoicesFile() (remove func()) {
	dir, err := os.MkdirTemp("", "gogan-choices-")
	if err != nil {
		os.Setenv(EnvConvChoices, "off")
		return func() {}
	}
	os.Setenv(EnvConvChoices, filepath.Join(dir, "conv-choices.json"))
	return func() { os.RemoveAll(dir) }
}

// RunWithTempChoices is a TestMain's body: it runs m's tests with their timed choices
// in a temporary file (TempChoicesFile), removes it, and returns m.Run's exit code.
func RunWithTempChoices(m interface{ Run() int }) int {
	remove := TempChoicesFile()
	defer remove()
	return m.Run()
}

// choicesPath is the file EnvConvChoices or the cache folder gives.
func choicesPath() (string, error) {
	switch env := os.Getenv(EnvConvChoices); {
	case strings.EqualFold(env, "off"):
		return "", errChoicesOff
	case env != "":
		return env, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("%w (set %s to a file)", err, EnvConvChoices)
	}
	return filepath.Join(dir, "gogan", "conv-choices.json"), nil
}

// readChoices reads the file at path; a missing file is an empty one.
func readChoices(path string) (map[string]map[string]savedChoice, error) {
	data := map[string]map[string]savedChoice{}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return data, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &data); err != nil {
		return nil, fmt.Errorf("cuda: %s is not a file of convolution choices: %w (delete it to time them again, or set %s)", path, err, EnvConvChoices)
	}
	return data, nil
}

// choiceScope is the file's object for d: its GPU model, cuDNN's version and the
// kernels it loaded (im2col + cuBLAS is the other side of each choice).
func choiceScope(d *Device, version string) string {
	return d.name + " / cudnn " + version + " / kernels " + d.kernelsID
}

// algoCounts is how many algorithms cuDNN 9 numbers in each direction
// (CUDNN_CONVOLUTION_{FWD,BWD_DATA,BWD_FILTER}_ALGO_COUNT).
var algoCounts = [...]uint32{ConvForward: 8, ConvBackwardData: 6, ConvBackwardFilter: 7}

// valid reports whether c may be used for k: im2col, or an algorithm of k's
// direction that k's math allows (no FFT or Winograd without TF32).
func (c savedChoice) valid(k ConvKey) bool {
	return !c.Cudnn || c.Algo < algoCounts[k.Op] && (k.TF32 || !slices.Contains(transformAlgos[k.Op], c.Algo))
}

func (c savedChoice) decision() convDecision {
	return convDecision{cudnn: c.Cudnn, algo: c.Algo, mathType: c.MathType}
}

// savedDecision returns the file's choice for k on d, if it has a valid one. The
// file is read afresh, as another process may have added to it.
func savedDecision(d *Device, version string, k ConvKey) (convDecision, bool) {
	path, err := choicesPath()
	if err != nil {
		return convDecision{}, false
	}
	data, err := readChoices(path)
	if err != nil {
		return convDecision{}, false
	}
	c, ok := data[choiceScope(d, version)][k.String()]
	if !ok || !c.valid(k) {
		return convDecision{}, false
	}
	return c.decision(), true
}

// saveDecision keeps dec as k's choice in the file, unless the file already has
// a valid one (another process timed k first): it returns the choice kept. The
// file is read, changed and written atomically under a lock (path + ".lock"), so
// that processes starting together agree.
func saveDecision(d *Device, version string, k ConvKey, dec convDecision) (convDecision, error) {
	path, err := choicesPath()
	if err != nil {
		return dec, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return dec, fmt.Errorf("%w (set %s to another file, or off)", err, EnvConvChoices)
	}
	release, err := runlock.LockFile(path + ".lock")
	if err != nil {
		return dec, fmt.Errorf("%w (set %s to another file, or off)", err, EnvConvChoices)
	}
	defer release()
	data, err := readChoices(path)
	if err != nil {
		return dec, err
	}
	scope := choiceScope(d, version)
	if c, ok := data[scope][k.String()]; ok && c.valid(k) {
		return c.decision(), nil
	}
	if data[scope] == nil {
		data[scope] = map[string]savedChoice{}
	}
	data[scope][k.String()] = savedChoice{Cudnn: dec.cudnn, Algo: dec.algo, MathType: dec.mathType}
	err = atomicfile.WriteFile(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(data)
	})
	if err != nil {
		return dec, fmt.Errorf("%w (set %s to another file, or off)", err, EnvConvChoices)
	}
	return dec, nil
}
