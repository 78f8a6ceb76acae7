package ratelimit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kemensos/jaring/internal/ratelimit"
)

func TestKeyedRefusesPastBurstPerKey(t *testing.T) {
	k := ratelimit.New(1, 2, 1000)
	now := time.Unix(1_800_000_000, 0)
	for i := range 2 {
		if ok, _ := k.Reserve("a", now); !ok {
			t.Fatalf("event %d within the burst refused", i)
		}
	}
	ok, retry := k.Reserve("a", now)
	if ok || retry <= 0 || retry > time.Second {
		t.Fatalf("past the burst: ok %v retry %v, want refused with a retry up to 1 s", ok, retry)
	}
	if ok, _ := k.Reserve("b", now); !ok {
		t.Fatal("another key refused")
	}
	if ok, _ := k.Reserve("a", now.Add(time.Second)); !ok {
		t.Fatal("a second later the key is still refused")
	}
}

func TestKeyedMemoryIsBounded(t *testing.T) {
	k := ratelimit.New(1, 1, 3200)
	now := time.Unix(1_800_000_000, 0)
	for i := range 50_000 {
		k.Reserve(fmt.Sprintf("k%d", i), now)
	}
	if n := k.Size(); n > 3200 {
		t.Fatalf("%d keys held, want at most 3200", n)
	}
}
