package loadtest

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/openpca/openpca/internal/regions"
)

// member is one cross-account caller of the mixed profile: a session of
// OrganizationAccountAccessRole in an account of the owner's organization,
// with a certificate of each kind to read.
type member struct {
	creds   aws.Credentials
	pcaCert string // issued by the shared CA (acm-pca)
	acmCert string // ACM managed, from the shared CA
}

// mixedSetup builds the mixed profile through the AWS APIs only: the
// caller's organization (created if it has none), RAM organization sharing,
// a CA shared with the whole organization, cfg.Accounts member accounts
// (Organizations CreateAccount, then STS AssumeRole into each), each with
// one certificate of each kind, and a few account shares. Setup is not
// measured.
func mixedSetup(ctx context.Context, cfg *Config) ([]kind, error) {
	mix, err := ParseMix(cmp.Or(cfg.Mix, DefaultMix))
	if err != nil {
		return nil, err
	}
	n := cmp.Or(cfg.Accounts, DefaultAccounts)
	say := cfg.Setup
	if say == nil {
		say = func(string) {}
	}
	ownerCfg := sdkConfig(*cfg, cfg.Credentials)
	partition := regions.PartitionOf(cfg.Region)
	id, err := sts.NewFromConfig(ownerCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("setup: STS GetCallerIdentity: %w", err)
	}
	orgs := organizations.NewFromConfig(ownerCfg)
	orgARN, err := ensureOrganization(ctx, orgs, *id.Account)
	if err != nil {
		return nil, err
	}
	if _, err := ram.NewFromConfig(ownerCfg).EnableSharingWithAwsOrganization(ctx, &ram.EnableSharingWithAwsOrganizationInput{}); err != nil {
		return nil, fmt.Errorf("setup: RAM EnableSharingWithAwsOrganization (mixed shares the CA with the organization): %w", err)
	}
	caARN, err := setupCA(ctx, *cfg)
	if err != nil {
		return nil, err
	}
	tag := randomTag()
	if err := createShares(ctx, *cfg, "openpca-loadtest-"+tag+"-org", caARN, []string{orgARN}); err != nil {
		return nil, err
	}
	assumer, err := assumingPrincipal(ctx, *cfg, *id.Arn, tag)
	if err != nil {
		return nil, err
	}
	say(fmt.Sprintf("setup: CA %s shared with %s; creating %d member accounts", caARN, orgARN, n))
	members, accounts, err := createMembers(ctx, *cfg, orgs, assumer, caARN, partition, tag, n, say)
	if err != nil {
		return nil, err
	}
	// A few account shares on top of the organization share: the owner's
	// GetResourceShares lists several, and the CA policy has their statements.
	if err := createShares(ctx, *cfg, "openpca-loadtest-"+tag+"-acct", caARN, accounts[:min(len(accounts), sharesSetup-1)]); err != nil {
		return nil, err
	}
	cfg.principals = n
	return mixedKinds(mix, members, caARN, cfg.KeyAlgorithm)
}

func randomTag() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ensureOrganization returns the ARN of the caller's organization, creating
// one (all features) when the account has none; the caller must be its
// management account to create accounts and share with it.
func ensureOrganization(ctx context.Context, orgs *organizations.Client, account string) (string, error) {
	d, err := orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var notInUse *orgtypes.AWSOrganizationsNotInUseException
	if errors.As(err, &notInUse) {
		created, cerr := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
		if cerr != nil {
			return "", fmt.Errorf("setup: Organizations CreateOrganization: %w", cerr)
		}
		return *created.Organization.Arn, nil
	}
	if err != nil {
		return "", fmt.Errorf("setup: Organizations DescribeOrganization (mixed needs AWS Organizations on the target): %w", err)
	}
	if aws.ToString(d.Organization.MasterAccountId) != account {
		return "", fmt.Errorf("setup: account %s is a member of organization %s, not its management account: mixed creates member accounts and needs the management account's credentials",
			account, aws.ToString(d.Organization.Id))
	}
	return *d.Organization.Arn, nil
}

// assumingPrincipal returns credentials that may call sts:AssumeRole: the
// run's own, unless they are an account's root user (which AWS does not
// let assume roles); then a new IAM user allowed to assume any role.
func assumingPrincipal(ctx context.Context, cfg Config, callerARN, tag string) (aws.Credentials, error) {
	if !strings.HasSuffix(callerARN, ":root") {
		return cfg.Credentials, nil
	}
	client := iam.NewFromConfig(sdkConfig(cfg, cfg.Credentials))
	name := aws.String("openpca-loadtest-" + tag)
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: name}); err != nil {
		return aws.Credentials{}, fmt.Errorf("setup: IAM CreateUser: %w", err)
	}
	if _, err := client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: name, PolicyName: aws.String("assume-member-roles"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		return aws.Credentials{}, fmt.Errorf("setup: IAM PutUserPolicy: %w", err)
	}
	key, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: name})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("setup: IAM CreateAccessKey: %w", err)
	}
	return aws.Credentials{AccessKeyID: *key.AccessKey.AccessKeyId, SecretAccessKey: *key.AccessKey.SecretAccessKey}, nil
}

