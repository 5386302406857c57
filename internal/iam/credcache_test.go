package iam

import (
	"fmt"
	"testing"
	"time"
)

// A lookup that read the database before a write must not store what it
// read after the write bumped the generation.
func TestCredCacheStaleFillDropped(t *testing.T) {
	var c credCache
	now := time.Unix(1_700_000_000, 0)
	if k, _ := c.get("AKIA1", now); k != nil {
		t.Fatal("hit in an empty cache")
	}
	_, g := c.get("AKIA1", now)
	c.gen.Add(1) // a write commits while the miss reads
	c.put("AKIA1", &ResolvedKey{AccessKeyID: "AKIA1"}, g, now)
	if k, _ := c.get("AKIA1", now); k != nil {
		t.Fatal("an answer read before the write was cached")
	}
	_, g = c.get("AKIA1", now)
	c.put("AKIA1", &ResolvedKey{AccessKeyID: "AKIA1", SecretAccessKey: "s"}, g, now)
	k, _ := c.get("AKIA1", now)
	if k == nil || k.SecretAccessKey != "s" {
		t.Fatalf("fresh fill not served: %+v", k)
	}
	k.SecretAccessKey = "changed by a caller"
	if k2, _ := c.get("AKIA1", now); k2.SecretAccessKey != "s" {
		t.Fatal("callers share the cached value")
	}
	if k, _ := c.get("AKIA1", now.Add(credCacheTTL)); k != nil {
		t.Fatal("served after the TTL")
	}
	c.gen.Add(1)
	if k, _ := c.get("AKIA1", now); k != nil {
		t.Fatal("served after a bump")
	}
}

func TestCredCacheBounded(t *testing.T) {
	var c credCache
	now := time.Unix(1_700_000_000, 0)
	for i := range credCacheMax + 50 {
		id := fmt.Sprintf("AKIA%d", i)
		_, g := c.get(id, now)
		c.put(id, &ResolvedKey{AccessKeyID: id}, g, now)
	}
	if n := len(c.m); n > credCacheMax {
		t.Fatalf("%d entries, bound %d", n, credCacheMax)
	}
}
