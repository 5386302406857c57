package orgapi

import (
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// TestEveryPolicyType: each type of the model can be enabled (shown on the
// root), created, attached, described and listed; disabling detaches.
func TestEveryPolicyType(t *testing.T) {
	s := newStack(t)
	ctx := s.ctx
	tr := buildTree(t, s)
	m := tr.mgmt.org
	root := aws.String(tr.rootID)

	content := map[types.PolicyType]string{
		types.PolicyTypeServiceControlPolicy:  `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:DeleteRole","Resource":"*"}]}`,
		types.PolicyTypeResourceControlPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
	}
	all := types.PolicyType("").Values()
	if len(all) != 15 {
		t.Fatalf("the SDK lists %d policy types", len(all))
	}
	for _, pt := range all {
		t.Run(string(pt), func(t *testing.T) {
			en := must[*organizations.EnablePolicyTypeOutput](t)(m.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root, PolicyType: pt}))
			if !slices.ContainsFunc(en.Root.PolicyTypes, func(p types.PolicyTypeSummary) bool {
				return p.Type == pt && p.Status == types.PolicyTypeStatusEnabled
			}) {
				t.Fatalf("EnablePolicyType: root types %+v", en.Root.PolicyTypes)
			}
			if _, err := m.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: root, PolicyType: pt}); apiCode(err) != "PolicyTypeAlreadyEnabledException" {
				t.Fatalf("enabling twice: %v", err)
			}
			doc, ok := content[pt]
			if !ok {
				doc = `{"settings":{"@@assign":"x"}}`
			}
			cp := must[*organizations.CreatePolicyOutput](t)(m.CreatePolicy(ctx, &organizations.CreatePolicyInput{
				Name: aws.String("p-" + string(pt)), Description: aws.String(""), Type: pt, Content: aws.String(doc)}))
			pid := cp.Policy.PolicySummary.Id
			must[*organizations.AttachPolicyOutput](t)(m.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: aws.String(tr.ouA)}))
			d := must[*organizations.DescribePolicyOutput](t)(m.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: pid}))
			if d.Policy.PolicySummary.Type != pt || aws.ToString(d.Policy.Content) != doc || d.Policy.PolicySummary.AwsManaged {
				t.Fatalf("DescribePolicy = %+v", d.Policy)
			}
			lp := must[*organizations.ListPoliciesOutput](t)(m.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: pt}))
			if !slices.ContainsFunc(lp.Policies, func(p types.PolicySummary) bool { return aws.ToString(p.Id) == aws.ToString(pid) }) {
				t.Fatalf("ListPolicies(%s) = %+v", pt, lp.Policies)
			}
			on := must[*organizations.ListPoliciesForTargetOutput](t)(m.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(tr.ouA), Filter: pt}))
			ids := []string{}
			for _, p := range on.Policies {
				ids = append(ids, aws.ToString(p.Id))
			}
			want := []string{aws.ToString(pid)}
			switch pt {
			case types.PolicyTypeServiceControlPolicy:
				want = append(want, "p-FullAWSAccess")
			case types.PolicyTypeResourceControlPolicy:
				want = append(want, "p-RCPFullAWSAccess")
			}
			slices.Sort(ids)
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Fatalf("policies on the OU = %v, want %v", ids, want)
			}
			if pt != types.PolicyTypeServiceControlPolicy { // SCPs stay on: other tests' members keep acting
				must[*organizations.DisablePolicyTypeOutput](t)(m.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: root, PolicyType: pt}))
				if _, err := m.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: root}); apiCode(err) != "PolicyTypeNotEnabledException" {
					t.Fatalf("attach after disabling: %v", err)
				}
			}
		})
	}
}

// TestRCPDefaults: enabling RCPs attaches RCPFullAWSAccess everywhere (and
// to accounts created later); it cannot be detached; customer RCPs may
// only deny.
func TestRCPDefaults(t *testing.T) {
	s := newStack(t)
	ctx := s.ctx
	tr := buildTree(t, s)
	m := tr.mgmt.org
	must[*organizations.EnablePolicyTypeOutput](t)(m.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(tr.rootID), PolicyType: types.PolicyTypeResourceControlPolicy}))
	ca := must[*organizations.CreateAccountOutput](t)(m.CreateAccount(ctx, &organizations.CreateAccountInput{Email: aws.String("late@example.com"), AccountName: aws.String("late")}))
	late := aws.ToString(ca.CreateAccountStatus.AccountId)
	for _, target := range []string{tr.rootID, tr.ouC, invitedAccount, late} {
		pols := must[*organizations.ListPoliciesForTargetOutput](t)(m.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{
			TargetId: aws.String(target), Filter: types.PolicyTypeResourceControlPolicy}))
		if len(pols.Policies) != 1 || aws.ToString(pols.Policies[0].Id) != "p-RCPFullAWSAccess" || !pols.Policies[0].AwsManaged ||
			aws.ToString(pols.Policies[0].Arn) != "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess" {
			t.Fatalf("RCPs of %s = %+v", target, pols.Policies)
		}
	}
	_, err := m.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-RCPFullAWSAccess"), TargetId: aws.String(tr.ouA)})
	var ii *types.InvalidInputException
	if !errors.As(err, &ii) || ii.Reason != types.InvalidInputExceptionReasonNonDetachablePolicy {
		t.Fatalf("detaching RCPFullAWSAccess: %v", err)
	}
	_, err = m.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("allow"), Description: aws.String(""), Type: types.PolicyTypeResourceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)})
	if apiCode(err) != "MalformedPolicyDocumentException" {
		t.Fatalf("an allowing RCP: %v", err)
	}
	d := must[*organizations.DescribePolicyOutput](t)(m.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-RCPFullAWSAccess")}))
	if d.Policy.PolicySummary.Type != types.PolicyTypeResourceControlPolicy || aws.ToString(d.Policy.PolicySummary.Name) != "RCPFullAWSAccess" {
		t.Fatalf("DescribePolicy(p-RCPFullAWSAccess) = %+v", d.Policy.PolicySummary)
	}
}
