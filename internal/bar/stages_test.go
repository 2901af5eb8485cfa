package bar

import (
	"bytes"
	"strings"
	"testing"
)

// TestStages: each stage's bar is finished, on a line of its own, when its work is done
// or, stopped short, before the next one starts or at Finish; a stage never called
// draws nothing, and Finish ends the last line once.
func TestStages(t *testing.T) {
	var buf bytes.Buffer
	s := NewStages(&buf)
	headers, unused, decoding := s.Stage("reading headers", "file"), s.Stage("never", "x"), s.Stage("decoding", "img")
	_ = unused
	headers(0, 4)
	headers(4, 4)
	if !strings.HasSuffix(buf.String(), "\n") {
		t.Fatalf("a stage's bar at its total is not finished: %q", buf.String())
	}
	decoding(0, 3)
	decoding(2, 3) // stopped short: Finish ends it
	s.Finish()
	s.Finish()
	out := buf.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("%d lines, want 2, each ended: %q", len(lines), out)
	}
	if !strings.Contains(lines[0], "reading headers") || !strings.Contains(lines[0], "(4/4, ") || strings.Contains(lines[0], "decoding") {
		t.Errorf("first line %q, want the finished headers bar alone", lines[0])
	}
	if !strings.Contains(lines[1], "decoding") || !strings.Contains(lines[1], "(3/3, ") {
		t.Errorf("second line %q, want the finished decoding bar (Finish fills a bar stopped short)", lines[1])
	}
	if strings.Contains(out, "never") {
		t.Errorf("a stage never called drew a bar: %q", out)
	}
}

// TestStagesFolder: a folder's stages are drawn as gogan train and gogan eval draw
// them, the listing's count of files found, then the headers' bar in files, then the
// decoding's in images, a line each; a folder listed without a call (quickly) has the
// two bars alone.
func TestStagesFolder(t *testing.T) {
	var buf bytes.Buffer
	s := NewStages(&buf)
	listing, headers, decoding := s.Folder("photos")
	listing(3)
	listing(5)
	headers(5, 5)
	decoding(5, 5)
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "listing photos") || !strings.Contains(lines[0], "(5/-)") ||
		!strings.Contains(lines[1], "reading the headers of photos") || !strings.Contains(lines[1], " file/s)") ||
		!strings.Contains(lines[2], "decoding photos") || !strings.Contains(lines[2], " img/s)") {
		t.Errorf("%q, want the listing's count of files, the headers' bar in files, then the decoding's in images", lines)
	}

	buf.Reset()
	s = NewStages(&buf)
	_, headers, decoding = s.Folder("photos")
	headers(5, 5)
	decoding(5, 5)
	if lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n"); len(lines) != 2 || strings.Contains(buf.String(), "listing") {
		t.Errorf("%q, want the two bars alone", lines)
	}
}

// TestStagesCounter: a stage of unknown total draws the count so far, with no total,
// on a line of its own, ended when the next stage starts, or once by Finish.
func TestStagesCounter(t *testing.T) {
	var buf bytes.Buffer
	s := NewStages(&buf)
	found, headers := s.Counter("listing"), s.Stage("headers", "file")
	found(7)
	found(1200)
	headers(2, 2)
	found2 := s.Counter("listing again")
	found2(4)
	s.Finish()
	s.Finish()
	out := buf.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("%d lines, want 3, each ended: %q", len(lines), out)
	}
	if !strings.Contains(lines[0], "listing") || !strings.Contains(lines[0], "(1200/-)") || strings.Contains(lines[0], "headers") {
		t.Errorf("first line %q, want the count at 1200 alone", lines[0])
	}
	if !strings.Contains(lines[2], "listing again") || !strings.Contains(lines[2], "(4/-)") {
		t.Errorf("last line %q, want the second count, ended by Finish", lines[2])
	}
}

// TestStagesCounterNoRate: a count first called once the work has run a while, as the
// listing of a large folder calls it (after half a second, tens of thousands of files
// in), claims no rate: counted from that call, the first line drawn said 48,000 files
// in no time, hundreds of millions a second.
func TestStagesCounterNoRate(t *testing.T) {
	var buf bytes.Buffer
	s := NewStages(&buf)
	found := s.Counter("listing photos")
	found(48000)
	found(100000)
	s.Finish()
	if out := buf.String(); !strings.Contains(out, "(100000/-)") || strings.Contains(out, "/s") {
		t.Errorf("%q, want the count and no rate", out)
	}
}

// TestShortPath: a path of at most max characters is shown whole; a longer one as "…" and
// the end of it that fits, from a separator where the end holds one, never longer than max.
func TestShortPath(t *testing.T) {
	for _, tc := range []struct {
		path string
		max  int
		want string
	}{
		{"photos", 32, "photos"},
		{"/home/ana/pictures/holidays/2024/best", 32, "…/pictures/holidays/2024/best"},
		{"/data/a-folder-name-longer-than-the-title-allows", 16, "…he-title-allows"},
		{`C:\Users\ana\Pictures\holidays\2024`, 20, `…\holidays\2024`},
		{"/données/été/très/longues/photos", 20, "…/longues/photos"},
	} {
		got := shortPath(tc.path, tc.max)
		if got != tc.want || len([]rune(got)) > tc.max {
			t.Errorf("shortPath(%q, %d) = %q, want %q", tc.path, tc.max, got, tc.want)
		}
	}
}

// TestStagesFolderLongPath: a long folder's titles leave room for the bar: each line of
// "decoding …" is shorter than one of the whole path, and names the folder's end.
func TestStagesFolderLongPath(t *testing.T) {
	var buf bytes.Buffer
	s := NewStages(&buf)
	dir := "/srv/datasets/very/deeply/nested/collections/of/user/images/cats"
	_, _, decoding := s.Folder(dir)
	decoding(3, 3)
	out := buf.String()
	if strings.Contains(out, dir) || !strings.Contains(out, "decoding …") || !strings.Contains(out, "/user/images/cats") {
		t.Errorf("%q: want the path's end after \"decoding …\"", out)
	}
}
