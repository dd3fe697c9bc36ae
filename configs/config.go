// Package configs loads rivalwatch's YAML configuration: defaults first,
// then a strict decode in which unknown keys and bad values are errors that
// name the key and its line, all reported at once. It also embeds the
// documented example files, so the binary runs without them on disk.
package configs

import (
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/reports"
)

//go:embed rivalwatch.yaml demo.yaml playbook.yaml
var files embed.FS

// Config is the whole configuration.
type Config struct {
	Database  string        `yaml:"database"`
	UserAgent string        `yaml:"user_agent"`
	HTTP      HTTP          `yaml:"http"`
	Collect   Collect       `yaml:"collect"`
	Exchanges Exchanges     `yaml:"exchanges"`
	Diff      Diff          `yaml:"diff"`
	House     reports.House `yaml:"house"`
	// Playbook is the playbook file, relative to this config file; empty
	// for the built-in configs/playbook.yaml.
	PlaybookFile string `yaml:"playbook"`

	// Playbook is loaded from PlaybookFile.
	Playbook reports.Playbook `yaml:"-"`
}

// HTTP configures every request to the exchanges.
type HTTP struct {
	Timeout      time.Duration `yaml:"timeout"`        // per request
	Retries      int           `yaml:"retries"`        // after a 5xx or a network error
	MaxRetryWait time.Duration `yaml:"max_retry_wait"` // the longest Retry-After waited out within a pull
	MaxBodyMB    int           `yaml:"max_body_mb"`
}

// Collect configures what a sweep pulls.
type Collect struct {
	Kinds         []string `yaml:"kinds"`
	MinCountRatio float64  `yaml:"min_count_ratio"`
}

// Exchanges holds one section per rival.
type Exchanges struct {
	Binance Binance `yaml:"binance"`
	Bybit   Bybit   `yaml:"bybit"`
	OKX     OKX     `yaml:"okx"`
}

// Limits bound the request rate to one exchange.
type Limits struct {
	Enabled           bool    `yaml:"enabled"`
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	Burst             int     `yaml:"burst"`
}

// Binance is where and how to pull Binance.
type Binance struct {
	Limits          `yaml:",inline"`
	REST            BinanceREST `yaml:"rest"`
	Websocket       BinanceWS   `yaml:"websocket"`
	OpenInterestTop int         `yaml:"open_interest_top"`
	Concurrency     int         `yaml:"concurrency"`
}

// BinanceREST are Binance's REST bases per API family.
type BinanceREST struct {
	USDM  string `yaml:"usdm"`  // USDⓈ-M futures
	COINM string `yaml:"coinm"` // COIN-M futures
}

// BinanceWS are Binance's websocket bases per API family.
type BinanceWS struct {
	USDM string `yaml:"usdm"`
}

// Bybit is where and how to pull Bybit.
type Bybit struct {
	Limits    `yaml:",inline"`
	REST      BybitREST `yaml:"rest"`
	Websocket BybitWS   `yaml:"websocket"`
	PageLimit int       `yaml:"page_limit"`
}

// BybitREST is Bybit's v5 REST base.
type BybitREST struct {
	V5 string `yaml:"v5"`
}

// BybitWS are Bybit's public websocket endpoints.
type BybitWS struct {
	Linear  string `yaml:"linear"`
	Inverse string `yaml:"inverse"`
}

// OKX is where and how to pull OKX.
type OKX struct {
	Limits      `yaml:",inline"`
	REST        OKXREST `yaml:"rest"`
	Websocket   OKXWS   `yaml:"websocket"`
	Concurrency int     `yaml:"concurrency"`
}

// OKXREST is OKX's v5 REST base.
type OKXREST struct {
	V5 string `yaml:"v5"`
}

// OKXWS is OKX's public websocket endpoint.
type OKXWS struct {
	Public string `yaml:"public"`
}

