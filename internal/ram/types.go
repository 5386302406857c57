package ram

import "time"

// Wire shapes of the ram (2018-01-04) API; member names are lowerCamel.

type Tag struct {
	Key   string `json:"key" min:"1" max:"128"`
	Value string `json:"value" max:"256"`
}

type TagFilter struct {
	TagKey    string   `json:"tagKey" min:"1" max:"128"`
	TagValues []string `json:"tagValues"`
}

type ResourceShareConfiguration struct {
	RetainSharingOnAccountLeaveOrganization *bool `json:"retainSharingOnAccountLeaveOrganization"`
}

type ResourceShare struct {
	ResourceShareArn           string                      `json:"resourceShareArn"`
	Name                       string                      `json:"name"`
	OwningAccountID            string                      `json:"owningAccountId"`
	AllowExternalPrincipals    bool                        `json:"allowExternalPrincipals"`
	Status                     string                      `json:"status"`
	StatusMessage              string                      `json:"statusMessage,omitempty"`
	Tags                       []Tag                       `json:"tags"`
	CreationTime               time.Time                   `json:"creationTime"`
	LastUpdatedTime            time.Time                   `json:"lastUpdatedTime"`
	FeatureSet                 string                      `json:"featureSet"`
	ResourceShareConfiguration *ResourceShareConfiguration `json:"resourceShareConfiguration"`
}

type ResourceShareAssociation struct {
	ResourceShareArn  string    `json:"resourceShareArn"`
	ResourceShareName string    `json:"resourceShareName"`
	AssociatedEntity  string    `json:"associatedEntity"`
	AssociationType   string    `json:"associationType"`
	Status            string    `json:"status"`
	StatusMessage     string    `json:"statusMessage,omitempty"`
	CreationTime      time.Time `json:"creationTime"`
	LastUpdatedTime   time.Time `json:"lastUpdatedTime"`
	External          bool      `json:"external"`
}

type ResourceShareInvitation struct {
	ResourceShareInvitationArn string    `json:"resourceShareInvitationArn"`
	ResourceShareName          string    `json:"resourceShareName"`
	ResourceShareArn           string    `json:"resourceShareArn"`
	SenderAccountID            string    `json:"senderAccountId"`
	ReceiverAccountID          string    `json:"receiverAccountId"`
	InvitationTimestamp        time.Time `json:"invitationTimestamp"`
	Status                     string    `json:"status"`
	ReceiverArn                string    `json:"receiverArn,omitempty"`
}

type Resource struct {
	Arn                 string    `json:"arn"`
	Type                string    `json:"type"`
	ResourceShareArn    string    `json:"resourceShareArn"`
	Status              string    `json:"status"`
	CreationTime        time.Time `json:"creationTime"`
	LastUpdatedTime     time.Time `json:"lastUpdatedTime"`
	ResourceRegionScope string    `json:"resourceRegionScope"`
}

type Principal struct {
	ID               string    `json:"id"`
	ResourceShareArn string    `json:"resourceShareArn"`
	CreationTime     time.Time `json:"creationTime"`
	LastUpdatedTime  time.Time `json:"lastUpdatedTime"`
	External         bool      `json:"external"`
}

type ResourceSharePermissionSummary struct {
	Arn                   string    `json:"arn"`
	Version               string    `json:"version"`
	DefaultVersion        bool      `json:"defaultVersion"`
	Name                  string    `json:"name"`
	ResourceType          string    `json:"resourceType"`
	Status                string    `json:"status"`
	CreationTime          time.Time `json:"creationTime"`
	LastUpdatedTime       time.Time `json:"lastUpdatedTime"`
	IsResourceTypeDefault bool      `json:"isResourceTypeDefault"`
	PermissionType        string    `json:"permissionType"`
	FeatureSet            string    `json:"featureSet"`
}

type ResourceSharePermissionDetail struct {
	Arn                   string    `json:"arn"`
	Version               string    `json:"version"`
	DefaultVersion        bool      `json:"defaultVersion"`
	Name                  string    `json:"name"`
	ResourceType          string    `json:"resourceType"`
	Permission            string    `json:"permission"`
	CreationTime          time.Time `json:"creationTime"`
	LastUpdatedTime       time.Time `json:"lastUpdatedTime"`
	IsResourceTypeDefault bool      `json:"isResourceTypeDefault"`
	PermissionType        string    `json:"permissionType"`
	FeatureSet            string    `json:"featureSet"`
	Status                string    `json:"status"`
}

