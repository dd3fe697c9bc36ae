package replay

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Recorder is an http.RoundTripper that passes every request to the next
// RoundTripper and keeps each GET answer (status, content type, Retry-After,
// body) in memory until Save. It sits under collectors.NewTransport (as
// TransportOptions.Base) so it sees the raw answers, error statuses
// included. A body is kept once the caller has read it to the end; a body
// that fails or is abandoned half-way is not recorded. A request answered
// twice (a retry after a 5xx) keeps the last answer, the one the sweep went
// on with.
type Recorder struct {
	// Now stamps recorded_at; set it before use to fix the time in tests.
	Now func() time.Time

	next http.RoundTripper

	mu      sync.Mutex
	entries map[string]*entry
}

// NewRecorder records the answers of next.
func NewRecorder(next http.RoundTripper) *Recorder {
	return &Recorder{Now: time.Now, next: next, entries: map[string]*entry{}}
}

// RoundTrip implements http.RoundTripper. It is safe for concurrent use; the
// caller gets next's response with the same status, headers and body bytes,
// the body copied as the caller reads it.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet {
		return resp, err
	}
	host := req.URL.Host
	if host == "" {
		host = req.Host
	}
	e := &entry{
		Method:      req.Method,
		Host:        host,
		Path:        req.URL.Path,
		Query:       canonicalQuery(req.URL.Query()),
		Status:      resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"),
		RetryAfter:  resp.Header.Get("Retry-After"),
	}
	resp.Body = &teeBody{ReadCloser: resp.Body, done: func(body []byte) {
		e.data = body
		r.mu.Lock()
		r.entries[e.key()] = e
		r.mu.Unlock()
	}}
	return resp, nil
}

// Len is the number of answers recorded so far.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.entries)
}

// Save writes the cassette into dir: each body to a file under dir/bodies,
// then dir/cassette.json. Every file is written under a temporary name and
// renamed into place, so a crash leaves whole files only and the index
// appears last.
func (r *Recorder) Save(dir string) error {
	r.mu.Lock()
	entries := make([]entry, 0, len(r.entries))
	for _, e := range r.entries {
		entries = append(entries, *e)
	}
	r.mu.Unlock()
	if len(entries) == 0 {
		return fmt.Errorf("save cassette %s: no responses were recorded", dir)
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return strings.Compare(a.Path+"?"+a.Query+" "+a.Method, b.Path+"?"+b.Query+" "+b.Method)
	})

	used := map[string]bool{}
	for i := range entries {
		e := &entries[i]
		e.Body = bodyName(e, used)
		if err := writeFileAtomic(filepath.Join(dir, filepath.FromSlash(e.Body)), e.data); err != nil {
			return fmt.Errorf("save cassette %s: %w", dir, err)
		}
	}
	// Unescaped HTML characters keep queries readable: a=1&b=2, not a=1\u0026b=2.
	var idx bytes.Buffer
	enc := json.NewEncoder(&idx)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(index{
		Version:    formatVersion,
		RecordedAt: r.Now().UTC().Format(time.RFC3339),
		Entries:    entries,
	}); err != nil {
		return fmt.Errorf("save cassette %s: %w", dir, err)
	}
	if err := writeFileAtomic(filepath.Join(dir, indexFile), idx.Bytes()); err != nil {
		return fmt.Errorf("save cassette %s: %w", dir, err)
	}
	return nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// bodyName gives e a file name that says what it holds:
// bodies/<host>/<path-with-dashes>[__<hash of query>].<ext>. A name already
// used (paths /a-b and /a/b) gets a counter, in the stable order of Save.
func bodyName(e *entry, used map[string]bool) string {
	host := unsafeChars.ReplaceAllString(e.Host, "_")
	if host == "" {
		host = "local"
	}
	stem := strings.Trim(unsafeChars.ReplaceAllString(strings.ReplaceAll(e.Path, "/", "-"), "_"), "-")
	if stem == "" {
		stem = "root"
	}
	if e.Query != "" {
		sum := sha256.Sum256([]byte(e.Query))
		stem += "__" + hex.EncodeToString(sum[:4])
	}
	ext := extension(e.ContentType, e.data)
	name := path.Join("bodies", host, stem+ext)
	for n := 2; used[name]; n++ {
		name = path.Join("bodies", host, fmt.Sprintf("%s-%d%s", stem, n, ext))
	}
	used[name] = true
	return name
}

// extension lets a person open a body file with the right tool; an HTML
// challenge page is worth looking at in a browser.
func extension(contentType string, body []byte) string {
	switch {
	case strings.Contains(contentType, "html"):
		return ".html"
	case strings.Contains(contentType, "json"), json.Valid(body):
		return ".json"
	}
	return ".txt"
}

func writeFileAtomic(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), name); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// teeBody copies what the caller reads and hands the whole body to done at
// the end of the body, once.
type teeBody struct {
	io.ReadCloser
	buf  bytes.Buffer
	done func([]byte)
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.buf.Write(p[:n])
	if err == io.EOF && b.done != nil {
		b.done(b.buf.Bytes())
		b.done = nil
	}
	return n, err
}
