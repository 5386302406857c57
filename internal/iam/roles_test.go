package iam

import (
	"testing"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

func trustAccount(acct string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
}

func trustARN(arn string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + arn + `"},"Action":"sts:AssumeRole"}]}`
}

func TestRoles(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctA]
	ptr := func(n int) *int { return &n }
	steps := []struct {
		name string
		run  func() error
		want ErrorKind
	}{
		{"create", func() error {
			out, err := e.svc.CreateRole(e.ctx, root, &CreateRoleInput{RoleName: "issuer", Path: "/pki/", AssumeRolePolicyDocument: trustAccount(acctB), MaxSessionDuration: ptr(7200)})
			if err == nil && (out.Role.Arn != "arn:aws:iam::"+acctA+":role/pki/issuer" || out.Role.RoleId[:4] != "AROA" || *out.Role.MaxSessionDuration != 7200) {
				t.Errorf("role = %+v", out.Role)
			}
			return err
		}, 0},
		{"duplicate", func() error {
			_, err := e.svc.CreateRole(e.ctx, root, &CreateRoleInput{RoleName: "Issuer", AssumeRolePolicyDocument: trustAccount(acctB)})
			return err
		}, EntityAlreadyExists},
		{"trust policy without principal", func() error {
			_, err := e.svc.CreateRole(e.ctx, root, &CreateRoleInput{RoleName: "bad", AssumeRolePolicyDocument: allowDoc("sts:AssumeRole", "*")})
			return err
		}, MalformedPolicyDocument},
		{"get", func() error {
			out, err := e.svc.GetRole(e.ctx, root, &RoleNameInput{RoleName: "issuer"})
			if err == nil && out.Role.AssumeRolePolicyDocument != trustAccount(acctB) {
				t.Errorf("trust = %s", out.Role.AssumeRolePolicyDocument)
			}
			return err
		}, 0},
		{"get missing", func() error {
			_, err := e.svc.GetRole(e.ctx, root, &RoleNameInput{RoleName: "nope"})
			return err
		}, NoSuchEntity},
		{"list", func() error {
			out, err := e.svc.ListRoles(e.ctx, root, &ListRolesInput{PathPrefix: "/pki/"})
			if err == nil && len(out.Roles) != 1 {
				t.Errorf("roles = %+v", out.Roles)
			}
			return err
		}, 0},
		{"update trust", func() error {
			_, err := e.svc.UpdateAssumeRolePolicy(e.ctx, root, &UpdateAssumeRolePolicyInput{RoleName: "issuer", PolicyDocument: trustAccount(acctA)})
			return err
		}, 0},
		{"inline policy round trip", func() error {
			if _, err := e.svc.PutRolePolicy(e.ctx, root, &PutRolePolicyInput{RoleName: "issuer", PolicyName: "issue", PolicyDocument: allowDoc("acm-pca:*", "*")}); err != nil {
				return err
			}
			got, err := e.svc.GetRolePolicy(e.ctx, root, &RolePolicyInput{RoleName: "issuer", PolicyName: "issue"})
			if err == nil && got.PolicyDocument != allowDoc("acm-pca:*", "*") {
				t.Errorf("doc = %s", got.PolicyDocument)
			}
			names, err := e.svc.ListRolePolicies(e.ctx, root, &ListRolePoliciesInput{RoleName: "issuer"})
			if err == nil && (len(names.PolicyNames) != 1 || names.PolicyNames[0] != "issue") {
				t.Errorf("names = %v", names.PolicyNames)
			}
			return err
		}, 0},
		{"attach managed", func() error {
			if _, err := e.svc.AttachRolePolicy(e.ctx, root, &AttachRolePolicyInput{RoleName: "issuer", PolicyArn: "arn:aws:iam::aws:policy/AWSPrivateCAUser"}); err != nil {
				return err
			}
			out, err := e.svc.ListAttachedRolePolicies(e.ctx, root, &ListAttachedRolePoliciesInput{RoleName: "issuer"})
			if err == nil && len(out.AttachedPolicies) != 1 {
				t.Errorf("attached = %+v", out.AttachedPolicies)
			}
			return err
		}, 0},
		{"delete with policies conflicts", func() error {
			_, err := e.svc.DeleteRole(e.ctx, root, &RoleNameInput{RoleName: "issuer"})
			return err
		}, DeleteConflict},
		{"tag and untag", func() error {
			if _, err := e.svc.TagRole(e.ctx, root, &TagRoleInput{RoleName: "issuer", Tags: []Tag{{"env", "prod"}, {"team", "pki"}}}); err != nil {
				return err
			}
			if _, err := e.svc.UntagRole(e.ctx, root, &UntagRoleInput{RoleName: "issuer", TagKeys: []string{"ENV"}}); err != nil {
				return err
			}
			out, err := e.svc.ListRoleTags(e.ctx, root, &ListRoleTagsInput{RoleName: "issuer"})
			if err == nil && (len(out.Tags) != 1 || out.Tags[0].Key != "team") {
				t.Errorf("tags = %+v", out.Tags)
			}
			return err
		}, 0},
		{"delete after cleanup", func() error {
			if _, err := e.svc.DeleteRolePolicy(e.ctx, root, &RolePolicyInput{RoleName: "issuer", PolicyName: "issue"}); err != nil {
				return err
			}
			if _, err := e.svc.DetachRolePolicy(e.ctx, root, &AttachRolePolicyInput{RoleName: "issuer", PolicyArn: "arn:aws:iam::aws:policy/AWSPrivateCAUser"}); err != nil {
				return err
			}
			_, err := e.svc.DeleteRole(e.ctx, root, &RoleNameInput{RoleName: "issuer"})
			return err
		}, 0},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { wantErr(t, s.run(), s.want) })
	}
}

