package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/openpca/openpca/internal/server"
)

// TestExplainMatchesLiveDecision: admin explain reports the same decision
// as a live request, with the deciding statement named.
func TestExplainMatchesLiveDecision(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	keyID, secret := newUserWithKey(t, r, "erin")
	deny := createPolicy(t, r, "no-users", `{"Version":"2012-10-17","Statement":[{"Sid":"NoUsers","Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`)
	must[*iam.AttachUserPolicyOutput](t)(r.rootIAM().AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("erin"), PolicyArn: aws.String(deny)}))
	must[*iam.PutUserPolicyOutput](t)(r.rootIAM().PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("erin"), PolicyName: aws.String("all-iam"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`)}))
	erin := "arn:aws:iam::" + mgmtAccount + ":user/erin"
	live := map[string]error{}
	erinIAM := r.iam(keyID, secret, "")
	_, live["iam:ListUsers"] = erinIAM.ListUsers(ctx, &iam.ListUsersInput{})
	_, live["iam:CreateUser"] = erinIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	cases := []struct {
		action   string
		resource string
		allowed  bool
		want     []string
	}{
		{"iam:ListUsers", "arn:aws:iam::" + mgmtAccount + ":user/", true, []string{"ALLOWED", "an identity-based policy allows it", "ALLOW identity-policy statement #0 in user/erin/inline/all-iam"}},
		{"iam:CreateUser", "arn:aws:iam::" + mgmtAccount + ":user/x", false, []string{"DENIED", "explicitly denies", `Deciding statement: DENY identity-policy statement #0 (Sid "NoUsers") in ` + deny,
			"with an explicit deny in an identity-based policy"}},
		{"sts:AssumeRole", "*", false, []string{"DENIED", "No statement applies", "because no identity-based policy allows the sts:AssumeRole action"}},
	}
	for _, tc := range cases {
		t.Run(tc.action, func(t *testing.T) {
			p, d, err := r.app.Explain(ctx, server.ExplainInput{PrincipalARN: erin, Action: tc.action, Resource: tc.resource})
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != tc.allowed {
				t.Fatalf("allowed = %v", d.Allowed)
			}
			if err, ok := live[tc.action]; ok {
				if tc.allowed && err != nil {
					t.Fatalf("live call denied: %v", err)
				}
				if !tc.allowed && apiError(t, err, "AccessDenied") != d.Message {
					t.Fatalf("live denial %q, explained %q", apiError(t, err, "AccessDenied"), d.Message)
				}
			}
			text := server.FormatDecision(p, tc.action, tc.resource, d)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("explanation lacks %q:\n%s", w, text)
				}
			}
		})
	}
	if _, _, err := r.app.Explain(ctx, server.ExplainInput{PrincipalARN: "arn:aws:iam::" + mgmtAccount + ":user/nobody", Action: "iam:ListUsers", Resource: "*"}); err == nil {
		t.Fatal("explain for an unknown user succeeded")
	}
}
