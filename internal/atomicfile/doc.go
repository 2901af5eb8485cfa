// Package atomicfile writes a file so that readers see either the old contents or the new,
// never a partial file: the data goes to a temporary file in the same folder, which is
// flushed to disk (fsync), closed and then renamed over the destination.
//
// The temporary file is named "." + base + ".tmp-*" so that folder listings that skip dot
// files (and globs such as *.png) never see it; it is removed when anything fails.
package atomicfile
