package console

import (
	"context"
	"crypto/rand"
	"math/big"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/iam"
)

// AdminPassword is what SetAdminPassword did.
type AdminPassword struct {
	AccountID   string
	UserName    string
	Password    string
	CreatedUser bool
}

// SetAdminPassword gives an IAM user of account a new random console
// password, acting as the account's root user through the iam service (so
// the password policy applies). A user that does not exist is created
// with the AWS managed AdministratorAccess policy: this is how the
// bootstrap account gets its first console administrator. An existing
// user keeps its policies. The password is returned once, never stored in
// clear.
func SetAdminPassword(ctx context.Context, svc *iam.Service, account, partition, user string, resetRequired bool) (*AdminPassword, error) {
	root := authz.Principal{Type: authz.TypeAccount, AccountID: account, ARN: "arn:" + partition + ":iam::" + account + ":root", UserID: account}
	root.PrincipalARN = root.ARN
	c := &authz.Caller{Principal: root}
	out := &AdminPassword{AccountID: account, UserName: user}
	if _, err := svc.GetUser(ctx, c, &iam.GetUserInput{UserName: user}); iam.KindOf(err) == iam.NoSuchEntity {
		if _, err := svc.CreateUser(ctx, c, &iam.CreateUserInput{UserName: user}); err != nil {
			return nil, err
		}
		if _, err := svc.AttachUserPolicy(ctx, c, &iam.AttachUserPolicyInput{UserName: user,
			PolicyArn: "arn:" + partition + ":iam::aws:policy/AdministratorAccess"}); err != nil {
			return nil, err
		}
		out.CreatedUser = true
	} else if err != nil {
		return nil, err
	}
	out.Password = NewPassword()
	if _, err := svc.GetLoginProfile(ctx, c, &iam.LoginProfileUserInput{UserName: user}); iam.KindOf(err) == iam.NoSuchEntity {
		_, err = svc.CreateLoginProfile(ctx, c, &iam.CreateLoginProfileInput{UserName: user, Password: out.Password, PasswordResetRequired: resetRequired})
		if err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	} else if _, err := svc.UpdateLoginProfile(ctx, c, &iam.UpdateLoginProfileInput{UserName: user, Password: out.Password, PasswordResetRequired: &resetRequired}); err != nil {
		return nil, err
	}
	return out, nil
}

// NewPassword is 20 random characters with every class an account
// password policy may require.
func NewPassword() string {
	classes := []string{"ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "!@#$%^&*()_+-=[]{}|"}
	all := classes[0] + classes[1] + classes[2] + classes[3]
	pick := func(set string) byte {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		return set[n.Int64()]
	}
	b := make([]byte, 20)
	for i := range b {
		if i < len(classes) {
			b[i] = pick(classes[i])
		} else {
			b[i] = pick(all)
		}
	}
	// Shuffle so the classes are not always in the first four places.
	for i := len(b) - 1; i > 0; i-- {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		j := n.Int64()
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
