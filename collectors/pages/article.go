package pages

import (
	"context"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// articleSelectors are tried in turn for an article's text: the article
// element, else the page's main content, else the whole body (which every
// parsed page has). An empty match, such as a placeholder a script fills
// in, moves on to the next.
var articleSelectors = []string{"article", "main", "body"}

// ArticleText is the readable text of an announcement page.
func ArticleText(page []byte) (string, error) {
	var err error
	for _, sel := range articleSelectors {
		var text string
		if text, err = Text(page, sel); err == nil && text != "" {
			return text, nil
		}
	}
	return "", err
}

// ArticleBody fetches an announcement page and returns its text, capped at
// collectors.MaxBodyBytes; any failure is returned so that the caller
// stores the announcement from its title, marked body-missing.
func ArticleBody(ctx context.Context, f interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}, url string) (string, error) {
	page, err := f.Fetch(ctx, url)
	if err != nil {
		return "", err
	}
	text, err := ArticleText(page)
	if err != nil {
		return "", err
	}
	if text == "" {
		return "", &collectors.Error{Kind: collectors.ErrEmpty, Msg: "the article page has no text"}
	}
	return collectors.CapBytes(text, collectors.MaxBodyBytes), nil
}
