package iamapi

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func tag(k, v string) iamtypes.Tag { return iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)} }

func tagString(tags []iamtypes.Tag) string {
	s := ""
	for _, t := range tags {
		s += aws.ToString(t.Key) + "=" + aws.ToString(t.Value) + ";"
	}
	return s
}

// Managed-policy tags: stored by CreatePolicy, shown by GetPolicy (not by
// ListPolicies), changed by TagPolicy/UntagPolicy and paged by
// ListPolicyTags, with AWS's validation and quota errors.
func TestPolicyTags(t *testing.T) {
	r := newRig(t)
	created, err := r.root.CreatePolicy(r.ctx, &awsiam.CreatePolicyInput{
		PolicyName: aws.String("tagged"), Path: aws.String("/pki/"), PolicyDocument: aws.String(allowAll),
		Tags: []iamtypes.Tag{tag("team", "pki"), tag("env", "prod")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := tagString(created.Policy.Tags); got != "team=pki;env=prod;" {
		t.Fatalf("CreatePolicy Tags = %s", got)
	}
	arn := created.Policy.Arn
	got, err := r.root.GetPolicy(r.ctx, &awsiam.GetPolicyInput{PolicyArn: arn})
	if err != nil || tagString(got.Policy.Tags) != "env=prod;team=pki;" {
		t.Fatalf("GetPolicy = %+v, %v", got, err)
	}
	list, err := r.root.ListPolicies(r.ctx, &awsiam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
	if err != nil || len(list.Policies) != 1 || list.Policies[0].Tags != nil {
		t.Fatalf("ListPolicies = %+v, %v (want one policy without Tags)", list, err)
	}

	// Overwrite one, add one, remove one (and a key that is not there).
	if _, err := r.root.TagPolicy(r.ctx, &awsiam.TagPolicyInput{PolicyArn: arn, Tags: []iamtypes.Tag{tag("TEAM", "ca"), tag("owner", "ops")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.root.UntagPolicy(r.ctx, &awsiam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"env", "absent"}}); err != nil {
		t.Fatal(err)
	}
	var all []iamtypes.Tag
	var marker *string
	for pages := 0; ; pages++ {
		out, err := r.root.ListPolicyTags(r.ctx, &awsiam.ListPolicyTagsInput{PolicyArn: arn, MaxItems: aws.Int32(1), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out.Tags...)
		if !out.IsTruncated {
			break
		}
		if pages > 3 || out.Marker == nil {
			t.Fatalf("ListPolicyTags paging: %+v", out)
		}
		marker = out.Marker
	}
	if got := tagString(all); got != "owner=ops;TEAM=ca;" {
		t.Fatalf("ListPolicyTags = %s", got)
	}

	// Validation and quota.
	_, err = r.root.CreatePolicy(r.ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("dup"), PolicyDocument: aws.String(allowAll),
		Tags: []iamtypes.Tag{tag("a", "1"), tag("A", "2")}})
	wantErr(t, err, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	_, err = r.root.TagPolicy(r.ctx, &awsiam.TagPolicyInput{PolicyArn: arn, Tags: []iamtypes.Tag{tag("bad*key", "x")}})
	wantErr(t, err, "ValidationError", "")
	var many []iamtypes.Tag
	for i := range 49 {
		many = append(many, tag(fmt.Sprintf("k%02d", i), "v"))
	}
	_, err = r.root.TagPolicy(r.ctx, &awsiam.TagPolicyInput{PolicyArn: arn, Tags: many})
	wantErr(t, err, "LimitExceeded", "The number of tags has reached the maximum limit.")
	if _, err := r.root.TagPolicy(r.ctx, &awsiam.TagPolicyInput{PolicyArn: arn, Tags: many[:48]}); err != nil {
		t.Fatal(err) // 2 + 48 = 50 keys fit
	}

	// Unknown and AWS-managed policies.
	missing := "arn:aws:iam::" + acct + ":policy/none"
	_, err = r.root.ListPolicyTags(r.ctx, &awsiam.ListPolicyTagsInput{PolicyArn: aws.String(missing)})
	wantErr(t, err, "NoSuchEntity", "Policy "+missing+" was not found.")
	_, err = r.root.TagPolicy(r.ctx, &awsiam.TagPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess"), Tags: []iamtypes.Tag{tag("a", "b")}})
	wantErr(t, err, "InvalidInput", "")

	// Deleting the policy deletes its tags: a new one of the same name has none.
	if _, err := r.root.DeletePolicy(r.ctx, &awsiam.DeletePolicyInput{PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
	again, err := r.root.CreatePolicy(r.ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("tagged"), Path: aws.String("/pki/"), PolicyDocument: aws.String(allowAll)})
	if err != nil || again.Policy.Tags != nil {
		t.Fatalf("CreatePolicy again = %+v, %v", again, err)
	}
	tags, err := r.root.ListPolicyTags(r.ctx, &awsiam.ListPolicyTagsInput{PolicyArn: arn})
	if err != nil || len(tags.Tags) != 0 {
		t.Fatalf("ListPolicyTags after re-create = %+v, %v", tags, err)
	}
}

// iam:TagPolicy and friends are authorized on the policy ARN with the
// request's aws:RequestTag and aws:TagKeys.
func TestPolicyTagsAuthorization(t *testing.T) {
	r := newRig(t)
	created, err := r.root.CreatePolicy(r.ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p1"), PolicyDocument: aws.String(allowAll)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.Policy.Arn)
	doc := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Action":"iam:TagPolicy","Resource":"` + arn + `","Condition":{"StringEquals":{"aws:RequestTag/team":"pki"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}},
	 {"Effect":"Allow","Action":"iam:UntagPolicy","Resource":"` + arn + `","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}},
	 {"Effect":"Allow","Action":"iam:CreatePolicy","Resource":"*","Condition":{"Null":{"aws:TagKeys":"true"}}}]}`
	alice := r.iam(r.user("alice", doc))

	if _, err := alice.TagPolicy(r.ctx, &awsiam.TagPolicyInput{PolicyArn: aws.String(arn), Tags: []iamtypes.Tag{tag("team", "pki")}}); err != nil {
		t.Fatal(err)
	}
	_, err = alice.TagPolicy(r.ctx, &awsiam.TagPolicyInput{PolicyArn: aws.String(arn), Tags: []iamtypes.Tag{tag("team", "ops")}})
	wantErr(t, err, "AccessDenied", "")
	_, err = alice.TagPolicy(r.ctx, &awsiam.TagPolicyInput{PolicyArn: aws.String(arn), Tags: []iamtypes.Tag{tag("team", "pki"), tag("env", "x")}})
	wantErr(t, err, "AccessDenied", "")
	_, err = alice.UntagPolicy(r.ctx, &awsiam.UntagPolicyInput{PolicyArn: aws.String(arn), TagKeys: []string{"env"}})
	wantErr(t, err, "AccessDenied", "")
	if _, err := alice.UntagPolicy(r.ctx, &awsiam.UntagPolicyInput{PolicyArn: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	_, err = alice.ListPolicyTags(r.ctx, &awsiam.ListPolicyTagsInput{PolicyArn: aws.String(arn)})
	wantErr(t, err, "AccessDenied", "")
	// CreatePolicy's tags reach the condition context too.
	if _, err := alice.CreatePolicy(r.ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p2"), PolicyDocument: aws.String(allowAll)}); err != nil {
		t.Fatal(err)
	}
	_, err = alice.CreatePolicy(r.ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("p3"), PolicyDocument: aws.String(allowAll), Tags: []iamtypes.Tag{tag("a", "b")}})
	wantErr(t, err, "AccessDenied", "")
}
