package kafkaclient

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/IBM/sarama"
)

// Quota is one client quota: the entity it applies to and one of its
// limits. An entity part is empty when the entity does not name it, and
// Default* marks the part that is the default for every user, client id
// or IP that has no quota of its own (kafka-configs' --entity-default).
type Quota struct {
	User, ClientID, IP                      string
	DefaultUser, DefaultClientID, DefaultIP bool
	Key                                     string
	Value                                   float64
}

// Quotas lists every client quota of the cluster (users, client ids,
// their combinations and IPs, defaults included), one per entity and
// limit, sorted by user, client id, IP and limit. It sends one
// DescribeClientQuotas request (Kafka 2.6 and later).
func (c *Client) Quotas(ctx context.Context) ([]Quota, error) {
	if !c.sconf.Version.IsAtLeast(sarama.V2_6_0_0) {
		return nil, fmt.Errorf("describe client quotas: Kafka %s does not have the request (2.6 and later do)", c.sconf.Version)
	}
	var resp *sarama.DescribeClientQuotasResponse
	if err := c.askAny(ctx, func(b *sarama.Broker) (err error) {
		// No filter and not strict: every entity with a quota.
		resp, err = b.DescribeClientQuotas(sarama.NewDescribeClientQuotasRequest(c.sconf.Version, nil, false))
		return err
	}); err != nil {
		return nil, fmt.Errorf("describe client quotas: %w", err)
	}
	if err := answerError("describe client quotas", resp.ErrorCode, resp.ErrorMsg); err != nil {
		return nil, err
	}
	var out []Quota
	for _, e := range resp.Entries {
		var q Quota
		for _, part := range e.Entity {
			def := part.MatchType == sarama.QuotaMatchDefault
			switch part.EntityType {
			case sarama.QuotaEntityUser:
				q.User, q.DefaultUser = part.Name, def
			case sarama.QuotaEntityClientID:
				q.ClientID, q.DefaultClientID = part.Name, def
			case sarama.QuotaEntityIP:
				q.IP, q.DefaultIP = part.Name, def
			}
		}
		for key, value := range e.Values {
			q.Key, q.Value = key, value
			out = append(out, q)
		}
	}
	slices.SortFunc(out, func(a, b Quota) int {
		return cmp.Or(comparePart(a.User, a.DefaultUser, b.User, b.DefaultUser),
			comparePart(a.ClientID, a.DefaultClientID, b.ClientID, b.DefaultClientID),
			comparePart(a.IP, a.DefaultIP, b.IP, b.DefaultIP), cmp.Compare(a.Key, b.Key))
	})
	return out, nil
}

// comparePart orders an entity part absent, then the default, then by
// name, so entities group as kafka-configs --describe lists them.
func comparePart(a string, aDefault bool, b string, bDefault bool) int {
	rank := func(name string, def bool) int {
		switch {
		case def:
			return 1
		case name != "":
			return 2
		}
		return 0
	}
	return cmp.Or(cmp.Compare(rank(a, aDefault), rank(b, bDefault)), cmp.Compare(a, b))
}
