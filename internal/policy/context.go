package policy

import "strings"

// Context holds request context keys. Key names are case-insensitive
// (stored lower-cased); every key is multivalued.
type Context struct {
	keys map[string][]string
}

// NewContext returns an empty context.
func NewContext() *Context { return &Context{keys: make(map[string][]string, 16)} }

// Set replaces key's values.
func (c *Context) Set(key string, values ...string) {
	c.keys[lower(key)] = values
}

// Get returns key's values and whether the key is present.
func (c *Context) Get(key string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := c.keys[lower(key)]
	return v, ok
}

// Keys returns the (lower-cased) key names.
func (c *Context) Keys() []string {
	out := make([]string, 0, len(c.keys))
	for k := range c.keys {
		out = append(out, k)
	}
	return out
}

// lower lower-cases ASCII without allocating when s is already lower case.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
