// Package layout enforces DESIGN.md's ownership rules across the tree.
package layout

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sqlText matches a string literal that starts like an SQL statement.
var sqlText = regexp.MustCompile(`(?is)^\s*(SELECT\s.+\sFROM\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|WITH\s+\w+\s+AS\s*\()`)

// domainPackages decide; they must not speak HTTP or the AWS wire.
var domainPackages = []string{"authz", "iam", "org", "pca", "pki", "policy", "keystore", "store"}

// parsePackages parses every non-test Go file under internal/.
func parsePackages(t *testing.T) map[string][]*ast.File {
	t.Helper()
	fset := token.NewFileSet()
	files := map[string][]*ast.File{}
	root := filepath.Join("..", "..", "internal")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files[rel] = append(files[rel], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestSQLOnlyInStoreFiles: a package's SQL lives in its store*.go files
// (internal/store, which owns the dialect and migrations, excepted).
func TestSQLOnlyInStoreFiles(t *testing.T) {
	for rel, fs := range parsePackages(t) {
		if strings.HasPrefix(rel, "store"+string(filepath.Separator)) || strings.HasPrefix(filepath.Base(rel), "store") {
			continue
		}
		for _, f := range fs {
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				if s, err := strconv.Unquote(lit.Value); err == nil && sqlText.MatchString(s) {
					t.Errorf("SQL outside a store file: internal/%s: %.60q", rel, s)
				}
				return true
			})
		}
	}
}

// TestDomainPackagesDoNotSpeakHTTP: domain services never parse HTTP or
// know the AWS wire layer; transports call them.
func TestDomainPackagesDoNotSpeakHTTP(t *testing.T) {
	for rel, fs := range parsePackages(t) {
		pkg := strings.Split(rel, string(filepath.Separator))[0]
		domain := false
		for _, d := range domainPackages {
			if pkg == d {
				domain = true
			}
		}
		if !domain {
			continue
		}
		for _, f := range fs {
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if path == "net/http" || strings.Contains(path, "/internal/awsapi") || strings.Contains(path, "/internal/server") {
					t.Errorf("internal/%s imports %s", rel, path)
				}
			}
		}
	}
}
