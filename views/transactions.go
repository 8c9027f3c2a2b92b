package views

import (
	"cmp"
	"context"
	"strconv"
	"strings"
	"time"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// NewTransactions makes the :transactions view: every transactional id
// with its state, producer, timeout, how long its open transaction has
// been open and the partitions it wrote to. An open transaction older
// than its timeout is HANGING: its coordinator should have aborted it,
// and read_committed consumers of its partitions wait at its first record
// until it ends.
func NewTransactions(c *Common) *ReadList[kafkaclient.Transaction] {
	type tx = kafkaclient.Transaction
	age := func(t tx) time.Duration {
		if !t.Open() {
			return -1
		}
		return c.Now().Sub(t.Started)
	}
	list := newList(c, "transactions", []widget.Column{
		{Title: "TRANSACTIONAL-ID", Essential: true, Priority: 10, Min: 14, Cut: widget.CutMiddle},
		{Title: "STATE", Essential: true, Priority: 9},
		{Title: "PRODUCER", Right: true, Cut: widget.CutNever, Priority: 6},
		{Title: "EPOCH", Right: true, Cut: widget.CutNever, Priority: 3},
		{Title: "COORD", Right: true, Cut: widget.CutNever, Priority: 2},
		{Title: "TIMEOUT", Right: true, Cut: widget.CutNever, Priority: 7},
		{Title: "OPEN FOR", Right: true, Cut: widget.CutNever, Essential: true, Priority: 8},
		{Title: "PARTITIONS", Priority: 4, Cut: widget.CutEnd},
	},
		widget.Sort[tx]{Column: 0, Compare: func(a, b tx) int { return strings.Compare(a.ID, b.ID) }},
		widget.Sort[tx]{Column: 1, Compare: func(a, b tx) int { return strings.Compare(a.State, b.State) }},
		widget.Sort[tx]{Column: 2, Compare: func(a, b tx) int { return cmp.Compare(a.ProducerID, b.ProducerID) }},
		widget.Sort[tx]{Column: 3, Desc: true, Compare: func(a, b tx) int { return cmp.Compare(a.ProducerEpoch, b.ProducerEpoch) }},
		widget.Sort[tx]{Column: 4, Compare: func(a, b tx) int { return cmp.Compare(a.Coordinator, b.Coordinator) }},
		widget.Sort[tx]{Column: 5, Desc: true, Compare: func(a, b tx) int { return cmp.Compare(a.Timeout, b.Timeout) }},
		widget.Sort[tx]{Column: 6, Desc: true, Compare: func(a, b tx) int { return cmp.Compare(age(a), age(b)) }},
		widget.Sort[tx]{Column: 7, Desc: true, Compare: func(a, b tx) int { return cmp.Compare(len(a.Partitions), len(b.Partitions)) }},
	)
	list.Empty = "loading…"
	st := c.Styles
	v := &ReadList[kafkaclient.Transaction]{List: list, c: c, what: "transactions", none: "the cluster has no transactional ids",
		row: func(t kafkaclient.Transaction) widget.Row {
			id, _ := sanitize.Styled(t.ID, st.Escape)
			state := t.State
			open := st.Muted.Render("-")
			switch {
			case t.Err != nil:
				clean, _ := sanitize.Plain(t.Err.Error())
				state = st.Error.Render(state + " (" + clean + ")")
			case t.Hanging(c.Now()):
				state = st.Error.Render("HANGING " + state)
			}
			if a := age(t); a >= 0 {
				open = duration(a.Milliseconds())
				if t.Hanging(c.Now()) {
					open = st.Error.Render(open)
				}
			}
			parts := partitionList(t.Partitions)
			partitions, _ := sanitize.Styled(parts, st.Escape)
			if parts == "" {
				partitions = st.Muted.Render("-")
			}
			coord := strconv.Itoa(int(t.Coordinator))
			if t.Coordinator < 0 {
				coord = st.Muted.Render("-")
			}
			return widget.Row{
				Key:    t.ID,
				Search: t.ID + " " + t.State + " " + parts,
				Cells: widget.FixedCells(id, state, strconv.FormatInt(t.ProducerID, 10), strconv.Itoa(int(t.ProducerEpoch)), coord,
					duration(t.Timeout.Milliseconds()), open, partitions),
			}
		}}
	if c.Client.Transactions != nil {
		v.read = c.Client.Transactions.Transactions
	}
	return v
}

// partitionList writes partitions sorted by topic as "orders 0,5 audit 1".
func partitionList(tps []kafkaclient.TopicPartition) string {
	var b strings.Builder
	for i, tp := range tps {
		switch {
		case i == 0:
		case tps[i-1].Topic == tp.Topic:
			b.WriteByte(',')
			b.WriteString(strconv.Itoa(int(tp.Partition)))
			continue
		default:
			b.WriteByte(' ')
		}
		b.WriteString(tp.Topic + " " + strconv.Itoa(int(tp.Partition)))
	}
	return b.String()
}

// NewProducers makes the view of a partition's active producers, as
// DescribeProducers gives them (kafka-transactions describe-producers):
// an open transaction's first offset is where read_committed consumers
// of the partition wait.
func NewProducers(c *Common, topic string, partition int32) *ReadList[kafkaclient.ActiveProducer] {
	type ap = kafkaclient.ActiveProducer
	name, _ := sanitize.Plain(topic)
	list := newList(c, "producers of "+name+"/"+strconv.Itoa(int(partition)), []widget.Column{
		{Title: "PRODUCER", Right: true, Cut: widget.CutNever, Essential: true, Priority: 10},
		{Title: "EPOCH", Right: true, Cut: widget.CutNever, Essential: true, Priority: 6},
		{Title: "LAST SEQ", Right: true, Cut: widget.CutNever, Priority: 5},
		{Title: "LAST WRITE", Cut: widget.CutNever, Essential: true, Priority: 8},
		{Title: "COORD EPOCH", Right: true, Cut: widget.CutNever, Priority: 3},
		{Title: "TXN START", Right: true, Cut: widget.CutNever, Essential: true, Priority: 9},
	},
		widget.Sort[ap]{Column: 0, Compare: func(a, b ap) int { return cmp.Compare(a.ProducerID, b.ProducerID) }},
		widget.Sort[ap]{Column: 1, Desc: true, Compare: func(a, b ap) int { return cmp.Compare(a.Epoch, b.Epoch) }},
		widget.Sort[ap]{Column: 2, Desc: true, Compare: func(a, b ap) int { return cmp.Compare(a.LastSequence, b.LastSequence) }},
		widget.Sort[ap]{Column: 3, Desc: true, Compare: func(a, b ap) int { return a.LastTimestamp.Compare(b.LastTimestamp) }},
		widget.Sort[ap]{Column: 4, Desc: true, Compare: func(a, b ap) int { return cmp.Compare(a.CoordinatorEpoch, b.CoordinatorEpoch) }},
		widget.Sort[ap]{Column: 5, Compare: func(a, b ap) int { return cmp.Compare(a.TxnStartOffset, b.TxnStartOffset) }},
	)
	list.Empty = "loading…"
	st := c.Styles
	v := &ReadList[kafkaclient.ActiveProducer]{List: list, c: c, what: "producers", none: "no producer has written to the partition lately",
		row: func(p kafkaclient.ActiveProducer) widget.Row {
			last, start := st.Muted.Render("-"), st.Muted.Render("-")
			if !p.LastTimestamp.IsZero() {
				last = p.LastTimestamp.In(c.Location).Format(timestampLayout)
			}
			if p.TxnStartOffset >= 0 {
				start = count(p.TxnStartOffset)
			}
			id := strconv.FormatInt(p.ProducerID, 10)
			return widget.Row{
				Key:    id,
				Search: id,
				Cells: widget.FixedCells(id, strconv.Itoa(int(p.Epoch)), strconv.Itoa(int(p.LastSequence)), last,
					strconv.Itoa(int(p.CoordinatorEpoch)), start),
			}
		}}
	if c.Client.Transactions != nil {
		read := c.Client.Transactions.Producers
		v.read = func(ctx context.Context) ([]kafkaclient.ActiveProducer, error) { return read(ctx, topic, partition) }
	}
	return v
}
