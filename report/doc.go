// Package report writes the files a person opens after training: image grids of samples,
// one PNG per sample (for FID and for browsing), line plots of the training curves and a
// JSON-lines metrics log that survives a crash.
//
// Image layout: a batch of images is one []float32 of shape (n, height, width, channels),
// row-major, values in [-1, 1] as a tanh generator produces them; channels is 1 (grayscale)
// or 3 (RGB). Writing maps v to round((v+1)·127.5) after clipping to [-1, 1] (NaN is
// written as -1), so -1 → 0, 0 → 128 and 1 → 255; reading maps a byte p back to p/127.5 - 1.
// A round trip is exact to within 1/255.
//
// Every PNG is written atomically (see internal/atomicfile): a reader never sees a half
// written file, and a failed write leaves the old file in place. A folder of PNGs
// (WritePNGs) is written the same way as a whole: into a new folder that replaces the old
// one once every image is in it, so a failed or interrupted write leaves the old folder.
// A write-protected file or folder is refused, not replaced.
//
// Reading (ReadPNGs) trusts no file: every header is checked against MaxImageSide,
// MaxImagePixels and, for the folder, MaxReadValues before any pixel is decoded or any
// buffer allocated, so a small file claiming 100000×100000 pixels costs nothing.
//
// Errors are returned, never panicked, and name the file and the problem on one line.
// No function keeps or modifies the slices it is given.
package report
