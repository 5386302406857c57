package awsapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

// Test-only services shaped like IAM (awsQuery), ACM PCA (awsJson1_1) and
// RAM (restJson1). They exercise the edge, not any real domain logic.

var (
	errNoSuchEntity = errors.New("no such entity")
	errExists       = errors.New("entity exists")
	errBadParam     = errors.New("bad parameter")
	errReason       = errors.New("constraint violation")
)

func denied(msg string) error {
	return &authz.DeniedError{Decision: &authz.Decision{Message: msg}}
}

// special names make handlers fail in the ways the edge must render.
func special(name string) error {
	switch name {
	case "denied":
		return denied("User: " + userARN + " is not authorized to perform: test:Op on resource: x because no identity-based policy allows the test:Op action")
	case "boom":
		return errors.New("database exploded at row 42")
	case "panic":
		panic("handler bug")
	}
	return nil
}

// ---- IAM-shaped Query service ----

type iamTag struct {
	Key   *string `required:"true" min:"1" max:"128"`
	Value *string `required:"true" max:"256"`
}

type iamUser struct {
	Path             string
	UserName         string
	UserId           string
	Arn              string
	CreateDate       time.Time
	PasswordLastUsed *time.Time
	Tags             []iamTag
}

type getUserIn struct {
	UserName *string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}
type getUserOut struct{ User *iamUser }

type listUsersIn struct {
	PathPrefix *string `min:"1" max:"512"`
	Marker     *string `min:"1" max:"320"`
	MaxItems   *int32  `min:"1" max:"1000"`
}
type listUsersOut struct {
	Users       []iamUser
	IsTruncated bool
	Marker      *string
}

