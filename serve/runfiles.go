package serve

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/gogan/gogan/gan"
)

// metrics answers GET /api/runs/{name}/metrics: the run's metrics.jsonl as a
// JSON array of its lines, as written (a line cut short at the end is left
// out; an empty array before the first line). The array is written line by
// line as the file is read, so a long run's log (hundreds of MB) costs a
// buffer, not its size, whoever asks for it at once.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	dir, err := s.runs.dir(r.PathValue("name"))
	if err != nil {
		fail(w, err)
		return
	}
	f, err := openMetrics(filepath.Join(dir, gan.MetricsFile))
	if err != nil {
		// The error names the server's folders: it goes to the log, not the client.
		s.cfg.Log.Printf("serve: metrics of run %s: %v", r.PathValue("name"), err)
		fail(w, errorf(http.StatusInternalServerError, "run %s: %s cannot be read (see the server's log)", r.PathValue("name"), gan.MetricsFile))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	out := bufio.NewWriter(w)
	out.WriteByte('[')
	if f != nil {
		defer f.Close()
		first := true
		eachMetricsLine(bufio.NewReader(f), math.MaxInt64, func(line []byte) {
			if !first {
				out.WriteByte(',')
			}
			first = false
			out.Write(line)
		})
	}
	out.WriteString("]\n")
	out.Flush()
}

// openMetrics opens a run's metrics log: nil and no error when there is none yet, an
// error when it is there but is not a file that can be read.
func openMetrics(path string) (*os.File, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("%s is not a regular file", path)
		}
		return nil, err
	}
	return f, nil
}

// readLines reads the complete lines of a JSON-lines file from byte offset
// on, and returns the JSON objects among them and the offset after the last
// complete line. A missing file has no lines.
func readLines(path string, offset int64) ([]json.RawMessage, int64, error) {
	lines, next, _, err := readSomeLines(path, offset, math.MaxInt64)
	return lines, next, err
}

// readSomeLines is readLines that stops after the line that passes limit bytes
// read, and reports whether it stopped there (more: complete lines may follow).
func readSomeLines(path string, offset, limit int64) (lines []json.RawMessage, next int64, more bool, err error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, offset, false, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, offset, false, err
	}
	read, more := eachMetricsLine(bufio.NewReader(f), limit, func(line []byte) {
		lines = append(lines, json.RawMessage(line))
	})
	return lines, offset + read, more, nil
}

// eachMetricsLine calls visit on the metrics lines (metricsLine) among the complete
// lines of rd, stopping after the line that passes limit bytes. It returns the bytes of
// the complete lines read (a last line not yet complete is left for a later read) and
// whether it stopped at the limit.
func eachMetricsLine(rd *bufio.Reader, limit int64, visit func(line []byte)) (read int64, more bool) {
	for read <= limit {
		line, err := rd.ReadBytes('\n')
		if err != nil {
			return read, false
		}
		read += int64(len(line))
		if line, ok := metricsLine(line); ok {
			visit(line)
		}
	}
	return read, true
}

// metricsLine is a line of a JSON-lines file without its surrounding white
// space, and whether it is a JSON object (metrics.jsonl's lines; anything else
// in the file is left out).
func metricsLine(line []byte) ([]byte, bool) {
	line = bytes.TrimSpace(line)
	return line, len(line) > 0 && line[0] == '{' && json.Valid(line)
}

// lastFID returns the FID of the last complete metrics line that has one,
// and its step. It reads the file from its end, and remembers its answer for
// the file's size and time, so that GET /api/models costs a stat per run, not
// a read of the whole log.
func lastFID(path string) (*float64, *int) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return nil, nil
	}
	stamp := fileStamp{info.ModTime(), info.Size()}
	fidCache.Lock()
	e, ok := fidCache.m[path]
	fidCache.Unlock()
	if ok && e.stamp == stamp {
		return e.fid, e.step
	}
	fid, step := lastFIDAt(f, info.Size())
	fidCache.Lock()
	if len(fidCache.m) >= maxFIDCache {
		clear(fidCache.m)
	}
	fidCache.m[path] = fidEntry{stamp, fid, step}
	fidCache.Unlock()
	return fid, step
}

// maxFIDCache bounds fidCache's entries (one per run).
const maxFIDCache = 4096

// fidCache holds lastFID's answers by file.
var fidCache = struct {
	sync.Mutex
	m map[string]fidEntry
}{m: map[string]fidEntry{}}

// fidEntry is lastFID's answer for a file as it was.
type fidEntry struct {
	stamp fileStamp
	fid   *float64
	step  *int
}

