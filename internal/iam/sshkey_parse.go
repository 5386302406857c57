package iam

import (
	"bytes"
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
)

// minSSHKeyBits is UploadSSHPublicKey's minimum RSA modulus size.
const minSSHKeyBits = 2048

// sshKey is an uploaded SSH public key: RSA, in OpenSSH (ssh-rsa) or PEM
// encoding as UploadSSHPublicKey accepts them.
type sshKey struct {
	pub *rsa.PublicKey
	pem bool // uploaded as PEM
}

var (
	errSSHEncoding = errors.New("unrecognized public key encoding")
	errSSHInvalid  = errors.New("invalid public key")
)

// parseSSHPublicKey reads an ssh-rsa line ("ssh-rsa BASE64 [comment]") or a
// PEM RSA public key (PKIX "PUBLIC KEY" or PKCS #1 "RSA PUBLIC KEY"). The
// error is errSSHEncoding for another format or key type, errSSHInvalid for
// a malformed or too small key.
func parseSSHPublicKey(body string) (*sshKey, error) {
	body = strings.TrimSpace(body)
	if strings.HasPrefix(body, "-----BEGIN ") {
		block, rest := pem.Decode([]byte(body))
		if block == nil || len(bytes.TrimSpace(rest)) != 0 {
			return nil, errSSHInvalid
		}
		var pub *rsa.PublicKey
		switch block.Type {
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, errSSHInvalid
			}
			rk, ok := k.(*rsa.PublicKey)
			if !ok {
				return nil, errSSHEncoding
			}
			pub = rk
		case "RSA PUBLIC KEY":
			k, err := x509.ParsePKCS1PublicKey(block.Bytes)
			if err != nil {
				return nil, errSSHInvalid
			}
			pub = k
		default:
			return nil, errSSHEncoding
		}
		return checkedSSHKey(pub, true)
	}
	fields := strings.Fields(body)
	if len(fields) < 2 || fields[0] != "ssh-rsa" {
		return nil, errSSHEncoding
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return nil, errSSHInvalid
	}
	pub, err := parseSSHRSABlob(blob)
	if err != nil {
		return nil, err
	}
	return checkedSSHKey(pub, false)
}

func checkedSSHKey(pub *rsa.PublicKey, isPEM bool) (*sshKey, error) {
	if pub.N == nil || pub.N.BitLen() < minSSHKeyBits || pub.E < 3 || pub.E%2 == 0 {
		return nil, errSSHInvalid
	}
	return &sshKey{pub: pub, pem: isPEM}, nil
}

// parseSSHRSABlob reads the RFC 4253 §6.6 ssh-rsa key blob: string
// "ssh-rsa", mpint e, mpint n, and nothing after.
func parseSSHRSABlob(blob []byte) (*rsa.PublicKey, error) {
	next := func() ([]byte, bool) {
		if len(blob) < 4 {
			return nil, false
		}
		n := binary.BigEndian.Uint32(blob)
		if uint64(n) > uint64(len(blob)-4) {
			return nil, false
		}
		v := blob[4 : 4+n]
		blob = blob[4+n:]
		return v, true
	}
	typ, ok := next()
	if !ok {
		return nil, errSSHInvalid
	}
	if string(typ) != "ssh-rsa" {
		return nil, errSSHEncoding
	}
	e, ok1 := next()
	n, ok2 := next()
	if !ok1 || !ok2 || len(blob) != 0 || len(e) == 0 || len(n) == 0 || e[0]&0x80 != 0 || n[0]&0x80 != 0 || len(e) > 4 {
		return nil, errSSHInvalid
	}
	ev := new(big.Int).SetBytes(e)
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(ev.Int64())}, nil
}

// wire is the key's ssh-rsa blob.
func (k *sshKey) wire() []byte {
	var b []byte
	put := func(v []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
		b = append(b, v...)
	}
	mpint := func(x *big.Int) []byte {
		v := x.Bytes()
		if len(v) > 0 && v[0]&0x80 != 0 {
			v = append([]byte{0}, v...)
		}
		return v
	}
	put([]byte("ssh-rsa"))
	put(mpint(big.NewInt(int64(k.pub.E))))
	put(mpint(k.pub.N))
	return b
}

// fingerprint is the MD5 digest of the key blob as colon-separated hex
// (ssh-keygen -E md5 without the prefix), as IAM shows it.
func (k *sshKey) fingerprint() string {
	sum := md5.Sum(k.wire())
	h := hex.EncodeToString(sum[:])
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// sshLine is the key in OpenSSH encoding.
func (k *sshKey) sshLine() string {
	return "ssh-rsa " + base64.StdEncoding.EncodeToString(k.wire())
}

// pemText is the key as a PEM PKIX public key.
func (k *sshKey) pemText() string {
	der, err := x509.MarshalPKIXPublicKey(k.pub)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), "\n")
}
