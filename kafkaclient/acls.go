package kafkaclient

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/IBM/sarama"
)

// ACL is one access-control binding: a principal allowed or denied an
// operation on the resources a pattern names. The words are Kafka's own,
// as kafka-acls prints them (TOPIC, PREFIXED, READ, ALLOW).
type ACL struct {
	Principal, Host, Operation, Permission string
	ResourceType, PatternType, Resource    string
}

// ACLs lists every binding the cluster holds, sorted by resource then
// principal, with one DescribeAcls request. A cluster without an
// authorizer says so in the error.
func (c *Client) ACLs(ctx context.Context) ([]ACL, error) {
	version := requestVersion(apiKeyDescribeAcls, c.sconf.Version)
	req := &sarama.DescribeAclsRequest{Version: int(version), AclFilter: sarama.AclFilter{
		Version:                   int(version),
		ResourceType:              sarama.AclResourceAny,
		ResourcePatternTypeFilter: sarama.AclPatternAny,
		Operation:                 sarama.AclOperationAny,
		PermissionType:            sarama.AclPermissionAny,
	}}
	if version < 1 {
		// Before patterns, a filter matched literal names only.
		req.ResourcePatternTypeFilter = sarama.AclPatternLiteral
	}
	var resp *sarama.DescribeAclsResponse
	if err := c.askAny(ctx, func(b *sarama.Broker) (err error) {
		resp, err = b.DescribeAcls(req)
		return err
	}); err != nil {
		return nil, fmt.Errorf("describe ACLs: %w", err)
	}
	if err := answerError("describe ACLs", resp.Err, resp.ErrMsg); err != nil {
		return nil, err
	}
	return aclsOf(resp.ResourceAcls), nil
}

func aclsOf(resources []*sarama.ResourceAcls) []ACL {
	var out []ACL
	for _, r := range resources {
		for _, a := range r.Acls {
			out = append(out, ACL{
				Principal: a.Principal, Host: a.Host,
				Operation: kafkaWord(a.Operation.String()), Permission: kafkaWord(a.PermissionType.String()),
				ResourceType: kafkaWord(r.ResourceType.String()), PatternType: kafkaWord(r.ResourcePatternType.String()),
				Resource: r.ResourceName,
			})
		}
	}
	slices.SortFunc(out, func(a, b ACL) int {
		return cmpStrings(a.ResourceType, b.ResourceType, a.Resource, b.Resource, a.PatternType, b.PatternType,
			a.Principal, b.Principal, a.Host, b.Host, a.Operation, b.Operation, a.Permission, b.Permission)
	})
	return out
}

// cmpStrings compares pairs in turn: a0 with b0, then a1 with b1…
func cmpStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := strings.Compare(pairs[i], pairs[i+1]); c != 0 {
			return c
		}
	}
	return 0
}

// kafkaWord writes sarama's name of an ACL enum (ClusterAction,
// TransactionalID) as Kafka's tools do (CLUSTER_ACTION, TRANSACTIONAL_ID).
func kafkaWord(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}
