package demo

import (
	"fmt"

	"github.com/IBM/sarama"
)

// demoACLs are the demo's ACLs, for :acls to show. The demo cluster does
// not enforce ACLs, so its own clients are not held to them. It has no
// SCRAM users: kfake lists them only for a request that names none with
// null, which sarama cannot send, so :users could not show them.
var demoACLs = []*sarama.ResourceAcls{
	demoACL(sarama.AclResourceTopic, topicOrders, sarama.AclPatternLiteral, "User:billing", sarama.AclOperationRead, sarama.AclPermissionAllow),
	demoACL(sarama.AclResourceGroup, groupBilling, sarama.AclPatternLiteral, "User:billing", sarama.AclOperationRead, sarama.AclPermissionAllow),
	demoACL(sarama.AclResourceTopic, "sensor-", sarama.AclPatternPrefixed, "User:iot-gateway", sarama.AclOperationWrite, sarama.AclPermissionAllow),
	demoACL(sarama.AclResourceTopic, topicAudit, sarama.AclPatternLiteral, "User:intern", sarama.AclOperationRead, sarama.AclPermissionDeny),
	demoACL(sarama.AclResourceCluster, "kafka-cluster", sarama.AclPatternLiteral, "User:ops", sarama.AclOperationAlter, sarama.AclPermissionAllow),
}

func demoACL(rt sarama.AclResourceType, name string, pattern sarama.AclResourcePatternType, principal string, op sarama.AclOperation, perm sarama.AclPermissionType) *sarama.ResourceAcls {
	return &sarama.ResourceAcls{
		Resource: sarama.Resource{ResourceType: rt, ResourceName: name, ResourcePatternType: pattern},
		Acls:     []*sarama.Acl{{Principal: principal, Host: "*", Operation: op, PermissionType: perm}},
	}
}

// demoQuota is one of the demo's client quotas, for :quotas to show; a
// part named "" is that entity type's default.
type demoQuota struct {
	user, clientID string
	key            string
	value          float64
}

var demoQuotas = []demoQuota{
	{user: "billing", key: "producer_byte_rate", value: 1 << 20},
	{user: "billing", key: "consumer_byte_rate", value: 4 << 20},
	{clientID: "inventory-sync", key: "request_percentage", value: 25},
	{user: "iot-gateway", clientID: "sensor-bridge", key: "producer_byte_rate", value: 256 << 10},
	{user: "", key: "consumer_byte_rate", value: 10 << 20},
}

// entity is the quota's entity as AlterClientQuotas names it.
func (q demoQuota) entity() []sarama.QuotaEntityComponent {
	var out []sarama.QuotaEntityComponent
	if q.user != "" || q.clientID == "" {
		out = append(out, quotaPart(sarama.QuotaEntityUser, q.user))
	}
	if q.clientID != "" {
		out = append(out, quotaPart(sarama.QuotaEntityClientID, q.clientID))
	}
	return out
}

func quotaPart(typ sarama.QuotaEntityType, name string) sarama.QuotaEntityComponent {
	if name == "" {
		return sarama.QuotaEntityComponent{EntityType: typ, MatchType: sarama.QuotaMatchDefault}
	}
	return sarama.QuotaEntityComponent{EntityType: typ, MatchType: sarama.QuotaMatchExact, Name: name}
}

// createACLs gives the demo cluster its ACLs and client quotas.
func (w *workload) createACLs() error {
	admin, err := sarama.NewClusterAdmin(w.addrs, w.config("kscope-demo-admin"))
	if err != nil {
		return fmt.Errorf("connect admin client: %w", err)
	}
	defer admin.Close()
	if err := admin.CreateACLs(demoACLs); err != nil {
		return fmt.Errorf("create ACLs: %w", err)
	}
	for _, q := range demoQuotas {
		if err := admin.AlterClientQuotas(q.entity(), sarama.ClientQuotasOp{Key: q.key, Value: q.value}, false); err != nil {
			return fmt.Errorf("set quota %s: %w", q.key, err)
		}
	}
	return nil
}
