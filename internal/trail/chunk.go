package trail

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/openpca/openpca/internal/jsonstr"
	"github.com/openpca/openpca/internal/store"
)

// A chunk is the events of one write batch that one account sees in one
// region, stored as one row (migration 0051): per event one JSON object
// on its own line, newest first. Storing each event as its own row cost
// SQLite's per-row work (statement, binding, two b-trees) for every
// recorded call; a chunk pays it once per batch and account.

// entry is one event in a chunk: the lookup attributes and the record.
type entry struct {
	ID        string          `json:"id"`
	Time      int64           `json:"t"` // Unix nanoseconds
	Name      string          `json:"n"`
	Source    string          `json:"s"`
	Username  string          `json:"u"`
	AccessKey string          `json:"k"`
	ReadOnly  string          `json:"ro"`
	Resources string          `json:"res"` // encodeResources
	Record    json.RawMessage `json:"rec"` // the record, recipient left empty
}

// chunkKey is the account and region a chunk belongs to.
type chunkKey struct{ account, region string }

// chunk is one chunk to write.
type chunk struct {
	chunkKey
	first, last int64  // oldest and newest event time
	id          string // the newest event's ID: unique for the account
	events      []byte
}

// newer orders events newest first, by time and then by ID: negative
// when event a comes before event b.
func newer(at int64, aid string, bt int64, bid string) int {
	if c := cmp.Compare(bt, at); c != 0 {
		return c
	}
	return cmp.Compare(bid, aid)
}

// chunksOf groups a batch's rows by account and region, newest first in
// each chunk.
func chunksOf(rows []row) []chunk {
	groups := make(map[chunkKey][]*row)
	var order []chunkKey
	for i := range rows {
		r := &rows[i]
		k := chunkKey{r.Account, r.Region}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	out := make([]chunk, 0, len(order))
	for _, k := range order {
		rs := groups[k]
		slices.SortFunc(rs, func(a, b *row) int {
			return newer(store.Nanos(a.Time), a.EventID, store.Nanos(b.Time), b.EventID)
		})
		size := 0
		for _, r := range rs {
			size += 160 + len(r.EventID) + len(r.Name) + len(r.Source) + len(r.Username) + len(r.AccessKeyID) +
				len(r.resourcesColumn) + len(r.Record)
		}
		b := make([]byte, 0, size)
		for _, r := range rs {
			b = appendEntry(b, r)
		}
		out = append(out, chunk{chunkKey: k, first: store.Nanos(rs[len(rs)-1].Time), last: store.Nanos(rs[0].Time),
			id: rs[0].EventID, events: b})
	}
	return out
}

// appendEntry writes r as one line of a chunk. The record is JSON built
// by buildRecord and goes in as it is.
func appendEntry(b []byte, r *row) []byte {
	b = jsonstr.Append(append(b, `{"id":`...), r.EventID)
	b = strconv.AppendInt(append(b, `,"t":`...), store.Nanos(r.Time), 10)
	b = jsonstr.Append(append(b, `,"n":`...), r.Name)
	b = jsonstr.Append(append(b, `,"s":`...), r.Source)
	b = jsonstr.Append(append(b, `,"u":`...), r.Username)
	b = jsonstr.Append(append(b, `,"k":`...), r.AccessKeyID)
	b = jsonstr.Append(append(b, `,"ro":`...), r.ReadOnly)
	b = jsonstr.Append(append(b, `,"res":`...), r.resourcesColumn)
	b = append(append(b, `,"rec":`...), r.Record...)
	return append(b, "}\n"...)
}

// filter is what a lookup keeps of an account's events.
type filter struct {
	from, to   int64 // inclusive
	cur        *cursor
	key, value string
	// needle is value as it appears inside a JSON string: a line that
	// lacks it cannot match, so it is not decoded.
	needle []byte
}

func newFilter(from, to int64, cur *cursor, key, value string) *filter {
	f := &filter{from: from, to: to, cur: cur, key: key, value: value}
	if key != "" {
		q := jsonstr.Append(nil, value)
		f.needle = q[1 : len(q)-1]
	}
	return f
}

// keep reports whether e is within the filter.
func (f *filter) keep(e *entry) bool {
	if e.Time < f.from || e.Time > f.to {
		return false
	}
	if f.cur != nil && newer(e.Time, e.ID, f.cur.Time, f.cur.ID) <= 0 {
		return false // the cursor's event or a newer one
	}
	switch f.key {
	case "":
		return true
	case "EventId":
		return e.ID == f.value
	case "EventName":
		return e.Name == f.value
	case "EventSource":
		return e.Source == f.value
	case "Username":
		return e.Username == f.value
	case "AccessKeyId":
		return e.AccessKey == f.value
	case "ReadOnly":
		return e.ReadOnly == f.value
	case "ResourceName", "ResourceType":
		return resourceMatch(f.key, f.value, decodeResources(e.Resources))
	}
	return false
}

// decodeChunk appends the events of a chunk of account and region that
// pass f to out.
func decodeChunk(out []row, account, region string, events []byte, f *filter) ([]row, error) {
	for line := range bytes.Lines(events) {
		if f.needle != nil && !bytes.Contains(line, f.needle) {
			continue
		}
		var e entry
		if err := json.Unmarshal(line, &e); err != nil {
			return out, fmt.Errorf("trail: stored chunk of %s in %s: %w", account, region, err)
		}
		if !f.keep(&e) {
			continue
		}
		out = append(out, row{Account: account, Region: region, EventID: e.ID, Time: store.Time(e.Time),
			Name: e.Name, Source: e.Source, Username: e.Username, AccessKeyID: e.AccessKey, ReadOnly: e.ReadOnly,
			Resources: decodeResources(e.Resources), Record: string(e.Record)})
	}
	return out, nil
}
