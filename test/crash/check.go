package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"golang.org/x/crypto/ocsp"
)

// report accumulates what the checks found over all cycles.
type report struct {
	lost, dups int
	policy     int // RAM: CA policy or access not what the associations generate
	failures   []string
	pending    []string
	staleCRLs  int // restarts after which the CRL lacked an acknowledged revocation
}

func (r *report) fail(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// sample is how many older records each cycle re-reads over the API (the
// database pass covers all of them every cycle; the final pass reads all).
const sample = 20

// check runs every invariant against the restarted server (cycle is the
// cycle just ended; final also waits for interrupted ACM work and reads
// every record over the API).
func (s *state) check(ctx context.Context, rep *report, cycle int, final, strictCRL bool) {
	s.connect()
	s.mu.Lock()
	s.cycle = cycle + 1
	certs := make([]*certRec, 0, len(s.order))
	for _, a := range s.order {
		certs = append(certs, s.certs[a])
	}
	s.mu.Unlock()

	if err := s.integrityCheck(ctx); err != nil {
		rep.fail("cycle %d: %v", cycle, err)
	}
	rows, err := s.dbCertificates(ctx)
	if err != nil {
		rep.fail("cycle %d: read database: %v", cycle, err)
		return
	}
	s.checkStored(rep, cycle, certs, rows)
	s.checkAPI(ctx, rep, cycle, certs, final)
	s.checkACM(ctx, rep, cycle, final)
	s.checkRevocations(ctx, rep, cycle, rows, final, strictCRL)
	for _, c := range extraChecks { // RAM: see ram.go
		c(ctx, s, rep)
	}
	dupARNs.Lock()
	for _, a := range dupARNs.list {
		rep.dups++
		rep.fail("cycle %d: ARN %s acknowledged twice for different requests", cycle, a)
	}
	dupARNs.list = nil
	dupARNs.Unlock()
}

// dbCertificates reads every certificate row of the database (read-only,
// beside the running server: WAL readers do not block it).
func (s *state) dbCertificates(ctx context.Context) (map[string][]byte, error) {
	db, err := s.openDB()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	q, err := db.QueryContext(ctx, `SELECT ca_id, serial, der FROM pca_certificates`)
	if err != nil {
		return nil, err
	}
	defer q.Close()
	out := map[string][]byte{}
	for q.Next() {
		var ca, serial string
		var der []byte
		if err := q.Scan(&ca, &serial, &der); err != nil {
			return nil, err
		}
		out[ca+"/"+serial] = der
	}
	return out, q.Err()
}

// checkStored: every acknowledged certificate has its row with the bytes
// first served; no two rows carry the same X.509 serial.
func (s *state) checkStored(rep *report, cycle int, certs []*certRec, rows map[string][]byte) {
	seen := map[string]string{}
	for key, der := range rows {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			rep.fail("cycle %d: stored certificate %s does not parse: %v", cycle, key, err)
			continue
		}
		sn := c.Issuer.String() + "/" + c.SerialNumber.Text(16)
		if other, ok := seen[sn]; ok {
			rep.dups++
			rep.fail("cycle %d: serial %s stored twice (%s, %s)", cycle, c.SerialNumber.Text(16), other, key)
		}
		seen[sn] = key
	}
	for _, c := range certs {
		der, ok := rows[s.caID+"/"+c.serial]
		if !ok {
			rep.lost++
			rep.fail("cycle %d: acknowledged certificate %s (cycle %d) is not in the database", cycle, c.arn, c.cycle)
			continue
		}
		if c.pem != "" && !samePEM(c.pem, der) {
			rep.lost++
			rep.fail("cycle %d: stored certificate %s differs from the one served", cycle, c.arn)
		}
	}
}

func samePEM(p string, der []byte) bool {
	b, _ := pem.Decode([]byte(p))
	return b != nil && bytes.Equal(b.Bytes, der)
}

// checkAPI reads recent certificates (and a sample of older ones) back
// through GetCertificate: present and byte-identical.
func (s *state) checkAPI(ctx context.Context, rep *report, cycle int, certs []*certRec, final bool) {
	for i, c := range certs {
		if !final && c.cycle < cycle && rand.IntN(len(certs)) >= sample && i != 0 {
			continue
		}
		got, err := s.rd.pca.GetCertificate(ctx, &acmpca.GetCertificateInput{CertificateAuthorityArn: &s.ca, CertificateArn: &c.arn})
		if err != nil {
			rep.lost++
			rep.fail("cycle %d: GetCertificate %s: %v", cycle, c.arn, err)
			continue
		}
		s.mu.Lock()
		switch {
		case c.pem == "":
			c.pem = *got.Certificate
		case c.pem != *got.Certificate:
			rep.lost++
			rep.fail("cycle %d: GetCertificate %s is not byte-identical to the first answer", cycle, c.arn)
		}
		s.mu.Unlock()
	}
}

