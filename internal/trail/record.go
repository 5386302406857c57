package trail

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/jsonstr"
)

// buildRecord returns the event's record, CloudTrail's event record
// (eventVersion 1.08, members in CloudTrail's order; see recordRef in the
// tests for its shape) with the recipient left empty (see forRecipient),
// and its indexed columns. It is written by hand into one buffer: the
// record is built for every mutating call.
func buildRecord(ev *Event, shared bool) (string, row) {
	// Sized for the whole record: the fixed members and the identity take
	// ~700 bytes, each resource ~2 ARNs; growing the buffer would copy it.
	size := 768 + len(ev.RequestJSON) + len(ev.ResponseJSON) + len(ev.UserAgent) + len(ev.ErrorMsg)
	for _, r := range ev.Resources {
		size += 64 + len(r.Type) + len(r.Name)
	}
	b := make([]byte, 0, size)
	b = append(b, `{"eventVersion":"1.08","userIdentity":`...)
	b = appendIdentity(b, ev.Caller)
	b = append(b, `,"eventTime":"`...)
	b = ev.Time.UTC().AppendFormat(b, time.RFC3339)
	b = append(b, '"')
	b = appendMember(b, "eventSource", ev.Source)
	b = appendMember(b, "eventName", ev.Name)
	b = appendMember(b, "awsRegion", ev.Region)
	b = appendMember(b, "sourceIPAddress", ev.SourceIP)
	b = appendMember(b, "userAgent", ev.UserAgent)
	if ev.ErrorCode != "" {
		b = appendMember(b, "errorCode", ev.ErrorCode)
	}
	if ev.ErrorMsg != "" {
		b = appendMember(b, "errorMessage", ev.ErrorMsg)
	}
	b = append(b, `,"requestParameters":`...)
	b = appendParams(b, ev.RequestJSON, ev.Request)
	b = append(b, `,"responseElements":`...)
	b = appendParams(b, ev.ResponseJSON, ev.Response)
	b = appendMember(b, "requestID", ev.RequestID)
	b = appendMember(b, "eventID", ev.ID)
	b = append(b, `,"readOnly":`...)
	b = strconv.AppendBool(b, ev.ReadOnly)
	if len(ev.Resources) > 0 {
		b = append(b, `,"resources":[`...)
		for i, r := range ev.Resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			if acct := arnAccount(r.Name); acct != "" {
				b = append(jsonstr.Append(append(b, `"accountId":`...), acct), ',')
			}
			b = jsonstr.Append(append(b, `"type":`...), r.Type)
			b = appendMember(b, "ARN", r.Name)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"eventType":"AwsApiCall","managementEvent":true,`...)
	b = append(b, emptyRecipient...)
	if shared {
		b = appendMember(b, "sharedEventID", ev.ID)
	}
	b = append(b, `,"eventCategory":"Management"}`...)

	ro := "false"
	if ev.ReadOnly {
		ro = "true"
	}
	base := row{
		Region: ev.Region, EventID: ev.ID, Time: ev.Time, Name: ev.Name, Source: ev.Source,
		Username: usernameOf(ev.Caller), ReadOnly: ro, Resources: ev.Resources,
		resourcesColumn: encodeResources(ev.Resources),
	}
	if ev.Caller != nil {
		base.AccessKeyID = ev.Caller.AccessKeyID
	}
	// b is never written again: the string can share its bytes.
	return unsafe.String(unsafe.SliceData(b), len(b)), base
}

// appendParams writes pre-encoded parameters, else the map's encoding
// (null when absent or not encodable).
func appendParams(b, raw []byte, m map[string]any) []byte {
	if raw != nil {
		return append(b, raw...)
	}
	if m == nil {
		return append(b, "null"...)
	}
	q, err := json.Marshal(m)
	if err != nil {
		// Only reachable with unencodable parameters: keep the event.
		return append(b, "null"...)
	}
	return append(b, q...)
}

// appendMember writes `,"name":"value"`.
func appendMember(b []byte, name, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return jsonstr.Append(b, value)
}

// appendOpt writes `,"name":"value"` unless value is empty (omitempty).
func appendOpt(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	return appendMember(b, name, value)
}

// appendIdentity writes CloudTrail's userIdentity for the caller.
func appendIdentity(b []byte, c *authz.Caller) []byte {
	if c == nil {
		return append(b, `{"type":"Unknown"}`...)
	}
	u := identityOf(c)
	b = jsonstr.Append(append(b, `{"type":`...), u.Type)
	b = appendOpt(b, "principalId", u.PrincipalID)
	b = appendOpt(b, "arn", u.ARN)
	b = appendOpt(b, "accountId", u.AccountID)
	b = appendOpt(b, "accessKeyId", u.AccessKeyID)
	b = appendOpt(b, "userName", u.UserName)
	if s := u.SessionContext; s != nil {
		b = jsonstr.Append(append(b, `,"sessionContext":{"sessionIssuer":{"type":`...), s.SessionIssuer.Type)
		b = appendMember(b, "principalId", s.SessionIssuer.PrincipalID)
		b = appendMember(b, "arn", s.SessionIssuer.ARN)
		b = appendMember(b, "accountId", s.SessionIssuer.AccountID)
		b = appendMember(b, "userName", s.SessionIssuer.UserName)
		b = append(b, `},"attributes":{"mfaAuthenticated":"false"}}`...)
	}
	b = appendOpt(b, "invokedBy", u.InvokedBy)
	return append(b, '}')
}

// userIdentity is the caller as CloudTrail shows it.
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
	return record[:i] + `"recipientAccountId":` + string(jsonstr.Append(nil, account)) + record[i+len(emptyRecipient):]
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
	rest := arn
	for range 4 { // past "arn", partition, service, region
		_, after, ok := strings.Cut(rest, ":")
		if !ok {
			return ""
		}
		rest = after
	}
	acct, _, ok := strings.Cut(rest, ":")
	if !ok {
		return ""
	}
	return acct
}
