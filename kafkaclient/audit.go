package kafkaclient

import "time"

// AuditEntry is one change made to a cluster, as the audit file keeps it.
// It never holds a secret.
type AuditEntry struct {
	Time    time.Time `json:"time"`
	Context string    `json:"context"`
	Action  string    `json:"action"`
	Target  string    `json:"target"`
	Result  string    `json:"result"` // "ok" or the error
}
