package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Cassette is a loaded cassette: every recorded answer, bodies in memory.
type Cassette struct {
	entries map[string]*entry
}

// Load reads the cassette in directory dir of fsys (os.DirFS for a recording,
// an embed.FS for the demo) and checks it whole: the index parses, every
// entry names a method, a path, a status and a body file that exists, and no
// two entries answer the same request. All problems are reported at once.
// dir names the cassette in errors, so for a recording on disk pass
// os.DirFS(filepath.Dir(d)) and filepath.Base(d) rather than os.DirFS(d), ".".
func Load(fsys fs.FS, dir string) (*Cassette, error) {
	raw, err := fs.ReadFile(fsys, path.Join(dir, indexFile))
	if err != nil {
		return nil, fmt.Errorf("cassette %s: %w", dir, err)
	}
	var idx index
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&idx); err != nil {
		return nil, fmt.Errorf("cassette %s: %s is not a valid index: %w", dir, indexFile, err)
	}
	if idx.Version != formatVersion {
		return nil, fmt.Errorf("cassette %s: %s has version %d, this rivalwatch reads version %d", dir, indexFile, idx.Version, formatVersion)
	}
	if len(idx.Entries) == 0 {
		return nil, fmt.Errorf("cassette %s: %s has no entries", dir, indexFile)
	}

	c := &Cassette{entries: make(map[string]*entry, len(idx.Entries))}
	first := map[string]int{}
	var errs []error
	for i := range idx.Entries {
		e := &idx.Entries[i]
		n := i + 1 // people count entries from one
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("cassette %s: entry %d (%s %s): %s", dir, n, e.Method, requestURI(e), fmt.Sprintf(format, args...)))
		}
		if e.Method == "" {
			fail("no method")
		}
		if !strings.HasPrefix(e.Path, "/") {
			fail("path %q does not start with /", e.Path)
		}
		if e.Status < 100 || e.Status > 599 {
			fail("status %d is not an HTTP status", e.Status)
		}
		if _, err := url.ParseQuery(e.Query); err != nil {
			fail("query does not parse: %v", err)
		}
		if data, err := readBody(fsys, dir, e.Body); err != nil {
			fail("%v", err)
		} else {
			e.data = data
		}
		k := e.key()
		if prev, dup := first[k]; dup {
			fail("answers the same request as entry %d", prev)
			continue
		}
		first[k] = n
		c.entries[k] = e
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

func readBody(fsys fs.FS, dir, name string) ([]byte, error) {
	if name == "" {
		return nil, errors.New("no body file")
	}
	if !fs.ValidPath(name) {
		return nil, fmt.Errorf("body file %q must be a relative path inside the cassette", name)
	}
	data, err := fs.ReadFile(fsys, path.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("body file %s missing", name)
	}
	if err != nil {
		return nil, fmt.Errorf("body file %s: %w", name, err)
	}
	return data, nil
}

// Len is the number of recorded answers.
func (c *Cassette) Len() int { return len(c.entries) }

// Handler serves the recorded answers. A request the cassette does not hold
// gets 404 with a JSON body naming it, so a collector fails loudly instead
// of taking an empty or foreign answer for data.
func (c *Cassette) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, ok := c.entries[matchKey(r.Method, r.URL.Path, r.URL.Query())]
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]string{
				"error":  "not in cassette",
				"method": r.Method,
				"path":   r.URL.Path,
				"query":  canonicalQuery(r.URL.Query()),
			})
			return
		}
		if e.ContentType != "" {
			w.Header().Set("Content-Type", e.ContentType)
		}
		if e.RetryAfter != "" {
			w.Header().Set("Retry-After", e.RetryAfter)
		}
		w.WriteHeader(e.Status)
		w.Write(e.data)
	})
}

func requestURI(e *entry) string {
	if e.Query == "" {
		return e.Path
	}
	return e.Path + "?" + e.Query
}
