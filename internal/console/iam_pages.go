package console

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/openpca/openpca/internal/iam"
)

func (c *Console) iamRoutes() {
	c.mux.HandleFunc("GET /console/iam", c.page(c.iamHome))
	c.mux.HandleFunc("POST /console/iam/create", c.action(c.iamCreate))
	c.mux.HandleFunc("GET /console/iam/entity", c.page(func(w http.ResponseWriter, r *http.Request, s *session) {
		c.iamEntity(w, r, s, r.URL.Query().Get("kind"), r.URL.Query().Get("name"), nil, nil)
	}))
	c.mux.HandleFunc("POST /console/iam/policy", c.action(c.iamPolicy))
	c.mux.HandleFunc("POST /console/iam/login", c.action(c.iamLogin))
	c.mux.HandleFunc("POST /console/iam/keys", c.action(c.iamKeys))
	c.mux.HandleFunc("POST /console/iam/member", c.action(c.iamMember))
	c.mux.HandleFunc("POST /console/iam/slr", c.action(c.iamSLR))
}

type iamHomeData struct {
	Tab    string
	Users  []iam.User
	Groups []iam.Group
	Roles  []iam.Role
	Next   string
}

func (c *Console) iamHome(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	d := &iamHomeData{Tab: q.Get("tab")}
	v := &view{Title: "IAM", Nav: "iam", Data: d}
	ctx, caller, max := r.Context(), c.caller(r, s), 100
	var err error
	switch d.Tab {
	case "groups":
		var o *iam.ListGroupsOutput
		if o, err = c.cfg.IAM.ListGroups(ctx, caller, &iam.ListGroupsInput{Marker: q.Get("marker"), MaxItems: &max}); err == nil {
			d.Groups, d.Next = o.Groups, o.Marker
		}
	case "roles":
		var o *iam.ListRolesOutput
		if o, err = c.cfg.IAM.ListRoles(ctx, caller, &iam.ListRolesInput{Marker: q.Get("marker"), MaxItems: &max}); err == nil {
			d.Roles, d.Next = o.Roles, o.Marker
		}
	default:
		d.Tab = "users"
		var o *iam.ListUsersOutput
		if o, err = c.cfg.IAM.ListUsers(ctx, caller, &iam.ListUsersInput{Marker: q.Get("marker"), MaxItems: &max}); err == nil {
			d.Users, d.Next = o.Users, o.Marker
		}
	}
	st := http.StatusOK
	if err != nil {
		v.Error, st = c.awsError("iam", err)
	}
	c.render(w, r, st, "iam_home", v)
}

var iamNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)

func redirectEntity(w http.ResponseWriter, r *http.Request, kind, name, done string) {
	doneRedirect(w, r, "/console/iam/entity?"+url.Values{"kind": {kind}, "name": {name}}.Encode(), done)
}

// iamCreate creates a user, group or role.
func (c *Console) iamCreate(w http.ResponseWriter, r *http.Request, s *session) {
	kind, name := r.PostFormValue("kind"), strings.TrimSpace(r.PostFormValue("name"))
	ctx, caller := r.Context(), c.caller(r, s)
	var err error
	if !iamNameRE.MatchString(name) {
		err = iamValidation("The name must be 1-128 characters: letters, digits and +=,.@_-.")
	} else {
		switch kind {
		case "group":
			in := &iam.CreateGroupInput{GroupName: name}
			if err = valid("iam", in); err == nil {
				_, err = c.cfg.IAM.CreateGroup(ctx, caller, in)
			}
		case "role":
			in := &iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: r.PostFormValue("trust")}
			if err = valid("iam", in); err == nil {
				_, err = c.cfg.IAM.CreateRole(ctx, caller, in)
			}
		default:
			kind = "user"
			in := &iam.CreateUserInput{UserName: name}
			if err = valid("iam", in); err == nil {
				_, err = c.cfg.IAM.CreateUser(ctx, caller, in)
			}
		}
	}
	if err != nil {
		v := &view{Title: "IAM", Nav: "iam", Data: &iamHomeData{Tab: kind + "s"}}
		var st int
		v.Error, st = c.awsError("iam", err)
		c.render(w, r, st, "iam_home", v)
		return
	}
	redirectEntity(w, r, kind, name, "Created.")
}

