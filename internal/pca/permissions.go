package pca

import (
	"context"
	"encoding/json"
)

// acmPrincipal is the only principal CreatePermission accepts.
const acmPrincipal = "acm.amazonaws.com"

// permissionActions are the actions a permission may grant, bare.
var permissionActions = []string{"IssueCertificate", "GetCertificate", "ListPermissions"}

// permissionStatements returns the resource-policy statements that the CA's
// ACM permissions (CreatePermission) stand for: Principal
// {"Service":"acm.amazonaws.com"}, the granted actions on the CA ARN, and
// aws:SourceAccount = the permission's SourceAccount. Each element is one
// statement as decoded JSON.
func (s *Service) permissionStatements(ctx context.Context, ca *caRow) ([]map[string]any, error) {
	perms, err := s.listPermissionRows(ctx, ca.ID)
	if err != nil {
		return nil, &Error{Kind: ErrRequestFailed, Msg: "The certificate authority's permissions could not be read; please retry.", Err: err}
	}
	out := make([]map[string]any, 0, len(perms))
	for _, p := range perms {
		out = append(out, permissionStatement(ca.ARN, p))
	}
	return out, nil
}

// permissionStatement is one permission as a policy statement.
func permissionStatement(caARN string, p *permissionRow) map[string]any {
	actions := make([]any, len(p.Actions))
	for i, a := range p.Actions {
		actions[i] = "acm-pca:" + a
	}
	return map[string]any{
		"Sid":       "ACMPermission" + p.SourceAccount,
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": p.Principal},
		"Action":    actions,
		"Resource":  caARN,
		"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": p.SourceAccount}},
	}
}

// permissionPolicy is the policy text ListPermissions shows for p.
func permissionPolicy(caARN string, p *permissionRow) string {
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{permissionStatement(caARN, p)}})
	if err != nil {
		panic("pca: marshal permission policy: " + err.Error()) // maps of strings always marshal
	}
	return string(b)
}
