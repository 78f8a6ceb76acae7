package httpx

import (
	"html/template"
	"io/fs"
	"path"
	"strings"
)

// MustParsePages parses templates/layout.html of fsys with each other
// templates/*.html, keyed by the page's file name without ".html". A
// broken template stops the program at start-up rather than at the first
// request.
func MustParsePages(fsys fs.FS, funcs template.FuncMap) map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(fsys, "templates/layout.html"))
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(fsys, n))
	}
	return pages
}
