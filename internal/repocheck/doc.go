// Package repocheck holds tests of the repository as a whole, not of one package.
//
// doc_test.go checks that every exported identifier of every package has a doc
// comment.
//
// readme_test.go checks that every Go code block of README.md is an excerpt of an
// Example function, which go test compiles and runs. A block is marked with the
// example it comes from, on the line before its fence:
//
//	<!-- example: gan.Example_trainStep -->
//
// names the function Example_trainStep in the test files of the folder gan. The
// block's lines, with leading and trailing blanks trimmed and empty lines dropped,
// must appear one after the other in the function's body (before its "// Output:").
//
// The package has no code of its own.
package repocheck
