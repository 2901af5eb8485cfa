package report

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fill returns n images of (h, w, c) where image k has every value vals[k].
func fill(vals []float32, h, w, c int) []float32 {
	out := make([]float32, 0, len(vals)*h*w*c)
	for _, v := range vals {
		for range h * w * c {
			out = append(out, v)
		}
	}
	return out
}

func decodeFile(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return img
}

func TestGrid(t *testing.T) {
	const h, w = 5, 7
	// Three images of -1, 1 and 0, and one with values outside [-1, 1] and NaN.
	vals := []float32{-1, 1, 0, 3}
	tests := []struct {
		name     string
		channels int
		n, cols  int
		wantW    int
		wantH    int
	}{
		{"gray 2 cols", 1, 3, 2, 2*w + Padding, 2*h + Padding},
		{"rgb 2 cols", 3, 3, 2, 2*w + Padding, 2*h + Padding},
		{"gray 1 row", 1, 3, 3, 3*w + 2*Padding, h},
		{"rgb 1 col", 3, 3, 1, w, 3*h + 2*Padding},
		{"gray 4 cols, one empty", 1, 3, 4, 4*w + 3*Padding, h},
		{"gray clipped", 1, 4, 2, 2*w + Padding, 2*h + Padding},
	}
	want := []uint8{0, 255, 128, 255}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "grid.png")
			images := fill(vals[:tt.n], h, w, tt.channels)
			if err := Grid(path, images, tt.n, h, w, tt.channels, tt.cols); err != nil {
				t.Fatal(err)
			}
			img := decodeFile(t, path)
			if b := img.Bounds(); b.Dx() != tt.wantW || b.Dy() != tt.wantH {
				t.Fatalf("size = %dx%d, want %dx%d", b.Dx(), b.Dy(), tt.wantW, tt.wantH)
			}
			for k := range tt.n {
				x0, y0 := (k%tt.cols)*(w+Padding), (k/tt.cols)*(h+Padding)
				r, g, b, _ := img.At(x0+w/2, y0+h/2).RGBA()
				if r>>8 != uint32(want[k]) || g != r || b != r {
					t.Errorf("image %d center = (%d,%d,%d), want gray %d", k, r>>8, g>>8, b>>8, want[k])
				}
			}
			// The padding between the first two cells, and the unused cells, are dark gray.
			pads := []image.Point{{w, 0}}
			if tt.cols == 1 {
				pads = []image.Point{{0, h}}
			}
			if tt.cols > tt.n {
				pads = append(pads, image.Point{tt.n*(w+Padding) + w/2, h / 2})
			}
			for _, p := range pads {
				if got := color.GrayModel.Convert(img.At(p.X, p.Y)).(color.Gray).Y; got != PaddingGray {
					t.Errorf("padding at %v = %d, want %d", p, got, PaddingGray)
				}
			}
		})
	}
}

func TestGridColors(t *testing.T) {
	// One 1x2 RGB image: a red pixel and a blue one.
	images := []float32{1, -1, -1, -1, -1, 1}
	path := filepath.Join(t.TempDir(), "rgb.png")
	if err := Grid(path, images, 1, 1, 2, 3, 1); err != nil {
		t.Fatal(err)
	}
	img := decodeFile(t, path)
	for x, want := range []color.RGBA{{255, 0, 0, 255}, {0, 0, 255, 255}} {
		if got := color.RGBAModel.Convert(img.At(x, 0)); got != want {
			t.Errorf("pixel %d = %v, want %v", x, got, want)
		}
	}
}

func TestGridErrors(t *testing.T) {
	ok := make([]float32, 3*4*4)
	nan := float32(math.NaN())
	tests := []struct {
		name             string
		images           []float32
		n, h, w, c, cols int
		want             string
	}{
		{"n too large", ok, 4, 4, 4, 1, 2, "need 64 values, got 48"},
		{"n too small", ok, 2, 4, 4, 1, 2, "need 32 values, got 48"},
		{"channels 2", ok, 3, 4, 2, 2, 2, "channels must be 1 or 3, got 2"},
		{"channels 4", ok, 3, 2, 2, 4, 2, "channels must be 1 or 3, got 4"},
		{"cols 0", ok, 3, 4, 4, 1, 0, "cols must be positive, got 0"},
		{"n 0", nil, 0, 4, 4, 1, 2, "n must be positive, got 0"},
		{"negative width", []float32{nan}, 1, 1, -1, 1, 1, "height and width must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "grid.png")
			err := Grid(path, tt.images, tt.n, tt.h, tt.w, tt.c, tt.cols)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want one naming %s and saying %q", err, path, tt.want)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("%s was written", path)
			}
		})
	}
}

