package trail

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

// ErrorKind names LookupEvents' modeled errors.
type ErrorKind int

const (
	InvalidLookupAttributes ErrorKind = iota
	InvalidTimeRange
	InvalidMaxResults
	InvalidNextToken
	InvalidEventCategory
)

// InputError is a rejected LookupEvents input.
type InputError struct {
	Kind ErrorKind
	Msg  string
}

func (e *InputError) Error() string { return e.Msg }

// LookupInput is LookupEvents' input; at most one attribute.
type LookupInput struct {
	Attributes    []Attribute
	Start, End    *time.Time
	MaxResults    *int32
	NextToken     string
	EventCategory string
}

// Attribute is one lookup attribute.
type Attribute struct{ Key, Value string }

// LookupOutput mirrors LookupEvents' output.
type LookupOutput struct {
	Events    []Found
	NextToken string
}

// Found is one event as LookupEvents lists it.
type Found struct {
	ID, Name, Source, Username, AccessKeyID, ReadOnly string
	Time                                              time.Time
	Resources                                         []Resource
	Record                                            string // the CloudTrailEvent JSON
}

// DefaultMaxResults is LookupEvents' page size when none is given (50).
const DefaultMaxResults = 50

// Lookup lists the caller's account's events in the caller's region, newest
// first: its own calls and calls of other accounts on its resources.
func (s *Service) Lookup(ctx context.Context, caller *authz.Caller, in *LookupInput) (*LookupOutput, error) {
	if err := s.engine.Check(ctx, &authz.Request{Caller: caller, Action: "cloudtrail:LookupEvents", Resource: "*"}); err != nil {
		return nil, err
	}
	if in.EventCategory != "" && in.EventCategory != "insight" {
		return nil, &InputError{InvalidEventCategory, "Event category is not valid."}
	}
	if len(in.Attributes) > 1 {
		return nil, &InputError{InvalidLookupAttributes, "You cannot specify more than one lookup attribute."}
	}
	var key, value string
	if len(in.Attributes) == 1 {
		key, value = in.Attributes[0].Key, in.Attributes[0].Value
		if !lookupKeys[key] {
			return nil, &InputError{InvalidLookupAttributes, "Lookup attribute key " + key + " is not valid."}
		}
	}
	limit := DefaultMaxResults
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 50 {
			return nil, &InputError{InvalidMaxResults, "MaxResults must be between 1 and 50."}
		}
		limit = int(*in.MaxResults)
	}
	now := s.clock.Now()
	from, to := now.Add(-Retention), now
	if in.Start != nil {
		from = *in.Start
	}
	if in.End != nil {
		to = *in.End
	}
	if from.After(to) {
		return nil, &InputError{InvalidTimeRange, "Start time must be before end time."}
	}
	if in.EventCategory == "insight" {
		return &LookupOutput{}, nil // no Insights events are produced
	}
	bind := tokenBinding(caller, key, value, in.Start, in.End)
	var cur *cursor
	if in.NextToken != "" {
		c, err := parseToken(in.NextToken, bind)
		if err != nil {
			return nil, &InputError{InvalidNextToken, "Invalid NextToken."}
		}
		cur = c
	}
	s.Flush(ctx) // read this process's own writes
	rows, err := queryRows(ctx, s.db, caller.AccountID, caller.Region, from, to, key, value, cur, limit+1)
	if err != nil {
		return nil, fmt.Errorf("trail: lookup: %w", err)
	}
	out := &LookupOutput{}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[len(rows)-1]
		out.NextToken = makeToken(cursor{Time: last.Time.UnixNano(), ID: last.EventID}, bind)
	}
	for _, r := range rows {
		out.Events = append(out.Events, Found{ID: r.EventID, Name: r.Name, Source: r.Source, Username: r.Username,
			AccessKeyID: r.AccessKeyID, ReadOnly: r.ReadOnly, Time: r.Time, Resources: r.Resources,
			Record: forRecipient(r.Record, caller.AccountID)})
	}
	return out, nil
}

// resourceMatch reports whether one of rs has the ResourceName or
// ResourceType value.
func resourceMatch(key, value string, rs []Resource) bool {
	if key != "ResourceName" && key != "ResourceType" {
		return true
	}
	for _, r := range rs {
		if key == "ResourceName" && r.Name == value || key == "ResourceType" && r.Type == value {
			return true
		}
	}
	return false
}

// tokenBinding ties a page token to the query that produced it: a token
// from another query or caller is rejected, as AWS rejects it.
func tokenBinding(c *authz.Caller, key, value string, start, end *time.Time) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s", c.AccountID, c.Region, key, value, fmtTime(start), fmtTime(end))
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return strconv.FormatInt(t.UnixNano(), 10)
}

type token struct {
	T int64  `json:"t"`
	I string `json:"i"`
	B string `json:"b"`
}

func makeToken(c cursor, bind string) string {
	b, _ := json.Marshal(token{T: c.Time, I: c.ID, B: bind})
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseToken reads a NextToken; it is outside input.
func parseToken(s, bind string) (*cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	var t token
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	if t.B != bind || t.I == "" {
		return nil, fmt.Errorf("token for another query")
	}
	return &cursor{Time: t.T, ID: t.I}, nil
}
