package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestACLsListsEveryBinding creates bindings of several kinds through the
// CreateAcls API and reads them back, in order and in Kafka's words.
func TestACLsListsEveryBinding(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(1, "orders"))
	cl := connect(t, c)
	b := openBroker(t, c)
	create := func(rt sarama.AclResourceType, name string, pattern sarama.AclResourcePatternType, principal string, op sarama.AclOperation, perm sarama.AclPermissionType) *sarama.AclCreation {
		return &sarama.AclCreation{
			Resource: sarama.Resource{ResourceType: rt, ResourceName: name, ResourcePatternType: pattern},
			Acl:      sarama.Acl{Principal: principal, Host: "*", Operation: op, PermissionType: perm},
		}
	}
	resp, err := b.CreateAcls(&sarama.CreateAclsRequest{Version: 1, AclCreations: []*sarama.AclCreation{
		create(sarama.AclResourceTopic, "orders", sarama.AclPatternLiteral, "User:alice", sarama.AclOperationRead, sarama.AclPermissionAllow),
		create(sarama.AclResourceTopic, "orders-", sarama.AclPatternPrefixed, "User:bob", sarama.AclOperationWrite, sarama.AclPermissionDeny),
		create(sarama.AclResourceGroup, "billing", sarama.AclPatternLiteral, "User:alice", sarama.AclOperationDescribe, sarama.AclPermissionAllow),
		create(sarama.AclResourceCluster, "kafka-cluster", sarama.AclPatternLiteral, "User:ops", sarama.AclOperationClusterAction, sarama.AclPermissionAllow),
		create(sarama.AclResourceTransactionalID, "tx-", sarama.AclPatternPrefixed, "User:bob", sarama.AclOperationIdempotentWrite, sarama.AclPermissionAllow),
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resp.AclCreationResponses {
		if !errors.Is(r.Err, sarama.ErrNoError) {
			t.Fatalf("create: %v", r.Err)
		}
	}
	acls, err := cl.ACLs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range acls {
		got = append(got, fmt.Sprintf("%s %s %s %s %s %s %s", a.ResourceType, a.Resource, a.PatternType, a.Principal, a.Host, a.Operation, a.Permission))
	}
	want := []string{
		"CLUSTER kafka-cluster LITERAL User:ops * CLUSTER_ACTION ALLOW",
		"GROUP billing LITERAL User:alice * DESCRIBE ALLOW",
		"TOPIC orders LITERAL User:alice * READ ALLOW",
		"TOPIC orders- PREFIXED User:bob * WRITE DENY",
		"TRANSACTIONAL_ID tx- PREFIXED User:bob * IDEMPOTENT_WRITE ALLOW",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ACLs:\n%q\nwant\n%q", got, want)
	}
}

func TestKafkaWord(t *testing.T) {
	for in, want := range map[string]string{
		"Read": "READ", "ClusterAction": "CLUSTER_ACTION", "TransactionalID": "TRANSACTIONAL_ID",
		"DelegationToken": "DELEGATION_TOKEN", "IdempotentWrite": "IDEMPOTENT_WRITE", "Prefixed": "PREFIXED",
	} {
		if got := kafkaWord(in); got != want {
			t.Errorf("kafkaWord(%q) = %q, want %q", in, got, want)
		}
	}
}

// aclLines are bindings as one line each, every field in it.
func aclLines(acls []ACL) []string {
	out := make([]string, 0, len(acls))
	for _, a := range acls {
		out = append(out, fmt.Sprintf("%s %s %s %s %s %s %s", a.ResourceType, a.Resource, a.PatternType, a.Principal, a.Host, a.Operation, a.Permission))
	}
	return out
}

func listACLs(t *testing.T, cl *Client) []string {
	t.Helper()
	acls, err := cl.ACLs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return aclLines(acls)
}

// TestDeleteACLDeletesOnlyTheBindingShown creates a binding and its near
// twins with CreateACL, each differing from it in one field, and deletes
// the binding as ACLs listed it: the twins all stay. A filter with one
// field left to "any", or with the MATCH pattern type, would take some.
func TestDeleteACLDeletesOnlyTheBindingShown(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1)
	cl := connect(t, c)
	ctx := context.Background()
	target := ACL{Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders"}
	twin := func(change func(*ACL)) ACL {
		a := target
		change(&a)
		return a
	}
	twins := []ACL{
		twin(func(a *ACL) { a.Operation = "WRITE" }),
		twin(func(a *ACL) { a.PatternType = "PREFIXED" }),
		twin(func(a *ACL) { a.Resource = "*" }),
		twin(func(a *ACL) { a.Resource = "orders-eu" }),
		twin(func(a *ACL) { a.Host = "10.0.0.9" }),
		twin(func(a *ACL) { a.Permission = "DENY" }),
		twin(func(a *ACL) { a.Principal = "User:alice2" }),
		twin(func(a *ACL) { a.Principal = "User:*" }),
		twin(func(a *ACL) { a.Operation = "ALL" }),
		twin(func(a *ACL) { a.ResourceType = "GROUP" }),
	}
	for _, a := range append([]ACL{target}, twins...) {
		if err := cl.CreateACL(ctx, a); err != nil {
			t.Fatalf("create %s: %v", a, err)
		}
	}
	before := listACLs(t, cl)
	if want := aclLines(append([]ACL{target}, twins...)); len(before) != len(want) {
		t.Fatalf("listed %d bindings, want the %d created:\n%q", len(before), len(want), before)
	}
	if !slices.Contains(before, "TOPIC orders LITERAL User:alice * READ ALLOW") {
		t.Fatalf("the binding created does not list back as it was:\n%q", before)
	}

	n, err := cl.DeleteACL(ctx, target)
	if err != nil || n != 1 {
		t.Fatalf("DeleteACL = %d, %v; want 1 deleted", n, err)
	}
	after := listACLs(t, cl)
	want := aclLines(twins)
	slices.Sort(after)
	slices.Sort(want)
	if fmt.Sprint(after) != fmt.Sprint(want) {
		t.Errorf("after deleting %s the cluster holds\n%q\nwant the twins, untouched:\n%q", target, after, want)
	}

	if n, err := cl.DeleteACL(ctx, target); err != nil || n != 0 {
		t.Errorf("deleting it again = %d, %v; want 0 deleted and no error", n, err)
	}
}

// TestDeleteACLRefusesWildcards: a binding whose words are not concrete
// values (ANY, MATCH, a type kscope cannot name) is never sent as a
// filter, since it would match more than one binding.
func TestDeleteACLRefusesWildcards(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1)
	cl := connect(t, c)
	ctx := context.Background()
	keep := ACL{Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders"}
	if err := cl.CreateACL(ctx, keep); err != nil {
		t.Fatal(err)
	}
	deletes := countRequests(c, kmsg.DeleteACLs)
	for field, a := range map[string]ACL{
		"Operation":    {Principal: "User:alice", Host: "*", Operation: "ANY", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders"},
		"Permission":   {Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ANY", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders"},
		"PatternType":  {Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "MATCH", Resource: "orders"},
		"ResourceType": {Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "UNKNOWN", PatternType: "LITERAL", Resource: "orders"},
	} {
		n, err := cl.DeleteACL(ctx, a)
		if fes := FieldErrors(err); n != 0 || len(fes) != 1 || fes[0].Field != field {
			t.Errorf("DeleteACL with %s %+v = %d, %v; want a FieldError on %s", field, a, n, err, field)
		}
	}
	if deletes.Load() != 0 {
		t.Errorf("%d DeleteAcls requests sent for bindings that were refused", deletes.Load())
	}
	if got := listACLs(t, cl); len(got) != 1 {
		t.Errorf("the binding was touched: %q", got)
	}
}

func TestValidateACL(t *testing.T) {
	t.Parallel()
	good := ACL{Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders"}
	if err := ValidateACL(good); err != nil {
		t.Fatalf("a good binding refused: %v", err)
	}
	for _, ok := range []func(*ACL){
		func(a *ACL) { a.Host = "10.0.0.9" },
		func(a *ACL) { a.Host = "2001:db8::1" },
		func(a *ACL) { a.Principal = "User:*" },
		func(a *ACL) { a.Principal = "Group:ops" },
		func(a *ACL) { a.Resource, a.PatternType = "orders-", "PREFIXED" },
		func(a *ACL) { a.Resource = "*" },
		func(a *ACL) { a.ResourceType, a.Resource, a.Operation = "CLUSTER", "kafka-cluster", "IDEMPOTENT_WRITE" },
		func(a *ACL) { a.ResourceType, a.Resource, a.Operation = "TRANSACTIONAL_ID", "tx-1", "WRITE" },
		func(a *ACL) { a.Permission, a.Operation = "DENY", "ALL" },
	} {
		a := good
		ok(&a)
		if err := ValidateACL(a); err != nil {
			t.Errorf("%s refused: %v", a, err)
		}
	}
	tests := []struct {
		field, msg string
		change     func(*ACL)
	}{
		{"Principal", "who the binding is for", func(a *ACL) { a.Principal = "" }},
		{"Principal", "is not Type:name", func(a *ACL) { a.Principal = "alice" }},
		{"Principal", "is not Type:name", func(a *ACL) { a.Principal = "User:" }},
		{"Principal", "written User, exactly: User:alice", func(a *ACL) { a.Principal = "user:alice" }},
		{"Principal", "invisible character", func(a *ACL) { a.Principal = "User:al\x1b[2Jice" }},
		{"Principal", "invisible character", func(a *ACL) { a.Principal = "User:alice\u202e" }},
		{"Resource", "invisible character", func(a *ACL) { a.Resource = "ord\u200bers" }},
		{"Principal", "space", func(a *ACL) { a.Principal = "User:alice " }},
		{"Host", "not an IP address", func(a *ACL) { a.Host = "app-1.example.com" }},
		{"Host", "not an IP address", func(a *ACL) { a.Host = "" }},
		{"Operation", `"READS" is not one of READ, WRITE`, func(a *ACL) { a.Operation = "READS" }},
		{"ResourceType", `"NOPE" is not one of TOPIC`, func(a *ACL) { a.ResourceType = "NOPE" }},
		{"Operation", "TOPIC takes READ, WRITE", func(a *ACL) { a.Operation = "IDEMPOTENT_WRITE" }},
		{"Operation", "GROUP takes READ, DESCRIBE, DELETE, ALL", func(a *ACL) { a.ResourceType, a.Operation = "GROUP", "WRITE" }},
		{"Operation", `"ANY" is not one of READ`, func(a *ACL) { a.Operation = "ANY" }},
		{"Permission", `"ANY" is not one of ALLOW, DENY`, func(a *ACL) { a.Permission = "ANY" }},
		{"ResourceType", `"ANY" is not one of TOPIC`, func(a *ACL) { a.ResourceType = "ANY" }},
		{"PatternType", `"MATCH" is not one of LITERAL, PREFIXED`, func(a *ACL) { a.PatternType = "MATCH" }},
		{"Resource", "the name, or * for every one", func(a *ACL) { a.Resource = "" }},
		{"Resource", "PREFIXED * matches only", func(a *ACL) { a.Resource, a.PatternType = "*", "PREFIXED" }},
		{"Resource", "the cluster is named kafka-cluster", func(a *ACL) { a.ResourceType, a.Operation = "CLUSTER", "ALTER" }},
	}
	for _, tt := range tests {
		a := good
		tt.change(&a)
		err := ValidateACL(a)
		var found *FieldError
		for _, fe := range FieldErrors(err) {
			if fe.Field == tt.field {
				found = fe
			}
		}
		if found == nil || !strings.Contains(found.Msg, tt.msg) {
			t.Errorf("%+v: %v; want a FieldError on %s saying %q", a, err, tt.field, tt.msg)
		}
	}
}

// TestCreateACLChecksBeforeSending: an invalid binding is refused with
// the field named, and no CreateAcls request leaves.
func TestCreateACLChecksBeforeSending(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1)
	cl := connect(t, c)
	creates := countRequests(c, kmsg.CreateACLs)
	err := cl.CreateACL(context.Background(), ACL{Principal: "alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders"})
	if fes := FieldErrors(err); len(fes) != 1 || fes[0].Field != "Principal" || !strings.HasPrefix(err.Error(), "create ACL: Principal: ") {
		t.Errorf("err = %v, want one FieldError on Principal", err)
	}
	if creates.Load() != 0 || len(listACLs(t, cl)) != 0 {
		t.Errorf("an invalid binding was sent (%d requests)", creates.Load())
	}
}

// TestACLWritesRefusedReadOnly: a read-only client refuses both writes
// before any request, and the binding stays.
func TestACLWritesRefusedReadOnly(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1)
	a := ACL{Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders"}
	if err := connect(t, c).CreateACL(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	ro, err := Connect(context.Background(), Config{Brokers: c.ListenAddrs(), ConnectTimeout: 5 * time.Second, RefreshInterval: time.Hour, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ro.Close)
	creates, deletes := countRequests(c, kmsg.CreateACLs), countRequests(c, kmsg.DeleteACLs)
	if err := ro.CreateACL(context.Background(), ACL{Principal: "User:bob", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("CreateACL read-only: %v", err)
	}
	if n, err := ro.DeleteACL(context.Background(), a); !errors.Is(err, ErrReadOnly) || n != 0 {
		t.Errorf("DeleteACL read-only: %d, %v", n, err)
	}
	if creates.Load()+deletes.Load() != 0 {
		t.Errorf("read-only mode sent %d CreateAcls and %d DeleteAcls requests", creates.Load(), deletes.Load())
	}
	if got := listACLs(t, ro); len(got) != 1 {
		t.Errorf("bindings after read-only writes: %q", got)
	}
}

// TestACLRequestVersions: the ACL writes go at the version the configured
// release takes; before Kafka 2.0 (version 0) every binding is literal,
// so a prefixed one is refused rather than sent as its literal namesake.
func TestACLRequestVersions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		release string
		want    int16
	}{{"1.1.0", 0}, {"2.8.0", 1}, {"4.0.0", 1}} {
		c := newCluster(t, 1)
		var versions []string
		for _, key := range []kmsg.Key{kmsg.CreateACLs, kmsg.DeleteACLs} {
			c.ControlKey(int16(key), func(req kmsg.Request) (kmsg.Response, error, bool) {
				c.KeepControl()
				versions = append(versions, fmt.Sprintf("%s v%d", kmsg.NameForKey(req.Key()), req.GetVersion()))
				return nil, nil, false
			})
		}
		cl := connectAt(t, c, tt.release)
		ctx := context.Background()
		a := ACL{Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders"}
		if err := cl.CreateACL(ctx, a); err != nil {
			t.Fatalf("%s: %v", tt.release, err)
		}
		if got := listACLs(t, cl); fmt.Sprint(got) != "[TOPIC orders LITERAL User:alice * READ ALLOW]" {
			t.Errorf("%s lists %q", tt.release, got)
		}
		if n, err := cl.DeleteACL(ctx, a); n != 1 || err != nil {
			t.Errorf("%s: delete = %d, %v", tt.release, n, err)
		}
		want := fmt.Sprintf("[CreateACLs v%d DeleteACLs v%d]", tt.want, tt.want)
		if fmt.Sprint(versions) != want {
			t.Errorf("%s sent %v, want %s", tt.release, versions, want)
		}
		a.PatternType = "PREFIXED"
		err := cl.CreateACL(ctx, a)
		if fes := FieldErrors(err); (tt.want == 0) != (len(fes) == 1 && fes[0].Field == "PatternType") {
			t.Errorf("%s: a prefixed binding: %v", tt.release, err)
		}
	}
}

// TestACLInKafkasWords prints a binding as kafka-acls and Kafka's
// AclBinding do.
func TestACLInKafkasWords(t *testing.T) {
	a := ACL{Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "PREFIXED", Resource: "orders-"}
	if got, want := a.String(), "(pattern=ResourcePattern(resourceType=TOPIC, name=orders-, patternType=PREFIXED), entry=(principal=User:alice, host=*, operation=READ, permissionType=ALLOW))"; got != want {
		t.Errorf("String() = %s\nwant       %s", got, want)
	}
	if got := ACLChoices("Operation"); fmt.Sprint(got) != "[READ WRITE DESCRIBE CREATE DELETE ALTER DESCRIBE_CONFIGS ALTER_CONFIGS CLUSTER_ACTION IDEMPOTENT_WRITE ALL]" {
		t.Errorf("operations %v", got)
	}
	if got := ACLChoices("ResourceType"); fmt.Sprint(got) != "[TOPIC GROUP CLUSTER TRANSACTIONAL_ID DELEGATION_TOKEN]" {
		t.Errorf("resource types %v", got)
	}
}

// TestACLsForATopic lists the bindings that apply to one topic — its own,
// the wildcard, a prefix it begins with — and none of the others.
func TestACLsForATopic(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1)
	cl := connect(t, c)
	binding := func(rt, pattern, name string) ACL {
		return ACL{Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: rt, PatternType: pattern, Resource: name}
	}
	for _, a := range []ACL{
		binding("TOPIC", "LITERAL", "orders"), binding("TOPIC", "PREFIXED", "ord"), binding("TOPIC", "LITERAL", "*"),
		binding("TOPIC", "LITERAL", "orders-eu"), binding("TOPIC", "PREFIXED", "orders-"), binding("GROUP", "LITERAL", "orders"),
	} {
		if err := cl.CreateACL(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := cl.ACLsFor(context.Background(), "TOPIC", "orders")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range got {
		names = append(names, a.ResourceType+" "+a.PatternType+" "+a.Resource)
	}
	slices.Sort(names)
	if want := []string{"TOPIC LITERAL *", "TOPIC LITERAL orders", "TOPIC PREFIXED ord"}; !slices.Equal(names, want) {
		t.Errorf("ACLs of topic orders: %v, want %v", names, want)
	}
	if _, err := cl.ACLsFor(context.Background(), "CLUSTER", "kafka-cluster"); err == nil {
		t.Error("a cluster look-up was sent")
	}
}
