package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gogan/gogan/gan"
	"github.com/gogan/gogan/generator"
)

// modelInfo is one entry of GET /api/models.
type modelInfo struct {
	Name      string   `json:"name"`
	Model     string   `json:"model,omitempty"`
	Step      int      `json:"step"`
	Dataset   string   `json:"dataset,omitempty"`
	Shape     []int    `json:"shape,omitempty"` // (height, width, channels) of an image
	Classes   int      `json:"classes"`
	LatentDim int      `json:"latent_dim,omitempty"`
	FID       *float64 `json:"fid,omitempty"`      // the last FID of the metrics
	FIDStep   *int     `json:"fid_step,omitempty"` // its step
	Images    bool     `json:"images"`             // generate and interpolate work
	Error     string   `json:"error,omitempty"`    // why not, if not
}

// models answers GET /api/models.
func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	out := []modelInfo{}
	for _, name := range s.runs.names() {
		info := modelInfo{Name: name}
		if l, err := s.runs.generator(name); err != nil {
			info.Error = err.Error()
		} else {
			g := l.gen
			info.Model, info.Step, info.Dataset = g.Model(), g.Step(), l.dataset
			info.Shape, info.Classes, info.LatentDim = g.SampleShape(), g.Classes(), g.LatentDim()
			info.Images = len(info.Shape) == 3
			if !info.Images {
				info.Error = fmt.Sprintf("model %s makes samples of shape %v, not images", g.Model(), info.Shape)
			}
		}
		if dir, err := s.runs.dir(name); err == nil {
			info.FID, info.FIDStep = lastFID(filepath.Join(dir, gan.MetricsFile))
		}
		out = append(out, info)
	}
	writeJSON(w, http.StatusOK, map[string]any{"models": out})
}

// generateRequest is the body of POST /api/models/{name}/generate.
type generateRequest struct {
	N          *int        `json:"n"`          // samples from seed, seed+1, ...; default 16
	Seed       *uint64     `json:"seed"`       // default 1
	Latents    [][]float32 `json:"latents"`    // instead of a seed: the latent vectors
	Class      *int        `json:"class"`      // conditional runs: every sample's class; absent or -1 cycles
	Truncation float64     `json:"truncation"` // 0 (off) or at least generator.MinTruncation
	Cols       int         `json:"cols"`       // the PNG grid's columns; default ⌈√n⌉
}

// generated is the JSON answer of generate.
type generated struct {
	Model   string   `json:"model"`
	Step    int      `json:"step"`
	Shape   []int    `json:"shape"`
	Seeds   []uint64 `json:"seeds,omitempty"`
	Classes []int    `json:"classes,omitempty"`
	Images  []string `json:"images"` // base64 PNGs
}

// generate answers POST /api/models/{name}/generate.
func (s *Server) generate(w http.ResponseWriter, r *http.Request) {
	var req generateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		fail(w, err)
		return
	}
	l, err := s.imageGenerator(r.PathValue("name"))
	if err != nil {
		fail(w, err)
		return
	}
	greq, err := req.toRequest(l.gen)
	if err != nil {
		fail(w, err)
		return
	}
	batch, imgs, err := s.generateImages(r.Context(), l.gen, greq)
	if err != nil {
		fail(w, err)
		return
	}
	setModelHeaders(w, l.gen)
	if wantsJSON(r) {
		ans := generated{Model: l.gen.Model(), Step: l.gen.Step(), Shape: batch.Shape, Seeds: greq.Seeds, Classes: batch.Labels}
		for _, img := range imgs {
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				fail(w, err)
				return
			}
			ans.Images = append(ans.Images, base64.StdEncoding.EncodeToString(buf.Bytes()))
		}
		writeJSON(w, http.StatusOK, ans)
		return
	}
	cols := req.Cols
	if cols <= 0 {
		cols = int(math.Ceil(math.Sqrt(float64(batch.N))))
	}
	g, err := grid(batch, min(cols, batch.N))
	if err != nil {
		fail(w, err)
		return
	}
	writePNG(w, g)
}

