package policy

import "testing"

// The two resource policies of the AWS Private CA guide (pca-rbp), verbatim
// apart from IDs: both reuse Sid "1".
const accountSharePolicy = `{
   "Version":"2012-10-17",
   "Statement":[
      {
         "Sid":"1",
         "Effect":"Allow",
         "Principal":{
            "AWS":"555555555555"
         },
         "Action":[
            "acm-pca:DescribeCertificateAuthority",
            "acm-pca:GetCertificate",
            "acm-pca:GetCertificateAuthorityCertificate",
            "acm-pca:ListPermissions",
            "acm-pca:ListTags"
         ],
         "Resource":"arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11223344-1234-1122-2233-112233445566"
      },
      {
         "Sid":"1",
         "Effect":"Allow",
         "Principal":{
            "AWS":"555555555555"
         },
         "Action":[
            "acm-pca:IssueCertificate"
         ],
         "Resource":"arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11223344-1234-1122-2233-112233445566",
         "Condition":{
            "StringEquals":{
               "acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntityCertificate/V1"
            }
         }
      }
   ]
}`

const orgSharePolicy = `{
   "Version":"2012-10-17",
   "Statement":[
      {
         "Sid":"1",
         "Effect":"Allow",
         "Principal":"*",
         "Action":"acm-pca:IssueCertificate",
         "Resource":"arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11223344-1234-1122-2233-112233445566",
         "Condition":{
            "StringEquals":{
               "acm-pca:TemplateArn":"arn:aws:acm-pca:::template/EndEntityCertificate/V1",
               "aws:PrincipalOrgID":"o-aa111bb222"
            }
         }
      },
      {
         "Sid":"1",
         "Effect":"Allow",
         "Principal":"*",
         "Action":[
            "acm-pca:DescribeCertificateAuthority",
            "acm-pca:GetCertificate",
            "acm-pca:GetCertificateAuthorityCertificate",
            "acm-pca:ListPermissions",
            "acm-pca:ListTags"
         ],
         "Resource":"arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11223344-1234-1122-2233-112233445566",
         "Condition":{
            "StringEquals":{
               "aws:PrincipalOrgID":"o-aa111bb222"
            }
         }
      }
   ]
}`

// An OU share as RAM writes it (§3.3): the OU and all its descendants.
const ouSharePolicy = `{
   "Version":"2012-10-17",
   "Statement":[
      {
         "Effect":"Allow",
         "Principal":"*",
         "Action":["acm-pca:IssueCertificate","acm-pca:GetCertificate"],
         "Resource":"arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/11223344-1234-1122-2233-112233445566",
         "Condition":{
            "ForAnyValue:StringLike":{
               "aws:PrincipalOrgPaths":"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"
            }
         }
      }
   ]
}`

const (
	endEntityV1 = "arn:aws:acm-pca:::template/EndEntityCertificate/V1"
	subCA       = "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1"
)

var shareCaller = &Principal{
	Account: "555555555555",
	ARNs: []string{
		"arn:aws:sts::555555555555:assumed-role/AWSServiceRoleForCertificateManager/acm",
		"arn:aws:iam::555555555555:role/aws-service-role/acm.amazonaws.com/AWSServiceRoleForCertificateManager",
	},
}

