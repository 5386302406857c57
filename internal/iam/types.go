package iam

import "time"

// Shapes shared by several operations, mirroring the IAM API.

// User is an IAM user (or the root "user" from GetUser).
type User struct {
	Path       string
	UserName   string
	UserId     string
	Arn        string
	CreateDate time.Time
	// PermissionsBoundary is shown by GetUser and CreateUser only.
	PermissionsBoundary *AttachedPermissionsBoundary
	Tags                []Tag
}

// Group is an IAM group.
type Group struct {
	Path       string
	GroupName  string
	GroupId    string
	Arn        string
	CreateDate time.Time
}

// Role is an IAM role.
type Role struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               time.Time
	AssumeRolePolicyDocument string `urlencode:"true"`
	Description              string
	MaxSessionDuration       *int
	// PermissionsBoundary is shown by GetRole and CreateRole only, as in AWS.
	PermissionsBoundary *AttachedPermissionsBoundary
	Tags                []Tag
}

// ManagedPolicy is the Policy shape of the IAM API.
type ManagedPolicy struct {
	PolicyName                    string
	PolicyId                      string
	Arn                           string
	Path                          string
	DefaultVersionId              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string
	CreateDate                    time.Time
	UpdateDate                    time.Time
	// Tags are shown by GetPolicy and CreatePolicy only, as in AWS.
	Tags []Tag
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	Document         string `urlencode:"true"`
	VersionId        string
	IsDefaultVersion bool
	CreateDate       time.Time
}

// AttachedPolicy names a managed policy attached to an entity.
type AttachedPolicy struct {
	PolicyName string
	PolicyArn  string
}

// AccessKey is a new access key with its secret (CreateAccessKey only).
type AccessKey struct {
	UserName        string
	AccessKeyId     string
	Status          string
	SecretAccessKey string
	CreateDate      time.Time
}

// AccessKeyMetadata describes a key without its secret.
type AccessKeyMetadata struct {
	UserName    string
	AccessKeyId string
	Status      string
	CreateDate  time.Time
}

// Empty is the output of operations that return nothing.
type Empty struct{}

func (s *Service) userShape(u *entity, tags []Tag) User {
	return User{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: s.arn.user(u.AccountID, u.Path, u.Name), CreateDate: u.CreatedAt, Tags: tags}
}

// userWithBoundary is the user as GetUser and CreateUser show it.
func (s *Service) userWithBoundary(u *entity, tags []Tag, boundary string) User {
	out := s.userShape(u, tags)
	out.PermissionsBoundary = boundaryShape(boundary)
	return out
}

// listedUser is a user as lists show it, without tags.
func (s *Service) listedUser(u *entity) User { return s.userShape(u, nil) }

func (s *Service) groupShape(g *entity) Group {
	return Group{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: s.arn.group(g.AccountID, g.Path, g.Name), CreateDate: g.CreatedAt}
}

// roleShape is the role as every operation shows it; lists then drop the
// boundary (listedRole).
func (s *Service) roleShape(r *roleRow, tags []Tag) Role {
	d := r.MaxSessionDuration
	return Role{
		Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: s.arn.role(r.AccountID, r.Path, r.Name), CreateDate: r.CreatedAt,
		AssumeRolePolicyDocument: r.TrustPolicy, Description: r.Description, MaxSessionDuration: &d, Tags: tags,
		PermissionsBoundary: boundaryShape(r.Boundary),
	}
}
