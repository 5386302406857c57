package policy

import "slices"

// indexMin is the statement count from which compile indexes statements by
// principal. Below it a linear scan is as cheap as the index lookup.
const indexMin = 16

// pindex lets Evaluate skip statements whose Principal cannot name the
// caller. RAM writes one statement pair per share into a CA's policy, so a
// CA in many shares has thousands of statements naming a few accounts each.
type pindex struct {
	always    []int32            // statements that must always be checked
	byAccount map[string][]int32 // "AWS" account entries (non-strict matching)
	byARN     map[string][]int32 // "AWS" ARN entries (exact matching)
}

// indexable reports whether a statement is matched only through the exact
// "AWS" account and ARN entries of its Principal element.
func indexable(cs *cstmt) bool {
	cp := cs.principal
	return cp != nil && !cs.notPrincipal && !cp.wildcard &&
		len(cp.services) == 0 && len(cp.federated) == 0
}

func buildIndex(c *compiled) *pindex {
	ix := &pindex{byAccount: map[string][]int32{}, byARN: map[string][]int32{}}
	for i := range c.stmts {
		cs := &c.stmts[i]
		if !indexable(cs) {
			ix.always = append(ix.always, int32(i))
			continue
		}
		for _, a := range cs.principal.accounts {
			ix.byAccount[a] = appendOnce(ix.byAccount[a], int32(i))
		}
		for _, a := range cs.principal.arns {
			ix.byARN[a] = appendOnce(ix.byARN[a], int32(i))
		}
	}
	return ix
}

func appendOnce(s []int32, i int32) []int32 {
	if n := len(s); n > 0 && s[n-1] == i {
		return s
	}
	return append(s, i)
}

// candidates returns, in document order, the statements that may match p:
// the unindexed ones plus those naming p's account or one of its ARNs. An
// indexed statement can match only a caller that is neither a service, nor
// anonymous, nor absent (cprincipal.matches).
func (ix *pindex) candidates(p *Principal) []int32 {
	if p == nil || p.Service != "" || p.Anonymous {
		return ix.always
	}
	out := slices.Clone(ix.always)
	out = append(out, ix.byAccount[p.Account]...)
	for _, a := range p.ARNs {
		out = append(out, ix.byARN[a]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
