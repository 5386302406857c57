package iam

import (
	"testing"
)

func TestUserLifecycle(t *testing.T) {
	e := newEnv(t)
	root := e.roots[acctA]
	ptr := func(n int) *int { return &n }

	steps := []struct {
		name string
		run  func() error
		want ErrorKind
	}{
		{"create", func() error {
			out, err := e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: "bob", Path: "/eng/", Tags: []Tag{{"team", "pki"}}})
			if err == nil && (out.User.Arn != "arn:aws:iam::"+acctA+":user/eng/bob" || len(out.User.UserId) != 21 || out.User.UserId[:4] != "AIDA") {
				t.Errorf("created user = %+v", out.User)
			}
			return err
		}, 0},
		{"duplicate name is case-insensitive", func() error {
			_, err := e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: "BOB"})
			return err
		}, EntityAlreadyExists},
		{"duplicate tag keys", func() error {
			_, err := e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: "x", Tags: []Tag{{"a", "1"}, {"A", "2"}}})
			return err
		}, InvalidInput},
		{"get", func() error {
			out, err := e.svc.GetUser(e.ctx, root, &GetUserInput{UserName: "bob"})
			if err == nil && (out.User.Path != "/eng/" || len(out.User.Tags) != 1) {
				t.Errorf("GetUser = %+v", out.User)
			}
			return err
		}, 0},
		{"get missing", func() error {
			_, err := e.svc.GetUser(e.ctx, root, &GetUserInput{UserName: "nobody"})
			if err != nil && err.Error() != "NoSuchEntity: The user with name nobody cannot be found." {
				t.Errorf("message = %q", err.Error())
			}
			return err
		}, NoSuchEntity},
		{"get self as root", func() error {
			out, err := e.svc.GetUser(e.ctx, root, &GetUserInput{})
			if err == nil && (out.User.Arn != "arn:aws:iam::"+acctA+":root" || out.User.UserId != acctA) {
				t.Errorf("root GetUser = %+v", out.User)
			}
			return err
		}, 0},
		{"list with prefix and paging", func() error {
			for _, n := range []string{"carol", "dave", "erin"} {
				if _, err := e.svc.CreateUser(e.ctx, root, &CreateUserInput{UserName: n}); err != nil {
					return err
				}
			}
			var names []string
			marker := ""
			for {
				out, err := e.svc.ListUsers(e.ctx, root, &ListUsersInput{MaxItems: ptr(2), Marker: marker})
				if err != nil {
					return err
				}
				for _, u := range out.Users {
					names = append(names, u.UserName)
				}
				if !out.IsTruncated {
					break
				}
				marker = out.Marker
			}
			if got := len(names); got != 4 || names[0] != "bob" || names[3] != "erin" {
				t.Errorf("paged names = %v", names)
			}
			out, err := e.svc.ListUsers(e.ctx, root, &ListUsersInput{PathPrefix: "/eng/"})
			if err == nil && (len(out.Users) != 1 || out.Users[0].UserName != "bob") {
				t.Errorf("prefix list = %+v", out.Users)
			}
			return err
		}, 0},
		{"rename", func() error {
			_, err := e.svc.UpdateUser(e.ctx, root, &UpdateUserInput{UserName: "erin", NewUserName: "frank", NewPath: "/ops/"})
			if err == nil {
				out, gerr := e.svc.GetUser(e.ctx, root, &GetUserInput{UserName: "frank"})
				if gerr != nil || out.User.Path != "/ops/" {
					t.Errorf("after rename: %v %+v", gerr, out)
				}
			}
			return err
		}, 0},
		{"rename onto existing", func() error {
			_, err := e.svc.UpdateUser(e.ctx, root, &UpdateUserInput{UserName: "frank", NewUserName: "Carol"})
			return err
		}, EntityAlreadyExists},
		{"delete with inline policy conflicts", func() error {
			if _, err := e.svc.PutUserPolicy(e.ctx, root, &PutUserPolicyInput{UserName: "dave", PolicyName: "p", PolicyDocument: allowDoc("s3:*", "*")}); err != nil {
				return err
			}
			_, err := e.svc.DeleteUser(e.ctx, root, &DeleteUserInput{UserName: "dave"})
			return err
		}, DeleteConflict},
		{"delete after removing policy", func() error {
			if _, err := e.svc.DeleteUserPolicy(e.ctx, root, &UserPolicyInput{UserName: "dave", PolicyName: "p"}); err != nil {
				return err
			}
			_, err := e.svc.DeleteUser(e.ctx, root, &DeleteUserInput{UserName: "dave"})
			return err
		}, 0},
		{"delete missing", func() error {
			_, err := e.svc.DeleteUser(e.ctx, root, &DeleteUserInput{UserName: "dave"})
			return err
		}, NoSuchEntity},
		{"other account cannot see", func() error {
			_, err := e.svc.GetUser(e.ctx, e.roots[acctB], &GetUserInput{UserName: "bob"})
			return err
		}, NoSuchEntity},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { wantErr(t, s.run(), s.want) })
	}
}

func TestUserAuthorization(t *testing.T) {
	e := newEnv(t)
	reader := e.user(acctA, "reader", allowDoc("iam:GetUser", "*"))
	self := e.user(acctA, "self", "")
	cases := []struct {
		name string
		run  func() error
		want ErrorKind
	}{
		{"allowed action", func() error {
			_, err := e.svc.GetUser(e.ctx, reader, &GetUserInput{UserName: "self"})
			return err
		}, 0},
		{"missing user still denied first", func() error {
			_, err := e.svc.CreateUser(e.ctx, reader, &CreateUserInput{UserName: "x"})
			return err
		}, denial},
		{"no policy, no access", func() error {
			_, err := e.svc.ListUsers(e.ctx, self, &ListUsersInput{})
			return err
		}, denial},
		{"GetUser of self without name", func() error {
			out, err := e.svc.GetUser(e.ctx, reader, &GetUserInput{})
			if err == nil && out.User.UserName != "reader" {
				t.Errorf("self = %+v", out.User)
			}
			return err
		}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantErr(t, c.run(), c.want) })
	}
}
