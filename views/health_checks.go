package views

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kscope/kafkaclient"
)

// Severity is how bad a health finding is.
type Severity int

// The severities, from least to most urgent.
const (
	SeverityWarn Severity = iota + 1
	SeverityCrit
)

func (s Severity) String() string {
	if s == SeverityCrit {
		return "CRIT"
	}
	return "WARN"
}

// The checks, in the order their findings are listed within a severity:
// what is down before what is degraded.
const (
	checkBrokerDown = iota
	checkOffline
	checkUnderMinISR
	checkDiskOffline
	checkHanging
	checkGroup
	checkDiskFull
	checkUnderReplicated
	checkReplication
	checkPreferred
	checkSkew
	checkDiskUnknown
)

// Finding is one thing the health checks found wrong, with where to look.
type Finding struct {
	Severity Severity
	check    int
	// Check names the check, Subject what it found at fault, Detail why.
	Check, Subject, Detail string
	// open is the view to drill down into.
	open func(c *Common) View
}

// healthInput is what the checks read: the cluster as last observed, and
// what the health poll read beside it (nil or empty until it has).
type healthInput struct {
	snap *kafkaclient.Snapshot
	disk *kafkaclient.LogDirs
	req  *kafkaclient.Requirements
	// groups are the statuses of the groups observed, by name.
	groups map[string]kafkaclient.Status
	txns   []kafkaclient.Transaction
	now    time.Time
}

// Thresholds of the disk checks: a volume with less than this share free.
const (
	diskWarnFree = 0.15
	diskCritFree = 0.05
)

// evaluateHealth runs every check on in and returns the findings, worst
// first.
func evaluateHealth(in healthInput) []Finding {
	var out []Finding
	if in.snap != nil {
		out = append(out, brokerFindings(in.snap)...)
		out = append(out, partitionFindings(in.snap, in.req)...)
	}
	out = append(out, diskFindings(in.disk)...)
	out = append(out, groupFindings(in.groups)...)
	out = append(out, hangingFindings(in.txns, in.now)...)
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(b.Severity, a.Severity), cmp.Compare(a.check, b.check), strings.Compare(a.Subject, b.Subject))
	})
	return out
}

func openBrokers(c *Common) View { return NewBrokers(c) }

func brokerFindings(s *kafkaclient.Snapshot) []Finding {
	var out []Finding
	total := 0
	for _, b := range s.Brokers {
		total += b.Leaders
		if !b.Up {
			detail := "not answering"
			if b.Err != nil {
				detail = b.Err.Error()
			}
			out = append(out, Finding{Severity: SeverityCrit, check: checkBrokerDown, Check: "broker down",
				Subject: "broker " + strconv.Itoa(int(b.ID)), Detail: detail, open: openBrokers})
		}
	}
	// The brokers view's rule: over 1.5× or under half an even share.
	fair := float64(total) / float64(max(len(s.Brokers), 1))
	for _, b := range s.Brokers {
		if total > 0 && len(s.Brokers) > 1 && (float64(b.Leaders) > 1.5*fair || float64(b.Leaders) < 0.5*fair) {
			out = append(out, Finding{Severity: SeverityWarn, check: checkSkew, Check: "leader skew",
				Subject: "broker " + strconv.Itoa(int(b.ID)),
				Detail:  fmt.Sprintf("leads %d of %d partitions, an even share is %.0f", b.Leaders, total, fair), open: openBrokers})
		}
	}
	return out
}

