package ram

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// shareGrant is what one share contributes to a CA's policy: the
// statements of its permission for every ASSOCIATED principal, or, for a
// CREATED_FROM_POLICY share, the hand-written document's statements.
type shareGrant struct {
	ShareARN   string
	Statements []permStatement
	Principals []string
	// ViaOrg names the organization an account, user or role principal
	// was associated through; its statements require that membership.
	ViaOrg map[string]string
	// IDs holds the unique IDs of user and role principals: the policy
	// names those, as pca stores hand-written documents.
	IDs    map[string]string
	Source string
}

// buildPolicy is the CA policy RAM writes (reference §3.3): one statement
// per share, permission statement and principal kind, in share-ARN order;
// accounts become their root ARN, users and roles their unique IDs
// (their ARNs when they had none), an organization is "*" with
// aws:PrincipalOrgID and an OU is "*" with aws:PrincipalOrgPaths covering
// the OU and its children. "" when nothing is granted (then the CA has no
// policy).
func buildPolicy(caARN string, grants []shareGrant) string {
	partition := "aws"
	if p := strings.Split(caARN, ":"); len(p) > 1 {
		partition = p[1]
	}
	grants = slices.Clone(grants)
	slices.SortFunc(grants, func(a, b shareGrant) int { return strings.Compare(a.ShareARN, b.ShareARN) })
	var stmts []any
	add := func(st *stmtJSON) {
		st.Sid = "RamStatement" + strconv.Itoa(len(stmts)+1)
		stmts = append(stmts, st)
	}
	for _, g := range grants {
		if g.Source != "" {
			stmts = append(stmts, sourceStatements(g.Source)...)
			continue
		}
		var aws []string
		bound := map[string][]string{}          // org ID -> principals that must stay in it
		var orgWide []map[string]map[string]any // extra conditions, one per org/OU principal
		for _, p := range g.Principals {
			switch k, a, b := classifyPrincipal(p); k {
			case principalAccount, principalUser, principalRole:
				arn := p
				if k == principalAccount {
					arn = "arn:" + partition + ":iam::" + p + ":root"
				} else if id := g.IDs[p]; id != "" {
					arn = id
				}
				if o := g.ViaOrg[p]; o != "" {
					bound[o] = append(bound[o], arn)
				} else {
					aws = append(aws, arn)
				}
			case principalOrg:
				orgWide = append(orgWide, map[string]map[string]any{"StringEquals": {"aws:PrincipalOrgID": a}})
			case principalOU:
				orgWide = append(orgWide, map[string]map[string]any{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": a + "/*/" + b + "/*"}})
			}
		}
		slices.Sort(aws)
		aws = slices.Compact(aws)
		for _, ps := range g.Statements {
			if len(aws) > 0 {
				st := statement(ps, caARN, nil)
				st.Principal = awsPrincipal{aws}
				add(st)
			}
			for _, o := range slices.Sorted(maps.Keys(bound)) {
				ps2 := slices.Compact(slices.Sorted(slices.Values(bound[o])))
				st := statement(ps, caARN, map[string]map[string]any{"StringEquals": {"aws:PrincipalOrgID": o}})
				st.Principal = awsPrincipal{ps2}
				add(st)
			}
			for _, cond := range orgWide {
				st := statement(ps, caARN, cond)
				st.Principal = "*"
				add(st)
			}
		}
	}
	if len(stmts) == 0 {
		return ""
	}
	b, _ := json.Marshal(policyJSON{Version: "2012-10-17", Statement: stmts})
	return string(b)
}

// Typed shapes keep the generated policy's member order fixed (Sid,
// Effect, Principal, Action, Resource, Condition) and encode fast.
type policyJSON struct {
	Version   string
	Statement []any
}

type stmtJSON struct {
	Sid       string
	Effect    string
	Principal any
	Action    any
	Resource  string
	Condition map[string]map[string]any `json:",omitempty"`
}

type awsPrincipal struct {
	AWS []string
}

// statement renders one permission statement on the CA, its condition
// merged with extra (operators combine, keys within one operator too).
func statement(ps permStatement, caARN string, extra map[string]map[string]any) *stmtJSON {
	st := &stmtJSON{Effect: "Allow", Resource: caARN, Action: ps.Actions}
	if len(ps.Actions) == 1 {
		st.Action = ps.Actions[0]
	}
	cond := map[string]map[string]any{}
	for _, c := range []map[string]map[string]any{ps.Condition, extra} {
		for op, kv := range c {
			if cond[op] == nil {
				cond[op] = map[string]any{}
			}
			for k, v := range kv {
				cond[op][k] = v
			}
		}
	}
	if len(cond) > 0 {
		st.Condition = cond
	}
	return st
}

// sourceStatements returns a stored document's statements unchanged.
func sourceStatements(doc string) []any {
	var top struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &top) != nil {
		return nil
	}
	var list []any
	if json.Unmarshal(top.Statement, &list) == nil {
		return list
	}
	var one map[string]any
	if json.Unmarshal(top.Statement, &one) == nil {
		return []any{one}
	}
	return nil
}
