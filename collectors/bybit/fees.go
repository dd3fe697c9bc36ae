package bybit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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

// Credentials are a read-only API key of our observer account. They are
// passed in (read from the environment variables the config names), never
// logged, and scrubbed from every error: Bybit's "error sign!" answer
// repeats the signed string, key included.
type Credentials struct {
	Key, Secret string
}

// FeeSource reads our account's own fee rate for every symbol of the
// linear (USDT and USDC) and inverse categories from /v5/account/fee-rate,
// where zero-fee and discounted pairs show.
type FeeSource struct {
	BaseURL     string // empty for DefaultBaseURL
	Client      *http.Client
	Credentials Credentials
	// Symbols keeps only these symbols when not empty (the perpetuals we
	// track); the endpoint answers every symbol of a category at once.
	Symbols    []string
	RecvWindow time.Duration // 0 for 5s
	Now        func() time.Time
}

const feeRatePath = "/v5/account/fee-rate"

// Bybit retCodes that mean the key or its signature was refused.
var retKeyRefused = map[int]bool{10003: true, 10004: true, 10005: true, 10010: true, 33004: true}

// Fees returns one row per symbol (Source api, Tier "account": the
// endpoint does not say our VIP level), sorted by product and symbol, or
// an error and no rows.
func (s FeeSource) Fees(ctx context.Context) ([]collectors.Fee, error) {
	if s.Credentials.Key == "" || s.Credentials.Secret == "" {
		return nil, &collectors.Error{Kind: collectors.ErrInternal, Msg: "no Bybit API key and secret configured"}
	}
	if s.BaseURL == "" {
		s.BaseURL = DefaultBaseURL
	}
	s.BaseURL = strings.TrimRight(s.BaseURL, "/")
	if s.RecvWindow <= 0 {
		s.RecvWindow = 5 * time.Second
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	keep := map[string]bool{}
	for _, sym := range s.Symbols {
		keep[sym] = true
	}
	var out []collectors.Fee
	for _, category := range []string{"linear", "inverse"} {
		rows, err := s.category(ctx, category)
		if err != nil {
			return nil, collectors.Redact(err, feeRatePath, nil, s.Credentials.Key, s.Credentials.Secret)
		}
		observed := s.Now().UTC()
		for _, r := range rows {
			if len(keep) > 0 && !keep[r.Symbol] {
				continue
			}
			f, err := r.fee(category, observed)
			if err != nil {
				return nil, collectors.Redact(err, feeRatePath, nil, s.Credentials.Key, s.Credentials.Secret)
			}
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, &collectors.Error{Kind: collectors.ErrEmpty, Path: feeRatePath, Msg: "no fee rates for the tracked symbols"}
	}
	slices.SortFunc(out, func(a, b collectors.Fee) int {
		return strings.Compare(a.Product+" "+a.Symbol, b.Product+" "+b.Symbol)
	})
	return out, nil
}

// feeRate is one row of /v5/account/fee-rate; rates are fractions.
type feeRate struct {
	Symbol       string `json:"symbol"`
	TakerFeeRate string `json:"takerFeeRate"`
	MakerFeeRate string `json:"makerFeeRate"`
}

func (r feeRate) fee(category string, observed time.Time) (collectors.Fee, error) {
	maker, err1 := strconv.ParseFloat(r.MakerFeeRate, 64)
	taker, err2 := strconv.ParseFloat(r.TakerFeeRate, 64)
	if r.Symbol == "" || errors.Join(err1, err2) != nil {
		return collectors.Fee{}, &collectors.Error{Kind: collectors.ErrMalformed, Path: feeRatePath,
			Msg: fmt.Sprintf("%s %q: rates %q / %q are not numbers", category, r.Symbol, r.MakerFeeRate, r.TakerFeeRate)}
	}
	// Linear holds USDT contracts (BTCUSDT) and USDC ones (BTCPERP,
	// BTC-26JUN26); inverse is coin-margined.
	product := collectors.ProductCOINM
	if category == "linear" {
		product = collectors.ProductUSDC
		if strings.Contains(r.Symbol, "USDT") {
			product = collectors.ProductUSDM
		}
	}
	return collectors.Fee{
		Exchange: "bybit", Product: product, Tier: "account", Symbol: r.Symbol,
		MakerRate: maker, TakerRate: taker, Source: collectors.FeeSourceAPI, ObservedAt: observed,
	}, nil
}

// feeEnvelope is the part of Bybit's v5 wrapper this request reads.
type feeEnvelope struct {
	RetCode *int   `json:"retCode"`
	RetMsg  string `json:"retMsg"`
	Result  *struct {
		List []feeRate `json:"list"`
	} `json:"result"`
}

// category sends one signed request: X-BAPI-SIGN is the hex HMAC-SHA256
// of timestamp + key + recvWindow + query string.
func (s FeeSource) category(ctx context.Context, category string) ([]feeRate, error) {
	query := url.Values{"category": {category}}.Encode()
	ts := strconv.FormatInt(s.Now().UnixMilli(), 10)
	recv := strconv.FormatInt(s.RecvWindow.Milliseconds(), 10)
	m := hmac.New(sha256.New, []byte(s.Credentials.Secret))
	m.Write([]byte(ts + s.Credentials.Key + recv + query))

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.BaseURL+feeRatePath+"?"+query, nil)
	if err != nil {
		return nil, &collectors.Error{Kind: collectors.ErrInternal, Path: feeRatePath, Err: err}
	}
	req.Header.Set("X-BAPI-API-KEY", s.Credentials.Key)
	req.Header.Set("X-BAPI-TIMESTAMP", ts)
	req.Header.Set("X-BAPI-RECV-WINDOW", recv)
	req.Header.Set("X-BAPI-SIGN", hex.EncodeToString(m.Sum(nil)))
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, collectors.WithPath(feeRatePath, collectors.Classify(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, &collectors.Error{Kind: collectors.ErrTruncated, Path: feeRatePath, Msg: "the response ended early", Err: err}
	}
	var env feeEnvelope
	if err := collectors.DecodeJSON(body, &env); err != nil {
		return nil, collectors.WithPath(feeRatePath, err)
	}
	switch {
	case env.RetCode == nil:
		return nil, &collectors.Error{Kind: collectors.ErrMalformed, Path: feeRatePath, Msg: "no retCode in the answer"}
	case *env.RetCode == retTooManyVisits || *env.RetCode == retIPRateLimited:
		return nil, &collectors.Error{Kind: collectors.ErrRateLimited, Path: feeRatePath, Msg: fmt.Sprintf("retCode %d: %s", *env.RetCode, env.RetMsg)}
	case retKeyRefused[*env.RetCode]:
		return nil, &collectors.Error{Kind: collectors.ErrRejected, Path: feeRatePath, Msg: fmt.Sprintf("the API key was refused (retCode %d: %s)", *env.RetCode, env.RetMsg)}
	case *env.RetCode != 0:
		return nil, &collectors.Error{Kind: collectors.ErrAPI, Path: feeRatePath, Msg: fmt.Sprintf("retCode %d: %s", *env.RetCode, env.RetMsg)}
	case env.Result == nil:
		return nil, &collectors.Error{Kind: collectors.ErrMalformed, Path: feeRatePath, Msg: "no result in the answer"}
	}
	return env.Result.List, nil
}

// fees is the fees pull: the configured pages and manual entries, and our
// account's per-symbol rates when a key is configured.
func (c *Collector) fees(ctx context.Context) ([]collectors.Fee, error) {
	return c.feeCfg.Fees.WithAccount(c.Exchange(), c.feeCfg.Credentials.Key != "", c.accountFees).Fees(ctx)
}

// accountFees reads our rates (one request per category) and keeps the
// tracked perpetuals of the shared instrument lists.
func (c *Collector) accountFees(ctx context.Context) ([]collectors.Fee, error) {
	list, err := c.instruments(ctx)
	if err != nil {
		return nil, err
	}
	src := FeeSource{BaseURL: c.base, Client: c.client, Credentials: c.feeCfg.Credentials, Now: c.now}
	for _, in := range fees.Tracked(list, c.feeCfg.FeeSymbols) {
		src.Symbols = append(src.Symbols, in.Symbol)
	}
	if len(src.Symbols) == 0 {
		return nil, &collectors.Error{Kind: collectors.ErrEmpty, Msg: "no trading perpetual to read account fees for"}
	}
	return src.Fees(ctx)
}
