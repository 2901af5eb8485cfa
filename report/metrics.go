package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"sync"
)

// MetricsLog appends one JSON object per line to a file (JSON lines). Each Write is a
// single write(2) of the whole line, unbuffered, so a crash of the process loses at most
// the line being written; Close also fsyncs the file. A MetricsLog is safe for
// concurrent use.
//
// JSON has no NaN or infinities, which a diverging loss produces: Write encodes them as
// the strings "NaN", "+Inf" and "-Inf" when v is a map[string]float64,
// map[string]float32 or map[string]any; ReadMetrics reads those strings back as numbers.
// Other values go through encoding/json as they are.
type MetricsLog struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// OpenMetricsLog opens path for appending, creating it if needed. If the file ends in an
// incomplete line (the process crashed while writing it), that line is cut off first, so
// that the new lines do not run into it; a complete JSON object that only lacks its
// newline is kept.
func OpenMetricsLog(path string) (*MetricsLog, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("report: open metrics log: %w", err)
	}
	if err := repairTail(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("report: open metrics log %s: %w", path, err)
	}
	return &MetricsLog{f: f, path: path}, nil
}

// repairTail makes f end in a newline (or be empty): it cuts an incomplete last line, or
// ends a complete last JSON object with the newline it lacks.
func repairTail(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	if size == 0 {
		return nil
	}
	// Read back from the end, in blocks, to the last newline.
	const block = 4096
	var tail []byte
	end := size
	for end > 0 {
		start := max(end-block, 0)
		buf := make([]byte, end-start)
		if _, err := f.ReadAt(buf, start); err != nil {
			return err
		}
		tail = append(buf, tail...)
		end = start
		if bytes.IndexByte(buf, '\n') >= 0 {
			break
		}
	}
	nl := bytes.LastIndexByte(tail, '\n')
	line := tail[nl+1:]
	if len(line) == 0 {
		return nil // ends in a newline
	}
	var obj map[string]any
	if json.Unmarshal(line, &obj) == nil && obj != nil {
		_, err := f.Write([]byte{'\n'})
		return err
	}
	return f.Truncate(size - int64(len(line)))
}

// Write appends v as one JSON line.
func (l *MetricsLog) Write(v any) error {
	b, err := marshalMetrics(v)
	if err != nil {
		return fmt.Errorf("report: metrics log %s: %w", l.path, err)
	}
	b = append(b, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("report: metrics log %s: write after Close", l.path)
	}
	if _, err := l.f.Write(b); err != nil {
		return fmt.Errorf("report: metrics log: %w", err)
	}
	return nil
}

// Close fsyncs and closes the file. Closing twice is an error.
func (l *MetricsLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("report: metrics log %s: already closed", l.path)
	}
	f := l.f
	l.f = nil
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(serr, cerr); err != nil {
		return fmt.Errorf("report: metrics log: %w", err)
	}
	return nil
}

// marshalMetrics is json.Marshal, except that the maps of numbers a training loop logs
// may hold NaN and ±Inf, written as strings. (json.Marshal sorts a map's keys.)
func marshalMetrics(v any) ([]byte, error) {
	var m map[string]any
	switch src := v.(type) {
	case map[string]float64:
		m = make(map[string]any, len(src))
		for k, x := range src {
			m[k] = finiteOrString(x)
		}
	case map[string]float32:
		m = make(map[string]any, len(src))
		for k, x := range src {
			m[k] = finiteOrString(x)
		}
	case map[string]any:
		m = make(map[string]any, len(src))
		for k, x := range src {
			m[k] = finiteOrString(x)
		}
	default:
		return json.Marshal(v)
	}
	return json.Marshal(m)
}

// finiteOrString returns v, or "NaN", "+Inf" or "-Inf" for a non-finite float64 or float32.
func finiteOrString(v any) any {
	var x float64
	switch f := v.(type) {
	case float64:
		x = f
	case float32:
		x = float64(f)
	default:
		return v
	}
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	}
	return v
}

// ReadMetrics reads a JSON-lines metrics file, one map per line, keeping the numeric
// fields: JSON numbers, and the strings "NaN", "+Inf", "Inf" and "-Inf" that MetricsLog
// writes for non-finite values. Other fields (strings, booleans, null, arrays, objects)
// are left out, and blank lines are skipped. A last line that does not end in a newline
// and does not parse is a line cut short by a crash and is ignored; any other line that
// is not a JSON object is an error naming the file and the line number.
func ReadMetrics(path string) ([]map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("report: read metrics: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var out []map[string]float64
	for lineNo := 1; ; lineNo++ {
		line, err := r.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("report: read metrics %s line %d: %w", path, lineNo, err)
		}
		complete := err == nil
		if len(bytes.TrimSpace(line)) > 0 {
			m, perr := parseMetricsLine(line)
			switch {
			case perr == nil:
				out = append(out, m)
			case !complete:
				// The crash-truncated last line: ignored.
			default:
				return nil, fmt.Errorf("report: read metrics %s line %d: %w", path, lineNo, perr)
			}
		}
		if !complete {
			return out, nil
		}
	}
}

func parseMetricsLine(line []byte) (map[string]float64, error) {
	var raw map[string]any
	if err := json.Unmarshal(line, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errors.New("not a JSON object")
	}
	m := make(map[string]float64, len(raw))
	for k, v := range raw {
		switch x := v.(type) {
		case float64:
			m[k] = x
		case string:
			switch x {
			case "NaN", "+Inf", "Inf", "-Inf":
				f, _ := strconv.ParseFloat(x, 64)
				m[k] = f
			}
		}
	}
	return m, nil
}
