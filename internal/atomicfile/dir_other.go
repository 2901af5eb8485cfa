//go:build !linux

package atomicfile

// exchangeDirs would swap the folders at a and b in one step; only Linux has
// that (renameat2 with RENAME_EXCHANGE), so it returns errNoExchange.
func exchangeDirs(a, b string) error { return errNoExchange }
