package exchangetest

import (
	"encoding/json"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Article is one announcement an exchange publishes, in normalized form;
// each exchange renders it in its own feed shape and article page.
type Article struct {
	ID    string // Binance article code; the last path segment of a Bybit or OKX article URL
	Feed  string // Binance catalog id ("48"), Bybit type (new_crypto), OKX annType
	Title string
	// Body is the article text, one paragraph per line; a line holding
	// " | " is a table row of cells.
	Body        string
	PublishedAt time.Time
	// EventStart and EventEnd are the campaign window Bybit's feed
	// publishes for latest_activities; zero elsewhere.
	EventStart, EventEnd time.Time
}

// Earn is one yield product.
type Earn struct {
	Product string // Bybit: FlexibleSaving or OnChain; OKX: savings
	Coin    string
	APR     float64 // yearly fraction
	Term    int     // lock-up in days, 0 for flexible
}

// The article hosts the feeds link to; their paths never collide with the
// APIs', so one Handler serves the pages too.
const (
	bybitArticleBase = "https://announcements.bybit.com/en/article/"
	okxArticleBase   = "https://www.okx.com/help/"
)

func registerAnnouncements(mux *http.ServeMux, w *World) {
	mux.HandleFunc("GET /bapi/composite/v1/public/cms/article/list/query", func(rw http.ResponseWriter, r *http.Request) {
		catalog := r.URL.Query().Get("catalogId")
		type art struct {
			Code        string `json:"code"`
			Title       string `json:"title"`
			ReleaseDate int64  `json:"releaseDate"`
		}
		arts := []art{}
		for _, a := range newestFirst(w.BinanceNews, catalog) {
			arts = append(arts, art{a.ID, a.Title, a.PublishedAt.UnixMilli()})
		}
		id, _ := strconv.Atoi(catalog)
		binanceWrite(rw, http.StatusOK, map[string]any{"code": "000000", "message": nil, "success": true,
			"data": map[string]any{"catalogs": []any{map[string]any{"catalogId": id, "articles": arts, "total": len(arts)}}}})
	})
	mux.HandleFunc("GET /bapi/composite/v1/public/cms/article/detail/query", func(rw http.ResponseWriter, r *http.Request) {
		code := r.URL.Query().Get("articleCode")
		for _, a := range w.BinanceNews {
			if a.ID == code {
				binanceWrite(rw, http.StatusOK, map[string]any{"code": "000000", "message": nil, "success": true,
					"data": map[string]any{"code": a.ID, "title": a.Title, "body": richText(a.Body)}})
				return
			}
		}
		binanceWrite(rw, http.StatusOK, map[string]any{"code": "000002", "message": "article not found", "data": nil})
	})
	mux.HandleFunc("GET /v5/announcements/index", func(rw http.ResponseWriter, r *http.Request) {
		typ := r.URL.Query().Get("type")
		list := []map[string]any{}
		for _, a := range newestFirst(w.BybitNews, typ) {
			item := map[string]any{"title": a.Title, "description": "", "url": bybitArticleBase + a.ID + "/",
				"type": map[string]string{"key": a.Feed, "title": a.Feed}, "tags": []string{},
				"dateTimestamp": a.PublishedAt.UnixMilli(), "publishTime": a.PublishedAt.UnixMilli()}
			if !a.EventStart.IsZero() {
				item["startDateTimestamp"], item["endDateTimestamp"] = a.EventStart.UnixMilli(), a.EventEnd.UnixMilli()
			}
			list = append(list, item)
		}
		writeBybit(rw, w, map[string]any{"total": len(list), "list": list}, 0, "")
	})
	mux.HandleFunc("GET /en/article/{id}/", func(rw http.ResponseWriter, r *http.Request) {
		articlePage(rw, w.BybitNews, r.PathValue("id"))
	})
	mux.HandleFunc("GET /api/v5/support/announcements", func(rw http.ResponseWriter, r *http.Request) {
		typ := r.URL.Query().Get("annType")
		details := []map[string]any{}
		for _, a := range newestFirst(w.OKXNews, typ) {
			ms := strconv.FormatInt(a.PublishedAt.UnixMilli(), 10)
			details = append(details, map[string]any{"annType": a.Feed, "title": a.Title, "url": okxArticleBase + a.ID,
				"pTime": ms, "businessPTime": ms})
		}
		// OKX answers a feed with nothing for this region with an empty
		// details list, never an error.
		writeOKX(rw, http.StatusOK, "0", "", []any{map[string]any{"totalPage": "1", "details": details}})
	})
	mux.HandleFunc("GET /help/{id}", func(rw http.ResponseWriter, r *http.Request) {
		articlePage(rw, w.OKXNews, r.PathValue("id"))
	})
	mux.HandleFunc("GET /v5/earn/product", func(rw http.ResponseWriter, r *http.Request) {
		category := r.URL.Query().Get("category")
		list := []map[string]any{}
		for _, e := range w.BybitEarn {
			if e.Product != category {
				continue
			}
			p := map[string]any{"category": e.Product, "coin": e.Coin, "productId": e.Product + "-" + e.Coin,
				"estimateApr": strconv.FormatFloat(e.APR*100, 'f', -1, 64) + "%", "status": "Available",
				"minStakeAmount": "1", "maxStakeAmount": "1000000", "precision": "8"}
			if e.Term > 0 {
				p["duration"], p["term"] = "Fixed", e.Term
			} else if e.Product == "OnChain" {
				p["duration"] = "Flexible"
			}
			list = append(list, p)
		}
		writeBybit(rw, w, map[string]any{"list": list}, 0, "")
	})
	mux.HandleFunc("GET /api/v5/finance/savings/lending-rate-summary", func(rw http.ResponseWriter, r *http.Request) {
		data := []map[string]string{}
		for _, e := range w.OKXEarn {
			rate := strconv.FormatFloat(e.APR, 'f', -1, 64)
			data = append(data, map[string]string{"ccy": e.Coin, "avgAmt": "1000000", "avgAmtUsd": "1000000",
				"avgRate": rate, "preRate": rate, "estRate": rate})
		}
		writeOKX(rw, http.StatusOK, "0", "", data)
	})
}

// newestFirst lists one feed's articles, newest first, as the feeds do.
func newestFirst(all []Article, feed string) []Article {
	var out []Article
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Feed == feed {
			out = append(out, all[i])
		}
	}
	return out
}

