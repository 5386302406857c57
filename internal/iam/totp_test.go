package iam

import (
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1 seed "12345678901234567890", truncated to
// the six digits AWS devices show.
func TestTOTPVectors(t *testing.T) {
	const seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	for _, tc := range []struct {
		unix int64
		code string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	} {
		got, err := totpCode(seed, totpStep(time.Unix(tc.unix, 0)))
		if err != nil || got != tc.code {
			t.Errorf("T=%d: %q, %v; want %s", tc.unix, got, err, tc.code)
		}
	}
	step := totpStep(time.Unix(1111111109, 0))
	for _, tc := range []struct {
		name, code string
		window     int64
		want       bool
	}{
		{"exact", "081804", 0, true},
		{"next step within window", "050471", 1, true},
		{"next step outside window", "050471", 0, false},
		{"wrong", "123456", 1, false},
		{"short", "08180", 1, false},
		{"long", "0818040", 1, false},
	} {
		if _, ok := matchStep(seed, tc.code, step, tc.window); ok != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, ok, tc.want)
		}
	}
	if s, ok := matchPair(seed, "081804", "050471", step, 1); !ok || s != step+1 {
		t.Errorf("matchPair = %d, %v", s, ok)
	}
	if _, ok := matchPair(seed, "050471", "081804", step, 1); ok {
		t.Error("matchPair accepted codes in the wrong order")
	}
}

// FuzzMatchStep: a code from outside is accepted only if it is exactly the
// code of the step reported.
func FuzzMatchStep(f *testing.F) {
	const seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	f.Add("081804", int64(37037036))
	f.Add("", int64(0))
	f.Add("٠١٢٣٤٥", int64(-5))
	f.Fuzz(func(t *testing.T, code string, center int64) {
		center %= 1 << 40
		step, ok := matchStep(seed, code, center, totpWindow)
		if !ok {
			return
		}
		want, err := totpCode(seed, step)
		if err != nil || want != code || step < center-totpWindow || step > center+totpWindow {
			t.Fatalf("accepted %q at step %d (code %q)", code, step, want)
		}
	})
}
