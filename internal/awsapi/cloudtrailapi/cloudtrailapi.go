// Package cloudtrailapi binds the trail to the wire: the cloudtrail
// service's LookupEvents (awsJson1_1, X-Amz-Target
// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>", SigV4
// service "cloudtrail"), and the edge observer that turns finished calls
// into trail events.
package cloudtrailapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/trail"
)

// TargetPrefix is CloudTrail's X-Amz-Target prefix.
const TargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"

// LookupEventsInput is the wire input.
type LookupEventsInput struct {
	LookupAttributes []LookupAttribute
	StartTime        *time.Time
	EndTime          *time.Time
	EventCategory    string `enum:"insight"`
	MaxResults       *int32
	NextToken        string
}

// LookupAttribute is one lookup attribute.
type LookupAttribute struct {
	AttributeKey   string `required:"true" enum:"EventId,EventName,ReadOnly,Username,ResourceType,ResourceName,EventSource,AccessKeyId"`
	AttributeValue string `required:"true" min:"1" max:"2000"`
}

// LookupEventsOutput is the wire output.
type LookupEventsOutput struct {
	Events    []Event `json:",omitempty"`
	NextToken string  `json:",omitempty"`
}

// Event is one listed event.
type Event struct {
	EventId         string     `json:",omitempty"`
	EventName       string     `json:",omitempty"`
	ReadOnly        string     `json:",omitempty"`
	AccessKeyId     string     `json:",omitempty"`
	EventTime       time.Time  `json:",omitzero"`
	EventSource     string     `json:",omitempty"`
	Username        string     `json:",omitempty"`
	Resources       []Resource `json:",omitempty"`
	CloudTrailEvent string     `json:",omitempty"`
}

// Resource is one resource an event names.
type Resource struct {
	ResourceType string `json:",omitempty"`
	ResourceName string `json:",omitempty"`
}

// Service returns the cloudtrail binding of t.
func Service(t *trail.Service) *awsapi.Service {
	op := awsapi.Op("LookupEvents", func(ctx context.Context, caller *authz.Caller, in *LookupEventsInput) (*LookupEventsOutput, error) {
		return lookup(ctx, t, caller, in)
	})
	return &awsapi.Service{
		SigningName:  "cloudtrail",
		Protocol:     awsapi.JSON11,
		TargetPrefix: TargetPrefix,
		// The smithy-based SDKs send the bare service shape name.
		TargetAliases: []string{"CloudTrail_20131101"},
		Operations:    map[string]awsapi.Operation{op.Name: op},
		MapError:      MapError,
	}
}

func lookup(ctx context.Context, t *trail.Service, caller *authz.Caller, in *LookupEventsInput) (*LookupEventsOutput, error) {
	li := &trail.LookupInput{Start: in.StartTime, End: in.EndTime, MaxResults: in.MaxResults,
		NextToken: in.NextToken, EventCategory: in.EventCategory}
	for _, a := range in.LookupAttributes {
		li.Attributes = append(li.Attributes, trail.Attribute{Key: a.AttributeKey, Value: a.AttributeValue})
	}
	res, err := t.Lookup(ctx, caller, li)
	if err != nil {
		return nil, err
	}
	out := &LookupEventsOutput{NextToken: res.NextToken, Events: []Event{}}
	for _, e := range res.Events {
		ev := Event{EventId: e.ID, EventName: e.Name, ReadOnly: e.ReadOnly, AccessKeyId: e.AccessKeyID,
			EventTime: e.Time, EventSource: e.Source, Username: e.Username, CloudTrailEvent: e.Record}
		for _, r := range e.Resources {
			ev.Resources = append(ev.Resources, Resource{ResourceType: r.Type, ResourceName: r.Name})
		}
		out.Events = append(out.Events, ev)
	}
	return out, nil
}

var codes = map[trail.ErrorKind]string{
	trail.InvalidLookupAttributes: "InvalidLookupAttributesException",
	trail.InvalidTimeRange:        "InvalidTimeRangeException",
	trail.InvalidMaxResults:       "InvalidMaxResultsException",
	trail.InvalidNextToken:        "InvalidNextTokenException",
	trail.InvalidEventCategory:    "InvalidEventCategoryException",
}

// MapError maps the trail's input errors (all 400); nil for others.
func MapError(err error) *awsapi.Error {
	var ie *trail.InputError
	if errors.As(err, &ie) {
		return &awsapi.Error{Code: codes[ie.Kind], Message: ie.Msg, Status: http.StatusBadRequest, Sender: true}
	}
	return nil
}
