// Package composite flattens an image's transparency onto a background: the
// one place gogan does it, for the image folders data decodes and the PNGs
// report reads.
//
// Colors follow Go's image/color: a color's RGBA method returns it
// alpha-premultiplied, so compositing is Porter-Duff "over",
// out = c + bg·(1 − α), computed by image/draw in 16 bits a channel and
// stored in 8.
package composite