type validationErr string

func (e validationErr) Error() string { return string(e) }

func iamValidation(msg string) error { return validationErr(msg) }

type iamEntityData struct {
	Kind, Name   string
	ARN          string
	Trust        string
	Attached     []iam.AttachedPolicy
	Inline       []string
	Groups       []iam.Group
	Members      []iam.User
	Login        *iam.LoginProfile
	Keys         []iam.AccessKeyMetadata
	NewKey       *iam.AccessKey
	LoadErr      *pageError
	ManagedHints []string
}

var managedHints = []string{"AdministratorAccess", "AWSPrivateCAFullAccess", "AWSPrivateCAUser", "AWSPrivateCAReadOnly",
	"AWSCertificateManagerFullAccess", "AWSCertificateManagerReadOnly", "AWSOrganizationsFullAccess", "AWSResourceAccessManagerFullAccess"}

// iamEntity shows a user, group or role; fail is an action's error shown
// in place; newKey a just-created access key, shown once.
func (c *Console) iamEntity(w http.ResponseWriter, r *http.Request, s *session, kind, name string, fail *pageError, newKey *iam.AccessKey) {
	ctx, caller := r.Context(), c.caller(r, s)
	d := &iamEntityData{Kind: kind, Name: name, NewKey: newKey, ManagedHints: managedHints}
	v := &view{Title: kind + " " + name, Nav: "iam", Data: d, Error: fail}
	var err error
	switch kind {
	case "user":
		var o *iam.GetUserOutput
		if o, err = c.cfg.IAM.GetUser(ctx, caller, &iam.GetUserInput{UserName: name}); err == nil {
			d.ARN = o.User.Arn
			if a, e := c.cfg.IAM.ListAttachedUserPolicies(ctx, caller, &iam.ListAttachedUserPoliciesInput{UserName: name}); e == nil {
				d.Attached = a.AttachedPolicies
			}
			if p, e := c.cfg.IAM.ListUserPolicies(ctx, caller, &iam.ListUserPoliciesInput{UserName: name}); e == nil {
				d.Inline = p.PolicyNames
			}
			if g, e := c.cfg.IAM.ListGroupsForUser(ctx, caller, &iam.ListGroupsForUserInput{UserName: name}); e == nil {
				d.Groups = g.Groups
			}
			if lp, e := c.cfg.IAM.GetLoginProfile(ctx, caller, &iam.LoginProfileUserInput{UserName: name}); e == nil {
				d.Login = &lp.LoginProfile
			}
			if k, e := c.cfg.IAM.ListAccessKeys(ctx, caller, &iam.ListAccessKeysInput{UserName: name}); e == nil {
				d.Keys = k.AccessKeyMetadata
			}
		}
	case "group":
		var o *iam.GetGroupOutput
		if o, err = c.cfg.IAM.GetGroup(ctx, caller, &iam.GetGroupInput{GroupName: name}); err == nil {
			d.ARN, d.Members = o.Group.Arn, o.Users
			if a, e := c.cfg.IAM.ListAttachedGroupPolicies(ctx, caller, &iam.ListAttachedGroupPoliciesInput{GroupName: name}); e == nil {
				d.Attached = a.AttachedPolicies
			}
			if p, e := c.cfg.IAM.ListGroupPolicies(ctx, caller, &iam.ListGroupPoliciesInput{GroupName: name}); e == nil {
				d.Inline = p.PolicyNames
			}
		}
	case "role":
		var o *iam.RoleOutput
		if o, err = c.cfg.IAM.GetRole(ctx, caller, &iam.RoleNameInput{RoleName: name}); err == nil {
			d.ARN, d.Trust = o.Role.Arn, o.Role.AssumeRolePolicyDocument
			if a, e := c.cfg.IAM.ListAttachedRolePolicies(ctx, caller, &iam.ListAttachedRolePoliciesInput{RoleName: name}); e == nil {
				d.Attached = a.AttachedPolicies
			}
			if p, e := c.cfg.IAM.ListRolePolicies(ctx, caller, &iam.ListRolePoliciesInput{RoleName: name}); e == nil {
				d.Inline = p.PolicyNames
			}
		}
	default:
		err = iamValidation("Unknown IAM entity kind.")
	}
	st := http.StatusOK
	if fail != nil {
		st = http.StatusBadRequest
	}
	if err != nil {
		v.Error, st = c.awsError("iam", err)
		c.render(w, r, st, "message", v)
		return
	}
	c.render(w, r, st, "iam_entity", v)
}