// checkACM: every acknowledged RequestCertificate still exists; once seen
// ISSUED its certificate never changes. The final pass waits for all to be
// ISSUED (work interrupted by a kill resumes when its lease lapses).
func (s *state) checkACM(ctx context.Context, rep *report, cycle int, final bool) {
	s.mu.Lock()
	recs := make([]*acmRec, 0, len(s.acmOrder))
	for _, a := range s.acmOrder {
		recs = append(recs, s.acmCerts[a])
	}
	s.mu.Unlock()
	deadline := time.Now().Add(4 * time.Minute)
	for _, r := range recs {
		if !final && r.pem != "" && rand.IntN(len(recs)) >= sample {
			continue
		}
		for {
			d, err := s.rd.acm.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: &r.arn})
			if err != nil {
				rep.lost++
				rep.fail("cycle %d: acknowledged ACM certificate %s: %v", cycle, r.arn, err)
				break
			}
			st := d.Certificate.Status
			if st == acmtypes.CertificateStatusIssued {
				got, err := s.rd.acm.GetCertificate(ctx, &acm.GetCertificateInput{CertificateArn: &r.arn})
				if err != nil {
					rep.lost++
					rep.fail("cycle %d: ACM GetCertificate %s: %v", cycle, r.arn, err)
				} else if r.pem == "" {
					r.pem = *got.Certificate
				} else if r.pem != *got.Certificate {
					rep.lost++
					rep.fail("cycle %d: ACM certificate %s changed", cycle, r.arn)
				}
				break
			}
			if st != acmtypes.CertificateStatusPendingValidation {
				rep.fail("cycle %d: ACM certificate %s is %s", cycle, r.arn, st)
				break
			}
			if !final {
				break
			}
			if time.Now().After(deadline) {
				rep.lost++
				rep.fail("ACM certificate %s still %s after the final wait", r.arn, st)
				break
			}
			time.Sleep(time.Second)
		}
	}
}

// checkRevocations: every acknowledged revocation answers "revoked" over
// OCSP and is in the CRL served now, unless that CRL predates it (a CRL
// not republished after the crash: reported as pending, or a failure with
// strictCRL).
func (s *state) checkRevocations(ctx context.Context, rep *report, cycle int, rows map[string][]byte, final, strictCRL bool) {
	s.mu.Lock()
	revs := make([]*revRec, 0, len(s.revoked))
	for _, r := range s.revoked {
		revs = append(revs, r)
	}
	s.mu.Unlock()
	if len(revs) == 0 {
		return
	}
	crl, err := s.fetchCRL(ctx)
	if err != nil {
		rep.fail("cycle %d: CRL: %v", cycle, err)
		return
	}
	listed := map[string]bool{}
	for _, e := range crl.RevokedCertificateEntries {
		listed[e.SerialNumber.Text(16)] = true
	}
	stale := 0
	for _, r := range revs {
		n, _ := new(big.Int).SetString(r.serial, 16)
		if n == nil {
			rep.fail("cycle %d: serial %q does not parse", cycle, r.serial)
			continue
		}
		if listed[n.Text(16)] {
			r.inCRL = true
		} else if crl.ThisUpdate.After(r.at.Add(time.Second)) {
			rep.lost++
			rep.fail("cycle %d: revocation of %s acknowledged at %s missing from the CRL of %s", cycle, r.arn, r.at.Format(time.RFC3339Nano), crl.ThisUpdate.Format(time.RFC3339))
		} else {
			stale++
		}
		if final || !r.inCRL || rand.IntN(len(revs)) < sample {
			if err := s.checkOCSP(ctx, r, rows); err != nil {
				rep.lost++
				rep.fail("cycle %d: OCSP for %s: %v", cycle, r.arn, err)
			}
		}
	}
	if stale > 0 {
		if !final { // the final pass follows the last restart's own check
			rep.staleCRLs++
		}
		msg := fmt.Sprintf("cycle %d: the CRL served after restart (thisUpdate %s) lacks %d acknowledged revocation(s) made after it: not republished after the crash (durable CRL republish is branch pcasec's)",
			cycle, crl.ThisUpdate.Format(time.RFC3339), stale)
		if strictCRL && !final { // the final pass repeats the last restart's finding
			rep.fail("%s", msg)
		} else if !strictCRL && (final || rep.staleCRLs == 1) && (len(rep.pending) == 0 || rep.pending[len(rep.pending)-1] != msg) {
			rep.pending = append(rep.pending, msg)
		}
	}
}

func (s *state) fetchCRL(ctx context.Context) (*x509.RevocationList, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/crl/"+s.caID+".crl", nil)
	resp, err := plainClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET CRL: %s", resp.Status)
	}
	crl, err := x509.ParseRevocationList(body)
	if err != nil {
		return nil, err
	}
	if err := crl.CheckSignatureFrom(s.issuer); err != nil {
		return nil, fmt.Errorf("CRL signature: %w", err)
	}
	return crl, nil
}

func (s *state) checkOCSP(ctx context.Context, r *revRec, rows map[string][]byte) error {
	der, ok := rows[s.caID+"/"+r.serial]
	if !ok {
		return fmt.Errorf("certificate not stored")
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	q, err := ocsp.CreateRequest(leaf, s.issuer, nil)
	if err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/ocsp", bytes.NewReader(q))
	req.Header.Set("Content-Type", "application/ocsp-request")
	resp, err := plainClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	res, err := ocsp.ParseResponseForCert(body, leaf, s.issuer)
	if err != nil {
		return err
	}
	if res.Status != ocsp.Revoked {
		return fmt.Errorf("status %d, want revoked (acknowledged %s)", res.Status, r.at.Format(time.RFC3339Nano))
	}
	return nil
}

// plainClient fetches CRLs and OCSP answers; a hung server fails the
// check instead of hanging the run.
var plainClient = &http.Client{Timeout: 30 * time.Second}
