package nn

import (
	"fmt"
	"io"
	"strings"
)

// ParamCounts are a model's weight counts, as Keras's summary totals them.
type ParamCounts struct{ Total, Trainable, NonTrainable int }

// Params counts the model's weights.
func (s *Sequential) Params() ParamCounts {
	var c ParamCounts
	for _, w := range s.Weights() {
		if w.Trainable {
			c.Trainable += len(w.Data)
		} else {
			c.NonTrainable += len(w.Data)
		}
	}
	c.Total = c.Trainable + c.NonTrainable
	return c
}

// Summary writes what Keras's model.summary() prints: each layer with its output
// shape and parameter count, then the totals.
func (s *Sequential) Summary(w io.Writer) error {
	if !s.built {
		return fmt.Errorf("model %s: Summary before Build", s.name)
	}
	type row struct{ name, shape, params string }
	rows := []row{{"Layer (type)", "Output Shape", "Param #"}}
	for i, l := range s.layers {
		if _, ok := l.(*InputLayer); ok {
			continue
		}
		n := 0
		for _, wt := range l.Weights() {
			n += len(wt.Data)
		}
		rows = append(rows, row{fmt.Sprintf("%s (%s)", l.Name(), l.Kind()), s.shapes[i].WithBatch(), commas(n)})
	}
	nameW, shapeW := 28, 26
	for _, r := range rows {
		nameW = max(nameW, len(r.name)+2)
		shapeW = max(shapeW, len(r.shape)+2)
	}
	width := 1 + nameW + shapeW + 10
	line := strings.Repeat("_", width)
	thick := strings.Repeat("=", width)
	var b strings.Builder
	fmt.Fprintf(&b, "Model: %q\n%s\n", s.name, line)
	for i, r := range rows {
		fmt.Fprintf(&b, "%s\n", strings.TrimRight(fmt.Sprintf(" %-*s%-*s%s", nameW, r.name, shapeW, r.shape, r.params), " "))
		if i == 0 {
			b.WriteString(thick + "\n")
		}
	}
	c := s.Params()
	fmt.Fprintf(&b, "%s\nTotal params: %s\nTrainable params: %s\nNon-trainable params: %s\n%s\n",
		thick, commas(c.Total), commas(c.Trainable), commas(c.NonTrainable), line)
	_, err := io.WriteString(w, b.String())
	return err
}

// commas prints n with thousands separators: 1493520 → "1,493,520".
func commas(n int) string {
	s := fmt.Sprint(n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
