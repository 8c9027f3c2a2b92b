package views

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/viewtest"
)

// aclCluster is a cluster holding bindings, recording the changes asked.
type aclCluster struct {
	acls    []kafkaclient.ACL
	reads   int
	created []kafkaclient.ACL
	deleted []kafkaclient.ACL
	// matched is how many bindings a delete reports (-1: the ones equal to it).
	matched int
}

func (a *aclCluster) fake() *viewtest.Fake {
	return &viewtest.Fake{
		ACLsFn: func(context.Context) ([]kafkaclient.ACL, error) {
			a.reads++
			return a.acls, nil
		},
		CreateACLFn: func(_ context.Context, x kafkaclient.ACL) error {
			a.created = append(a.created, x)
			a.acls = append(a.acls, x)
			return nil
		},
		DeleteACLFn: func(_ context.Context, x kafkaclient.ACL) (int, error) {
			a.deleted = append(a.deleted, x)
			if a.matched >= 0 {
				return a.matched, nil
			}
			n := 0
			for i := len(a.acls) - 1; i >= 0; i-- {
				if a.acls[i] == x {
					a.acls = append(a.acls[:i], a.acls[i+1:]...)
					n++
				}
			}
			return n, nil
		},
	}
}

func aclCommon(t *testing.T, cl *aclCluster) (*Common, *memAudit) {
	c := testCommon(t)
	audit := &memAudit{}
	c.Client, c.Audit, c.Context = ClientOf(cl.fake()), audit, "prod"
	return c, audit
}

var (
	ctrlD    = tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}
	rightKey = tea.KeyPressMsg{Code: tea.KeyRight}
	enterKey = tea.KeyPressMsg{Code: tea.KeyEnter}
)

var aliceReads = kafkaclient.ACL{Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders"}

// TestNewACLFormPreviewConfirm fills the form, sees the binding refused
// while wrong, then previewed as kafka-acls --add prints it, and added on
// enter: the client gets exactly that binding, the audit file records
// it, and the list reads the bindings again.
func TestNewACLFormPreviewConfirm(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		cl := &aclCluster{acls: []kafkaclient.ACL{aliceReads}, matched: -1}
		c, audit := aclCommon(t, cl)
		h.push(NewACLs(c))
		h.send(press("n"))
		if len(h.stack) != 2 {
			t.Fatalf("n opened no form; notices %v", h.notices())
		}
		h.keys("alice")
		h.send(ctrlS)
		if s := plain(h.top()); !strings.Contains(s, `"alice" is not Type:name`) || len(cl.created) != 0 {
			t.Fatalf("a principal without its type was sent (%v) or not reported:\n%s", cl.created, s)
		}
		for range len("alice") {
			h.send(tea.KeyPressMsg{Code: tea.KeyBackspace})
		}
		h.keys("User:bob")
		h.send(tabKey) // host stays *
		h.send(tabKey)
		h.send(rightKey) // READ → WRITE
		h.send(tabKey)   // ALLOW
		h.send(tabKey)   // TOPIC
		h.send(tabKey)
		h.send(rightKey) // LITERAL → PREFIXED
		h.send(tabKey)
		h.keys("orders-")
		h.send(ctrlS)
		if len(cl.created) != 0 {
			t.Fatal("added before the preview was confirmed")
		}
		h.top().SetSize(160, 24)
		s := plain(h.top())
		for _, want := range []string{
			"Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders-, patternType=PREFIXED)`:",
			"(principal=User:bob, host=*, operation=WRITE, permissionType=ALLOW)",
			"User:bob will be allowed WRITE on every topic whose name begins with orders-, from any host.",
			"Press enter to confirm.",
		} {
			if !strings.Contains(s, want) {
				t.Errorf("the preview lacks %q:\n%s", want, s)
			}
		}
		h.send(enterKey)
		want := kafkaclient.ACL{Principal: "User:bob", Host: "*", Operation: "WRITE", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "PREFIXED", Resource: "orders-"}
		if len(cl.created) != 1 || cl.created[0] != want {
			t.Fatalf("created %+v, want %+v", cl.created, want)
		}
		if len(*audit) != 1 || (*audit)[0].Action != "create ACL" || (*audit)[0].Target != want.String() || (*audit)[0].Result != "ok" || (*audit)[0].Context != "prod" {
			t.Errorf("audit %+v", *audit)
		}
		if len(h.stack) != 1 || cl.reads != 3 || !strings.Contains(plain(h.top()), "User:bob") {
			t.Errorf("after adding: %d views, %d reads (want the list read again), list:\n%s", len(h.stack), cl.reads, plain(h.top()))
		}
		if !strings.Contains(strings.Join(h.notices(), "\n"), "added ACL: User:bob ALLOW WRITE on TOPIC orders- (PREFIXED) from *") {
			t.Errorf("notices %q", h.notices())
		}
	})
}

