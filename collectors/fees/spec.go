// Package fees reads rivals' published fee schedules from their web pages
// into collectors.Fee rows, and turns manual config entries into the same
// rows. It is exchange-agnostic: each page is described by a PageSpec (where
// the table is, which header names which column), so a redesigned page is
// a config change, not a code change.
//
// Parsing is strict. A fee schedule that half-parses would look like a fee
// change; any doubt fails the whole page as malformed with the cell that
// caused it.
package fees

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/andybalholm/cascadia"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// RenderBrowser is PageSpec.Render for a page whose table is built by its
// scripts and needs headless Chromium (pages.Render) before parsing.
const RenderBrowser = "browser"

// ColumnMap names each column by a case-insensitive substring of its
// header text, so that columns are found by what they say, not where they
// are: a page that swaps two columns still parses, one that renames a
// column fails. Tier, Maker and Taker are required; Volume30d and Balance
// may be empty when the page has no such column.
//
// With a header of two rows (a group cell spanning "Maker" and "Taker"),
// a column's header text is the group's text, a space, and its own:
// "USDT-margined contracts Maker". Maker and Taker may name the same
// column when the page prints both in one cell ("0.0200% / 0.0500%").
type ColumnMap struct {
	Tier      string `yaml:"tier"`
	Volume30d string `yaml:"volume_30d"`
	Balance   string `yaml:"balance"`
	Maker     string `yaml:"maker"`
	Taker     string `yaml:"taker"`
}

// PageSpec describes one fee-schedule table on one page.
type PageSpec struct {
	Exchange     string    `yaml:"exchange"`
	Product      string    `yaml:"product"` // collectors.ProductUSDM, ProductCOINM, ProductUSDC
	URL          string    `yaml:"url"`
	Selector     string    `yaml:"selector"` // CSS of the table, or of an element whose first table it is
	Render       string    `yaml:"render"`   // "" to fetch the HTML, RenderBrowser to render it first
	Columns      ColumnMap `yaml:"columns"`
	WaitSelector string    `yaml:"wait_selector"` // rendering waits until this is visible; empty for Selector
}

// Validate reports every problem of the spec at once, for the config
// loader.
func (s PageSpec) Validate() error {
	var errs []error
	need := func(v, name string) {
		if v == "" {
			errs = append(errs, fmt.Errorf("%s is required", name))
		}
	}
	need(s.Exchange, "exchange")
	need(s.URL, "url")
	need(s.Selector, "selector")
	need(s.Columns.Tier, "columns.tier")
	need(s.Columns.Maker, "columns.maker")
	need(s.Columns.Taker, "columns.taker")
	if !validProduct(s.Product) {
		errs = append(errs, fmt.Errorf("product %q is not one of usdm, coinm, usdc", s.Product))
	}
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			errs = append(errs, fmt.Errorf("url %q is not a web page address", s.URL))
		}
	}
	for _, f := range [][2]string{{"selector", s.Selector}, {"wait_selector", s.WaitSelector}} {
		if f[1] == "" {
			continue
		}
		if _, err := cascadia.Compile(f[1]); err != nil {
			errs = append(errs, fmt.Errorf("%s %q is not a CSS selector: %w", f[0], f[1], err))
		}
	}
	if s.Render != "" && s.Render != RenderBrowser {
		errs = append(errs, fmt.Errorf("render %q is not \"\" or %q", s.Render, RenderBrowser))
	}
	return errors.Join(errs...)
}

// Name is how messages refer to the page: "bybit usdm fee page".
func (s PageSpec) Name() string {
	return fmt.Sprintf("%s %s fee page", s.Exchange, s.Product)
}

func validProduct(p string) bool {
	switch p {
	case collectors.ProductUSDM, collectors.ProductCOINM, collectors.ProductUSDC:
		return true
	}
	return false
}
