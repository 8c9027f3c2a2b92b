package kafkaclient

import (
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"
)

// leaderMoved reports the errors a fetch gets from a broker that no
// longer leads the partition, or not yet: the reader finds the leader
// again and goes on, as any consumer does, without telling the user.
func leaderMoved(err error) bool {
	for _, e := range []error{
		sarama.ErrNotLeaderForPartition, sarama.ErrLeaderNotAvailable, sarama.ErrReplicaNotAvailable,
		sarama.ErrFencedLeaderEpoch, sarama.ErrUnknownLeaderEpoch, sarama.ErrOffsetNotAvailable,
		sarama.ErrKafkaStorageError, sarama.ErrUnknownTopicOrPartition,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// relocate finds a partition its leader again after its fetch failed on
// cause, and hands it to that leader's fetcher: where
// TailSpec.OnOutOfRange says when its offset fell out of the log, else
// where it was. Failed attempts are repeated after restartDelay; the
// reader's state says what it waits for and why. It gives up once the
// tail stops.
func (t *Tail) relocate(p *tailPartition, cause error) {
	if errors.Is(cause, sarama.ErrOffsetOutOfRange) {
		t.reset(p, cause)
		return
	}
	if errors.Is(cause, sarama.ErrUnknownTopicOrPartition) && t.endIfDeleted(cause) {
		return
	}
	if !leaderMoved(cause) {
		t.notice(p.id, NoticeRetrying, true, "reconnecting: "+cause.Error())
	}
	failedAt := time.Now()
	wait := restartDelay(p.failed(cause))
	for {
		if !t.sleep(wait) {
			return
		}
		t.refreshLeaders(failedAt)
		b, err := t.client.Leader(t.Spec.Topic, p.id)
		if err == nil {
			t.resume(p, b)
			return
		}
		if t.endIfDeleted(err) {
			return
		}
		failedAt = time.Now()
		wait = restartDelay(p.failed(err))
		p.waiting(ReaderRestarting, fmt.Errorf("finding the leader: %w", err), wait)
	}
}

// resume hands p to b's fetcher; a reader that was waiting for a leader
// says it runs again.
func (t *Tail) resume(p *tailPartition, b *sarama.Broker) {
	if state, next := p.state(); state != ReaderRunning {
		if !p.started(next, false, watermark{}) {
			return
		}
		t.notice(p.id, NoticeRestarted, false, fmt.Sprintf("reader restarted at offset %d", next))
	}
	t.assign(p, b)
}

// refreshLeaders refreshes the topic's metadata, unless a refresh began
// after since: partitions whose leader failed together share one.
func (t *Tail) refreshLeaders(since time.Time) {
	t.refreshMu.Lock()
	defer t.refreshMu.Unlock()
	if t.refreshedAt.After(since) {
		return
	}
	t.refreshedAt = time.Now()
	_ = t.client.RefreshMetadata(t.Spec.Topic)
}

// reset starts a reader whose next offset fell out of the log at the
// offset the policy gives, once the log's bounds and leader are found.
func (t *Tail) reset(p *tailPartition, cause error) {
	_, lost := p.state()
	t.notice(p.id, NoticeReset, true, fmt.Sprintf("offset %d is out of range: restarting at the %s offset", lost, t.Spec.OnOutOfRange))
	for attempt := 1; ; attempt++ {
		wait := restartDelay(attempt)
		if attempt == 1 {
			// Nothing failed yet but the offset: look for the new one at once.
			wait = 0
		}
		p.waiting(ReaderResetting, cause, wait)
		if !t.sleep(wait) {
			return
		}
		asked := time.Now()
		low, high, b, err := t.logBounds(p.id)
		if err == nil {
			from := low
			if t.Spec.OnOutOfRange == OutOfRangeLatest {
				from = high
			}
			if !p.started(from, true, watermark{high: high, at: asked}) {
				return
			}
			t.notice(p.id, NoticeReset, true, resetText(lost, low, high, from, t.Spec.OnOutOfRange))
			t.assign(p, b)
			return
		}
		if t.endIfDeleted(err) {
			return
		}
		cause = err
	}
}

// logBounds reads where a partition's log starts and ends now, and its
// leader.
func (t *Tail) logBounds(partition int32) (low, high int64, leader *sarama.Broker, err error) {
	if low, err = t.client.GetOffset(t.Spec.Topic, partition, sarama.OffsetOldest); err != nil {
		return 0, 0, nil, fmt.Errorf("reading the log start: %w", err)
	}
	if high, err = t.client.GetOffset(t.Spec.Topic, partition, sarama.OffsetNewest); err != nil {
		return 0, 0, nil, fmt.Errorf("reading the log end: %w", err)
	}
	if leader, err = t.client.Leader(t.Spec.Topic, partition); err != nil {
		return 0, 0, nil, fmt.Errorf("finding the leader: %w", err)
	}
	return low, high, leader, nil
}

// resetText says what a reset skipped or reads again: the reader's next
// offset was lost, the log now runs from low to its end high, and
// reading goes on from from.
func resetText(lost, low, high, from int64, policy OutOfRange) string {
	var what string
	switch {
	case lost < low:
		what = fmt.Sprintf("records %d..%d were deleted before they were read", lost, low-1)
	case lost > high:
		what = fmt.Sprintf("the log now ends at %d (topic recreated or cluster restarted?)", high)
	default:
		what = fmt.Sprintf("the log now runs %d..%d", low, high)
	}
	text := fmt.Sprintf("offset %d is out of range: %s; restarted at the %s offset %d", lost, what, policy, from)
	if policy == OutOfRangeLatest && high > max(low, lost) {
		text += fmt.Sprintf(", skipping %d records", high-max(low, lost))
	}
	return text
}

// endIfDeleted ends the tail when err says its topic is unknown and the
// metadata confirms it is gone; it reports whether it did.
func (t *Tail) endIfDeleted(err error) bool {
	if !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
		return false
	}
	if errors.Is(t.client.RefreshMetadata(t.Spec.Topic), sarama.ErrUnknownTopicOrPartition) {
		t.end(fmt.Errorf("topic %s was deleted", t.Spec.Topic))
		return true
	}
	return false
}
