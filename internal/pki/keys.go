package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"strings"
)

// KeyAlgorithm is the acm-pca KeyAlgorithm enum.
type KeyAlgorithm string

// KeyAlgorithm values (acm-pca model).
const (
	RSA2048      KeyAlgorithm = "RSA_2048"
	RSA3072      KeyAlgorithm = "RSA_3072"
	RSA4096      KeyAlgorithm = "RSA_4096"
	ECPrime256v1 KeyAlgorithm = "EC_prime256v1"
	ECSecp384r1  KeyAlgorithm = "EC_secp384r1"
	ECSecp521r1  KeyAlgorithm = "EC_secp521r1"
	MLDSA44      KeyAlgorithm = "ML_DSA_44"
	MLDSA65      KeyAlgorithm = "ML_DSA_65"
	MLDSA87      KeyAlgorithm = "ML_DSA_87"
	SM2          KeyAlgorithm = "SM2"
)

// SigningAlgorithm is the acm-pca SigningAlgorithm enum.
type SigningAlgorithm string

// SigningAlgorithm values (acm-pca model).
const (
	SHA256WithECDSA SigningAlgorithm = "SHA256WITHECDSA"
	SHA384WithECDSA SigningAlgorithm = "SHA384WITHECDSA"
	SHA512WithECDSA SigningAlgorithm = "SHA512WITHECDSA"
	SHA256WithRSA   SigningAlgorithm = "SHA256WITHRSA"
	SHA384WithRSA   SigningAlgorithm = "SHA384WITHRSA"
	SHA512WithRSA   SigningAlgorithm = "SHA512WITHRSA"
	SM3WithSM2      SigningAlgorithm = "SM3WITHSM2"
	SigMLDSA44      SigningAlgorithm = "ML_DSA_44"
	SigMLDSA65      SigningAlgorithm = "ML_DSA_65"
	SigMLDSA87      SigningAlgorithm = "ML_DSA_87"
)

// KeyAlgorithms lists the algorithms GenerateKey implements.
var KeyAlgorithms = []KeyAlgorithm{RSA2048, RSA3072, RSA4096, ECPrime256v1, ECSecp384r1, ECSecp521r1}

func (a KeyAlgorithm) known() bool {
	switch a {
	case RSA2048, RSA3072, RSA4096, ECPrime256v1, ECSecp384r1, ECSecp521r1, MLDSA44, MLDSA65, MLDSA87, SM2:
		return true
	}
	return false
}

func (s SigningAlgorithm) known() bool {
	switch s {
	case SHA256WithECDSA, SHA384WithECDSA, SHA512WithECDSA, SHA256WithRSA, SHA384WithRSA, SHA512WithRSA, SM3WithSM2, SigMLDSA44, SigMLDSA65, SigMLDSA87:
		return true
	}
	return false
}

// GenerateKey creates a fresh private key from crypto/rand. ML-DSA and SM2
// answer a NotSupported error; unknown names answer InvalidArgs.
func GenerateKey(alg KeyAlgorithm) (crypto.Signer, error) {
	switch alg {
	case RSA2048, RSA3072, RSA4096:
		bits := map[KeyAlgorithm]int{RSA2048: 2048, RSA3072: 3072, RSA4096: 4096}[alg]
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, wrapf(Internal, err, "key generation failed")
		}
		return k, nil
	case ECPrime256v1, ECSecp384r1, ECSecp521r1:
		k, err := ecdsa.GenerateKey(curveOf(alg), rand.Reader)
		if err != nil {
			return nil, wrapf(Internal, err, "key generation failed")
		}
		return k, nil
	case MLDSA44, MLDSA65, MLDSA87, SM2:
		return nil, errf(NotSupported, "The key algorithm %s is not supported by this server.", alg)
	}
	return nil, errf(InvalidArgs, "Invalid key algorithm: %q.", string(alg))
}

func curveOf(alg KeyAlgorithm) elliptic.Curve {
	switch alg {
	case ECPrime256v1:
		return elliptic.P256()
	case ECSecp384r1:
		return elliptic.P384()
	case ECSecp521r1:
		return elliptic.P521()
	}
	return nil
}

// KeyAlgorithmOf names the algorithm of a public key. Keys outside the
// supported set (RSA of other sizes, other curves, Ed25519, …) answer
// InvalidArgs.
func KeyAlgorithmOf(pub crypto.PublicKey) (KeyAlgorithm, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch k.N.BitLen() {
		case 2048:
			return RSA2048, nil
		case 3072:
			return RSA3072, nil
		case 4096:
			return RSA4096, nil
		}
		return "", errf(InvalidArgs, "Unsupported RSA key size %d.", k.N.BitLen())
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return ECPrime256v1, nil
		case elliptic.P384():
			return ECSecp384r1, nil
		case elliptic.P521():
			return ECSecp521r1, nil
		}
		return "", errf(InvalidArgs, "Unsupported elliptic curve.")
	}
	return "", errf(InvalidArgs, "Unsupported public key type %T.", pub)
}

// CheckSigningAlgorithm verifies that sig belongs to the family of the CA
// key alg (RSA ↔ SHA*WITHRSA, EC ↔ SHA*WITHECDSA, ML_DSA_n ↔ ML_DSA_n,
// SM2 ↔ SM3WITHSM2), the rule IssueCertificate and CreateCertificateAuthority
// enforce with InvalidArgsException.
func CheckSigningAlgorithm(alg KeyAlgorithm, sig SigningAlgorithm) error {
	if !alg.known() {
		return errf(InvalidArgs, "Invalid key algorithm: %q.", string(alg))
	}
	if !sig.known() {
		return errf(InvalidArgs, "Invalid signing algorithm: %q.", string(sig))
	}
	ok := false
	switch {
	case strings.HasPrefix(string(alg), "RSA_"):
		ok = strings.HasSuffix(string(sig), "WITHRSA")
	case strings.HasPrefix(string(alg), "EC_"):
		ok = strings.HasSuffix(string(sig), "WITHECDSA")
	case alg == SM2:
		ok = sig == SM3WithSM2
	default: // ML_DSA_n
		ok = string(sig) == string(alg)
	}
	if !ok {
		return errf(InvalidArgs, "The signing algorithm %s is not compatible with the key algorithm %s.", sig, alg)
	}
	if alg == SM2 || strings.HasPrefix(string(alg), "ML_DSA_") {
		return errf(NotSupported, "The signing algorithm %s is not supported by this server.", sig)
	}
	return nil
}

// x509Algorithm maps a supported SigningAlgorithm to crypto/x509's value
// (RSA uses PKCS #1 v1.5, as AWS does).
func x509Algorithm(sig SigningAlgorithm) x509.SignatureAlgorithm {
	switch sig {
	case SHA256WithRSA:
		return x509.SHA256WithRSA
	case SHA384WithRSA:
		return x509.SHA384WithRSA
	case SHA512WithRSA:
		return x509.SHA512WithRSA
	case SHA256WithECDSA:
		return x509.ECDSAWithSHA256
	case SHA384WithECDSA:
		return x509.ECDSAWithSHA384
	case SHA512WithECDSA:
		return x509.ECDSAWithSHA512
	}
	return x509.UnknownSignatureAlgorithm
}
