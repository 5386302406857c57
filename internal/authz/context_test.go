package authz

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/openpca/openpca/internal/policy"
)

// contextMap flattens a policy.Context for comparison.
func contextMap(c *policy.Context) map[string][]string {
	out := make(map[string][]string)
	for _, k := range c.Keys() {
		v, _ := c.Get(k)
		out[k] = v
	}
	return out
}

func TestContext(t *testing.T) {
	const (
		iso   = "2025-03-14T15:09:26Z"
		epoch = "1741964966"
	)
	tagged := user(acctB, "bob")
	tagged.Tags = map[string]string{"Team": "pki"}
	now, _ := time.Parse(time.RFC3339, iso)
	plainSession := session(acctA, "app", "s1")
	plainSession.TokenIssueTime = now.Add(-time.Hour)
	mfaSession := session(acctA, "app", "s1")
	mfaSession.TokenIssueTime, mfaSession.MFAAuthTime = now.Add(-90*time.Second), now.Add(-90*time.Second)
	insecure := user(acctD, "dave")
	insecure.SecureTransport = false
	insecure.SourceIP = ""
	gov := user(acctB, "bob")
	gov.Region = "us-gov-west-1"

	tests := []struct {
		name   string
		caller *Caller
		action string
		rtags  map[string]string
		ctx    map[string][]string
		want   map[string][]string
	}{
		{
			name: "user in an OU with tags", caller: tagged, action: actDescribe,
			rtags: map[string]string{"Env": "prod"},
			ctx:   map[string][]string{"aws:TagKeys": {"a", "b"}, "sts:ExternalId": {"x"}},
			want: map[string][]string{
				"aws:principaltype": {"User"}, "aws:principalaccount": {acctB},
				"aws:principalarn": {userBARN}, "aws:userid": {"AIDABOB" + acctB}, "aws:username": {"bob"},
				"aws:principalorgid": {orgID}, "aws:principalorgpaths": {pathOU1},
				"aws:principalisawsservice": {"false"},
				"aws:principaltag/team":     {"pki"}, "aws:resourcetag/env": {"prod"},
				"aws:currenttime": {iso}, "aws:epochtime": {epoch},
				"aws:securetransport": {"true"}, "aws:sourceip": {"192.0.2.10"},
				"aws:tagkeys": {"a", "b"}, "sts:externalid": {"x"},
			},
		},
		{
			name: "the request's region is aws:RequestedRegion", caller: gov, action: actDescribe,
			want: map[string][]string{
				"aws:principaltype": {"User"}, "aws:principalaccount": {acctB},
				"aws:principalarn": {userBARN}, "aws:userid": {"AIDABOB" + acctB}, "aws:username": {"bob"},
				"aws:principalorgid": {orgID}, "aws:principalorgpaths": {pathOU1},
				"aws:principalisawsservice": {"false"},
				"aws:currenttime":           {iso}, "aws:epochtime": {epoch},
				"aws:securetransport": {"true"}, "aws:sourceip": {"192.0.2.10"},
				"aws:requestedregion": {"us-gov-west-1"},
			},
		},
		{
			name: "role session: role ARN, no username", caller: session(acctA, "app", "s1"), action: actDescribe,
			want: map[string][]string{
				"aws:principaltype": {"AssumedRole"}, "aws:principalaccount": {acctA},
				"aws:principalarn": {roleARN(acctA, "app")}, "aws:userid": {"AROAAPP:s1"},
				"aws:principalorgid": {orgID}, "aws:principalorgpaths": {pathR},
				"aws:principalisawsservice": {"false"},
				"aws:currenttime":           {iso}, "aws:epochtime": {epoch}, "aws:securetransport": {"true"},
			},
		},
		{
			name: "role session without MFA: issue time, MFA absent", caller: plainSession, action: actDescribe,
			want: map[string][]string{
				"aws:principaltype": {"AssumedRole"}, "aws:principalaccount": {acctA},
				"aws:principalarn": {roleARN(acctA, "app")}, "aws:userid": {"AROAAPP:s1"},
				"aws:principalorgid": {orgID}, "aws:principalorgpaths": {pathR},
				"aws:principalisawsservice": {"false"},
				"aws:currenttime":           {iso}, "aws:epochtime": {epoch}, "aws:securetransport": {"true"},
				"aws:tokenissuetime": {"2025-03-14T14:09:26Z"}, "aws:multifactorauthpresent": {"false"},
			},
		},
		{
			name: "role session with MFA: present and age", caller: mfaSession, action: actDescribe,
			want: map[string][]string{
				"aws:principaltype": {"AssumedRole"}, "aws:principalaccount": {acctA},
				"aws:principalarn": {roleARN(acctA, "app")}, "aws:userid": {"AROAAPP:s1"},
				"aws:principalorgid": {orgID}, "aws:principalorgpaths": {pathR},
				"aws:principalisawsservice": {"false"},
				"aws:currenttime":           {iso}, "aws:epochtime": {epoch}, "aws:securetransport": {"true"},
				"aws:tokenissuetime": {"2025-03-14T15:07:56Z"}, "aws:multifactorauthpresent": {"true"},
				"aws:multifactorauthage": {"90"},
			},
		},
		{
			name: "root outside any org, insecure, IssueCertificate defaults the template", caller: insecure, action: actIssue,
			want: map[string][]string{
				"aws:principaltype": {"User"}, "aws:principalaccount": {acctD},
				"aws:principalarn": {"arn:aws:iam::" + acctD + ":user/dave"}, "aws:userid": {"AIDADAVE" + acctD},
				"aws:username": {"dave"}, "aws:principalisawsservice": {"false"},
				"aws:currenttime": {iso}, "aws:epochtime": {epoch}, "aws:securetransport": {"false"},
				"acm-pca:templatearn": {tmplDefault},
			},
		},
		{
			name: "root", caller: root(acctA), action: actIssue, ctx: tmpl(tmplSubCA),
			want: map[string][]string{
				"aws:principaltype": {"Account"}, "aws:principalaccount": {acctA},
				"aws:principalarn": {"arn:aws:iam::" + acctA + ":root"}, "aws:userid": {acctA},
				"aws:principalorgid": {orgID}, "aws:principalorgpaths": {pathR},
				"aws:principalisawsservice": {"false"},
				"aws:currenttime":           {iso}, "aws:epochtime": {epoch}, "aws:securetransport": {"true"},
				"acm-pca:templatearn": {tmplSubCA},
			},
		},
		{
			name: "service principal", caller: service("acm.amazonaws.com"), action: actGetCert,
			ctx: map[string][]string{"aws:SourceAccount": {acctA}, "aws:SourceArn": {"arn:aws:acm:us-east-1:" + acctA + ":certificate/x"}},
			want: map[string][]string{
				"aws:principaltype": {"Service"}, "aws:principalisawsservice": {"true"},
				"aws:principalservicename": {"acm.amazonaws.com"},
				"aws:currenttime":          {iso}, "aws:epochtime": {epoch}, "aws:securetransport": {"true"},
				"aws:sourceaccount": {acctA}, "aws:sourcearn": {"arn:aws:acm:us-east-1:" + acctA + ":certificate/x"},
			},
		},
		{
			name: "request keys cannot impersonate the principal", caller: user(acctD, "dave"), action: actDescribe,
			ctx: map[string][]string{
				"aws:PrincipalOrgID": {orgID}, "aws:PrincipalOrgPaths": {pathOU1}, "aws:PrincipalAccount": {acctA},
				"aws:userid": {"x"}, "aws:username": {"root"}, "aws:RequestTag/Env": {"prod"},
				"aws:TokenIssueTime": {"2099-01-01T00:00:00Z"}, "aws:MultiFactorAuthPresent": {"true"}, "aws:MultiFactorAuthAge": {"1"},
			},
			want: map[string][]string{
				"aws:principaltype": {"User"}, "aws:principalaccount": {acctD},
				"aws:principalarn": {"arn:aws:iam::" + acctD + ":user/dave"}, "aws:userid": {"AIDADAVE" + acctD},
				"aws:username": {"dave"}, "aws:principalisawsservice": {"false"},
				"aws:currenttime": {iso}, "aws:epochtime": {epoch}, "aws:securetransport": {"true"},
				"aws:sourceip": {"192.0.2.10"}, "aws:requesttag/env": {"prod"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng, _ := newTestEngine(&fakeIDs{}, worldOrgs())
			c, err := eng.Context(context.Background(), &Request{
				Caller: tc.caller, Action: tc.action, Resource: caARN, ResourceTags: tc.rtags, Context: tc.ctx,
			})
			if err != nil {
				t.Fatal(err)
			}
			got := contextMap(c)
			if !maps.EqualFunc(got, tc.want, slices.Equal) {
				for k, v := range got {
					if w, ok := tc.want[k]; !ok || !slices.Equal(v, w) {
						t.Errorf("key %s = %q, want %q", k, v, w)
					}
				}
				for k, w := range tc.want {
					if _, ok := got[k]; !ok {
						t.Errorf("key %s missing, want %q", k, w)
					}
				}
			}
		})
	}
}

func TestContextClock(t *testing.T) {
	eng, clk := newTestEngine(nil, nil)
	req := &Request{Caller: user(acctA, "alice"), Action: actDescribe, Resource: caARN}
	times := []time.Time{epoch, epoch.Add(400 * time.Millisecond), epoch.Add(2 * time.Second), time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))}
	for _, now := range times {
		clk.Set(now)
		c, err := eng.Context(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		iso, _ := c.Get("aws:CurrentTime")
		ep, _ := c.Get("aws:EpochTime")
		wantISO := now.UTC().Format("2006-01-02T15:04:05Z")
		if len(iso) != 1 || iso[0] != wantISO {
			t.Errorf("at %v aws:CurrentTime = %q, want %q", now, iso, wantISO)
		}
		if len(ep) != 1 || ep[0] != strconv.FormatInt(now.Unix(), 10) {
			t.Errorf("at %v aws:EpochTime = %q, want %d", now, ep, now.Unix())
		}
	}
}

