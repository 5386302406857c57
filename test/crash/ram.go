package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// RAM in the crash test (issue #14 item 1): the clients share the crash CA
// with member accounts of the owner's organization (sharing on, so no
// invitations) and change those shares under the kill; checkRAM verifies
// after every restart that each acknowledged write survived and that the
// CA's policy is exactly what the surviving associations generate.

// extraOps are further client operations, drawn for ~10 % of requests.
var extraOps []func(ctx context.Context, s *state, rng *rand.Rand)

// extraChecks are further invariants run after every restart.
var extraChecks []func(ctx context.Context, s *state, rep *report)

func init() {
	extraOps = append(extraOps, ramWrite)
	extraChecks = append(extraChecks, checkRAM)
}

const (
	permDefault = "arn:aws:ram::aws:permission/AWSRAMDefaultPermissionCertificateAuthority"
	permBlank   = "arn:aws:ram::aws:permission/AWSRAMBlankEndEntityCertificateAPIPassthroughIssuanceCertificateAuthority"
	allowPCA    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm-pca:*","Resource":"*"}]}`
	allowPCARAM = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["acm-pca:*","ram:*"],"Resource":"*"}]}`
	allowAll    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	shareName   = "crash-"
	maxShares   = 5 // live shares at most: members both gain and lose access
)

// member is an account of the organization with a user allowed acm-pca:*
// by its identity policy: its IssueCertificate probe succeeds exactly when
// the CA's policy grants it.
type member struct {
	acct, devARN string
	key, secret  string
	external     bool // left the organization: shares reach it by invitation
}

// shareRec is what was acknowledged about one share.
type shareRec struct {
	arn        string
	perm       string
	principals map[string]bool // acknowledged associated
	pending    map[string]bool // acknowledged associated, invitation not yet accepted
	removed    map[string]bool // acknowledged disassociated since
	deleted    bool
	busy       bool // a write is in flight (one per share at a time)
	uncertain  bool // a write went unanswered: adopt the server's state at the next check
}

type ramState struct {
	orgID     string
	members   []member
	inOrg     map[string]bool // member accounts still in the organization
	pool      []string        // principals the clients associate: accounts and one user ARN
	shares    map[string]*shareRec
	order     []string
	seq       int
	acked     map[string]int // acknowledged RAM writes per operation
	adopted   int            // unacknowledged creates found committed
	probes    int
	allowed   int
	templates map[string][]grantStmt // permission ARN -> its statements (GetPermission)
	csr       []byte                 // the members' probe request
}

// setupRAM makes the organization, turns RAM sharing with it on, and
// creates three member accounts, each with a user "dev" allowed acm-pca:*.
func (s *state) setupRAM(ctx context.Context) error {
	root := s.awsConfig(keyID, secret, "")
	orgs := organizations.NewFromConfig(root)
	o, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	if err != nil {
		return fmt.Errorf("CreateOrganization: %w", err)
	}
	r := &ramState{orgID: *o.Organization.Id, shares: map[string]*shareRec{}, acked: map[string]int{}, templates: map[string][]grantStmt{},
		inOrg: map[string]bool{}}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	der, err := x509.CreateCertificateRequest(crand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "member.crash.example.com"}, DNSNames: []string{"member.crash.example.com"}}, key)
	if err != nil {
		return err
	}
	r.csr = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	if _, err := ram.NewFromConfig(root).EnableSharingWithAwsOrganization(ctx, &ram.EnableSharingWithAwsOrganizationInput{}); err != nil {
		return fmt.Errorf("EnableSharingWithAwsOrganization: %w", err)
	}
	// The root user cannot assume roles: an administrator user does.
	admin, err := newUser(ctx, iam.NewFromConfig(root), "crashadmin", allowAll)
	if err != nil {
		return err
	}
	// Three members, and a fourth that leaves the organization: an outside
	// account that accepts invitations (its dev may also use RAM).
	for i := range 4 {
		acct, err := createAccount(ctx, orgs, fmt.Sprintf("crash-member-%d", i))
		if err != nil {
			return err
		}
		role := "arn:aws:iam::" + acct + ":role/OrganizationAccountAccessRole"
		var as *sts.AssumeRoleOutput
		for try := 0; ; try++ {
			as, err = sts.NewFromConfig(s.awsConfig(admin.key, admin.secret, "")).AssumeRole(ctx,
				&sts.AssumeRoleInput{RoleArn: &role, RoleSessionName: aws.String("crash")})
			if err == nil || try == 50 {
				break
			}
			time.Sleep(100 * time.Millisecond) // a new access key may take a moment to be usable
		}
		if err != nil {
			return fmt.Errorf("AssumeRole %s: %w", role, err)
		}
		c := as.Credentials
		policy := allowPCA
		if i == 3 {
			policy = allowPCARAM
		}
		dev, err := newUser(ctx, iam.NewFromConfig(s.awsConfig(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)), "dev", policy)
		if err != nil {
			return err
		}
		dev.acct, dev.devARN = acct, "arn:aws:iam::"+acct+":user/dev"
		if i == 3 {
			if _, err := orgs.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: &acct}); err != nil {
				return fmt.Errorf("RemoveAccountFromOrganization: %w", err)
			}
			dev.external = true
		} else {
			r.inOrg[acct] = true
		}
		r.members = append(r.members, dev)
		r.pool = append(r.pool, acct)
	}
	// One principal is a user, not an account.
	r.pool = append(r.pool, r.members[1].devARN)
	s.mu.Lock()
	s.ram = r
	s.mu.Unlock()
	return nil
}

func newUser(ctx context.Context, c *iam.Client, name, policy string) (member, error) {
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: &name}); err != nil {
		return member{}, fmt.Errorf("CreateUser %s: %w", name, err)
	}
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: &name, PolicyName: aws.String("p"), PolicyDocument: &policy}); err != nil {
		return member{}, fmt.Errorf("PutUserPolicy %s: %w", name, err)
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: &name})
	if err != nil {
		return member{}, fmt.Errorf("CreateAccessKey %s: %w", name, err)
	}
	return member{key: *k.AccessKey.AccessKeyId, secret: *k.AccessKey.SecretAccessKey}, nil
}

func createAccount(ctx context.Context, orgs *organizations.Client, name string) (string, error) {
	st, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: &name, Email: aws.String(name + "@example.com")})
	if err != nil {
		return "", fmt.Errorf("CreateAccount: %w", err)
	}
	for range 200 {
		d, err := orgs.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.CreateAccountStatus.Id})
		if err != nil {
			return "", fmt.Errorf("DescribeCreateAccountStatus: %w", err)
		}
		switch d.CreateAccountStatus.State {
		case orgtypes.CreateAccountStateSucceeded:
			return *d.CreateAccountStatus.AccountId, nil
		case orgtypes.CreateAccountStateFailed:
			return "", fmt.Errorf("CreateAccount %s failed: %s", name, d.CreateAccountStatus.FailureReason)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", fmt.Errorf("account %s not created in time", name)
}

// ramWrite is one RAM write from a client: create a share (CA + 1–2
// principals, default or APIPassthrough permission), associate or
// disassociate a principal, or delete a share.
func ramWrite(ctx context.Context, s *state, rng *rand.Rand) {
	s.mu.Lock()
	r, rc := s.ram, s.ramc
	if r == nil {
		s.mu.Unlock()
		return
	}
	var live, idle []*shareRec
	for _, a := range r.order {
		if sh := r.shares[a]; !sh.deleted && !sh.uncertain {
			live = append(live, sh)
			if !sh.busy {
				idle = append(idle, sh)
			}
		}
	}
	p := rng.IntN(100)
	if len(live) < 2 || p < 20 && len(live) < maxShares || len(idle) == 0 {
		if len(idle) == 0 && len(live) >= maxShares {
			s.mu.Unlock()
			return
		}
		s.ramCreate(ctx, rc, r, rng) // unlocks
		return
	}
	sh := idle[rng.IntN(len(idle))]
	var others, members, waiting []string
	for _, pr := range r.pool {
		switch {
		case sh.principals[pr]:
			members = append(members, pr)
		case sh.pending[pr]:
			members, waiting = append(members, pr), append(waiting, pr)
		default:
			others = append(others, pr)
		}
	}
	op := "AssociateResourceShare"
	switch {
	case p >= 88 && len(live) > 2:
		op = "DeleteResourceShare"
	case p >= 30 && p < 55 && len(waiting) > 0:
		op = "AcceptResourceShareInvitation"
	case p >= 55 && len(members) > 0 || len(others) == 0:
		op = "DisassociateResourceShare"
	}
	var principal string
	switch op {
	case "AssociateResourceShare":
		principal = others[rng.IntN(len(others))]
	case "DisassociateResourceShare":
		principal = members[rng.IntN(len(members))]
	case "AcceptResourceShareInvitation":
		principal = waiting[rng.IntN(len(waiting))]
	}
	sh.busy = true
	s.mu.Unlock()

	var err error
	switch op {
	case "AssociateResourceShare":
		_, err = rc.AssociateResourceShare(ctx, &ram.AssociateResourceShareInput{ResourceShareArn: &sh.arn, Principals: []string{principal}})
	case "DisassociateResourceShare":
		_, err = rc.DisassociateResourceShare(ctx, &ram.DisassociateResourceShareInput{ResourceShareArn: &sh.arn, Principals: []string{principal}})
	case "AcceptResourceShareInvitation":
		err = s.accept(ctx, r.member(principal), sh.arn)
	default:
		_, err = rc.DeleteResourceShare(ctx, &ram.DeleteResourceShareInput{ResourceShareArn: &sh.arn})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sh.busy = false
	if err != nil {
		sh.uncertain = true // the server may or may not have it
		return
	}
	r.acked[op]++
	switch op {
	case "AssociateResourceShare":
		r.associated(sh, principal)
		delete(sh.removed, principal)
	case "DisassociateResourceShare":
		delete(sh.principals, principal)
		delete(sh.pending, principal)
		sh.removed[principal] = true
	case "AcceptResourceShareInvitation":
		delete(sh.pending, principal)
		sh.principals[principal] = true
	default:
		sh.deleted = true
	}
}

// associated records an acknowledged association: at once in the
// organization, pending its invitation for the outside account.
func (r *ramState) associated(sh *shareRec, p string) {
	if m := r.member(p); m != nil && m.external {
		sh.pending[p] = true
	} else {
		sh.principals[p] = true
	}
}

func (r *ramState) member(p string) *member {
	for i := range r.members {
		if r.members[i].acct == p {
			return &r.members[i]
		}
	}
	return nil
}

// accept: the outside account accepts its pending invitation to the share.
func (s *state) accept(ctx context.Context, m *member, share string) error {
	rc := ram.NewFromConfig(s.awsConfig(m.key, m.secret, ""))
	out, err := rc.GetResourceShareInvitations(ctx, &ram.GetResourceShareInvitationsInput{ResourceShareArns: []string{share}})
	if err != nil {
		return err
	}
	for _, inv := range out.ResourceShareInvitations {
		if inv.Status == ramtypes.ResourceShareInvitationStatusPending {
			_, err := rc.AcceptResourceShareInvitation(ctx, &ram.AcceptResourceShareInvitationInput{ResourceShareInvitationArn: inv.ResourceShareInvitationArn})
			return err
		}
	}
	return fmt.Errorf("no pending invitation to %s for %s", share, m.acct)
}

// ramCreate is called with s.mu held and releases it.
func (s *state) ramCreate(ctx context.Context, rc *ram.Client, r *ramState, rng *rand.Rand) {
	r.seq++
	name := fmt.Sprintf("%s%d-%d", shareName, s.cycle, r.seq)
	ps := slices.Clone(r.pool)
	rng.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
	ps = ps[:1+rng.IntN(2)]
	perm := permDefault
	if rng.IntN(2) == 0 { // grants issuance with another template only
		perm = permBlank
	}
	s.mu.Unlock()
	out, err := rc.CreateResourceShare(ctx, &ram.CreateResourceShareInput{Name: &name, ResourceArns: []string{s.ca},
		Principals: ps, PermissionArns: []string{perm}})
	if err != nil {
		return // if it was committed, the next check adopts it
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := *out.ResourceShare.ResourceShareArn
	if _, dup := r.shares[arn]; dup {
		s.duplicateARN(arn)
		return
	}
	rec := &shareRec{arn: arn, perm: perm, principals: map[string]bool{}, pending: map[string]bool{}, removed: map[string]bool{}}
	for _, p := range ps {
		r.associated(rec, p)
	}
	r.shares[arn] = rec
	r.order = append(r.order, arn)
	r.acked["CreateResourceShare"]++
}

// ramSummary counts the acknowledged RAM writes and the access probes.
func (s *state) ramSummary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.ram
	if r == nil {
		return "no RAM writes"
	}
	var parts []string
	total := 0
	keys := make([]string, 0, len(r.acked))
	for k := range r.acked {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		total += r.acked[k]
		parts = append(parts, fmt.Sprintf("%d %s", r.acked[k], k))
	}
	return fmt.Sprintf("%d RAM writes (%s), %d unacknowledged creates found committed; %d recipient IssueCertificate probes (%d allowed)",
		total, strings.Join(parts, ", "), r.adopted, r.probes, r.allowed)
}
