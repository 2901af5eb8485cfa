package serve

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/run"
)

// chromium returns the path of a Chromium or Chrome, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (Debian: apt-get install chromium); the studio's browser test skips")
	return ""
}

// screenshots is the folder for the test's screenshots: $GOGAN_SCREENSHOTS,
// or the test's temporary folder.
func screenshots(t *testing.T) string {
	if dir := os.Getenv("GOGAN_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// TestStudioInBrowser drives the studio in headless Chromium against a run
// of the seed's GAN trained for a few steps on MNIST: it generates, checks
// the images, interpolates, and watches the dashboard follow a training that
// resumes the run.
func TestStudioInBrowser(t *testing.T) {
	exe := chromium(t)
	if testing.Short() {
		t.Skip("trains on the real MNIST")
	}
	runs := t.TempDir()
	runDir := filepath.Join(runs, "mnist-mlp")
	cfg := gan.DefaultConfig()
	cfg.Steps, cfg.Batch, cfg.LogEvery = 20, 32, 5
	if _, err := run.Train(context.Background(), run.Options{Config: cfg, Out: runDir, Log: io.Discard, Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Config{Runs: runs, Poll: 100 * time.Millisecond})
	url := httptestServer(t, s)
	shots := screenshots(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 1000))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	steps := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	num := func(what, expr string) int {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[int](expr))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	waitFor := func(what, expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("%s: waiting for %s: %v", what, expr, err)
		}
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: a PNG
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(shots, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}

	// The page loads, lists the run and generates 64 samples of 28×28.
	steps("load", chromedp.Navigate(url+"/"))
	waitFor("generate", `document.body.dataset.generated === "64"`)
	waitFor("images", `[...document.querySelectorAll("#grid img")].every(i => i.complete && i.naturalWidth === 28 && i.naturalHeight === 28)`)
	if n := num("count", `document.querySelectorAll("#grid img").length`); n != 64 {
		t.Fatalf("%d samples, want 64", n)
	}
	// The images are not blank: drawn on a canvas, their pixels vary.
	spread := num("pixels", `(() => {
		const img = document.querySelector("#grid img"), c = document.createElement("canvas");
		c.width = img.naturalWidth; c.height = img.naturalHeight;
		const g = c.getContext("2d"); g.drawImage(img, 0, 0);
		const d = g.getImageData(0, 0, c.width, c.height).data;
		let lo = 255, hi = 0;
		for (let i = 0; i < d.length; i += 4) { lo = Math.min(lo, d[i]); hi = Math.max(hi, d[i]); }
		return hi - lo; })()`)
	if spread < 10 {
		t.Errorf("the first sample's gray levels span %d, want a non-blank image", spread)
	}
	// The dashboard drew the run's metrics: 20 steps, a line per 5.
	ink := func(id string) int {
		return num("ink of "+id, `(() => { const c = document.getElementById("`+id+`"), d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
			let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i+1] < 200 || d[i+2] < 200) n++; return n; })()`)
	}
	waitFor("dashboard", `document.body.dataset.metrics === "4"`)
	if n := ink("chart-loss"); n < 200 {
		t.Errorf("the loss chart has %d dark pixels, want a drawing", n)
	}
	waitFor("latest grid", `document.getElementById("latest").naturalWidth > 0`)
	if w := num("latest", `document.getElementById("latest").naturalWidth`); w < 8*28 {
		t.Errorf("the latest sample grid is %d pixels wide, want the 8×8 grid", w)
	}
	shot("studio-generated.png")

	// New seed: other samples.
	before := num("seed", `Number(document.getElementById("seed").value)`)
	first := `document.querySelector("#grid img").src`
	was, err := chromedp.Run(ctx, chromedp.Evaluate[string](first))
	if err != nil {
		t.Fatal(err)
	}
	steps("new seed", chromedp.Click(chromedp.CSS(`#new-seed`)))
	waitFor("new samples", first+` !== `+strconv.Quote(was)+` && document.body.dataset.generated === "64"`)
	if after := num("seed", `Number(document.getElementById("seed").value)`); after == before {
		t.Errorf("new seed kept seed %d", before)
	}

	// Pick two samples: the interpolation plays.
	steps("pick two", chromedp.Click(chromedp.CSS(`#grid img:nth-child(1)`)), chromedp.Click(chromedp.CSS(`#grid img:nth-child(2)`)))
	waitFor("interpolation", `document.body.dataset.interpolated === "yes"`)
	if w, h := num("w", `document.getElementById("interp").naturalWidth`), num("h", `document.getElementById("interp").naturalHeight`); w != 28 || h != 28 {
		t.Errorf("interpolation of %d×%d, want 28×28", w, h)
	}

	// Resume the run for 40 more steps: the dashboard follows.
	resumed := make(chan error, 1)
	go func() {
		more := cfg
		more.Steps = 60
		_, err := run.Train(context.Background(), run.Options{Resume: runDir, Config: more,
			ResumeOverrides: map[string]bool{"steps": true}, Log: io.Discard, Progress: io.Discard})
		resumed <- err
	}()
	waitFor("metrics of the resumed run", `document.body.dataset.metrics === "12"`)
	waitFor("checkpoint of the resumed run", `document.getElementById("live").textContent.includes("step 60")`)
	if err := <-resumed; err != nil {
		t.Fatal(err)
	}
	steps("redraw", chromedp.Sleep(300*time.Millisecond))
	if n := ink("chart-d"); n < 200 {
		t.Errorf("the chart of D's outputs has %d dark pixels, want a drawing", n)
	}
	shot("studio-trained.png")
}
