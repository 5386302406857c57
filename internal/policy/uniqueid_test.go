package policy

import "testing"

func TestUniqueIDPrincipals(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"AIDAJQABLZS4A3QDU576Q", true},
		{"AROA3XFRBF535PLBIFPI4", true},
		{"AIDAJQABLZS4A3QDU576", false},  // 20 characters
		{"AGPAJQABLZS4A3QDU576Q", false}, // a group cannot be a principal
		{"AIDAjqablzs4a3qdu576q", false},
		{"AIDAJQABLZS4A3QDU57*Q", false},
	} {
		if got := IsUniqueID(tc.id); got != tc.want {
			t.Errorf("IsUniqueID(%q) = %v", tc.id, got)
		}
	}
	doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"AIDAJQABLZS4A3QDU576Q"},"Action":"sts:AssumeRole"}]}`), Trust)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		arns []string
		want bool
	}{
		{[]string{"arn:aws:iam::111122223333:user/bob", "AIDAJQABLZS4A3QDU576Q"}, true},
		{[]string{"arn:aws:iam::111122223333:user/bob", "AIDAOTHERBOB000000000"}, false},
	} {
		r := doc.Evaluate(&Request{Action: "sts:AssumeRole", Resource: "*", Principal: &Principal{Account: "111122223333", ARNs: tc.arns}, Context: NewContext()})
		if got := len(r.Matched) > 0; got != tc.want {
			t.Errorf("principal %v matched = %v", tc.arns, got)
		}
	}
}
