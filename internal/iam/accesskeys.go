package iam

import (
	"context"
	"database/sql"

	"github.com/openpca/openpca/internal/authz"
)

const maxAccessKeysPerUser = 2

type CreateAccessKeyInput struct {
	UserName string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
}

type CreateAccessKeyOutput struct {
	AccessKey AccessKey
}

// CreateAccessKey creates a key for the named user, or for the caller
// (a user, or the root) when no name is given. At most two per user.
func (s *Service) CreateAccessKey(ctx context.Context, c *authz.Caller, in *CreateAccessKeyInput) (*CreateAccessKeyOutput, error) {
	t, err := s.selfOrUser(ctx, c, in.UserName, "iam:CreateAccessKey")
	if err != nil {
		return nil, err
	}
	userID, userName := "", ""
	if t != nil {
		userID, userName = t.id, t.name
	}
	id, secret := newAccessKeyID(prefixAccessKey), newSecret()
	sealed, err := s.st.sealSecret(id, []byte(secret))
	if err != nil {
		return nil, err
	}
	now := s.clk.Now()
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		n, err := s.st.countAccessKeys(ctx, tx, c.AccountID, userID)
		if err != nil {
			return err
		}
		if n >= maxAccessKeysPerUser {
			return errorf(LimitExceeded, "Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeysPerUser)
		}
		return s.st.insertAccessKey(ctx, tx, &accessKeyRow{ID: id, AccountID: c.AccountID, UserID: userID, Status: statusActive, Sealed: sealed, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return &CreateAccessKeyOutput{AccessKey: AccessKey{UserName: userName, AccessKeyId: id, Status: statusActive, SecretAccessKey: secret, CreateDate: now}}, nil
}

type ListAccessKeysInput struct {
	UserName string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Marker   string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems *int   `min:"1" max:"1000"`
}

type ListAccessKeysOutput struct {
	AccessKeyMetadata []AccessKeyMetadata
	IsTruncated       bool
	Marker            string
}

// ListAccessKeys lists a user's (or the caller's) keys without secrets.
func (s *Service) ListAccessKeys(ctx context.Context, c *authz.Caller, in *ListAccessKeysInput) (*ListAccessKeysOutput, error) {
	t, err := s.selfOrUser(ctx, c, in.UserName, "iam:ListAccessKeys")
	if err != nil {
		return nil, err
	}
	userID, userName := "", ""
	if t != nil {
		userID, userName = t.id, t.name
	}
	keys, err := s.st.listAccessKeys(ctx, s.st.db, c.AccountID, userID)
	if err != nil {
		return nil, err
	}
	page, marker, trunc, err := paginateAs(keys, func(k *accessKeyRow) string { return k.ID }, func(k *accessKeyRow) AccessKeyMetadata {
		return AccessKeyMetadata{UserName: userName, AccessKeyId: k.ID, Status: k.Status, CreateDate: k.CreatedAt}
	}, scopeOf(c, "ListAccessKeys", userID), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListAccessKeysOutput{AccessKeyMetadata: page, IsTruncated: trunc, Marker: marker}, nil
}

type UpdateAccessKeyInput struct {
	UserName    string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	AccessKeyId string `required:"true" min:"16" max:"128" pattern:"[\\w]+"`
	Status      string `required:"true" enum:"Active,Inactive,Expired"`
}

// UpdateAccessKey activates or deactivates a key; it takes effect on the
// next request signed with it.
func (s *Service) UpdateAccessKey(ctx context.Context, c *authz.Caller, in *UpdateAccessKeyInput) (*Empty, error) {
	k, err := s.ownedKey(ctx, c, in.UserName, in.AccessKeyId, "iam:UpdateAccessKey")
	if err != nil {
		return nil, err
	}
	if in.Status != statusActive && in.Status != statusInactive {
		return nil, errorf(InvalidInput, "Invalid status %s; use Active or Inactive.", in.Status)
	}
	if err := s.st.setAccessKeyStatus(ctx, s.st.db, k.ID, in.Status); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type DeleteAccessKeyInput struct {
	UserName    string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	AccessKeyId string `required:"true" min:"16" max:"128" pattern:"[\\w]+"`
}

// DeleteAccessKey deletes a key.
func (s *Service) DeleteAccessKey(ctx context.Context, c *authz.Caller, in *DeleteAccessKeyInput) (*Empty, error) {
	k, err := s.ownedKey(ctx, c, in.UserName, in.AccessKeyId, "iam:DeleteAccessKey")
	if err != nil {
		return nil, err
	}
	if err := s.st.deleteAccessKey(ctx, s.st.db, k.ID); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// ownedKey finds a key belonging to the named user (or the caller).
func (s *Service) ownedKey(ctx context.Context, c *authz.Caller, userName, keyID, action string) (*accessKeyRow, error) {
	t, err := s.selfOrUser(ctx, c, userName, action)
	if err != nil {
		return nil, err
	}
	userID := ""
	if t != nil {
		userID = t.id
	}
	k, err := s.st.getAccessKey(ctx, s.st.db, keyID)
	if err != nil {
		return nil, err
	}
	if k == nil || k.AccountID != c.AccountID || k.UserID != userID {
		return nil, errorf(NoSuchEntity, "The Access Key with id %s cannot be found.", keyID)
	}
	return k, nil
}
