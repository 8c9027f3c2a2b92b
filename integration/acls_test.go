//go:build realkafka

package integration

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestACLsAgreeWithKafkaACLs adds bindings of several kinds with
// kafka-acls --add and compares what kscope lists with kafka-acls --list,
// for the resources this run made.
func TestACLsAgreeWithKafkaACLs(t *testing.T) {
	restoreNodes(t)
	topic, group, prefix := name("acl-topic"), name("acl-group"), name("acl-prefix")+"-"
	add := func(args ...string) {
		tool(t, "kafka-acls", append([]string{"--bootstrap-server", bootstrapArg(), "--add"}, args...)...)
	}
	add("--allow-principal", "User:alice", "--operation", "Read", "--operation", "Describe", "--topic", topic)
	add("--deny-principal", "User:mallory", "--deny-host", "10.0.0.9", "--operation", "Write", "--topic", prefix, "--resource-pattern-type", "prefixed")
	add("--allow-principal", "User:alice", "--operation", "Read", "--group", group)
	add("--allow-principal", "User:bob", "--operation", "IdempotentWrite", "--cluster")
	t.Cleanup(func() {
		for _, r := range [][]string{{"--topic", topic}, {"--topic", prefix, "--resource-pattern-type", "prefixed"}, {"--group", group},
			{"--cluster", "--allow-principal", "User:bob", "--operation", "IdempotentWrite"}} {
			_, _ = runTool(t.Context(), "kafka-acls", append([]string{"--bootstrap-server", bootstrapArg(), "--remove", "--force"}, r...)...)
		}
	})
	mine := func(line string) bool {
		return strings.Contains(line, rig.run) || strings.Contains(line, "CLUSTER kafka-cluster") && strings.Contains(line, "User:bob")
	}
	s := connect(t, config())
	kscope := func(t testing.TB) string {
		acls, err := s.ACLs(t.Context())
		if err != nil {
			t.Fatalf("ACLs: %v", err)
		}
		var out []string
		for _, a := range acls {
			if l := strings.Join([]string{a.ResourceType, a.Resource, a.PatternType, a.Principal, a.Host, a.Operation, a.Permission}, " "); mine(l) {
				out = append(out, l)
			}
		}
		return lines(out)
	}
	resource := regexp.MustCompile(`ResourcePattern\(resourceType=(\w+), name=(.*), patternType=(\w+)\)`)
	binding := regexp.MustCompile(`\(principal=(.*), host=(.*), operation=(\w+), permissionType=(\w+)\)`)
	reference := func(t testing.TB) string {
		var out []string
		var res []string
		for _, l := range strings.Split(toolText(t, "kafka-acls", "--bootstrap-server", bootstrapArg(), "--list"), "\n") {
			if m := resource.FindStringSubmatch(l); m != nil {
				res = m[1:]
			} else if m := binding.FindStringSubmatch(l); m != nil && res != nil {
				if l := strings.Join(append(slices.Clone(res), m[1:]...), " "); mine(l) {
					out = append(out, l)
				}
			}
		}
		return lines(out)
	}
	got := agree(t, "ACLs", time.Minute, kscope, reference)
	if n := len(strings.Split(got, "\n")); n != 5 {
		t.Errorf("%d bindings of this run listed, want the 5 added:\n%s", n, got)
	}
}
