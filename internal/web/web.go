// Package web is the back office: server-rendered pages in Bahasa Indonesia
// (English available), light enough for a cheap phone.
package web

import (
	"github.com/kemensos/jaring/internal/auth"
	"github.com/kemensos/jaring/internal/httpx"
	"github.com/kemensos/jaring/internal/region"
	"github.com/kemensos/jaring/internal/registry"
)

// Deps are what the back office needs.
type Deps struct {
	Registry *registry.Registry
	Regions  region.Store
	Auth     *auth.Service
	Imports  *registry.Jobs
}

// Web serves the back office pages.
type Web struct {
	d Deps
}

// New returns the back office.
func New(d Deps) *Web { return &Web{d: d} }

// Routes returns the pages' URL surface.
func (w *Web) Routes() []httpx.Route {
	return nil
}
