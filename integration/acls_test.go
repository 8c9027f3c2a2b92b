//go:build realkafka

package integration

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
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
			// Not t.Context(): it is cancelled before cleanups run.
			_, _ = runTool(context.Background(), "kafka-acls", append([]string{"--bootstrap-server", bootstrapArg(), "--remove", "--force"}, r...)...)
		}
	})
	mine := func(line string) bool {
		return strings.Contains(line, rig.run) || strings.Contains(line, "CLUSTER kafka-cluster") && strings.Contains(line, "User:bob")
	}
	s := connect(t, config())
	got := agree(t, "ACLs", time.Minute, kscopeACLs(s.ACLs, mine), kafkaACLs(mine))
	if n := len(strings.Split(got, "\n")); n != 5 {
		t.Errorf("%d bindings of this run listed, want the 5 added:\n%s", n, got)
	}

	// The bindings that apply to one topic or group, as kafka-acls
	// matches them: its own, the wildcard's, the prefixes it begins with.
	all := func(string) bool { return true }
	for _, r := range []struct{ kind, flag, name string }{{"TOPIC", "--topic", prefix + "x"}, {"TOPIC", "--topic", topic}, {"GROUP", "--group", group}} {
		list := func(ctx context.Context) ([]kafkaclient.ACL, error) { return s.ACLsFor(ctx, r.kind, r.name) }
		got := agree(t, "ACLs of "+r.name, time.Minute, kscopeACLs(list, all), kafkaACLs(all, r.flag, r.name, "--resource-pattern-type", "match"))
		if !strings.Contains(got, rig.run) {
			t.Errorf("%s %s: none of this run's bindings apply:\n%s", r.kind, r.name, got)
		}
	}
}

// TestACLCreateAndDeleteAgreeWithKafkaACLs adds a binding with kscope and
// finds it in kafka-acls --list; adds its near twins with kafka-acls, each
// differing from it in one field; then deletes the binding with kscope:
// kafka-acls --list no longer has it, and has every twin still.
func TestACLCreateAndDeleteAgreeWithKafkaACLs(t *testing.T) {
	restoreNodes(t)
	topic, principal := name("acl-kscope"), "User:"+name("acl-user")
	t.Cleanup(func() {
		for _, r := range [][]string{{"--topic", topic}, {"--topic", topic, "--resource-pattern-type", "prefixed"}, {"--group", topic}} {
			_, _ = runTool(context.Background(), "kafka-acls", append([]string{"--bootstrap-server", bootstrapArg(), "--remove", "--force"}, r...)...)
		}
	})
	// Every binding of this test names the topic, and none of another.
	mine := func(line string) bool { return strings.Contains(line, topic) }
	s := connect(t, config())
	target := kafkaclient.ACL{Principal: principal, Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: topic}
	if err := s.CreateACL(t.Context(), target); err != nil {
		t.Fatalf("CreateACL: %v", err)
	}
	targetLine := strings.Join([]string{"TOPIC", topic, "LITERAL", principal, "*", "READ", "ALLOW"}, " ")
	eventually(t, "kafka-acls --list shows the binding kscope added", time.Minute, func() string {
		if got := kafkaACLs(mine)(t); got != targetLine {
			return "kafka-acls lists:\n" + got
		}
		return ""
	})

	add := func(args ...string) string {
		return tool(t, "kafka-acls", append([]string{"--bootstrap-server", bootstrapArg(), "--add"}, args...)...)
	}
	// kscope previews a binding in the words kafka-acls --add prints.
	writes := target
	writes.Operation = "WRITE"
	if out := add("--allow-principal", principal, "--operation", "Write", "--topic", topic); !strings.Contains(out, "Adding ACLs for resource `"+writes.Pattern()+"`") || !strings.Contains(out, writes.Entry()) {
		t.Errorf("kafka-acls --add printed\n%s\nnot %s and %s", out, writes.Pattern(), writes.Entry())
	}
	add("--allow-principal", principal, "--operation", "Read", "--topic", topic, "--resource-pattern-type", "prefixed")
	add("--allow-principal", principal, "--allow-host", "10.0.0.9", "--operation", "Read", "--topic", topic)
	add("--deny-principal", principal, "--operation", "Read", "--topic", topic)
	add("--allow-principal", principal+"2", "--operation", "Read", "--topic", topic)
	add("--allow-principal", principal, "--operation", "All", "--topic", topic)
	add("--allow-principal", principal, "--operation", "Read", "--group", topic)
	before := agree(t, "ACLs with the twins", time.Minute, kscopeACLs(s.ACLs, mine), kafkaACLs(mine))
	if n := len(strings.Split(before, "\n")); n != 8 || !strings.Contains(before, targetLine) {
		t.Fatalf("want the binding and its 7 twins, have %d:\n%s", n, before)
	}

	n, err := s.DeleteACL(t.Context(), target)
	if err != nil || n != 1 {
		t.Fatalf("DeleteACL = %d, %v; want 1 deleted", n, err)
	}
	var want []string
	for _, l := range strings.Split(before, "\n") {
		if l != targetLine {
			want = append(want, l)
		}
	}
	eventually(t, "kafka-acls --list after kscope's delete", time.Minute, func() string {
		if got := kafkaACLs(mine)(t); got != lines(want) {
			return "kafka-acls lists:\n" + got + "\nwant every twin and not the binding:\n" + lines(want)
		}
		return ""
	})
	agree(t, "ACLs after the delete", time.Minute, kscopeACLs(s.ACLs, mine), kafkaACLs(mine))
}

