package binance

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/adshao/go-binance/v2/futures"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/fees"
)

// Credentials are a read-only API key of our observer account. They are
// passed in (read from the environment variables the config names), never
// logged, and scrubbed from every error.
type Credentials struct {
	Key, Secret string
}

// DefaultFeeConcurrency keeps the per-symbol fee requests (weight 20 each
// on a budget of 2400 a minute) from crowding out the public pulls.
const DefaultFeeConcurrency = 4

// FeeSource reads our account's own fee rates: its VIP tier from
// /fapi/v1/accountConfig and each listed symbol's maker and taker from
// /fapi/v1/commissionRate and /dapi/v1/commissionRate, where zero-fee and
// discounted pairs show.
type FeeSource struct {
	FuturesURL  string // USDⓈ-M base; empty for DefaultFuturesURL
	DeliveryURL string // COIN-M base; empty for DefaultDeliveryURL
	Client      *http.Client
	Credentials Credentials
	USDM        []string // USDⓈ-M symbols: BTCUSDT, BTCUSDC (…USDC is the usdc product)
	COINM       []string // COIN-M symbols: BTCUSD_PERP
	Concurrency int      // requests in flight; 0 for DefaultFeeConcurrency
	Now         func() time.Time
}

const (
	pathAccountConfig   = "/fapi/v1/accountConfig"
	pathUSDMCommission  = "/fapi/v1/commissionRate"
	pathCOINMCommission = "/dapi/v1/commissionRate"
	feeRecvWindowMillis = 10000
)

// Fees returns one row per symbol (Source api, Tier our account's VIP
// level), sorted by product and symbol, or an error and no rows.
func (s FeeSource) Fees(ctx context.Context) ([]collectors.Fee, error) {
	if s.Credentials.Key == "" || s.Credentials.Secret == "" {
		return nil, &collectors.Error{Kind: collectors.ErrInternal, Msg: "no Binance API key and secret configured"}
	}
	if len(s.USDM)+len(s.COINM) == 0 {
		return nil, &collectors.Error{Kind: collectors.ErrInternal, Msg: "no symbols to read fees for"}
	}
	if s.FuturesURL == "" {
		s.FuturesURL = DefaultFuturesURL
	}
	if s.DeliveryURL == "" {
		s.DeliveryURL = DefaultDeliveryURL
	}
	if s.Concurrency <= 0 {
		s.Concurrency = DefaultFeeConcurrency
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	s.FuturesURL = strings.TrimRight(s.FuturesURL, "/")
	s.DeliveryURL = strings.TrimRight(s.DeliveryURL, "/")
	// go-binance's constructor defaults to http.DefaultClient, the live
	// host and a stderr logger; each is replaced.
	usdm := futures.NewClient(s.Credentials.Key, s.Credentials.Secret)
	usdm.BaseURL, usdm.HTTPClient, usdm.Logger = s.FuturesURL, s.Client, log.New(io.Discard, "", 0)

	var tier string
	usdmRows := make([]*futures.CommissionRate, len(s.USDM))
	coinmRows := make([]commissionRate, len(s.COINM))
	tasks := []func(context.Context) error{func(ctx context.Context) error {
		cfg, err := usdm.NewGetAccountConfigService().Do(ctx)
		if err != nil {
			return s.redact(pathAccountConfig, err)
		}
		tier = fmt.Sprintf("VIP%d", cfg.FeeTier) // 0 is the page's "Regular User"
		return nil
	}}
	for i, sym := range s.USDM {
		tasks = append(tasks, func(ctx context.Context) (err error) {
			usdmRows[i], err = usdm.NewCommissionRateService().Symbol(sym).Do(ctx)
			return s.redact(pathUSDMCommission, err)
		})
	}
	for i, sym := range s.COINM {
		tasks = append(tasks, func(ctx context.Context) (err error) {
			coinmRows[i], err = s.coinmCommission(ctx, sym)
			return s.redact(pathCOINMCommission, err)
		})
	}
	if err := collectors.FanOut(ctx, s.Concurrency, tasks...); err != nil {
		return nil, err
	}

	observed := s.Now().UTC()
	out := make([]collectors.Fee, 0, len(s.USDM)+len(s.COINM))
	add := func(path, want, product string, r commissionRate) error {
		f, err := r.fee(want, product, tier, observed)
		if err != nil {
			return &collectors.Error{Kind: collectors.ErrMalformed, Path: path, Msg: want + ": " + err.Error()}
		}
		out = append(out, f)
		return nil
	}
	for i, r := range usdmRows {
		product := collectors.ProductUSDM
		if strings.HasSuffix(s.USDM[i], "USDC") {
			product = collectors.ProductUSDC
		}
		if r == nil {
			r = &futures.CommissionRate{}
		}
		if err := add(pathUSDMCommission, s.USDM[i], product, commissionRate(*r)); err != nil {
			return nil, err
		}
	}
	for i, r := range coinmRows {
		if err := add(pathCOINMCommission, s.COINM[i], collectors.ProductCOINM, r); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b collectors.Fee) int {
		return strings.Compare(a.Product+" "+a.Symbol, b.Product+" "+b.Symbol)
	})
	return out, nil
}

