package store

import (
	"context"
	"database/sql"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// kindStore is how one kind's records are written, read back and hashed;
// each kind has its own file (instruments.go, funding.go, market.go) and
// one entry in kindStores, which Save, Records and contentHash loop over.
type kindStore struct {
	kind collectors.Kind
	noun string // one record, in errors: "instrument"
	// insert writes the kind's records of snapshot id.
	insert func(ctx context.Context, tx writeTx, id int64, recs collectors.Records) error
	// read appends the kind's records of snapshot id, sorted as Pull
	// sorts them, to recs.
	read func(ctx context.Context, tx *sql.Tx, id int64, exchange string, recs *collectors.Records) error
	// hash feeds every stored field of the kind's records but ObservedAt
	// to h, and passes each record's exchange and key to check.
	hash func(h *hasher, recs collectors.Records, check func(exchange, key string) error) error
}

// kindStores lists every kind the store keeps; a kind missing here is
// caught by TestEveryKindIsStored.
var kindStores = []kindStore{instrumentStore, fundingStore, marketStore, feeStore, announcementStore, yieldStore}
