package pca

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/openpca/openpca/internal/authz"
)

func TestPermissions(t *testing.T) {
	e := newEnv(t, Config{})
	ca := e.revRoot(nil)
	create := func(principal, source string, actions ...string) error {
		_, err := e.svc.CreatePermission(bg, rootCaller(acct), &CreatePermissionInput{CertificateAuthorityArn: ca,
			Principal: principal, SourceAccount: source, Actions: actions})
		return err
	}
	tests := []struct {
		name      string
		principal string
		source    string
		actions   []string
		want      error
	}{
		{"all three", acmPrincipal, acct, []string{"ListPermissions", "IssueCertificate", "GetCertificate"}, nil},
		{"duplicate", acmPrincipal, acct, []string{"GetCertificate"}, ErrPermissionExists},
		{"source account omitted: the owner's", acmPrincipal, "", []string{"GetCertificate"}, ErrPermissionExists},
		{"other source account", acmPrincipal, "444455556666", []string{"GetCertificate"}, ErrInvalidArgs},
		{"other principal", "ec2.amazonaws.com", acct, []string{"GetCertificate"}, ErrInvalidArgs},
		{"prefixed action", acmPrincipal, "777788889999", []string{"acm-pca:IssueCertificate"}, ErrInvalidArgs},
		{"unknown action", acmPrincipal, "777788889999", []string{"RevokeCertificate"}, ErrInvalidArgs},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantKind(t, create(tc.principal, tc.source, tc.actions...), tc.want)
		})
	}
	// A grant for another account (stored before CreatePermission refused
	// them) is still listed and deletable.
	if _, err := e.svc.insertPermission(bg, caIDOf(ca), &permissionRow{Principal: acmPrincipal, SourceAccount: "444455556666",
		Actions: []string{"GetCertificate"}, CreatedAt: e.clk.Now()}); err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.ListPermissions(bg, rootCaller(acct), &ListPermissionsInput{CertificateAuthorityArn: ca})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Permissions) != 2 {
		t.Fatalf("%d permissions", len(list.Permissions))
	}
	p := list.Permissions[0]
	if p.Principal != acmPrincipal || p.SourceAccount != acct || !slices.Equal(p.Actions, permissionActions) || p.CertificateAuthorityArn != ca {
		t.Errorf("permission %+v", p)
	}
	if q := list.Permissions[1]; q.SourceAccount != "444455556666" || !slices.Equal(q.Actions, []string{"GetCertificate"}) {
		t.Errorf("second permission %+v", q)
	}
	var doc struct {
		Statement []struct {
			Effect    string
			Principal map[string]string
			Action    []string
			Resource  string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(p.Policy), &doc); err != nil || len(doc.Statement) != 1 {
		t.Fatalf("policy %s: %v", p.Policy, err)
	}
	st := doc.Statement[0]
	if st.Effect != "Allow" || st.Principal["Service"] != acmPrincipal || st.Resource != ca ||
		!slices.Equal(st.Action, []string{"acm-pca:IssueCertificate", "acm-pca:GetCertificate", "acm-pca:ListPermissions"}) ||
		st.Condition["StringEquals"]["aws:SourceAccount"] != acct {
		t.Errorf("statement %+v", st)
	}

	// Paging.
	one := int32(1)
	page, err := e.svc.ListPermissions(bg, rootCaller(acct), &ListPermissionsInput{CertificateAuthorityArn: ca, MaxResults: &one})
	if err != nil || len(page.Permissions) != 1 || page.NextToken == "" {
		t.Fatalf("page: %v %+v", err, page)
	}
	page, err = e.svc.ListPermissions(bg, rootCaller(acct), &ListPermissionsInput{CertificateAuthorityArn: ca, MaxResults: &one, NextToken: page.NextToken})
	if err != nil || len(page.Permissions) != 1 || page.NextToken != "" || page.Permissions[0].SourceAccount != "444455556666" {
		t.Fatalf("second page: %v %+v", err, page)
	}

	// The grant works for ACM with the right source account only.
	caRow, err := e.svc.loadCA(bg, nil, ca)
	if err != nil {
		t.Fatal(err)
	}
	acm := &authz.Caller{Principal: authz.Principal{Type: authz.TypeService, ServiceName: acmPrincipal, ARN: acmPrincipal, PrincipalARN: acmPrincipal}}
	if err := e.svc.authorize(bg, acm, "IssueCertificate", caRow, map[string][]string{"aws:SourceAccount": {acct}}); err != nil {
		t.Errorf("ACM denied with the permission: %v", err)
	}
	if err := e.svc.authorize(bg, acm, "IssueCertificate", caRow, map[string][]string{"aws:SourceAccount": {"999999999999"}}); err == nil {
		t.Error("ACM allowed for an account without permission")
	}

	// Delete.
	del := func(source string) error {
		_, err := e.svc.DeletePermission(bg, rootCaller(acct), &DeletePermissionInput{CertificateAuthorityArn: ca, Principal: acmPrincipal, SourceAccount: source})
		return err
	}
	wantKind(t, del(acct), nil)
	wantKind(t, del(acct), ErrNotFound)
	if err := e.svc.authorize(bg, acm, "IssueCertificate", caRow, map[string][]string{"aws:SourceAccount": {acct}}); err == nil {
		t.Error("ACM still allowed after DeletePermission")
	}

	// Actions are deduplicated.
	wantKind(t, create(acmPrincipal, "", "GetCertificate", "GetCertificate"), nil)
	list, err = e.svc.ListPermissions(bg, rootCaller(acct), &ListPermissionsInput{CertificateAuthorityArn: ca})
	if err != nil || len(list.Permissions) != 2 || list.Permissions[0].SourceAccount != acct ||
		!slices.Equal(list.Permissions[0].Actions, []string{"GetCertificate"}) {
		t.Fatalf("after re-creating: %v %+v", err, list)
	}

	// Only while ACTIVE.
	e.setStatus(ca, statusDisabled)
	wantKind(t, create(acmPrincipal, acct, "GetCertificate"), ErrInvalidState)
	wantKind(t, del("444455556666"), ErrInvalidState)
}
