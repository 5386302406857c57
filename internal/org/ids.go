package org

import (
	"crypto/rand"
	"strings"
)

// Config is the organizations service's configuration.
type Config struct {
	// Partition is the ARN partition ("aws" when empty).
	Partition string
}

const lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomID returns n characters of [a-z0-9].
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	for i := range b {
		b[i] = lowerAlnum[int(b[i])%len(lowerAlnum)]
	}
	return string(b)
}

// AWS's identifier shapes (reference §7.1).
func newOrgID() string       { return "o-" + randomID(10) }
func newRootID() string      { return "r-" + randomID(4) }
func newHandshakeID() string { return "h-" + randomID(10) }
func newCARID() string       { return "car-" + randomID(32) }
func newPolicyID() string    { return "p-" + randomID(8) }

// newOUID makes an OU ID whose first part is the root's suffix.
func newOUID(rootID string) string {
	return "ou-" + strings.TrimPrefix(rootID, "r-") + "-" + randomID(8)
}

// arns builds Organizations ARNs; the account part is the management
// account, which owns every resource of the organization.
type arns struct{ partition string }

func (a arns) base(mgmt string) string { return "arn:" + a.partition + ":organizations::" + mgmt + ":" }

func (a arns) org(o *orgRow) string { return a.base(o.Management) + "organization/" + o.ID }
func (a arns) root(o *orgRow, id string) string {
	return a.base(o.Management) + "root/" + o.ID + "/" + id
}
func (a arns) ou(o *orgRow, id string) string { return a.base(o.Management) + "ou/" + o.ID + "/" + id }
func (a arns) account(o *orgRow, id string) string {
	return a.base(o.Management) + "account/" + o.ID + "/" + id
}
func (a arns) handshake(o *orgRow, action, id string) string {
	return a.base(o.Management) + "handshake/" + o.ID + "/" + strings.ToLower(action) + "/" + id
}

func (a arns) policy(o *orgRow, p *policyRow) string {
	typ := strings.ToLower(p.Type)
	if p.AWSManaged {
		return "arn:" + a.partition + ":organizations::aws:policy/" + typ + "/" + p.ID
	}
	return a.base(o.Management) + "policy/" + o.ID + "/" + typ + "/" + p.ID
}

// unit returns the ARN of a root or OU.
func (a arns) unit(o *orgRow, id string) string {
	if strings.HasPrefix(id, "r-") {
		return a.root(o, id)
	}
	return a.ou(o, id)
}
