// Package runlock keeps two processes from writing one run folder at once.
//
// Acquire takes an exclusive, non-blocking flock(2) on the file FileName in the
// folder and writes the process id into it. The kernel releases the lock when the
// file is closed, by Release or by the process ending in any way (kill -9
// included), so a lock file left behind is stale and is simply locked again by the
// next process: the file's presence means nothing, only a held lock does.
//
// Release leaves the file in place. Discard, for a lock taken for nothing (a
// run refused before it began), removes the file if its Acquire created it,
// while it still holds the lock. Removing a lock file is safe only because
// Acquire, once it holds the flock, checks that the file it locked is still
// the one at FileName, and locks the new one otherwise: a process that opened
// the file just before a Discard removed it would else hold a lock on a file
// no one else can open, beside a third process holding the new one. LockFile's
// files are never removed.
//
// Where flock is not available (Windows, AIX) Acquire locks nothing and always
// succeeds.
//
// Errors: a folder held by another process gives an error wrapping ErrHeld whose
// message names the folder and, when it can be read, the holder's process id.
package runlock
