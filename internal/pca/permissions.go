package pca

import "context"

// permissionStatements returns the resource-policy statements that the CA's
// ACM permissions (CreatePermission) stand for: Principal
// {"Service":"acm.amazonaws.com"}, the granted actions on the CA ARN, and
// aws:SourceAccount = the permission's SourceAccount. Each element is one
// statement as decoded JSON.
func (s *Service) permissionStatements(ctx context.Context, ca *caRow) ([]map[string]any, error) {
	return nil, nil
}
