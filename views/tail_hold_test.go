package views

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"kscope/kafkaclient"
)

// drive runs v as the program does: each Cmd in a goroutine of its own,
// each answer back to Update in turn, until done says so of the view.
func drive(t *testing.T, v *Tail, first tea.Cmd, within time.Duration, done func() bool) {
	t.Helper()
	msgs := make(chan tea.Msg, 64)
	var run func(tea.Cmd)
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		go func() {
			switch msg := cmd().(type) {
			case tea.BatchMsg:
				for _, c := range msg {
					run(c)
				}
			case nil:
			default:
				msgs <- msg
			}
		}()
	}
	run(first)
	deadline := time.After(within)
	for !done() {
		select {
		case msg := <-msgs:
			if a, ok := msg.(Answer); ok {
				msg = a.Msg
			}
			_, cmd := v.Update(msg)
			run(cmd)
		case <-deadline:
			t.Fatalf("not done within %s:\n%s", within, plain(v))
		}
	}
}

// scanCluster is a cluster holding n records in topic "scan", one in
// every of them carrying "needle", and a client of it.
func scanCluster(t *testing.T, ctx context.Context, n, every int) Client {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "scan"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cl, err := kafkaclient.Connect(ctx, kafkaclient.Config{Brokers: c.ListenAddrs(), RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	conf := sarama.NewConfig()
	conf.Version = sarama.V2_8_0_0
	conf.Producer.Return.Successes = true
	conf.Producer.Partitioner = sarama.NewManualPartitioner
	p, err := sarama.NewSyncProducer(c.ListenAddrs(), conf)
	if err != nil {
		t.Fatal(err)
	}
	msgs := make([]*sarama.ProducerMessage, n)
	for i := range n {
		v := fmt.Sprintf("record %05d", i)
		if i%every == 0 {
			v += " needle"
		}
		msgs[i] = &sarama.ProducerMessage{Topic: "scan", Partition: int32(i % 3), Value: sarama.StringEncoder(v)}
	}
	if err := p.SendMessages(msgs); err != nil {
		t.Fatal(err)
	}
	p.Close()
	return ClientOf(cl)
}

// TestAFilterReadsEveryRecordOfAFastTail searches 20,000 records that a
// tail reads at full speed through a buffer of 1,000, the filter set as
// the tail opens: the tail waits for the filter, so every record is
// searched before it leaves the buffer and every match is found.
func TestAFilterReadsEveryRecordOfAFastTail(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	const n, every = 20_000, 100
	common := testCommon(t)
	common.Client = scanCluster(t, ctx, n, every)
	common.TailRecords, common.TailBytes = 1000, 1<<30
	v := NewTail(common, kafkaclient.TailSpec{Topic: "scan", From: kafkaclient.From{Kind: kafkaclient.FromEarliest}})
	v.SetSize(120, 30)
	first := v.Init(Scope{ID: 1, Ctx: ctx})
	if err := v.SetFilter("needle"); err != nil {
		t.Fatal(err)
	}
	drive(t, v, first, time.Minute, func() bool {
		return v.scan.scanned == n || v.ring.First() > v.scan.next
	})
	if v.scan.scanned != n || v.scan.matched != n/every {
		t.Fatalf("searched %d, matched %d; want %d, %d", v.scan.scanned, v.scan.matched, n, n/every)
	}
	if s := plain(v); !strings.Contains(s, fmt.Sprintf("matched %d / %s scanned", n/every, count(n))) {
		t.Errorf("status:\n%s", s)
	}
}

// A filter a tail opens with (--filter) marks every record from the first
// fetch on, in the tail's fetchers.
func TestATailOpenedFilteredMarksEveryRecord(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	const n, every = 6_000, 100
	common := testCommon(t)
	common.Client = scanCluster(t, ctx, n, every)
	v := NewTail(common, kafkaclient.TailSpec{Topic: "scan", From: kafkaclient.From{Kind: kafkaclient.FromEarliest}})
	if err := v.FilterFirst("needle"); err != nil {
		t.Fatal(err)
	}
	v.Init(Scope{ID: 1, Ctx: ctx})
	opened := v.open()().(Answer).Msg.(TailOpened)
	if opened.Err != nil {
		t.Fatal(opened.Err)
	}
	defer opened.Tail.Close()
	read, matched := 0, 0
	for read < n {
		b, ok := (<-opened.Tail.Events()).(kafkaclient.RecordBatch)
		if !ok {
			continue
		}
		for i, chunk := range b.Records {
			m := b.Marks[i]
			if m.Tag != v.scan.gen || m.Read == 0 {
				t.Fatalf("a chunk of %d records marked %+v; want the tag %d", len(chunk), m, v.scan.gen)
			}
			var want []int
			for j, r := range chunk[:m.Read] {
				if strings.HasSuffix(string(r.Value), "needle") {
					want = append(want, j)
				}
			}
			if !slices.Equal(m.Matches, want) {
				t.Fatalf("matches marked %v, want %v", m.Matches, want)
			}
			read, matched = read+len(chunk), matched+len(want)
		}
	}
	if read != n || matched > n/every {
		t.Errorf("%d matches marked in %d records", matched, read)
	}
}
