package webhook

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/store"
)

// TestKilledSenderLosesNothing kills (SIGKILL) a sender process while the
// receiver holds its first request, then starts a new sender: the cut-off
// alert was not marked delivered, waits for its lease to run out, and is
// sent again under the same ID; nothing is lost and nothing else repeats.
func TestKilledSenderLosesNothing(t *testing.T) {
	if path := os.Getenv("RIVALWATCH_KILLED_SENDER_DB"); path != "" {
		killedSender(path, os.Getenv("RIVALWATCH_KILLED_SENDER_URL"))
		return
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rivalwatch.db")
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	held := make(chan struct{})
	var once sync.Once
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 0 {
			once.Do(func() { close(held) })
			blockUntilGone(w, r)
		}
	})
	s := &Sender{Outbox: st, Hooks: map[string]Hook{"ops": {URL: rc.srv.URL, Secret: testSecret}}}
	events := feeEvents(3)
	if _, err := st.SaveChanges(ctx, events, s.Route); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledSenderLosesNothing$")
	cmd.Env = append(os.Environ(), "RIVALWATCH_KILLED_SENDER_DB="+path, "RIVALWATCH_KILLED_SENDER_URL="+rc.srv.URL)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the sender process never sent anything:\n%s", out.String())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	alerts, err := st.Alerts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	// Never marked delivered without a 2xx: the cut-off alert is pending
	// with its one attempt, the rest untouched.
	wantAttempts := []int{1, 0, 0}
	for i, a := range alerts {
		if want := wantAttempts[i]; a.Status != store.AlertPending || a.Attempts != want {
			t.Errorf("after the kill, alert %d is %s after %d attempts, want pending after %d", i, a.Status, a.Attempts, want)
		}
	}

	// The killed process's lease still holds: nothing is sent twice at once.
	if r, err := s.SendDue(ctx); err != nil || r != (Report{}) {
		t.Fatalf("while leased: %+v, %v", r, err)
	}
	// Once it has run out, the new sender delivers everything.
	s.Now = func() time.Time { return time.Now().Add(DefaultLease) }
	if r, err := s.SendDue(ctx); err != nil || r != (Report{Delivered: 3}) {
		t.Fatalf("after the lease: %+v, %v", r, err)
	}
	if got := rc.delivered(); !reflect.DeepEqual(got, ids(events)) {
		t.Errorf("delivered %v, want %v", got, ids(events))
	}
	var arrived []string
	for _, r := range rc.requests() {
		arrived = append(arrived, r.ID)
	}
	// One duplicate, of the cut-off alert, under its own ID.
	if want := append([]string{events[0].ID}, ids(events)...); !reflect.DeepEqual(arrived, want) {
		t.Errorf("receiver got %v, want %v", arrived, want)
	}
}

// killedSender is the child process: it sends until it is killed.
func killedSender(path, url string) {
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	s := &Sender{Outbox: st, Hooks: map[string]Hook{"ops": {URL: url, Secret: testSecret}}, Client: NewClient(time.Hour)}
	r, err := s.SendDue(context.Background())
	fmt.Printf("sender finished before it was killed: %+v %v\n", r, err)
	os.Exit(1)
}
