package trail

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

// recordRef is CloudTrail's event record (eventVersion 1.08) as the first
// version encoded it with encoding/json: the reference buildRecord's hand
// encoding must match byte for byte.
type recordRef struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       userIdentity    `json:"userIdentity"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	RequestParameters  map[string]any  `json:"requestParameters"`
	ResponseElements   map[string]any  `json:"responseElements"`
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	ReadOnly           bool            `json:"readOnly"`
	Resources          []recResourceRf `json:"resources,omitempty"`
	EventType          string          `json:"eventType"`
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
	SharedEventID      string          `json:"sharedEventID,omitempty"`
	EventCategory      string          `json:"eventCategory"`
}

type recResourceRf struct {
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
}

func refRecord(ev *Event, shared bool) string {
	rec := recordRef{EventVersion: "1.08", UserIdentity: identityOf(ev.Caller), EventTime: ev.Time.UTC().Format(time.RFC3339),
		EventSource: ev.Source, EventName: ev.Name, AWSRegion: ev.Region, SourceIPAddress: ev.SourceIP, UserAgent: ev.UserAgent,
		ErrorCode: ev.ErrorCode, ErrorMessage: ev.ErrorMsg, RequestParameters: ev.Request, ResponseElements: ev.Response,
		RequestID: ev.RequestID, EventID: ev.ID, ReadOnly: ev.ReadOnly, EventType: "AwsApiCall", ManagementEvent: true,
		EventCategory: "Management"}
	for _, r := range ev.Resources {
		rec.Resources = append(rec.Resources, recResourceRf{AccountID: arnAccount(r.Name), Type: r.Type, ARN: r.Name})
	}
	if shared {
		rec.SharedEventID = ev.ID
	}
	b, _ := json.Marshal(&rec)
	return string(b)
}

// TestBuildRecordMatchesReference: the hand-written record is the one
// encoding/json wrote, for every kind of caller, with and without errors,
// resources and sharing, odd strings included; pre-encoded parameters
// stand in for the maps.
func TestBuildRecordMatchesReference(t *testing.T) {
	ca := "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/1111"
	callers := []*authz.Caller{
		nil,
		{Principal: authz.Principal{Type: authz.TypeAccount, AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:root"}, AccessKeyID: "AKIA1"},
		{Principal: authz.Principal{Type: authz.TypeUser, AccountID: "111122223333", UserName: "al<i>ce", UserID: "AIDA1", ARN: "arn:aws:iam::111122223333:user/alice"}},
		{Principal: authz.Principal{Type: authz.TypeAssumedRole, AccountID: "111122223333", RoleName: "r", SessionName: "s", EntityID: "AROA1",
			PrincipalARN: "arn:aws:iam::111122223333:role/r", ARN: "arn:aws:sts::111122223333:assumed-role/r/s", UserID: "AROA1:s"}, AccessKeyID: "ASIA1"},
		{Principal: authz.Principal{Type: authz.TypeService, ServiceName: "acm.amazonaws.com"}},
		{Principal: authz.Principal{Type: "Weird", AccountID: "111122223333"}},
	}
	for i, c := range callers {
		for _, shared := range []bool{false, true} {
			ev := &Event{ID: "e-1", Time: time.Date(2026, 12, 6, 9, 0, 0, 123, time.FixedZone("x", -7200)), Region: "us-east-1",
				Source: "acm-pca.amazonaws.com", Name: "IssueCertificate", Caller: c, SourceIP: "127.0.0.1",
				UserAgent: "aws-cli/2 \u2028 & \xff \x00", RequestID: "r-1",
				Request:  map[string]any{"certificateAuthorityArn": ca, "csr": map[string]any{"position": 4, "limit": 4, "capacity": 4}},
				Response: map[string]any{"certificateArn": ca + "/certificate/ab"}}
			if i%2 == 1 {
				ev.ErrorCode, ev.ErrorMsg, ev.Response, ev.ReadOnly = "AccessDeniedException", `not "allowed" <here>`, nil, true
			}
			if i != 4 {
				ev.Resources = []Resource{{Type: "AWS::ACMPCA::CertificateAuthority", Name: ca}, {Type: "AWS::IAM::Policy", Name: "noarn"}}
			}
			want := refRecord(ev, shared)
			if got, _ := buildRecord(ev, shared); got != want {
				t.Errorf("caller %d shared %v (maps):\n got  %s\n want %s", i, shared, got, want)
			}
			ev.RequestJSON, _ = json.Marshal(ev.Request)
			if ev.Response != nil {
				ev.ResponseJSON, _ = json.Marshal(ev.Response)
			}
			ev.Request, ev.Response = nil, nil
			if got, _ := buildRecord(ev, shared); got != want {
				t.Errorf("caller %d shared %v (encoded):\n got  %s\n want %s", i, shared, got, want)
			}
		}
	}
}
