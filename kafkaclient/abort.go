package kafkaclient

import (
	"context"
	"errors"
	"fmt"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// apiKeyWriteTxnMarkers is the request a transaction coordinator writes
// its commit and abort markers with. sarama does not send it; Kafka's
// Admin.abortTransaction sends it as a client would, and so does kscope,
// over the franz-go connection (kadm.go).
const apiKeyWriteTxnMarkers = 27

// AbortSpec names one open transaction at one partition, as the
// partition's leader describes its producer (Producers): the arguments of
// kafka-transactions abort --producer-id --producer-epoch
// --coordinator-epoch.
type AbortSpec struct {
	TopicPartition
	ProducerID       int64
	ProducerEpoch    int16
	CoordinatorEpoch int32
}

// AbortSpec is what aborting p's open transaction at partition tp takes.
func (p ActiveProducer) AbortSpec(tp TopicPartition) AbortSpec {
	return AbortSpec{TopicPartition: tp, ProducerID: p.ProducerID, ProducerEpoch: p.Epoch, CoordinatorEpoch: p.CoordinatorEpoch}
}

// AbortTransaction writes an abort marker for spec's producer at spec's
// partition, as Kafka's Admin.abortTransaction does: its leader then
// drops the transaction's records there for read_committed consumers and
// moves the last stable offset past them. It is meant for a hanging
// transaction, one its coordinator will not end. Neither the coordinator
// nor the producer is told: a producer still alive writes on and can
// commit the rest of its transaction (measured against Kafka 4.4 in
// integration/transactions_test.go).
func (c *Client) AbortTransaction(ctx context.Context, spec AbortSpec) error {
	op := fmt.Sprintf("abort the transaction of producer %d (epoch %d) at %s/%d", spec.ProducerID, spec.ProducerEpoch, spec.Topic, spec.Partition)
	if err := c.guardWrite(op); err != nil {
		return err
	}
	if !c.franz.supports(apiKeyWriteTxnMarkers, 0) {
		return fmt.Errorf("%s: the cluster does not have the request (Kafka 0.11 and later do)", op)
	}
	cl, err := c.franz.client()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	marker := kmsg.NewWriteTxnMarkersRequestMarker()
	marker.ProducerID, marker.ProducerEpoch, marker.Committed = spec.ProducerID, spec.ProducerEpoch, false
	// A producer whose first transaction never ended has no coordinator
	// epoch at the partition (-1); kafka-transactions then sends 0, which
	// no coordinator epoch the leader knows is below.
	marker.CoordinatorEpoch = max(spec.CoordinatorEpoch, 0)
	mt := kmsg.NewWriteTxnMarkersRequestMarkerTopic()
	mt.Topic, mt.Partitions = spec.Topic, []int32{spec.Partition}
	marker.Topics = append(marker.Topics, mt)
	req := kmsg.NewPtrWriteTxnMarkersRequest()
	req.Markers = append(req.Markers, marker)
	// franz-go sends it to the partition's leader, and again to the new
	// one when the leader moved, as Kafka's admin client does.
	resp, err := req.RequestWith(ctx, cl)
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, c.shardError(err))
	}
	code, ok := markerCode(resp, spec)
	if !ok {
		return fmt.Errorf("%s: the leader did not answer for it", op)
	}
	if err := abortError(code, spec); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// markerCode is the error code the leader gave spec's partition; false
// when its answer left the partition out.
func markerCode(resp *kmsg.WriteTxnMarkersResponse, spec AbortSpec) (int16, bool) {
	for _, m := range resp.Markers {
		if m.ProducerID != spec.ProducerID {
			continue
		}
		for _, t := range m.Topics {
			for _, p := range t.Partitions {
				if t.Topic == spec.Topic && p.Partition == spec.Partition {
					return p.ErrorCode, true
				}
			}
		}
	}
	return 0, false
}

// abortError says what a refusal of the marker means for the user.
func abortError(code int16, spec AbortSpec) error {
	err := codeError(code)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sarama.ErrInvalidProducerEpoch):
		return fmt.Errorf("the producer's epoch at the partition is past %d: the transaction already ended, or the producer was started again; nothing was aborted (%w)",
			spec.ProducerEpoch, err)
	case errors.Is(err, sarama.ErrTransactionCoordinatorFenced):
		return fmt.Errorf("a coordinator newer than epoch %d already wrote a marker for the producer here: the transaction already ended; nothing was aborted (%w)",
			max(spec.CoordinatorEpoch, 0), err)
	case errors.Is(err, sarama.ErrClusterAuthorizationFailed):
		return fmt.Errorf("writing transaction markers takes the ClusterAction permission on the cluster (%w)", err)
	}
	return err
}
