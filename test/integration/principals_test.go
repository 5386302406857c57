package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	iamstore "github.com/openpca/openpca/internal/iam"
)

// TestCAPolicyPrincipalsByUniqueID: a CA policy naming another account's
// user keeps that user by unique ID, so after the user is deleted and
// created again under the same name the new one cannot issue; GetPolicy
// shows the ARN while the user exists and the ID afterwards.
func TestCAPolicyPrincipalsByUniqueID(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	a := r.pca(creds{key: mgmtKeyID, secret: mgmtSecret})
	ca := activeCA(t, a)

	bAcct, err := r.app.IAMStore.CreateAccount(ctx, iamstore.AccountSpec{Name: "b"})
	if err != nil {
		t.Fatal(err)
	}
	bIAM := r.iamAs(creds{key: bAcct.RootAccessKeyID, secret: bAcct.RootSecretAccessKey})
	dev := userIn(t, bIAM, "dev", allowPCA)
	devARN := "arn:aws:iam::" + bAcct.AccountID + ":user/dev"
	doc := accountShareDoc(ca, devARN)
	putPolicy(t, a, ca, doc)
	getPolicy := func() string {
		t.Helper()
		out := must[*acmpca.GetPolicyOutput](t)(a.GetPolicy(ctx, &acmpca.GetPolicyInput{ResourceArn: &ca}))
		return *out.Policy
	}
	if got := getPolicy(); got != doc {
		t.Fatalf("GetPolicy = %s", got)
	}
	if _, err := issue(r.pca(dev), ca, tmplV1, leafCSR(t)); err != nil {
		t.Fatal(err)
	}

	old := must[*iam.GetUserOutput](t)(bIAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("dev")}))
	must[*iam.DeleteAccessKeyOutput](t)(bIAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("dev"), AccessKeyId: &dev.key}))
	must[*iam.DeleteUserPolicyOutput](t)(bIAM.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("p")}))
	must[*iam.DeleteUserOutput](t)(bIAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("dev")}))
	if got := getPolicy(); got != strings.ReplaceAll(doc, devARN, *old.User.UserId) {
		t.Fatalf("GetPolicy after deleting the user = %s", got)
	}

	newDev := userIn(t, bIAM, "dev", allowPCA)
	_, err = issue(r.pca(newDev), ca, tmplV1, leafCSR(t))
	wantDenied(t, err, "acm-pca:IssueCertificate")
	// The policy as read back can be put again, still not granting the new dev.
	putPolicy(t, a, ca, getPolicy())
	_, err = issue(r.pca(newDev), ca, tmplV1, leafCSR(t))
	wantDenied(t, err, "acm-pca:IssueCertificate")
}
