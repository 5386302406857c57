package policy

import "testing"

type kv = map[string][]string

func TestConditionOperators(t *testing.T) {
	tests := []struct {
		name string
		cond string
		ctx  kv
		want bool
	}{
		// String operators.
		{"StringEquals match", `{"StringEquals":{"k":"v"}}`, kv{"k": {"v"}}, true},
		{"StringEquals case-sensitive value", `{"StringEquals":{"k":"v"}}`, kv{"k": {"V"}}, false},
		{"StringEquals key name case-insensitive", `{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}`, kv{"AWS:principalorgid": {"o-1"}}, true},
		{"StringEquals values OR", `{"StringEquals":{"k":["a","b"]}}`, kv{"k": {"b"}}, true},
		{"StringEquals absent", `{"StringEquals":{"k":"v"}}`, kv{}, false},
		{"StringEquals keys AND one fails", `{"StringEquals":{"a":"1","b":"2"}}`, kv{"a": {"1"}, "b": {"3"}}, false},
		{"StringEquals keys AND both hold", `{"StringEquals":{"a":"1","b":"2"}}`, kv{"a": {"1"}, "b": {"2"}}, true},
		{"operators AND", `{"StringEquals":{"a":"1"},"StringLike":{"b":"x*"}}`, kv{"a": {"1"}, "b": {"y"}}, false},
		{"StringEquals multivalued any", `{"StringEquals":{"k":"b"}}`, kv{"k": {"a", "b"}}, true},
		{"StringEquals number normalized", `{"StringEquals":{"k":42}}`, kv{"k": {"42"}}, true},
		{"StringEquals bool normalized", `{"StringEquals":{"k":true}}`, kv{"k": {"true"}}, true},
		{"StringNotEquals differs", `{"StringNotEquals":{"k":"v"}}`, kv{"k": {"w"}}, true},
		{"StringNotEquals equal", `{"StringNotEquals":{"k":"v"}}`, kv{"k": {"v"}}, false},
		{"StringNotEquals absent", `{"StringNotEquals":{"k":"v"}}`, kv{}, true},
		{"StringNotEquals multivalued one equal", `{"StringNotEquals":{"k":"v"}}`, kv{"k": {"w", "v"}}, false},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"k":"Hello"}}`, kv{"k": {"hELLO"}}, true},
		{"StringEqualsIgnoreCase differs", `{"StringEqualsIgnoreCase":{"k":"Hello"}}`, kv{"k": {"hell"}}, false},
		{"StringNotEqualsIgnoreCase equal", `{"StringNotEqualsIgnoreCase":{"k":"Hello"}}`, kv{"k": {"HELLO"}}, false},
		{"StringNotEqualsIgnoreCase absent", `{"StringNotEqualsIgnoreCase":{"k":"Hello"}}`, kv{}, true},
		{"StringLike star", `{"StringLike":{"k":"abc*"}}`, kv{"k": {"abcdef"}}, true},
		{"StringLike question", `{"StringLike":{"k":"a?c"}}`, kv{"k": {"abc"}}, true},
		{"StringLike question one char only", `{"StringLike":{"k":"a?c"}}`, kv{"k": {"abbc"}}, false},
		{"StringLike case-sensitive", `{"StringLike":{"k":"ABC*"}}`, kv{"k": {"abc"}}, false},
		{"StringLike middle star", `{"StringLike":{"k":"a*z"}}`, kv{"k": {"a/b/c/z"}}, true},
		{"StringNotLike matches", `{"StringNotLike":{"k":"a*"}}`, kv{"k": {"abc"}}, false},
		{"StringNotLike no match", `{"StringNotLike":{"k":"a*"}}`, kv{"k": {"xyz"}}, true},
		{"StringNotLike absent", `{"StringNotLike":{"k":"a*"}}`, kv{}, true},
		// IfExists.
		{"StringEqualsIfExists absent", `{"StringEqualsIfExists":{"k":"v"}}`, kv{}, true},
		{"StringEqualsIfExists present mismatch", `{"StringEqualsIfExists":{"k":"v"}}`, kv{"k": {"x"}}, false},
		{"StringEqualsIfExists present match", `{"StringEqualsIfExists":{"k":"v"}}`, kv{"k": {"v"}}, true},
		{"NumericLessThanIfExists absent", `{"NumericLessThanIfExists":{"n":"5"}}`, kv{}, true},
		{"ArnLikeIfExists absent", `{"ArnLikeIfExists":{"a":"arn:aws:s3:::b"}}`, kv{}, true},
		// Numeric.
		{"NumericEquals int", `{"NumericEquals":{"n":"10"}}`, kv{"n": {"10"}}, true},
		{"NumericEquals decimal vs int", `{"NumericEquals":{"n":10}}`, kv{"n": {"10.0"}}, true},
		{"NumericEquals differs", `{"NumericEquals":{"n":"10"}}`, kv{"n": {"11"}}, false},
		{"NumericEquals unparseable", `{"NumericEquals":{"n":"10"}}`, kv{"n": {"ten"}}, false},
		{"NumericNotEquals differs", `{"NumericNotEquals":{"n":"10"}}`, kv{"n": {"11"}}, true},
		{"NumericNotEquals equal", `{"NumericNotEquals":{"n":"10"}}`, kv{"n": {"10"}}, false},
		{"NumericNotEquals unparseable", `{"NumericNotEquals":{"n":"10"}}`, kv{"n": {"x"}}, true},
		{"NumericNotEquals absent", `{"NumericNotEquals":{"n":"10"}}`, kv{}, true},
		{"NumericLessThan true", `{"NumericLessThan":{"n":"10"}}`, kv{"n": {"9.5"}}, true},
		{"NumericLessThan equal", `{"NumericLessThan":{"n":"10"}}`, kv{"n": {"10"}}, false},
		{"NumericLessThanEquals equal", `{"NumericLessThanEquals":{"n":"10"}}`, kv{"n": {"10"}}, true},
		{"NumericGreaterThan true", `{"NumericGreaterThan":{"n":"-1"}}`, kv{"n": {"0"}}, true},
		{"NumericGreaterThan false", `{"NumericGreaterThan":{"n":"3"}}`, kv{"n": {"2"}}, false},
		{"NumericGreaterThanEquals equal", `{"NumericGreaterThanEquals":{"n":"3.25"}}`, kv{"n": {"3.25"}}, true},
		{"NumericLessThan absent", `{"NumericLessThan":{"n":"10"}}`, kv{}, false},
		{"Numeric hex refused", `{"NumericEquals":{"n":"16"}}`, kv{"n": {"0x10"}}, false},
		// Date.
		{"DateEquals same instant different zones", `{"DateEquals":{"d":"2026-01-01T00:00:00Z"}}`, kv{"d": {"2026-01-01T01:00:00+01:00"}}, true},
		{"DateEquals epoch vs ISO", `{"DateEquals":{"d":"2026-01-01T00:00:00Z"}}`, kv{"d": {"1767225600"}}, true},
		{"DateEquals policy epoch number", `{"DateEquals":{"d":1767225600}}`, kv{"d": {"2026-01-01T00:00:00Z"}}, true},
		{"DateEquals date only", `{"DateEquals":{"d":"2026-01-01"}}`, kv{"d": {"2026-01-01T00:00:00Z"}}, true},
		{"DateEquals fractional seconds", `{"DateEquals":{"d":"2026-01-01T00:00:00.000Z"}}`, kv{"d": {"2026-01-01T00:00:00Z"}}, true},
		{"DateNotEquals differs", `{"DateNotEquals":{"d":"2026-01-01"}}`, kv{"d": {"2026-01-02"}}, true},
		{"DateNotEquals absent", `{"DateNotEquals":{"d":"2026-01-01"}}`, kv{}, true},
		{"DateLessThan before", `{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, kv{"aws:CurrentTime": {"2025-12-31T23:59:59Z"}}, true},
		{"DateLessThan after", `{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, kv{"aws:CurrentTime": {"2026-01-01T00:00:01Z"}}, false},
		{"DateLessThanEquals equal", `{"DateLessThanEquals":{"d":"2026-01-01T00:00:00Z"}}`, kv{"d": {"2026-01-01T00:00:00Z"}}, true},
		{"DateGreaterThan after", `{"DateGreaterThan":{"d":"2026-01-01"}}`, kv{"d": {"2026-06-01T12:00:00Z"}}, true},
		{"DateGreaterThanEquals before", `{"DateGreaterThanEquals":{"d":"2026-01-01"}}`, kv{"d": {"2025-06-01"}}, false},
		{"Date unparseable", `{"DateGreaterThan":{"d":"2026-01-01"}}`, kv{"d": {"yesterday"}}, false},
		{"Date compact SigV4 form", `{"DateEquals":{"d":"2026-01-01T00:00:00Z"}}`, kv{"d": {"20260101T000000Z"}}, true},
		// Bool.
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, kv{"aws:SecureTransport": {"true"}}, true},
		{"Bool case-insensitive", `{"Bool":{"aws:SecureTransport":true}}`, kv{"aws:SecureTransport": {"TRUE"}}, true},
		{"Bool false vs true", `{"Bool":{"aws:SecureTransport":"false"}}`, kv{"aws:SecureTransport": {"true"}}, false},
		{"Bool unparseable", `{"Bool":{"b":"true"}}`, kv{"b": {"yes"}}, false},
		{"Bool absent", `{"Bool":{"b":"false"}}`, kv{}, false},
		{"BoolIfExists absent", `{"BoolIfExists":{"b":"false"}}`, kv{}, true},
		// Binary.
		{"BinaryEquals match", `{"BinaryEquals":{"k":"QmluYXJ5"}}`, kv{"k": {"QmluYXJ5"}}, true},
		{"BinaryEquals differs", `{"BinaryEquals":{"k":"QmluYXJ5"}}`, kv{"k": {"QmluYXJ6"}}, false},
		// IP.
		{"IpAddress in CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, kv{"aws:SourceIp": {"203.0.113.7"}}, true},
		{"IpAddress outside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, kv{"aws:SourceIp": {"203.0.114.7"}}, false},
		{"IpAddress single address", `{"IpAddress":{"aws:SourceIp":"10.0.0.1"}}`, kv{"aws:SourceIp": {"10.0.0.1"}}, true},
		{"IpAddress IPv6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, kv{"aws:SourceIp": {"2001:db8:1::5"}}, true},
		{"IpAddress v4-mapped v6 caller", `{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}`, kv{"aws:SourceIp": {"::ffff:192.0.2.9"}}, true},
		{"IpAddress unparseable", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, kv{"aws:SourceIp": {"not-an-ip"}}, false},
		{"IpAddress list OR", `{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}`, kv{"aws:SourceIp": {"192.168.3.4"}}, true},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, kv{"aws:SourceIp": {"11.0.0.1"}}, true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, kv{"aws:SourceIp": {"10.2.3.4"}}, false},
		{"NotIpAddress absent", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, kv{}, true},
		{"NotIpAddress unparseable", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, kv{"aws:SourceIp": {"junk"}}, true},
		// ARN.
		{"ArnEquals exact", `{"ArnEquals":{"a":"arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}`, kv{"a": {"arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}, true},
		{"ArnEquals differs", `{"ArnEquals":{"a":"arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}`, kv{"a": {"arn:aws:acm-pca:::template/EndEntityCertificate/V2"}}, false},
		{"ArnLike per-part wildcards", `{"ArnLike":{"acm-pca:TemplateArn":"arn:aws:acm-pca:*:*:template/EndEntityCertificate/V*"}}`, kv{"acm-pca:TemplateArn": {"arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}, true},
		{"ArnLike star does not cross parts", `{"ArnLike":{"a":"arn:aws:*:us-east-1:111122223333:x"}}`, kv{"a": {"arn:aws:s3:eu:us-east-1:111122223333:x"}}, false},
		{"ArnLike resource part may hold colons", `{"ArnLike":{"a":"arn:aws:logs:*:*:log-group:*"}}`, kv{"a": {"arn:aws:logs:us-east-1:111122223333:log-group:g:x"}}, true},
		{"ArnLike context not an ARN", `{"ArnLike":{"a":"arn:aws:s3:::*"}}`, kv{"a": {"bucket"}}, false},
		{"ArnNotLike matching", `{"ArnNotLike":{"acm-pca:TemplateArn":"arn:aws:acm-pca:*:*:template/EndEntityCertificate/V*"}}`, kv{"acm-pca:TemplateArn": {"arn:aws:acm-pca:::template/EndEntityCertificate/V1"}}, false},
		{"ArnNotLike other template", `{"ArnNotLike":{"acm-pca:TemplateArn":"arn:aws:acm-pca:*:*:template/EndEntityCertificate/V*"}}`, kv{"acm-pca:TemplateArn": {"arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1"}}, true},
		{"ArnNotEquals absent", `{"ArnNotEquals":{"a":"arn:aws:s3:::b"}}`, kv{}, true},
		{"ArnNotEquals equal", `{"ArnNotEquals":{"a":"arn:aws:s3:::b"}}`, kv{"a": {"arn:aws:s3:::b"}}, false},
		// Null.
		{"Null true absent", `{"Null":{"k":"true"}}`, kv{}, true},
		{"Null true present", `{"Null":{"k":"true"}}`, kv{"k": {"x"}}, false},
		{"Null false present", `{"Null":{"k":"false"}}`, kv{"k": {"x"}}, true},
		{"Null false absent", `{"Null":{"k":"false"}}`, kv{}, false},
		{"Null bool literal", `{"Null":{"k":true}}`, kv{}, true},
		{"Null empty value list is absent", `{"Null":{"k":"true"}}`, kv{"k": {}}, true},
		// Set qualifiers.
		{"ForAnyValue one matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","team"]}}`, kv{"aws:TagKeys": {"owner", "team"}}, true},
		{"ForAnyValue none matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`, kv{"aws:TagKeys": {"owner", "team"}}, false},
		{"ForAnyValue absent", `{"ForAnyValue:StringEquals":{"aws:TagKeys":"env"}}`, kv{}, false},
		{"ForAnyValue IfExists absent", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"env"}}`, kv{}, true},
		{"ForAnyValue StringNotEquals one outside", `{"ForAnyValue:StringNotEquals":{"t":["a","b"]}}`, kv{"t": {"a", "c"}}, true},
		{"ForAnyValue StringNotEquals all inside", `{"ForAnyValue:StringNotEquals":{"t":["a","b"]}}`, kv{"t": {"a", "b"}}, false},
		{"ForAllValues all in set", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`, kv{"aws:TagKeys": {"team", "env"}}, true},
		{"ForAllValues one outside", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`, kv{"aws:TagKeys": {"team", "owner"}}, false},
		{"ForAllValues absent", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`, kv{}, true},
		{"ForAllValues empty list", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`, kv{"aws:TagKeys": {}}, true},
		{"ForAllValues StringNotEquals none in set", `{"ForAllValues:StringNotEquals":{"t":["a","b"]}}`, kv{"t": {"c", "d"}}, true},
		{"ForAllValues StringNotEquals one in set", `{"ForAllValues:StringNotEquals":{"t":["a","b"]}}`, kv{"t": {"c", "a"}}, false},
		{"ForAllValues StringLike", `{"ForAllValues:StringLike":{"t":"x-*"}}`, kv{"t": {"x-1", "x-2"}}, true},
		{"ForAnyValue NumericGreaterThan", `{"ForAnyValue:NumericGreaterThan":{"n":"5"}}`, kv{"n": {"1", "9"}}, true},
		{"ForAllValues NumericGreaterThan", `{"ForAllValues:NumericGreaterThan":{"n":"5"}}`, kv{"n": {"1", "9"}}, false},
		{"ForAnyValue key case-insensitive", `{"ForAnyValue:StringLike":{"AWS:PRINCIPALORGPATHS":"o-1/*"}}`, kv{"aws:PrincipalOrgPaths": {"o-1/r-1/"}}, true},
		// Variables in condition values.
		{"variable username", `{"StringEquals":{"s3:prefix":"home/${aws:username}"}}`, kv{"aws:username": {"alice"}, "s3:prefix": {"home/alice"}}, true},
		{"variable other user", `{"StringEquals":{"s3:prefix":"home/${aws:username}"}}`, kv{"aws:username": {"bob"}, "s3:prefix": {"home/alice"}}, false},
		{"variable missing no default", `{"StringEquals":{"k":"${aws:PrincipalTag/team}"}}`, kv{"k": {""}}, false},
		{"variable default used", `{"StringEquals":{"k":"${aws:PrincipalTag/team, 'none'}"}}`, kv{"k": {"none"}}, true},
		{"variable default ignored when set", `{"StringEquals":{"k":"${aws:PrincipalTag/team, 'none'}"}}`, kv{"k": {"none"}, "aws:PrincipalTag/team": {"red"}}, false},
		{"variable key case-insensitive", `{"StringEquals":{"k":"${AWS:UserName}"}}`, kv{"k": {"alice"}, "aws:username": {"alice"}}, true},
		{"variable value literal in StringLike", `{"StringLike":{"k":"${aws:PrincipalTag/p}"}}`, kv{"k": {"abc"}, "aws:PrincipalTag/p": {"a*"}}, false},
		{"variable value literal star matches star", `{"StringLike":{"k":"${aws:PrincipalTag/p}"}}`, kv{"k": {"a*"}, "aws:PrincipalTag/p": {"a*"}}, true},
		{"escape star is literal", `{"StringLike":{"k":"a${*}"}}`, kv{"k": {"abc"}}, false},
		{"escape star matches asterisk", `{"StringLike":{"k":"a${*}"}}`, kv{"k": {"a*"}}, true},
		{"escape question and dollar", `{"StringEquals":{"k":"${?}${$}"}}`, kv{"k": {"?$"}}, true},
		{"ArnLike with variable", `{"ArnLike":{"aws:SourceArn":"arn:aws:acm:*:${aws:SourceAccount}:certificate/*"}}`, kv{"aws:SourceArn": {"arn:aws:acm:us-east-1:111122223333:certificate/abc"}, "aws:SourceAccount": {"111122223333"}}, true},
		{"StringNotEquals unresolved variable", `{"StringNotEquals":{"k":"${missing}"}}`, kv{"k": {"x"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, condDoc(Version2012, tc.cond), Identity)
			r := d.Evaluate(&Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctxOf(tc.ctx)})
			if got := r.Effect == Allow; got != tc.want {
				t.Errorf("condition %s with %v: got %v, want %v (%+v)", tc.cond, tc.ctx, got, tc.want, r)
			}
		})
	}
}

func TestVersion2008KeepsVariablesLiteral(t *testing.T) {
	tests := []struct {
		name    string
		version string
		ctxVal  string
		want    bool
	}{
		{"2012 substitutes", Version2012, "home/alice", true},
		{"2012 literal text does not match", Version2012, "home/${aws:username}", false},
		{"2008 literal text matches", Version2008, "home/${aws:username}", true},
		{"2008 no substitution", Version2008, "home/alice", false},
		{"no Version behaves as 2008", "", "home/${aws:username}", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := mustParse(t, condDoc(tc.version, `{"StringEquals":{"k":"home/${aws:username}"}}`), Identity)
			r := d.Evaluate(&Request{Action: "s3:GetObject", Resource: "*", Context: ctxOf(kv{"k": {tc.ctxVal}, "aws:username": {"alice"}})})
			if got := r.Effect == Allow; got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestConditionMissesAndMissingKeys(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"a","Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"},"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-1/*"}}},
	 {"Sid":"b","Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:principalorgid":"o-2"},"Null":{"aws:username":"false"}}},
	 {"Sid":"c","Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"Bool":{"x":"true"}}}]}`
	d := mustParse(t, doc, Identity)
	tests := []struct {
		name        string
		ctx         kv
		wantEffect  Effect
		wantMatched []int
		wantMisses  []ConditionMiss
		wantMissing []string
	}{
		{
			name:        "empty context",
			ctx:         kv{},
			wantEffect:  NoMatch,
			wantMisses:  []ConditionMiss{{Statement: StatementRef{0, "a", Allow}, Operator: "StringEquals", Key: "aws:PrincipalOrgID", Missing: true}, {Statement: StatementRef{1, "b", Allow}, Operator: "Null", Key: "aws:username", Missing: true}},
			wantMissing: []string{"aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:username"},
		},
		{
			name:        "org matches, path wrong",
			ctx:         kv{"aws:PrincipalOrgID": {"o-1"}, "aws:PrincipalOrgPaths": {"o-9/r/"}, "aws:username": {"u"}},
			wantEffect:  Allow,
			wantMatched: []int{1},
			wantMisses:  []ConditionMiss{{Statement: StatementRef{0, "a", Allow}, Operator: "ForAnyValue:StringLike", Key: "aws:PrincipalOrgPaths"}},
		},
		{
			name:        "both allow",
			ctx:         kv{"aws:PrincipalOrgID": {"o-1"}, "aws:PrincipalOrgPaths": {"o-1/r/"}, "aws:username": {"u"}},
			wantEffect:  Allow,
			wantMatched: []int{0, 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := d.Evaluate(&Request{Action: "s3:GetObject", Resource: "*", Context: ctxOf(tc.ctx)})
			if r.Effect != tc.wantEffect || !equalInts(refs(r), tc.wantMatched) {
				t.Fatalf("effect %v matched %v, want %v %v", r.Effect, refs(r), tc.wantEffect, tc.wantMatched)
			}
			if len(r.ConditionMisses) != len(tc.wantMisses) {
				t.Fatalf("misses %+v, want %+v", r.ConditionMisses, tc.wantMisses)
			}
			for i := range tc.wantMisses {
				if r.ConditionMisses[i] != tc.wantMisses[i] {
					t.Errorf("miss %d = %+v, want %+v", i, r.ConditionMisses[i], tc.wantMisses[i])
				}
			}
			if len(r.MissingKeys) != len(tc.wantMissing) {
				t.Fatalf("missing %v, want %v", r.MissingKeys, tc.wantMissing)
			}
			for i := range tc.wantMissing {
				if r.MissingKeys[i] != tc.wantMissing[i] {
					t.Errorf("missing %v, want %v", r.MissingKeys, tc.wantMissing)
				}
			}
		})
	}
}