// lastFIDAt is lastFID on the first size bytes of r.
func lastFIDAt(r io.ReaderAt, size int64) (*float64, *int) {
	var fid *float64
	var step *int
	scanLinesBack(r, size, func(line []byte) bool {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] != '{' {
			return false
		}
		var rec struct {
			FID  *float64 `json:"fid"`
			Step int      `json:"step"`
		}
		if json.Unmarshal(line, &rec) != nil || rec.FID == nil {
			return false
		}
		fid, step = rec.FID, &rec.Step
		return true
	})
	return fid, step
}

// Reading a file backwards: the block size, and the longest line kept (a
// longer one is no metrics line, and is skipped).
const (
	backBlock   = 64 << 10
	backMaxLine = 1 << 20
)

// scanLinesBack calls visit on the complete lines of the first size bytes of
// r (each with its '\n'; a last line without one is not complete yet), from
// the last to the first, until visit returns true. It reads backBlock bytes
// at a time and holds at most one line, up to backMaxLine bytes, besides.
func scanLinesBack(r io.ReaderAt, size int64, visit func(line []byte) bool) {
	buf := make([]byte, backBlock)
	var tail []byte // [p, the end of the current line): its start is further back
	found := false  // whether the end of the last complete line was found
	skipping := false
	for pos := size; pos > 0; {
		n := min(int64(backBlock), pos)
		pos -= n
		if _, err := r.ReadAt(buf[:n], pos); err != nil && err != io.EOF {
			return
		}
		data := buf[:n]
		if !found {
			i := bytes.LastIndexByte(data, '\n')
			if i < 0 {
				continue // still in the incomplete last line
			}
			found, data = true, data[:i+1]
		}
		c := append(append(make([]byte, 0, len(data)+len(tail)), data...), tail...) // ends with '\n'
		e := len(c)
		for {
			i := bytes.LastIndexByte(c[:e-1], '\n')
			if i < 0 {
				break
			}
			if !skipping && visit(c[i+1:e]) {
				return
			}
			skipping, e = false, i+1
		}
		tail = c[:e]
		if len(tail) > backMaxLine {
			skipping, tail = true, []byte{'\n'}
		}
	}
	if found && !skipping {
		visit(tail)
	}
}