// Diff holds thresholds, severities and ignore lists for change events.
type Diff struct {
	DelistAfter          int               `yaml:"delist_after"`
	ExtremeAnnualized    float64           `yaml:"extreme_annualized"`
	DivergenceAnnualized float64           `yaml:"divergence_annualized"`
	SpikeFactor          float64           `yaml:"spike_factor"`
	SpikeMinPoints       int               `yaml:"spike_min_points"`
	SpikeMinUSD          float64           `yaml:"spike_min_usd"`
	Severities           map[string]string `yaml:"severities"`
	Ignore               []Ignore          `yaml:"ignore"`
}

// Ignore drops matching change events; an empty field matches anything.
type Ignore struct {
	Exchange string `yaml:"exchange"`
	Symbol   string `yaml:"symbol"`
	Type     string `yaml:"type"`
}

// DiffConfig converts the diff section for package diff.
func (c Config) DiffConfig() diff.Config {
	d := diff.DefaultConfig()
	d.DelistAfter = c.Diff.DelistAfter
	d.ExtremeAnnualized = c.Diff.ExtremeAnnualized
	d.DivergenceAnnualized = c.Diff.DivergenceAnnualized
	d.SpikeFactor = c.Diff.SpikeFactor
	d.SpikeMinPoints = c.Diff.SpikeMinPoints
	d.SpikeMinUSD = c.Diff.SpikeMinUSD
	if len(c.Diff.Severities) > 0 {
		d.Severities = make(map[diff.Type]diff.Severity, len(c.Diff.Severities))
		for t, s := range c.Diff.Severities {
			d.Severities[diff.Type(t)] = diff.Severity(s)
		}
	}
	for _, ig := range c.Diff.Ignore {
		d.Ignore = append(d.Ignore, diff.Ignore{Exchange: ig.Exchange, Symbol: ig.Symbol, Type: diff.Type(ig.Type)})
	}
	return d
}

// Kinds returns the configured kinds.
func (c Config) Kinds() []collectors.Kind {
	out := make([]collectors.Kind, 0, len(c.Collect.Kinds))
	for _, k := range c.Collect.Kinds {
		out = append(out, collectors.Kind(k))
	}
	return out
}

// Default is the configuration before any file is read.
func Default() Config {
	d := diff.DefaultConfig()
	return Config{
		Database:  "rivalwatch.db",
		UserAgent: "rivalwatch/1.0 (competitor monitoring; public market data only)",
		HTTP:      HTTP{Timeout: 15 * time.Second, Retries: 2, MaxRetryWait: 5 * time.Second, MaxBodyMB: 32},
		Collect:   Collect{Kinds: []string{"instruments", "funding", "market"}, MinCountRatio: 0.5},
		Exchanges: Exchanges{
			Binance: Binance{Limits: Limits{Enabled: true, RequestsPerSecond: 20, Burst: 60},
				REST:            BinanceREST{USDM: "https://fapi.binance.com", COINM: "https://dapi.binance.com"},
				Websocket:       BinanceWS{USDM: "wss://fstream.binance.com"},
				OpenInterestTop: 50, Concurrency: 20},
			Bybit: Bybit{Limits: Limits{Enabled: true, RequestsPerSecond: 50, Burst: 50},
				REST:      BybitREST{V5: "https://api.bybit.com"},
				Websocket: BybitWS{Linear: "wss://stream.bybit.com/v5/public/linear", Inverse: "wss://stream.bybit.com/v5/public/inverse"},
				PageLimit: 1000},
			OKX: OKX{Limits: Limits{Enabled: true, RequestsPerSecond: 10, Burst: 20},
				REST:        OKXREST{V5: "https://www.okx.com"},
				Websocket:   OKXWS{Public: "wss://ws.okx.com:8443/ws/v5/public"},
				Concurrency: 10},
		},
		Diff: Diff{DelistAfter: d.DelistAfter, ExtremeAnnualized: d.ExtremeAnnualized,
			DivergenceAnnualized: d.DivergenceAnnualized, SpikeFactor: d.SpikeFactor,
			SpikeMinPoints: d.SpikeMinPoints, SpikeMinUSD: d.SpikeMinUSD},
	}
}

