package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kemensos/jaring/internal/api"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/store"
	"github.com/kemensos/jaring/internal/store/storetest"
)

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

type openAPIDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

// docOperations returns "METHOD /path" for every operation of the document.
func docOperations(doc openAPIDoc) []string {
	var out []string
	for path, item := range doc.Paths {
		for key := range item {
			if slices.Contains(openAPIMethods, key) {
				out = append(out, strings.ToUpper(key)+" "+path)
			}
		}
	}
	slices.Sort(out)
	return out
}

// routeOperations returns "METHOD /path" for every route under /api/v1. Go
// patterns and OpenAPI paths share the {name} syntax; a Go wildcard {x...}
// or a trailing slash pattern has no OpenAPI equivalent and is kept as is,
// so that it shows up as a difference.
func routeOperations(routes []httpx.Route) []string {
	var out []string
	for _, rt := range routes {
		if rt.Pattern == "/api/v1" || strings.HasPrefix(rt.Pattern, "/api/v1/") {
			out = append(out, rt.Method+" "+rt.Pattern)
		}
	}
	slices.Sort(out)
	return out
}

// diffOperations returns what only the routes have and what only the
// document has.
func diffOperations(routes, doc []string) (onlyRoutes, onlyDoc []string) {
	for _, r := range routes {
		if !slices.Contains(doc, r) {
			onlyRoutes = append(onlyRoutes, r)
		}
	}
	for _, d := range doc {
		if !slices.Contains(routes, d) {
			onlyDoc = append(onlyDoc, d)
		}
	}
	return onlyRoutes, onlyDoc
}

func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, nil)
		res, err := http.Get(e.ts.URL + "/api/v1/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("openapi.json: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if !bytes.Equal(body, api.OpenAPI()) {
			t.Error("served document differs from api.OpenAPI()")
		}
		var doc openAPIDoc
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("openapi.json is not JSON: %v", err)
		}
		if doc.OpenAPI != "3.1.0" {
			t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
		}
		routes, ops := routeOperations(e.srv.Routes()), docOperations(doc)
		if len(routes) == 0 || len(ops) == 0 {
			t.Fatalf("%d API routes, %d documented operations", len(routes), len(ops))
		}
		onlyRoutes, onlyDoc := diffOperations(routes, ops)
		for _, r := range onlyRoutes {
			t.Errorf("route %s is not in openapi.json", r)
		}
		for _, d := range onlyDoc {
			t.Errorf("openapi.json documents %s, which is no route", d)
		}
		// Every documented path has a path key under /api/v1.
		for path := range doc.Paths {
			if !strings.HasPrefix(path, "/api/v1/") {
				t.Errorf("openapi.json path %s is outside /api/v1", path)
			}
		}
	})
}

// TestOpenAPIPathParameters checks that every {name} of a documented path
// is declared as a path parameter of each operation, and nothing more.
func TestOpenAPIPathParameters(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	type param struct {
		Name     string `json:"name"`
		In       string `json:"in"`
		Required bool   `json:"required"`
	}
	type op struct {
		Parameters []param                    `json:"parameters"`
		Responses  map[string]json.RawMessage `json:"responses"`
	}
	wild := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range doc.Paths {
		var common []param
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &common); err != nil {
				t.Fatalf("%s parameters: %v", path, err)
			}
		}
		var want []string
		for _, m := range wild.FindAllStringSubmatch(path, -1) {
			want = append(want, m[1])
		}
		slices.Sort(want)
		for key, raw := range item {
			if !slices.Contains(openAPIMethods, key) {
				continue
			}
			var o op
			if err := json.Unmarshal(raw, &o); err != nil {
				t.Fatalf("%s %s: %v", key, path, err)
			}
			if len(o.Responses) == 0 {
				t.Errorf("%s %s has no responses", key, path)
			}
			var got []string
			for _, p := range append(common, o.Parameters...) {
				if p.In == "path" {
					got = append(got, p.Name)
					if !p.Required {
						t.Errorf("%s %s: path parameter %s not required", key, path, p.Name)
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s %s declares path parameters %v, want %v", key, path, got, want)
			}
		}
	}
}

// TestDiffOperations shows that the comparison fails on an extra on either side.
func TestDiffOperations(t *testing.T) {
	routes := routeOperations([]httpx.Route{
		{Method: "GET", Pattern: "/api/v1/families/{id}"},
		{Method: "POST", Pattern: "/api/v1/families"},
		{Method: "GET", Pattern: "/api/v1/secret"},
		{Method: "GET", Pattern: "/healthz"},
		{Method: "GET", Pattern: "/api/v1x/other"},
	})
	var doc openAPIDoc
	if err := json.Unmarshal([]byte(`{"openapi":"3.1.0","paths":{
		"/api/v1/families/{id}":{"get":{},"put":{},"parameters":[]},
		"/api/v1/families":{"post":{},"summary":"x"}}}`), &doc); err != nil {
		t.Fatal(err)
	}
	onlyRoutes, onlyDoc := diffOperations(routes, docOperations(doc))
	if !slices.Equal(onlyRoutes, []string{"GET /api/v1/secret"}) {
		t.Errorf("only in routes: %v", onlyRoutes)
	}
	if !slices.Equal(onlyDoc, []string{"PUT /api/v1/families/{id}"}) {
		t.Errorf("only in document: %v", onlyDoc)
	}
	a, b := diffOperations(routeOperations([]httpx.Route{{Method: "PUT", Pattern: "/api/v1/families/{id}"}}), []string{"PUT /api/v1/families/{id}"})
	if len(a)+len(b) != 0 {
		t.Errorf("equal sets differ: %v %v", a, b)
	}
}
