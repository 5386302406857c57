package org

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"unicode"

	"github.com/openpca/openpca/internal/policy"
)

// The policy types of the current model (PolicyType enum). SCPs and RCPs
// are IAM-language authorization policies; the others are management
// policies, JSON documents that the services they govern interpret.
const (
	scpType = "SERVICE_CONTROL_POLICY"
	rcpType = "RESOURCE_CONTROL_POLICY"

	// FullAWSAccessID is the AWS-managed SCP attached by default.
	FullAWSAccessID = "p-FullAWSAccess"
	// RCPFullAWSAccessID is the AWS-managed RCP attached by default; it
	// cannot be detached.
	RCPFullAWSAccessID = "p-RCPFullAWSAccess"

	// policyTypeEnum is the enum tag of members holding a PolicyType.
	policyTypeEnum = "SERVICE_CONTROL_POLICY,RESOURCE_CONTROL_POLICY,TAG_POLICY,BACKUP_POLICY,AISERVICES_OPT_OUT_POLICY,CHATBOT_POLICY,DECLARATIVE_POLICY_EC2,SECURITYHUB_POLICY,SECURITYHUB_CSPM_POLICY,INSPECTOR_POLICY,UPGRADE_ROLLOUT_POLICY,BEDROCK_POLICY,S3_POLICY,NETWORK_SECURITY_DIRECTOR_POLICY,GUARDDUTY_POLICY"

	maxPolicies = 1000
)

// policyTypeInfo is what differs between policy types (Organizations quotas
// page: document sizes and attachments per target).
type policyTypeInfo struct {
	// authz: an IAM-language document of kind docKind.
	authz   bool
	docKind policy.Kind
	// maxSize is in characters, whitespace outside strings excluded.
	maxSize      int
	maxPerTarget int
	// minPerTarget: a target may not be left with fewer (SCPs: one).
	minPerTarget int
	// managed is attached to the root, every OU and every account when the
	// type is enabled, and to each new OU and account while it is.
	managed *policyRow
	// fixed: managed cannot be detached (RCPFullAWSAccess).
	fixed bool
}

var (
	fullAWSAccess = &policyRow{
		ID: FullAWSAccessID, Name: "FullAWSAccess", Description: "Allows access to every operation",
		Type: scpType, AWSManaged: true,
		Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	}
	rcpFullAWSAccess = &policyRow{
		ID: RCPFullAWSAccessID, Name: "RCPFullAWSAccess", Description: "Allows access to every operation",
		Type: rcpType, AWSManaged: true,
		Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`,
	}
)

var policyTypes = func() map[string]*policyTypeInfo {
	m := map[string]*policyTypeInfo{
		scpType:                     {authz: true, docKind: policy.SCP, maxSize: 5120, maxPerTarget: 5, minPerTarget: 1, managed: fullAWSAccess},
		rcpType:                     {authz: true, docKind: policy.Resource, maxSize: 5120, maxPerTarget: 5, managed: rcpFullAWSAccess, fixed: true},
		"AISERVICES_OPT_OUT_POLICY": {maxSize: 2500, maxPerTarget: 5},
	}
	for _, t := range strings.Split(policyTypeEnum, ",") {
		if m[t] == nil {
			m[t] = &policyTypeInfo{maxSize: 10000, maxPerTarget: 10}
		}
	}
	return m
}()

// policyTypeNames lists every policy type in the model's order.
var policyTypeNames = strings.Split(policyTypeEnum, ",")

func builtinPolicy(id string) *policyRow {
	switch id {
	case FullAWSAccessID:
		return fullAWSAccess
	case RCPFullAWSAccessID:
		return rcpFullAWSAccess
	}
	return nil
}

func builtinPolicies(typ string) []*policyRow {
	if t := policyTypes[typ]; t != nil && t.managed != nil {
		return []*policyRow{t.managed}
	}
	return nil
}

var errMalformedPolicy = errorf(MalformedPolicyDocument, "The provided policy document doesn't meet the requirements of the specified policy type.")

// checkContent validates a document of policy type typ: SCPs and RCPs in
// the IAM policy language with their restrictions, management policies as
// a JSON object; then the type's size limit.
func checkContent(typ, doc string) error {
	t := policyTypes[typ]
	if t.authz {
		d, err := policy.Parse([]byte(doc), t.docKind)
		if err != nil {
			return errorf(MalformedPolicyDocument, "%s %s", errMalformedPolicy.Message, err.Error())
		}
		if typ == rcpType {
			if err := checkRCP(d); err != nil {
				return err
			}
		}
	} else {
		var v any
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			return errMalformedPolicy
		}
		if _, ok := v.(map[string]any); !ok {
			return errMalformedPolicy
		}
	}
	if contentSize(doc) > t.maxSize {
		return reasonf(ConstraintViolation, "POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to create a policy larger than the maximum size.")
	}
	return nil
}

// checkRCP applies the RCP restrictions (RCP syntax page): customer RCPs
// only deny (Allow is reserved to RCPFullAWSAccess), and the Principal must
// be "*" (NotPrincipal is not supported).
func checkRCP(d *policy.Document) error {
	for i := range d.Statements {
		st := &d.Statements[i]
		if st.Effect != policy.Deny {
			return errorf(MalformedPolicyDocument, "%s The effect of Allow is only supported for the RCPFullAWSAccess policy.", errMalformedPolicy.Message)
		}
		if st.NotPrincipal != nil || st.Principal == nil || !(st.Principal.Wildcard || slices.Equal(st.Principal.AWS, []string{"*"})) {
			return errorf(MalformedPolicyDocument, "%s The Principal of a resource control policy must be \"*\".", errMalformedPolicy.Message)
		}
	}
	return nil
}

// contentSize counts the characters of doc other than white space outside
// string literals.
func contentSize(doc string) int {
	n, inString, escaped := 0, false, false
	for _, r := range doc {
		switch {
		case inString:
			if escaped {
				escaped = false
			} else if r == '\\' {
				escaped = true
			} else if r == '"' {
				inString = false
			}
		case r == '"':
			inString = true
		case unicode.IsSpace(r):
			continue
		}
		n++
	}
	return n
}

// enabledPolicyTypes lists the types enabled on a root, in the model's order.
func (s *Store) enabledPolicyTypes(ctx context.Context, q querier, rootID string) ([]string, error) {
	on, err := s.policyTypesOn(ctx, q, rootID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range policyTypeNames {
		if slices.Contains(on, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// attachDefaults attaches the managed policy of every enabled type that has
// one to a new OU or account, as AWS does.
func (s *Service) attachDefaults(ctx context.Context, q querier, o *orgRow, targetID string) error {
	types, err := s.st.enabledPolicyTypes(ctx, q, o.RootID)
	if err != nil {
		return err
	}
	for _, typ := range types {
		if m := policyTypes[typ].managed; m != nil {
			if err := s.st.attach(ctx, q, o.ID, m.ID, targetID, typ); err != nil {
				return err
			}
		}
	}
	return nil
}
