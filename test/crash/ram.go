package main

import (
	"context"
	"math/rand/v2"
)

// EXTENSION POINT (RAM, issue #14 item 1). internal/ram is being built in
// another branch; when it is in the tree, register here:
//
//   - in extraOps, writes from the concurrent clients: CreateResourceShare
//     with the crash CA, AssociateResourceShare / DisassociateResourceShare
//     of principals (remember each acknowledged association in state);
//   - in extraChecks, the invariant checked after every restart: every
//     CA's resource policy (acm-pca GetPolicy) equals the policy its RAM
//     share associations generate (none left when all are disassociated),
//     and every acknowledged association is listed by
//     GetResourceShareAssociations.
//
// Both lists are empty today, so no RAM traffic is driven or checked.

// extraOps are further client operations, drawn for ~10 % of requests.
var extraOps []func(ctx context.Context, s *state, rng *rand.Rand)

// extraChecks are further invariants run after every restart.
var extraChecks []func(ctx context.Context, s *state, rep *report)
