package iam

// entityKind describes a user, group or role as the operations shared by
// the three (inline and attached policies, tags, lookups) need it, so each
// family is written once and parameterised by kind.
type entityKind struct {
	// name is the ARN resource type, the store's kind key and the word in
	// error messages: "user", "group" or "role".
	name string
	// action is the kind's infix in action names: iam:Put<User>Policy.
	action string
	// inlineQuota is the aggregate inline policy size, in characters
	// without whitespace.
	inlineQuota int
	// attachQuota names the quota on attached managed policies.
	attachQuota string
	// notFound, when set, is the kind's own not-found message (%s: the name).
	notFound string
}

var (
	kindUser  = &entityKind{name: "user", action: "User", inlineQuota: 2048, attachQuota: "PoliciesPerUser"}
	kindGroup = &entityKind{name: "group", action: "Group", inlineQuota: 5120, attachQuota: "PoliciesPerGroup"}
	kindRole  = &entityKind{name: "role", action: "Role", inlineQuota: 10240, attachQuota: "PoliciesPerRole"}
)

// entityKinds finds a kind by the resource type of its ARNs.
var entityKinds = map[string]*entityKind{kindUser.name: kindUser, kindGroup.name: kindGroup, kindRole.name: kindRole}

// act names the kind's variant of an action: act("Put", "Policy") is
// iam:PutUserPolicy for users.
func (k *entityKind) act(verb, suffix string) string { return "iam:" + verb + k.action + suffix }

// arn is the ARN of the kind's entity name under path.
func (k *entityKind) arn(a arns, acct, path, name string) string {
	return a.entity(acct, k.name, path, name)
}

// noSuch is the error for an entity of this kind that does not exist.
func (k *entityKind) noSuch(name string) *Error {
	if k.notFound != "" {
		return errorf(NoSuchEntity, k.notFound, name)
	}
	return errorf(NoSuchEntity, "The %s with name %s cannot be found.", k.name, name)
}
