package iam

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/openpca/openpca/internal/policy"
)

// IAM keeps the users and roles a trust or resource policy names by their
// unique IDs, as AWS does: a user or role deleted and created again under
// the same name gets a new ID and so is not named by the old policy. The
// stored form shows the ARN again while the entity exists, and the ID after
// it is gone. authz matches an ID against the caller's EntityID.

// principalEdit replaces doc[start:end] (a JSON string token) with text.
type principalEdit struct {
	start, end int64
	text       string
}

// principalFrame is an open object or array while walking a document.
type principalFrame struct {
	obj, wantKey bool
	key          string // the object's current member
}

// rewriteAWSPrincipals applies fn to every "AWS" principal of every
// statement's Principal and NotPrincipal and splices the results into doc,
// leaving every other byte as it was.
func rewriteAWSPrincipals(doc string, fn func(string) (string, error)) (string, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var stack []principalFrame
	var edits []principalEdit
	prev := int64(0)
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		end := dec.InputOffset()
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, principalFrame{obj: true, wantKey: true})
			case '[':
				stack = append(stack, principalFrame{})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
				stack[n-1].key, stack[n-1].wantKey = t, false
				break
			}
			if awsPrincipalPath(stack) {
				repl, err := fn(t)
				if err != nil {
					return "", err
				}
				if repl != t {
					start := prev
					for start < end && strings.IndexByte(" \t\r\n,:", doc[start]) >= 0 {
						start++
					}
					b, _ := json.Marshal(repl)
					edits = append(edits, principalEdit{start, end, string(b)})
				}
			}
			valueDone()
		default:
			valueDone()
		}
		prev = end
	}
	for _, e := range slices.Backward(edits) {
		doc = doc[:e.start] + e.text + doc[e.end:]
	}
	return doc, nil
}

// awsPrincipalPath reports whether the value being read is under
// Statement[…].{Principal,NotPrincipal}.AWS (arrays do not count as levels).
func awsPrincipalPath(stack []principalFrame) bool {
	var keys []string
	for _, f := range stack {
		if f.obj {
			keys = append(keys, f.key)
		}
	}
	return len(keys) == 3 && keys[0] == "Statement" && (keys[1] == "Principal" || keys[1] == "NotPrincipal") && keys[2] == "AWS"
}

// storedPrincipal maps an IAM user or role ARN to the entity's unique ID;
// other values stay. A user or role that does not exist is refused when
// strict (trust policies), else kept as written.
func (s *Store) storedPrincipal(ctx context.Context, v string, strict bool) (string, error) {
	pa, ok := parseIAMARN(v)
	if !ok || pa.Service != "iam" || (pa.Kind != "user" && pa.Kind != "role") {
		return v, nil
	}
	var id, path string
	if pa.Kind == "user" {
		u, err := s.getEntity(ctx, s.db, "user", pa.Account, pa.Name)
		if err != nil {
			return "", err
		}
		if u != nil && u.Name == pa.Name {
			id, path = u.ID, u.Path
		}
	} else {
		r, err := s.getRole(ctx, s.db, pa.Account, pa.Name)
		if err != nil {
			return "", err
		}
		if r != nil && r.Name == pa.Name {
			id, path = r.ID, r.Path
		}
	}
	if id != "" && path == pa.Path {
		return id, nil
	}
	if strict {
		return "", errorf(MalformedPolicyDocument, `Invalid principal in policy: "AWS":"%s"`, v)
	}
	return v, nil
}

// shownPrincipal maps a unique ID back to the entity's current ARN; the ID
// stays when the entity is gone.
func (s *Store) shownPrincipal(ctx context.Context, v string) (string, error) {
	if !policy.IsUniqueID(v) {
		return v, nil
	}
	if strings.HasPrefix(v, prefixUser) {
		u, err := s.getEntityByID(ctx, s.db, "user", v)
		if err != nil || u == nil {
			return v, err
		}
		return s.arn.user(u.AccountID, u.Path, u.Name), nil
	}
	r, err := s.getRoleByID(ctx, s.db, v)
	if err != nil || r == nil {
		return v, err
	}
	return s.arn.role(r.AccountID, r.Path, r.Name), nil
}

// hasEntityIDs is a cheap pre-check: documents without an ID need no lookups.
func hasEntityIDs(doc string) bool {
	return strings.Contains(doc, prefixUser) || strings.Contains(doc, prefixRole)
}

// trustForStorage is a validated trust policy as stored: users and roles
// by unique ID, refusing ones that do not exist (as AWS does).
func (s *Store) trustForStorage(ctx context.Context, doc string) (string, error) {
	return rewriteAWSPrincipals(doc, func(v string) (string, error) { return s.storedPrincipal(ctx, v, true) })
}

// StorePolicyPrincipals maps the users and roles a resource policy names to
// their unique IDs (pca stores CA policies in this form).
func (s *Store) StorePolicyPrincipals(ctx context.Context, doc string) (string, error) {
	return rewriteAWSPrincipals(doc, func(v string) (string, error) { return s.storedPrincipal(ctx, v, false) })
}

// ShowPolicyPrincipals maps stored unique IDs back to the entities' ARNs.
func (s *Store) ShowPolicyPrincipals(ctx context.Context, doc string) (string, error) {
	if !hasEntityIDs(doc) {
		return doc, nil
	}
	return rewriteAWSPrincipals(doc, func(v string) (string, error) { return s.shownPrincipal(ctx, v) })
}

// shownTrust is the role's trust policy as IAM shows it; a lookup failure
// shows the stored form rather than failing the read.
func (s *Store) shownTrust(ctx context.Context, r *roleRow) string {
	doc, err := s.ShowPolicyPrincipals(ctx, r.TrustPolicy)
	if err != nil {
		return r.TrustPolicy
	}
	return doc
}