// sampleName is the form of a sample grid's file name.
var sampleName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*\.png$`)

// sample answers GET /api/runs/{name}/samples/{file}: a PNG of the run's
// samples folder.
func (s *Server) sample(w http.ResponseWriter, r *http.Request) {
	dir, err := s.runs.dir(r.PathValue("name"))
	if err != nil {
		fail(w, err)
		return
	}
	file := r.PathValue("file")
	if !sampleName.MatchString(file) {
		fail(w, errorf(http.StatusBadRequest, "sample file %q is not a plain .png name", file))
		return
	}
	samples := filepath.Join(dir, gan.SamplesDir)
	path, err := filepath.EvalSymlinks(filepath.Join(samples, file))
	if err != nil {
		fail(w, errorf(http.StatusNotFound, "run %s has no sample %s", r.PathValue("name"), file))
		return
	}
	if rel, err := filepath.Rel(dir, path); err != nil || !filepath.IsLocal(rel) {
		fail(w, errorf(http.StatusForbidden, "sample %s leads outside the run", file))
		return
	}
	body, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the answer names the sample, not where the server keeps it
		}
		fail(w, errorf(http.StatusNotFound, "run %s: sample %s cannot be read: %v", r.PathValue("name"), file, err))
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(body)
}

// events answers GET /api/runs/{name}/events with Server-Sent Events, polling
// the run's files: a "metrics" event per metrics line (those already written
// first), a "sample" event when a sample grid appears or changes (the newest
// first), and a "checkpoint" event when the checkpoint changes. The stream
// ends after StreamTimeout or when the server stops; the browser reconnects.
// HEAD gets the stream's headers and no stream.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	dir, err := s.runs.dir(name)
	if err != nil {
		fail(w, err)
		return
	}
	select {
	case s.streams <- struct{}{}:
		defer func() { <-s.streams }()
	default:
		fail(w, errorf(http.StatusServiceUnavailable, "busy: %d event streams are open; try again shortly", cap(s.streams)))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return // GET's headers; a stream, whose body HEAD drops, would hold the connection
	}
	rc := http.NewResponseController(w)
	// The stream outlives the server's read and write deadlines: lift the
	// first (a GET has no body left to read), push the second at each write.
	rc.SetReadDeadline(time.Time{})
	rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
	if rc.Flush() != nil { // the headers, so that the client sees the stream open
		return
	}
	ctx := r.Context()
	end := time.NewTimer(s.cfg.StreamTimeout)
	defer end.Stop()
	tick := time.NewTicker(s.cfg.Poll)
	defer tick.Stop()
	wt := &watcher{dir: dir, name: name}
	lastWrite := time.Now()
	var buf bytes.Buffer
	for {
		buf.Reset()
		more := wt.poll(&buf)
		if buf.Len() == 0 && time.Since(lastWrite) > 15*time.Second {
			buf.WriteString(": keep-alive\n\n")
		}
		if buf.Len() > 0 {
			rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
			if _, err := w.Write(buf.Bytes()); err != nil {
				return
			}
			if rc.Flush() != nil {
				return
			}
			lastWrite = time.Now()
		}
		next := tick.C
		if more {
			next = now // the rest of the backlog, unless the stream ends
		}
		select {
		case <-ctx.Done():
			return
		case <-s.stop:
			return
		case <-end.C:
			return
		case <-next:
		}
	}
}

// watcher remembers what an event stream has sent of a run's files.
type watcher struct {
	dir, name  string
	offset     int64     // of metrics.jsonl
	sample     string    // the newest sample grid sent
	sampleTime time.Time // and its time
	checkpoint time.Time // latest.json's time when last sent
	samplesDir time.Time // the samples folder's time at its last listing
	listed     time.Time // when that was
}

// rescanSamples is how often a stream lists the samples folder even when its time
// has not changed: a sample is written by renaming a new file into place, which
// changes the folder's time, but one rewritten in place does not.
const rescanSamples = 10 * time.Second

// newestSample is newestSample of the run's samples folder, listed only when the
// folder's time changed since the last listing, or rescanSamples passed.
func (wt *watcher) newestSample() (string, time.Time) {
	dir := filepath.Join(wt.dir, gan.SamplesDir)
	info, err := os.Stat(dir)
	if err != nil {
		return "", time.Time{}
	}
	if wt.sample != "" && info.ModTime().Equal(wt.samplesDir) && time.Since(wt.listed) < rescanSamples {
		return wt.sample, wt.sampleTime
	}
	wt.samplesDir, wt.listed = info.ModTime(), time.Now()
	return newestSample(dir)
}

// now is always ready: an event stream waits on it instead of its ticker while a
// backlog is left to send.
var now = func() <-chan time.Time {
	c := make(chan time.Time)
	close(c)
	return c
}()

// maxPollBytes bounds the metrics lines one poll of an event stream reads: a
// long run's log (tens of MB) is sent in pieces of about this size, one after
// another, not held whole for each stream.
const maxPollBytes = 256 << 10

// poll writes the events of what changed since the last poll, and reports whether
// metrics lines are left that it did not read (more than maxPollBytes).
func (wt *watcher) poll(buf *bytes.Buffer) (more bool) {
	metricsPath := filepath.Join(wt.dir, gan.MetricsFile)
	if info, err := os.Stat(metricsPath); err == nil && info.Size() < wt.offset {
		wt.offset = 0 // the log was started again
		buf.WriteString("event: reset\ndata: {}\n\n")
	}
	lines, next, more, err := readSomeLines(metricsPath, wt.offset, maxPollBytes)
	if err == nil {
		wt.offset = next
		for _, l := range lines {
			fmt.Fprintf(buf, "event: metrics\ndata: %s\n\n", l)
		}
	}
	if more {
		return true // the sample and checkpoint events follow the backlog
	}
	if file, at := wt.newestSample(); file != "" && (file != wt.sample || !at.Equal(wt.sampleTime)) {
		wt.sample, wt.sampleTime = file, at
		data, _ := json.Marshal(map[string]string{"file": file, "url": fmt.Sprintf("/api/runs/%s/samples/%s?t=%d", url.PathEscape(wt.name), file, at.UnixNano())})
		fmt.Fprintf(buf, "event: sample\ndata: %s\n\n", data)
	}
	if info, err := os.Stat(filepath.Join(wt.dir, gan.CheckpointsDir, gan.LatestFile)); err == nil && !info.ModTime().Equal(wt.checkpoint) {
		var state struct {
			Step int `json:"step"`
		}
		if raw, err := os.ReadFile(filepath.Join(wt.dir, gan.CheckpointsDir, gan.LatestFile)); err == nil && json.Unmarshal(raw, &state) == nil {
			wt.checkpoint = info.ModTime()
			fmt.Fprintf(buf, "event: checkpoint\ndata: {\"step\":%d}\n\n", state.Step)
		}
	}
	return false
}

// newestSample returns the most recently written grid of a samples folder that training
// writes: an epoch grid (gan.EpochGrids) or the final one (gan.FinalGridFile). Another PNG
// there, such as one that `gogan sample --out` wrote, is not the run's progress.
func newestSample(dir string) (string, time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", time.Time{}
	}
	var best string
	var bestTime time.Time
	for _, e := range entries {
		if !e.Type().IsRegular() || !sampleName.MatchString(e.Name()) || !gan.IsTrainingGrid(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if t := info.ModTime(); best == "" || t.After(bestTime) || (t.Equal(bestTime) && e.Name() > best) {
			best, bestTime = e.Name(), t
		}
	}
	return best, bestTime
}
