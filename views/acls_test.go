package views

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"kscope/kafkaclient"
	"kscope/views/viewtest"
)

// TestACLsView lists the bindings with escaped names, and says why when
// they cannot be read.
func TestACLsView(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		fake := &viewtest.Fake{ACLsFn: func(context.Context) ([]kafkaclient.ACL, error) {
			return []kafkaclient.ACL{
				{Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders"},
				{Principal: "User:m\x1b[31mallory", Host: "10.0.0.9", Operation: "WRITE", Permission: "DENY", ResourceType: "TOPIC", PatternType: "PREFIXED", Resource: "orders-"},
			}, nil
		}}
		c := testCommon(t)
		c.Client = ClientOf(fake)
		h.push(NewACLs(c))
		got := plain(h.top())
		for _, want := range []string{"User:alice", `User:m\x1b[31mallory`, "PREFIXED", "DENY", "10.0.0.9"} {
			if !strings.Contains(got, want) {
				t.Errorf("lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(h.top().View(), "\x1b[31mallory") {
			t.Error("a raw escape from a principal reached the screen")
		}
		fake.ACLsFn = func(context.Context) ([]kafkaclient.ACL, error) {
			return nil, errors.New("SECURITY_DISABLED: no authorizer is configured on the broker")
		}
		h.push(NewACLs(c))
		if got := plain(h.top()); !strings.Contains(got, "could not list the ACLs: SECURITY_DISABLED") {
			t.Errorf("a cluster without an authorizer:\n%s", got)
		}
	})
}

// TestUsersView lists SCRAM credentials with escaped user names.
func TestUsersView(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		fake := &viewtest.Fake{ScramFn: func(context.Context) ([]kafkaclient.ScramCredential, error) {
			return []kafkaclient.ScramCredential{
				{User: "admin", Mechanism: "SCRAM-SHA-512", Iterations: 4096},
				{User: "ev\x1b]0;x\x07il", Mechanism: "SCRAM-SHA-256", Iterations: 8192},
			}, nil
		}}
		c := testCommon(t)
		c.Client = ClientOf(fake)
		h.push(NewUsers(c))
		got := plain(h.top())
		for _, want := range []string{"admin", "SCRAM-SHA-512", "4096", `ev\x1b]0;x\x07il`, "8192"} {
			if !strings.Contains(got, want) {
				t.Errorf("lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(h.top().View(), "\x1b]0;x") {
			t.Error("a raw escape from a user name reached the screen")
		}
	})
}

// TestQuotasView lists quotas with defaults named, byte rates in units
// too, and entity names escaped.
func TestQuotasView(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		fake := &viewtest.Fake{QuotasFn: func(context.Context) ([]kafkaclient.Quota, error) {
			return []kafkaclient.Quota{
				{DefaultUser: true, Key: "consumer_byte_rate", Value: 512},
				{User: "alice", ClientID: "billing", Key: "producer_byte_rate", Value: 1048576},
				{ClientID: "ev\x1b]0;x\x07il", Key: "request_percentage", Value: 12.5},
			}, nil
		}}
		c := testCommon(t)
		c.Client = ClientOf(fake)
		h.push(NewQuotas(c))
		got := plain(h.top())
		for _, want := range []string{"<default>", "consumer_byte_rate", "512", "alice", "billing", "1048576 (1.0 MiB/s)", `ev\x1b]0;x\x07il`, "12.5"} {
			if !strings.Contains(got, want) {
				t.Errorf("lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(h.top().View(), "\x1b]0;x") {
			t.Error("a raw escape from a client id reached the screen")
		}
	})
}

// TestACLsOfATopicAndAGroup: a on a topic or a group lists the bindings
// the cluster says apply to it, asked by resource type and name.
func TestACLsOfATopicAndAGroup(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		var asked []string
		fake := &viewtest.Fake{
			ACLsForFn: func(_ context.Context, rt, name string) ([]kafkaclient.ACL, error) {
				asked = append(asked, rt+" "+name)
				return []kafkaclient.ACL{{Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: rt, PatternType: "PREFIXED", Resource: "ord"}}, nil
			},
			GroupsFn: func(context.Context) ([]kafkaclient.GroupInfo, error) {
				return []kafkaclient.GroupInfo{{Name: "billing", State: "Stable", Type: kafkaclient.TypeClassic}}, nil
			},
		}
		c := testCommon(t)
		c.Client = ClientOf(fake)
		c.Snapshot = &kafkaclient.Snapshot{Topics: []kafkaclient.TopicInfo{{Name: "orders"}}}
		h.push(NewTopics(c))
		h.send(press("a"))
		if len(h.stack) != 2 || !strings.Contains(h.top().Title(), "acls of topic orders") || !strings.Contains(plain(h.top()), "User:alice") {
			t.Fatalf("a on a topic: %d views, %q:\n%s", len(h.stack), h.top().Title(), plain(h.top()))
		}
		h.closeAll()
		h.push(NewGroups(c))
		h.send(press("a"))
		if fmt.Sprint(asked) != "[TOPIC orders GROUP billing]" {
			t.Errorf("asked %v", asked)
		}
	})
}