func TestCanonicalCAPolicies(t *testing.T) {
	account := mustParse(t, accountSharePolicy, Resource)
	org := mustParse(t, orgSharePolicy, Resource)
	ou := mustParse(t, ouSharePolicy, Resource)
	inOrg := kv{"aws:PrincipalOrgID": {"o-aa111bb222"}}
	tests := []struct {
		name      string
		doc       *Document
		principal *Principal
		action    string
		resource  string
		ctx       kv
		want      Effect
		matched   []int
		misses    int
	}{
		{"account: read action", account, shareCaller, "acm-pca:GetCertificate", caARN, nil, Allow, []int{0}, 0},
		{"account: ListTags", account, shareCaller, "acm-pca:ListTags", caARN, nil, Allow, []int{0}, 0},
		{"account: issue with V1", account, shareCaller, "acm-pca:IssueCertificate", caARN, kv{"acm-pca:TemplateArn": {endEntityV1}}, Allow, []int{1}, 0},
		{"account: issue with other template", account, shareCaller, "acm-pca:IssueCertificate", caARN, kv{"acm-pca:TemplateArn": {subCA}}, NoMatch, nil, 1},
		{"account: issue without template key", account, shareCaller, "acm-pca:IssueCertificate", caARN, nil, NoMatch, nil, 1},
		{"account: revoke not granted", account, shareCaller, "acm-pca:RevokeCertificate", caARN, nil, NoMatch, nil, 0},
		{"account: other account", account, pOther, "acm-pca:GetCertificate", caARN, nil, NoMatch, nil, 0},
		{"account: other CA", account, shareCaller, "acm-pca:GetCertificate", caARN[:len(caARN)-1] + "7", nil, NoMatch, nil, 0},
		{"account: service principal", account, pACM, "acm-pca:GetCertificate", caARN, nil, NoMatch, nil, 0},
		{"org: issue in org with V1", org, shareCaller, "acm-pca:IssueCertificate", caARN, kv{"aws:PrincipalOrgID": {"o-aa111bb222"}, "acm-pca:TemplateArn": {endEntityV1}}, Allow, []int{0}, 0},
		{"org: issue in org other template", org, shareCaller, "acm-pca:IssueCertificate", caARN, kv{"aws:PrincipalOrgID": {"o-aa111bb222"}, "acm-pca:TemplateArn": {subCA}}, NoMatch, nil, 1},
		{"org: issue outside org", org, pOther, "acm-pca:IssueCertificate", caARN, kv{"aws:PrincipalOrgID": {"o-zz999yy888"}, "acm-pca:TemplateArn": {endEntityV1}}, NoMatch, nil, 1},
		{"org: read in org", org, shareCaller, "acm-pca:DescribeCertificateAuthority", caARN, inOrg, Allow, []int{1}, 0},
		{"org: read without org", org, pOther, "acm-pca:DescribeCertificateAuthority", caARN, nil, NoMatch, nil, 1},
		{"org: anonymous with org key", org, pAnon, "acm-pca:GetCertificate", caARN, inOrg, Allow, []int{1}, 0},
		{"org: service principal", org, pACM, "acm-pca:GetCertificate", caARN, inOrg, NoMatch, nil, 0},
		{"ou: account directly in OU", ou, shareCaller, "acm-pca:IssueCertificate", caARN, kv{"aws:PrincipalOrgPaths": {"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"}}, Allow, []int{0}, 0},
		{"ou: account in child OU", ou, shareCaller, "acm-pca:IssueCertificate", caARN, kv{"aws:PrincipalOrgPaths": {"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"}}, Allow, []int{0}, 0},
		{"ou: account outside OU", ou, shareCaller, "acm-pca:IssueCertificate", caARN, kv{"aws:PrincipalOrgPaths": {"o-a1b2c3d4e5/r-ab12/ou-ab12-33333333/"}}, NoMatch, nil, 1},
		{"ou: account at the root", ou, shareCaller, "acm-pca:IssueCertificate", caARN, kv{"aws:PrincipalOrgPaths": {"o-a1b2c3d4e5/r-ab12/"}}, NoMatch, nil, 1},
		{"ou: same OU id in another org", ou, shareCaller, "acm-pca:IssueCertificate", caARN, kv{"aws:PrincipalOrgPaths": {"o-zzzzzzzzzz/r-ab12/ou-ab12-11111111/"}}, NoMatch, nil, 1},
		{"ou: not in an org", ou, shareCaller, "acm-pca:IssueCertificate", caARN, nil, NoMatch, nil, 1},
		{"ou: one of several paths", ou, shareCaller, "acm-pca:GetCertificate", caARN, kv{"aws:PrincipalOrgPaths": {"o-x/r-1/", "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"}}, Allow, []int{0}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.doc.Evaluate(&Request{Principal: tc.principal, Action: tc.action, Resource: tc.resource, Context: ctxOf(tc.ctx)})
			if r.Effect != tc.want || !equalInts(refs(r), tc.matched) || len(r.ConditionMisses) != tc.misses {
				t.Errorf("got %v matched %v misses %+v; want %v %v %d misses", r.Effect, refs(r), r.ConditionMisses, tc.want, tc.matched, tc.misses)
			}
			for _, m := range r.Matched {
				if m.Sid != "" && m.Sid != "1" {
					t.Errorf("unexpected Sid %q", m.Sid)
				}
			}
		})
	}
}

func TestCanonicalParsedShape(t *testing.T) {
	d := mustParse(t, accountSharePolicy, Resource)
	if len(d.Statements) != 2 || d.Statements[0].Sid != "1" || d.Statements[1].Sid != "1" {
		t.Fatalf("statements %+v", d.Statements)
	}
	st := d.Statements[1]
	if st.Principal == nil || len(st.Principal.AWS) != 1 || st.Principal.AWS[0] != "555555555555" || st.Principal.Wildcard {
		t.Errorf("principal %+v", st.Principal)
	}
	want := Condition{Operator: "StringEquals", Key: "acm-pca:TemplateArn", Values: []string{endEntityV1}}
	if len(st.Condition) != 1 || st.Condition[0].Operator != want.Operator || st.Condition[0].Key != want.Key || st.Condition[0].Values[0] != want.Values[0] {
		t.Errorf("condition %+v", st.Condition)
	}
	o := mustParse(t, orgSharePolicy, Resource)
	if !o.Statements[0].Principal.Wildcard || len(o.Statements[0].Condition) != 2 || o.Statements[0].Condition[1].Key != "aws:PrincipalOrgID" {
		t.Errorf("org statement %+v", o.Statements[0])
	}
}
