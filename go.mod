module github.com/gogan/gogan

go 1.26.8