type ServiceNameAndResourceType struct {
	ResourceType        string `json:"resourceType"`
	ServiceName         string `json:"serviceName"`
	ResourceRegionScope string `json:"resourceRegionScope"`
}

// Paging is embedded by the list inputs.
type Paging struct {
	NextToken  string `json:"nextToken"`
	MaxResults *int32 `json:"maxResults" min:"1" max:"500"`
}

type CreateResourceShareInput struct {
	Name                       string                      `json:"name" required:"true"`
	ResourceArns               []string                    `json:"resourceArns"`
	Principals                 []string                    `json:"principals"`
	Tags                       []Tag                       `json:"tags"`
	AllowExternalPrincipals    *bool                       `json:"allowExternalPrincipals"`
	ClientToken                string                      `json:"clientToken"`
	PermissionArns             []string                    `json:"permissionArns"`
	Sources                    []string                    `json:"sources"`
	ResourceShareConfiguration *ResourceShareConfiguration `json:"resourceShareConfiguration"`
}

type ResourceShareOutput struct {
	ResourceShare *ResourceShare `json:"resourceShare"`
	ClientToken   string         `json:"clientToken,omitempty"`
}

type UpdateResourceShareInput struct {
	ResourceShareArn        string `json:"resourceShareArn" required:"true"`
	Name                    string `json:"name"`
	AllowExternalPrincipals *bool  `json:"allowExternalPrincipals"`
	ClientToken             string `json:"clientToken"`
}

type DeleteResourceShareInput struct {
	ResourceShareArn string `json:"resourceShareArn" required:"true" location:"querystring=resourceShareArn"`
	ClientToken      string `json:"clientToken" location:"querystring=clientToken"`
}

type ReturnValueOutput struct {
	ReturnValue bool   `json:"returnValue"`
	ClientToken string `json:"clientToken,omitempty"`
}

type GetResourceSharesInput struct {
	ResourceShareArns   []string    `json:"resourceShareArns"`
	ResourceShareStatus string      `json:"resourceShareStatus" enum:"PENDING,ACTIVE,FAILED,DELETING,DELETED"`
	ResourceOwner       string      `json:"resourceOwner" required:"true" enum:"SELF,OTHER-ACCOUNTS"`
	Name                string      `json:"name"`
	TagFilters          []TagFilter `json:"tagFilters"`
	PermissionArn       string      `json:"permissionArn"`
	PermissionVersion   *int32      `json:"permissionVersion"`
	Paging
}

type GetResourceSharesOutput struct {
	ResourceShares []ResourceShare `json:"resourceShares"`
	NextToken      string          `json:"nextToken,omitempty"`
}

type AssociateResourceShareInput struct {
	ResourceShareArn string   `json:"resourceShareArn" required:"true"`
	ResourceArns     []string `json:"resourceArns"`
	Principals       []string `json:"principals"`
	ClientToken      string   `json:"clientToken"`
	Sources          []string `json:"sources"`
}

type AssociationsOutput struct {
	ResourceShareAssociations []ResourceShareAssociation `json:"resourceShareAssociations"`
	ClientToken               string                     `json:"clientToken,omitempty"`
}

type GetResourceShareAssociationsInput struct {
	AssociationType   string   `json:"associationType" required:"true" enum:"PRINCIPAL,RESOURCE"`
	ResourceShareArns []string `json:"resourceShareArns"`
	ResourceArn       string   `json:"resourceArn"`
	Principal         string   `json:"principal"`
	AssociationStatus string   `json:"associationStatus" enum:"ASSOCIATING,ASSOCIATED,FAILED,DISASSOCIATING,DISASSOCIATED,SUSPENDED,SUSPENDING,RESTORING"`
	Paging
}

type GetResourceShareAssociationsOutput struct {
	ResourceShareAssociations []ResourceShareAssociation `json:"resourceShareAssociations"`
	NextToken                 string                     `json:"nextToken,omitempty"`
}

type GetResourceShareInvitationsInput struct {
	ResourceShareInvitationArns []string `json:"resourceShareInvitationArns"`
	ResourceShareArns           []string `json:"resourceShareArns"`
	Paging
}

type GetResourceShareInvitationsOutput struct {
	ResourceShareInvitations []ResourceShareInvitation `json:"resourceShareInvitations"`
	NextToken                string                    `json:"nextToken,omitempty"`
}

type InvitationInput struct {
	ResourceShareInvitationArn string `json:"resourceShareInvitationArn" required:"true"`
	ClientToken                string `json:"clientToken"`
}

