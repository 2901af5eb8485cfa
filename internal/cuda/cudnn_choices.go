package cuda

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/gogan/gogan/internal/atomicfile"
)

// The choices between cuDNN and im2col + cuBLAS that timing made are kept in a file,
// so that later processes on the machine make the same ones: a timing can go either
// way where the two are close, and the two ways round float32 sums differently, so
// without the file two runs with the same seed could differ in their last bits. The
// file is JSON, one object per GPU model and cuDNN version ("NVIDIA H200 / cudnn
// 9.14.0"), mapping ConvKey.String() to the choice:
//
//	{"NVIDIA H200 / cudnn 9.14.0": {"conv forward of (256,14,14,64) by 5x5/2x2 pad 1,1 to (7,7,128) TF32": {"cudnn": true, "algo": 1, "math_type": 1}}}
//
// It lives in the user's cache folder (os.UserCacheDir()/gogan/conv-choices.json);
// EnvConvChoices names another file, or "off" for none (each process then times
// afresh). Deleting it makes the next run time every geometry again.

// EnvConvChoices is the environment variable naming the file of timed choices, or
// "off".
const EnvConvChoices = "GOGAN_CONV_CHOICES"

// savedChoice is one key's choice in the file.
type savedChoice struct {
	Cudnn    bool   `json:"cudnn"`
	Algo     uint32 `json:"algo,omitempty"`
	MathType uint32 `json:"math_type,omitempty"`
}

// choicesStore is the file's path and what was read from it, loaded once a
// process.
var choicesStore struct {
	mu     sync.Mutex
	loaded bool
	path   string
	data   map[string]map[string]savedChoice // scope → key → choice
	err    error                             // why the file is not used
}

// choicesPath is the file EnvConvChoices or the cache folder gives, or "" when
// there is none.
func choicesPath() (string, error) {
	switch env := os.Getenv(EnvConvChoices); env {
	case "off":
		return "", errors.New(EnvConvChoices + "=off")
	case "":
		dir, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, "gogan", "conv-choices.json"), nil
	default:
		return env, nil
	}
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
		return nil, fmt.Errorf("cuda: %s is not a file of convolution choices: %w (delete it to time them again)", path, err)
	}
	return data, nil
}

// loadChoices loads the file once; it holds choicesStore.mu.
func loadChoices() {
	if choicesStore.loaded {
		return
	}
	choicesStore.loaded = true
	choicesStore.path, choicesStore.err = choicesPath()
	if choicesStore.err == nil {
		choicesStore.data, choicesStore.err = readChoices(choicesStore.path)
	}
}

// choiceScope is the file's object for d: its GPU model and cuDNN version.
func choiceScope(d *Device, version string) string {
	return d.name + " / cudnn " + version
}

// savedDecision returns the file's choice for k on d, if it has one.
func savedDecision(d *Device, version string, k ConvKey) (convDecision, bool) {
	choicesStore.mu.Lock()
	defer choicesStore.mu.Unlock()
	loadChoices()
	c, ok := choicesStore.data[choiceScope(d, version)][k.String()]
	return convDecision{cudnn: c.Cudnn, algo: c.Algo, mathType: c.MathType}, ok
}

// saveDecision adds k's choice to the file, merged with what other processes
// wrote since it was read, written atomically. It returns why it could not.
func saveDecision(d *Device, version string, k ConvKey, dec convDecision) error {
	choicesStore.mu.Lock()
	defer choicesStore.mu.Unlock()
	loadChoices()
	if choicesStore.err != nil {
		return choicesStore.err
	}
	data, err := readChoices(choicesStore.path)
	if err != nil {
		return err
	}
	scope := choiceScope(d, version)
	if data[scope] == nil {
		data[scope] = map[string]savedChoice{}
	}
	data[scope][k.String()] = savedChoice{Cudnn: dec.cudnn, Algo: dec.algo, MathType: dec.mathType}
	if err := os.MkdirAll(filepath.Dir(choicesStore.path), 0o755); err != nil {
		return err
	}
	err = atomicfile.WriteFile(choicesStore.path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(data)
	})
	if err == nil {
		choicesStore.data = data
	}
	return err
}

// forgetChoices makes the next lookup read the file again (tests).
func forgetChoices() {
	choicesStore.mu.Lock()
	defer choicesStore.mu.Unlock()
	choicesStore.loaded, choicesStore.data, choicesStore.err = false, nil, nil
}