func (c *Console) iamFail(w http.ResponseWriter, r *http.Request, s *session, kind, name string, err error) {
	e, _ := c.awsError("iam", err)
	c.iamEntity(w, r, s, kind, name, e, nil)
}

// iamPolicy attaches or detaches a managed policy, or puts or deletes an
// inline policy, on a user, group or role.
func (c *Console) iamPolicy(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	kind, name, op := f.Get("kind"), f.Get("name"), f.Get("op")
	ctx, caller := r.Context(), c.caller(r, s)
	arn := strings.TrimSpace(f.Get("arn"))
	if arn != "" && !strings.HasPrefix(arn, "arn:") {
		arn = "arn:" + s.Partition() + ":iam::aws:policy/" + arn
	}
	pname, doc := strings.TrimSpace(f.Get("policyName")), f.Get("document")
	var err error
	switch kind + "/" + op {
	case "user/attach":
		_, err = c.cfg.IAM.AttachUserPolicy(ctx, caller, &iam.AttachUserPolicyInput{UserName: name, PolicyArn: arn})
	case "user/detach":
		_, err = c.cfg.IAM.DetachUserPolicy(ctx, caller, &iam.AttachUserPolicyInput{UserName: name, PolicyArn: arn})
	case "user/put":
		in := &iam.PutUserPolicyInput{UserName: name, PolicyName: pname, PolicyDocument: doc}
		if err = valid("iam", in); err == nil {
			_, err = c.cfg.IAM.PutUserPolicy(ctx, caller, in)
		}
	case "user/delete":
		_, err = c.cfg.IAM.DeleteUserPolicy(ctx, caller, &iam.UserPolicyInput{UserName: name, PolicyName: pname})
	case "group/attach":
		_, err = c.cfg.IAM.AttachGroupPolicy(ctx, caller, &iam.AttachGroupPolicyInput{GroupName: name, PolicyArn: arn})
	case "group/detach":
		_, err = c.cfg.IAM.DetachGroupPolicy(ctx, caller, &iam.AttachGroupPolicyInput{GroupName: name, PolicyArn: arn})
	case "group/put":
		in := &iam.PutGroupPolicyInput{GroupName: name, PolicyName: pname, PolicyDocument: doc}
		if err = valid("iam", in); err == nil {
			_, err = c.cfg.IAM.PutGroupPolicy(ctx, caller, in)
		}
	case "group/delete":
		_, err = c.cfg.IAM.DeleteGroupPolicy(ctx, caller, &iam.GroupPolicyInput{GroupName: name, PolicyName: pname})
	case "role/attach":
		_, err = c.cfg.IAM.AttachRolePolicy(ctx, caller, &iam.AttachRolePolicyInput{RoleName: name, PolicyArn: arn})
	case "role/detach":
		_, err = c.cfg.IAM.DetachRolePolicy(ctx, caller, &iam.AttachRolePolicyInput{RoleName: name, PolicyArn: arn})
	case "role/put":
		in := &iam.PutRolePolicyInput{RoleName: name, PolicyName: pname, PolicyDocument: doc}
		if err = valid("iam", in); err == nil {
			_, err = c.cfg.IAM.PutRolePolicy(ctx, caller, in)
		}
	case "role/delete":
		_, err = c.cfg.IAM.DeleteRolePolicy(ctx, caller, &iam.RolePolicyInput{RoleName: name, PolicyName: pname})
	default:
		err = iamValidation("Unknown policy operation.")
	}
	if err != nil {
		c.iamFail(w, r, s, kind, name, err)
		return
	}
	redirectEntity(w, r, kind, name, "Policies updated.")
}

