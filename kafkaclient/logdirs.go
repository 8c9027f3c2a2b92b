package kafkaclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/IBM/sarama"
)

// LogDirs is the cluster's disk use as each broker reports its own log
// directories: a broker knows only its own disks, so every broker is asked.
type LogDirs struct {
	// Brokers holds one entry per broker asked, sorted by ID, those that
	// failed too.
	Brokers []BrokerLogDirs

	topics   map[string]int64
	replicas map[TopicPartition][]ReplicaSize
}

// BrokerLogDirs is one broker's log directories.
type BrokerLogDirs struct {
	Broker int32
	// Err says why the broker's directories are unknown (unreachable, or
	// refused the request); Dirs is then empty, and the sizes of the
	// replicas it holds are missing from every total.
	Err  error
	Dirs []LogDir // sorted by path
}

// LogDir is one log directory of a broker.
type LogDir struct {
	Path string
	// Err is the directory's own error: sarama.ErrKafkaStorageError for a
	// directory that is offline (a failed disk). Such a directory reports
	// no replicas.
	Err error
	// TotalBytes and UsableBytes are the size and the free space of the
	// volume the directory is on; -1 when unknown (see Client.LogDirs).
	TotalBytes, UsableBytes int64
	// Size is the sum of the sizes of the replicas in the directory.
	Size int64
}

// ReplicaSize is one replica of a partition on one broker's disk.
type ReplicaSize struct {
	Broker int32
	Dir    string
	Size   int64
	// OffsetLag is the broker's own figure: how far the replica's log end
	// is behind the partition's high watermark, or, for a future replica,
	// behind the log end of the replica it will replace.
	OffsetLag int64
	// IsFuture marks the copy a move between the broker's directories
	// (AlterReplicaLogDirs) is writing; it replaces the current replica
	// when it has caught up.
	IsFuture bool
}

// TopicSize is the bytes the topic takes over all its replicas on all
// brokers, future replicas included since they take disk space too. ok is
// false when no broker reported the topic. A broker or directory that
// failed is missing from the sum.
func (l LogDirs) TopicSize(topic string) (size int64, ok bool) {
	size, ok = l.topics[topic]
	return size, ok
}

// Complete tells whether every broker answered with every directory
// online, so that no size misses a replica.
func (l LogDirs) Complete() bool {
	for _, b := range l.Brokers {
		if b.Err != nil {
			return false
		}
		for _, d := range b.Dirs {
			if d.Err != nil {
				return false
			}
		}
	}
	return true
}

// Replicas lists the replicas of a partition that brokers reported,
// sorted by broker, a future replica after the current one.
func (l LogDirs) Replicas(topic string, partition int32) []ReplicaSize {
	return slices.Clone(l.replicas[TopicPartition{topic, partition}])
}

// logDirsVersions are the DescribeLogDirs versions kscope sends, by the
// release sarama is configured for: sarama refuses to send a version
// newer than that release (ErrUnsupportedVersion). Version 3 adds the
// top-level error code; only version 4 (Kafka 3.3, KIP-827) carries the
// volumes' total and usable bytes.
var logDirsVersions = []versionStep{{sarama.V3_3_0_0, 4}, {sarama.V3_2_0_0, 3}, {sarama.V2_6_0_0, 2}, {sarama.V2_0_0_0, 1}, {sarama.V1_0_0_0, 0}}

// volumeSizesSince is the first DescribeLogDirs version with volume sizes.
const volumeSizesSince = 4

// LogDirs reads the disk use of every broker: one DescribeLogDirsRequest
// for all topics to each broker, all at once. A broker that cannot be
// reached or answers an error has Err set and the others are kept; only
// when every broker failed is the call an error. When ctx ends LogDirs
// returns its error at once; requests already sent are waited for in the
// background, since sarama cannot abandon them.
//
// The volumes' TotalBytes and UsableBytes are known only when sarama is
// configured for Kafka 3.3 or later (Config.Version), since it sends
// version 4 for no older release. A detected version is 3.0 at most
// (detectVersion), so on a cluster whose version is not set they are -1
// even where the brokers could tell them.
func (c *Client) LogDirs(ctx context.Context) (LogDirs, error) {
	version := int16(-1)
	for _, s := range logDirsVersions {
		if c.sconf.Version.IsAtLeast(s.since) {
			version = s.version
			break
		}
	}
	if version < 0 {
		return LogDirs{}, fmt.Errorf("describe log dirs: Kafka %s does not have the request (1.0 and later do)", c.sconf.Version)
	}
	ids, err := c.brokerIDs()
	if err != nil {
		return LogDirs{}, fmt.Errorf("describe log dirs: %w", err)
	}
	answers, err := askEach(ctx, c, ids, func(id int32) logDirsAnswer { return c.logDirsAt(ctx, id, version) })
	if err != nil {
		return LogDirs{}, err
	}
	var brokers []BrokerLogDirs
	replicas := map[TopicPartition][]ReplicaSize{}
	var errs []error
	for _, a := range answers {
		brokers = append(brokers, a.broker)
		if a.broker.Err != nil {
			errs = append(errs, fmt.Errorf("broker %d: %w", a.broker.Broker, a.broker.Err))
		}
		for tp, rs := range a.replicas {
			replicas[tp] = append(replicas[tp], rs...)
		}
	}
	// Brokers that failed because ctx ended are no answer either.
	if err := ctx.Err(); err != nil {
		return LogDirs{}, err
	}
	if len(errs) == len(ids) {
		return LogDirs{}, fmt.Errorf("describe log dirs: every broker failed: %w", errors.Join(errs...))
	}
	return NewLogDirs(brokers, replicas), nil
}