func TestDefaultTemplateARN(t *testing.T) {
	tests := []struct{ resource, want string }{
		{caARN, tmplDefault},
		{"arn:aws-cn:acm-pca:cn-north-1:" + acctA + ":certificate-authority/x", "arn:aws-cn:acm-pca:::template/EndEntityCertificate/V1"},
		{"*", tmplDefault},
	}
	for _, tc := range tests {
		t.Run(tc.resource, func(t *testing.T) {
			if got := DefaultTemplateARN(partitionOf(tc.resource)); got != tc.want {
				t.Errorf("DefaultTemplateARN = %q, want %q", got, tc.want)
			}
		})
	}
}

// An OU share follows the organization: moving an account out takes effect
// at once after Invalidate, and by itself after the cache TTL.
func TestOrgCacheAndInvalidate(t *testing.T) {
	ctx := context.Background()
	orgs := worldOrgs()
	ids := &fakeIDs{pols: []Policy{idPol("p", allowAllPCA)}}
	eng, clk := newTestEngine(ids, orgs)
	req := func() *Request {
		return &Request{
			Caller: user(acctC, "carol"), Action: actIssue, Resource: caARN, ResourceAccount: acctA,
			ResourcePolicy: &Policy{Kind: ResourcePolicy, Name: caARN, Document: ouShare},
		}
	}
	steps := []struct {
		name    string
		do      func()
		want    Reason
		lookups int // OrgSource calls so far
	}{
		{name: "in child OU", do: func() {}, want: AllowedByBoth, lookups: 1},
		{name: "cached", do: func() { clk.Advance(500 * time.Millisecond) }, want: AllowedByBoth, lookups: 1},
		{name: "moved to the root, still cached", do: func() { orgs.set(acctC, member(pathR)) }, want: AllowedByBoth, lookups: 1},
		{name: "Invalidate applies the move", do: func() { eng.Invalidate(acctC) }, want: DeniedNoResourceAllow, lookups: 2},
		{name: "moved back, cached", do: func() { orgs.set(acctC, member(pathOU2)) }, want: DeniedNoResourceAllow, lookups: 2},
		{name: "TTL expiry applies the move", do: func() { clk.Advance(DefaultOrgCacheTTL) }, want: AllowedByBoth, lookups: 3},
		{name: "left the organization", do: func() { orgs.set(acctC, OrgContext{}); eng.InvalidateAll() }, want: DeniedNoResourceAllow, lookups: 4},
		{name: "caching disabled", do: func() { eng.SetOrgCacheTTL(0); orgs.set(acctC, member(pathOU1)) }, want: AllowedByBoth, lookups: 5},
		{name: "caching disabled, asked again", do: func() {}, want: AllowedByBoth, lookups: 6},
	}
	for _, st := range steps {
		st.do()
		d, err := eng.Authorize(ctx, req())
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if d.Reason != st.want {
			t.Errorf("%s: reason %v (%s), want %v", st.name, d.Reason, d.Message, st.want)
		}
		if orgs.calls != st.lookups {
			t.Errorf("%s: OrgSource called %d times, want %d", st.name, orgs.calls, st.lookups)
		}
	}
}
