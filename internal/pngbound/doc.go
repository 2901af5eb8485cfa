// Package pngbound bounds the pixels a PNG file can hold for its size in bytes, so that
// a reader can refuse, from its header alone, a small file that announces a large image
// (damaged, or made to exhaust memory) before the decoder allocates that image: Go's
// image/png allocates the whole image from the header and fails only when the pixels run
// out (a 59-byte file announcing 8192×8192 16-bit RGBA pixels makes it allocate 512 MB).
package pngbound
