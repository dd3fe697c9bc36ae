package store

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// notHashed are the record fields deliberately left out of the content
// hash: Exchange is checked against the snapshot's instead, and a re-fetch
// of the same content at a later moment must count as unchanged.
var notHashed = []string{"Exchange", "ObservedAt"}

// TestEveryKindIsStored fails when a kind has no kindStore: its records
// would be neither written nor hashed, so two different snapshots would
// look unchanged.
func TestEveryKindIsStored(t *testing.T) {
	for _, kind := range collectors.AllKinds {
		if !slices.ContainsFunc(kindStores, func(k kindStore) bool { return k.kind == kind }) {
			t.Errorf("kind %s has no entry in kindStores", kind)
		}
	}
}

// TestEveryFieldChangesTheHash walks every record type of Records by
// reflection and changes one field at a time: each change must change the
// content hash, or a snapshot differing only in that field would be
// stored as "unchanged" and lost.
func TestEveryFieldChangesTheHash(t *testing.T) {
	rt := reflect.TypeOf(collectors.Records{})
	for i := range rt.NumField() {
		slice := rt.Field(i)
		elem := slice.Type.Elem()
		t.Run(slice.Name, func(t *testing.T) {
			base := reflect.New(elem).Elem()
			for j := range elem.NumField() {
				setField(base.Field(j), 1)
			}
			base.FieldByName("Exchange").SetString("x")
			sum := func(rec reflect.Value) []byte {
				var recs collectors.Records
				s := reflect.MakeSlice(slice.Type, 1, 1)
				s.Index(0).Set(rec)
				reflect.ValueOf(&recs).Elem().Field(i).Set(s)
				h, err := contentHash(collectors.Snapshot{Exchange: "x", Records: recs})
				if err != nil {
					t.Fatal(err)
				}
				return h
			}
			want := sum(base)
			for j := range elem.NumField() {
				name := elem.Field(j).Name
				if slices.Contains(notHashed, name) {
					continue
				}
				changed := reflect.New(elem).Elem()
				changed.Set(base)
				setField(changed.Field(j), 2)
				if bytes.Equal(sum(changed), want) {
					t.Errorf("%s.%s does not change the content hash", elem.Name(), name)
				}
			}
		})
	}
}

// setField gives a field a non-zero value that differs with v.
func setField(f reflect.Value, v int) {
	switch f.Kind() {
	case reflect.String:
		f.SetString("v" + string(rune('0'+v)))
	case reflect.Float64:
		f.SetFloat(float64(v) + 0.5)
	case reflect.Int, reflect.Int64:
		f.SetInt(int64(v))
	case reflect.Bool:
		f.SetBool(v%2 == 1)
	case reflect.Slice:
		s := reflect.MakeSlice(f.Type(), v, v)
		for k := range v {
			setField(s.Index(k), v)
		}
		f.Set(s)
	case reflect.Struct:
		if f.Type() == reflect.TypeOf(time.Time{}) {
			f.Set(reflect.ValueOf(time.Date(2026, 1, v, 0, 0, 0, 0, time.UTC)))
			return
		}
		for k := range f.NumField() {
			if f.Field(k).CanSet() {
				setField(f.Field(k), v)
			}
		}
	case reflect.Pointer:
		p := reflect.New(f.Type().Elem())
		setField(p.Elem(), v)
		f.Set(p)
	default:
		panic("setField: no value for kind " + f.Kind().String())
	}
}