func TestAssumeRoleTrust(t *testing.T) {
	e := newEnv(t)
	rootA := e.roots[acctA]
	assume := allowDoc("sts:AssumeRole", "*")
	bob := e.user(acctA, "bob", assume)
	noperm := e.user(acctA, "noperm", "")
	carol := e.user(acctB, "carol", assume)
	dan := e.user(acctB, "dan", "")
	roles := map[string]string{
		"direct":        trustARN(bob.ARN),
		"direct-noperm": trustARN(noperm.ARN),
		"account":       trustAccount(acctA),
		"cross":         trustAccount(acctB),
		"external":      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acctA + `"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"s3cret"}}}]}`,
		"denyall":       `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acctA + `"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"AWS":"` + bob.ARN + `"},"Action":"sts:AssumeRole"}]}`,
	}
	for name, doc := range roles {
		must(e.svc.CreateRole(e.ctx, rootA, &CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: doc}))
	}
	roleARN := func(n string) string { return "arn:aws:iam::" + acctA + ":role/" + n }
	cases := []struct {
		name     string
		caller   *authz.Caller
		role     string
		external string
		duration int
		want     ErrorKind
	}{
		{"named user with identity allow", bob, "direct", "", 0, 0},
		{"named user without identity allow (same account)", noperm, "direct-noperm", "", 0, 0},
		{"user not named", noperm, "direct", "", 0, denial},
		{"account trust needs identity allow", noperm, "account", "", 0, denial},
		{"account trust with identity allow", bob, "account", "", 0, 0},
		{"cross-account with identity allow", carol, "cross", "", 0, 0},
		{"cross-account without identity allow", dan, "cross", "", 0, denial},
		{"other account not trusted", carol, "account", "", 0, denial},
		{"missing external ID", bob, "external", "", 0, denial},
		{"wrong external ID", bob, "external", "nope", 0, denial},
		{"right external ID", bob, "external", "s3cret", 0, 0},
		{"explicit deny in trust", bob, "denyall", "", 0, denial},
		{"role does not exist", bob, "ghost", "", 0, denial},
		{"root may not assume roles", rootA, "account", "", 0, AccessDenied},
		{"duration above role maximum", bob, "account", "", 7200, ValidationError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := &AssumeRoleInput{RoleArn: roleARN(c.role), RoleSessionName: "s1", ExternalId: c.external}
			if c.duration != 0 {
				in.DurationSeconds = &c.duration
			}
			out, err := e.svc.AssumeRole(e.ctx, c.caller, in)
			wantErr(t, err, c.want)
			if err != nil {
				return
			}
			if out.AssumedRoleUser.Arn != "arn:aws:sts::"+acctA+":assumed-role/"+c.role+"/s1" || out.Credentials.AccessKeyId[:4] != "ASIA" {
				t.Fatalf("output = %+v", out)
			}
		})
	}
}