// NewLogDirs is the disk use the brokers reported: their directories and
// the replicas in them, by partition.
func NewLogDirs(brokers []BrokerLogDirs, replicas map[TopicPartition][]ReplicaSize) LogDirs {
	out := LogDirs{Brokers: brokers, topics: map[string]int64{}, replicas: replicas}
	slices.SortFunc(out.Brokers, func(a, b BrokerLogDirs) int { return cmp.Compare(a.Broker, b.Broker) })
	for tp, rs := range out.replicas {
		for _, r := range rs {
			out.topics[tp.Topic] += r.Size
		}
		slices.SortFunc(rs, func(a, b ReplicaSize) int {
			return cmp.Or(cmp.Compare(a.Broker, b.Broker), cmp.Compare(futureRank(a), futureRank(b)), cmp.Compare(a.Dir, b.Dir))
		})
	}
	return out
}

// futureRank puts a future replica after the current one it replaces.
func futureRank(r ReplicaSize) int {
	if r.IsFuture {
		return 1
	}
	return 0
}

// logDirsAnswer is one broker's answer, with its replicas by partition.
type logDirsAnswer struct {
	broker   BrokerLogDirs
	replicas map[TopicPartition][]ReplicaSize
}

// brokerIDs lists the brokers of the cluster. The pool learns them from
// the poller's first refresh, which a call made right after Connect can
// come before: the metadata is then read here.
func (c *Client) brokerIDs() ([]int32, error) {
	if ids := c.pool.ids(); len(ids) > 0 {
		return ids, nil
	}
	meta, err := c.metadata()
	if err != nil {
		return nil, err
	}
	c.pool.update(meta.Brokers)
	if ids := c.pool.ids(); len(ids) > 0 {
		return ids, nil
	}
	return nil, errors.New("the metadata names no broker")
}

// logDirsAt asks broker id for its log directories and the replicas in
// them. Nothing is sent once ctx has ended.
func (c *Client) logDirsAt(ctx context.Context, id int32, version int16) logDirsAnswer {
	out := logDirsAnswer{broker: BrokerLogDirs{Broker: id}}
	if err := ctx.Err(); err != nil {
		out.broker.Err = err
		return out
	}
	b, err := c.pool.get(id)
	var resp *sarama.DescribeLogDirsResponse
	if err == nil {
		// nil DescribeTopics asks for every topic.
		resp, err = b.DescribeLogDirs(&sarama.DescribeLogDirsRequest{Version: version})
	}
	c.pool.report(id, err)
	if err == nil {
		err = kafkaError(int16(resp.ErrorCode))
	}
	if err != nil {
		out.broker.Err = err
		return out
	}
	out.replicas = map[TopicPartition][]ReplicaSize{}
	for _, d := range resp.LogDirs {
		dir := LogDir{Path: d.Path, Err: kafkaError(int16(d.ErrorCode)), TotalBytes: -1, UsableBytes: -1}
		if version >= volumeSizesSince {
			dir.TotalBytes, dir.UsableBytes = d.TotalBytes, d.UsableBytes
		}
		for _, t := range d.Topics {
			for _, p := range t.Partitions {
				dir.Size += p.Size
				tp := TopicPartition{t.Topic, p.PartitionID}
				out.replicas[tp] = append(out.replicas[tp], ReplicaSize{
					Broker: id, Dir: d.Path, Size: p.Size, OffsetLag: p.OffsetLag, IsFuture: p.IsTemporary,
				})
			}
		}
		out.broker.Dirs = append(out.broker.Dirs, dir)
	}
	slices.SortFunc(out.broker.Dirs, func(a, b LogDir) int { return cmp.Compare(a.Path, b.Path) })
	return out
}

// settleDelay is how long the background reads wait after the first
// message counts: the first screen is drawn meanwhile, and on a small
// machine their requests, answers and connections would slow its drawing
// (8 ms of a 70 ms first frame at 1,000 partitions on two cores).
const settleDelay = time.Second

// afterStartup waits for counted to close and settleDelay to pass, and
// reports false if ctx ended first.
func afterStartup(ctx context.Context, counted <-chan struct{}) bool {
	select {
	case <-ctx.Done():
		return false
	case <-counted:
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(settleDelay):
		return true
	}
}

// pollDisk reads the log dirs once the first message counts are out and
// the first screen has settled (afterStartup), then every DiskInterval
// until ctx ends. It runs on its own so that a broker slow
// to list its disks never holds up the metadata refresh.
func (c *Client) pollDisk(ctx context.Context, counted <-chan struct{}) {
	if c.cfg.DiskInterval < 0 {
		return
	}
	if !afterStartup(ctx, counted) {
		return
	}
	var last *LogDirs
	for {
		disk, err := c.LogDirs(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			last = &disk
		}
		c.publish(ctx, DiskUpdated{Disk: last, Err: err, At: time.Now()})
		select {
		case <-ctx.Done():
			return
		case <-time.After(c.cfg.DiskInterval):
		}
	}
}
