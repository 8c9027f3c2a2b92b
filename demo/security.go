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

// createACLs gives the demo cluster its ACLs.
func (w *workload) createACLs() error {
	admin, err := sarama.NewClusterAdmin(w.addrs, w.config("kscope-demo-admin"))
	if err != nil {
		return fmt.Errorf("connect admin client: %w", err)
	}
	defer admin.Close()
	if err := admin.CreateACLs(demoACLs); err != nil {
		return fmt.Errorf("create ACLs: %w", err)
	}
	return nil
}
