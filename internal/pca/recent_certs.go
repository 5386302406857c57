package pca

import (
	"sync"

	"github.com/openpca/openpca/internal/pki"
)

// recentCerts keeps the bodies of recently issued or fetched certificates
// by CA id and serial, so GetCertificate skips the row read, the PEM
// encoding and, for a root CA, parsing the certificate. A certificate row
// never changes once committed and its CA's id is never reused, so entries
// need no invalidation and are right on every server. Authorization and
// the CA's state are still checked per call before the cache is consulted.
type recentCerts struct {
	mu sync.Mutex
	m  map[string]*recentCert
}

// recentCertsMax bounds memory to a few MB (DER plus PEM per entry).
const recentCertsMax = 2048

type recentCert struct {
	der  []byte
	once sync.Once
	pem  string
	self bool // self-signed; computed only for root CAs
}

func recentKey(caID, serial string) string { return caID + "/" + serial }

// add records a certificate; the PEM is made on its first read, so
// issuance pays only for the map insert.
func (r *recentCerts) add(caID, serial string, der []byte) *recentCert {
	e := &recentCert{der: der}
	k := recentKey(caID, serial)
	r.mu.Lock()
	if r.m == nil {
		r.m = make(map[string]*recentCert)
	}
	if old, ok := r.m[k]; ok {
		e = old
	} else {
		if len(r.m) >= recentCertsMax {
			for old := range r.m { // drop one arbitrary entry
				delete(r.m, old)
				break
			}
		}
		r.m[k] = e
	}
	r.mu.Unlock()
	return e
}

func (r *recentCerts) get(caID, serial string) *recentCert {
	r.mu.Lock()
	e := r.m[recentKey(caID, serial)]
	r.mu.Unlock()
	return e
}

// render fills the entry's PEM and, for a root CA's certificate, whether
// it is self-signed (a root's own certificate is answered without chain).
func (e *recentCert) render(rootCA bool) {
	e.once.Do(func() {
		e.pem = pemString(pki.EncodeCertPEM(e.der))
		e.self = rootCA && selfSigned(e.der)
	})
}
