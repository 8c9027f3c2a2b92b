package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
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