func TestWriteReadPNGs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name        string
		wrote, read int // channels written and read
		n, h, w     int
	}{
		{"gray", 1, 1, 3, 5, 4},
		{"rgb", 3, 3, 2, 3, 6},
		{"gray read as rgb", 1, 3, 2, 4, 4},
		{"rgb read as gray", 3, 1, 2, 4, 4},
		{"many", 1, 1, 12, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "samples", "step100")
			images := make([]float32, tt.n*tt.h*tt.w*tt.wrote)
			for i := range images {
				images[i] = rng.Float32()*2 - 1
			}
			if err := WritePNGs(dir, "s", images, tt.n, tt.h, tt.w, tt.wrote); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, "s00000.png")); err != nil {
				t.Fatalf("first file not named s00000.png: %v", err)
			}
			got, n, h, w, err := ReadPNGs(dir, tt.read)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.n || h != tt.h || w != tt.w || len(got) != n*h*w*tt.read {
				t.Fatalf("got n=%d %dx%d len %d, want n=%d %dx%d", n, h, w, len(got), tt.n, tt.h, tt.w)
			}
			for i, v := range got {
				px := i / tt.read
				var want float64
				switch {
				case tt.wrote == tt.read:
					want = float64(images[i])
				case tt.wrote == 1: // gray replicated
					want = float64(images[px])
				default: // luminance, ITU-R 601 as in color.GrayModel
					r, g, b := images[3*px], images[3*px+1], images[3*px+2]
					want = 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)
				}
				tol := 1.0/255 + 1e-6
				if tt.wrote != tt.read && tt.read == 1 {
					tol = 3.0 / 255
				}
				if math.Abs(float64(v)-want) > tol {
					t.Fatalf("value %d = %v, want %v ± %v", i, v, want, tol)
				}
			}
		})
	}
}

func TestReadPNGsOrderAndExtras(t *testing.T) {
	dir := t.TempDir()
	// Written out of order, with other files beside them that must be skipped.
	for i, v := range []float32{1, -1, 0} {
		name := []string{"b.png", "a.PNG", "c.png"}[i]
		if err := writePNG(filepath.Join(dir, name), toImage([]float32{v}, 1, 1, 1)); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, ".hidden.png"), []byte("x"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub.png"), 0o755)
	got, n, _, _, err := ReadPNGs(dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{-1, 1, fromByte(128)} // a.PNG, b.png, c.png
	if n != 3 {
		t.Fatalf("n = %d, want 3", n)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("image %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestReadPNGsErrors(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(t *testing.T, dir string)
		channels int
		want     []string // substrings of the error; "DIR" is replaced by the folder
	}{
		{"empty folder", func(*testing.T, string) {}, 1, []string{"no .png files in DIR"}},
		{"only other files", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "a.jpg"), []byte("x"), 0o644)
		}, 1, []string{"no .png files in DIR"}},
		{"mixed sizes", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "a.png"), 2, 3)
			mustWrite(t, filepath.Join(dir, "b.png"), 2, 3)
			mustWrite(t, filepath.Join(dir, "c.png"), 4, 5)
			mustWrite(t, filepath.Join(dir, "d.png"), 6, 6)
		}, 1, []string{"DIR/c.png is 5x4 pixels", "DIR/a.png is 3x2"}},
		{"not a png", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "a.png"), 2, 2)
			os.WriteFile(filepath.Join(dir, "b.png"), []byte("GIF89a not a png"), 0o644)
		}, 3, []string{"DIR/b.png", "png: invalid format"}},
		{"truncated png", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "a.png"), 8, 8)
			b, _ := os.ReadFile(filepath.Join(dir, "a.png"))
			os.WriteFile(filepath.Join(dir, "a.png"), b[:len(b)/2], 0o644)
		}, 1, []string{"DIR/a.png"}},
		{"channels 2", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "a.png"), 2, 2)
		}, 2, []string{"DIR", "channels must be 1 or 3, got 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			_, _, _, _, err := ReadPNGs(dir, tt.channels)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if w = strings.ReplaceAll(w, "DIR", dir); !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	missing := filepath.Join(t.TempDir(), "missing")
	if _, _, _, _, err := ReadPNGs(missing, 1); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing folder: err = %v", err)
	}
}

// mustWrite writes a gray (h, w) PNG at path.
func mustWrite(t *testing.T, path string, h, w int) {
	t.Helper()
	if err := writePNG(path, toImage(make([]float32, h*w), h, w, 1)); err != nil {
		t.Fatal(err)
	}
}

func TestToByte(t *testing.T) {
	tests := []struct {
		v    float32
		want uint8
	}{
		{-1, 0}, {1, 255}, {0, 128}, {-2, 0}, {2, 255}, {float32(math.NaN()), 0},
		{float32(math.Inf(1)), 255}, {float32(math.Inf(-1)), 0}, {-1 + 1/127.5, 1}, {1 - 1/127.5, 254},
	}
	for _, tt := range tests {
		if got := toByte(tt.v); got != tt.want {
			t.Errorf("toByte(%v) = %d, want %d", tt.v, got, tt.want)
		}
	}
	for p := range 256 {
		if got := toByte(fromByte(uint8(p))); got != uint8(p) {
			t.Errorf("toByte(fromByte(%d)) = %d", p, got)
		}
	}
}

