package kafkaclient

import "time"

// Event is something the client's goroutines observed. Events are plain
// values: the client knows nothing of how they are shown.
type Event interface{ event() }

// ClusterUpdated carries a new snapshot of the cluster. It is published
// twice per refresh: once with the fresh metadata (watermarks carried over
// from the previous snapshot where the partition still exists) and once
// the new watermarks are in.
type ClusterUpdated struct{ Snapshot *Snapshot }

// RefreshFailed says a metadata refresh reached no broker; the last
// snapshot stays current but ages.
type RefreshFailed struct {
	Err error
	At  time.Time
}

func (ClusterUpdated) event() {}
func (RefreshFailed) event()  {}
