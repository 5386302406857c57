package pki

import (
	"bytes"
	"math/big"
	"testing"
)

func TestSerials(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		n, err := NewSerial(nil)
		if err != nil {
			t.Fatal(err)
		}
		if n.Sign() <= 0 || n.BitLen() > 128 {
			t.Fatalf("serial %x out of range", n)
		}
		h := SerialHex(n)
		if seen[h] {
			t.Fatalf("duplicate serial %s", h)
		}
		seen[h] = true
		back, err := ParseSerial(h)
		if err != nil || back.Cmp(n) != 0 {
			t.Fatalf("ParseSerial(SerialHex) = %v, %v", back, err)
		}
	}
	// A zero draw is retried.
	zeros := bytes.NewReader(append(make([]byte, 16), bytes.Repeat([]byte{0x01}, 16)...))
	if n, err := NewSerial(zeros); err != nil || n.Sign() <= 0 {
		t.Fatalf("NewSerial after zero draw = %v, %v", n, err)
	}
	if _, err := NewSerial(bytes.NewReader(nil)); KindOf(err) != Internal || err == nil {
		t.Fatalf("NewSerial on empty reader: %v", err)
	}
}

func TestSerialHex(t *testing.T) {
	tests := []struct {
		in   string // hex of the value
		want string
	}{
		{"6707447683a9b7f4055627ffd55cebcc", "6707447683a9b7f4055627ffd55cebcc"},
		{"a2b95975ec6e1cd85a21c2104c5be129", "a2b95975ec6e1cd85a21c2104c5be129"},
		{"0a", "0a"},
		{"00ff", "ff"},
		{"1", "01"},
	}
	for _, tc := range tests {
		n, _ := new(big.Int).SetString(tc.in, 16)
		if got := SerialHex(n); got != tc.want {
			t.Errorf("SerialHex(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseSerial(t *testing.T) {
	want, _ := new(big.Int).SetString("a2b95975ec6e1cd85a21c2104c5be129", 16)
	for _, in := range []string{"a2b95975ec6e1cd85a21c2104c5be129", "A2B95975EC6E1CD85A21C2104C5BE129", "a2:b9:59:75:ec:6e:1c:d8:5a:21:c2:10:4c:5b:e1:29", "00:A2:B9:59:75:EC:6E:1C:D8:5A:21:C2:10:4C:5B:E1:29", " a2b95975ec6e1cd85a21c2104c5be129 "} {
		got, err := ParseSerial(in)
		if err != nil || got.Cmp(want) != 0 {
			t.Errorf("ParseSerial(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", ":", "0", "00", "xyz", "0x12", "-12", "12 34", "0102030405060708090a0b0c0d0e0f101112131415"} {
		_, err := ParseSerial(in)
		wantKind(t, err, InvalidArgs)
	}
}

func FuzzParseSerial(f *testing.F) {
	for _, s := range []string{"a2b95975ec6e1cd85a21c2104c5be129", "A2:B9", "00", "", "zz", "0x1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSerial(s)
		if err != nil {
			if KindOf(err) != InvalidArgs {
				t.Fatalf("error kind %v", KindOf(err))
			}
			return
		}
		if n.Sign() <= 0 || len(n.Bytes()) > 20 {
			t.Fatalf("ParseSerial(%q) = %v out of range", s, n)
		}
		back, err := ParseSerial(SerialHex(n))
		if err != nil || back.Cmp(n) != 0 {
			t.Fatalf("round trip of %q: %v, %v", s, back, err)
		}
	})
}