// partitionFindings are the per-topic checks, each partition judged as
// kafka-topics --describe judges it: unavailable without a leader, under
// min ISR without a leader or with fewer in-sync replicas than
// min.insync.replicas, under-replicated with fewer than its replicas.
func partitionFindings(s *kafkaclient.Snapshot, req *kafkaclient.Requirements) []Finding {
	var out []Finding
	notPreferred := 0
	for i := range s.Topics {
		t := &s.Topics[i]
		minISR := 0
		if req != nil {
			minISR = req.MinISR[t.Name]
		}
		// By index: a refresh of 100,000 partitions runs this on the event
		// loop, where copying each partition costs.
		for j := range t.Partitions {
			p := &t.Partitions[j]
			// An offline partition is reported as offline, not here.
			if pref := p.PreferredLeader(); pref >= 0 && !p.IsOffline() && p.Leader != pref {
				notPreferred++
			}
		}
		problems := t.Problems(minISR)
		f, ok := replicationFinding(t, req, minISR)
		if len(problems.Offline)+len(problems.UnderMinISR)+len(problems.UnderReplicated) == 0 && !ok {
			continue
		}
		name := t.Name
		open := func(c *Common) View { return NewPartitions(c, name) }
		add := func(sev Severity, check int, what string, ids []int32, why func() string) {
			if len(ids) > 0 {
				out = append(out, Finding{Severity: sev, check: check, Check: what, Subject: name,
					Detail: fmt.Sprintf("%s %s: %s", plural(int64(len(ids)), "partition", "partitions"), idList(ids), why()), open: open})
			}
		}
		add(SeverityCrit, checkOffline, "offline partitions", problems.Offline, func() string { return "no leader; nothing can be read or written" })
		add(SeverityCrit, checkUnderMinISR, "under min ISR", problems.UnderMinISR, func() string {
			return fmt.Sprintf("fewer in-sync replicas than min.insync.replicas=%d; acks=all writes fail", minISR)
		})
		add(SeverityWarn, checkUnderReplicated, "under-replicated", problems.UnderReplicated, func() string { return "replicas out of the ISR" })
		if ok {
			f.open = open
			out = append(out, f)
		}
	}
	if notPreferred > 0 {
		out = append(out, Finding{Severity: SeverityWarn, check: checkPreferred, Check: "preferred leaders", Subject: "the cluster",
			Detail: plural(int64(notPreferred), "partition is not led by its", "partitions are not led by their") + " preferred replica; E here elects them all, or on a topic, partition or broker",
			open:   func(c *Common) View { return NewTopics(c) }})
	}
	return out
}

// replicationFinding warns of a topic with fewer replicas than the
// cluster's default, or too few to lose one and still take acks=all
// writes (min.insync.replicas + 1).
func replicationFinding(t *kafkaclient.TopicInfo, req *kafkaclient.Requirements, minISR int) (Finding, bool) {
	rf := t.ReplicationFactor()
	var why []string
	if req != nil && req.DefaultReplicationFactor > 0 && rf < req.DefaultReplicationFactor {
		why = append(why, fmt.Sprintf("below the default.replication.factor %d", req.DefaultReplicationFactor))
	}
	if minISR > 0 && rf < minISR+1 {
		why = append(why, fmt.Sprintf("below min.insync.replicas+1 = %d: one broker down stops acks=all writes", minISR+1))
	}
	if len(why) == 0 {
		return Finding{}, false
	}
	return Finding{Severity: SeverityWarn, check: checkReplication, Check: "replication factor", Subject: t.Name,
		Detail: fmt.Sprintf("replication factor %d, %s", rf, strings.Join(why, "; "))}, true
}

func diskFindings(d *kafkaclient.LogDirs) []Finding {
	if d == nil {
		return nil
	}
	var out []Finding
	for _, b := range d.Brokers {
		subject := "broker " + strconv.Itoa(int(b.Broker))
		if b.Err != nil {
			out = append(out, Finding{Severity: SeverityWarn, check: checkDiskUnknown, Check: "log dirs unknown", Subject: subject,
				Detail: b.Err.Error(), open: openBrokers})
			continue
		}
		for _, dir := range b.Dirs {
			where := subject + " " + dir.Path
			switch {
			case dir.Err != nil:
				out = append(out, Finding{Severity: SeverityCrit, check: checkDiskOffline, Check: "log dir offline", Subject: where,
					Detail: dir.Err.Error(), open: openBrokers})
			case dir.TotalBytes > 0 && dir.UsableBytes >= 0:
				free := float64(dir.UsableBytes) / float64(dir.TotalBytes)
				sev := SeverityWarn
				if free < diskCritFree {
					sev = SeverityCrit
				} else if free >= diskWarnFree {
					continue
				}
				out = append(out, Finding{Severity: sev, check: checkDiskFull, Check: "log dir near full", Subject: where,
					Detail: fmt.Sprintf("%s free of %s (%.0f%%)", bytesize(dir.UsableBytes), bytesize(dir.TotalBytes), 100*free), open: openBrokers})
			}
		}
	}
	return out
}