// TestNewDenyACLWantsTheWord: a DENY can stop running clients, so enter
// alone does not add it; and a binding the cluster has is not added again.
func TestNewDenyACLWantsTheWord(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		cl := &aclCluster{acls: []kafkaclient.ACL{aliceReads}, matched: -1}
		c, audit := aclCommon(t, cl)
		h.push(NewACLs(c))
		fill := func(deny bool) {
			h.send(press("n"))
			h.keys("User:alice")
			for range 3 {
				h.send(tabKey)
			}
			if deny {
				h.send(rightKey)
			}
			for range 3 {
				h.send(tabKey)
			}
			h.keys("orders")
			h.send(ctrlS)
		}
		fill(false)
		if s := plain(h.top()); !strings.Contains(s, "The cluster already has this binding.") {
			t.Errorf("adding a binding the cluster has:\n%s", s)
		}
		h.send(enterKey)
		fill(true)
		if s := plain(h.top()); !strings.Contains(s, "Type deny to confirm") || !strings.Contains(s, "A DENY wins over every ALLOW") {
			t.Fatalf("a DENY preview:\n%s", s)
		}
		h.send(enterKey)
		if len(cl.created) != 0 {
			t.Fatal("a DENY was added on enter alone")
		}
		h.keys("deny")
		h.send(enterKey)
		if len(cl.created) != 1 || cl.created[0].Permission != "DENY" || len(*audit) != 1 {
			t.Errorf("created %+v, audit %+v", cl.created, *audit)
		}
	})
}

// TestDeleteACLWantsTheWord deletes the binding under the cursor, as
// listed, once "delete" is typed; a delete that matched nothing is a
// failure the audit file records.
func TestDeleteACLWantsTheWord(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		aliceWrites := aliceReads
		aliceWrites.Operation = "WRITE"
		cl := &aclCluster{acls: []kafkaclient.ACL{aliceReads, aliceWrites}, matched: -1}
		c, audit := aclCommon(t, cl)
		h.push(NewACLs(c))
		h.send(press("j")) // the list is by principal, then as kafka-acls: READ, WRITE
		h.send(ctrlD)
		if len(h.stack) != 2 {
			t.Fatalf("ctrl+d opened nothing; notices %v", h.notices())
		}
		h.top().SetSize(160, 24)
		s := plain(h.top())
		for _, want := range []string{
			"Removing ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`:",
			"(principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW)",
			"Type delete to confirm",
		} {
			if !strings.Contains(s, want) {
				t.Errorf("the confirmation lacks %q:\n%s", want, s)
			}
		}
		h.send(enterKey)
		h.keys("delet")
		h.send(enterKey)
		if len(cl.deleted) != 0 {
			t.Fatal("deleted without the word")
		}
		h.keys("e")
		h.send(enterKey)
		if len(cl.deleted) != 1 || cl.deleted[0] != aliceWrites {
			t.Fatalf("deleted %+v, want %+v", cl.deleted, aliceWrites)
		}
		if len(*audit) != 1 || (*audit)[0].Action != "delete ACL" || (*audit)[0].Target != aliceWrites.String() || (*audit)[0].Result != "ok" {
			t.Errorf("audit %+v", *audit)
		}
		if s := plain(h.top()); len(h.stack) != 1 || strings.Contains(s, "WRITE") || !strings.Contains(s, "READ") {
			t.Errorf("after deleting, the list shows:\n%s", s)
		}

		cl.matched = 0
		h.send(ctrlD)
		h.keys("delete")
		h.send(enterKey)
		if s := plain(h.top()); len(h.stack) != 2 || !strings.Contains(s, "already gone") {
			t.Errorf("a delete that matched nothing:\n%s", s)
		}
		if len(*audit) != 2 || !strings.Contains((*audit)[1].Result, "already gone") {
			t.Errorf("audit %+v", *audit)
		}
	})
}

