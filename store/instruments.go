package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var instrumentStore = kindStore{
	kind:   collectors.KindInstruments,
	noun:   "instrument",
	insert: insertInstruments,
	read:   readInstruments,
	hash: func(h *hasher, recs collectors.Records, check func(exchange, key string) error) error {
		for _, in := range recs.Instruments {
			if err := check(in.Exchange, in.Symbol); err != nil {
				return err
			}
			h.str("i")
			h.str(in.Symbol, in.Unified, in.Base, in.Quote, in.Settle, in.ContractType, in.NativeType, in.Margin,
				string(in.Status), in.NativeStatus)
			h.num(in.Multiplier, in.ContractSize, in.TickSize, in.LotSize, in.MinQty, in.MinNotional, in.MaxLeverage,
				in.FundingIntervalHours, in.FundingCap, in.FundingFloor)
			h.time(in.ListedAt, in.DeliveryAt)
		}
		return nil
	},
}

func insertInstruments(ctx context.Context, tx writeTx, id int64, recs collectors.Records) error {
	ins := recs.Instruments
	err := insertBatch(ctx, tx, "instrument_rows", []string{"snapshot_id", "symbol", "unified", "base", "quote", "settle",
		"multiplier", "contract_type", "native_type", "margin", "status", "native_status", "contract_size", "tick_size",
		"lot_size", "min_qty", "min_notional", "max_leverage", "funding_interval_hours", "funding_cap", "funding_floor",
		"listed_at", "delivery_at"}, len(ins), func(i int) []any {
		in := ins[i]
		return []any{id, in.Symbol, in.Unified, in.Base, in.Quote, in.Settle,
			optional(in.Multiplier), in.ContractType, in.NativeType, in.Margin, string(in.Status), in.NativeStatus,
			optional(in.ContractSize), optional(in.TickSize), optional(in.LotSize), optional(in.MinQty),
			optional(in.MinNotional), optional(in.MaxLeverage), optional(in.FundingIntervalHours),
			optional(in.FundingCap), optional(in.FundingFloor), timeValue(in.ListedAt), timeValue(in.DeliveryAt)}
	})
	if err != nil {
		return fmt.Errorf("insert instruments: %w", err)
	}
	return nil
}

func readInstruments(ctx context.Context, tx *sql.Tx, id int64, exchange string, recs *collectors.Records) error {
	rows, err := tx.QueryContext(ctx, `SELECT symbol, unified, base, quote, settle, multiplier, contract_type,
		native_type, margin, status, native_status, contract_size, tick_size, lot_size, min_qty, min_notional,
		max_leverage, funding_interval_hours, funding_cap, funding_floor, listed_at, delivery_at
		FROM instrument_rows WHERE snapshot_id = ? ORDER BY symbol`, id)
	if err != nil {
		return err
	}
	err = scanRows(rows, func() error {
		in := collectors.Instrument{Exchange: exchange}
		var mult, size, tick, lot, minQty, minNotional, lev, interval, fcap, floor sql.NullFloat64
		var listed, delivery sql.NullString
		if err := rows.Scan(&in.Symbol, &in.Unified, &in.Base, &in.Quote, &in.Settle, &mult, &in.ContractType,
			&in.NativeType, &in.Margin, &in.Status, &in.NativeStatus, &size, &tick, &lot, &minQty, &minNotional,
			&lev, &interval, &fcap, &floor, &listed, &delivery); err != nil {
			return err
		}
		in.Multiplier, in.ContractSize, in.TickSize, in.LotSize = mult.Float64, size.Float64, tick.Float64, lot.Float64
		in.MinQty, in.MinNotional, in.MaxLeverage = minQty.Float64, minNotional.Float64, lev.Float64
		in.FundingIntervalHours, in.FundingCap, in.FundingFloor = interval.Float64, fcap.Float64, floor.Float64
		var err error
		if in.ListedAt, err = parseTime(listed); err != nil {
			return err
		}
		if in.DeliveryAt, err = parseTime(delivery); err != nil {
			return err
		}
		recs.Instruments = append(recs.Instruments, in)
		return nil
	})
	if err != nil {
		return fmt.Errorf("instruments: %w", err)
	}
	return nil
}
