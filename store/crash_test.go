package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// TestKilledWriterLeavesConsistentDatabase kills a process in the middle of
// saving large snapshots, then checks that the database is intact and that
// every snapshot it shows is whole: one transaction per snapshot means a
// kill loses at most the snapshot being written.
func TestKilledWriterLeavesConsistentDatabase(t *testing.T) {
	if path := os.Getenv("RIVALWATCH_CRASH_WRITER"); path != "" {
		crashWriter(path)
		return
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterLeavesConsistentDatabase$")
	cmd.Env = append(os.Environ(), "RIVALWATCH_CRASH_WRITER="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once it has committed a few snapshots and is writing more.
	lines := bufio.NewScanner(out)
	for saved := 0; saved < 3 && lines.Scan(); {
		if strings.HasPrefix(lines.Text(), "saved") {
			saved++
		}
	}
	cmd.Process.Kill()
	cmd.Wait()

	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Query(context.Background(), "PRAGMA integrity_check")
	if err != nil || fmt.Sprint(res.Rows) != "[[ok]]" {
		t.Fatalf("integrity check: %v %v", res.Rows, err)
	}
	res, err = s.Query(context.Background(), `SELECT r.items, COUNT(f.symbol) FROM run_log r
		LEFT JOIN funding_rows f ON f.snapshot_id = r.snapshot_id GROUP BY r.id`)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) < 3 {
		t.Fatalf("only %d runs survived; the writer reported 3 saved", len(res.Rows))
	}
	for _, row := range res.Rows {
		if row[0] != row[1] {
			t.Errorf("a run promises %v items but its snapshot holds %v rows", row[0], row[1])
		}
	}
}

// crashWriter saves changed funding snapshots until it is killed.
func crashWriter(path string) {
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		snap := snapshot("binance", collectors.KindFunding, 3000, at)
		for j := range snap.Records.Funding {
			snap.Records.Funding[j].Rate = float64(i*10000 + j)
		}
		if _, err := s.Save(context.Background(), snap); err != nil {
			fmt.Println("save:", err)
			os.Exit(1)
		}
		fmt.Println("saved", i)
	}
}