// commissionRate is one /commissionRate answer of either API; rates are
// fractions ("0.0002").
type commissionRate struct {
	Symbol              string `json:"symbol"`
	MakerCommissionRate string `json:"makerCommissionRate"`
	TakerCommissionRate string `json:"takerCommissionRate"`
}

func (r commissionRate) fee(want, product, tier string, observed time.Time) (collectors.Fee, error) {
	if r.Symbol != want {
		return collectors.Fee{}, fmt.Errorf("the answer is for %q", r.Symbol)
	}
	maker, err1 := strconv.ParseFloat(r.MakerCommissionRate, 64)
	taker, err2 := strconv.ParseFloat(r.TakerCommissionRate, 64)
	if err := errors.Join(err1, err2); err != nil {
		return collectors.Fee{}, fmt.Errorf("rates %q / %q are not numbers", r.MakerCommissionRate, r.TakerCommissionRate)
	}
	return collectors.Fee{
		Exchange: "binance", Product: product, Tier: tier, Symbol: want,
		MakerRate: maker, TakerRate: taker, Source: collectors.FeeSourceAPI, ObservedAt: observed,
	}, nil
}

// coinmCommission signs /dapi/v1/commissionRate itself: go-binance's
// delivery package has no service for it.
func (s FeeSource) coinmCommission(ctx context.Context, symbol string) (commissionRate, error) {
	q := url.Values{}
	q.Set("symbol", symbol)
	q.Set("recvWindow", strconv.Itoa(feeRecvWindowMillis))
	q.Set("timestamp", strconv.FormatInt(s.Now().UnixMilli(), 10))
	query := q.Encode()
	query += "&signature=" + signHMAC(s.Credentials.Secret, query)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.DeliveryURL+pathCOINMCommission+"?"+query, nil)
	if err != nil {
		return commissionRate{}, &collectors.Error{Kind: collectors.ErrInternal, Err: err}
	}
	req.Header.Set("X-MBX-APIKEY", s.Credentials.Key)
	resp, err := s.Client.Do(req)
	if err != nil {
		return commissionRate{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return commissionRate{}, &collectors.Error{Kind: collectors.ErrTruncated, Msg: "the response ended early", Err: err}
	}
	var r commissionRate
	err = collectors.DecodeJSON(body, &r)
	return r, err
}

// signHMAC is Binance's HMAC-SHA256 signature of a query, in hex.
func signHMAC(secret, payload string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(payload))
	return hex.EncodeToString(m.Sum(nil))
}

var signatureParam = regexp.MustCompile(`signature=[^&\s"']*`)

// fees is the fees pull: the configured pages and manual entries, and our
// account's per-symbol rates when a key is configured.
func (c *Collector) fees(ctx context.Context) ([]collectors.Fee, error) {
	return c.cfg.Fees.WithAccount(c.Exchange(), c.cfg.Credentials.Key != "", c.accountFees).Fees(ctx)
}

// accountFees reads our rates for the tracked perpetuals of the shared
// instrument lists.
func (c *Collector) accountFees(ctx context.Context) ([]collectors.Fee, error) {
	list, err := c.instruments(ctx)
	if err != nil {
		return nil, err
	}
	src := FeeSource{FuturesURL: c.cfg.FuturesURL, DeliveryURL: c.cfg.DeliveryURL, Client: c.client,
		Credentials: c.cfg.Credentials, Now: c.now}
	for _, in := range fees.Tracked(list, c.cfg.FeeSymbols) {
		if in.Margin == collectors.Inverse {
			src.COINM = append(src.COINM, in.Symbol)
		} else {
			src.USDM = append(src.USDM, in.Symbol)
		}
	}
	return src.Fees(ctx)
}

// redact names the endpoint and keeps the failure kind, with the key, the
// secret and any signature removed (go-binance's errors repeat the whole
// signed URL).
func (s FeeSource) redact(path string, err error) error {
	if err == nil {
		return nil
	}
	err = collectors.Redact(err, path, func(text string) string {
		return signatureParam.ReplaceAllString(text, "signature=[redacted]")
	}, s.Credentials.Key, s.Credentials.Secret)
	var e *collectors.Error
	if errors.As(err, &e) {
		e.Path = path
	}
	return err
}
