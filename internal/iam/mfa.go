package iam

import (
	"context"
	"database/sql"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

const maxMFADevicesPerUser = 8

// VirtualMFADevice is the IAM shape; the seed and QR code are returned by
// CreateVirtualMFADevice only.
type VirtualMFADevice struct {
	SerialNumber     string
	Base32StringSeed []byte
	QRCodePNG        []byte
	User             *User
	EnableDate       *time.Time
	Tags             []Tag
}

// MFADevice is an enabled device as ListMFADevices shows it.
type MFADevice struct {
	UserName     string
	SerialNumber string
	EnableDate   time.Time
}

type CreateVirtualMFADeviceInput struct {
	Path                 string `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007F]+\\u002F)"`
	VirtualMFADeviceName string `required:"true" min:"1" max:"226" pattern:"[\\w+=,.@-]+"`
	Tags                 []Tag  `max:"50"`
}

type CreateVirtualMFADeviceOutput struct {
	VirtualMFADevice VirtualMFADevice
}

// CreateVirtualMFADevice creates a device with a fresh TOTP seed, returned
// once (base32 and as a QR code) and stored only sealed by the master key.
func (s *Service) CreateVirtualMFADevice(ctx context.Context, c *authz.Caller, in *CreateVirtualMFADeviceInput) (*CreateVirtualMFADeviceOutput, error) {
	path := normPath(in.Path)
	serial := s.arn.entity(c.AccountID, "mfa", path, in.VirtualMFADeviceName)
	if err := s.authorize(ctx, c, "iam:CreateVirtualMFADevice", serial, tagContext(in.Tags)); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	seed := newTOTPSeed()
	qr, err := totpQRCode(in.VirtualMFADeviceName, c.AccountID, seed)
	if err != nil {
		return nil, err
	}
	m := &mfaRow{Serial: serial, AccountID: c.AccountID, Name: in.VirtualMFADeviceName, Path: path, CreatedAt: s.clk.Now()}
	if m.Sealed, err = s.st.sealSecret(serial, []byte(seed)); err != nil {
		return nil, err
	}
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		if taken, err := s.st.mfaNameTaken(ctx, tx, c.AccountID, in.VirtualMFADeviceName); err != nil {
			return err
		} else if taken {
			return errorf(EntityAlreadyExists, "MFADevice entity at the same path and name already exists.")
		}
		if err := s.st.insertMFA(ctx, tx, m); err != nil {
			return err
		}
		return s.st.putTags(ctx, tx, serial, in.Tags)
	})
	if err != nil {
		return nil, err
	}
	return &CreateVirtualMFADeviceOutput{VirtualMFADevice: VirtualMFADevice{
		SerialNumber: serial, Base32StringSeed: []byte(seed), QRCodePNG: qr, Tags: in.Tags,
	}}, nil
}

// seedOf unseals a device's seed.
func (s *Store) seedOf(m *mfaRow) (string, error) {
	b, err := s.sealer.Open(m.Sealed, []byte(m.Serial))
	return string(b), err
}

