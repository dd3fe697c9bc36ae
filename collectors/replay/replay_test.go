package replay

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the recorder's output")

// answer is one canned upstream response.
type answer struct {
	status      int
	contentType string
	retryAfter  string
	body        string
}

// upstream serves canned answers by path; the query is echoed into JSON
// bodies that ask for it so that different queries give different bodies.
func upstream(t *testing.T, answers map[string]answer) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", a.contentType)
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		w.WriteHeader(a.status)
		io.WriteString(w, strings.ReplaceAll(a.body, "QUERY", r.URL.RawQuery))
	}))
	t.Cleanup(srv.Close)
	return srv
}

var sweep = map[string]answer{
	"/fapi/v1/exchangeInfo":         {200, "application/json", "", `{"timezone":"UTC","serverTime":1700000000123,"symbols":[{"symbol":"BTCUSDT","status":"TRADING"}]}`},
	"/fapi/v1/ticker/24hr":          {429, "application/json", "7", `{"code":-1003,"msg":"Too many requests; current limit is 2400 request weight per 1 MINUTE."}`},
	"/v5/market/instruments-info":   {200, "application/json; charset=utf-8", "", `{"retCode":0,"retMsg":"OK","result":{"category":"linear","q":"QUERY","list":[]},"time":1700000000456}`},
	"/api/v5/public/instruments":    {200, "application/json", "", `{"code":"0","msg":"","data":[{"instId":"BTC-USDT-SWAP","q":"QUERY"}]}`},
	"/api/v5/support/announcements": {200, "text/html", "", "<html><body>Checking your browser</body></html>"},
}

// get fetches url with client and returns status, content type, Retry-After
// and body.
func get(t *testing.T, client *http.Client, url string) (int, string, string, string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After"), string(body)
}

// record sends every request in targets through a Recorder to up and saves
// the cassette into a fresh directory.
func record(t *testing.T, up *httptest.Server, targets []string) (dir string, live map[string][4]string) {
	t.Helper()
	rec := NewRecorder(up.Client().Transport)
	client := &http.Client{Transport: rec}
	live = map[string][4]string{}
	for _, target := range targets {
		status, ct, ra, body := get(t, client, up.URL+target)
		live[target] = [4]string{fmt.Sprint(status), ct, ra, body}
	}
	dir = t.TempDir()
	if err := rec.Save(dir); err != nil {
		t.Fatalf("Save: %v", err)
	}
	return dir, live
}

func serve(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	c, err := Load(os.DirFS(dir), ".")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	srv := httptest.NewServer(c.Handler())
	t.Cleanup(srv.Close)
	return srv
}

var sweepTargets = []string{
	"/fapi/v1/exchangeInfo",
	"/fapi/v1/ticker/24hr",
	"/v5/market/instruments-info?category=linear&limit=1000",
	"/v5/market/instruments-info?category=linear&limit=1000&status=PreLaunch",
	"/v5/market/instruments-info?category=inverse&limit=1000",
	"/api/v5/public/instruments?instType=SWAP",
	"/api/v5/support/announcements?annType=announcements-new-listings&page=1",
	"/api/v5/public/instruments?instType=SWAP&instFamily=BTC-USD&instFamily=ETH-USD",
}

