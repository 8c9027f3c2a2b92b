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

// RefreshFailed says a metadata refresh reached no broker. Snapshot is
// the last snapshot with what the attempt learnt of the brokers: each one
// that could not be reached is down, with its error. Its topics and
// watermarks are the last read, and its At still says when, so the data
// ages while the broker health stays current. nil before any snapshot.
type RefreshFailed struct {
	Err      error
	At       time.Time
	Snapshot *Snapshot
}

func (ClusterUpdated) event() {}

// DiskUpdated carries the brokers' log dirs, read every DiskInterval on
// their own, since disk use moves slowly. Err is set when no broker
// answered; Disk then holds the last read, if any.
type DiskUpdated struct {
	Disk *LogDirs
	Err  error
	At   time.Time
}

func (DiskUpdated) event()   {}
func (RefreshFailed) event() {}
