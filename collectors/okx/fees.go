package okx

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/fees"
)

// Credentials are a read-only API key of our observer account, with the
// passphrase OKX asks for. They are passed in (read from the environment
// variables the config names), never logged, and scrubbed from every
// error.
type Credentials struct {
	Key, Secret, Passphrase string
}

// DefaultFeeConcurrency stays under trade-fee's limit of 5 requests per
// 2 seconds with the transport's retries.
const DefaultFeeConcurrency = 2

// FeeSource reads our account's fee level and rates for each tracked swap
// family from /api/v5/account/trade-fee. OKX's API does not show its
// zero-fee pairs (its docs send you to the fees page), so these rows show
// our tier's rate per family, not symbol promotions.
type FeeSource struct {
	BaseURL     string // e.g. https://www.okx.com
	Client      *http.Client
	Credentials Credentials
	// Symbols are the swaps to read, by instId (BTC-USDT-SWAP, BTC-USD-SWAP,
	// BTC-USDC-SWAP); each costs one request, for its family.
	Symbols     []string
	Concurrency int // 0 for DefaultFeeConcurrency
	Now         func() time.Time
}

const tradeFeePath = "/api/v5/account/trade-fee"

// OKX codes that mean the key, its signature or passphrase was refused.
var codeKeyRefused = map[string]bool{"50105": true, "50111": true, "50112": true, "50113": true, "50114": true}

// Fees returns one row per symbol (Source api, Tier our level, "Lv1"),
// sorted by product and symbol, or an error and no rows.
func (s FeeSource) Fees(ctx context.Context) ([]collectors.Fee, error) {
	if s.Credentials.Key == "" || s.Credentials.Secret == "" || s.Credentials.Passphrase == "" {
		return nil, &collectors.Error{Kind: collectors.ErrInternal, Msg: "no OKX API key, secret and passphrase configured"}
	}
	if len(s.Symbols) == 0 {
		return nil, &collectors.Error{Kind: collectors.ErrInternal, Msg: "no symbols to read fees for"}
	}
	s.BaseURL = strings.TrimRight(s.BaseURL, "/")
	if s.Concurrency <= 0 {
		s.Concurrency = DefaultFeeConcurrency
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	out := make([]collectors.Fee, len(s.Symbols))
	tasks := make([]func(context.Context) error, len(s.Symbols))
	for i, sym := range s.Symbols {
		tasks[i] = func(ctx context.Context) error {
			f, err := s.symbol(ctx, sym)
			out[i] = f
			return collectors.Redact(err, tradeFeePath, nil, s.Credentials.Key, s.Credentials.Secret, s.Credentials.Passphrase)
		}
	}
	if err := collectors.FanOut(ctx, s.Concurrency, tasks...); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b collectors.Fee) int {
		return strings.Compare(a.Product+" "+a.Symbol, b.Product+" "+b.Symbol)
	})
	return out, nil
}

// tradeFee is one trade-fee answer. OKX's sign is the account's: a
// positive rate is a rebate paid to us, a negative one a commission.
type tradeFee struct {
	Level     string `json:"level"`
	Maker     string `json:"maker"` // crypto-margined
	Taker     string `json:"taker"`
	MakerU    string `json:"makerU"` // USDT-margined
	TakerU    string `json:"takerU"`
	MakerUSDC string `json:"makerUSDC"`
	TakerUSDC string `json:"takerUSDC"`
}

// rates picks the product's pair of fields for family (BTC-USDT, BTC-USD,
// BTC-USDC).
func (r tradeFee) rates(family string) (product, maker, taker string) {
	switch {
	case strings.HasSuffix(family, "-USDT"):
		return collectors.ProductUSDM, r.MakerU, r.TakerU
	case strings.HasSuffix(family, "-USDC"):
		return collectors.ProductUSDC, r.MakerUSDC, r.TakerUSDC
	}
	return collectors.ProductCOINM, r.Maker, r.Taker
}