// TestWriteErrors checks the errors of the atomic PNG writes: one line, prefixed "report: ",
// naming the file once, and nothing left behind.
func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "a-folder")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	img := fill([]float32{0}, 2, 2, 1)
	for _, tc := range []struct {
		name, path, want string
	}{
		{"folder does not exist", filepath.Join(dir, "missing", "out.png"), "create temp file: no such file or directory"},
		{"path is a folder", folder, "is a folder, not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for what, err := range map[string]error{
				"Grid":     Grid(tc.path, img, 1, 2, 2, 1, 1),
				"LossPlot": LossPlot(tc.path, "losses", "loss", lossSeries()),
			} {
				want := "report: write " + tc.path + ": " + tc.want
				if err == nil || err.Error() != want {
					t.Errorf("%s: err = %v, want %q", what, err, want)
				}
			}
		})
	}
	if ents, _ := os.ReadDir(folder); len(ents) != 0 {
		t.Errorf("%s holds %d entries, want none", folder, len(ents))
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%s holds %d entries, want only a-folder", dir, len(ents))
	}
}

// names returns the names in dir, sorted.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestWritePNGsReplacesFolder: writing 2 images where 5 were leaves the 2, no image of
// the earlier call (which would be scored with them); and nothing beside the folder.
func TestWritePNGsReplacesFolder(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "pngs")
	images := make([]float32, 5*4*4)
	if err := WritePNGs(dir, "sample-", images, 5, 4, 4, 1); err != nil {
		t.Fatal(err)
	}
	// What an interrupted atomic write of one image by an older gogan left is earlier output too.
	if err := os.WriteFile(filepath.Join(dir, ".sample-00003.png.tmp-123"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WritePNGs(dir, "sample-", images[:2*4*4], 2, 4, 4, 1); err != nil {
		t.Fatal(err)
	}
	if got, want := names(t, dir), []string{"sample-00000.png", "sample-00001.png"}; !slices.Equal(got, want) {
		t.Errorf("folder holds %v, want %v", got, want)
	}
	if got := names(t, parent); !slices.Equal(got, []string{"pngs"}) {
		t.Errorf("%s holds %v, want only pngs", parent, got)
	}
}

// TestWritePNGsKeepsOtherFiles: a folder that holds anything but this prefix's images
// is refused, naming what it holds, and left as it was: replacing it would delete them.
func TestWritePNGsKeepsOtherFiles(t *testing.T) {
	images := make([]float32, 3*4*4)
	for _, other := range []string{"notes.txt", "sample-7.png", "other-00009.png", "sample--0001.png", ".DS_Store"} {
		t.Run(other, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "pngs")
			if err := WritePNGs(dir, "sample-", images, 3, 4, 4, 1); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, other), []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
			before := names(t, dir)
			err := WritePNGs(dir, "sample-", images[:16], 1, 4, 4, 1)
			if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "holds "+other+", which replacing the folder would delete") {
				t.Fatalf("err = %v, want one naming %s and %s", err, dir, other)
			}
			if got := names(t, dir); !slices.Equal(got, before) {
				t.Errorf("folder holds %v, want %v as before", got, before)
			}
		})
	}
}

// TestWritePNGsProgress: Progress is called after each image, ending at n.
func TestWritePNGsProgress(t *testing.T) {
	var got []int
	progress := func(done, total int) {
		if total != 3 {
			t.Errorf("Progress(%d, %d): total is not 3", done, total)
		}
		got = append(got, done)
	}
	dir := filepath.Join(t.TempDir(), "pngs")
	if err := WritePNGsContext(context.Background(), dir, "s", make([]float32, 3*4), 3, 2, 2, 1, PNGOptions{Progress: progress}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("Progress called with %v, want [1 2 3]", got)
	}
}

// TestWritePNGsInterrupted: a cancelled context stops the writing; the folder holds
// the earlier images, and no new folder is left beside it.
func TestWritePNGsInterrupted(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "pngs")
	images := fill([]float32{-1, 0, 1}, 4, 4, 1)
	if err := WritePNGs(dir, "s", images, 3, 4, 4, 1); err != nil {
		t.Fatal(err)
	}
	before := readAll(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := WritePNGsContext(ctx, dir, "s", images[:32], 2, 4, 4, 1, PNGOptions{})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("err = %v, want context.Canceled naming %s", err, dir)
	}
	if got := readAll(t, dir); !maps.Equal(got, before) {
		t.Errorf("the interrupted write changed %s", dir)
	}
	if got := names(t, parent); !slices.Equal(got, []string{"pngs"}) {
		t.Errorf("%s holds %v, want only pngs", parent, got)
	}
}

// readAll returns the files of dir by name.
func readAll(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, name := range names(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	return files
}

// TestGridTooLarge: a grid larger than ReadPNGs takes (a column of 400 digits) is
// refused, naming its size, and nothing is written.
func TestGridTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tall.png")
	err := Grid(path, make([]float32, 400*28*28), 400, 28, 28, 1, 1)
	if err == nil || !strings.Contains(err.Error(), "400×1 images (rows × columns) make 28×11998 pixels") {
		t.Fatalf("error %v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("the grid was written")
	}
	if err := Grid(path, make([]float32, 400*28*28), 400, 28, 28, 1, 20); err != nil {
		t.Errorf("a 20×20 grid of digits: %v", err)
	}
}