// Load reads a config file. An empty path loads the built-in example
// (configs/rivalwatch.yaml, pointed at the real exchanges).
func Load(path string) (Config, error) {
	if path == "" {
		return LoadEmbedded("rivalwatch.yaml")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	return parse(path, data, func(name string) ([]byte, error) {
		if !filepath.IsAbs(name) {
			name = filepath.Join(filepath.Dir(path), name)
		}
		return os.ReadFile(name)
	})
}

// LoadEmbedded loads one of the built-in files: rivalwatch.yaml or demo.yaml.
func LoadEmbedded(name string) (Config, error) {
	data, err := files.ReadFile(name)
	if err != nil {
		return Config{}, fmt.Errorf("no built-in config %q", name)
	}
	return parse("built-in "+name, data, files.ReadFile)
}

// Parse reads a config from memory; the playbook is the built-in one unless
// the config names a file, which is read relative to the working directory.
func Parse(name string, data []byte) (Config, error) {
	return parse(name, data, os.ReadFile)
}

func parse(name string, data []byte, readFile func(string) ([]byte, error)) (Config, error) {
	cfg := Default()
	// Keep going after a bad key or value: every problem is reported at once.
	errs, fatal := decodeStrict(name, data, &cfg)
	if fatal {
		return Config{}, errors.Join(errs...)
	}
	playbookName, playbookData := "built-in playbook.yaml", []byte(nil)
	if cfg.PlaybookFile != "" {
		b, err := readFile(cfg.PlaybookFile)
		if err != nil {
			return Config{}, errors.Join(append(errs, fmt.Errorf("%s: playbook: %w", name, err))...)
		}
		playbookName, playbookData = cfg.PlaybookFile, b
	} else {
		playbookData, _ = files.ReadFile("playbook.yaml")
	}
	playbookErrs, fatal := decodeStrict(playbookName, playbookData, &cfg.Playbook)
	errs = append(errs, playbookErrs...)
	if !fatal {
		for _, e := range cfg.Playbook.Validate() {
			errs = append(errs, fmt.Errorf("%s: %w", playbookName, e))
		}
	}
	for _, e := range cfg.validate() {
		errs = append(errs, fmt.Errorf("%s: %w", name, e))
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return cfg, nil
}

// decodeStrict decodes YAML into v and returns every unknown key and every
// value of the wrong type with its dotted key and line. fatal means the
// YAML itself did not parse, so v holds nothing from it.
func decodeStrict(name string, data []byte, v any) (errs []error, fatal bool) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return []error{fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))}, true
	}
	if len(root.Content) == 0 {
		return nil, false // an empty file keeps the defaults
	}
	lines := map[int]string{}
	walkKeys(root.Content[0], reflect.TypeOf(v).Elem(), "", lines, &errs)
	if err := root.Content[0].Decode(v); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return []error{fmt.Errorf("%s: %w", name, err)}, true
		}
		for _, msg := range te.Errors {
			errs = append(errs, errors.New(explainTypeError(msg, lines)))
		}
	}
	for i, e := range errs {
		errs[i] = fmt.Errorf("%s: %w", name, e)
	}
	return errs, false
}

// walkKeys checks every mapping key against the struct's yaml tags.
func walkKeys(n *yaml.Node, t reflect.Type, path string, lines map[int]string, errs *[]error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if path != "" {
		if _, seen := lines[n.Line]; !seen {
			lines[n.Line] = path
		}
	}
	switch {
	case t.Kind() == reflect.Struct && t != reflect.TypeOf(time.Time{}) && n.Kind == yaml.MappingNode:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			p := join(path, key.Value)
			lines[key.Line] = p
			ft, ok := fields[key.Value]
			if !ok {
				*errs = append(*errs, fmt.Errorf("line %d: unknown key %q%s", key.Line, p, knownKeys(fields)))
				continue
			}
			walkKeys(val, ft, p, lines, errs)
		}
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := join(path, n.Content[i].Value)
			lines[n.Content[i].Line] = p
			walkKeys(n.Content[i+1], t.Elem(), p, lines, errs)
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			walkKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), lines, errs)
		}
	}
}

