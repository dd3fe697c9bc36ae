package fees

import (
	"bytes"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// maxRate bounds a plausible futures fee: 1% (100 bps) either way. A larger
// number means the mapping picked the wrong column.
const maxRate = 0.01

// ParseTable reads the fee table spec describes from a page's HTML into
// schedule rows (Symbol empty, Source page), in the page's order. Any
// doubt — no table, a header that does not match the column map, a tier
// missing, a number that does not parse — fails the whole table: the
// error is a *collectors.Error of kind malformed (empty for a table with no
// rows) whose message names the page, the row and the cell.
func ParseTable(html []byte, spec PageSpec, observed time.Time) ([]collectors.Fee, error) {
	p := parser{spec: spec}
	if u, err := url.Parse(spec.URL); err == nil {
		p.path = u.Path
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(html))
	if err != nil {
		return nil, p.fail(collectors.ErrMalformed, "the page is not HTML")
	}
	el := doc.Find(spec.Selector).First()
	if el.Length() > 0 && !el.Is("table") {
		el = el.Find("table").First()
	}
	if el.Length() == 0 {
		return nil, p.fail(collectors.ErrMalformed, "no fee table matches %q (the page may have changed, or need render: browser)", spec.Selector)
	}
	t := layout(el)
	cols, err := p.columns(t.header)
	if err != nil {
		return nil, err
	}
	if len(t.rows) == 0 {
		return nil, p.fail(collectors.ErrEmpty, "the fee table has no tier rows")
	}

	out := make([]collectors.Fee, 0, len(t.rows))
	seen := map[string]int{}
	for i, row := range t.rows {
		r := rowReader{p: &p, n: i + 1, row: row, cols: cols}
		tier, err := r.text(colTier)
		if err != nil {
			return nil, err
		}
		if tier == "" {
			return nil, p.fail(collectors.ErrMalformed, "row %d: the tier cell is empty", r.n)
		}
		if prev, dup := seen[tier]; dup {
			return nil, p.fail(collectors.ErrMalformed, "rows %d and %d are both tier %q", prev, r.n, tier)
		}
		seen[tier] = r.n
		r.tier = tier
		f := collectors.Fee{
			Exchange: spec.Exchange, Product: spec.Product, Tier: tier,
			Source: collectors.FeeSourcePage, ObservedAt: observed.UTC(),
		}
		if f.MakerRate, err = r.rate(colMaker); err != nil {
			return nil, err
		}
		if f.TakerRate, err = r.rate(colTaker); err != nil {
			return nil, err
		}
		if f.Min30dVolumeUSD, err = r.usd(colVolume); err != nil {
			return nil, err
		}
		if f.MinBalanceUSD, err = r.usd(colBalance); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// The mapped columns, in the order messages name them.
const (
	colTier = iota
	colVolume
	colBalance
	colMaker
	colTaker
	numCols
)

var colNames = [numCols]string{"tier", "30-day volume", "balance", "maker", "taker"}

type parser struct {
	spec PageSpec
	path string
}

func (p *parser) fail(kind collectors.ErrorKind, format string, args ...any) error {
	return &collectors.Error{Kind: kind, Path: p.path, Msg: p.spec.Name() + ": " + fmt.Sprintf(format, args...)}
}

// columns finds each mapped column by its header text; -1 for an unmapped
// optional one. Every mapping must match exactly one column, and no two
// mappings the same one.
func (p *parser) columns(header []string) ([numCols]int, error) {
	m := p.spec.Columns
	want := [numCols]string{m.Tier, m.Volume30d, m.Balance, m.Maker, m.Taker}
	var cols [numCols]int
	owner := map[int]int{}
	for c, sub := range want {
		cols[c] = -1
		if sub == "" {
			if c == colTier || c == colMaker || c == colTaker {
				return cols, p.fail(collectors.ErrInternal, "no header text given for the %s column", colNames[c])
			}
			continue
		}
		var hits []int
		for i, h := range header {
			if strings.Contains(strings.ToLower(h), strings.ToLower(sub)) {
				hits = append(hits, i)
			}
		}
		switch {
		case len(hits) == 0:
			return cols, p.fail(collectors.ErrMalformed, "no column headed %q for the %s (headers: %s)", sub, colNames[c], strings.Join(header, " | "))
		case len(hits) > 1:
			return cols, p.fail(collectors.ErrMalformed, "%q heads %d columns (%s), want one for the %s", sub, len(hits), quoteAt(header, hits), colNames[c])
		}
		// One "Maker / Taker" column holding "0.02% / 0.05%" serves both.
		if o, taken := owner[hits[0]]; taken && !(o == colMaker && c == colTaker) {
			return cols, p.fail(collectors.ErrMalformed, "column %q is both the %s and the %s", header[hits[0]], colNames[o], colNames[c])
		}
		owner[hits[0]] = c
		cols[c] = hits[0]
	}
	return cols, nil
}

func quoteAt(header []string, at []int) string {
	q := make([]string, len(at))
	for i, j := range at {
		q[i] = fmt.Sprintf("%q", header[j])
	}
	return strings.Join(q, ", ")
}

// rowReader reads the mapped cells of one body row.
type rowReader struct {
	p    *parser
	n    int // 1-based body row number
	tier string
	row  []string
	cols [numCols]int
}

func (r *rowReader) where() string {
	if r.tier == "" {
		return fmt.Sprintf("row %d", r.n)
	}
	return fmt.Sprintf("row %d (%s)", r.n, r.tier)
}

func (r *rowReader) text(c int) (string, error) {
	i := r.cols[c]
	if i >= len(r.row) {
		return "", r.p.fail(collectors.ErrMalformed, "%s has %d cells, no %s (column %d)", r.where(), len(r.row), colNames[c], i+1)
	}
	return r.row[i], nil
}

func (r *rowReader) rate(c int) (float64, error) {
	s, err := r.text(c)
	if err != nil {
		return 0, err
	}
	if r.cols[colMaker] == r.cols[colTaker] {
		parts := strings.Split(s, "/")
		if len(parts) != 2 {
			return 0, r.p.fail(collectors.ErrMalformed, "%s, maker / taker: %q is not two percentages split by /", r.where(), s)
		}
		s = parts[0]
		if c == colTaker {
			s = parts[1]
		}
	}
	v, err := ParseRate(s)
	if err != nil {
		return 0, r.p.fail(collectors.ErrMalformed, "%s, %s: %v", r.where(), colNames[c], err)
	}
	if math.Abs(v) > maxRate {
		return 0, r.p.fail(collectors.ErrMalformed, "%s, %s: %q is over 1%%, not a futures fee", r.where(), colNames[c], s)
	}
	return v, nil
}

func (r *rowReader) usd(c int) (float64, error) {
	if r.cols[c] < 0 {
		return 0, nil
	}
	s, err := r.text(c)
	if err != nil {
		return 0, err
	}
	v, err := ParseUSD(s)
	if err != nil {
		return 0, r.p.fail(collectors.ErrMalformed, "%s, %s: %v", r.where(), colNames[c], err)
	}
	return v, nil
}
