package daemon

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// Lock takes the single-instance lock of a database: an exclusive flock on
// path (the database's name plus ".lock"), which the operating system
// releases when the process ends however it ends, so a killed daemon
// never blocks the next start. The file says which process holds it; a
// second daemon's error names that process. release unlocks.
func Lock(path string, now time.Time) (release func() error, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := strings.TrimSpace(string(holder))
			if who == "" {
				who = "another process"
			}
			return nil, fmt.Errorf("the database is in use by another rivalwatch serve: %s holds %s; stop it first, or give this one another database", who, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	host, _ := os.Hostname()
	note := fmt.Sprintf("pid %d on %s, started %s\n", os.Getpid(), host, now.UTC().Format(time.RFC3339))
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(note), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() error {
		// The note stays: the file is only a lock, and unlocking is what
		// lets the next daemon in.
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_UN); err != nil {
			f.Close()
			return fmt.Errorf("unlock %s: %w", path, err)
		}
		return f.Close()
	}, nil
}
