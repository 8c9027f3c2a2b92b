package views

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// NewTransactions makes the :transactions view: every transactional id
// with its state, producer, timeout, how long its open transaction has
// been open and the partitions it wrote to. A transaction is HANGING when
// it is open past its timeout (its coordinator should have aborted it)
// or when a partition holds it open that its coordinator will never end
// (as kafka-transactions find-hanging finds them; such a producer with no
// transactional id has a row of its own). read_committed consumers of
// its partitions wait at its first record until it ends. Enter on one
// lists its producer at each partition it wrote to, where A aborts it.
func NewTransactions(c *Common) *Transactions {
	type tx = kafkaclient.Transaction
	age := func(t tx) time.Duration {
		if t.Open() {
			return c.Now().Sub(t.Started)
		}
		if len(t.HangingAt) == 0 {
			return -1
		}
		// Since its last write, as find-hanging counts it.
		last := t.HangingAt[0].Producer.LastTimestamp
		for _, h := range t.HangingAt[1:] {
			if h.Producer.LastTimestamp.After(last) {
				last = h.Producer.LastTimestamp
			}
		}
		return c.Now().Sub(last)
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
		widget.Sort[tx]{Column: 0, Compare: tx.Compare},
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
			key := t.ID
			if t.ID == "" {
				id, key = st.Muted.Render("(no transactional id)"), "\x00"+strconv.FormatInt(t.ProducerID, 10)
			}
			state := t.State
			open := st.Muted.Render("-")
			switch {
			case t.Hanging(c.Now()):
				state = st.Error.Render(strings.TrimSpace("HANGING " + state))
			case t.Err != nil:
				clean, _ := sanitize.Plain(t.Err.Error())
				state = st.Error.Render(state + " (" + clean + ")")
			}
			if a := age(t); a >= 0 {
				open = duration(a.Milliseconds())
				if t.Hanging(c.Now()) {
					open = st.Error.Render(open)
				}
			}
			parts := partitionList(t.Partitions)
			partitions, _ := sanitize.Styled(parts, st.Escape)
			if len(t.HangingAt) > 0 {
				hanging := make([]kafkaclient.TopicPartition, len(t.HangingAt))
				for i, h := range t.HangingAt {
					hanging[i] = h.TopicPartition
				}
				list, _ := sanitize.Styled(partitionList(hanging), st.Escape)
				parts = strings.TrimSpace(parts + " hanging at " + partitionList(hanging))
				partitions = strings.TrimSpace(partitions + " " + st.Error.Render("hanging at ") + list)
			}
			if parts == "" {
				partitions = st.Muted.Render("-")
			}
			coord := strconv.Itoa(int(t.Coordinator))
			if t.Coordinator < 0 {
				coord = st.Muted.Render("-")
			}
			return widget.Row{
				Key:    key,
				Search: t.ID + " " + t.State + " " + parts,
				Cells: widget.FixedCells(id, state, strconv.FormatInt(t.ProducerID, 10), strconv.Itoa(int(t.ProducerEpoch)), coord,
					duration(t.Timeout.Milliseconds()), open, partitions),
			}
		}}
	if c.Client.Transactions != nil {
		v.read = c.Client.Transactions.Transactions
	}
	return &Transactions{ReadList: v}
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

// producerAt is a producer as the leader of one partition describes it;
// listed is false when the leader keeps no state for it there.
type producerAt struct {
	tp     kafkaclient.TopicPartition
	p      kafkaclient.ActiveProducer
	listed bool
}

// producerColumns are the columns after the first of a producers list,
// each with its order.
func producerColumns() ([]widget.Column, []widget.Sort[producerAt]) {
	type ap = kafkaclient.ActiveProducer
	by := func(col int, desc bool, f func(a, b ap) int) widget.Sort[producerAt] {
		return widget.Sort[producerAt]{Column: col, Desc: desc, Compare: func(a, b producerAt) int { return f(a.p, b.p) }}
	}
	return []widget.Column{
			{Title: "EPOCH", Right: true, Cut: widget.CutNever, Essential: true, Priority: 6},
			{Title: "LAST SEQ", Right: true, Cut: widget.CutNever, Priority: 5},
			{Title: "LAST WRITE", Cut: widget.CutNever, Essential: true, Priority: 8},
			{Title: "COORD EPOCH", Right: true, Cut: widget.CutNever, Priority: 3},
			{Title: "TXN START", Right: true, Cut: widget.CutNever, Essential: true, Priority: 9},
		}, []widget.Sort[producerAt]{
			by(1, true, func(a, b ap) int { return cmp.Compare(a.Epoch, b.Epoch) }),
			by(2, true, func(a, b ap) int { return cmp.Compare(a.LastSequence, b.LastSequence) }),
			by(3, true, func(a, b ap) int { return a.LastTimestamp.Compare(b.LastTimestamp) }),
			by(4, true, func(a, b ap) int { return cmp.Compare(a.CoordinatorEpoch, b.CoordinatorEpoch) }),
			by(5, false, func(a, b ap) int { return cmp.Compare(a.TxnStartOffset, b.TxnStartOffset) }),
		}
}

