package configs

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
)

func validateExchanges(ex Exchanges, d *document) error {
	errs := []error{validateBinance(ex.Binance, d), validateBybit(ex.Bybit, d), validateOKX(ex.OKX, d)}
	if !ex.Binance.Enabled && !ex.Bybit.Enabled && !ex.OKX.Enabled {
		errs = append(errs, d.at("exchanges", "every exchange is disabled"))
	}
	return errors.Join(errs...)
}

func validateBinance(b Binance, d *document) error {
	const at = "exchanges.binance"
	errs := []error{
		validateLimits(at, b.Limits, d),
		d.checkURL(at+".rest.usdm", b.REST.USDM, "http", "https"),
		d.checkURL(at+".rest.coinm", b.REST.COINM, "http", "https"),
		d.checkURL(at+".rest.web", b.REST.Web, "http", "https"),
		d.checkURL(at+".websocket.usdm", b.Websocket.USDM, "ws", "wss"),
		validateCredentials(at+".credentials", b.Credentials, d),
	}
	if b.OpenInterestTop < 0 {
		errs = append(errs, d.at(at+".open_interest_top", "must not be negative"))
	}
	if b.Concurrency < 1 {
		errs = append(errs, d.at(at+".concurrency", "must be at least 1"))
	}
	a := b.Announcements
	if len(a.Catalogs) == 0 {
		errs = append(errs, d.at(at+".announcements.catalogs", "must list at least one catalog id such as 48 (new listings)"))
	}
	for i, c := range a.Catalogs {
		key := fmt.Sprintf("%s.announcements.catalogs[%d]", at, i)
		switch {
		case c < 1:
			errs = append(errs, d.at(key, "must be a positive catalog id, got %d", c))
		case slices.Index(a.Catalogs, c) < i:
			errs = append(errs, d.at(key, "catalog %d is listed twice", c))
		}
	}
	// Binance answers 20 items for sizes it does not support, and none
	// above 50.
	if a.PageSize < 1 || a.PageSize > 50 {
		errs = append(errs, d.at(at+".announcements.page_size", "must be 1 to 50 articles, got %d", a.PageSize))
	}
	return errors.Join(errs...)
}

// bybitTypes are the announcement types Bybit documents; a typo would
// otherwise read as a quiet exchange.
var bybitTypes = []string{"new_crypto", "latest_bybit_news", "delistings", "latest_activities",
	"product_updates", "maintenance_updates", "new_fiat_listings", "other"}

var locale = regexp.MustCompile(`^[a-z]{2}-[A-Z]{2}$`)

func validateBybit(y Bybit, d *document) error {
	const at = "exchanges.bybit"
	errs := []error{
		validateLimits(at, y.Limits, d),
		d.checkURL(at+".rest.v5", y.REST.V5, "http", "https"),
		d.checkOptionalURL(at+".rest.articles", y.REST.Articles),
		d.checkURL(at+".websocket.linear", y.Websocket.Linear, "ws", "wss"),
		d.checkURL(at+".websocket.inverse", y.Websocket.Inverse, "ws", "wss"),
		validateCredentials(at+".credentials", y.Credentials, d),
	}
	if y.PageLimit < 1 || y.PageLimit > 1000 {
		errs = append(errs, d.at(at+".page_limit", "must be 1 to 1000, got %d", y.PageLimit))
	}
	a := y.Announcements
	if !locale.MatchString(a.Locale) {
		errs = append(errs, d.at(at+".announcements.locale", "must be a locale such as en-US, got %q", a.Locale))
	}
	errs = append(errs, validateTypeList(at+".announcements.types", a.Types, d, func(key, t string) error {
		return d.checkOneOf(key, t, bybitTypes...)
	}))
	return errors.Join(errs...)
}

// okxType is the shape of an OKX annType; OKX publishes the list at
// /api/v5/support/announcement-types and adds to it, so only the shape is
// checked.
var okxType = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func validateOKX(o OKX, d *document) error {
	const at = "exchanges.okx"
	errs := []error{
		validateLimits(at, o.Limits, d),
		d.checkURL(at+".rest.v5", o.REST.V5, "http", "https"),
		d.checkOptionalURL(at+".rest.articles", o.REST.Articles),
		d.checkURL(at+".websocket.public", o.Websocket.Public, "ws", "wss"),
		validateCredentials(at+".credentials", o.Credentials.Credentials, d),
		d.checkEnvName(at+".credentials.passphrase_env", o.Credentials.PassphraseEnv),
	}
	if (o.Credentials.KeyEnv == "") != (o.Credentials.PassphraseEnv == "") {
		errs = append(errs, d.at(at+".credentials", "key_env, secret_env and passphrase_env go together: set all three or none"))
	}
	if o.Concurrency < 1 {
		errs = append(errs, d.at(at+".concurrency", "must be at least 1"))
	}
	errs = append(errs, validateTypeList(at+".announcements.ann_types", o.Announcements.AnnTypes, d, func(key, t string) error {
		if !okxType.MatchString(t) {
			return d.at(key, "must be an OKX announcement type such as announcements-new-listings, got %q", t)
		}
		return nil
	}))
	return errors.Join(errs...)
}

// validateTypeList checks a non-empty list of distinct announcement types, each with check.
func validateTypeList(key string, names []string, d *document, check func(key, name string) error) error {
	if len(names) == 0 {
		return d.at(key, "must list at least one type; to stop reading announcements, set the schedule to off")
	}
	var errs []error
	for i, n := range names {
		k := fmt.Sprintf("%s[%d]", key, i)
		if slices.Index(names, n) < i {
			errs = append(errs, d.at(k, "%s is listed twice", n))
			continue
		}
		errs = append(errs, check(k, n))
	}
	return errors.Join(errs...)
}

func validateLimits(at string, l Limits, d *document) error {
	var errs []error
	if l.RequestsPerSecond <= 0 {
		errs = append(errs, d.at(at+".requests_per_second", "must be positive, got %g", l.RequestsPerSecond))
	}
	if l.Burst < 1 {
		errs = append(errs, d.at(at+".burst", "must be at least 1, got %d", l.Burst))
	}
	return errors.Join(errs...)
}

func validateCredentials(at string, c Credentials, d *document) error {
	errs := []error{d.checkEnvName(at+".key_env", c.KeyEnv), d.checkEnvName(at+".secret_env", c.SecretEnv)}
	if (c.KeyEnv == "") != (c.SecretEnv == "") {
		errs = append(errs, d.at(at, "key_env and secret_env go together: set both or neither"))
	}
	return errors.Join(errs...)
}
