package kafkaclient

import (
	"slices"
	"time"
)

// BrokerInfo is one broker as the cluster metadata describes it, with the
// partition load it carries so leadership skew can be seen.
type BrokerInfo struct {
	ID         int32
	Addr       string
	Rack       string
	Controller bool
	// Up is false when kscope's last request to this broker failed; Err says why.
	Up  bool
	Err error
	// Leaders counts the partitions this broker leads; Replicas the partitions it holds a replica of.
	Leaders  int
	Replicas int
}

// PartitionInfo is one partition's placement and its watermarks.
type PartitionInfo struct {
	ID       int32
	Leader   int32 // -1 when the partition has no leader (offline)
	Epoch    int32
	Replicas []int32
	ISR      []int32
	Offline  []int32
	// Low and High are the earliest and the next offset; valid only when WatermarksKnown.
	Low, High       int64
	WatermarksKnown bool
	Err             error
}

// Messages is the number of records the partition holds; 0 until watermarks are known.
func (p PartitionInfo) Messages() int64 {
	if !p.WatermarksKnown || p.High < p.Low {
		return 0
	}
	return p.High - p.Low
}

// IsOffline reports a partition without a leader.
func (p PartitionInfo) IsOffline() bool { return p.Leader < 0 }

// IsUnderReplicated reports a partition whose in-sync set is smaller than its replica set.
func (p PartitionInfo) IsUnderReplicated() bool { return len(p.ISR) < len(p.Replicas) }

// PreferredLeader is the first replica, which Kafka elects when it balances leadership.
func (p PartitionInfo) PreferredLeader() int32 {
	if len(p.Replicas) == 0 {
		return -1
	}
	return p.Replicas[0]
}

// OutOfSync lists the replicas that are not in the ISR.
func (p PartitionInfo) OutOfSync() []int32 {
	var out []int32
	for _, r := range p.Replicas {
		if !slices.Contains(p.ISR, r) {
			out = append(out, r)
		}
	}
	return out
}

// TopicInfo is one topic with its partitions sorted by id.
type TopicInfo struct {
	Name       string
	Internal   bool
	Partitions []PartitionInfo
	// Err is a topic-level error from the metadata response (e.g. not authorized).
	Err error
}

// ReplicationFactor is the largest replica count among the partitions.
func (t *TopicInfo) ReplicationFactor() int {
	rf := 0
	for i := range t.Partitions {
		rf = max(rf, len(t.Partitions[i].Replicas))
	}
	return rf
}

// Messages is Σ(high − low) over partitions whose watermarks are known.
func (t *TopicInfo) Messages() int64 {
	var n int64
	for i := range t.Partitions {
		n += t.Partitions[i].Messages()
	}
	return n
}

// WatermarksKnown reports whether every partition's watermarks were fetched.
func (t *TopicInfo) WatermarksKnown() bool {
	for i := range t.Partitions {
		if !t.Partitions[i].WatermarksKnown {
			return false
		}
	}
	return true
}

// UnderReplicated counts partitions with replicas missing from the ISR.
func (t *TopicInfo) UnderReplicated() int {
	n := 0
	for i := range t.Partitions {
		if t.Partitions[i].IsUnderReplicated() {
			n++
		}
	}
	return n
}

// OfflinePartitions counts partitions without a leader.
func (t *TopicInfo) OfflinePartitions() int {
	n := 0
	for i := range t.Partitions {
		if t.Partitions[i].IsOffline() {
			n++
		}
	}
	return n
}

// Snapshot is one observation of the cluster. It is never changed after it
// is published, so views may keep and share it without copying.
type Snapshot struct {
	ClusterID string
	// ControllerID is the active controller, ControllerUnknown until the
	// first snapshot's quorum answer comes.
	ControllerID int32
	Brokers      []BrokerInfo // sorted by ID
	Topics       []TopicInfo  // sorted by name
	// At is when the metadata was read; WatermarksAt when the watermarks in it were read (zero: none yet).
	At           time.Time
	WatermarksAt time.Time
}

// ControllerUnknown is Snapshot.ControllerID when no controller is known yet.
const ControllerUnknown int32 = -1

// Topic returns the named topic, or nil.
func (s *Snapshot) Topic(name string) *TopicInfo {
	i, ok := slices.BinarySearchFunc(s.Topics, name, func(t TopicInfo, n string) int {
		switch {
		case t.Name < n:
			return -1
		case t.Name > n:
			return 1
		}
		return 0
	})
	if !ok {
		return nil
	}
	return &s.Topics[i]
}

// Broker returns the broker with id, or nil.
func (s *Snapshot) Broker(id int32) *BrokerInfo {
	for i := range s.Brokers {
		if s.Brokers[i].ID == id {
			return &s.Brokers[i]
		}
	}
	return nil
}

// BrokersUp counts brokers whose last request succeeded.
func (s *Snapshot) BrokersUp() int {
	n := 0
	for _, b := range s.Brokers {
		if b.Up {
			n++
		}
	}
	return n
}

// ConfigEntry is one topic configuration entry.
type ConfigEntry struct {
	Name  string
	Value string
	// Default is the value the entry would have without the topic-level setting ("" when unknown).
	Default   string
	Source    string
	Sensitive bool
	ReadOnly  bool
	// Overridden reports a value set on the topic that differs from the default.
	Overridden bool
}