func TestRoleSessions(t *testing.T) {
	e := newEnv(t)
	rootA := e.roots[acctA]
	bob := e.user(acctA, "bob", allowDoc("sts:AssumeRole", "*"))
	must(e.svc.CreateRole(e.ctx, rootA, &CreateRoleInput{RoleName: "admin", Path: "/ops/", AssumeRolePolicyDocument: trustAccount(acctA), Tags: []Tag{{"team", "pki"}}}))
	must(e.svc.AttachRolePolicy(e.ctx, rootA, &AttachRolePolicyInput{RoleName: "admin", PolicyArn: "arn:aws:iam::aws:policy/IAMFullAccess"}))
	roleARN := "arn:aws:iam::" + acctA + ":role/ops/admin"

	out := must(e.svc.AssumeRole(e.ctx, bob, &AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "alice@example.com"}))
	if !out.Credentials.Expiration.Equal(t0.Add(time.Hour)) {
		t.Errorf("expiration = %v", out.Credentials.Expiration)
	}
	rk := must(e.st.LookupCredential(e.ctx, out.Credentials.AccessKeyId))
	p := rk.Principal
	if rk.SessionToken != out.Credentials.SessionToken || rk.SecretAccessKey != out.Credentials.SecretAccessKey ||
		p.Type != authz.TypeAssumedRole || p.ARN != "arn:aws:sts::"+acctA+":assumed-role/admin/alice@example.com" ||
		p.PrincipalARN != roleARN || p.UserID != out.AssumedRoleUser.AssumedRoleId || p.RoleName != "admin" || p.Tags["team"] != "pki" {
		t.Fatalf("session resolves to %+v", rk)
	}
	session := &authz.Caller{Principal: p, AccessKeyID: out.Credentials.AccessKeyId}

	id := must(e.svc.GetCallerIdentity(e.ctx, session, &GetCallerIdentityInput{}))
	if id.Arn != p.ARN || id.Account != acctA || id.UserId != p.UserID {
		t.Errorf("caller identity = %+v", id)
	}
	if _, err := e.svc.ListUsers(e.ctx, session, &ListUsersInput{}); err != nil {
		t.Errorf("role with IAMFullAccess: %v", err)
	}
	if _, err := e.svc.GetSessionToken(e.ctx, session, &GetSessionTokenInput{}); KindOf(err) != AccessDenied {
		t.Errorf("GetSessionToken with session credentials: %v", err)
	}
	if _, err := e.svc.GetUser(e.ctx, session, &GetUserInput{}); KindOf(err) != ValidationError {
		t.Errorf("GetUser without name as a role: %v", err)
	}

	// A session policy narrows the session to what it allows.
	narrow := must(e.svc.AssumeRole(e.ctx, bob, &AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "narrow", Policy: allowDoc("iam:GetRole", "*")}))
	if narrow.PackedPolicySize == nil || *narrow.PackedPolicySize < 1 {
		t.Errorf("PackedPolicySize = %v", narrow.PackedPolicySize)
	}
	nc := e.caller(narrow.Credentials.AccessKeyId)
	if _, err := e.svc.GetRole(e.ctx, nc, &RoleNameInput{RoleName: "admin"}); err != nil {
		t.Errorf("session policy allows GetRole: %v", err)
	}
	wantErr(t, func() error { _, err := e.svc.ListUsers(e.ctx, nc, &ListUsersInput{}); return err }(), denial)

	// Managed session policies too.
	managed := must(e.svc.AssumeRole(e.ctx, bob, &AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ro",
		PolicyArns: []PolicyDescriptorType{{Arn: "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}}}))
	mc := e.caller(managed.Credentials.AccessKeyId)
	if _, err := e.svc.ListUsers(e.ctx, mc, &ListUsersInput{}); err != nil {
		t.Errorf("read-only session lists users: %v", err)
	}
	wantErr(t, func() error {
		_, err := e.svc.CreateUser(e.ctx, mc, &CreateUserInput{UserName: "x"})
		return err
	}(), denial)

	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`
	arns := make([]PolicyDescriptorType, 10)
	for i := range arns {
		arns[i].Arn = "arn:aws:iam::aws:policy/AWSResourceAccessManagerFullAccess"
	}
	for len(big) < 1900 {
		big = big[:len(big)-2] + `,{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}`
	}
	_, err := e.svc.AssumeRole(e.ctx, bob, &AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "big", Policy: big, PolicyArns: arns})
	wantErr(t, err, PackedPolicyTooLarge)

	// Expiry: the credential carries its expiration; after it the clock is past it.
	e.clk.Advance(time.Hour + time.Second)
	rk = must(e.st.LookupCredential(e.ctx, out.Credentials.AccessKeyId))
	if rk == nil || !e.clk.Now().After(rk.Expiration) {
		t.Fatalf("expired session: %+v", rk)
	}
	// Deleting the role ends its sessions.
	must(e.svc.DetachRolePolicy(e.ctx, rootA, &AttachRolePolicyInput{RoleName: "admin", PolicyArn: "arn:aws:iam::aws:policy/IAMFullAccess"}))
	must(e.svc.DeleteRole(e.ctx, rootA, &RoleNameInput{RoleName: "admin"}))
	if rk := must(e.st.LookupCredential(e.ctx, narrow.Credentials.AccessKeyId)); rk != nil {
		t.Fatalf("session of a deleted role resolves: %+v", rk.Principal)
	}
}

func TestGetSessionToken(t *testing.T) {
	e := newEnv(t)
	bob := e.user(acctA, "bob", allowDoc("iam:GetUser", "*"))
	ptr := func(n int) *int { return &n }
	cases := []struct {
		name     string
		caller   *authz.Caller
		duration *int
		wantDur  time.Duration
		wantARN  string
	}{
		{"user default", bob, nil, 12 * time.Hour, bob.ARN},
		{"user explicit", bob, ptr(900), 15 * time.Minute, bob.ARN},
		{"root capped at one hour", e.roots[acctA], ptr(7200), time.Hour, "arn:aws:iam::" + acctA + ":root"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := must(e.svc.GetSessionToken(e.ctx, c.caller, &GetSessionTokenInput{DurationSeconds: c.duration}))
			if got := out.Credentials.Expiration.Sub(e.clk.Now()); got != c.wantDur {
				t.Errorf("duration = %v, want %v", got, c.wantDur)
			}
			rk := must(e.st.LookupCredential(e.ctx, out.Credentials.AccessKeyId))
			if rk == nil || rk.Principal.ARN != c.wantARN || rk.SessionToken == "" {
				t.Fatalf("resolved = %+v", rk)
			}
		})
	}
}
