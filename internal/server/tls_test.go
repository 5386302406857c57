package server

import (
	"slices"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		listen string
		want   bool
	}{
		{"127.0.0.1:8420", true},
		{"127.0.0.2:0", true},
		{"[::1]:8420", true},
		{"localhost:8420", true},
		{":8420", false},
		{"0.0.0.0:8420", false},
		{"[::]:8420", false},
		{"10.0.0.5:8420", false},
		{"pca.example.com:443", false},
		{"garbage", false},
	}
	for _, tc := range tests {
		if got := IsLoopback(tc.listen); got != tc.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tc.listen, got, tc.want)
		}
	}
}

func TestListenNames(t *testing.T) {
	got := ListenNames("10.0.0.5", "pca.example.com", "10.0.0.5")
	for _, want := range []string{"localhost", "127.0.0.1", "::1", "10.0.0.5", "pca.example.com"} {
		if !slices.Contains(got, want) {
			t.Errorf("ListenNames lacks %s: %v", want, got)
		}
	}
	if n := len(slices.Compact(slices.Clone(got))); n != len(got) {
		t.Errorf("duplicates in %v", got)
	}
	if all := ListenNames("0.0.0.0"); slices.Contains(all, "0.0.0.0") {
		t.Errorf("an unspecified host is not a name: %v", all)
	}
}
