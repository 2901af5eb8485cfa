// Package checkpoint is the storage layer for training checkpoints: tensors in the
// safetensors format, everything else (step counters, configs, optimizer settings) as
// indented JSON, and every file written atomically.
//
// # Tensors
//
// A Tensor is a named, row-major array of one of four dtypes: "F32" ([]float32),
// "F64" ([]float64), "I64" ([]int64) or "U8" ([]uint8). Shape [] is a scalar (one element); a shape with a
// zero dimension is an empty tensor. Exactly one data slice is used, the one named by
// DType; for an empty tensor it may be nil.
//
// # The safetensors layout
//
// A file is (https://huggingface.co/docs/safetensors):
//
//	8 bytes    N, the header length, little-endian uint64
//	N bytes    JSON header: {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]},
//	           ..., "__metadata__": {"key": "value"}}, padded with spaces to a multiple of 8
//	the rest   the data buffer; a tensor's bytes are buffer[begin:end], little-endian, row-major
//
// SaveSafetensors writes a deterministic layout, as the reference implementation does:
// tensors sorted by dtype alignment, largest first (F64 and I64, then F32, then U8), then by name,
// so that every tensor starts at an offset aligned to its element size. The header's
// JSON keys are sorted by name. The bytes are little-endian on every host.
//
// LoadSafetensors reads the whole file and validates it strictly: a file shorter than 8
// bytes, a header length beyond the file or above 100 MB, a header that is not a JSON
// object, a tensor entry with other keys than dtype/shape/data_offsets, an unknown
// dtype (or one this package does not handle, such as F16), a negative or fractional
// dimension, offsets that do not tile the data buffer exactly (gaps, overlaps, out of
// range), offsets whose length disagrees with dtype×shape, and a data buffer with
// missing or trailing bytes are all errors.
//
// The codec is github.com/nlpodyssey/safetensors, a port of the reference Rust crate with
// the same header validation (contiguous offsets, checked size arithmetic, exact buffer
// length, 100 MB header cap). This package adds what it leaves out: the checks on the
// 8-byte prefix, with clearer messages, the rule that the header starts with '{', the
// dtypes supported here, dimensions that fit in an int, and the conversion between
// little-endian bytes and Go slices (encoding/binary, no unsafe). It implements the
// library's View interface itself rather than use NewTensorView, which counts zero
// elements for a scalar.
//
// # Atomic writes
//
// WriteFileAtomic (internal/atomicfile, which the rest of gogan uses too) writes to a
// temporary file in the destination's folder, named ".<name>.tmp-<random>", then fsyncs
// it, closes it, renames it over the destination and fsyncs the folder. Readers therefore
// see either the old file or the new one, never a mix. If the write fails or panics the
// temporary file is removed and the old file is untouched. If the process dies midway a
// stray temporary file may remain; it is never read by this package (readers open the
// destination path only), and the next write of the same destination removes it: each
// write holds a flock(2) on its temporary file, so one whose lock can be taken is stale
// (where files cannot be locked, on Windows and NFS, it stays, and may be deleted). New files get mode 0644; a replaced file
// keeps its permission bits; a path that is a folder is refused.
//
// # Ownership
//
// SaveSafetensors does not keep the tensors it is given. LoadSafetensors returns freshly
// allocated slices, which the caller owns; an empty tensor comes back with a non-nil,
// zero-length slice and a scalar with a non-nil, empty Shape. Metadata is nil when the
// file has none.
//
// # Errors
//
// Every error is one line that names the file and the problem, prefixed "checkpoint:".
// Errors from the file system wrap the underlying error, so errors.Is(err,
// fs.ErrNotExist) tells a missing checkpoint apart from a corrupt one. Mistakes in the
// arguments (an unknown dtype, data that does not match the shape) are returned as
// errors, never panics, and are found before anything is written.
package checkpoint