func (s FeeSource) symbol(ctx context.Context, instID string) (collectors.Fee, error) {
	family, ok := strings.CutSuffix(instID, "-SWAP")
	if !ok || strings.Count(family, "-") != 1 {
		return collectors.Fee{}, &collectors.Error{Kind: collectors.ErrInternal, Path: tradeFeePath, Msg: fmt.Sprintf("%q is not a swap instId", instID)}
	}
	var rows []tradeFee
	if err := s.get(ctx, url.Values{"instType": {"SWAP"}, "instFamily": {family}}, &rows); err != nil {
		return collectors.Fee{}, err
	}
	if len(rows) != 1 {
		return collectors.Fee{}, &collectors.Error{Kind: collectors.ErrMalformed, Path: tradeFeePath, Msg: fmt.Sprintf("%s: %d answers, want 1", family, len(rows))}
	}
	r := rows[0]
	product, maker, taker := r.rates(family)
	m, err1 := strconv.ParseFloat(maker, 64)
	t, err2 := strconv.ParseFloat(taker, 64)
	if r.Level == "" || errors.Join(err1, err2) != nil {
		return collectors.Fee{}, &collectors.Error{Kind: collectors.ErrMalformed, Path: tradeFeePath,
			Msg: fmt.Sprintf("%s: level %q, rates %q / %q", family, r.Level, maker, taker)}
	}
	return collectors.Fee{
		Exchange: "okx", Product: product, Tier: r.Level, Symbol: instID,
		MakerRate: -m, TakerRate: -t, // OKX's sign is ours negated
		Source: collectors.FeeSourceAPI, ObservedAt: s.Now().UTC(),
	}, nil
}

// feeEnvelope is OKX's wrapper around the answer.
type feeEnvelope struct {
	Code string     `json:"code"`
	Msg  string     `json:"msg"`
	Data []tradeFee `json:"data"`
}

// get sends one signed request: OK-ACCESS-SIGN is the Base64 HMAC-SHA256
// of timestamp + method + request path with query + body (none for GET).
func (s FeeSource) get(ctx context.Context, query url.Values, out *[]tradeFee) error {
	requestPath := tradeFeePath + "?" + query.Encode()
	ts := s.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	m := hmac.New(sha256.New, []byte(s.Credentials.Secret))
	m.Write([]byte(ts + http.MethodGet + requestPath))

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.BaseURL+requestPath, nil)
	if err != nil {
		return &collectors.Error{Kind: collectors.ErrInternal, Path: tradeFeePath, Err: err}
	}
	req.Header.Set("OK-ACCESS-KEY", s.Credentials.Key)
	req.Header.Set("OK-ACCESS-SIGN", base64.StdEncoding.EncodeToString(m.Sum(nil)))
	req.Header.Set("OK-ACCESS-TIMESTAMP", ts)
	req.Header.Set("OK-ACCESS-PASSPHRASE", s.Credentials.Passphrase)
	resp, err := s.Client.Do(req)
	if err != nil {
		return collectors.WithPath(tradeFeePath, collectors.Classify(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return &collectors.Error{Kind: collectors.ErrTruncated, Path: tradeFeePath, Msg: "the response ended early", Err: err}
	}
	var env feeEnvelope
	if err := collectors.DecodeJSON(body, &env); err != nil {
		return collectors.WithPath(tradeFeePath, err)
	}
	switch {
	case env.Code == "":
		return &collectors.Error{Kind: collectors.ErrMalformed, Path: tradeFeePath, Msg: "no code field: not an OKX v5 answer"}
	case env.Code == codeRateLimited:
		return &collectors.Error{Kind: collectors.ErrRateLimited, Path: tradeFeePath, Msg: "code 50011: " + env.Msg}
	case codeKeyRefused[env.Code]:
		return &collectors.Error{Kind: collectors.ErrRejected, Path: tradeFeePath, Msg: fmt.Sprintf("the API key was refused (code %s: %s)", env.Code, env.Msg)}
	case env.Code != "0":
		return &collectors.Error{Kind: collectors.ErrAPI, Path: tradeFeePath, Msg: fmt.Sprintf("code %s: %s", env.Code, env.Msg)}
	}
	*out = env.Data
	return nil
}

// fees is the fees pull: the configured pages and manual entries, and our
// account's rates when a key is configured.
func (c *Collector) fees(ctx context.Context) ([]collectors.Fee, error) {
	return c.cfg.Fees.WithAccount(c.Exchange(), c.cfg.Credentials.Key != "", c.accountFees).Fees(ctx)
}

// accountFees reads our rates for the tracked swaps of the shared
// instrument list.
func (c *Collector) accountFees(ctx context.Context) ([]collectors.Fee, error) {
	list, err := c.instruments(ctx)
	if err != nil {
		return nil, err
	}
	src := FeeSource{BaseURL: c.cfg.BaseURL, Client: c.client, Credentials: c.cfg.Credentials, Now: c.now}
	for _, in := range fees.Tracked(list, c.cfg.FeeSymbols) {
		src.Symbols = append(src.Symbols, in.Symbol)
	}
	return src.Fees(ctx)
}
