package reports

import (
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/rivalwatch/rivalwatch/reports/units"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var sharedFuncs = map[string]any{
	"upper": strings.ToUpper,
	"utc":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"inc":   func(i int) int { return i + 1 },
	"join":  func(s []string) string { return strings.Join(s, ", ") },
	"days":  func(d *float64) string { return units.Trim(*d, 1) + " d" },
}

var (
	htmlTemplate = htmltemplate.Must(htmltemplate.New("digest.html.tmpl").
			Funcs(sharedFuncs).
			Funcs(htmltemplate.FuncMap{"sevStyle": sevStyle}).
			ParseFS(templateFiles, "templates/digest.html.tmpl"))
	markdownTemplate = template.Must(template.New("digest.md.tmpl").
				Funcs(sharedFuncs).
				Funcs(template.FuncMap{"md": escapeMarkdown}).
				ParseFS(templateFiles, "templates/digest.md.tmpl"))
)

// sevStyle is a constant per severity, never web text, so it is safe CSS.
func sevStyle(s string) htmltemplate.CSS {
	switch s {
	case "high":
		return "display:inline-block;padding:0 5px;font-size:11px;font-weight:bold;color:#ffffff;background:#b91c1c;"
	case "medium":
		return "display:inline-block;padding:0 5px;font-size:11px;font-weight:bold;color:#ffffff;background:#d97706;"
	}
	return "display:inline-block;padding:0 5px;font-size:11px;font-weight:bold;color:#374151;background:#e5e7eb;"
}

// markdownSpecial are the characters that could break a table cell, start
// a link or inline HTML, or change emphasis in chat tools' Markdown.
var markdownSpecial = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`",
	"[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "\n", " ", "\r", " ",
)

// escapeMarkdown makes web text (symbols, error messages) inert in
// Markdown.
func escapeMarkdown(s string) string { return markdownSpecial.Replace(s) }

type chartView struct {
	Title         string
	Src           any // htmltemplate.URL for HTML, a relative path for Markdown
	Width, Height int
}

type view struct {
	D      Digest
	Charts []chartView
}

// RenderHTML writes the digest as one self-contained, e-mail-safe HTML
// page: inline styles only, no scripts, charts embedded as data: URLs, and
// every text from the web escaped by html/template.
func RenderHTML(w io.Writer, d Digest) error {
	charts, err := Charts(d)
	if err != nil {
		return err
	}
	v := view{D: d}
	for _, c := range charts {
		// The URL is built here from our own PNG bytes, never from input.
		src := htmltemplate.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(c.PNG))
		v.Charts = append(v.Charts, chartView{Title: c.Title, Src: src, Width: ChartWidth, Height: ChartHeight})
	}
	if err := htmlTemplate.Execute(w, v); err != nil {
		return fmt.Errorf("render html digest: %w", err)
	}
	return nil
}

// RenderMarkdown writes the digest as Markdown for chat tools. chartLinks
// maps a chart name (ChartFunding, ChartVolume) to the path the Markdown
// links it at; charts without a link are left out.
func RenderMarkdown(w io.Writer, d Digest, chartLinks map[string]string) error {
	v := view{D: d}
	for _, name := range []string{ChartFunding, ChartVolume} {
		link, ok := chartLinks[name]
		if !ok {
			continue
		}
		v.Charts = append(v.Charts, chartView{Title: chartTitle(name), Src: escapeLink(link)})
	}
	if err := markdownTemplate.Execute(w, v); err != nil {
		return fmt.Errorf("render markdown digest: %w", err)
	}
	return nil
}

func chartTitle(name string) string {
	switch name {
	case ChartFunding:
		return "Annualized funding by exchange"
	case ChartVolume:
		return "24h volume share by exchange"
	}
	return name
}

// escapeLink keeps a relative file path usable as a Markdown link target.
func escapeLink(p string) string {
	parts := strings.Split(filepath.ToSlash(p), "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// RenderJSON writes the digest as indented JSON: every field, for tools.
func RenderJSON(w io.Writer, d Digest) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("render json digest: %w", err)
	}
	return nil
}

// Write renders the digest in format (html, md or json) to path. For md it
// also writes the chart PNGs beside it, named <name>-funding.png and
// <name>-volume.png. Each file is written to a temporary name and renamed,
// so a reader never sees half a digest. It returns the files written.
func Write(d Digest, format, path string) ([]string, error) {
	var b strings.Builder
	var files []string
	switch format {
	case "html":
		if err := RenderHTML(&b, d); err != nil {
			return nil, err
		}
	case "json":
		if err := RenderJSON(&b, d); err != nil {
			return nil, err
		}
	case "md":
		charts, err := Charts(d)
		if err != nil {
			return nil, err
		}
		stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		links := map[string]string{}
		for _, c := range charts {
			name := stem + "-" + c.Name + ".png"
			p := filepath.Join(filepath.Dir(path), name)
			if err := writeFile(p, c.PNG); err != nil {
				return files, err
			}
			files = append(files, p)
			links[c.Name] = name
		}
		if err := RenderMarkdown(&b, d, links); err != nil {
			return files, err
		}
	default:
		return nil, fmt.Errorf("digest format %q: want html, md or json", format)
	}
	if err := writeFile(path, []byte(b.String())); err != nil {
		return files, err
	}
	return append(files, path), nil
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write digest: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write digest: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write digest %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write digest %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write digest %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write digest %s: %w", path, err)
	}
	return nil
}
