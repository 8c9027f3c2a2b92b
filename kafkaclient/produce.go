package kafkaclient

import (
	"context"
	"fmt"
	"slices"

	"github.com/IBM/sarama"
)

// ProduceRequest is one record to write.
type ProduceRequest struct {
	Topic string
	// Partition is where the record goes; -1 picks it from the key the
	// way Java producers do (murmur2), so a key lands where the
	// application's own records with that key are. A record without a
	// key then goes to a random partition.
	Partition int32
	// Key and Value may be nil: a nil key is no key, a nil value a tombstone.
	Key, Value []byte
	Headers    []Header
	// Acks is "all" (the default when empty), "1" or "0".
	Acks string
}

// ProduceResult is where a record was written.
type ProduceResult struct {
	Partition int32
	// Offset is the record's offset; -1 with acks=0, where the broker does not answer.
	Offset int64
}

// Produce writes one record and waits for the acknowledgement Acks asks for.
//
// Each call has its own producer with its own connections, closed before
// it returns: producing is an action a person takes now and then, not a
// hot path, and a producer must not share connections with consumers
// (their long-poll fetches would hold its requests back).
func (c *Client) Produce(ctx context.Context, r ProduceRequest) (ProduceResult, error) {
	op := "produce to " + r.Topic
	if r.Partition >= 0 {
		op = fmt.Sprintf("produce to %s/%d", r.Topic, r.Partition)
	}
	if err := c.guardWrite(op); err != nil {
		return ProduceResult{}, err
	}
	fail := func(err error) (ProduceResult, error) { return ProduceResult{}, fmt.Errorf("%s: %w", op, err) }
	acks, err := requiredAcks(r.Acks)
	if err != nil {
		return fail(err)
	}
	// The topic is checked on the client's connections first: the
	// producer's own client would retry an unknown topic for a while
	// before it gave up.
	tm, err := c.topicMetadata(r.Topic)
	if err != nil {
		return fail(err)
	}
	if r.Partition >= 0 && !slices.ContainsFunc(tm.Partitions, func(p *sarama.PartitionMetadata) bool { return p.ID == r.Partition }) {
		return fail(fmt.Errorf("the topic has no partition %d (it has %d)", r.Partition, len(tm.Partitions)))
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}

	conf := *c.sconf
	conf.Producer.Return.Successes = true
	conf.Producer.RequiredAcks = acks
	conf.Producer.Timeout = c.opTimeout()
	conf.Producer.Partitioner = sarama.NewMurmur2Partitioner
	if r.Partition >= 0 {
		conf.Producer.Partitioner = sarama.NewManualPartitioner
	}
	// A record for a topic deleted since the check must not create it again.
	conf.Metadata.AllowAutoTopicCreation = false
	client, err := sarama.NewClient(c.cfg.Brokers, &conf)
	if err != nil {
		return fail(explain(c.cfg, err))
	}
	defer client.Close()
	producer, err := sarama.NewSyncProducerFromClient(client)
	if err != nil {
		return fail(err)
	}
	defer producer.Close()

	msg := &sarama.ProducerMessage{Topic: r.Topic, Partition: r.Partition}
	// The interfaces stay nil for nil slices: a nil Encoder is what
	// sarama writes as a null key or value, and what the partitioner
	// treats as no key.
	if r.Key != nil {
		msg.Key = sarama.ByteEncoder(r.Key)
	}
	if r.Value != nil {
		msg.Value = sarama.ByteEncoder(r.Value)
	}
	for _, h := range r.Headers {
		msg.Headers = append(msg.Headers, sarama.RecordHeader{Key: h.Key, Value: h.Value})
	}
	partition, offset, err := producer.SendMessage(msg)
	if err != nil {
		return fail(err)
	}
	if acks == sarama.NoResponse {
		offset = -1
	}
	return ProduceResult{Partition: partition, Offset: offset}, nil
}

func requiredAcks(s string) (sarama.RequiredAcks, error) {
	switch s {
	case "", "all", "-1":
		return sarama.WaitForAll, nil
	case "1":
		return sarama.WaitForLocal, nil
	case "0":
		return sarama.NoResponse, nil
	}
	return 0, fmt.Errorf("acks %q: want all, 1 or 0", s)
}
