package repocheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// root is the repository's root, seen from this package's folder.
const root = "../.."

// marker names the example a README code block comes from.
var marker = regexp.MustCompile(`^<!-- example: ([\w/]+)\.(Example\w*) -->$`)

// block is one Go code block of README.md and the example it is marked with.
type block struct {
	line     int // the fence's line, from 1
	dir, fn  string
	contents []string
}

// readmeBlocks returns README.md's Go code blocks, with the example each is
// marked with ("" when unmarked).
func readmeBlocks(t *testing.T) []block {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var blocks []block
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```go" {
			continue
		}
		bl := block{line: i + 1}
		if i > 0 {
			if m := marker.FindStringSubmatch(strings.TrimSpace(lines[i-1])); m != nil {
				bl.dir, bl.fn = m[1], m[2]
			}
		}
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			bl.contents = append(bl.contents, lines[i])
		}
		blocks = append(blocks, bl)
	}
	return blocks
}

// exampleBody returns the body of the function fn in the test files of dir, up
// to its "// Output:" comment.
func exampleBody(t *testing.T, dir, fn string) (string, bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, dir, "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || fd.Name.Name != fn {
				continue
			}
			body := string(src[fset.Position(fd.Body.Lbrace).Offset+1 : fset.Position(fd.Body.Rbrace).Offset])
			body, _, _ = strings.Cut(body, "// Output:")
			return body, true
		}
	}
	return "", false
}

// normalized trims every line and drops the empty ones.
func normalized(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// contiguous returns the index in body where want starts, or -1.
func contiguous(body, want []string) int {
	for i := 0; i+len(want) <= len(body); i++ {
		if slices.Equal(body[i:i+len(want)], want) {
			return i
		}
	}
	return -1
}

func TestReadmeCodeComesFromExamples(t *testing.T) {
	blocks := readmeBlocks(t)
	if len(blocks) == 0 {
		t.Fatal("README.md has no Go code blocks")
	}
	for _, bl := range blocks {
		if bl.fn == "" {
			t.Errorf("README.md:%d: a Go code block without an <!-- example: dir.ExampleName --> line before it", bl.line)
			continue
		}
		body, ok := exampleBody(t, bl.dir, bl.fn)
		if !ok {
			t.Errorf("README.md:%d: no function %s in %s/*_test.go", bl.line, bl.fn, bl.dir)
			continue
		}
		want, have := normalized(bl.contents), normalized(strings.Split(body, "\n"))
		if len(want) == 0 {
			t.Errorf("README.md:%d: empty code block", bl.line)
			continue
		}
		if contiguous(have, want) < 0 {
			t.Errorf("README.md:%d: the block is not an excerpt of %s.%s; its first line not in order there: %q",
				bl.line, bl.dir, bl.fn, firstMismatch(have, want))
		}
	}
}

// firstMismatch returns the first line of want that does not follow its
// predecessor in body, for the error message.
func firstMismatch(body, want []string) string {
	for n := 1; n <= len(want); n++ {
		if contiguous(body, want[:n]) < 0 {
			return want[n-1]
		}
	}
	return ""
}

// The check itself: an edited line, or lines out of order, are caught.
func TestContiguous(t *testing.T) {
	body := []string{"a", "b", "c", "d"}
	for _, c := range []struct {
		want []string
		ok   bool
	}{
		{[]string{"b", "c"}, true},
		{[]string{"a", "b", "c", "d"}, true},
		{[]string{"b", "d"}, false},
		{[]string{"c", "b"}, false},
		{[]string{"d", "e"}, false},
	} {
		if got := contiguous(body, c.want) >= 0; got != c.ok {
			t.Errorf("contiguous(%q, %q) = %v, want %v", body, c.want, got, c.ok)
		}
	}
	if got := firstMismatch(body, []string{"b", "c", "x"}); got != "x" {
		t.Errorf("firstMismatch = %q, want x", got)
	}
}
