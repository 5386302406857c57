package iam

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

const (
	maxServiceCredsPerService = 2
	prefixServiceCred         = "ACCA"
)

// serviceCredServices are the services whose credentials are a generated
// user name and password (CodeCommit HTTPS Git, Amazon Keyspaces). Bedrock
// and CloudWatch Logs API keys have another shape and are not offered.
var serviceCredServices = map[string]bool{
	"codecommit.amazonaws.com": true,
	"cassandra.amazonaws.com":  true,
}

// ServiceSpecificCredential is the IAM API's shape, with the password
// (Create and Reset only).
type ServiceSpecificCredential struct {
	CreateDate                  time.Time
	ServiceName                 string
	ServiceUserName             string
	ServicePassword             string
	ServiceSpecificCredentialId string
	UserName                    string
	Status                      string
}

// ServiceSpecificCredentialMetadata is a credential without its password.
type ServiceSpecificCredentialMetadata struct {
	UserName                    string
	Status                      string
	ServiceUserName             string
	CreateDate                  time.Time
	ServiceSpecificCredentialId string
	ServiceName                 string
}

type CreateServiceSpecificCredentialInput struct {
	UserName          string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	ServiceName       string `required:"true"`
	CredentialAgeDays *int   `min:"1" max:"36600"`
}

type ServiceSpecificCredentialOutput struct {
	ServiceSpecificCredential *ServiceSpecificCredential
}

func notSupportedService(name string) *Error {
	return errorf(ServiceNotSupported, "No such service %s is supported for Service-Specific Credentials", name)
}

// newServicePassword returns a generated password (32 random bytes).
func newServicePassword() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("iam: crypto/rand: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b)
}

// CreateServiceSpecificCredential generates a user name and password for
// one service; two per service and user.
func (s *Service) CreateServiceSpecificCredential(ctx context.Context, c *authz.Caller, in *CreateServiceSpecificCredentialInput) (*ServiceSpecificCredentialOutput, error) {
	t, err := s.resolve(ctx, c, kindUser, in.UserName, "iam:CreateServiceSpecificCredential", nil)
	if err != nil {
		return nil, err
	}
	if !serviceCredServices[in.ServiceName] {
		return nil, notSupportedService(in.ServiceName)
	}
	if in.CredentialAgeDays != nil {
		return nil, errorf(InvalidInput, "CredentialAgeDays is only valid for Bedrock and CloudWatch Logs API keys.")
	}
	row := &serviceCredRow{
		ID: newUniqueID(prefixServiceCred), AccountID: c.AccountID, UserID: t.id, UserName: t.name, ServiceName: in.ServiceName,
		ServiceUserName: t.name + "-at-" + c.AccountID, Status: statusActive, CreatedAt: s.clk.Now(),
	}
	password := newServicePassword()
	if row.Sealed, err = s.st.sealSecret(row.ID, []byte(password)); err != nil {
		return nil, err
	}
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		if n, err := s.st.countServiceCreds(ctx, tx, t.id, in.ServiceName); err != nil {
			return err
		} else if n >= maxServiceCredsPerService {
			return errorf(LimitExceeded, "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: %d", maxServiceCredsPerService)
		}
		return s.st.insertServiceCred(ctx, tx, row)
	})
	if err != nil {
		return nil, err
	}
	return &ServiceSpecificCredentialOutput{ServiceSpecificCredential: serviceCredShape(row, password)}, nil
}

type ListServiceSpecificCredentialsInput struct {
	UserName    string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	ServiceName string
	AllUsers    *bool
	Marker      string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems    *int   `min:"1" max:"1000"`
}

type ListServiceSpecificCredentialsOutput struct {
	ServiceSpecificCredentials []ServiceSpecificCredentialMetadata
	Marker                     string
	IsTruncated                bool
}

