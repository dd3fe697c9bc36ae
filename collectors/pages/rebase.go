package pages

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Rebased fetches every page from Base instead of the host its link names,
// keeping path and query: how article links that a feed writes out in full
// reach a replay server or a mirror.
type Rebased struct {
	Base    string // scheme and host, e.g. http://127.0.0.1:8900
	Fetcher collectors.ArticleFetcher
}

// Rebase returns f fetching from base, or f itself when base is empty.
func Rebase(base string, f collectors.ArticleFetcher) collectors.ArticleFetcher {
	if base == "" {
		return f
	}
	return Rebased{Base: base, Fetcher: f}
}

// Fetch fetches rawURL's path and query from r.Base.
func (r Rebased) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, &collectors.Error{Kind: collectors.ErrInternal, Msg: fmt.Sprintf("not a web page address: %q", rawURL)}
	}
	return r.Fetcher.Fetch(ctx, strings.TrimRight(r.Base, "/")+u.RequestURI())
}
