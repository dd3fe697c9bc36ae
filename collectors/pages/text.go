package pages

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// CellSeparator stands between the cells of a table row in Text, so that
// "Launch Time" and "2026-05-01" never read as "Launch Time2026-05-01".
const CellSeparator = " | "

// blocks start and end a line of text.
var blocks = map[string]bool{
	"p": true, "li": true, "tr": true, "div": true, "br": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"ul": true, "ol": true, "table": true, "thead": true, "tbody": true, "tfoot": true,
	"section": true, "article": true, "header": true, "footer": true, "blockquote": true,
	"pre": true, "dt": true, "dd": true, "caption": true, "hr": true,
}

// skipped hold no readable text.
var skipped = map[string]bool{"script": true, "style": true, "noscript": true, "template": true, "head": true}

// Text returns the readable text of the first element that selector (CSS)
// matches, "body" when selector is empty: block elements on their own
// lines, table cells joined by CellSeparator, runs of white space as one
// space, no empty lines. A selector that matches nothing is malformed.
func Text(page []byte, selector string) (string, error) {
	if selector == "" {
		selector = "body"
	}
	if _, err := cascadia.Compile(selector); err != nil {
		return "", &collectors.Error{Kind: collectors.ErrInternal, Msg: fmt.Sprintf("bad CSS selector %q", selector), Err: err}
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		return "", &collectors.Error{Kind: collectors.ErrMalformed, Msg: "the page is not HTML", Err: err}
	}
	sel := doc.Find(selector).First()
	if sel.Length() == 0 {
		return "", &collectors.Error{Kind: collectors.ErrMalformed, Msg: fmt.Sprintf("no element on the page matches %q", selector)}
	}
	var w textWriter
	w.node(sel.Get(0))
	return w.String(), nil
}

// textWriter collects lines; cur is the line being written.
type textWriter struct {
	lines []string
	cur   strings.Builder
	space bool // a space is due before the next word
	cells int  // depth of table cells: blocks inside a cell stay on the row
}

func (w *textWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
		if skipped[n.Data] {
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	tag := n.Data
	cell := n.Type == html.ElementNode && (tag == "td" || tag == "th")
	block := n.Type == html.ElementNode && blocks[tag]
	switch {
	case cell:
		if w.cur.Len() > 0 && w.cells == 0 {
			w.cur.WriteString(CellSeparator)
			w.space = false
		}
		w.cells++
		defer func() { w.cells-- }()
	case block:
		w.breakLine()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
	if block {
		w.breakLine()
	}
}

// breakLine ends the line, or inside a table cell only separates words,
// so that a <p> in a cell keeps the row on one line.
func (w *textWriter) breakLine() {
	if w.cells > 0 {
		w.space = true
		return
	}
	w.endLine()
}

func (w *textWriter) text(s string) {
	if s == "" {
		return
	}
	if isSpace(s[0]) {
		w.space = true
	}
	for _, word := range strings.Fields(s) {
		if w.space && w.cur.Len() > 0 && !strings.HasSuffix(w.cur.String(), " ") {
			w.cur.WriteByte(' ')
		}
		w.cur.WriteString(word)
		w.space = true
	}
	// Only white space at the end separates this text from the next
	// inline one: "VIP<b>0</b>" reads "VIP0".
	w.space = isSpace(s[len(s)-1])
}

func isSpace(b byte) bool { return b == ' ' || b == '\n' || b == '\t' || b == '\r' || b == '\f' }

func (w *textWriter) endLine() {
	if line := strings.TrimSpace(w.cur.String()); line != "" {
		w.lines = append(w.lines, line)
	}
	w.cur.Reset()
	w.space = false
}

// String ends the last line and joins them.
func (w *textWriter) String() string {
	w.endLine()
	return strings.Join(w.lines, "\n")
}
