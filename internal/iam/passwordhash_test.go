package iam

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h := hashPassword("Correct-Horse-9")
	if strings.Contains(h, "Correct-Horse-9") || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if h == hashPassword("Correct-Horse-9") {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	parts := strings.Split(h, "$")
	tests := []struct {
		name, encoded, password string
		want                    bool
	}{
		{"right password", h, "Correct-Horse-9", true},
		{"wrong password", h, "correct-horse-9", false},
		{"empty password", h, "", false},
		{"other algorithm", strings.Replace(h, "argon2id", "argon2i", 1), "Correct-Horse-9", false},
		{"edited parameters", strings.Replace(h, "t=2", "t=3", 1), "Correct-Horse-9", false},
		{"huge memory refused", strings.Join([]string{"", "argon2id", "v=19", "m=4194304,t=2,p=1", parts[4], parts[5]}, "$"), "Correct-Horse-9", false},
		{"padded parameters", strings.Join([]string{"", "argon2id", "v=19", "m=19456,t=2,p=1 ", parts[4], parts[5]}, "$"), "Correct-Horse-9", false},
		{"truncated", h[:len(h)-10], "Correct-Horse-9", false},
		{"garbage", "plain", "plain", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := passwordMatches(tc.encoded, tc.password); got != tc.want {
				t.Fatalf("passwordMatches = %v, want %v", got, tc.want)
			}
		})
	}
}

func FuzzPasswordMatches(f *testing.F) {
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "pw")
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$$", "")
	f.Fuzz(func(t *testing.T, encoded, password string) {
		passwordMatches(encoded, password) // must not panic or run away
	})
}
