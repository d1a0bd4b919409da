//go:build unix

package release

import (
	"os"
	"syscall"
)

// tryLock takes f's exclusive lock without waiting (flock: the kernel
// releases it when the process dies).
func tryLock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) }

func unlockFile(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
