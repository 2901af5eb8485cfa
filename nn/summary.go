package nn

import (
	"fmt"
	"io"
	"strings"

	"github.com/gogan/gogan/autograd"
)

// ParamCounts are a model's weight counts, as Keras's summary totals them.
type ParamCounts struct{ Total, Trainable, NonTrainable int }

// Params counts the model's weights.
func (s *Sequential) Params() ParamCounts { return countParams(s.Weights()) }

// Params counts the model's weights, each shared weight once.
func (m *Model) Params() ParamCounts { return countParams(m.Weights()) }

func countParams(ws []*autograd.Var) ParamCounts {
	var c ParamCounts
	for _, w := range ws {
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
	t := summaryTable{header: []string{"Layer (type)", "Output Shape", "Param #"}, widths: []int{28, 26, 10}}
	for i, l := range s.layers {
		if _, ok := l.(*InputLayer); ok {
			continue
		}
		t.rows = append(t.rows, []string{layerTitle(l), s.shapes[i].WithBatch(), commas(weightCount(l))})
	}
	return t.write(w, s.name, s.Params())
}

// Summary writes what Keras's model.summary() prints for a functional model:
// each layer (inputs included) with its output shape, parameter count and the
// layers it takes from, as "name[node][tensor]", then the totals.
func (m *Model) Summary(w io.Writer) error {
	if !m.built {
		return fmt.Errorf("model %s: Summary before Build", m.name)
	}
	t := summaryTable{header: []string{"Layer (type)", "Output Shape", "Param #", "Connected to"}, widths: []int{31, 21, 12, 33}}
	for _, l := range m.layers {
		var from []string
		first := -1
		for i, n := range m.nodes {
			if n.layer != l {
				continue
			}
			if first < 0 {
				first = i
			}
			for _, j := range m.args[i] {
				from = append(from, fmt.Sprintf("'%s[%d][0]'", m.nodes[j].layer.Name(), m.calls[j]))
			}
		}
		// Keras prints the list, one entry a line: ['noise[0][0]',\n 'flatten[0][0]'].
		connected := "[" + strings.Join(from, ",\n") + "]"
		t.rows = append(t.rows, []string{layerTitle(l), m.shapes[first].WithBatch(), commas(weightCount(l)), connected})
	}
	return t.write(w, m.name, m.Params())
}

func layerTitle(l Applicable) string { return fmt.Sprintf("%s (%s)", l.Name(), l.Kind()) }

func weightCount(l Applicable) int {
	n := 0
	for _, wt := range l.Weights() {
		n += len(wt.Data)
	}
	return n
}

// summaryTable is Keras's summary layout: columns at least widths wide (wider
// for longer entries, the last one excepted), a cell's lines below each other.
type summaryTable struct {
	header []string
	widths []int
	rows   [][]string
}

func (t summaryTable) write(w io.Writer, name string, c ParamCounts) error {
	widths := append([]int(nil), t.widths...)
	last := len(widths) - 1
	for _, r := range append([][]string{t.header}, t.rows...) {
		for i, cell := range r {
			for _, line := range strings.Split(cell, "\n") {
				if i < last {
					widths[i] = max(widths[i], len(line)+2)
				} else {
					widths[i] = max(widths[i], len(line))
				}
			}
		}
	}
	width := 1
	for _, wd := range widths {
		width += wd
	}
	line := strings.Repeat("_", width)
	thick := strings.Repeat("=", width)
	var b strings.Builder
	fmt.Fprintf(&b, "Model: %q\n%s\n", name, line)
	for i, r := range append([][]string{t.header}, t.rows...) {
		cells := make([][]string, len(r))
		height := 1
		for j, cell := range r {
			cells[j] = strings.Split(cell, "\n")
			height = max(height, len(cells[j]))
		}
		for k := 0; k < height; k++ {
			row := " "
			for j := range r {
				text := ""
				if k < len(cells[j]) {
					text = cells[j][k]
				}
				row += fmt.Sprintf("%-*s", widths[j], text)
			}
			fmt.Fprintf(&b, "%s\n", strings.TrimRight(row, " "))
		}
		if i == 0 {
			b.WriteString(thick + "\n")
		}
	}
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
