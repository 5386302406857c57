package trail

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

// record is CloudTrail's event record (eventVersion 1.08), members in
// CloudTrail's order.
type record struct {
	EventVersion       string         `json:"eventVersion"`
	UserIdentity       userIdentity   `json:"userIdentity"`
	EventTime          string         `json:"eventTime"`
	EventSource        string         `json:"eventSource"`
	EventName          string         `json:"eventName"`
	AWSRegion          string         `json:"awsRegion"`
	SourceIPAddress    string         `json:"sourceIPAddress"`
	UserAgent          string         `json:"userAgent"`
	ErrorCode          string         `json:"errorCode,omitempty"`
	ErrorMessage       string         `json:"errorMessage,omitempty"`
	RequestParameters  map[string]any `json:"requestParameters"`
	ResponseElements   map[string]any `json:"responseElements"`
	RequestID          string         `json:"requestID"`
	EventID            string         `json:"eventID"`
	ReadOnly           bool           `json:"readOnly"`
	Resources          []recResource  `json:"resources,omitempty"`
	EventType          string         `json:"eventType"`
	ManagementEvent    bool           `json:"managementEvent"`
	RecipientAccountID string         `json:"recipientAccountId"`
	SharedEventID      string         `json:"sharedEventID,omitempty"`
	EventCategory      string         `json:"eventCategory"`
}

type userIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *sessionContext `json:"sessionContext,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
}

type sessionContext struct {
	SessionIssuer sessionIssuer     `json:"sessionIssuer"`
	Attributes    map[string]string `json:"attributes"`
}

type sessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

type recResource struct {
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
}

// buildRecord returns the event's record, its recipient left empty (see
// forRecipient), and its indexed columns.
func buildRecord(ev *Event, shared bool) (string, row) {
	rec := record{
		EventVersion:      "1.08",
		UserIdentity:      identityOf(ev.Caller),
		EventTime:         ev.Time.UTC().Format(time.RFC3339),
		EventSource:       ev.Source,
		EventName:         ev.Name,
		AWSRegion:         ev.Region,
		SourceIPAddress:   ev.SourceIP,
		UserAgent:         ev.UserAgent,
		ErrorCode:         ev.ErrorCode,
		ErrorMessage:      ev.ErrorMsg,
		RequestParameters: ev.Request,
		ResponseElements:  ev.Response,
		RequestID:         ev.RequestID,
		EventID:           ev.ID,
		ReadOnly:          ev.ReadOnly,
		EventType:         "AwsApiCall",
		ManagementEvent:   true,
		EventCategory:     "Management",
	}
	for _, r := range ev.Resources {
		rec.Resources = append(rec.Resources, recResource{AccountID: arnAccount(r.Name), Type: r.Type, ARN: r.Name})
	}
	ro := "false"
	if ev.ReadOnly {
		ro = "true"
	}
	base := row{
		Region: ev.Region, EventID: ev.ID, Time: ev.Time, Name: ev.Name, Source: ev.Source,
		Username: usernameOf(ev.Caller), ReadOnly: ro, Resources: ev.Resources,
	}
	if ev.Caller != nil {
		base.AccessKeyID = ev.Caller.AccessKeyID
	}
	if shared {
		rec.SharedEventID = ev.ID
	}
	b, err := json.Marshal(&rec)
	if err != nil {
		// Only reachable with unencodable parameters: keep the event.
		rec.RequestParameters, rec.ResponseElements = nil, nil
		b, _ = json.Marshal(&rec)
	}
	return string(b), base
}

// emptyRecipient is how a stored record names no recipient; it is the last
// top-level member before sharedEventID/eventCategory, and cannot occur
// inside a JSON string (quotes are escaped there).
const emptyRecipient = `"recipientAccountId":""`

// forRecipient fills in the stored record's recipient account.
func forRecipient(record, account string) string {
	i := strings.LastIndex(record, emptyRecipient)
	if i < 0 {
		return record
	}
	b, _ := json.Marshal(account)
	return record[:i] + `"recipientAccountId":` + string(b) + record[i+len(emptyRecipient):]
}

// identityOf is CloudTrail's userIdentity for the caller.
func identityOf(c *authz.Caller) userIdentity {
	if c == nil {
		return userIdentity{Type: "Unknown"}
	}
	u := userIdentity{PrincipalID: c.UserID, ARN: c.ARN, AccountID: c.AccountID, AccessKeyID: c.AccessKeyID}
	switch c.Type {
	case authz.TypeAccount:
		u.Type = "Root"
		u.PrincipalID = c.AccountID
	case authz.TypeUser:
		u.Type, u.UserName = "IAMUser", c.UserName
	case authz.TypeAssumedRole:
		u.Type = "AssumedRole"
		roleARN := c.PrincipalARN
		u.SessionContext = &sessionContext{
			SessionIssuer: sessionIssuer{Type: "Role", PrincipalID: c.EntityID, ARN: roleARN, AccountID: c.AccountID, UserName: c.RoleName},
			Attributes:    map[string]string{"mfaAuthenticated": "false"},
		}
	case authz.TypeService:
		u = userIdentity{Type: "AWSService", InvokedBy: c.ServiceName}
	default:
		u.Type = string(c.Type)
	}
	return u
}

// usernameOf is LookupEvents' Username: the user name, the role session
// name, or "root".
func usernameOf(c *authz.Caller) string {
	if c == nil {
		return ""
	}
	switch c.Type {
	case authz.TypeAccount:
		return "root"
	case authz.TypeUser:
		return c.UserName
	case authz.TypeAssumedRole:
		return c.SessionName
	case authz.TypeService:
		return c.ServiceName
	}
	return ""
}

// arnAccount is an ARN's account field ("" when it has none).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
