package atomicfile

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchangeDirs swaps the folders at a and b in one step, renameat2(2) with
// RENAME_EXCHANGE, so that each path names one of the two, whole, at every
// moment, a crash included. It returns errNoExchange where the kernel or the
// file system cannot (see exchangeError).
func exchangeDirs(a, b string) error {
	for {
		err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
		if !errors.Is(err, unix.EINTR) {
			return exchangeError(err)
		}
	}
}

// exchangeError is renameat2's error err, or errNoExchange where it says that
// exchanging is not available: ENOSYS (a kernel before 3.15), EINVAL (a file
// system without RENAME_EXCHANGE: the flag is refused before anything else is
// checked), EOPNOTSUPP (some FUSE file systems), EPERM (a container's seccomp
// filter that does not know renameat2). Two plain renames need no more
// permission than the exchange, so where EPERM is real they fail as well and
// say so.
func exchangeError(err error) error {
	for _, no := range []unix.Errno{unix.ENOSYS, unix.EINVAL, unix.EOPNOTSUPP, unix.EPERM} {
		if errors.Is(err, no) {
			return errNoExchange
		}
	}
	return err
}