// kscopeACLs lists the bindings kscope reads that mine picks, one line
// each: type, name, pattern, principal, host, operation, permission.
func kscopeACLs(list func(context.Context) ([]kafkaclient.ACL, error), mine func(string) bool) func(testing.TB) string {
	return func(t testing.TB) string {
		acls, err := list(t.Context())
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
}

// kafkaACLs is kscopeACLs as kafka-acls --list gives them, with filter
// arguments added to the list.
func kafkaACLs(mine func(string) bool, filter ...string) func(testing.TB) string {
	resource := regexp.MustCompile(`ResourcePattern\(resourceType=(\w+), name=(.*), patternType=(\w+)\)`)
	binding := regexp.MustCompile(`\(principal=(.*), host=(.*), operation=(\w+), permissionType=(\w+)\)`)
	return func(t testing.TB) string {
		var out []string
		var res []string
		for _, l := range strings.Split(toolText(t, "kafka-acls", append([]string{"--bootstrap-server", bootstrapArg(), "--list"}, filter...)...), "\n") {
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
}

// TestUsersAgreeWithKafkaConfigs compares the SCRAM credentials kscope
// lists with kafka-configs --describe --entity-type users, and checks
// that no secret reaches kscope's answer.
func TestUsersAgreeWithKafkaConfigs(t *testing.T) {
	restoreNodes(t)
	s := connect(t, config())
	kscope := func(t testing.TB) string {
		creds, err := s.ScramCredentials(t.Context())
		if err != nil {
			t.Fatalf("ScramCredentials: %v", err)
		}
		var out []string
		for _, c := range creds {
			out = append(out, fmt.Sprintf("%s %s=iterations=%d", c.User, c.Mechanism, c.Iterations))
		}
		return lines(out)
	}
	// SCRAM credential configs for user-principal 'admin' are SCRAM-SHA-512=iterations=4096
	line := regexp.MustCompile(`SCRAM credential configs for user-principal '(.*)' are (.*)$`)
	reference := func(t testing.TB) string {
		var out []string
		for _, l := range strings.Split(toolText(t, "kafka-configs", "--bootstrap-server", bootstrapArg(), "--describe", "--entity-type", "users"), "\n") {
			if m := line.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
				for _, cred := range strings.Split(m[2], ",") {
					out = append(out, m[1]+" "+strings.TrimSpace(cred))
				}
			}
		}
		return lines(out)
	}
	got := agree(t, "SCRAM credentials", time.Minute, kscope, reference)
	for _, user := range []string{rig.env["KSCOPE_RIG_ADMIN_USER"], rig.env["KSCOPE_RIG_LIMITED_USER"]} {
		if !strings.Contains(got, user+" SCRAM-SHA-512=iterations=") {
			t.Errorf("user %s is not listed:\n%s", user, got)
		}
	}
	for _, secret := range []string{rig.env["KSCOPE_RIG_ADMIN_PASSWORD"], rig.env["KSCOPE_RIG_LIMITED_PASSWORD"]} {
		if secret != "" && strings.Contains(got, secret) {
			t.Error("a password reached kscope's answer")
		}
	}
}

// TestQuotasAgreeWithKafkaConfigs sets quotas on a user, a client id, the
// two together and an IP with kafka-configs --alter, and compares what
// kscope lists for them with kafka-configs --describe of each entity.
// Defaults are left alone: they would throttle the other tests' clients.
func TestQuotasAgreeWithKafkaConfigs(t *testing.T) {
	restoreNodes(t)
	user, client, ip := name("quota-user"), name("quota-client"), "10.99.0.7"
	entities := [][]string{
		{"--entity-type", "users", "--entity-name", user},
		{"--entity-type", "clients", "--entity-name", client},
		{"--entity-type", "users", "--entity-name", user, "--entity-type", "clients", "--entity-name", client},
		{"--entity-type", "ips", "--entity-name", ip},
	}
	limits := []string{"producer_byte_rate=1048576,consumer_byte_rate=2097152", "request_percentage=12.5", "producer_byte_rate=4096", "connection_creation_rate=5"}
	for i, e := range entities {
		tool(t, "kafka-configs", append([]string{"--bootstrap-server", bootstrapArg(), "--alter", "--add-config", limits[i]}, e...)...)
	}
	t.Cleanup(func() {
		for i, e := range entities {
			var keys []string
			for _, kv := range strings.Split(limits[i], ",") {
				keys = append(keys, strings.SplitN(kv, "=", 2)[0])
			}
			_, _ = runTool(context.Background(), "kafka-configs", append([]string{"--bootstrap-server", bootstrapArg(), "--alter", "--delete-config", strings.Join(keys, ",")}, e...)...)
		}
	})
	s := connect(t, config())
	kscope := func(t testing.TB) string {
		quotas, err := s.Quotas(t.Context())
		if err != nil {
			t.Fatalf("Quotas: %v", err)
		}
		var out []string
		for _, q := range quotas {
			if q.User == user || q.ClientID == client || q.IP == ip {
				out = append(out, fmt.Sprintf("user=%s client=%s ip=%s %s=%s", q.User, q.ClientID, q.IP, q.Key, strconv.FormatFloat(q.Value, 'f', -1, 64)))
			}
		}
		return lines(out)
	}
	// Quota configs for user-principal 'u', client-id 'c' are producer_byte_rate=4096.0
	line := regexp.MustCompile(`^Quota configs for (.*) are (.*)$`)
	part := regexp.MustCompile(`(user-principal|client-id|ip) '([^']*)'`)
	// Describing a user may list its entity with a client id too, which
	// describing both lists again: each limit counts once.
	reference := func(t testing.TB) string {
		seen := map[string]bool{}
		var out []string
		for _, e := range entities {
			for _, l := range strings.Split(toolText(t, "kafka-configs", append([]string{"--bootstrap-server", bootstrapArg(), "--describe"}, e...)...), "\n") {
				m := line.FindStringSubmatch(strings.TrimSpace(l))
				if m == nil {
					continue
				}
				names := map[string]string{}
				for _, p := range part.FindAllStringSubmatch(m[1], -1) {
					names[p[1]] = p[2]
				}
				for _, kv := range strings.Split(m[2], ", ") {
					k, v, _ := strings.Cut(kv, "=")
					f, err := strconv.ParseFloat(v, 64)
					if err != nil {
						t.Fatalf("kafka-configs said %q", l)
					}
					if l := fmt.Sprintf("user=%s client=%s ip=%s %s=%s", names["user-principal"], names["client-id"], names["ip"], k, strconv.FormatFloat(f, 'f', -1, 64)); !seen[l] {
						seen[l] = true
						out = append(out, l)
					}
				}
			}
		}
		return lines(out)
	}
	got := agree(t, "quotas", time.Minute, kscope, reference)
	if n := len(strings.Split(got, "\n")); n != 5 {
		t.Errorf("%d limits of this run listed, want the 5 set:\n%s", n, got)
	}
}
