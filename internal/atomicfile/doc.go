// Package atomicfile writes a file so that readers see either the old contents or the new,
// never a partial file: the data goes through a buffer to a temporary file in the same
// folder, which is flushed to disk (fsync), closed and renamed over the destination; then
// the folder is fsynced so that the rename survives a crash.
//
// A file that could not be written in place is not replaced either: WriteFile refuses a
// destination whose mode lets no one write it (chmod a-w; root included) or that the
// process may not open for writing, as the rename alone would need only the folder's
// permission.
//
// The temporary file is named "." + base + ".tmp-*" so that folder listings that skip dot
// files (and globs such as *.png) never see it; it is removed when anything fails, and when
// the caller's write function panics. A crash can leave one behind; nothing reads it, and
// the next WriteFile of the same destination removes it: each holds a flock(2) on its
// temporary file while it writes (dirlock_unix.go), so a temporary file whose lock can be
// taken is stale, and one whose lock is held is left to its writer. RemoveTemps removes
// the stale ones of every file in a folder (gogan train does at start, holding the run
// folder's lock), leaving those whose lock is held as WriteFile does; where files cannot
// be locked it removes them all, for a caller who knows that no write there is under way.
//
// WriteDir does the same for a folder: its files go into a temporary folder beside it,
// which is fsynced and put in the destination's place once all are written. On Linux the
// two folders are exchanged in one step (renameat2 with RENAME_EXCHANGE, in dir_linux.go),
// so that the destination is never missing; elsewhere the old folder is renamed aside
// first (dir_other.go), and a crash between the two renames leaves it there. It replaces only
// a folder that holds nothing but files the caller would write (report.WritePNGs' images),
// so that it never deletes anything else. The next WriteDir of a folder removes what a
// killed one left beside it: each holds a flock(2) on its temporary folder while it writes
// (dirlock_unix.go), so a temporary folder whose lock can be taken is stale.
//
// It is the one implementation behind checkpoint.WriteFileAtomic, the data package's IDX
// writer and cache copies, and every PNG the report package writes. Errors carry no package
// prefix (callers add their own) and name the destination, never the temporary file.
package atomicfile
