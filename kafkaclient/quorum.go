package kafkaclient

import (
	"context"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// apiKeyDescribeQuorum is DescribeQuorum, which KRaft brokers forward to
// the controllers.
const apiKeyDescribeQuorum = 55

// activeController asks the metadata quorum which controller leads it.
// In KRaft the Metadata answer's controller id is a broker picked at random
// on each request, not the controller; only the quorum knows. ok is false
// where the cluster has no quorum to ask (ZooKeeper clusters, kfake) or
// the question fails, and then the Metadata answer stands.
func (c *Client) activeController(ctx context.Context) (id int32, ok bool) {
	if !c.franz.supports(apiKeyDescribeQuorum, 0) {
		return 0, false
	}
	req := kmsg.NewPtrDescribeQuorumRequest()
	topic := kmsg.NewDescribeQuorumRequestTopic()
	topic.Topic = "__cluster_metadata"
	topic.Partitions = []kmsg.DescribeQuorumRequestTopicPartition{kmsg.NewDescribeQuorumRequestTopicPartition()}
	req.Topics = []kmsg.DescribeQuorumRequestTopic{topic}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	resp, err := c.franz.any(ctx, req)
	if err != nil {
		return 0, false
	}
	r := resp.(*kmsg.DescribeQuorumResponse)
	if kafkaError(r.ErrorCode) != nil || len(r.Topics) == 0 || len(r.Topics[0].Partitions) == 0 {
		return 0, false
	}
	p := r.Topics[0].Partitions[0]
	if kafkaError(p.ErrorCode) != nil || p.LeaderID < 0 {
		return 0, false
	}
	return p.LeaderID, true
}

// controller is activeController's answer.
type controller struct {
	id int32
	ok bool
}

// withController marks the active controller in snap, which no one else
// holds yet.
func (s *Snapshot) withController(id int32) {
	s.ControllerID = id
	for i := range s.Brokers {
		s.Brokers[i].Controller = s.Brokers[i].ID == id
	}
}
