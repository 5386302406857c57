package policy

import "strings"

// compiled is a Document's matcher, built once by Parse.
type compiled struct {
	stmts []cstmt
	index *pindex // nil for short documents
}

type cstmt struct {
	ref          StatementRef
	principal    *cprincipal // Principal or NotPrincipal; nil when absent
	notPrincipal bool
	actions      []glob // lower-cased
	notAction    bool
	resources    []pattern
	notResource  bool
	anyResource  bool // no Resource element (SCP, trust)
	conds        []ccond
}

// compile builds the matcher and checks operator values (numbers, dates,
// CIDRs, booleans, base64) that the structural parse leaves as text.
func compile(d *Document) (*compiled, error) {
	vars := d.VariablesEnabled()
	c := &compiled{stmts: make([]cstmt, len(d.Statements))}
	for i := range d.Statements {
		st := &d.Statements[i]
		cs := &c.stmts[i]
		cs.ref = StatementRef{Index: i, Sid: st.Sid, Effect: st.Effect}
		switch {
		case st.Principal != nil:
			cs.principal = compilePrincipal(st.Principal)
		case st.NotPrincipal != nil:
			cs.principal = compilePrincipal(st.NotPrincipal)
			cs.notPrincipal = true
		}
		acts := st.Action
		if st.HasNotAction {
			acts, cs.notAction = st.NotAction, true
		}
		cs.actions = make([]glob, len(acts))
		for j, a := range acts {
			cs.actions[j] = newGlob(strings.ToLower(a), nil)
		}
		res := st.Resource
		switch {
		case st.HasNotResource:
			res, cs.notResource = st.NotResource, true
		case !st.HasResource:
			cs.anyResource = true
		}
		cs.resources = make([]pattern, len(res))
		for j, r := range res {
			cs.resources[j] = newPattern(r, vars)
		}
		if len(st.Condition) > 0 {
			cs.conds = make([]ccond, len(st.Condition))
			se := stmtErr{idx: i, sid: st.Sid}
			for j := range st.Condition {
				cc, err := compileCondition(&st.Condition[j], vars, se)
				if err != nil {
					return nil, err
				}
				cs.conds[j] = cc
			}
		}
	}
	if len(c.stmts) >= indexMin {
		c.index = buildIndex(c)
	}
	return c, nil
}

// Evaluate evaluates the document against one request. A Document not made
// by Parse is compiled on each call; if it does not compile, nothing matches.
func (d *Document) Evaluate(req *Request) Result {
	c, _ := d.compiled.(*compiled)
	if c == nil {
		var err error
		if c, err = compile(d); err != nil {
			return Result{}
		}
	}
	var res Result
	if c.index == nil {
		for i := range c.stmts {
			c.stmts[i].eval(req, &res)
		}
		return res
	}
	for _, i := range c.index.candidates(req.Principal) {
		c.stmts[i].eval(req, &res)
	}
	return res
}

// eval adds one statement's outcome to res.
func (cs *cstmt) eval(req *Request, res *Result) {
	if !cs.matchPrincipal(req.Principal) || !cs.matchAction(req.Action) || !cs.matchResource(req.Resource, req.Context) {
		return
	}
	failed := -1
	for j := range cs.conds {
		cc := &cs.conds[j]
		ok, missing := cc.eval(req.Context)
		if missing {
			res.MissingKeys = addKey(res.MissingKeys, cc.key)
		}
		if !ok && failed < 0 {
			failed = j
			res.ConditionMisses = append(res.ConditionMisses, ConditionMiss{
				Statement: cs.ref, Operator: cc.op, Key: cc.key, Missing: missing,
			})
		}
		if failed >= 0 {
			// Keep scanning only to report missing keys.
			for _, rest := range cs.conds[j+1:] {
				if vals, _ := req.Context.Get(rest.lkey); len(vals) == 0 {
					res.MissingKeys = addKey(res.MissingKeys, rest.key)
				}
			}
			break
		}
	}
	if failed >= 0 {
		return
	}
	res.Matched = append(res.Matched, cs.ref)
	switch cs.ref.Effect {
	case Deny:
		res.Effect = Deny
	case Allow:
		if res.Effect == NoMatch {
			res.Effect = Allow
		}
	}
}

func addKey(keys []string, k string) []string {
	for _, x := range keys {
		if strings.EqualFold(x, k) {
			return keys
		}
	}
	return append(keys, k)
}

func (cs *cstmt) matchPrincipal(p *Principal) bool {
	if cs.principal == nil {
		return true
	}
	if p == nil {
		return false // a principal element needs a principal to match
	}
	return cs.principal.matches(p, cs.notPrincipal) != cs.notPrincipal
}

func (cs *cstmt) matchAction(action string) bool {
	for i := range cs.actions {
		if cs.actions[i].match(action, true) {
			return !cs.notAction
		}
	}
	return cs.notAction
}

func (cs *cstmt) matchResource(resource string, ctx *Context) bool {
	if cs.anyResource {
		return true
	}
	for i := range cs.resources {
		p := &cs.resources[i]
		g := &p.g
		if p.parts != nil {
			r, ok := p.get(ctx)
			if !ok {
				continue // an unresolvable variable matches nothing
			}
			g = &r
		}
		if g.match(resource, false) {
			return !cs.notResource
		}
	}
	return cs.notResource
}
