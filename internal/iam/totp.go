package iam

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"image/png"
	"net/url"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP as AWS's virtual MFA devices use it (RFC 6238): SHA-1, six digits,
// 30-second steps, a 64-character base32 seed.
const (
	totpPeriod    = 30
	totpSeedBytes = 40
	// totpWindow is how many steps either side of the device's expected
	// step a code may come from (clock skew and typing time).
	totpWindow = 1
	// resyncWindow is how far a drifted device may be found by ResyncMFADevice.
	resyncWindow = 40
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// newTOTPSeed returns a fresh random seed in base32 without padding.
func newTOTPSeed() string {
	b := make([]byte, totpSeedBytes)
	_, _ = rand.Read(b) // crypto/rand never fails
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// totpStep is the time step t falls in.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// totpCode is the code of seed at step.
func totpCode(seed string, step int64) (string, error) {
	return totp.GenerateCodeCustom(seed, time.Unix(step*totpPeriod, 0).UTC(), totpOpts)
}

// matchStep returns the step in [center-window, center+window] whose code is
// code, nearest to center first.
func matchStep(seed, code string, center, window int64) (int64, bool) {
	if len(code) != int(otp.DigitsSix) {
		return 0, false
	}
	for d := int64(0); d <= window; d++ {
		for _, step := range []int64{center - d, center + d} {
			want, err := totpCode(seed, step)
			if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
				return step, true
			}
			if d == 0 {
				break
			}
		}
	}
	return 0, false
}

// matchPair finds two consecutive codes (EnableMFADevice, ResyncMFADevice):
// the step of the second, whose predecessor must produce code1.
func matchPair(seed, code1, code2 string, center, window int64) (int64, bool) {
	for d := int64(0); d <= window; d++ {
		for _, step := range []int64{center - d, center + d} {
			if c2, err := totpCode(seed, step); err == nil && subtle.ConstantTimeCompare([]byte(c2), []byte(code2)) == 1 {
				if c1, err := totpCode(seed, step-1); err == nil && subtle.ConstantTimeCompare([]byte(c1), []byte(code1)) == 1 {
					return step, true
				}
			}
			if d == 0 {
				break
			}
		}
	}
	return 0, false
}

// totpQRCode is the PNG of otpauth://totp/NAME@ACCOUNT?secret=SEED, as AWS
// encodes a new virtual device.
func totpQRCode(deviceName, accountName, seed string) ([]byte, error) {
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + deviceName + "@" + accountName, RawQuery: "secret=" + seed}
	key, err := otp.NewKeyFromURL(u.String())
	if err != nil {
		return nil, err
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
