package org

import "time"

// Shapes of the Organizations API (member names as on the wire).

// Tag is a key-value tag.
type Tag struct {
	Key   string `required:"true" min:"1" max:"128" pattern:"[\\s\\S]*"`
	Value string `max:"256" pattern:"[\\s\\S]*"`
}

// PolicyTypeSummary is a policy type's status on a root.
type PolicyTypeSummary struct {
	Type   string
	Status string
}

// Organization describes an organization.
type Organization struct {
	Id                   string
	Arn                  string
	FeatureSet           string
	MasterAccountArn     string
	MasterAccountId      string
	MasterAccountEmail   string `json:",omitempty"`
	AvailablePolicyTypes []PolicyTypeSummary
}

// Root is the organization's root.
type Root struct {
	Id          string
	Arn         string
	Name        string
	PolicyTypes []PolicyTypeSummary
}

// OrganizationalUnit is an OU.
type OrganizationalUnit struct {
	Id   string
	Arn  string
	Name string
	Path string
}

// Account is a member account.
type Account struct {
	Id              string
	Arn             string
	Email           string `json:",omitempty"`
	Name            string
	Status          string
	State           string
	JoinedMethod    string
	JoinedTimestamp time.Time
	Paths           []string
}

// CreateAccountStatus is the state of a CreateAccount request.
type CreateAccountStatus struct {
	Id                 string
	AccountName        string
	State              string
	RequestedTimestamp time.Time
	CompletedTimestamp time.Time
	AccountId          string `json:",omitempty"`
	FailureReason      string `json:",omitempty"`
}

// Child is an account or OU under a parent.
type Child struct {
	Id   string
	Type string
}

// Parent is the root or OU above a child.
type Parent struct {
	Id   string
	Type string
}

// HandshakeParty is one side of a handshake.
type HandshakeParty struct {
	Id   string `required:"true" min:"1" max:"64" pattern:"[\\s\\S]*"`
	Type string `required:"true" enum:"ACCOUNT,ORGANIZATION,EMAIL"`
}

// HandshakeResource is what a handshake is about.
type HandshakeResource struct {
	Type      string
	Value     string              `json:",omitempty"`
	Resources []HandshakeResource `json:",omitempty"`
}

// Handshake is an invitation between an organization and an account.
type Handshake struct {
	Id                  string
	Arn                 string
	Parties             []HandshakeParty
	State               string
	RequestedTimestamp  time.Time
	ExpirationTimestamp time.Time
	Action              string
	Resources           []HandshakeResource
}

// EnabledServicePrincipal is a service with trusted access.
type EnabledServicePrincipal struct {
	ServicePrincipal string
	DateEnabled      time.Time
}

// PolicySummary describes a policy without its content.
type PolicySummary struct {
	Id          string
	Arn         string
	Name        string
	Description string
	Type        string
	AwsManaged  bool
}

// Policy is a policy with its content.
type Policy struct {
	PolicySummary PolicySummary
	Content       string
}

// PolicyTargetSummary is a root, OU or account a policy is attached to.
type PolicyTargetSummary struct {
	TargetId string
	Arn      string
	Name     string
	Type     string
}

// Empty is the output of operations without one.
type Empty struct{}