// createMembers creates n accounts, 8 at a time, and their callers.
func createMembers(ctx context.Context, cfg Config, orgs *organizations.Client, assumer aws.Credentials,
	caARN, partition, tag string, n int, say func(string)) ([]member, []string, error) {
	members, accounts := make([]member, n), make([]string, n)
	issue, err := issueBody(caARN, cfg.KeyAlgorithm)
	if err != nil {
		return nil, nil, err
	}
	stsc := sts.NewFromConfig(sdkConfig(cfg, assumer))
	send := setupSender(cfg)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		firstEr error
		next    int
	)
	work := func() {
		defer wg.Done()
		for {
			mu.Lock()
			i := next
			next++
			stop := i >= n || firstEr != nil
			mu.Unlock()
			if stop {
				return
			}
			m, acct, err := newMember(ctx, cfg, orgs, stsc, send, issue, partition, fmt.Sprintf("loadtest-%s-%d", tag, i))
			mu.Lock()
			if err != nil && firstEr == nil {
				firstEr = err
			}
			members[i], accounts[i] = m, acct
			if (i+1)%50 == 0 {
				say(fmt.Sprintf("setup: %d of %d member accounts", i+1, n))
			}
			mu.Unlock()
		}
	}
	for range min(n, 8) {
		wg.Add(1)
		go work()
	}
	wg.Wait()
	return members, accounts, firstEr
}

func newMember(ctx context.Context, cfg Config, orgs *organizations.Client, stsc *sts.Client, send func(Operation) ([]byte, error),
	issue map[string]any, partition, name string) (member, string, error) {
	acct, err := createAccount(ctx, orgs, name)
	if err != nil {
		return member{}, "", err
	}
	role := "arn:" + partition + ":iam::" + acct + ":role/OrganizationAccountAccessRole"
	var out *sts.AssumeRoleOutput
	// A new account's role can take a few seconds to be assumable on AWS.
	for wait := 100 * time.Millisecond; ; wait *= 2 {
		out, err = stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &role, RoleSessionName: aws.String("openpca-loadtest")})
		if err == nil || wait > 10*time.Second {
			break
		}
		time.Sleep(wait)
	}
	if err != nil {
		return member{}, "", fmt.Errorf("setup: STS AssumeRole %s: %w", role, err)
	}
	c := out.Credentials
	m := member{creds: aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}}
	if m.pcaCert, err = issueOne(ctx, cfg, m.creds, issue); err != nil {
		return member{}, "", fmt.Errorf("setup: IssueCertificate from account %s through the shared CA: %w", acct, err)
	}
	if m.acmCert, err = requestIssued(ctx, send, issue["CertificateAuthorityArn"].(string), cfg.KeyAlgorithm, &m.creds); err != nil {
		return member{}, "", fmt.Errorf("setup: ACM RequestCertificate from account %s through the shared CA: %w", acct, err)
	}
	return m, acct, nil
}

// createAccount creates a member account and waits for it.
func createAccount(ctx context.Context, orgs *organizations.Client, name string) (string, error) {
	st, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: &name, Email: aws.String(name + "@example.com")})
	if err != nil {
		return "", fmt.Errorf("setup: Organizations CreateAccount: %w", err)
	}
	s := st.CreateAccountStatus
	for wait := 20 * time.Millisecond; s.State == orgtypes.CreateAccountStateInProgress; wait = min(2*wait, 5*time.Second) {
		time.Sleep(wait)
		d, err := orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: s.Id})
		if err != nil {
			return "", fmt.Errorf("setup: Organizations DescribeCreateAccountStatus: %w", err)
		}
		s = d.CreateAccountStatus
	}
	if s.State != orgtypes.CreateAccountStateSucceeded {
		return "", fmt.Errorf("setup: CreateAccount %s: %s %s", name, s.State, s.FailureReason)
	}
	return *s.AccountId, nil
}

// mixedKinds turns the mix into request kinds: the owner reads its CA's
// policy and its shares; members do the rest through the shared CA.
func mixedKinds(mix []MixEntry, members []member, caARN, keyAlg string) ([]kind, error) {
	issue, err := issueBody(caARN, keyAlg)
	if err != nil {
		return nil, err
	}
	var kinds []kind
	for _, e := range mix {
		k := kind{name: e.Operation, weight: e.Weight}
		switch e.Operation {
		case "GetPolicy":
			k.variants = []Operation{getPolicyOp(caARN, nil)}
		case "GetResourceShares":
			k.variants = []Operation{getResourceSharesOp(nil)}
		default:
			for i := range members {
				m := &members[i]
				k.variants = append(k.variants, memberOp(e.Operation, m, caARN, keyAlg, issue))
			}
		}
		kinds = append(kinds, k)
	}
	return kinds, nil
}

func memberOp(name string, m *member, caARN, keyAlg string, issue map[string]any) Operation {
	switch name {
	case "GetCertificate":
		return pcaOp("GetCertificate", map[string]string{"CertificateAuthorityArn": caARN, "CertificateArn": m.pcaCert}, &m.creds)
	case "DescribeCertificateAuthority":
		return pcaOp("DescribeCertificateAuthority", map[string]string{"CertificateAuthorityArn": caARN}, &m.creds)
	case "IssueCertificate":
		return pcaOp("IssueCertificate", issue, &m.creds)
	case "DescribeCertificate":
		return acmOp("DescribeCertificate", map[string]string{"CertificateArn": m.acmCert}, &m.creds)
	case "ListCertificates":
		return listCertificatesOp(keyAlg, &m.creds)
	case "RequestCertificate":
		return requestCertificateOp(caARN, keyAlg, &m.creds)
	}
	panic("mixedKinds: " + name) // ParseMix admits only the names above
}
