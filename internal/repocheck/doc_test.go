package repocheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// undocumented lists the exported identifiers declared in src (one Go file)
// that have no doc comment, as "name (kind)". A method counts when its
// receiver's type is exported; a name in a parenthesized group may share the
// group's comment. Struct fields and interface methods are left to the type's
// comment.
func undocumented(fset *token.FileSet, path string, src []byte) ([]string, error) {
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() && exportedReceiver(d) && d.Doc == nil {
				missing = append(missing, funcName(d))
			}
		case *ast.GenDecl:
			missing = append(missing, undocumentedSpecs(d)...)
		}
	}
	return missing, nil
}

// undocumentedSpecs lists the exported names of a type, var or const
// declaration that have no comment of their own nor their group's.
func undocumentedSpecs(d *ast.GenDecl) []string {
	var missing []string
	grouped := d.Lparen.IsValid() && d.Doc != nil
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.TypeSpec:
			if s.Name.IsExported() && s.Doc == nil && d.Doc == nil {
				missing = append(missing, s.Name.Name+" (type)")
			}
		case *ast.ValueSpec:
			if s.Doc != nil || s.Comment != nil || grouped || (!d.Lparen.IsValid() && d.Doc != nil) {
				continue
			}
			for _, n := range s.Names {
				if n.IsExported() {
					missing = append(missing, n.Name+" ("+d.Tok.String()+")")
				}
			}
		}
	}
	return missing
}

// exportedReceiver reports whether d is a function or a method of an exported type.
func exportedReceiver(d *ast.FuncDecl) bool {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return true
	}
	return ast.IsExported(receiverType(d))
}

// receiverType returns the name of d's receiver type, without * or type parameters.
func receiverType(d *ast.FuncDecl) string {
	t := d.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil {
		return d.Name.Name + " (func)"
	}
	return receiverType(d) + "." + d.Name.Name + " (method)"
}

// goFiles returns the repository's non-test Go files, outside testdata and
// folders that the go command ignores (names starting with . or _).
func goFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := e.Name()
		if e.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func TestExportedIdentifiersAreDocumented(t *testing.T) {
	fset := token.NewFileSet()
	files := goFiles(t)
	if len(files) < 50 {
		t.Fatalf("found %d Go files under %s: not the repository?", len(files), root)
	}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(src[:min(len(src), 400)]), "Code generated") {
			continue // see the generator's comment
		}
		missing, err := undocumented(fset, path, src)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		for _, m := range missing {
			t.Errorf("%s: exported %s has no doc comment", rel, m)
		}
	}
}

// The check finds what it should: undocumented functions, methods of
// exported types, types, and ungrouped values; not documented ones.
func TestUndocumentedFinds(t *testing.T) {
	src := `package p

// A is documented.
func A() {}
func B() {}
func (T) M() {}
func (*t) N() {}
func c() {}

// T is documented.
type T struct{}
type U int
type t int

var V = 1

// Grouped share the group's comment.
const (
	G1 = 1
	G2 = 2
)

const (
	H1 = 1 // H1 has a line comment.
	H2 = 2
)

// W is documented.
var W = 2
`
	got, err := undocumented(token.NewFileSet(), "p.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"B (func)", "T.M (method)", "U (type)", "V (var)", "H2 (const)"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("undocumented = %q, want %q", got, want)
	}
}
