package iam

import (
	"context"

	"github.com/openpca/openpca/internal/authz"
)

// taggedDevice authorizes action on a device of the caller's account and
// returns it.
func (s *Service) taggedDevice(ctx context.Context, c *authz.Caller, action, serial string, extra map[string][]string) (*mfaRow, error) {
	if err := s.authorize(ctx, c, action, serial, extra); err != nil {
		return nil, err
	}
	return s.accountDevice(ctx, c.AccountID, serial)
}

type TagMFADeviceInput struct {
	SerialNumber string `required:"true" min:"9" max:"256" pattern:"[\\w+=/:,.@-]+"`
	Tags         []Tag  `required:"true" max:"50"`
}

// TagMFADevice adds tags to a virtual MFA device.
func (s *Service) TagMFADevice(ctx context.Context, c *authz.Caller, in *TagMFADeviceInput) (*Empty, error) {
	m, err := s.taggedDevice(ctx, c, "iam:TagMFADevice", in.SerialNumber, tagContext(in.Tags))
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.addTags(ctx, m.Serial, in.Tags)
}

type UntagMFADeviceInput struct {
	SerialNumber string   `required:"true" min:"9" max:"256" pattern:"[\\w+=/:,.@-]+"`
	TagKeys      []string `required:"true" max:"50"`
}

// UntagMFADevice removes tags from a virtual MFA device.
func (s *Service) UntagMFADevice(ctx context.Context, c *authz.Caller, in *UntagMFADeviceInput) (*Empty, error) {
	m, err := s.taggedDevice(ctx, c, "iam:UntagMFADevice", in.SerialNumber, map[string][]string{"aws:TagKeys": in.TagKeys})
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.st.deleteTags(ctx, s.st.db, m.Serial, in.TagKeys)
}

type ListMFADeviceTagsInput struct {
	SerialNumber string `required:"true" min:"9" max:"256" pattern:"[\\w+=/:,.@-]+"`
	Marker       string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems     *int   `min:"1" max:"1000"`
}

// ListMFADeviceTags lists a virtual MFA device's tags.
func (s *Service) ListMFADeviceTags(ctx context.Context, c *authz.Caller, in *ListMFADeviceTagsInput) (*ListTagsOutput, error) {
	m, err := s.taggedDevice(ctx, c, "iam:ListMFADeviceTags", in.SerialNumber, nil)
	if err != nil {
		return nil, err
	}
	return s.tagPage(ctx, c, "ListMFADeviceTags", m.Serial, in.Marker, in.MaxItems)
}