func TestReplayServesWhatWasRecorded(t *testing.T) {
	up := upstream(t, sweep)
	dir, live := record(t, up, sweepTargets)
	srv := serve(t, dir)

	tests := []struct {
		name   string
		target string // sent to the replay server
		want   string // the recorded request whose answer must come back
	}{
		{"plain path", "/fapi/v1/exchangeInfo", "/fapi/v1/exchangeInfo"},
		{"429 with Retry-After", "/fapi/v1/ticker/24hr", "/fapi/v1/ticker/24hr"},
		{"same query", "/v5/market/instruments-info?category=linear&limit=1000", "/v5/market/instruments-info?category=linear&limit=1000"},
		{"query reordered", "/v5/market/instruments-info?limit=1000&category=linear", "/v5/market/instruments-info?category=linear&limit=1000"},
		{"three params reordered", "/v5/market/instruments-info?status=PreLaunch&limit=1000&category=linear", "/v5/market/instruments-info?category=linear&limit=1000&status=PreLaunch"},
		{"other value same path", "/v5/market/instruments-info?category=inverse&limit=1000", "/v5/market/instruments-info?category=inverse&limit=1000"},
		{"signature ignored", "/api/v5/public/instruments?signature=deadbeef&instType=SWAP&timestamp=1700000000000", "/api/v5/public/instruments?instType=SWAP"},
		{"repeated param reordered", "/api/v5/public/instruments?instFamily=ETH-USD&instType=SWAP&instFamily=BTC-USD", "/api/v5/public/instruments?instType=SWAP&instFamily=BTC-USD&instFamily=ETH-USD"},
		{"HTML page kept as is", "/api/v5/support/announcements?page=1&annType=announcements-new-listings", "/api/v5/support/announcements?annType=announcements-new-listings&page=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ct, ra, body := get(t, srv.Client(), srv.URL+tt.target)
			got := [4]string{fmt.Sprint(status), ct, ra, body}
			if want := live[tt.want]; got != want {
				t.Errorf("replayed %s\n got %q\nwant %q", tt.target, got, want)
			}
		})
	}
}

func TestReplayRefusesWhatWasNotRecorded(t *testing.T) {
	up := upstream(t, sweep)
	dir, _ := record(t, up, sweepTargets)
	srv := serve(t, dir)

	tests := []struct {
		name   string
		method string
		target string
		path   string
	}{
		{"unknown path", http.MethodGet, "/fapi/v1/premiumIndex", "/fapi/v1/premiumIndex"},
		{"missing param", http.MethodGet, "/v5/market/instruments-info?category=linear", "/v5/market/instruments-info"},
		{"extra param", http.MethodGet, "/api/v5/public/instruments?instType=SWAP&uly=BTC-USDT", "/api/v5/public/instruments"},
		{"different value", http.MethodGet, "/v5/market/instruments-info?category=option&limit=1000", "/v5/market/instruments-info"},
		{"no query where one was recorded", http.MethodGet, "/api/v5/public/instruments", "/api/v5/public/instruments"},
		{"other method", http.MethodPost, "/fapi/v1/exchangeInfo", "/fapi/v1/exchangeInfo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("status %d, want 404", resp.StatusCode)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q, want application/json", ct)
			}
			var body map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("404 body is not JSON: %v", err)
			}
			if body["error"] != "not in cassette" || body["path"] != tt.path || body["method"] != tt.method {
				t.Errorf("404 body %v, want error \"not in cassette\", path %q, method %s", body, tt.path, tt.method)
			}
		})
	}
}

// fakeTransport answers from a table keyed by URL, without a network, so
// the golden cassette names real exchange hosts.
type fakeTransport map[string]answer

func (f fakeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	a, ok := f[req.URL.String()]
	if !ok {
		return nil, fmt.Errorf("fake: no answer for %s", req.URL)
	}
	h := http.Header{}
	h.Set("Content-Type", a.contentType)
	if a.retryAfter != "" {
		h.Set("Retry-After", a.retryAfter)
	}
	return &http.Response{StatusCode: a.status, Header: h, Body: io.NopCloser(strings.NewReader(a.body)), Request: req}, nil
}

