package terraform

import (
	"regexp"
	"strings"
	"testing"
)

// entryStart is how each entry of a TF_LOG file begins; the lines up to the
// next one (a multi-line body) belong to it.
var entryStart = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`)

var (
	statusAttr  = regexp.MustCompile(`\bhttp\.status_code=(\d+)`)
	methodAttr  = regexp.MustCompile(`\brpc\.method=(\w+)`)
	serviceAttr = regexp.MustCompile(`\brpc\.service=(?:"([^"]*)"|(\S+))`)
)

// failedCalls returns one line per AWS response in a TF_LOG=DEBUG log whose
// status is not 2xx: "<service> <operation>: HTTP <status> <body>".
func failedCalls(log string) []string {
	var out []string
	var entry []string
	flush := func() {
		if len(entry) > 0 {
			if s, ok := failedCall(entry); ok {
				out = append(out, s)
			}
		}
		entry = entry[:0]
	}
	for _, line := range strings.Split(log, "\n") {
		if entryStart.MatchString(line) {
			flush()
		}
		entry = append(entry, line)
	}
	flush()
	return out
}

func failedCall(entry []string) (string, bool) {
	if !strings.Contains(entry[0], "HTTP Response Received") {
		return "", false
	}
	var attrs, body []string
	for _, l := range entry {
		if b, ok := strings.CutPrefix(strings.TrimLeft(l, " "), "| "); ok {
			body = append(body, b)
		} else {
			attrs = append(attrs, l)
		}
	}
	all := strings.Join(attrs, " ")
	m := statusAttr.FindStringSubmatch(all)
	if m == nil || strings.HasPrefix(m[1], "2") {
		return "", false
	}
	service, method := "?", "?"
	if s := serviceAttr.FindStringSubmatch(all); s != nil {
		service = s[1] + s[2]
	}
	if s := methodAttr.FindStringSubmatch(all); s != nil {
		method = s[1]
	}
	return service + " " + method + ": HTTP " + m[1] + " " + strings.Join(body, " "), true
}

func TestFailedCalls(t *testing.T) {
	const ok = `2026-12-06T06:21:30.975Z [DEBUG] provider: HTTP Response Received: rpc.method=GetCertificate http.status_code=200 rpc.service="ACM PCA"
  http.response.body=
  | {"Certificate":"x"}
   aws.region=us-east-1`
	const bad = `2026-12-06T06:21:50.916Z [DEBUG] provider: HTTP Response Received: tf_rpc=ApplyResourceChange
  http.response.body=
  | <ErrorResponse><Error><Code>InvalidAction</Code></Error>
  | </ErrorResponse>
   http.status_code=400 rpc.service=IAM rpc.method=ListInstanceProfilesForRole`
	const request = `2026-12-06T06:21:50.900Z [DEBUG] provider: HTTP Request Sent: http.status_code=400 rpc.method=X`
	tests := []struct {
		name string
		log  string
		want []string
	}{
		{"empty", "", nil},
		{"success only", ok, nil},
		{"request lines are not responses", request, nil},
		{"one failure among successes", ok + "\n" + bad + "\n" + ok,
			[]string{"IAM ListInstanceProfilesForRole: HTTP 400 <ErrorResponse><Error><Code>InvalidAction</Code></Error> </ErrorResponse>"}},
		{"quoted service, no body", `2026-12-06T06:21:50.916Z [DEBUG] HTTP Response Received: http.status_code=404 rpc.service="ACM PCA" rpc.method=GetPolicy`,
			[]string{"ACM PCA GetPolicy: HTTP 404 "}},
		{"no status", `2026-12-06T06:21:50.916Z HTTP Response Received: rpc.method=GetPolicy`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := failedCalls(tc.log)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") || len(got) != len(tc.want) {
				t.Errorf("failedCalls() = %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzFailedCalls(f *testing.F) {
	f.Add("2026-12-06T06:21:50.916Z HTTP Response Received: http.status_code=400 rpc.service=\"ACM PCA\" rpc.method=X\n  | body")
	f.Add("\n\n| x\n2026-12-06T06:21:50.916Z")
	f.Fuzz(func(t *testing.T, log string) {
		for _, c := range failedCalls(log) {
			if !strings.Contains(c, ": HTTP ") {
				t.Fatalf("malformed result %q", c)
			}
		}
	})
}
