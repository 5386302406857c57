package cloudtrailapi

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/openpca/openpca/internal/awsapi"
	"github.com/openpca/openpca/internal/trail"
)

// Recorder is the edge observer that records trail events: every call
// that changes something (successful or not) and every denial.
type Recorder struct {
	Trail *trail.Service
}

// ObserveCall implements awsapi.Observer.
func (r Recorder) ObserveCall(_ context.Context, c *awsapi.Call) {
	if c.Caller == nil || c.Operation == "" {
		return // unauthenticated or unroutable: nothing to attribute
	}
	ro := ReadOnly(c.Operation)
	if ro && c.Denial == nil {
		return
	}
	region := c.Caller.Region
	if c.Global || c.Service == "organizations" {
		region = "us-east-1" // CloudTrail records global services there
	}
	ev := &trail.Event{
		ID:        uuid.NewString(),
		Time:      c.Time,
		Region:    region,
		Source:    c.Service + ".amazonaws.com",
		Name:      c.Operation,
		Caller:    c.Caller,
		SourceIP:  c.SourceIP,
		UserAgent: c.UserAgent,
		RequestID: c.RequestID,
		ReadOnly:  ro,
		ErrorCode: c.ErrorCode,
		ErrorMsg:  c.ErrorMessage,
		Request:   params(c.Input),
	}
	if c.ErrorCode == "" {
		ev.Response = params(c.Output)
	}
	ev.Resources = resourcesOf(ev.Request, ev.Response)
	for _, res := range ev.Resources {
		if acct := arnAccount(res.Name); isAccountID(acct) && acct != c.Caller.AccountID {
			ev.Recipients = append(ev.Recipients, acct)
		}
	}
	r.Trail.Record(ev)
}

// readOnlyPrefixes mark the operations CloudTrail flags readOnly.
var readOnlyPrefixes = []string{"Get", "List", "Describe", "Lookup", "Simulate", "OpenPCAGet"}

// ReadOnly reports whether an operation only reads.
func ReadOnly(op string) bool {
	for _, p := range readOnlyPrefixes {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// maxParamBytes caps one string member in a record: certificates, chains
// and CSRs stay readable without letting one call bloat the trail.
const maxParamBytes = 4096

// params renders an input or output as CloudTrail's lowerCamel members,
// secrets removed, long values cut.
func params(v any) map[string]any {
	m := awsapi.Members(v)
	if m == nil {
		return nil
	}
	cut(m)
	trail.Redact(m)
	return m
}

// cut shortens long strings in place.
func cut(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if s, ok := x.(string); ok && len(s) > maxParamBytes {
				t[k] = s[:maxParamBytes] + "…"
			} else {
				cut(x)
			}
		}
	case []any:
		for i, x := range t {
			if s, ok := x.(string); ok && len(s) > maxParamBytes {
				t[i] = s[:maxParamBytes] + "…"
			} else {
				cut(x)
			}
		}
	}
}

// resourcesOf collects the ARNs named by members ending in "Arn" (at any
// depth), request first, without repeats.
func resourcesOf(ms ...map[string]any) []trail.Resource {
	var out []trail.Resource
	seen := map[string]bool{}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch t := v.(type) {
		case map[string]any:
			// In member-name order, so a record is the same every time.
			for _, k := range slices.Sorted(maps.Keys(t)) {
				walk(k, t[k])
			}
		case []any:
			for _, x := range t {
				walk(key, x)
			}
		case string:
			k := strings.ToLower(key)
			// Resources belong to an account: not templates or other
			// account-less ARNs.
			if (strings.HasSuffix(k, "arn") || strings.HasSuffix(k, "arns")) && strings.HasPrefix(t, "arn:") &&
				arnAccount(t) != "" && !seen[t] {
				seen[t] = true
				out = append(out, trail.Resource{Type: ResourceType(t), Name: t})
			}
		}
	}
	for _, m := range ms {
		walk("", m)
	}
	return out
}

// resourceTypes names resource types as CloudTrail (CloudFormation) does,
// by service and ARN resource prefix.
var resourceTypes = map[string]string{
	"acm-pca:certificate-authority": "AWS::ACMPCA::CertificateAuthority",
	"acm:certificate":               "AWS::ACM::Certificate",
	"ram:resource-share":            "AWS::RAM::ResourceShare",
	"ram:resource-share-invitation": "AWS::RAM::ResourceShareInvitation",
	"ram:permission":                "AWS::RAM::Permission",
	"iam:user":                      "AWS::IAM::User",
	"iam:role":                      "AWS::IAM::Role",
	"iam:group":                     "AWS::IAM::Group",
	"iam:policy":                    "AWS::IAM::Policy",
	"organizations:account":         "AWS::Organizations::Account",
	"organizations:ou":              "AWS::Organizations::OrganizationalUnit",
	"organizations:policy":          "AWS::Organizations::Policy",
	"organizations:organization":    "AWS::Organizations::Organization",
}

// ResourceType is the CloudTrail resource type of an ARN.
func ResourceType(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	svc, res := parts[2], parts[5]
	kind, rest, _ := strings.Cut(res, "/")
	if svc == "acm-pca" && strings.Contains(rest, "/certificate/") {
		return "AWS::ACMPCA::Certificate"
	}
	if t, ok := resourceTypes[svc+":"+kind]; ok {
		return t
	}
	return "AWS::" + strings.ToUpper(svc[:1]) + svc[1:] + "::" + kind
}

func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
