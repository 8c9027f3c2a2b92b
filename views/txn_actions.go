package views

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
)

// Transactions is the :transactions view (NewTransactions): enter on a
// transactional id lists its producer at each partition it wrote to.
type Transactions struct {
	*ReadList[kafkaclient.Transaction]
}

// Update implements View: enter here, the rest as a ReadList.
func (v *Transactions) Update(msg tea.Msg) (View, tea.Cmd) {
	if msg, ok := msg.(tea.KeyPressMsg); ok && key.Matches(msg, v.c.Keys.OpenProducers) {
		if t, ok := v.SelectedItem(); ok {
			return v, openTransaction(v.c, t)
		}
		return v, nil
	}
	_, cmd := v.ReadList.Update(msg)
	return v, cmd
}

// openTransaction lists t's producer at the partitions its open
// transaction wrote to, or says why there are none.
func openTransaction(c *Common, t kafkaclient.Transaction) tea.Cmd {
	switch {
	case len(t.HangingAt) > 0:
	case t.Err != nil:
		return notify(plainName(t.ID)+" could not be described: "+plainName(t.Err.Error()), true)
	case len(t.Partitions) == 0:
		return notify(plainName(t.ID)+" has no open transaction: it holds no partition", false)
	}
	return push(NewTransactionProducers(c, t))
}

// ShortHelp implements help.KeyMap.
func (v *Transactions) ShortHelp() []key.Binding {
	k := v.c.Keys
	return []key.Binding{k.OpenProducers, k.Reload, k.Sort}
}

// FullHelp implements help.KeyMap.
func (v *Transactions) FullHelp() [][]key.Binding {
	k := v.c.Keys
	return [][]key.Binding{{k.OpenProducers, k.Reload}, k.Sorting(), k.Movement()}
}

// Producers lists producers as partitions' leaders describe them: a
// partition's (NewProducers) or a transaction's producer at each of its
// partitions (NewTransactionProducers). A aborts the open transaction of
// the row under the cursor at its partition.
type Producers struct {
	*ReadList[producerAt]
}

// Update implements View: A here, the rest as a ReadList.
func (v *Producers) Update(msg tea.Msg) (View, tea.Cmd) {
	k := v.c.Keys
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		if cmd := k.refused(msg, v.FullHelp()); cmd != nil {
			return v, cmd
		}
		if key.Matches(msg, k.AbortTxn) {
			if at, ok := v.SelectedItem(); ok {
				return v, abortDialog(v.c, at)
			}
			return v, nil
		}
	}
	_, cmd := v.ReadList.Update(msg)
	return v, cmd
}

// ShortHelp implements help.KeyMap.
func (v *Producers) ShortHelp() []key.Binding {
	k := v.c.Keys
	return []key.Binding{k.Reload, k.Sort, k.AbortTxn}
}

// FullHelp implements help.KeyMap.
func (v *Producers) FullHelp() [][]key.Binding {
	k := v.c.Keys
	return [][]key.Binding{{k.Reload, k.AbortTxn}, k.Sorting(), k.Movement()}
}

// abortDialog previews the abort of at's open transaction at its
// partition and makes it once "abort" is typed.
func abortDialog(c *Common, at producerAt) tea.Cmd {
	part := partitionName(at.tp)
	if !at.listed || at.p.TxnStartOffset < 0 {
		return notify(fmt.Sprintf("producer %d has no open transaction at %s", at.p.ProducerID, part), false)
	}
	admin := c.Client.TxnAdmin
	if admin == nil {
		return notify("this session cannot abort transactions", true)
	}
	spec := at.p.AbortSpec(at.tp)
	entry := kafkaclient.AuditEntry{Action: "abort transaction", Topic: at.tp.Topic,
		Target: fmt.Sprintf("%s/%d producer %d", at.tp.Topic, at.tp.Partition, spec.ProducerID)}
	heading := fmt.Sprintf("Abort the open transaction of producer %d at %s", spec.ProducerID, part)
	return confirmChange(c, "abort transaction", heading, abortPreview(part, spec, at.p.TxnStartOffset), "abort", entry,
		func(ctx context.Context) (string, error) {
			return fmt.Sprintf("aborted the transaction of producer %d at %s", spec.ProducerID, part), admin.AbortTransaction(ctx, spec)
		})
}

// abortPreview says what aborting spec's transaction, open at partition
// part since offset start, does, and what it does not: the coordinator
// and the producer are not told (integration/transactions_test.go
// measures a live producer committing after it).
func abortPreview(part string, spec kafkaclient.AbortSpec, start int64) string {
	return fmt.Sprintf(`Write an ABORT marker to %[1]s for producer %[2]d (epoch %[3]d, coordinator epoch %[4]d), as kafka-transactions abort does.

Its transaction has been open at %[1]s since offset %[5]s. The records it wrote to %[1]s from offset %[5]s up to the marker are aborted: read_committed consumers skip them and read on past them, and the last stable offset moves on.

Only %[1]s is aborted: what the transaction wrote to other partitions stays pending there.

Neither its coordinator nor the producer is told. A producer still alive writes on and can commit: its transaction is then committed without what it wrote here. Abort only a transaction whose producer is gone.`,
		part, spec.ProducerID, spec.ProducerEpoch, spec.CoordinatorEpoch, count(start))
}
