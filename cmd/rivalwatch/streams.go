package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/rivalwatch/rivalwatch/cmd/rivalwatch/internal/live"
	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/binance"
	"github.com/rivalwatch/rivalwatch/collectors/bybit"
	"github.com/rivalwatch/rivalwatch/collectors/okx"
	"github.com/rivalwatch/rivalwatch/collectors/stream"
	"github.com/rivalwatch/rivalwatch/configs"
)

// streamExchanges are the live funding streams of the enabled exchanges
// (only the named one when only is set).
func streamExchanges(cfg configs.Config, only string) []live.Exchange {
	ex := cfg.Exchanges
	want := func(name string, enabled bool) bool { return (only == "" && enabled) || only == name }
	var out []live.Exchange
	if want("binance", ex.Binance.Enabled) {
		out = append(out, live.Exchange{Name: "binance",
			Protocol: func([]string) stream.Protocol { return binance.NewStream(ex.Binance.Websocket.USDM) }})
	}
	if want("bybit", ex.Bybit.Enabled) {
		out = append(out, live.Exchange{Name: "bybit", Symbols: linearPerpetuals,
			Protocol: func(s []string) stream.Protocol { return bybit.NewStream(ex.Bybit.Websocket.Linear, s) }})
	}
	if want("okx", ex.OKX.Enabled) {
		out = append(out, live.Exchange{Name: "okx", Symbols: perpetuals,
			Protocol: func(s []string) stream.Protocol { return okx.NewStream(ex.OKX.Websocket.Public, s) }})
	}
	return out
}

// linearPerpetuals are the symbols of Bybit's linear websocket.
func linearPerpetuals(insts []collectors.Instrument) []string {
	var out []string
	for _, in := range insts {
		if in.Margin == collectors.Linear && in.ContractType == collectors.Perpetual && in.Status == collectors.StatusTrading {
			out = append(out, in.Symbol)
		}
	}
	return out
}

// perpetuals are every trading perpetual (OKX's SWAP instIds).
func perpetuals(insts []collectors.Instrument) []string {
	var out []string
	for _, in := range insts {
		if in.ContractType == collectors.Perpetual && in.Status == collectors.StatusTrading {
			out = append(out, in.Symbol)
		}
	}
	return out
}

// streams builds the live funding streams of this config.
func (m *Main) streams(only string) *live.Streams {
	return live.New(m.Store, streamExchanges(m.Config, only), live.Options{
		Resolution: m.Config.Streams.Resolution, Diff: m.Config.DiffConfig(), Now: m.now, Logger: m.log,
		Route:  route(m.Config.Alerts),
		Runner: stream.Options{UserAgent: m.Config.UserAgent},
	})
}

// runStream runs the live funding streams until interrupted, then prints
// what each delivered.
func runStream(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("stream", "stream [--exchange binance|bybit|okx]", e.stderr, &c)
	only := fs.String("exchange", "", "only this exchange")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *only != "" && *only != "binance" && *only != "bybit" && *only != "okx" {
		return fmt.Errorf("%w: unknown exchange %q (want binance, bybit or okx)", errUsage, *only)
	}
	m, err := openMain(ctx, e, c, existing)
	if err != nil {
		return err
	}
	defer m.Close()
	if !m.Config.Streams.Enabled {
		return errors.New("streams are disabled in the config (streams.enabled)")
	}
	s := m.streams(*only)
	fmt.Fprintln(e.stdout, "streaming live funding; Ctrl-C stops")
	if err := s.Run(ctx); err != nil {
		return err
	}
	for _, st := range s.Status() {
		line := fmt.Sprintf("%-8s %s: %d samples stored, %d reconnects, down %.0f s, %d funding.extreme events",
			st.Exchange, st.Stream, st.Samples, st.Reconnects, st.GapSeconds, st.Events)
		if st.Err != "" {
			line += " — " + st.Err
		}
		fmt.Fprintln(e.stdout, line)
	}
	return nil
}
