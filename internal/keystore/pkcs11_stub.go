//go:build !(pkcs11 && cgo)

package keystore

// OpenPKCS11 fails in the default (pure Go) build: PKCS#11 needs cgo.
func OpenPKCS11(PKCS11Config) (ClosableKeyStore, error) { return nil, ErrNoPKCS11 }
