package kafkaclient

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// What kfake simplifies, and these tests take as it is (35_describe_log_dirs.go):
//   - it does not replicate and keeps one store for the whole cluster, so
//     every broker reports every partition, whatever the replica
//     assignment, with the same size: a topic's size is brokers × its data;
//   - each broker has one log dir, kfakeLogDir, and a size is the bytes
//     of the record batches held in memory;
//   - OffsetLag is always 0 and no replica is ever a future one;
//   - at version 4 TotalBytes is the bytes in the dir, not the volume's
//     size, and UsableBytes is a fixed 32 GiB.
const kfakeLogDir = "/mem/kfake"

// logDirsRequestsByNode counts the DescribeLogDirs requests each broker
// receives from now on.
func logDirsRequestsByNode(c *kfake.Cluster) func() map[int32]int {
	var mu sync.Mutex
	n := map[int32]int{}
	c.ControlKey(int16(kmsg.DescribeLogDirs), func(kmsg.Request) (kmsg.Response, error, bool) {
		node := c.CurrentNode()
		mu.Lock()
		defer mu.Unlock()
		n[node]++
		return nil, nil, false
	})
	return func() map[int32]int {
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(n)
	}
}

// connectAt is connect with sarama configured for Kafka version and the
// disk poller off, so that only the test's own reads reach the brokers.
func connectAt(t *testing.T, c *kfake.Cluster, version string) *Client {
	t.Helper()
	cl, err := Connect(context.Background(), Config{Brokers: c.ListenAddrs(), Version: version, ConnectTimeout: 5 * time.Second, RefreshInterval: time.Hour, DiskInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// logDirsOf reads the log dirs, failing the test on an error.
func logDirsOf(t *testing.T, cl *Client) LogDirs {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := cl.LogDirs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLogDirsSizesPerBrokerTopicAndReplica(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(2, "big"), kfake.SeedTopics(1, "small", "empty"))
	p := syncProducer(t, c)
	for part := range int32(2) {
		for range 20 {
			send(t, p, "big", part, bytes.Repeat([]byte{'b'}, 1000))
		}
	}
	for range 5 {
		send(t, p, "small", 0, bytes.Repeat([]byte{'s'}, 100))
	}
	cl := connectAt(t, c, "")
	snap := waitSnapshot(t, cl, func(s *Snapshot) bool { return s.Topic("big") != nil })
	requests := logDirsRequestsByNode(c)

	l := logDirsOf(t, cl)

	var ids []int32
	for _, b := range snap.Brokers {
		ids = append(ids, b.ID)
	}
	if len(l.Brokers) != 3 {
		t.Fatalf("%d brokers answered, want 3: %+v", len(l.Brokers), l.Brokers)
	}
	want := map[int32]int{}
	for i, b := range l.Brokers {
		want[b.Broker] = 1
		if b.Broker != ids[i] {
			t.Errorf("broker %d at %d, want %d (sorted by id)", b.Broker, i, ids[i])
		}
		if b.Err != nil || len(b.Dirs) != 1 {
			t.Fatalf("broker %d: err %v, %d dirs; want one dir", b.Broker, b.Err, len(b.Dirs))
		}
		d := b.Dirs[0]
		if d.Path != kfakeLogDir || d.Err != nil {
			t.Errorf("broker %d: dir %q, err %v", b.Broker, d.Path, d.Err)
		}
		// kscope detects Kafka 3.0 at most, so the request is version 2,
		// which has no volume sizes.
		if d.TotalBytes != -1 || d.UsableBytes != -1 {
			t.Errorf("broker %d: total %d, usable %d; want -1 (unknown before version 4)", b.Broker, d.TotalBytes, d.UsableBytes)
		}
		var sum int64
		for _, topic := range snap.Topics {
			for _, part := range topic.Partitions {
				for _, r := range l.Replicas(topic.Name, part.ID) {
					if r.Broker == b.Broker {
						sum += r.Size
					}
				}
			}
		}
		if d.Size != sum || d.Size == 0 {
			t.Errorf("broker %d: dir size %d, its replicas sum to %d", b.Broker, d.Size, sum)
		}
	}
	if got := requests(); !maps.Equal(got, want) {
		t.Errorf("DescribeLogDirs requests by broker: %v, want one each: %v", got, want)
	}

	sizes := map[string]int64{}
	for _, topic := range []string{"big", "small", "empty"} {
		size, ok := l.TopicSize(topic)
		if !ok {
			t.Fatalf("%s: no size", topic)
		}
		sizes[topic] = size
		var sum int64
		for _, part := range snap.Topic(topic).Partitions {
			rs := l.Replicas(topic, part.ID)
			if len(rs) != 3 {
				t.Fatalf("%s/%d: %d replicas, want one per broker (kfake reports every partition everywhere): %+v", topic, part.ID, len(rs), rs)
			}
			for i, r := range rs {
				sum += r.Size
				if r.Broker != ids[i] || r.Dir != kfakeLogDir || r.OffsetLag != 0 || r.IsFuture || r.Size != rs[0].Size {
					t.Errorf("%s/%d: replica %+v, want broker %d in %s, size %d, no lag", topic, part.ID, r, ids[i], kfakeLogDir, rs[0].Size)
				}
			}
			if topic == "big" && rs[0].Size < 20*1000 {
				t.Errorf("big/%d: replica of %d bytes holds 20 records of 1000", part.ID, rs[0].Size)
			}
		}
		if size != sum {
			t.Errorf("%s: size %d, its replicas sum to %d", topic, size, sum)
		}
	}
	if sizes["empty"] != 0 || sizes["small"] <= 0 || sizes["big"] <= sizes["small"] {
		t.Errorf("sizes %v: want empty 0 < small < big", sizes)
	}
	if size, ok := l.TopicSize("absent"); ok || size != 0 {
		t.Errorf("absent topic: %d, %v", size, ok)
	}
}

// TestLogDirsVolumeSizesFromKafka33 sets the version: only then does
// sarama send version 4, whose answer has the volumes' sizes and whose
// top-level error code (version 3 on) is a broker's error.
func TestLogDirsVolumeSizesFromKafka33(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(1, "t"))
	produce(t, c, "t", 1, 10)
	cl := connectAt(t, c, "3.3.0")
	c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.DescribeLogDirs}, Nodes: []int32{2}, TopLevel: true, Err: kerr.ClusterAuthorizationFailed})

	l := logDirsOf(t, cl)

	for _, b := range l.Brokers {
		if b.Broker == 2 {
			if !errors.Is(b.Err, sarama.ErrClusterAuthorizationFailed) || len(b.Dirs) != 0 {
				t.Errorf("broker 2: err %v, dirs %+v; want the broker's error and no dirs", b.Err, b.Dirs)
			}
			continue
		}
		if b.Err != nil || len(b.Dirs) != 1 {
			t.Fatalf("broker %d: err %v, %d dirs", b.Broker, b.Err, len(b.Dirs))
		}
		if d := b.Dirs[0]; d.Size <= 0 || d.TotalBytes != d.Size || d.UsableBytes != 32<<30 {
			t.Errorf("broker %d: size %d, total %d, usable %d; want kfake's total (the dir's bytes) and 32 GiB usable", b.Broker, d.Size, d.TotalBytes, d.UsableBytes)
		}
	}
	if rs := l.Replicas("t", 0); len(rs) != 2 {
		t.Errorf("t/0: %d replicas, want those of the 2 brokers that answered", len(rs))
	}
}

