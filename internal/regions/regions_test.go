package regions

import (
	"regexp"
	"slices"
	"testing"
)

// The partitions' own name patterns (partitions.json regionRegex): every
// region of the table must match its partition's.
var partitionRE = map[string]*regexp.Regexp{
	AWS:      regexp.MustCompile(`^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$`),
	AWSCN:    regexp.MustCompile(`^cn\-\w+\-\d+$`),
	AWSUSGov: regexp.MustCompile(`^us\-gov\-\w+\-\d+$`),
	AWSISO:   regexp.MustCompile(`^us\-iso\-\w+\-\d+$`),
	AWSISOB:  regexp.MustCompile(`^us\-isob\-\w+\-\d+$`),
	AWSISOE:  regexp.MustCompile(`^eu\-isoe\-\w+\-\d+$`),
	AWSISOF:  regexp.MustCompile(`^us\-isof\-\w+\-\d+$`),
	AWSEUSC:  regexp.MustCompile(`^eusc\-(de)\-\w+\-\d+$`),
}

func TestTableMatchesPartitionPatterns(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range All() {
		if seen[r.Name] {
			t.Errorf("%s listed twice", r.Name)
		}
		seen[r.Name] = true
		re := partitionRE[r.Partition]
		if re == nil {
			t.Errorf("%s: unknown partition %q", r.Name, r.Partition)
			continue
		}
		if !re.MatchString(r.Name) {
			t.Errorf("%s does not match the %s pattern", r.Name, r.Partition)
		}
	}
	for p := range partitionRE {
		if !slices.ContainsFunc(All(), func(r Region) bool { return r.Partition == p }) {
			t.Errorf("partition %s has no region", p)
		}
	}
}

func TestPartitionOf(t *testing.T) {
	for _, tc := range []struct{ region, want string }{
		{"us-east-1", "aws"},
		{"eu-west-3", "aws"},
		{"us-gov-east-1", "aws-us-gov"},
		{"cn-northwest-1", "aws-cn"},
		{"us-iso-east-1", "aws-iso"},
		{"us-isob-east-1", "aws-iso-b"},
		{"eu-isoe-west-1", "aws-iso-e"},
		{"us-isof-south-1", "aws-iso-f"},
		{"eusc-de-east-1", "aws-eusc"},
		{"us-east-9", ""},
		{"aws-global", ""},
		{"", ""},
	} {
		if got := PartitionOf(tc.region); got != tc.want {
			t.Errorf("PartitionOf(%q) = %q, want %q", tc.region, got, tc.want)
		}
	}
}

func TestParseList(t *testing.T) {
	for _, tc := range []struct {
		list    string
		serves  []string
		refuses []string
		err     bool
	}{
		{list: "", serves: []string{"us-east-1", "us-gov-west-1", "cn-north-1"}, refuses: []string{"mars-1", "aws-global"}},
		{list: "all", serves: []string{"eusc-de-east-1"}},
		{list: "us-west-2, us-gov-east-1", serves: []string{"us-west-2", "us-gov-east-1"}, refuses: []string{"us-east-1", "nowhere"}},
		{list: "us-west-2,,", serves: []string{"us-west-2"}, refuses: []string{"us-east-2"}},
		{list: "us-west-2,moon-1", err: true},
		{list: " , ", err: true},
	} {
		s, err := ParseList(tc.list)
		if (err != nil) != tc.err {
			t.Fatalf("ParseList(%q) error = %v, want error %v", tc.list, err, tc.err)
		}
		for _, r := range tc.serves {
			if !s.Serves(r) {
				t.Errorf("ParseList(%q) does not serve %s", tc.list, r)
			}
		}
		for _, r := range tc.refuses {
			if s.Serves(r) {
				t.Errorf("ParseList(%q) serves %s", tc.list, r)
			}
		}
	}
	s, _ := ParseList("us-gov-east-1,us-west-2")
	if got := s.Names(); !slices.Equal(got, []string{"us-west-2", "us-gov-east-1"}) {
		t.Errorf("Names = %v", got)
	}
	if n := len((Set{}).Names()); n != len(Names()) {
		t.Errorf("zero Set serves %d regions, want %d", n, len(Names()))
	}
}

func FuzzParseList(f *testing.F) {
	f.Add("us-east-1,eu-west-1")
	f.Add("all")
	f.Add(" ,us-gov-east-1,")
	f.Fuzz(func(t *testing.T, list string) {
		s, err := ParseList(list)
		if err != nil {
			return
		}
		for _, n := range s.Names() {
			if _, ok := Lookup(n); !ok {
				t.Fatalf("served unknown region %q", n)
			}
		}
	})
}
