package iam

import (
	"context"
	"time"

	"github.com/openpca/openpca/internal/authz"
)

// AWS's answers when GetSessionToken or AssumeRole is given an MFA device
// the caller does not own, or a code that does not verify (or was used).
const (
	msgMFASerial = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	msgMFACode   = "MultiFactorAuthentication failed with invalid MFA one time pass code."
)

// verifyMFA checks SerialNumber and TokenCode for the calling user and
// returns when the code was verified; zero time when neither was given. A
// code is accepted once: its step must be newer than the last one used.
func (s *Service) verifyMFA(ctx context.Context, c *authz.Caller, serial, code string) (time.Time, error) {
	if serial == "" && code == "" {
		return time.Time{}, nil
	}
	if serial == "" || code == "" || c.Type != authz.TypeUser {
		return time.Time{}, errorf(AccessDenied, msgMFASerial)
	}
	m, err := s.st.getMFA(ctx, s.st.db, serial)
	if err != nil {
		return time.Time{}, err
	}
	if m == nil || m.UserID == "" || m.UserID != c.EntityID {
		return time.Time{}, errorf(AccessDenied, msgMFASerial)
	}
	seed, err := s.st.seedOf(m)
	if err != nil {
		return time.Time{}, err
	}
	now := s.clk.Now()
	step, ok := matchStep(seed, code, totpStep(now)+m.Drift, totpWindow)
	if !ok {
		return time.Time{}, errorf(AccessDenied, msgMFACode)
	}
	// Compare-and-set: of two requests with the same code, one wins.
	if ok, err := s.st.useMFAStep(ctx, s.st.db, m.Serial, step, m.Drift); err != nil {
		return time.Time{}, err
	} else if !ok {
		return time.Time{}, errorf(AccessDenied, msgMFACode)
	}
	return now, nil
}
