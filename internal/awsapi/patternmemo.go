package awsapi

import (
	"regexp"
	"sync"
)

// patternMemo remembers short values that matched a member's pattern: the
// same ARNs arrive on every request, and matching them costs microseconds
// where a map lookup costs tens of nanoseconds. A pure function's memo:
// it can only save work, never change an answer.
type patternMemo struct {
	mu sync.RWMutex
	ok map[string]struct{}
}

// Bounds per member: values longer than patternMemoLen are not kept and a
// full memo starts over, so any input costs at most 64 KiB per member.
const (
	patternMemoMax = 256
	patternMemoLen = 256
)

func (m *patternMemo) match(re *regexp.Regexp, s string) bool {
	m.mu.RLock()
	_, hit := m.ok[s]
	m.mu.RUnlock()
	if hit {
		return true
	}
	if !re.MatchString(s) {
		return false
	}
	if len(s) <= patternMemoLen {
		m.mu.Lock()
		if m.ok == nil || len(m.ok) >= patternMemoMax {
			m.ok = make(map[string]struct{}, 16)
		}
		m.ok[s] = struct{}{}
		m.mu.Unlock()
	}
	return true
}