func groupFindings(statuses map[string]kafkaclient.Status) []Finding {
	var out []Finding
	for name, st := range statuses {
		var sev Severity
		var why string
		switch st {
		case kafkaclient.StatusStop:
			sev, why = SeverityCrit, "no commit for longer than the window while there is lag"
		case kafkaclient.StatusStall:
			sev, why = SeverityCrit, "committed offsets not moving while there is lag"
		case kafkaclient.StatusRewind:
			sev, why = SeverityWarn, "committed offsets went backwards"
		case kafkaclient.StatusWarn:
			sev, why = SeverityWarn, "lag grew across the whole window"
		default:
			continue
		}
		out = append(out, Finding{Severity: sev, check: checkGroup, Check: "group " + st.String(), Subject: name, Detail: why,
			open: func(c *Common) View { return NewGroup(c, name) }})
	}
	return out
}

// idList writes partition ids as "0,3,7", the first ten and a count of
// the rest beyond.
func idList(ids []int32) string {
	const shown = 10
	parts := make([]string, 0, min(len(ids), shown))
	for _, id := range ids[:min(len(ids), shown)] {
		parts = append(parts, strconv.Itoa(int(id)))
	}
	s := strings.Join(parts, ",")
	if len(ids) > shown {
		s += fmt.Sprintf(" and %d more", len(ids)-shown)
	}
	return s
}

// healthSummary is the header's word for findings: OK, or the worst
// severity with how many findings have it.
func healthSummary(findings []Finding) (string, Severity) {
	if len(findings) == 0 {
		return "OK", 0
	}
	worst, n := findings[0].Severity, 0
	for _, f := range findings {
		if f.Severity == worst {
			n++
		}
	}
	return fmt.Sprintf("%s %d", worst, n), worst
}

// hangingFindings are the transactions open past their timeout and those
// hanging at partitions their coordinator will never end, each opening
// its producer at its partitions, where A aborts it.
func hangingFindings(txns []kafkaclient.Transaction, now time.Time) []Finding {
	var out []Finding
	for _, t := range txns {
		subject := t.ID
		if subject == "" {
			subject = "producer " + strconv.FormatInt(t.ProducerID, 10)
		}
		var detail string
		switch {
		case len(t.HangingAt) > 0:
			h := t.HangingAt[0]
			detail = fmt.Sprintf("open at %s since offset %d, last written %s ago, and no coordinator will end it", partitionName(h.TopicPartition),
				h.Producer.TxnStartOffset, duration(now.Sub(h.Producer.LastTimestamp).Milliseconds()))
			if n := len(t.HangingAt); n > 1 {
				detail += fmt.Sprintf(" (and at %s more)", plural(int64(n-1), "partition", "partitions"))
			}
			detail += "; read_committed consumers wait"
		case t.Overdue(now):
			detail = fmt.Sprintf("open %s, timeout %s; read_committed consumers of %s wait", duration(now.Sub(t.Started).Milliseconds()),
				duration(t.Timeout.Milliseconds()), plural(int64(len(t.Partitions)), "partition", "partitions"))
		default:
			continue
		}
		out = append(out, Finding{Severity: SeverityCrit, check: checkHanging, Check: "hanging transaction", Subject: subject, Detail: detail,
			open: func(c *Common) View { return NewTransactionProducers(c, t) }})
	}
	return out
}