type InvitationOutput struct {
	ResourceShareInvitation *ResourceShareInvitation `json:"resourceShareInvitation"`
	ClientToken             string                   `json:"clientToken,omitempty"`
}

type ListPendingInvitationResourcesInput struct {
	ResourceShareInvitationArn string `json:"resourceShareInvitationArn" required:"true"`
	ResourceRegionScope        string `json:"resourceRegionScope" enum:"ALL,REGIONAL,GLOBAL"`
	Paging
}

type ResourcesOutput struct {
	Resources []Resource `json:"resources"`
	NextToken string     `json:"nextToken,omitempty"`
}

type ListResourcesInput struct {
	ResourceOwner       string   `json:"resourceOwner" required:"true" enum:"SELF,OTHER-ACCOUNTS"`
	Principal           string   `json:"principal"`
	ResourceType        string   `json:"resourceType"`
	ResourceArns        []string `json:"resourceArns"`
	ResourceShareArns   []string `json:"resourceShareArns"`
	ResourceRegionScope string   `json:"resourceRegionScope" enum:"ALL,REGIONAL,GLOBAL"`
	Paging
}

type ListPrincipalsInput struct {
	ResourceOwner     string   `json:"resourceOwner" required:"true" enum:"SELF,OTHER-ACCOUNTS"`
	ResourceArn       string   `json:"resourceArn"`
	Principals        []string `json:"principals"`
	ResourceType      string   `json:"resourceType"`
	ResourceShareArns []string `json:"resourceShareArns"`
	Paging
}

type ListPrincipalsOutput struct {
	Principals []Principal `json:"principals"`
	NextToken  string      `json:"nextToken,omitempty"`
}

type ListResourceTypesInput struct {
	ResourceRegionScope string `json:"resourceRegionScope" enum:"ALL,REGIONAL,GLOBAL"`
	Paging
}

type ListResourceTypesOutput struct {
	ResourceTypes []ServiceNameAndResourceType `json:"resourceTypes"`
	NextToken     string                       `json:"nextToken,omitempty"`
}

type ListPermissionsInput struct {
	ResourceType   string `json:"resourceType"`
	PermissionType string `json:"permissionType" enum:"ALL,AWS_MANAGED,CUSTOMER_MANAGED"`
	Paging
}

type PermissionsOutput struct {
	Permissions []ResourceSharePermissionSummary `json:"permissions"`
	NextToken   string                           `json:"nextToken,omitempty"`
}

type GetPermissionInput struct {
	PermissionArn     string `json:"permissionArn" required:"true"`
	PermissionVersion *int32 `json:"permissionVersion"`
}

type GetPermissionOutput struct {
	Permission *ResourceSharePermissionDetail `json:"permission"`
}

type ListPermissionVersionsInput struct {
	PermissionArn string `json:"permissionArn" required:"true"`
	Paging
}

type ListResourceSharePermissionsInput struct {
	ResourceShareArn string `json:"resourceShareArn" required:"true"`
	Paging
}

type AssociateResourceSharePermissionInput struct {
	ResourceShareArn  string `json:"resourceShareArn" required:"true"`
	PermissionArn     string `json:"permissionArn" required:"true"`
	Replace           *bool  `json:"replace"`
	ClientToken       string `json:"clientToken"`
	PermissionVersion *int32 `json:"permissionVersion"`
}

type DisassociateResourceSharePermissionInput struct {
	ResourceShareArn string `json:"resourceShareArn" required:"true"`
	PermissionArn    string `json:"permissionArn" required:"true"`
	ClientToken      string `json:"clientToken"`
}

type GetResourcePoliciesInput struct {
	ResourceArns []string `json:"resourceArns" required:"true"`
	Principal    string   `json:"principal"`
	Paging
}

type GetResourcePoliciesOutput struct {
	Policies  []string `json:"policies"`
	NextToken string   `json:"nextToken,omitempty"`
}

type Empty struct{}

type PromoteInput struct {
	ResourceShareArn string `json:"resourceShareArn" required:"true" location:"querystring=resourceShareArn"`
}

type TagResourceInput struct {
	ResourceShareArn string `json:"resourceShareArn"`
	Tags             []Tag  `json:"tags" required:"true"`
	ResourceArn      string `json:"resourceArn"`
}

type UntagResourceInput struct {
	ResourceShareArn string   `json:"resourceShareArn"`
	TagKeys          []string `json:"tagKeys" required:"true"`
	ResourceArn      string   `json:"resourceArn"`
}