func TestLogDirsKeepOtherBrokersWhenOneFails(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(1, "t"))
	produce(t, c, "t", 1, 10)
	cl := connectAt(t, c, "")
	const down = int32(1)
	// An error from a control closes the broker's connection unanswered.
	c.ControlKey(int16(kmsg.DescribeLogDirs), func(kmsg.Request) (kmsg.Response, error, bool) {
		if c.CurrentNode() == down {
			return nil, errors.New("broker 1 is failing"), true
		}
		return nil, nil, false
	})

	l := logDirsOf(t, cl)

	if len(l.Brokers) != 3 {
		t.Fatalf("%d brokers, want 3", len(l.Brokers))
	}
	var sum int64
	for _, b := range l.Brokers {
		switch {
		case b.Broker == down && (b.Err == nil || len(b.Dirs) != 0):
			t.Errorf("broker %d: err %v, dirs %+v; want its error only", b.Broker, b.Err, b.Dirs)
		case b.Broker != down && (b.Err != nil || len(b.Dirs) != 1 || b.Dirs[0].Size <= 0):
			t.Errorf("broker %d: err %v, dirs %+v; want its data", b.Broker, b.Err, b.Dirs)
		case b.Broker != down:
			sum += b.Dirs[0].Size
		}
	}
	if size, ok := l.TopicSize("t"); !ok || size != sum {
		t.Errorf("t: size %d, %v; want %d, the sum over the brokers that answered", size, ok, sum)
	}

	c.Control(func(req kmsg.Request) (kmsg.Response, error, bool) {
		if req.Key() != int16(kmsg.DescribeLogDirs) {
			return nil, nil, false
		}
		c.KeepControl()
		return nil, errors.New("every broker is failing"), true
	})
	if _, err := cl.LogDirs(context.Background()); err == nil {
		t.Error("no error when every broker failed")
	}
}