// yamlFields maps yaml keys to field types, following inline structs.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case name == "-" || !f.IsExported():
		case strings.Contains(opts, "inline"):
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
		case name == "":
			out[strings.ToLower(f.Name)] = f.Type
		default:
			out[name] = f.Type
		}
	}
	return out
}

func knownKeys(fields map[string]reflect.Type) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	return " (known keys: " + strings.Join(names, ", ") + ")"
}

var typeErrLine = regexp.MustCompile(`^line (\d+): cannot unmarshal !!(\w+) ` + "`" + `(.*)` + "`" + ` into (.+)$`)

// explainTypeError rewrites yaml.v3's "line 7: cannot unmarshal !!str `abc`
// into float64" as "line 7: http.timeout: "abc" is not a duration".
func explainTypeError(msg string, lines map[int]string) string {
	m := typeErrLine.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	line, _ := strconv.Atoi(m[1])
	want := m[4]
	switch {
	case want == "time.Duration":
		want = "a duration such as 15s or 2m"
	case strings.HasPrefix(want, "float"):
		want = "a number"
	case strings.HasPrefix(want, "int"):
		want = "a whole number"
	case want == "bool":
		want = "true or false"
	case strings.HasPrefix(want, "[]"):
		want = "a list"
	case strings.HasPrefix(want, "map"), strings.Contains(want, "."):
		want = "a section of keys"
	}
	return fmt.Sprintf("line %d: %s: %q is not %s", line, lines[line], m[3], want)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// validate checks values; each error names the key.
func (c Config) validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	if c.Database == "" {
		bad("database", "must name a file")
	}
	if c.HTTP.Timeout <= 0 {
		bad("http.timeout", "must be positive, got %s", c.HTTP.Timeout)
	}
	if c.HTTP.Retries < 0 || c.HTTP.Retries > 10 {
		bad("http.retries", "must be 0 to 10, got %d", c.HTTP.Retries)
	}
	if c.HTTP.MaxRetryWait < 0 {
		bad("http.max_retry_wait", "must not be negative")
	}
	if c.HTTP.MaxBodyMB <= 0 {
		bad("http.max_body_mb", "must be positive, got %d", c.HTTP.MaxBodyMB)
	}
	if len(c.Collect.Kinds) == 0 {
		bad("collect.kinds", "must list at least one of instruments, funding, market")
	}
	for i, k := range c.Collect.Kinds {
		if _, err := collectors.ParseKind(k); err != nil {
			bad(fmt.Sprintf("collect.kinds[%d]", i), "%v", err)
		}
	}
	if c.Collect.MinCountRatio <= 0 || c.Collect.MinCountRatio > 1 {
		bad("collect.min_count_ratio", "must be above 0 and at most 1, got %g", c.Collect.MinCountRatio)
	}
	checkURL := func(key, u string, schemes ...string) {
		p, err := url.Parse(u)
		if err != nil || p.Host == "" || !contains(schemes, p.Scheme) {
			bad(key, "must be a %s URL, got %q", strings.Join(schemes, " or "), u)
		}
	}
	checkLimits := func(key string, l Limits) {
		if l.RequestsPerSecond <= 0 {
			bad(key+".requests_per_second", "must be positive, got %g", l.RequestsPerSecond)
		}
		if l.Burst < 1 {
			bad(key+".burst", "must be at least 1, got %d", l.Burst)
		}
	}
	b, y, o := c.Exchanges.Binance, c.Exchanges.Bybit, c.Exchanges.OKX
	checkLimits("exchanges.binance", b.Limits)
	checkURL("exchanges.binance.rest.usdm", b.REST.USDM, "http", "https")
	checkURL("exchanges.binance.rest.coinm", b.REST.COINM, "http", "https")
	checkURL("exchanges.binance.websocket.usdm", b.Websocket.USDM, "ws", "wss")
	if b.OpenInterestTop < 0 {
		bad("exchanges.binance.open_interest_top", "must not be negative")
	}
	if b.Concurrency < 1 {
		bad("exchanges.binance.concurrency", "must be at least 1")
	}
	checkLimits("exchanges.bybit", y.Limits)
	checkURL("exchanges.bybit.rest.v5", y.REST.V5, "http", "https")
	checkURL("exchanges.bybit.websocket.linear", y.Websocket.Linear, "ws", "wss")
	checkURL("exchanges.bybit.websocket.inverse", y.Websocket.Inverse, "ws", "wss")
	if y.PageLimit < 1 || y.PageLimit > 1000 {
		bad("exchanges.bybit.page_limit", "must be 1 to 1000, got %d", y.PageLimit)
	}
	checkLimits("exchanges.okx", o.Limits)
	checkURL("exchanges.okx.rest.v5", o.REST.V5, "http", "https")
	checkURL("exchanges.okx.websocket.public", o.Websocket.Public, "ws", "wss")
	if o.Concurrency < 1 {
		bad("exchanges.okx.concurrency", "must be at least 1")
	}
	if !b.Enabled && !y.Enabled && !o.Enabled {
		bad("exchanges", "every exchange is disabled")
	}
	d := c.Diff
	if d.DelistAfter < 1 {
		bad("diff.delist_after", "must be at least 1, got %d", d.DelistAfter)
	}
	if d.ExtremeAnnualized <= 0 {
		bad("diff.extreme_annualized", "must be above 0 (1.0 = 100 %%/yr), got %g", d.ExtremeAnnualized)
	}
	if d.DivergenceAnnualized <= 0 {
		bad("diff.divergence_annualized", "must be above 0 (0.5 = 50 %%/yr), got %g", d.DivergenceAnnualized)
	}
	if d.SpikeFactor <= 1 {
		bad("diff.spike_factor", "must be above 1 (times the median), got %g", d.SpikeFactor)
	}
	if d.SpikeMinUSD < 0 {
		bad("diff.spike_min_usd", "must not be negative")
	}
	if d.SpikeMinPoints < 1 {
		bad("diff.spike_min_points", "must be at least 1")
	}
	for t, s := range d.Severities {
		if !knownType(t) {
			bad("diff.severities."+t, "unknown change type")
		}
		if diff.Severity(s).Rank() == 0 {
			bad("diff.severities."+t, "must be high, medium or low, got %q", s)
		}
	}
	for i, ig := range d.Ignore {
		if ig.Type != "" && !knownType(ig.Type) {
			bad(fmt.Sprintf("diff.ignore[%d].type", i), "unknown change type %q", ig.Type)
		}
		if ig.Exchange != "" && !contains([]string{"binance", "bybit", "okx"}, ig.Exchange) {
			bad(fmt.Sprintf("diff.ignore[%d].exchange", i), "must be binance, bybit or okx, got %q", ig.Exchange)
		}
		if _, err := path.Match(ig.Symbol, ""); err != nil {
			bad(fmt.Sprintf("diff.ignore[%d].symbol", i), "bad pattern %q (use * and ? as in a file name)", ig.Symbol)
		}
		if ig.Exchange == "" && ig.Symbol == "" && ig.Type == "" {
			bad(fmt.Sprintf("diff.ignore[%d]", i), "matches everything; set exchange, symbol or type")
		}
	}
	for _, e := range c.House.Validate() {
		errs = append(errs, fmt.Errorf("house: %w", e))
	}
	return errs
}

func knownType(t string) bool { return slices.Contains(diff.Types, diff.Type(t)) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
