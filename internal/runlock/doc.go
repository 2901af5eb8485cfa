// Package runlock keeps two processes from writing one run folder at once.
//
// Acquire takes an exclusive, non-blocking flock(2) on the file FileName in the
// folder and writes the process id into it. The kernel releases the lock when the
// file is closed, by Release or by the process ending in any way (kill -9
// included), so a lock file left behind is stale and is simply locked again by the
// next process: the file's presence means nothing, only a held lock does. The file
// is never removed (removing it would let a third process lock a new file while a
// second still holds the old one).
//
// Where flock is not available (Windows, AIX) Acquire locks nothing and always
// succeeds.
//
// Errors: a folder held by another process gives an error wrapping ErrHeld whose
// message names the folder and, when it can be read, the holder's process id.
package runlock
