package kafkaclient

import "time"

// Header is one record header.
type Header struct {
	Key   []byte
	Value []byte
}

// Record is one consumed record. Its byte slices are owned by the record:
// nothing else writes to them after it is published.
type Record struct {
	Topic     string
	Partition int32
	Offset    int64
	Timestamp time.Time
	// LogAppendTime is true when the broker stamped the time, false when the producer did (CreateTime).
	LogAppendTime bool
	Key           []byte
	Value         []byte
	Headers       []Header
}

// Size is the bytes the record carries: key, value and headers.
func (r *Record) Size() int {
	n := len(r.Key) + len(r.Value)
	for _, h := range r.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return n
}