// richText renders a body as Binance's CMS does: a rich-text tree encoded
// as a JSON string, table rows as tr of td cells.
func richText(body string) string {
	type node struct {
		Node  string  `json:"node"`
		Tag   string  `json:"tag,omitempty"`
		Text  string  `json:"text,omitempty"`
		Child []*node `json:"child,omitempty"`
	}
	text := func(s string) *node { return &node{Node: "text", Text: s} }
	root := &node{Node: "root"}
	var table *node
	for _, line := range strings.Split(body, "\n") {
		if cells := strings.Split(line, " | "); len(cells) > 1 {
			if table == nil {
				table = &node{Node: "element", Tag: "table"}
				root.Child = append(root.Child, table)
			}
			tr := &node{Node: "element", Tag: "tr"}
			for _, c := range cells {
				tr.Child = append(tr.Child, &node{Node: "element", Tag: "td", Child: []*node{text(c)}})
			}
			table.Child = append(table.Child, tr)
			continue
		}
		table = nil
		root.Child = append(root.Child, &node{Node: "element", Tag: "p", Child: []*node{text(line)}})
	}
	b, _ := json.Marshal(root)
	return string(b)
}

// articlePage serves an article as an HTML page, its text in <article>.
func articlePage(rw http.ResponseWriter, arts []Article, id string) {
	for _, a := range arts {
		if a.ID != id {
			continue
		}
		var b strings.Builder
		b.WriteString("<!doctype html><html><head><title>" + html.EscapeString(a.Title) + "</title></head><body><nav>Home</nav><article><h1>" +
			html.EscapeString(a.Title) + "</h1>")
		for _, line := range strings.Split(a.Body, "\n") {
			b.WriteString("<p>" + html.EscapeString(line) + "</p>")
		}
		b.WriteString("</article></body></html>")
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Write([]byte(b.String()))
		return
	}
	http.NotFound(rw, nil)
}
