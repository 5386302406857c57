package iam

import (
	"context"

	"github.com/openpca/openpca/internal/authz"
)

type ListMFADevicesInput struct {
	UserName string `min:"1" max:"128" pattern:"[\\w+=,.@-]+"`
	Marker   string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems *int   `min:"1" max:"1000"`
}

type ListMFADevicesOutput struct {
	MFADevices  []MFADevice
	IsTruncated bool
	Marker      string
}

// ListMFADevices lists the devices enabled for a user (the caller when no
// name is given).
func (s *Service) ListMFADevices(ctx context.Context, c *authz.Caller, in *ListMFADevicesInput) (*ListMFADevicesOutput, error) {
	t, err := s.selfOrUser(ctx, c, in.UserName, "iam:ListMFADevices")
	if err != nil {
		return nil, err
	}
	var devs []*mfaRow
	if t != nil {
		if devs, err = s.st.userMFA(ctx, s.st.db, t.id); err != nil {
			return nil, err
		}
	}
	name, id := "", ""
	if t != nil {
		name, id = t.name, t.id
	}
	page, marker, trunc, err := paginateAs(devs, func(m *mfaRow) string { return m.Serial },
		func(m *mfaRow) MFADevice {
			return MFADevice{UserName: name, SerialNumber: m.Serial, EnableDate: m.EnabledAt}
		},
		scopeOf(c, "ListMFADevices", id), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListMFADevicesOutput{MFADevices: page, IsTruncated: trunc, Marker: marker}, nil
}

type ListVirtualMFADevicesInput struct {
	AssignmentStatus string `enum:"Assigned,Unassigned,Any"`
	Marker           string `min:"1" max:"320" pattern:"[\\u0020-\\u00FF]+"`
	MaxItems         *int   `min:"1" max:"1000"`
}

type ListVirtualMFADevicesOutput struct {
	VirtualMFADevices []VirtualMFADevice
	IsTruncated       bool
	Marker            string
}

// ListVirtualMFADevices lists the account's virtual devices, with the user
// each is enabled for.
func (s *Service) ListVirtualMFADevices(ctx context.Context, c *authz.Caller, in *ListVirtualMFADevicesInput) (*ListVirtualMFADevicesOutput, error) {
	if err := s.authorize(ctx, c, "iam:ListVirtualMFADevices", "*", nil); err != nil {
		return nil, err
	}
	all, err := s.st.listMFA(ctx, s.st.db, c.AccountID)
	if err != nil {
		return nil, err
	}
	var devs []*mfaRow
	for _, m := range all {
		switch {
		case in.AssignmentStatus == "Assigned" && m.UserID == "",
			in.AssignmentStatus == "Unassigned" && m.UserID != "":
			continue
		}
		devs = append(devs, m)
	}
	page, marker, trunc, err := paginate(devs, func(m *mfaRow) string { return m.Serial },
		scopeOf(c, "ListVirtualMFADevices", in.AssignmentStatus), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListVirtualMFADevicesOutput{VirtualMFADevices: make([]VirtualMFADevice, 0, len(page)), IsTruncated: trunc, Marker: marker}
	for _, m := range page {
		v := VirtualMFADevice{SerialNumber: m.Serial}
		if m.UserID != "" {
			u, err := s.st.getEntityByID(ctx, s.st.db, "user", m.UserID)
			if err != nil {
				return nil, err
			}
			if u != nil {
				shape := s.userShape(u, nil)
				v.User = &shape
			}
			at := m.EnabledAt
			v.EnableDate = &at
		}
		out.VirtualMFADevices = append(out.VirtualMFADevices, v)
	}
	return out, nil
}
