package iam

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sqlText matches a string literal that starts like an SQL statement.
var sqlText = regexp.MustCompile(`(?is)^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\s`)

// TestSQLOnlyInStoreFiles enforces DESIGN.md: a package's SQL lives in its
// store*.go files.
func TestSQLOnlyInStoreFiles(t *testing.T) {
	for _, f := range sqlOutsideStore(t, ".") {
		t.Errorf("SQL outside a store file: %s", f)
	}
}

// sqlOutsideStore lists the SQL literals (file:line) in dir's non-test,
// non-store Go files.
func sqlOutsideStore(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var found []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "store") {
			continue
		}
		f, err := parser.ParseFile(fset, dir+"/"+name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && sqlText.MatchString(s) {
				found = append(found, fset.Position(lit.Pos()).String())
			}
			return true
		})
	}
	return found
}
