// Package regions is the table of AWS regions and their partitions. The
// edge accepts a SigV4 credential scope only for a region listed here (and
// served); regional services derive ARNs' partitions from it.
//
// The table follows the partitions file the AWS SDKs ship
// (aws-sdk-go-v2 internal/endpoints/awsrulesfn/partitions.json), without
// the "*-global" pseudo-regions, which no credential scope names.
package regions

import (
	"fmt"
	"slices"
	"strings"
)

// Partitions.
const (
	AWS      = "aws"
	AWSCN    = "aws-cn"
	AWSUSGov = "aws-us-gov"
	AWSISO   = "aws-iso"
	AWSISOB  = "aws-iso-b"
	AWSISOE  = "aws-iso-e"
	AWSISOF  = "aws-iso-f"
	AWSEUSC  = "aws-eusc"
)

// Default is the region used when none is configured.
const Default = "us-east-1"

// Region is one AWS region.
type Region struct {
	Name      string // "us-gov-east-1"
	Partition string // "aws-us-gov"
}

var table = []Region{
	{"af-south-1", AWS}, {"ap-east-1", AWS}, {"ap-east-2", AWS},
	{"ap-northeast-1", AWS}, {"ap-northeast-2", AWS}, {"ap-northeast-3", AWS},
	{"ap-south-1", AWS}, {"ap-south-2", AWS},
	{"ap-southeast-1", AWS}, {"ap-southeast-2", AWS}, {"ap-southeast-3", AWS},
	{"ap-southeast-4", AWS}, {"ap-southeast-5", AWS}, {"ap-southeast-6", AWS}, {"ap-southeast-7", AWS},
	{"ca-central-1", AWS}, {"ca-west-1", AWS},
	{"eu-central-1", AWS}, {"eu-central-2", AWS}, {"eu-north-1", AWS},
	{"eu-south-1", AWS}, {"eu-south-2", AWS},
	{"eu-west-1", AWS}, {"eu-west-2", AWS}, {"eu-west-3", AWS},
	{"il-central-1", AWS}, {"me-central-1", AWS}, {"me-south-1", AWS}, {"me-west-1", AWS},
	{"mx-central-1", AWS}, {"sa-east-1", AWS}, {"sa-west-1", AWS},
	{"us-east-1", AWS}, {"us-east-2", AWS}, {"us-west-1", AWS}, {"us-west-2", AWS},

	{"cn-north-1", AWSCN}, {"cn-northwest-1", AWSCN},
	{"us-gov-east-1", AWSUSGov}, {"us-gov-west-1", AWSUSGov},
	{"us-iso-east-1", AWSISO}, {"us-iso-west-1", AWSISO},
	{"us-isob-east-1", AWSISOB}, {"us-isob-west-1", AWSISOB},
	{"eu-isoe-west-1", AWSISOE},
	{"us-isof-east-1", AWSISOF}, {"us-isof-south-1", AWSISOF},
	{"eusc-de-east-1", AWSEUSC},
}

var byName = func() map[string]Region {
	m := make(map[string]Region, len(table))
	for _, r := range table {
		m[r.Name] = r
	}
	return m
}()

// All returns every known region, in table order.
func All() []Region { return slices.Clone(table) }

// Names returns the names of every known region.
func Names() []string {
	out := make([]string, len(table))
	for i, r := range table {
		out[i] = r.Name
	}
	return out
}

// Lookup returns the region named name.
func Lookup(name string) (Region, bool) {
	r, ok := byName[name]
	return r, ok
}

// PartitionOf returns the partition of a known region, "" otherwise.
func PartitionOf(name string) string { return byName[name].Partition }

// Set is the set of regions a server answers for. The zero Set serves
// every known region.
type Set struct {
	names map[string]bool // nil: every region
}

// ParseList parses a comma-separated list of region names ("" or "all":
// every region). An unknown name is an error, so a typo fails at start-up.
func ParseList(list string) (Set, error) {
	list = strings.TrimSpace(list)
	if list == "" || list == "all" {
		return Set{}, nil
	}
	s := Set{names: map[string]bool{}}
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if _, ok := byName[name]; !ok {
			return Set{}, fmt.Errorf("unknown region %q", name)
		}
		s.names[name] = true
	}
	if len(s.names) == 0 {
		return Set{}, fmt.Errorf("empty region list %q", list)
	}
	return s, nil
}

// Serves reports whether name is a known region in the set.
func (s Set) Serves(name string) bool {
	if _, ok := byName[name]; !ok {
		return false
	}
	return s.names == nil || s.names[name]
}

// Names lists the served regions in table order.
func (s Set) Names() []string {
	var out []string
	for _, r := range table {
		if s.Serves(r.Name) {
			out = append(out, r.Name)
		}
	}
	return out
}
