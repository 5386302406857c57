package console

import (
	"html/template"
	"strings"
	"time"
)

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"day": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02")
	},
	"join": strings.Join,
	"deref": func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	},
	"lastpart": func(arn string) string {
		if i := strings.LastIndexByte(arn, '/'); i >= 0 {
			return arn[i+1:]
		}
		return arn
	},
	"plain":  plainReason,
	"fixer":  fixer,
	"prefix": strings.HasPrefix,
	"sect": func(d *caDetail, name string) any {
		return struct {
			Form *caForm
			Name string
		}{d.Form, name}
	},
}