// TestACLDialogsEscapeHostileNames: a principal from the cluster with an
// escape sequence reaches the delete confirmation escaped, and a bidi
// override pasted into the form is refused, shown escaped.
func TestACLDialogsEscapeHostileNames(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		evil := kafkaclient.ACL{Principal: "User:m\x1b[31mallory\x1b]0;pwned\x07", Host: "*", Operation: "READ", Permission: "DENY", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders\u202e"}
		cl := &aclCluster{acls: []kafkaclient.ACL{evil}, matched: -1}
		c, _ := aclCommon(t, cl)
		h.push(NewACLs(c))
		h.send(ctrlD)
		h.top().SetSize(160, 24)
		raw, s := h.top().View(), plain(h.top())
		if strings.Contains(raw, "\x1b[31mallory") || strings.Contains(raw, "\x1b]0;") || strings.Contains(raw, "\u202e") {
			t.Error("a raw escape from the cluster reached the confirmation")
		}
		for _, want := range []string{`principal=User:m\x1b[31mallory\x1b]0;pwned\x07`, `name=orders\u202e`} {
			if !strings.Contains(s, want) {
				t.Errorf("the confirmation lacks %q:\n%s", want, s)
			}
		}
		h.keys("delete")
		h.send(enterKey)
		if len(cl.deleted) != 1 || cl.deleted[0] != evil {
			t.Errorf("deleted %q, want the binding with its bytes as the cluster gave them", cl.deleted)
		}

		h.send(press("n"))
		h.send(tea.PasteMsg{Content: "User:eve\u202eevil"})
		h.send(ctrlS)
		raw, s = h.top().View(), plain(h.top())
		if strings.Contains(raw, "\u202e") || !strings.Contains(s, `User:eve\u202eevil`) || !strings.Contains(s, "invisible character") || len(cl.created) != 0 {
			t.Errorf("a pasted escape was not refused, or reached the screen raw:\n%s", s)
		}
	})
}

// TestACLKeysRefusedReadOnly: read-only mode disables n and ctrl+d here
// and says so.
func TestACLKeysRefusedReadOnly(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		cl := &aclCluster{acls: []kafkaclient.ACL{aliceReads}, matched: -1}
		c, _ := aclCommon(t, cl)
		c.ReadOnly = true
		c.Keys.SetReadOnly(true)
		h.push(NewACLs(c))
		h.send(press("n"))
		h.send(ctrlD)
		got := strings.Join(h.notices(), "\n")
		if len(h.stack) != 1 || !strings.Contains(got, "read-only mode: n (new ACL) is disabled") || !strings.Contains(got, "read-only mode: ctrl+d (delete ACL) is disabled") {
			t.Errorf("read-only: %d views, notices %q", len(h.stack), h.notices())
		}
	})
}

// TestACLKeysAreDistinct: bindings whose fields hold what a separator
// would be are still told apart, so ctrl+d names the row's own binding.
func TestACLKeysAreDistinct(t *testing.T) {
	// Joined with NULs, both would read x␀User:a␀User:b.
	a := kafkaclient.ACL{Principal: "User:b", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "x\x00User:a"}
	b := a
	b.Resource, b.Principal = "x", "User:a\x00User:b"
	if aclKey(a) == aclKey(b) {
		t.Errorf("two bindings share the key %q", aclKey(a))
	}
}