type createUserIn struct {
	Path     *string  `min:"1" max:"512"`
	UserName *string  `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	Tags     []iamTag `max:"50"`
}
type createUserOut struct{ User *iamUser }

type deleteUserIn struct {
	UserName *string `required:"true" min:"1" max:"128"`
}
type deleteUserOut struct{}

type getRoleIn struct {
	RoleName *string `required:"true" min:"1" max:"64"`
}
type iamRole struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               time.Time
	AssumeRolePolicyDocument string `urlencode:"true"`
	MaxSessionDuration       *int32
}
type getRoleOut struct{ Role *iamRole }

const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"acm.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`

var testCreateDate = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type iamFake struct {
	mu         sync.Mutex
	users      map[string]iamUser
	lastCaller authz.Caller
}

func newIAMService() *Service {
	f := &iamFake{users: map[string]iamUser{}}
	return &Service{
		SigningName:  "iam",
		Protocol:     Query,
		XMLNamespace: "https://iam.amazonaws.com/doc/2010-05-08/",
		APIVersion:   "2010-05-08",
		Operations: map[string]Operation{
			"GetUser":    Op("GetUser", f.getUser),
			"ListUsers":  Op("ListUsers", f.listUsers),
			"CreateUser": Op("CreateUser", f.createUser),
			"DeleteUser": Op("DeleteUser", f.deleteUser),
			"GetRole":    Op("GetRole", f.getRole),
		},
		MapError: func(err error) *Error {
			switch {
			case errors.Is(err, errNoSuchEntity):
				return &Error{Code: "NoSuchEntity", Message: err.Error(), Status: http.StatusNotFound, Sender: true}
			case errors.Is(err, errExists):
				return &Error{Code: "EntityAlreadyExists", Message: err.Error(), Status: http.StatusConflict, Sender: true}
			}
			return nil
		},
	}
}

func (f *iamFake) getUser(_ context.Context, c *authz.Caller, in *getUserIn) (*getUserOut, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastCaller = *c
	if in.UserName == nil {
		// The caller itself; SourceIP and AccessKeyID surface in Path so the
		// test can see what the edge built.
		return &getUserOut{User: &iamUser{Path: "/" + c.AccessKeyID + "/" + c.SourceIP + "/", UserName: c.UserName,
			UserId: c.UserID, Arn: c.ARN, CreateDate: testCreateDate}}, nil
	}
	if err := special(*in.UserName); err != nil {
		return nil, err
	}
	u, ok := f.users[*in.UserName]
	if !ok {
		return nil, errorsJoin(errNoSuchEntity, "The user with name "+*in.UserName+" cannot be found.")
	}
	return &getUserOut{User: &u}, nil
}

func (f *iamFake) listUsers(_ context.Context, _ *authz.Caller, in *listUsersIn) (*listUsersOut, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &listUsersOut{Users: []iamUser{}}
	for _, u := range f.users {
		if in.PathPrefix == nil || strings.HasPrefix(u.Path, *in.PathPrefix) {
			out.Users = append(out.Users, u)
		}
	}
	if in.MaxItems != nil && int(*in.MaxItems) < len(out.Users) {
		out.Users = out.Users[:*in.MaxItems]
		out.IsTruncated = true
		m := "next"
		out.Marker = &m
	}
	return out, nil
}

func (f *iamFake) createUser(_ context.Context, _ *authz.Caller, in *createUserIn) (*createUserOut, error) {
	if err := special(*in.UserName); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.users[*in.UserName]; ok {
		return nil, errorsJoin(errExists, "User with name "+*in.UserName+" already exists.")
	}
	path := "/"
	if in.Path != nil {
		path = *in.Path
	}
	u := iamUser{Path: path, UserName: *in.UserName, UserId: "AIDA" + strings.ToUpper(*in.UserName),
		Arn: "arn:aws:iam::111122223333:user" + path + *in.UserName, CreateDate: testCreateDate, Tags: in.Tags}
	f.users[u.UserName] = u
	return &createUserOut{User: &u}, nil
}

func (f *iamFake) deleteUser(_ context.Context, _ *authz.Caller, in *deleteUserIn) (*deleteUserOut, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.users[*in.UserName]; !ok {
		return nil, errorsJoin(errNoSuchEntity, "The user with name "+*in.UserName+" cannot be found.")
	}
	delete(f.users, *in.UserName)
	return nil, nil // a nil output is an empty one
}

func (f *iamFake) getRole(_ context.Context, _ *authz.Caller, in *getRoleIn) (*getRoleOut, error) {
	d := int32(3600)
	return &getRoleOut{Role: &iamRole{Path: "/aws-service-role/acm.amazonaws.com/", RoleName: *in.RoleName, RoleId: "AROAEXAMPLE",
		Arn: "arn:aws:iam::111122223333:role/aws-service-role/acm.amazonaws.com/" + *in.RoleName, CreateDate: testCreateDate,
		AssumeRolePolicyDocument: trustPolicy, MaxSessionDuration: &d}}, nil
}

// wrapped keeps a sentinel for errors.Is with AWS's message text.
type wrapped struct {
	sentinel error
	msg      string
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.sentinel }

func errorsJoin(sentinel error, msg string) error { return &wrapped{sentinel, msg} }

// ---- ACM-PCA-shaped awsJson1_1 service ----

const caARN = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/0b1f5c1e-1111-2222-3333-444455556666"

type pcaValidity struct {
	Value *int64  `required:"true" min:"1"`
	Type  *string `required:"true" enum:"END_DATE,ABSOLUTE,DAYS,MONTHS,YEARS"`
}

type issueIn struct {
	CertificateAuthorityArn *string      `required:"true" min:"5" max:"200" pattern:"arn:[\\w+=/,.@-]+:acm-pca:[\\w+=/,.@-]*:[0-9]*:[\\w+=,.@-]+(/[\\w+=,.@-]+)*"`
	Csr                     []byte       `required:"true" min:"1" max:"32768000"`
	SigningAlgorithm        *string      `required:"true" enum:"SHA256WITHECDSA,SHA256WITHRSA"`
	Validity                *pcaValidity `required:"true"`
	IdempotencyToken        *string      `min:"1" max:"36" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]*"`
}
type issueOut struct{ CertificateArn *string }

type describeIn struct {
	CertificateAuthorityArn *string `required:"true" min:"5" max:"200"`
}
type pcaCA struct {
	Arn          *string
	OwnerAccount *string
	CreatedAt    time.Time
	NotAfter     *time.Time
	Status       *string
	Usage        []string
}
type describeOut struct{ CertificateAuthority *pcaCA }

type putPolicyIn struct {
	ResourceArn *string `required:"true"`
	Policy      *string `required:"true" min:"1" max:"20480"`
}

func newPCAService() *Service {
	return &Service{
		SigningName:  "acm-pca",
		Protocol:     JSON11,
		TargetPrefix: "ACMPrivateCA",
		RPCv2CBOR:    "ACMPrivateCA",
		Operations: map[string]Operation{
			"IssueCertificate":               Op("IssueCertificate", pcaIssue),
			"DescribeCertificateAuthority":   Op("DescribeCertificateAuthority", pcaDescribe),
			"PutPolicy":                      Op("PutPolicy", func(context.Context, *authz.Caller, *putPolicyIn) (*struct{}, error) { return &struct{}{}, nil }),
			"ListCertificateAuthoritiesFail": Op("ListCertificateAuthoritiesFail", pcaFail),
			// EchoRich answers its input: every member kind both ways.
			"EchoRich": Op("EchoRich", func(_ context.Context, _ *authz.Caller, in *richInput) (*richInput, error) { return in, nil }),
		},
		MapError: func(err error) *Error {
			switch {
			case errors.Is(err, errNoSuchEntity):
				return &Error{Code: "ResourceNotFoundException", Message: err.Error(), Status: 400, Sender: true}
			case errors.Is(err, errReason):
				return &Error{Code: "ConstraintViolationException", Message: err.Error(), Status: 400, Sender: true,
					Fields: map[string]any{"Reason": "ACCOUNT_NUMBER_LIMIT_EXCEEDED"}}
			}
			return nil
		},
	}
}

func pcaIssue(_ context.Context, _ *authz.Caller, in *issueIn) (*issueOut, error) {
	sum := sha256.Sum256(in.Csr)
	arn := *in.CertificateAuthorityArn + "/certificate/" + hex.EncodeToString(sum[:16])
	return &issueOut{CertificateArn: &arn}, nil
}

func pcaDescribe(_ context.Context, _ *authz.Caller, in *describeIn) (*describeOut, error) {
	arn := *in.CertificateAuthorityArn
	last := arn[strings.LastIndexByte(arn, '/')+1:]
	if err := special(last); err != nil {
		return nil, err
	}
	switch last {
	case "missing":
		return nil, errorsJoin(errNoSuchEntity, "Could not find certificate authority "+arn+".")
	case "limited":
		return nil, errorsJoin(errReason, "You have exceeded the number of accounts.")
	}
	na := time.Unix(2087982017, 0)
	owner, status := "111122223333", "ACTIVE"
	return &describeOut{CertificateAuthority: &pcaCA{Arn: &arn, OwnerAccount: &owner, CreatedAt: time.Unix(1772366400, 123e6),
		NotAfter: &na, Status: &status, Usage: []string{}}}, nil
}

func pcaFail(_ context.Context, _ *authz.Caller, _ *struct{}) (*struct{}, error) {
	return nil, &Error{Code: "ThrottlingException", Message: "Rate exceeded", Status: 400, Sender: true}
}

// ---- RAM-shaped restJson1 service ----

type createShareIn struct {
	Name                    *string  `json:"name" required:"true"`
	ResourceArns            []string `json:"resourceArns"`
	Principals              []string `json:"principals"`
	AllowExternalPrincipals *bool    `json:"allowExternalPrincipals"`
	ClientToken             *string  `json:"clientToken"`
}
type ramShare struct {
	ResourceShareArn        string    `json:"resourceShareArn"`
	Name                    string    `json:"name"`
	OwningAccountId         string    `json:"owningAccountId"`
	AllowExternalPrincipals bool      `json:"allowExternalPrincipals"`
	Status                  string    `json:"status"`
	CreationTime            time.Time `json:"creationTime"`
}
type createShareOut struct {
	ResourceShare *ramShare `json:"resourceShare"`
	ClientToken   *string   `json:"clientToken"`
}

type deleteShareIn struct {
	ResourceShareArn *string `json:"resourceShareArn" location:"querystring=resourceShareArn" required:"true"`
	ClientToken      *string `json:"clientToken" location:"querystring=clientToken"`
}
type deleteShareOut struct {
	ReturnValue *bool   `json:"returnValue"`
	ClientToken *string `json:"clientToken"`
}

func newRAMService() *Service {
	return &Service{
		SigningName: "ram",
		Protocol:    RESTJSON1,
		Operations: map[string]Operation{
			"POST /createresourceshare":   Op("CreateResourceShare", ramCreate),
			"DELETE /deleteresourceshare": Op("DeleteResourceShare", ramDelete),
		},
		MapError: func(err error) *Error {
			if errors.Is(err, errBadParam) {
				return &Error{Code: "InvalidParameterException", Message: err.Error(), Status: 400, Sender: true}
			}
			return nil
		},
	}
}

func ramCreate(_ context.Context, c *authz.Caller, in *createShareIn) (*createShareOut, error) {
	if err := special(*in.Name); err != nil {
		return nil, err
	}
	for _, p := range in.Principals {
		if p != c.AccountID && (in.AllowExternalPrincipals == nil || !*in.AllowExternalPrincipals) {
			return nil, errorsJoin(errBadParam, "Principal "+p+" is not in your AWS organization.")
		}
	}
	return &createShareOut{ResourceShare: &ramShare{ResourceShareArn: "arn:aws:ram:us-east-1:111122223333:resource-share/7ab6",
		Name: *in.Name, OwningAccountId: c.AccountID, AllowExternalPrincipals: in.AllowExternalPrincipals != nil && *in.AllowExternalPrincipals,
		Status: "ACTIVE", CreationTime: time.Unix(1772366400, 0)}, ClientToken: in.ClientToken}, nil
}

func ramDelete(_ context.Context, _ *authz.Caller, in *deleteShareIn) (*deleteShareOut, error) {
	ok := strings.HasPrefix(*in.ResourceShareArn, "arn:aws:ram:")
	return &deleteShareOut{ReturnValue: &ok, ClientToken: in.ClientToken}, nil
}
