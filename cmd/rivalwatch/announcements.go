package main

import (
	"net/http"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/binance"
	"github.com/rivalwatch/rivalwatch/collectors/bybit"
	"github.com/rivalwatch/rivalwatch/collectors/okx"
	"github.com/rivalwatch/rivalwatch/collectors/pages"
	"github.com/rivalwatch/rivalwatch/configs"
)

// announcementSources are what every exchange's announcement pull shares:
// the stored articles, a page fetcher on the exchange's own HTTP client
// (its rate limit, User-Agent and body cap, the pages section's per-site
// delay and parallelism) and the configured classification rules.
func announcementSources(cfg configs.Config, client *http.Client, known collectors.KnownArticles) collectors.AnnouncementSources {
	return collectors.AnnouncementSources{
		Known: known,
		Pages: pages.New(client, pages.Options{UserAgent: cfg.PageUserAgent(), Delay: cfg.Pages.Delay,
			Parallelism: cfg.Pages.Parallelism}),
		Classify: cfg.ClassifyRules.Annotate,
	}
}

func binanceAnnouncements(cfg configs.Config) binance.AnnouncementsConfig {
	b := cfg.Exchanges.Binance
	return binance.AnnouncementsConfig{WebURL: b.REST.Web, Catalogs: b.Announcements.Catalogs, PageSize: b.Announcements.PageSize}
}

func bybitAnnouncements(cfg configs.Config) bybit.AnnouncementsConfig {
	y := cfg.Exchanges.Bybit
	return bybit.AnnouncementsConfig{Locale: y.Announcements.Locale, Types: y.Announcements.Types, PagesURL: y.REST.Articles}
}

func okxAnnouncements(cfg configs.Config) okx.AnnouncementsConfig {
	o := cfg.Exchanges.OKX
	return okx.AnnouncementsConfig{AnnTypes: o.Announcements.AnnTypes, PagesURL: o.REST.Articles}
}