// ListServiceSpecificCredentials lists a user's (or the calling user's)
// credentials, or with AllUsers every user's, optionally for one service.
func (s *Service) ListServiceSpecificCredentials(ctx context.Context, c *authz.Caller, in *ListServiceSpecificCredentialsInput) (*ListServiceSpecificCredentialsOutput, error) {
	all := in.AllUsers != nil && *in.AllUsers
	var userID string
	switch {
	case all && in.UserName != "":
		return nil, errorf(InvalidInput, "AllUsers cannot be specified together with UserName.")
	case all:
		if err := s.authorize(ctx, c, "iam:ListServiceSpecificCredentials", "*", nil); err != nil {
			return nil, err
		}
	default:
		t, err := s.selfOrUser(ctx, c, in.UserName, "iam:ListServiceSpecificCredentials")
		if err != nil {
			return nil, err
		}
		if t == nil { // the root has no service-specific credentials
			return &ListServiceSpecificCredentialsOutput{ServiceSpecificCredentials: []ServiceSpecificCredentialMetadata{}}, nil
		}
		userID = t.id
	}
	if in.ServiceName != "" && !serviceCredServices[in.ServiceName] {
		return nil, notSupportedService(in.ServiceName)
	}
	creds, err := s.st.listServiceCreds(ctx, s.st.db, c.AccountID, userID, in.ServiceName)
	if err != nil {
		return nil, err
	}
	page, marker, trunc, err := paginateAs(creds, func(r *serviceCredRow) string { return r.ID }, func(r *serviceCredRow) ServiceSpecificCredentialMetadata {
		return ServiceSpecificCredentialMetadata{UserName: r.UserName, Status: r.Status, ServiceUserName: r.ServiceUserName, CreateDate: r.CreatedAt,
			ServiceSpecificCredentialId: r.ID, ServiceName: r.ServiceName}
	}, scopeOf(c, "ListServiceSpecificCredentials", userID, in.ServiceName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListServiceSpecificCredentialsOutput{ServiceSpecificCredentials: page, IsTruncated: trunc, Marker: marker}, nil
}

type ServiceCredentialIDInput struct {
	UserName                    string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	ServiceSpecificCredentialId string `required:"true" min:"20" max:"128" pattern:"[\\w]+"`
}

// ResetServiceSpecificCredential replaces the password with a new one.
func (s *Service) ResetServiceSpecificCredential(ctx context.Context, c *authz.Caller, in *ServiceCredentialIDInput) (*ServiceSpecificCredentialOutput, error) {
	r, err := s.ownedServiceCred(ctx, c, in.UserName, in.ServiceSpecificCredentialId, "iam:ResetServiceSpecificCredential")
	if err != nil {
		return nil, err
	}
	password := newServicePassword()
	sealed, err := s.st.sealSecret(r.ID, []byte(password))
	if err != nil {
		return nil, err
	}
	if err := s.st.setServiceCredPassword(ctx, s.st.db, r.ID, sealed); err != nil {
		return nil, err
	}
	return &ServiceSpecificCredentialOutput{ServiceSpecificCredential: serviceCredShape(r, password)}, nil
}

type UpdateServiceSpecificCredentialInput struct {
	UserName                    string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	ServiceSpecificCredentialId string `required:"true" min:"20" max:"128" pattern:"[\\w]+"`
	Status                      string `required:"true" enum:"Active,Inactive,Expired"`
}

// UpdateServiceSpecificCredential activates or deactivates a credential.
func (s *Service) UpdateServiceSpecificCredential(ctx context.Context, c *authz.Caller, in *UpdateServiceSpecificCredentialInput) (*Empty, error) {
	r, err := s.ownedServiceCred(ctx, c, in.UserName, in.ServiceSpecificCredentialId, "iam:UpdateServiceSpecificCredential")
	if err != nil {
		return nil, err
	}
	if err := checkStatus(in.Status); err != nil {
		return nil, err
	}
	if err := s.st.setServiceCredStatus(ctx, s.st.db, r.ID, in.Status); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// DeleteServiceSpecificCredential deletes a credential.
func (s *Service) DeleteServiceSpecificCredential(ctx context.Context, c *authz.Caller, in *ServiceCredentialIDInput) (*Empty, error) {
	r, err := s.ownedServiceCred(ctx, c, in.UserName, in.ServiceSpecificCredentialId, "iam:DeleteServiceSpecificCredential")
	if err != nil {
		return nil, err
	}
	if err := s.st.deleteServiceCred(ctx, s.st.db, r.ID); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

func (s *Service) ownedServiceCred(ctx context.Context, c *authz.Caller, userName, id, action string) (*serviceCredRow, error) {
	t, err := s.selfOrUser(ctx, c, userName, action)
	if err != nil {
		return nil, err
	}
	var r *serviceCredRow
	if t != nil {
		if r, err = s.st.userServiceCred(ctx, s.st.db, t.id, id); err != nil {
			return nil, err
		}
	}
	if r == nil {
		return nil, errorf(NoSuchEntity, "The Service Specific Credential with id %s cannot be found.", id)
	}
	return r, nil
}

func serviceCredShape(r *serviceCredRow, password string) *ServiceSpecificCredential {
	return &ServiceSpecificCredential{
		CreateDate: r.CreatedAt, ServiceName: r.ServiceName, ServiceUserName: r.ServiceUserName, ServicePassword: password,
		ServiceSpecificCredentialId: r.ID, UserName: r.UserName, Status: r.Status,
	}
}
