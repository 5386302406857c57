package iam

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/openpca/openpca/internal/authz"
	"github.com/openpca/openpca/internal/store"
)

const (
	maxSSHKeysPerUser = 5
	prefixSSHKey      = "APKA"
)

// SSHPublicKey is the IAM API's SSHPublicKey shape.
type SSHPublicKey struct {
	UserName         string
	SSHPublicKeyId   string
	Fingerprint      string
	SSHPublicKeyBody string
	Status           string
	UploadDate       time.Time
}

// SSHPublicKeyMetadata is a key as ListSSHPublicKeys shows it.
type SSHPublicKeyMetadata struct {
	UserName       string
	SSHPublicKeyId string
	Status         string
	UploadDate     time.Time
}

type UploadSSHPublicKeyInput struct {
	UserName         string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	SSHPublicKeyBody string `required:"true" min:"1" max:"16384" pattern:"[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"`
}

type SSHPublicKeyOutput struct {
	SSHPublicKey *SSHPublicKey
}

// UploadSSHPublicKey stores an RSA public key (ssh-rsa or PEM, at least
// 2048 bits) for a user; a user holds at most five, each once.
func (s *Service) UploadSSHPublicKey(ctx context.Context, c *authz.Caller, in *UploadSSHPublicKeyInput) (*SSHPublicKeyOutput, error) {
	t, err := s.resolve(ctx, c, kindUser, in.UserName, "iam:UploadSSHPublicKey", nil)
	if err != nil {
		return nil, err
	}
	key, err := parseSSHPublicKey(in.SSHPublicKeyBody)
	switch {
	case errors.Is(err, errSSHEncoding):
		return nil, errorf(UnrecognizedPublicKeyEncoding, "The public key encoding format is unsupported or unrecognized.")
	case err != nil:
		return nil, errorf(InvalidPublicKey, "The public key is malformed or otherwise invalid: it must be an RSA key of at least %d bits.", minSSHKeyBits)
	}
	row := &sshKeyRow{
		ID: newUniqueID(prefixSSHKey), AccountID: c.AccountID, UserID: t.id, Body: in.SSHPublicKeyBody,
		Fingerprint: key.fingerprint(), Status: statusActive, UploadedAt: s.clk.Now(),
	}
	duplicate := errorf(DuplicateSSHPublicKey, "The SSH public key is already associated with the specified IAM user.")
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		if used, err := s.st.sshFingerprintUsed(ctx, tx, t.id, row.Fingerprint); err != nil {
			return err
		} else if used {
			return duplicate
		}
		if n, err := s.st.countSSHKeys(ctx, tx, t.id); err != nil {
			return err
		} else if n >= maxSSHKeysPerUser {
			return errorf(LimitExceeded, "Cannot exceed quota for PublicKeysPerUser: %d", maxSSHKeysPerUser)
		}
		if err := s.st.insertSSHKey(ctx, tx, row); err != nil {
			if store.IsUniqueViolation(err) {
				return duplicate
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &SSHPublicKeyOutput{SSHPublicKey: sshKeyShape(t.name, row, row.Body)}, nil
}

type GetSSHPublicKeyInput struct {
	UserName       string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	SSHPublicKeyId string `required:"true" min:"20" max:"128" pattern:"[\\w]+"`
	Encoding       string `required:"true" enum:"SSH,PEM"`
}

// GetSSHPublicKey returns a key in the requested encoding.
func (s *Service) GetSSHPublicKey(ctx context.Context, c *authz.Caller, in *GetSSHPublicKeyInput) (*SSHPublicKeyOutput, error) {
	t, k, err := s.ownedSSHKey(ctx, c, in.UserName, in.SSHPublicKeyId, "iam:GetSSHPublicKey")
	if err != nil {
		return nil, err
	}
	key, err := parseSSHPublicKey(k.Body)
	if err != nil {
		return nil, errorf(UnrecognizedPublicKeyEncoding, "The public key encoding format is unsupported or unrecognized.")
	}
	body := k.Body
	switch {
	case in.Encoding == "PEM" && !key.pem:
		body = key.pemText()
	case in.Encoding == "SSH" && key.pem:
		body = key.sshLine()
	}
	return &SSHPublicKeyOutput{SSHPublicKey: sshKeyShape(t.name, k, body)}, nil
}

type ListSSHPublicKeysInput struct {
	UserName string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	Marker   string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems *int   `min:"1" max:"1000"`
}

type ListSSHPublicKeysOutput struct {
	SSHPublicKeys []SSHPublicKeyMetadata
	IsTruncated   bool
	Marker        string
}

// ListSSHPublicKeys lists a user's (or the calling user's) keys; the root
// has none.
func (s *Service) ListSSHPublicKeys(ctx context.Context, c *authz.Caller, in *ListSSHPublicKeysInput) (*ListSSHPublicKeysOutput, error) {
	t, err := s.selfOrUser(ctx, c, in.UserName, "iam:ListSSHPublicKeys")
	if err != nil {
		return nil, err
	}
	var keys []*sshKeyRow
	userID, userName := "", ""
	if t != nil {
		userID, userName = t.id, t.name
		if keys, err = s.st.listSSHKeys(ctx, s.st.db, t.id); err != nil {
			return nil, err
		}
	}
	page, marker, trunc, err := paginateAs(keys, func(k *sshKeyRow) string { return k.ID }, func(k *sshKeyRow) SSHPublicKeyMetadata {
		return SSHPublicKeyMetadata{UserName: userName, SSHPublicKeyId: k.ID, Status: k.Status, UploadDate: k.UploadedAt}
	}, scopeOf(c, "ListSSHPublicKeys", userID), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListSSHPublicKeysOutput{SSHPublicKeys: page, IsTruncated: trunc, Marker: marker}, nil
}

type UpdateSSHPublicKeyInput struct {
	UserName       string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	SSHPublicKeyId string `required:"true" min:"20" max:"128" pattern:"[\\w]+"`
	Status         string `required:"true" enum:"Active,Inactive,Expired"`
}

// UpdateSSHPublicKey activates or deactivates a key.
func (s *Service) UpdateSSHPublicKey(ctx context.Context, c *authz.Caller, in *UpdateSSHPublicKeyInput) (*Empty, error) {
	_, k, err := s.ownedSSHKey(ctx, c, in.UserName, in.SSHPublicKeyId, "iam:UpdateSSHPublicKey")
	if err != nil {
		return nil, err
	}
	if err := checkStatus(in.Status); err != nil {
		return nil, err
	}
	if err := s.st.setSSHKeyStatus(ctx, s.st.db, k.ID, in.Status); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type DeleteSSHPublicKeyInput struct {
	UserName       string `required:"true" min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
	SSHPublicKeyId string `required:"true" min:"20" max:"128" pattern:"[\\w]+"`
}

// DeleteSSHPublicKey deletes a key.
func (s *Service) DeleteSSHPublicKey(ctx context.Context, c *authz.Caller, in *DeleteSSHPublicKeyInput) (*Empty, error) {
	_, k, err := s.ownedSSHKey(ctx, c, in.UserName, in.SSHPublicKeyId, "iam:DeleteSSHPublicKey")
	if err != nil {
		return nil, err
	}
	if err := s.st.deleteSSHKey(ctx, s.st.db, k.ID); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ownedSSHKey resolves the user (authorizing action on it) and its key.
func (s *Service) ownedSSHKey(ctx context.Context, c *authz.Caller, userName, id, action string) (*target, *sshKeyRow, error) {
	t, err := s.resolve(ctx, c, kindUser, userName, action, nil)
	if err != nil {
		return nil, nil, err
	}
	k, err := s.st.userSSHKey(ctx, s.st.db, t.id, id)
	if err != nil {
		return nil, nil, err
	}
	if k == nil {
		return nil, nil, errorf(NoSuchEntity, "The Public Key with id %s cannot be found.", id)
	}
	return t, k, nil
}

func sshKeyShape(userName string, k *sshKeyRow, body string) *SSHPublicKey {
	return &SSHPublicKey{UserName: userName, SSHPublicKeyId: k.ID, Fingerprint: k.Fingerprint, SSHPublicKeyBody: body, Status: k.Status, UploadDate: k.UploadedAt}
}

// checkStatus accepts the statuses a credential can be set to.
func checkStatus(status string) error {
	if status != statusActive && status != statusInactive {
		return errorf(InvalidInput, "Invalid status %s; use Active or Inactive.", status)
	}
	return nil
}
