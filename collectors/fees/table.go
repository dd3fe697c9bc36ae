package fees

import (
	"slices"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// maxSpan bounds colspan and rowspan: a page with a larger span is broken,
// and an unbounded one would let a page make us allocate at will.
const maxSpan = 64

// table is an HTML table laid out on a grid: every cell at its column
// position, spans spread out, so that a column has one index in all rows.
type table struct {
	header []string   // each column's header text, group headers first
	rows   [][]string // the body rows, empty rows dropped
}

// layout reads el (a <table>) into a table. The header is the rows of
// <thead>, else the leading rows made only of <th>, else the first row.
func layout(el *goquery.Selection) table {
	var grid [][]string
	var inHead, allHeads []bool // per row: under <thead>; made only of <th>
	type carry struct {
		text string
		left int
	}
	var carried []carry
	el.ChildrenFiltered("thead, tbody, tfoot").ChildrenFiltered("tr").Each(func(_ int, tr *goquery.Selection) {
		var row []string
		put := func(col int, text string) {
			for len(row) <= col {
				row = append(row, "")
			}
			row[col] = text
		}
		col := 0
		takeCarried := func() {
			for col < len(carried) && carried[col].left > 0 {
				put(col, carried[col].text)
				carried[col].left--
				col++
			}
		}
		allTH := true
		tr.ChildrenFiltered("td, th").Each(func(_ int, c *goquery.Selection) {
			takeCarried()
			if !c.Is("th") {
				allTH = false
			}
			text := strings.Join(strings.Fields(c.Text()), " ")
			rs := span(c, "rowspan")
			for range span(c, "colspan") {
				put(col, text)
				if rs > 1 {
					for len(carried) <= col {
						carried = append(carried, carry{})
					}
					carried[col] = carry{text, rs - 1}
				}
				col++
			}
		})
		takeCarried()
		for ; col < len(carried); col++ { // carried cells right of the last one
			if carried[col].left > 0 {
				put(col, carried[col].text)
				carried[col].left--
			}
		}
		grid = append(grid, row)
		inHead = append(inHead, tr.Parent().Is("thead"))
		allHeads = append(allHeads, allTH && len(row) > 0)
	})

	heads := allHeads
	if slices.Contains(inHead, true) {
		heads = inHead
	}
	n := 0
	for n < len(grid) && heads[n] {
		n++
	}
	n = min(max(n, 1), len(grid))
	var t table
	for _, row := range grid[:n] {
		for col, text := range row {
			for len(t.header) <= col {
				t.header = append(t.header, "")
			}
			// A rowspan repeats the same header text; say it once.
			if text != "" && !strings.HasSuffix(t.header[col], text) {
				t.header[col] = strings.TrimSpace(t.header[col] + " " + text)
			}
		}
	}
	for _, row := range grid[n:] {
		if strings.Join(row, "") != "" {
			t.rows = append(t.rows, row)
		}
	}
	return t
}

func span(c *goquery.Selection, attr string) int {
	v, ok := c.Attr(attr)
	if !ok {
		return 1
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, maxSpan)
}