// producerCells are a producer's cells after the first column.
func producerCells(c *Common, at producerAt) []string {
	dash := c.Styles.Muted.Render("-")
	if !at.listed {
		return []string{dash, dash, dash, dash, dash}
	}
	p := at.p
	last, start := dash, dash
	if !p.LastTimestamp.IsZero() {
		last = p.LastTimestamp.In(c.Zone()).Format(timestampLayout)
	}
	if p.TxnStartOffset >= 0 {
		start = count(p.TxnStartOffset)
	}
	return []string{strconv.Itoa(int(p.Epoch)), strconv.Itoa(int(p.LastSequence)), last, strconv.Itoa(int(p.CoordinatorEpoch)), start}
}

// NewProducers makes the view of a partition's active producers, as
// DescribeProducers gives them (kafka-transactions describe-producers):
// an open transaction's first offset is where read_committed consumers
// of the partition wait.
func NewProducers(c *Common, topic string, partition int32) *Producers {
	tp := kafkaclient.TopicPartition{Topic: topic, Partition: partition}
	cols, sorts := producerColumns()
	list := newList(c, "producers of "+partitionName(tp), append([]widget.Column{
		{Title: "PRODUCER", Right: true, Cut: widget.CutNever, Essential: true, Priority: 10},
	}, cols...), append([]widget.Sort[producerAt]{
		{Column: 0, Compare: func(a, b producerAt) int { return cmp.Compare(a.p.ProducerID, b.p.ProducerID) }},
	}, sorts...)...)
	list.Empty = "loading…"
	v := &ReadList[producerAt]{List: list, c: c, what: "producers", none: "no producer has written to the partition lately",
		row: func(at producerAt) widget.Row {
			id := strconv.FormatInt(at.p.ProducerID, 10)
			return widget.Row{Key: id, Search: id, Cells: widget.FixedCells(append([]string{id}, producerCells(c, at)...)...)}
		}}
	if c.Client.Transactions != nil {
		read := c.Client.Transactions.Producers
		v.read = func(ctx context.Context) ([]producerAt, error) {
			ps, err := read(ctx, topic, partition)
			out := make([]producerAt, len(ps))
			for i, p := range ps {
				out[i] = producerAt{tp: tp, p: p, listed: true}
			}
			return out, err
		}
	}
	return &Producers{ReadList: v}
}

// NewTransactionProducers makes the view of a transaction's producer at
// each partition it wrote to, as each one's leader describes it: where
// its open transaction holds read_committed consumers, one partition at
// a time, as kafka-transactions abort aborts it.
func NewTransactionProducers(c *Common, t kafkaclient.Transaction) *Producers {
	cols, sorts := producerColumns()
	title := "partitions of transaction " + plainName(t.ID) + " (producer " + strconv.FormatInt(t.ProducerID, 10) + ")"
	if t.ID == "" {
		title = "partitions of producer " + strconv.FormatInt(t.ProducerID, 10) + " (no transactional id)"
	}
	list := newList(c, title, append([]widget.Column{
		{Title: "PARTITION", Essential: true, Priority: 10, Min: 10, Cut: widget.CutMiddle},
	}, cols...), append([]widget.Sort[producerAt]{
		{Column: 0, Compare: func(a, b producerAt) int { return a.tp.Compare(b.tp) }},
	}, sorts...)...)
	list.Empty = "loading…"
	v := &ReadList[producerAt]{List: list, c: c, what: "partitions", none: "the transaction wrote to no partition",
		row: func(at producerAt) widget.Row {
			name, _ := sanitize.Styled(at.tp.Topic, c.Styles.Escape)
			name += "/" + strconv.Itoa(int(at.tp.Partition))
			return widget.Row{Key: at.tp.Topic + "\x00" + strconv.Itoa(int(at.tp.Partition)), Search: at.tp.Topic + "/" + strconv.Itoa(int(at.tp.Partition)),
				Cells: widget.FixedCells(append([]string{name}, producerCells(c, at)...)...)}
		}}
	if c.Client.Transactions != nil {
		read, parts, id := c.Client.Transactions.Producers, transactionPartitions(t), t.ProducerID
		v.read = func(ctx context.Context) ([]producerAt, error) {
			var out []producerAt
			var errs []error
			for _, tp := range parts {
				ps, err := read(ctx, tp.Topic, tp.Partition)
				if cerr := ctx.Err(); cerr != nil {
					return nil, cerr
				}
				if err != nil {
					// The other partitions are still shown.
					errs = append(errs, err)
					continue
				}
				at := producerAt{tp: tp, p: kafkaclient.ActiveProducer{ProducerID: id}}
				if i := slices.IndexFunc(ps, func(p kafkaclient.ActiveProducer) bool { return p.ProducerID == id }); i >= 0 {
					at.p, at.listed = ps[i], true
				}
				out = append(out, at)
			}
			return out, errors.Join(errs...)
		}
	}
	return &Producers{ReadList: v}
}

// transactionPartitions are the partitions t's coordinator names and
// those where it hangs, sorted, each once.
func transactionPartitions(t kafkaclient.Transaction) []kafkaclient.TopicPartition {
	parts := slices.Clone(t.Partitions)
	for _, h := range t.HangingAt {
		parts = append(parts, h.TopicPartition)
	}
	slices.SortFunc(parts, kafkaclient.TopicPartition.Compare)
	return slices.Compact(parts)
}