func TestLogDirsOfflineDir(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(1, "t"))
	produce(t, c, "t", 1, 10)
	cl := connectAt(t, c, "")
	const broken = int32(0)
	c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.DescribeLogDirs}, Nodes: []int32{broken}, Resource: kfakeLogDir, Err: kerr.KafkaStorageError})

	l := logDirsOf(t, cl)

	for _, b := range l.Brokers {
		if b.Err != nil || len(b.Dirs) != 1 {
			t.Fatalf("broker %d: err %v, %d dirs; an offline dir is not the broker's error", b.Broker, b.Err, len(b.Dirs))
		}
		d := b.Dirs[0]
		if b.Broker == broken {
			if !errors.Is(d.Err, sarama.ErrKafkaStorageError) || d.Size != 0 {
				t.Errorf("broker %d: dir err %v, size %d; want KAFKA_STORAGE_ERROR and nothing in it", b.Broker, d.Err, d.Size)
			}
		} else if d.Err != nil || d.Size <= 0 {
			t.Errorf("broker %d: dir err %v, size %d", b.Broker, d.Err, d.Size)
		}
	}
	for _, r := range l.Replicas("t", 0) {
		if r.Broker == broken {
			t.Errorf("replica %+v reported from an offline dir", r)
		}
	}
}

func TestLogDirsReturnsWhenCancelled(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(1, "t"))
	cl := connectAt(t, c, "")
	// Registered after connect, so it runs before the client's Close,
	// which waits for the held request.
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	held := make(chan struct{}, 1)
	c.ControlKey(int16(kmsg.DescribeLogDirs), func(kmsg.Request) (kmsg.Response, error, bool) {
		if c.CurrentNode() == 2 {
			held <- struct{}{}
			c.SleepControl(func() { <-release })
		}
		return nil, nil, false
	})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := cl.LogDirs(ctx)
		done <- err
	}()
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("the request never reached broker 2")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
	case <-time.After(time.Second):
		t.Fatal("LogDirs still waits a second after its context was cancelled")
	}
}

// TestDiskIsPublishedAfterTheCounts: the client reads the log dirs on its
// own once the first message counts are out, and publishes them.
func TestDiskIsPublishedAfterTheCounts(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(2, "sized"))
	produce(t, c, "sized", 2, 10)
	cl := connect(t, c)
	counted := false
	deadline := time.After(30 * time.Second)
	for {
		select {
		case e := <-cl.Events():
			switch e := e.(type) {
			case ClusterUpdated:
				counted = counted || !e.Snapshot.WatermarksAt.IsZero()
			case DiskUpdated:
				if !counted {
					t.Fatal("the log dirs came before the message counts")
				}
				if e.Err != nil || e.Disk == nil {
					t.Fatalf("disk %v, err %v", e.Disk, e.Err)
				}
				if size, ok := e.Disk.TopicSize("sized"); !ok || size <= 0 || len(e.Disk.Brokers) != 3 {
					t.Errorf("size %d (%v) over %d brokers", size, ok, len(e.Disk.Brokers))
				}
				return
			}
		case <-deadline:
			t.Fatal("no log dirs within 30s")
		}
	}
}
