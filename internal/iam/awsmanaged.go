package iam

import (
	"crypto/sha256"
	"embed"
	"encoding/base32"
	"sort"
	"strings"
	"time"
)

//go:embed managed/*.json
var managedFS embed.FS

// awsManagedDef describes one AWS-managed policy shipped in the binary.
type awsManagedDef struct {
	Name        string
	Path        string
	Description string
}

var awsManagedDefs = []awsManagedDef{
	{"AdministratorAccess", "/", "Provides full access to AWS services and resources."},
	{"IAMFullAccess", "/", "Provides full access to IAM via the AWS Management Console."},
	{"IAMReadOnlyAccess", "/", "Provides read only access to IAM via the AWS Management Console."},
	{"AWSPrivateCAFullAccess", "/", "Provides full access to AWS Private Certificate Authority"},
	{"AWSPrivateCAReadOnly", "/", "Provides read only access to AWS Private Certificate Authority"},
	{"AWSPrivateCAUser", "/", "Provides certificate user access to AWS Private Certificate Authority"},
	{"AWSPrivateCAPrivilegedUser", "/", "Provides privileged certificate user access to AWS Private Certificate Authority"},
	{"AWSCertificateManagerFullAccess", "/", "Provides full access to AWS Certificate Manager (ACM)"},
	{"AWSCertificateManagerReadOnly", "/", "Provides read only access to AWS Certificate Manager (ACM)."},
	{"AWSResourceAccessManagerFullAccess", "/", "Provides full access to AWS Resource Access Manager"},
	{"AWSOrganizationsFullAccess", "/", "Provides full access to AWS Organizations."},
	{"CertificateManagerServiceRolePolicy", "/aws-service-role/", "Amazon Certificate Manager Service Role Policy"},
	{"AWSResourceAccessManagerServiceRolePolicy", "/aws-service-role/", "Policy for resource access manager to access organization structure"},
}

// awsManagedCreated is the fixed creation date shown for AWS-managed policies.
var awsManagedCreated = time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC)

// awsManaged is one loaded AWS-managed policy.
type awsManaged struct {
	policyRow
	Document string
}

// serviceRolePolicy reports whether only service-linked roles may carry it.
func (p *awsManaged) serviceRolePolicy() bool { return strings.HasPrefix(p.Path, "/aws-service-role/") }

// awsManagedSet indexes the embedded policies by ARN.
type awsManagedSet struct {
	byARN  map[string]*awsManaged
	sorted []*awsManaged
}

func loadAWSManaged(a arns) *awsManagedSet {
	set := &awsManagedSet{byARN: make(map[string]*awsManaged)}
	for _, d := range awsManagedDefs {
		doc, err := managedFS.ReadFile("managed/" + d.Name + ".json")
		if err != nil {
			panic("iam: embedded managed policy " + d.Name + ": " + err.Error())
		}
		sum := sha256.Sum256([]byte("aws-managed:" + d.Name))
		id := prefixPolicy + base32.StdEncoding.EncodeToString(sum[:])[:17]
		p := &awsManaged{
			policyRow: policyRow{
				ID: id, AccountID: "aws", ARN: a.awsPolicy(d.Path, d.Name), Name: d.Name, Path: d.Path,
				Description: d.Description, DefaultVersion: "v1", NextVersion: 2,
				CreatedAt: awsManagedCreated, UpdatedAt: awsManagedCreated,
			},
			Document: string(doc),
		}
		set.byARN[p.ARN] = p
		set.sorted = append(set.sorted, p)
	}
	sort.Slice(set.sorted, func(i, j int) bool {
		return strings.ToLower(set.sorted[i].Name) < strings.ToLower(set.sorted[j].Name)
	})
	return set
}

func (m *awsManagedSet) get(arn string) *awsManaged { return m.byARN[arn] }

// AWSManagedPolicyARN returns the ARN of the embedded AWS-managed policy
// name, or "" when there is none.
func (s *Store) AWSManagedPolicyARN(name string) string {
	for _, p := range s.managed.sorted {
		if p.Name == name {
			return p.ARN
		}
	}
	return ""
}
