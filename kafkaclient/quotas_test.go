package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestQuotasListsEveryEntity sets quotas on a user, a client id, a user
// with a client id, an IP and the default user through
// AlterClientQuotas, and reads each limit back once, sorted.
func TestQuotasListsEveryEntity(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1)
	cl := connect(t, c)
	b := openBroker(t, c)
	part := func(typ sarama.QuotaEntityType, name string) sarama.QuotaEntityComponent {
		if name == "" {
			return sarama.QuotaEntityComponent{EntityType: typ, MatchType: sarama.QuotaMatchDefault}
		}
		return sarama.QuotaEntityComponent{EntityType: typ, MatchType: sarama.QuotaMatchExact, Name: name}
	}
	set := func(key string, value float64) sarama.ClientQuotasOp {
		return sarama.ClientQuotasOp{Key: key, Value: value}
	}
	resp, err := b.AlterClientQuotas(&sarama.AlterClientQuotasRequest{Entries: []sarama.AlterClientQuotasEntry{
		{Entity: []sarama.QuotaEntityComponent{part(sarama.QuotaEntityUser, "alice")},
			Ops: []sarama.ClientQuotasOp{set("producer_byte_rate", 1048576), set("consumer_byte_rate", 2097152)}},
		{Entity: []sarama.QuotaEntityComponent{part(sarama.QuotaEntityClientID, "billing")},
			Ops: []sarama.ClientQuotasOp{set("request_percentage", 12.5)}},
		{Entity: []sarama.QuotaEntityComponent{part(sarama.QuotaEntityUser, "alice"), part(sarama.QuotaEntityClientID, "billing")},
			Ops: []sarama.ClientQuotasOp{set("producer_byte_rate", 4096)}},
		{Entity: []sarama.QuotaEntityComponent{part(sarama.QuotaEntityIP, "10.0.0.7")},
			Ops: []sarama.ClientQuotasOp{set("connection_creation_rate", 5)}},
		{Entity: []sarama.QuotaEntityComponent{part(sarama.QuotaEntityUser, "")},
			Ops: []sarama.ClientQuotasOp{set("consumer_byte_rate", 512)}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range resp.Entries {
		if !errors.Is(e.ErrorCode, sarama.ErrNoError) {
			t.Fatalf("%v: %v", e.Entity, e.ErrorCode)
		}
	}
	quotas, err := cl.Quotas(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range quotas {
		got = append(got, fmt.Sprintf("%s/%v %s %s %s=%v", q.User, q.DefaultUser, q.ClientID, q.IP, q.Key, q.Value))
	}
	want := []string{
		"/false  10.0.0.7 connection_creation_rate=5",
		"/false billing  request_percentage=12.5",
		"/true   consumer_byte_rate=512",
		"alice/false   consumer_byte_rate=2.097152e+06",
		"alice/false   producer_byte_rate=1.048576e+06",
		"alice/false billing  producer_byte_rate=4096",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("quotas:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestQuotasRefused: a refusal is an error that says which request and
// why, not an empty list.
func TestQuotasRefused(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1)
	c.ControlKey(int16(kmsg.DescribeClientQuotas), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		resp := req.ResponseKind().(*kmsg.DescribeClientQuotasResponse)
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		return resp, nil, true
	})
	cl := connect(t, c)
	_, err := cl.Quotas(context.Background())
	if err == nil || !strings.Contains(err.Error(), "describe client quotas") || !errors.Is(err, sarama.ErrClusterAuthorizationFailed) {
		t.Fatalf("err = %v", err)
	}
}
