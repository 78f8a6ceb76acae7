package server_test

import (
	"testing"

	"github.com/kemensos/jaring/internal/authz"
	"github.com/kemensos/jaring/internal/server"
)

// TestEveryRouteHasAPolicy fails when a route of the API or the back office
// declares no action of the permission matrix.
func TestEveryRouteHasAPolicy(t *testing.T) {
	known := map[authz.Action]bool{authz.Public: true, authz.Self: true}
	for _, a := range authz.Actions {
		known[a.Action] = true
	}
	srv := server.New(server.Deps{})
	for _, rt := range srv.Routes() {
		if !known[rt.Action] {
			t.Errorf("%s %s declares no known action (got %q)", rt.Method, rt.Pattern, rt.Action)
		}
	}
}
