package checkpoint

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"

	"github.com/nlpodyssey/safetensors"
)

// maxHeader is the largest header accepted, as in the reference implementation.
const maxHeader = 100_000_000

// metadataKey is the header entry that holds the string metadata.
const metadataKey = "__metadata__"

// SaveSafetensors writes tensors plus optional string metadata ("__metadata__"),
// atomically, in a deterministic layout: header keys sorted by name, data ordered by
// dtype alignment (F64 and I64, F32, U8) and then by name, as the reference implementation
// does, so that every tensor is aligned to its element size.
// The tensors are checked first; if one is malformed nothing is written.
func SaveSafetensors(path string, tensors map[string]Tensor, metadata map[string]string) error {
	names := make([]string, 0, len(tensors))
	for name := range tensors {
		names = append(names, name)
	}
	slices.Sort(names) // so that the first bad tensor reported is always the same
	views := make(map[string]view, len(tensors))
	for _, name := range names {
		t := tensors[name]
		switch {
		case name == "":
			return fmt.Errorf("checkpoint: save %s: a tensor has an empty name", path)
		case name == metadataKey:
			return fmt.Errorf("checkpoint: save %s: tensor name %q is reserved for metadata", path, name)
		case !utf8.ValidString(name):
			return fmt.Errorf("checkpoint: save %s: tensor name %q is not valid UTF-8", path, name)
		}
		if err := t.check(); err != nil {
			return fmt.Errorf("checkpoint: save %s: tensor %q: %v", path, name, err)
		}
		views[name] = newView(t)
	}
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return fmt.Errorf("checkpoint: save %s: metadata %q: %q is not valid UTF-8", path, k, v)
		}
	}
	return WriteFileAtomic(path, func(w io.Writer) error {
		return safetensors.SerializeToWriter(views, metadata, w)
	})
}

// LoadSafetensors reads the whole file, validating it strictly.
func LoadSafetensors(path string) (map[string]Tensor, map[string]string, error) {
	buf, err := ReadFile(path)
	if err != nil {
		return nil, nil, fileErr(path, err)
	}
	return ParseSafetensors(path, buf)
}

// ParseSafetensors decodes the bytes of a safetensors file (embedded in the binary, say)
// with the same strict validation as LoadSafetensors; name stands for the file in errors.
// It does not keep buf.
func ParseSafetensors(name string, buf []byte) (map[string]Tensor, map[string]string, error) {
	path := name
	if err := checkPrefix(buf); err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %s: %v", path, err)
	}
	n, md, err := safetensors.ReadMetadata(buf)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %s: invalid safetensors: %v", path, explain(err, buf))
	}
	data := buf[8+n:]
	infos := md.Tensors()
	tensors := make(map[string]Tensor, len(infos))
	for name, info := range infos {
		t, err := decode(info, data[info.DataOffsets[0]:info.DataOffsets[1]])
		if err != nil {
			return nil, nil, fmt.Errorf("checkpoint: %s: tensor %q: %v", path, name, err)
		}
		tensors[name] = t
	}
	return tensors, md.Metadata(), nil
}

// checkPrefix checks the 8-byte header length and the header's first byte, the part
// of the validation where the library's messages are vaguest.
func checkPrefix(buf []byte) error {
	if len(buf) < 8 {
		return fmt.Errorf("file is %d bytes, too short for the 8-byte header length", len(buf))
	}
	n := binary.LittleEndian.Uint64(buf)
	if n > maxHeader {
		if looksLikeText(buf[:8]) {
			return fmt.Errorf("not a safetensors file: it starts with text (%q), where a safetensors file starts with its header's length", buf[:8])
		}
		return fmt.Errorf("header length %d is over the %d-byte limit", n, maxHeader)
	}
	if rest := uint64(len(buf) - 8); n > rest {
		return fmt.Errorf("header length %d is larger than the %d bytes that follow it", n, rest)
	}
	if n == 0 || buf[8] != '{' {
		return fmt.Errorf("header does not start with '{'")
	}
	return nil
}

// looksLikeText reports whether b is printable ASCII or white space: a JSON, CSV or
// other text file given for a safetensors one.
func looksLikeText(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 || c > 0x7e) && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

// explain rewords the library's two vaguest messages; the others name the tensor and
// the problem already.
func explain(err error, buf []byte) string {
	switch err.Error() {
	case "metadata incomplete buffer":
		rest := uint64(len(buf)) - 8 - binary.LittleEndian.Uint64(buf)
		return fmt.Sprintf("data buffer is %d bytes but the header's offsets do not end there "+
			"(truncated file, trailing bytes, or offsets out of range)", rest)
	case "metadata validation error: info data offsets mismatch":
		return "a tensor's data_offsets do not span its dtype size times its element count"
	}
	return err.Error()
}
