//go:build realkafka

package integration

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
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
			_, _ = runTool(t.Context(), "kafka-configs", append([]string{"--bootstrap-server", bootstrapArg(), "--alter", "--delete-config", strings.Join(keys, ",")}, e...)...)
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
