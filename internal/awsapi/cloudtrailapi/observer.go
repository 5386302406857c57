package cloudtrailapi

import (
	"context"
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
	}
	// Encoded straight from the typed input and output, secrets removed,
	// long values cut; the ARNs they name are collected on the way. The
	// trail's writer does it: the call is finished and nothing changes
	// its input and output any more.
	ev.Prepare = func(ev *trail.Event) {
		p := paramsEncoder{caller: c.Caller.AccountID}
		ev.RequestJSON = p.encode(c.Input, 256)
		if c.ErrorCode == "" {
			ev.ResponseJSON = p.encode(c.Output, 256)
		}
		ev.Resources, ev.Recipients = p.resources, p.recipients
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

// paramsEncoder renders inputs and outputs as CloudTrail's lowerCamel
// members and collects, from members ending in "Arn" or "Arns" (at any
// depth, in member-name order, request first, without repeats), the
// resources they name and the other accounts owning them.
type paramsEncoder struct {
	caller     string
	resources  []trail.Resource
	recipients []string
	opts       awsapi.MemberOptions
}

// encode is v's members as JSON; nil when v is not a struct.
func (p *paramsEncoder) encode(v any, size int) []byte {
	if p.opts.String == nil {
		p.opts = awsapi.MemberOptions{MaxString: maxParamBytes, Secret: trail.IsSecret, Hidden: trail.Hidden, String: p.see}
	}
	b, ok := awsapi.AppendMembers(make([]byte, 0, size), v, &p.opts)
	if !ok {
		return nil
	}
	return b
}

func (p *paramsEncoder) see(name, s string) {
	// Resources belong to an account: not templates or other account-less ARNs.
	if !strings.HasPrefix(s, "arn:") || !isArnMember(name) {
		return
	}
	acct := arnAccount(s)
	if acct == "" || slices.ContainsFunc(p.resources, func(r trail.Resource) bool { return r.Name == s }) {
		return
	}
	p.resources = append(p.resources, trail.Resource{Type: ResourceType(s), Name: s})
	if isAccountID(acct) && acct != p.caller {
		p.recipients = append(p.recipients, acct)
	}
}

// isArnMember reports whether a member name ends in "arn" or "arns", in
// any case.
func isArnMember(name string) bool {
	n := len(name)
	if n >= 1 && (name[n-1] == 's' || name[n-1] == 'S') {
		n--
	}
	return n >= 3 && strings.EqualFold(name[n-3:n], "arn")
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

// arnFields is an ARN's service, account and resource ("arn:partition:
// service:region:account:resource"); ok is false with fewer fields.
func arnFields(arn string) (svc, account, res string, ok bool) {
	var f [5]string
	rest := arn
	for i := range f {
		var found bool
		if f[i], rest, found = strings.Cut(rest, ":"); !found {
			return "", "", "", false
		}
	}
	return f[2], f[4], rest, true
}

// ResourceType is the CloudTrail resource type of an ARN.
func ResourceType(arn string) string {
	svc, _, res, ok := arnFields(arn)
	if !ok {
		return ""
	}
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
	_, acct, _, _ := arnFields(arn)
	return acct
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
