package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestServeShedSettings: a bad load-shedding setting, from a flag or its
// variable, is refused before anything is opened, naming the setting.
func TestServeShedSettings(t *testing.T) {
	db := filepath.Join(t.TempDir(), "jaring.db")
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--public-inflight", "-1"}, "--public-inflight (JARING_PUBLIC_INFLIGHT): tidak boleh negatif"},
		{nil, []string{"--user-wait", "-5s"}, "--user-wait (JARING_USER_WAIT): tidak boleh negatif"},
		{map[string]string{"JARING_PUBLIC_QUEUE": "banyak"}, nil, `JARING_PUBLIC_QUEUE: bukan bilangan bulat: "banyak"`},
		{map[string]string{"JARING_PUBLIC_WAIT": "50"}, nil, `JARING_PUBLIC_WAIT: bukan lama waktu`},
		{map[string]string{"JARING_RETRY_AFTER": "-1s"}, nil, "--retry-after (JARING_RETRY_AFTER): tidak boleh negatif"},
	} {
		env := map[string]string{"JARING_DB": db}
		for k, v := range c.env {
			env[k] = v
		}
		code, _, errOut := run(t, env, append([]string{"serve", "--addr", "127.0.0.1:0"}, c.args...)...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v %v: exit %d, want 1 with %q; stderr %s", c.env, c.args, code, c.want, errOut)
		}
	}
	// A flag wins over its variable: the variable's bad value is not read.
	code, _, errOut := run(t, map[string]string{"JARING_DB": db, "JARING_PUBLIC_QUEUE": "banyak"},
		"serve", "--addr", "127.0.0.1:0", "--public-queue", "-2")
	if code != 1 || !strings.Contains(errOut, "--public-queue (JARING_PUBLIC_QUEUE): tidak boleh negatif: -2") {
		t.Errorf("flag over variable: exit %d, %s", code, errOut)
	}
}