// generateImages runs req on g in one of the server's generation slots
// (compute) and converts the batch to images.
func (s *Server) generateImages(ctx context.Context, g *generator.Generator, req generator.Request) (*generator.Batch, []image.Image, error) {
	var batch *generator.Batch
	err := s.compute(ctx, func() (err error) {
		batch, err = g.Generate(req)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	imgs, err := batch.Images()
	return batch, imgs, err
}

// toRequest checks the request's values against the limits and g.
func (req generateRequest) toRequest(g *generator.Generator) (generator.Request, error) {
	var out generator.Request
	switch {
	case req.Seed != nil && req.Latents != nil:
		return out, errorf(http.StatusBadRequest, "give seed or latents, not both")
	case req.N != nil && (*req.N < 1 || *req.N > MaxN):
		return out, errorf(http.StatusBadRequest, "n must be in [1, %d], got %d", MaxN, *req.N)
	case len(req.Latents) > MaxN:
		return out, errorf(http.StatusBadRequest, "%d latent vectors: at most %d", len(req.Latents), MaxN)
	case req.Latents != nil && req.N != nil && *req.N != len(req.Latents):
		return out, errorf(http.StatusBadRequest, "n is %d but %d latent vectors are given", *req.N, len(req.Latents))
	case req.Cols < 0 || req.Cols > MaxN:
		return out, errorf(http.StatusBadRequest, "cols must be in [1, %d] (or 0: the default), got %d", MaxN, req.Cols)
	}
	out.Truncation = req.Truncation
	if req.Latents != nil {
		if len(req.Latents) == 0 {
			return out, errorf(http.StatusBadRequest, "latents is empty")
		}
		for i, v := range req.Latents {
			if len(v) != g.LatentDim() {
				return out, errorf(http.StatusBadRequest, "latents[%d] has %d values, the latent size is %d", i, len(v), g.LatentDim())
			}
			out.Latents = append(out.Latents, v...)
		}
	} else {
		seed, n := uint64(1), 16
		if req.Seed != nil {
			seed = *req.Seed
		}
		if req.N != nil {
			n = *req.N
		}
		out.Seeds = generator.Seeds(seed, n)
	}
	classes, err := classOf(req.Class, g)
	out.Classes = classes
	return out, err
}

// classOf turns the request's class into generator.Request.Classes.
func classOf(class *int, g *generator.Generator) ([]int, error) {
	if class == nil || *class == -1 {
		return nil, nil
	}
	if g.Classes() == 0 {
		return nil, errorf(http.StatusBadRequest, "class %d given, but model %s is not conditional", *class, g.Model())
	}
	if *class < 0 || *class >= g.Classes() {
		return nil, errorf(http.StatusBadRequest, "class must be in [0, %d), or -1 for every class in turn, got %d", g.Classes(), *class)
	}
	return []int{*class}, nil
}

// frameClass is an interpolation's class, the same in every frame: 0 when absent on a
// conditional run; -1 (the classes in turn, for generate) is refused there.
func frameClass(class *int, g *generator.Generator) ([]int, error) {
	if g.Classes() == 0 {
		return classOf(class, g) // none, or "not conditional"
	}
	switch {
	case class == nil:
		return []int{0}, nil
	case *class == -1:
		return nil, errorf(http.StatusBadRequest, "class -1 (the classes in turn) does not apply to an interpolation: give one class in [0, %d)", g.Classes())
	case *class < 0 || *class >= g.Classes(): // classOf's answer would offer -1
		return nil, errorf(http.StatusBadRequest, "class must be in [0, %d), got %d", g.Classes(), *class)
	}
	return []int{*class}, nil
}

// interpolateRequest is the body of POST /api/models/{name}/interpolate.
type interpolateRequest struct {
	FromSeed   *uint64 `json:"from_seed"`
	ToSeed     *uint64 `json:"to_seed"`
	Frames     *int    `json:"frames"`     // default 16
	Method     string  `json:"method"`     // slerp (default) or lerp
	Class      *int    `json:"class"`      // conditional runs: the class of every frame (default 0)
	Truncation float64 `json:"truncation"` // of both end points
	Delay      *int    `json:"delay"`      // the GIF's delay between frames, in 100ths of a second; default 8

	frames, delay int // Frames and Delay, or their defaults (check)
}

// interpolate answers POST /api/models/{name}/interpolate.
func (s *Server) interpolate(w http.ResponseWriter, r *http.Request) {
	var req interpolateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		fail(w, err)
		return
	}
	if err := req.check(); err != nil {
		fail(w, err)
		return
	}
	l, err := s.imageGenerator(r.PathValue("name"))
	if err != nil {
		fail(w, err)
		return
	}
	g := l.gen
	ends, err := g.Latents([]uint64{*req.FromSeed, *req.ToSeed}, req.Truncation)
	if err != nil {
		fail(w, errorf(http.StatusBadRequest, "%v", err))
		return
	}
	classes, err := frameClass(req.Class, g)
	if err != nil {
		fail(w, err)
		return
	}
	z := blend(ends[:g.LatentDim()], ends[g.LatentDim():], req.frames, req.Method == "lerp")
	batch, imgs, err := s.generateImages(r.Context(), g, generator.Request{Latents: z, Classes: classes})
	if err != nil {
		fail(w, err)
		return
	}
	setModelHeaders(w, g)
	if accepts(r, "image/png") && !accepts(r, "image/gif") {
		strip, err := grid(batch, batch.N)
		if err != nil {
			fail(w, err)
			return
		}
		writePNG(w, strip)
		return
	}
	w.Header().Set("Content-Type", "image/gif")
	if err := encodeGIF(w, imgs, req.delay); err != nil {
		s.cfg.Log.Printf("serve: write GIF: %v", err)
	}
}

// check fills the defaults and checks the limits.
func (req *interpolateRequest) check() error {
	req.frames, req.delay = 16, 8
	if req.Frames != nil {
		req.frames = *req.Frames
	}
	if req.Delay != nil {
		req.delay = *req.Delay
	}
	if req.Method == "" {
		req.Method = "slerp"
	}
	switch {
	case req.FromSeed == nil || req.ToSeed == nil:
		return errorf(http.StatusBadRequest, "from_seed and to_seed are required")
	case req.frames < 2 || req.frames > MaxFrames:
		return errorf(http.StatusBadRequest, "frames must be in [2, %d], got %d", MaxFrames, req.frames)
	case req.Method != "slerp" && req.Method != "lerp":
		return errorf(http.StatusBadRequest, "method must be slerp or lerp, got %q", req.Method)
	case req.delay < 1 || req.delay > 1000:
		return errorf(http.StatusBadRequest, "delay must be in [1, 1000] hundredths of a second, got %d", req.delay)
	}
	return nil
}

// imageGenerator returns the generator of run name, which must make images.
func (s *Server) imageGenerator(name string) (*loaded, error) {
	l, err := s.runs.generator(name)
	if err != nil {
		return nil, err
	}
	if shape := l.gen.SampleShape(); len(shape) != 3 {
		return nil, errorf(http.StatusBadRequest, "run %s (model %s) makes samples of shape %s, not images", name, l.gen.Model(), shape)
	}
	return l, nil
}

// compute runs f in a generation slot. With no free slot within QueueWait,
// or past ctx's deadline, it returns a 503 error; f then finishes in the
// background and keeps its slot until it does, so the bound holds.
// An error from f is the request's fault (400); a panic in f is a 500.
func (s *Server) compute(ctx context.Context, f func() error) error {
	if !s.acquire(ctx) {
		return errorf(http.StatusServiceUnavailable, "busy: %d generations are running; try again shortly", cap(s.slots))
	}
	done := make(chan error, 1)
	go func() {
		defer func() { <-s.slots }()
		defer func() {
			if v := recover(); v != nil {
				s.cfg.Log.Printf("serve: panic in a generation: %v", v)
				done <- errorf(http.StatusInternalServerError, "internal error (a panic in the generator; see the server's log)")
			}
		}()
		if err := f(); err != nil {
			done <- errorf(http.StatusBadRequest, "%v", err)
			return
		}
		done <- nil
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return errorf(http.StatusServiceUnavailable, "the generation took longer than the request's deadline")
	}
}

// acquire takes a generation slot, waiting up to QueueWait.
func (s *Server) acquire(ctx context.Context) bool {
	select {
	case s.slots <- struct{}{}:
		return true
	default:
	}
	if s.cfg.QueueWait <= 0 {
		return false
	}
	t := time.NewTimer(s.cfg.QueueWait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// setModelHeaders says which checkpoint made an image answer.
func setModelHeaders(w http.ResponseWriter, g *generator.Generator) {
	w.Header().Set("X-Gogan-Model", g.Model())
	w.Header().Set("X-Gogan-Step", strconv.Itoa(g.Step()))
}

// wantsJSON reports whether the request's Accept header asks for JSON.
func wantsJSON(r *http.Request) bool { return accepts(r, "application/json") }

// accepts reports whether the Accept header names the media type.
func accepts(r *http.Request, mediaType string) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		t, _, _ := strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(t), mediaType) {
			return true
		}
	}
	return false
}

// writePNG answers img as a PNG.
func writePNG(w http.ResponseWriter, img image.Image) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(buf.Bytes())
}