func TestSaveMatchesGolden(t *testing.T) {
	fake := fakeTransport{
		"https://fapi.binance.com/fapi/v1/exchangeInfo":                                                           sweep["/fapi/v1/exchangeInfo"],
		"https://fapi.binance.com/fapi/v1/ticker/24hr":                                                            sweep["/fapi/v1/ticker/24hr"],
		"https://dapi.binance.com/dapi/v1/exchangeInfo":                                                           {200, "application/json", "", `{"timezone":"UTC","symbols":[{"symbol":"BTCUSD_PERP"}]}`},
		"https://fapi.binance.com/fapi/v1/commissionRate?symbol=BTCUSDT&timestamp=1700000000000&signature=0ff1ce": {200, "application/json", "", `{"symbol":"BTCUSDT","makerCommissionRate":"0.0002","takerCommissionRate":"0.0005"}`},
		"https://api.bybit.com/v5/market/instruments-info?limit=1000&category=linear":                             {200, "application/json", "", `{"retCode":0,"result":{"category":"linear","list":[{"symbol":"BTCUSDT"}]}}`},
		"https://api.bybit.com/v5/market/instruments-info?category=inverse&limit=1000":                            {200, "application/json", "", `{"retCode":0,"result":{"category":"inverse","list":[{"symbol":"BTCUSD"}]}}`},
		"https://www.okx.com/api/v5/public/instruments?instType=SWAP":                                             {200, "application/json", "", `{"code":"0","data":[{"instId":"BTC-USDT-SWAP","ctVal":"0.01"}]}`},
		"https://www.okx.com/api/v5/support/announcements?annType=announcements-new-listings":                     sweep["/api/v5/support/announcements"],
	}
	rec := NewRecorder(fake)
	rec.Now = func() time.Time { return time.Date(2026, 3, 14, 9, 30, 0, 0, time.FixedZone("CET", 3600)) }
	client := &http.Client{Transport: rec}
	for url := range fake {
		get(t, client, url)
	}
	// A POST is passed on but never recorded.
	if resp, err := client.Post("https://api.bybit.com/v5/market/instruments-info?limit=1000&category=linear", "application/json", nil); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	dir := t.TempDir()
	if err := rec.Save(dir); err != nil {
		t.Fatalf("Save: %v", err)
	}
	got := readTree(t, dir)
	golden := filepath.Join("testdata", "golden")
	if *update {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(golden, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
	}
	want := readTree(t, golden)
	for name, data := range want {
		if got[name] != data {
			t.Errorf("%s differs from testdata/golden (run go test -update and review the diff)\n got %s\nwant %s", name, got[name], data)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("Save wrote %s, which testdata/golden lacks", name)
		}
	}
	if strings.Contains(got["cassette.json"], "0ff1ce") || strings.Contains(got["cassette.json"], "1700000000000") {
		t.Errorf("the index keeps a signing parameter:\n%s", got["cassette.json"])
	}
}

// readTree maps every file under dir to its contents, skipping nothing, so
// left-over temporary files show up as differences.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		files[name] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// The committed golden cassette doubles as the example of the format that
// hand-written demo cassettes follow; it must load and serve.
func TestLoadCommittedCassette(t *testing.T) {
	c, err := Load(os.DirFS("testdata"), "golden")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Len() != 8 {
		t.Errorf("Len() = %d, want 8", c.Len())
	}
	srv := httptest.NewServer(c.Handler())
	defer srv.Close()
	status, ct, _, body := get(t, srv.Client(), srv.URL+"/fapi/v1/commissionRate?timestamp=1800000000000&symbol=BTCUSDT&signature=abc")
	if status != 200 || ct != "application/json" || !strings.Contains(body, `"takerCommissionRate":"0.0005"`) {
		t.Errorf("signed request replayed as %d %q %s", status, ct, body)
	}
}

func TestLoadRejectsBrokenCassettes(t *testing.T) {
	const okBody = `{"code":"0","data":[]}`
	index := func(entries string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(`{"version":1,"recorded_at":"2026-03-14T08:30:00Z","entries":[` + entries + `]}`)}
	}
	entry := func(path, query, body string) string {
		return fmt.Sprintf(`{"method":"GET","path":%q,"query":%q,"status":200,"content_type":"application/json","body":%q}`, path, query, body)
	}
	tests := []struct {
		name  string
		files fstest.MapFS
		want  []string // every one must appear in the error
	}{
		{
			name: "body file missing",
			files: fstest.MapFS{
				"c/cassette.json": index(entry("/fapi/v1/exchangeInfo", "", "bodies/a.json") + "," +
					entry("/fapi/v1/ticker/24hr", "", "bodies/gone.json")),
				"c/bodies/a.json": {Data: []byte(okBody)},
			},
			want: []string{"cassette c: entry 2 (GET /fapi/v1/ticker/24hr): body file bodies/gone.json missing"},
		},
		{
			name:  "index missing",
			files: fstest.MapFS{"c/bodies/a.json": {Data: []byte(okBody)}},
			want:  []string{"cassette c:", "cassette.json", "file does not exist"},
		},
		{
			name:  "index corrupt",
			files: fstest.MapFS{"c/cassette.json": {Data: []byte(`{"version":1,"entries":[{"method":"GET",`)}},
			want:  []string{"cassette c: cassette.json is not a valid index"},
		},
		{
			name:  "unknown field",
			files: fstest.MapFS{"c/cassette.json": {Data: []byte(`{"version":1,"entrys":[]}`)}},
			want:  []string{"cassette c: cassette.json is not a valid index", `unknown field "entrys"`},
		},
		{
			name:  "other version",
			files: fstest.MapFS{"c/cassette.json": {Data: []byte(`{"version":2,"entries":[]}`)}},
			want:  []string{"cassette c: cassette.json has version 2, this rivalwatch reads version 1"},
		},
		{
			name:  "no entries",
			files: fstest.MapFS{"c/cassette.json": index("")},
			want:  []string{"cassette c: cassette.json has no entries"},
		},
		{
			name: "duplicate request, query in another order",
			files: fstest.MapFS{
				"c/cassette.json": index(entry("/v5/market/tickers", "category=linear&baseCoin=BTC", "bodies/a.json") + "," +
					entry("/v5/market/tickers", "baseCoin=BTC&category=linear", "bodies/a.json")),
				"c/bodies/a.json": {Data: []byte(okBody)},
			},
			want: []string{"cassette c: entry 2 (GET /v5/market/tickers?baseCoin=BTC&category=linear): answers the same request as entry 1"},
		},
		{
			name: "body outside the cassette",
			files: fstest.MapFS{
				"c/cassette.json": index(entry("/a", "", "../secret.json")),
				"secret.json":     {Data: []byte(okBody)},
			},
			want: []string{`entry 1 (GET /a): body file "../secret.json" must be a relative path inside the cassette`},
		},
		{
			name: "every bad field reported at once",
			files: fstest.MapFS{
				"c/cassette.json": index(`{"method":"","path":"fapi","query":"a=%zz","status":42,"content_type":"","body":""}`),
			},
			want: []string{"entry 1 ( fapi?a=%zz): no method", `path "fapi" does not start with /`, "status 42 is not an HTTP status", "query does not parse", "no body file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.files, "c")
			if err == nil {
				t.Fatalf("Load succeeded with %d entries, want an error", c.Len())
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

// failingBody ends early, like a connection cut mid-body.
type failingBody struct{ r io.Reader }

func (b failingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}
func (failingBody) Close() error { return nil }

// oneAnswer returns the same response for every request.
type oneAnswer func() *http.Response

func (f oneAnswer) RoundTrip(*http.Request) (*http.Response, error) { return f(), nil }

func TestRecorderKeepsOnlyWholeBodies(t *testing.T) {
	const body = `{"code":"0","data":[{"instId":"BTC-USDT-SWAP"}]}`
	tests := []struct {
		name     string
		body     io.ReadCloser
		read     func(io.Reader) error
		wantLen  int
		wantRead error
	}{
		{"read to the end", io.NopCloser(strings.NewReader(body)), func(r io.Reader) error { _, err := io.ReadAll(r); return err }, 1, nil},
		{"cut mid-body", failingBody{strings.NewReader(body)}, func(r io.Reader) error { _, err := io.ReadAll(r); return err }, 0, io.ErrUnexpectedEOF},
		{"abandoned half-way", io.NopCloser(strings.NewReader(body)), func(r io.Reader) error { _, err := r.Read(make([]byte, 8)); return err }, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := NewRecorder(oneAnswer(func() *http.Response {
				return &http.Response{StatusCode: 200, Header: http.Header{}, Body: tt.body}
			}))
			req := httptest.NewRequest(http.MethodGet, "https://www.okx.com/api/v5/public/instruments?instType=SWAP", nil)
			resp, err := rec.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.read(resp.Body); !errors.Is(err, tt.wantRead) {
				t.Errorf("caller's read error %v, want %v", err, tt.wantRead)
			}
			resp.Body.Close()
			if rec.Len() != tt.wantLen {
				t.Errorf("recorded %d answers, want %d", rec.Len(), tt.wantLen)
			}
		})
	}
}

func TestRecorderPassesNetworkErrorsOn(t *testing.T) {
	rec := NewRecorder(fakeTransport{})
	_, err := (&http.Client{Transport: rec}).Get("https://api.bybit.com/v5/market/tickers?category=linear")
	if err == nil || !strings.Contains(err.Error(), "fake: no answer") {
		t.Errorf("error %v, want the next transport's error", err)
	}
	if rec.Len() != 0 {
		t.Errorf("recorded %d answers after a network error, want 0", rec.Len())
	}
}

func TestSaveErrors(t *testing.T) {
	t.Run("nothing recorded", func(t *testing.T) {
		dir := t.TempDir()
		err := NewRecorder(fakeTransport{}).Save(dir)
		if err == nil || !strings.Contains(err.Error(), "save cassette "+dir+": no responses were recorded") {
			t.Errorf("error %v, want one saying nothing was recorded", err)
		}
	})
	t.Run("unwritable body directory", func(t *testing.T) {
		rec := NewRecorder(fakeTransport{"https://fapi.binance.com/fapi/v1/exchangeInfo": sweep["/fapi/v1/exchangeInfo"]})
		get(t, &http.Client{Transport: rec}, "https://fapi.binance.com/fapi/v1/exchangeInfo")
		dir := t.TempDir()
		// A file where the bodies directory must go.
		if err := os.WriteFile(filepath.Join(dir, "bodies"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		err := rec.Save(dir)
		if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "bodies")) {
			t.Errorf("error %v, want one naming %s", err, filepath.Join(dir, "bodies"))
		}
		if _, statErr := os.Stat(filepath.Join(dir, "cassette.json")); !errors.Is(statErr, fs.ErrNotExist) {
			t.Errorf("cassette.json written although a body failed (stat: %v)", statErr)
		}
	})
}

func TestConcurrentRecording(t *testing.T) {
	up := upstream(t, map[string]answer{
		"/v5/market/tickers": {200, "application/json", "", `{"retCode":0,"result":{"q":"QUERY"}}`},
	})
	rec := NewRecorder(up.Client().Transport)
	client := &http.Client{Transport: rec}
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			resp, err := client.Get(fmt.Sprintf("%s/v5/market/tickers?category=linear&symbol=C%02dUSDT", up.URL, i))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			if _, err := io.ReadAll(resp.Body); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if rec.Len() != n {
		t.Fatalf("recorded %d answers, want %d", rec.Len(), n)
	}
	dir := t.TempDir()
	if err := rec.Save(dir); err != nil {
		t.Fatal(err)
	}
	c, err := Load(os.DirFS(dir), ".")
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != n {
		t.Errorf("loaded %d answers, want %d", c.Len(), n)
	}
	srv := httptest.NewServer(c.Handler())
	defer srv.Close()
	_, _, _, body := get(t, srv.Client(), srv.URL+"/v5/market/tickers?symbol=C42USDT&category=linear")
	if want := `{"retCode":0,"result":{"q":"category=linear&symbol=C42USDT"}}`; body != want {
		t.Errorf("replayed body %s, want %s", body, want)
	}
}

// The recorder sits under rivalwatch's classifying transport: it must keep
// the raw 429 while the collector still sees a rate-limit error, and the
// replayed cassette must give the collector the same error.
func TestRecorderUnderCollectorsTransport(t *testing.T) {
	up := upstream(t, sweep)
	rec := NewRecorder(up.Client().Transport)
	newClient := func(base http.RoundTripper) *http.Client {
		return collectors.NewHTTPClient(5*time.Second, collectors.TransportOptions{
			Base: base,
			Sleep: func(context.Context, time.Duration) error {
				t.Error("the transport waited; no retry expected")
				return nil
			},
		})
	}
	sweepOnce := func(client *http.Client, base string) (string, error) {
		status, _, _, body := get(t, client, base+"/api/v5/public/instruments?instType=SWAP")
		if status != 200 {
			t.Errorf("instruments: status %d, want 200", status)
		}
		_, err := client.Get(base + "/fapi/v1/ticker/24hr")
		return body, err
	}

	liveBody, liveErr := sweepOnce(newClient(rec), up.URL)
	if collectors.KindOf(liveErr) != collectors.ErrRateLimited {
		t.Fatalf("live 429 gave %v, want a rate-limit error", liveErr)
	}
	if rec.Len() != 2 {
		t.Fatalf("recorded %d answers, want 2 (the 200 and the raw 429)", rec.Len())
	}
	dir := t.TempDir()
	if err := rec.Save(dir); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, dir)

	replayBody, replayErr := sweepOnce(newClient(nil), srv.URL)
	if replayBody != liveBody {
		t.Errorf("replayed body %s, want %s", replayBody, liveBody)
	}
	var live, replayed *collectors.Error
	if !errors.As(liveErr, &live) || !errors.As(replayErr, &replayed) {
		t.Fatalf("want *collectors.Error both times, got %v and %v", liveErr, replayErr)
	}
	if replayed.Kind != live.Kind || replayed.Status != live.Status || replayed.RetryAfter != live.RetryAfter || replayed.RetryAfter != 7*time.Second {
		t.Errorf("replayed error %v, want the live one %v (retry after 7s)", replayed, live)
	}
}

// A real captured payload (152 KB) must come back byte for byte.
func TestRealPayloadRoundTrip(t *testing.T) {
	real := filepath.Join("..", "..", "..", "shared", "realdata", "binance", "fapi-v1-exchangeInfo.json")
	data, err := os.ReadFile(real)
	if err != nil {
		t.Skip("../shared/realdata not found: ", err)
	}
	up := upstream(t, map[string]answer{"/fapi/v1/exchangeInfo": {200, "application/json", "", string(data)}})
	dir, _ := record(t, up, []string{"/fapi/v1/exchangeInfo"})
	srv := serve(t, dir)
	_, _, _, body := get(t, srv.Client(), srv.URL+"/fapi/v1/exchangeInfo")
	if body != string(data) {
		t.Errorf("replayed %d bytes, want the %d captured bytes unchanged", len(body), len(data))
	}
}

// sequence answers each request with the next of its answers.
type sequence struct {
	mu      sync.Mutex
	answers []answer
}

func (s *sequence) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	a := s.answers[0]
	s.answers = s.answers[1:]
	s.mu.Unlock()
	return fakeTransport{req.URL.String(): a}.RoundTrip(req)
}

// When the transport retries a 5xx, the cassette keeps the answer the sweep
// went on with.
func TestRecorderKeepsTheLastAnswer(t *testing.T) {
	const ok = `{"retCode":0,"result":{"list":[]}}`
	rec := NewRecorder(&sequence{answers: []answer{
		{503, "text/plain", "", "upstream busy"},
		{200, "application/json", "", ok},
	}})
	client := collectors.NewHTTPClient(5*time.Second, collectors.TransportOptions{
		Base:    rec,
		Retries: 1,
		Sleep:   func(context.Context, time.Duration) error { return nil },
	})
	if status, _, _, body := get(t, client, "https://api.bybit.com/v5/market/tickers?category=linear"); status != 200 || body != ok {
		t.Fatalf("after the retry got %d %s, want 200 %s", status, body, ok)
	}
	dir := t.TempDir()
	if err := rec.Save(dir); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, dir)
	if status, _, _, body := get(t, srv.Client(), srv.URL+"/v5/market/tickers?category=linear"); status != 200 || body != ok {
		t.Errorf("replayed %d %s, want 200 %s", status, body, ok)
	}
}