// iamLogin manages a user's console password (login profile).
func (c *Console) iamLogin(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	name, pw, reset := f.Get("name"), f.Get("password"), f.Get("reset") == "on"
	ctx, caller := r.Context(), c.caller(r, s)
	var err error
	switch f.Get("op") {
	case "create":
		in := &iam.CreateLoginProfileInput{UserName: name, Password: pw, PasswordResetRequired: reset}
		if err = valid("iam", in); err == nil {
			_, err = c.cfg.IAM.CreateLoginProfile(ctx, caller, in)
		}
	case "update":
		in := &iam.UpdateLoginProfileInput{UserName: name, Password: pw, PasswordResetRequired: &reset}
		if err = valid("iam", in); err == nil {
			_, err = c.cfg.IAM.UpdateLoginProfile(ctx, caller, in)
		}
	case "delete":
		_, err = c.cfg.IAM.DeleteLoginProfile(ctx, caller, &iam.LoginProfileUserInput{UserName: name})
	}
	if err != nil {
		c.iamFail(w, r, s, "user", name, err)
		return
	}
	redirectEntity(w, r, "user", name, "Console access updated.")
}

// iamKeys creates (showing the secret once, as AWS does), deactivates,
// activates or deletes an access key.
func (c *Console) iamKeys(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	name, id := f.Get("name"), f.Get("id")
	ctx, caller := r.Context(), c.caller(r, s)
	var err error
	switch f.Get("op") {
	case "create":
		var o *iam.CreateAccessKeyOutput
		if o, err = c.cfg.IAM.CreateAccessKey(ctx, caller, &iam.CreateAccessKeyInput{UserName: name}); err == nil {
			c.iamEntity(w, r, s, "user", name, nil, &o.AccessKey)
			return
		}
	case "Active", "Inactive":
		_, err = c.cfg.IAM.UpdateAccessKey(ctx, caller, &iam.UpdateAccessKeyInput{UserName: name, AccessKeyId: id, Status: f.Get("op")})
	case "delete":
		_, err = c.cfg.IAM.DeleteAccessKey(ctx, caller, &iam.DeleteAccessKeyInput{UserName: name, AccessKeyId: id})
	}
	if err != nil {
		c.iamFail(w, r, s, "user", name, err)
		return
	}
	redirectEntity(w, r, "user", name, "Access keys updated.")
}

func (c *Console) iamMember(w http.ResponseWriter, r *http.Request, s *session) {
	f := r.PostForm
	in := &iam.GroupMemberInput{GroupName: strings.TrimSpace(f.Get("group")), UserName: f.Get("name")}
	err := valid("iam", in)
	switch {
	case err != nil:
	case f.Get("op") == "remove":
		_, err = c.cfg.IAM.RemoveUserFromGroup(r.Context(), c.caller(r, s), in)
	default:
		_, err = c.cfg.IAM.AddUserToGroup(r.Context(), c.caller(r, s), in)
	}
	if err != nil {
		c.iamFail(w, r, s, "user", in.UserName, err)
		return
	}
	redirectEntity(w, r, "user", in.UserName, "Groups updated.")
}

// iamSLR creates ACM's service-linked role (AWSServiceRoleForCertificateManager).
func (c *Console) iamSLR(w http.ResponseWriter, r *http.Request, s *session) {
	_, err := c.cfg.IAM.CreateServiceLinkedRole(r.Context(), c.caller(r, s), &iam.CreateServiceLinkedRoleInput{AWSServiceName: "acm.amazonaws.com"})
	if err != nil {
		v := &view{Title: "IAM", Nav: "iam", Data: &iamHomeData{Tab: "roles"}}
		var st int
		v.Error, st = c.awsError("iam", err)
		c.render(w, r, st, "iam_home", v)
		return
	}
	doneRedirect(w, r, "/console/iam?tab=roles", "Service-linked role created.")
}
