package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSecondInstanceRefused: while one daemon holds the lock, a second is
// refused with the holder named; once released, the next start gets it.
func TestSecondInstanceRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rivalwatch.db.lock")
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	release, err := Lock(path, at)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(path, at)
	if err == nil {
		t.Fatal("a second lock was granted")
	}
	for _, want := range []string{"in use by another rivalwatch serve", fmt.Sprintf("pid %d", os.Getpid()), "2026-11-25T09:00:00Z", path} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	again, err := Lock(path, at)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again()
}