type EnableMFADeviceInput struct {
	UserName            string `required:"true" min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	SerialNumber        string `required:"true" min:"9" max:"256" pattern:"[\\w+=/:,.@-]+"`
	AuthenticationCode1 string `required:"true" min:"6" max:"6" pattern:"[\\d]+"`
	AuthenticationCode2 string `required:"true" min:"6" max:"6" pattern:"[\\d]+"`
}

// invalidCode is EnableMFADevice's and ResyncMFADevice's answer to codes
// that do not verify.
func invalidCode() error {
	return errorf(InvalidAuthenticationCode, "Authentication code for device is not valid.")
}

// accountDevice returns the caller's account's device serial, or NoSuchEntity.
func (s *Service) accountDevice(ctx context.Context, acct, serial string) (*mfaRow, error) {
	m, err := s.st.getMFA(ctx, s.st.db, serial)
	if err != nil {
		return nil, err
	}
	if m == nil || m.AccountID != acct {
		return nil, errorf(NoSuchEntity, "VirtualMFADevice with serial number %s doesn't exist.", serial)
	}
	return m, nil
}

// EnableMFADevice assigns a virtual device to a user once two consecutive
// codes from it verify.
func (s *Service) EnableMFADevice(ctx context.Context, c *authz.Caller, in *EnableMFADeviceInput) (*Empty, error) {
	t, err := s.resolve(ctx, c, kindUser, in.UserName, "iam:EnableMFADevice", nil)
	if err != nil {
		return nil, err
	}
	m, err := s.accountDevice(ctx, c.AccountID, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	if m.UserID != "" {
		return nil, errorf(EntityAlreadyExists, "MFA Device is already in use.")
	}
	seed, err := s.st.seedOf(m)
	if err != nil {
		return nil, err
	}
	step, ok := matchPair(seed, in.AuthenticationCode1, in.AuthenticationCode2, totpStep(s.clk.Now()), totpWindow+1)
	if !ok {
		return nil, invalidCode()
	}
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		n, err := s.st.countUserMFA(ctx, tx, t.id)
		if err != nil {
			return err
		}
		if n >= maxMFADevicesPerUser {
			return errorf(LimitExceeded, "Cannot exceed quota for MFADevicesPerUser: %d", maxMFADevicesPerUser)
		}
		if ok, err := s.st.assignMFA(ctx, tx, m.Serial, t.id, s.clk.Now(), step); err != nil {
			return err
		} else if !ok {
			return errorf(EntityAlreadyExists, "MFA Device is already in use.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type ResyncMFADeviceInput = EnableMFADeviceInput

// ResyncMFADevice re-learns a device's clock offset from two consecutive
// codes.
func (s *Service) ResyncMFADevice(ctx context.Context, c *authz.Caller, in *ResyncMFADeviceInput) (*Empty, error) {
	t, err := s.resolve(ctx, c, kindUser, in.UserName, "iam:ResyncMFADevice", nil)
	if err != nil {
		return nil, err
	}
	m, err := s.userDevice(ctx, t, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	seed, err := s.st.seedOf(m)
	if err != nil {
		return nil, err
	}
	now := totpStep(s.clk.Now())
	step, ok := matchPair(seed, in.AuthenticationCode1, in.AuthenticationCode2, now, resyncWindow)
	if !ok {
		return nil, invalidCode()
	}
	if ok, err := s.st.useMFAStep(ctx, s.st.db, m.Serial, step, step-now); err != nil {
		return nil, err
	} else if !ok {
		return nil, invalidCode()
	}
	return &Empty{}, nil
}

// userDevice returns the device serial enabled for the user t.
func (s *Service) userDevice(ctx context.Context, t *target, serial string) (*mfaRow, error) {
	m, err := s.st.getMFA(ctx, s.st.db, serial)
	if err != nil {
		return nil, err
	}
	if m == nil || m.UserID != t.id {
		return nil, errorf(NoSuchEntity, "MFA Device with serial number %s does not exist.", serial)
	}
	return m, nil
}

type DeactivateMFADeviceInput struct {
	UserName     string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	SerialNumber string `required:"true" min:"9" max:"256" pattern:"[\\w+=/:,.@-]+"`
}

// DeactivateMFADevice removes a device from its user; the device remains
// and can be enabled again.
func (s *Service) DeactivateMFADevice(ctx context.Context, c *authz.Caller, in *DeactivateMFADeviceInput) (*Empty, error) {
	t, err := s.selfOrUser(ctx, c, in.UserName, "iam:DeactivateMFADevice")
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errorf(NoSuchEntity, "MFA Device with serial number %s does not exist.", in.SerialNumber)
	}
	if _, err := s.userDevice(ctx, t, in.SerialNumber); err != nil {
		return nil, err
	}
	if _, err := s.st.unassignMFA(ctx, s.st.db, in.SerialNumber, t.id); err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

type DeleteVirtualMFADeviceInput struct {
	SerialNumber string `required:"true" min:"9" max:"256" pattern:"[\\w+=/:,.@-]+"`
}

// DeleteVirtualMFADevice deletes a device no user has enabled.
func (s *Service) DeleteVirtualMFADevice(ctx context.Context, c *authz.Caller, in *DeleteVirtualMFADeviceInput) (*Empty, error) {
	if err := s.authorize(ctx, c, "iam:DeleteVirtualMFADevice", in.SerialNumber, nil); err != nil {
		return nil, err
	}
	m, err := s.accountDevice(ctx, c.AccountID, in.SerialNumber)
	if err != nil {
		return nil, err
	}
	if m.UserID != "" {
		return nil, errorf(DeleteConflict, "MFA Device is still in use")
	}
	err = s.st.tx(ctx, func(tx *sql.Tx) error {
		if ok, err := s.st.deleteMFA(ctx, tx, m.Serial); err != nil {
			return err
		} else if !ok {
			return errorf(DeleteConflict, "MFA Device is still in use")
		}
		return s.st.deleteAllTags(ctx, tx, m.Serial)
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}
