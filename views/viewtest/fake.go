// Package viewtest holds the one fake cluster that view and root tests
// share: each role's methods call a func field, and a field left nil
// answers ErrNotSet, so a test states exactly what its cluster does.
package viewtest

import (
	"context"
	"errors"

	"kscope/kafkaclient"
)

// ErrNotSet answers a call the test gave the fake no answer for.
var ErrNotSet = errors.New("no cluster behind this call in this test")

// Fake is a cluster built from func fields.
type Fake struct {
	TopicConfigFn        func(ctx context.Context, topic string) ([]kafkaclient.ConfigEntry, error)
	BrokerConfigFn       func(ctx context.Context, id int32) ([]kafkaclient.ConfigEntry, error)
	SetBrokerConfigFn    func(ctx context.Context, id int32, name string, value *string) error
	TailFn               func(ctx context.Context, spec kafkaclient.TailSpec) (*kafkaclient.Tail, error)
	GroupsFn             func(ctx context.Context) ([]kafkaclient.GroupInfo, error)
	GroupFn              func(ctx context.Context, name string) (kafkaclient.GroupInfo, error)
	RefreshFn            func()
	CreateTopicFn        func(ctx context.Context, s kafkaclient.TopicSpec) error
	DeleteTopicFn        func(ctx context.Context, name string) error
	AddPartitionsFn      func(ctx context.Context, topic string, total int32) error
	SetTopicConfigFn     func(ctx context.Context, topic, name string, value *string) error
	ProduceFn            func(ctx context.Context, r kafkaclient.ProduceRequest) (kafkaclient.ProduceResult, error)
	PlanResetFn          func(ctx context.Context, group, topic string, partitions []int32, t kafkaclient.ResetTarget) (kafkaclient.ResetPlan, error)
	ApplyResetFn         func(ctx context.Context, p kafkaclient.ResetPlan) error
	DeleteGroupOffsetsFn func(ctx context.Context, group, topic string) error
	DeleteGroupFn        func(ctx context.Context, group string) error
	PlanShareResetFn     func(ctx context.Context, group, topic string, partitions []int32, t kafkaclient.ResetTarget) (kafkaclient.ResetPlan, error)
	ApplyShareResetFn    func(ctx context.Context, p kafkaclient.ResetPlan) error
	DeleteShareOffsetsFn func(ctx context.Context, group, topic string) error
	ACLsFn               func(ctx context.Context) ([]kafkaclient.ACL, error)
	ACLsForFn            func(ctx context.Context, resourceType, name string) ([]kafkaclient.ACL, error)
	CreateACLFn          func(ctx context.Context, a kafkaclient.ACL) error
	DeleteACLFn          func(ctx context.Context, a kafkaclient.ACL) (int, error)
	ScramFn              func(ctx context.Context) ([]kafkaclient.ScramCredential, error)
	QuotasFn             func(ctx context.Context) ([]kafkaclient.Quota, error)
	TransactionsFn       func(ctx context.Context) ([]kafkaclient.Transaction, error)
	StableFn             func(ctx context.Context, topic string) (map[int32]int64, error)
	ElectFn              func(ctx context.Context, parts []kafkaclient.TopicPartition) ([]kafkaclient.ElectionResult, error)
	ProducersFn          func(ctx context.Context, topic string, partition int32) ([]kafkaclient.ActiveProducer, error)
	AbortTransactionFn   func(ctx context.Context, spec kafkaclient.AbortSpec) error
}

// TopicConfig calls TopicConfigFn.
func (f *Fake) TopicConfig(ctx context.Context, topic string) ([]kafkaclient.ConfigEntry, error) {
	if f.TopicConfigFn == nil {
		return nil, ErrNotSet
	}
	return f.TopicConfigFn(ctx, topic)
}

// Tail calls TailFn.
func (f *Fake) Tail(ctx context.Context, spec kafkaclient.TailSpec) (*kafkaclient.Tail, error) {
	if f.TailFn == nil {
		return nil, ErrNotSet
	}
	return f.TailFn(ctx, spec)
}

// Groups calls GroupsFn.
func (f *Fake) Groups(ctx context.Context) ([]kafkaclient.GroupInfo, error) {
	if f.GroupsFn == nil {
		return nil, ErrNotSet
	}
	return f.GroupsFn(ctx)
}

// Group calls GroupFn.
func (f *Fake) Group(ctx context.Context, name string) (kafkaclient.GroupInfo, error) {
	if f.GroupFn == nil {
		return kafkaclient.GroupInfo{}, ErrNotSet
	}
	return f.GroupFn(ctx, name)
}

// Refresh calls RefreshFn, if set.
func (f *Fake) Refresh() {
	if f.RefreshFn != nil {
		f.RefreshFn()
	}
}

// CreateTopic calls CreateTopicFn.
func (f *Fake) CreateTopic(ctx context.Context, s kafkaclient.TopicSpec) error {
	if f.CreateTopicFn == nil {
		return ErrNotSet
	}
	return f.CreateTopicFn(ctx, s)
}

// DeleteTopic calls DeleteTopicFn.
func (f *Fake) DeleteTopic(ctx context.Context, name string) error {
	if f.DeleteTopicFn == nil {
		return ErrNotSet
	}
	return f.DeleteTopicFn(ctx, name)
}

// AddPartitions calls AddPartitionsFn.
func (f *Fake) AddPartitions(ctx context.Context, topic string, total int32) error {
	if f.AddPartitionsFn == nil {
		return ErrNotSet
	}
	return f.AddPartitionsFn(ctx, topic, total)
}

// SetTopicConfig calls SetTopicConfigFn.
func (f *Fake) SetTopicConfig(ctx context.Context, topic, name string, value *string) error {
	if f.SetTopicConfigFn == nil {
		return ErrNotSet
	}
	return f.SetTopicConfigFn(ctx, topic, name, value)
}

// Produce calls ProduceFn.
func (f *Fake) Produce(ctx context.Context, r kafkaclient.ProduceRequest) (kafkaclient.ProduceResult, error) {
	if f.ProduceFn == nil {
		return kafkaclient.ProduceResult{}, ErrNotSet
	}
	return f.ProduceFn(ctx, r)
}

// PlanReset calls PlanResetFn.
func (f *Fake) PlanReset(ctx context.Context, group, topic string, partitions []int32, t kafkaclient.ResetTarget) (kafkaclient.ResetPlan, error) {
	if f.PlanResetFn == nil {
		return kafkaclient.ResetPlan{}, ErrNotSet
	}
	return f.PlanResetFn(ctx, group, topic, partitions, t)
}

// ApplyReset calls ApplyResetFn.
func (f *Fake) ApplyReset(ctx context.Context, p kafkaclient.ResetPlan) error {
	if f.ApplyResetFn == nil {
		return ErrNotSet
	}
	return f.ApplyResetFn(ctx, p)
}

// DeleteGroupOffsets calls DeleteGroupOffsetsFn.
func (f *Fake) DeleteGroupOffsets(ctx context.Context, group, topic string) error {
	if f.DeleteGroupOffsetsFn == nil {
		return ErrNotSet
	}
	return f.DeleteGroupOffsetsFn(ctx, group, topic)
}

// DeleteGroup calls DeleteGroupFn.
func (f *Fake) DeleteGroup(ctx context.Context, group string) error {
	if f.DeleteGroupFn == nil {
		return ErrNotSet
	}
	return f.DeleteGroupFn(ctx, group)
}

// PlanShareReset calls PlanShareResetFn.
func (f *Fake) PlanShareReset(ctx context.Context, group, topic string, partitions []int32, t kafkaclient.ResetTarget) (kafkaclient.ResetPlan, error) {
	if f.PlanShareResetFn == nil {
		return kafkaclient.ResetPlan{}, ErrNotSet
	}
	return f.PlanShareResetFn(ctx, group, topic, partitions, t)
}

// ApplyShareReset calls ApplyShareResetFn.
func (f *Fake) ApplyShareReset(ctx context.Context, p kafkaclient.ResetPlan) error {
	if f.ApplyShareResetFn == nil {
		return ErrNotSet
	}
	return f.ApplyShareResetFn(ctx, p)
}

// DeleteShareGroupOffsets calls DeleteShareOffsetsFn.
func (f *Fake) DeleteShareGroupOffsets(ctx context.Context, group, topic string) error {
	if f.DeleteShareOffsetsFn == nil {
		return ErrNotSet
	}
	return f.DeleteShareOffsetsFn(ctx, group, topic)
}

// ACLs calls ACLsFn.
func (f *Fake) ACLs(ctx context.Context) ([]kafkaclient.ACL, error) {
	if f.ACLsFn == nil {
		return nil, ErrNotSet
	}
	return f.ACLsFn(ctx)
}

// CreateACL calls CreateACLFn.
func (f *Fake) CreateACL(ctx context.Context, a kafkaclient.ACL) error {
	if f.CreateACLFn == nil {
		return ErrNotSet
	}
	return f.CreateACLFn(ctx, a)
}

// DeleteACL calls DeleteACLFn.
func (f *Fake) DeleteACL(ctx context.Context, a kafkaclient.ACL) (int, error) {
	if f.DeleteACLFn == nil {
		return 0, ErrNotSet
	}
	return f.DeleteACLFn(ctx, a)
}

// ScramCredentials calls ScramFn.
func (f *Fake) ScramCredentials(ctx context.Context) ([]kafkaclient.ScramCredential, error) {
	if f.ScramFn == nil {
		return nil, ErrNotSet
	}
	return f.ScramFn(ctx)
}

// Quotas calls QuotasFn.
func (f *Fake) Quotas(ctx context.Context) ([]kafkaclient.Quota, error) {
	if f.QuotasFn == nil {
		return nil, ErrNotSet
	}
	return f.QuotasFn(ctx)
}

// Transactions calls TransactionsFn.
func (f *Fake) Transactions(ctx context.Context) ([]kafkaclient.Transaction, error) {
	if f.TransactionsFn == nil {
		return nil, ErrNotSet
	}
	return f.TransactionsFn(ctx)
}

// Producers calls ProducersFn.
func (f *Fake) Producers(ctx context.Context, topic string, partition int32) ([]kafkaclient.ActiveProducer, error) {
	if f.ProducersFn == nil {
		return nil, ErrNotSet
	}
	return f.ProducersFn(ctx, topic, partition)
}

// AbortTransaction calls AbortTransactionFn.
func (f *Fake) AbortTransaction(ctx context.Context, spec kafkaclient.AbortSpec) error {
	if f.AbortTransactionFn == nil {
		return ErrNotSet
	}
	return f.AbortTransactionFn(ctx, spec)
}

// ElectPreferredLeaders calls ElectFn.
func (f *Fake) ElectPreferredLeaders(ctx context.Context, parts []kafkaclient.TopicPartition) ([]kafkaclient.ElectionResult, error) {
	if f.ElectFn == nil {
		return nil, ErrNotSet
	}
	return f.ElectFn(ctx, parts)
}

// BrokerConfig calls BrokerConfigFn.
func (f *Fake) BrokerConfig(ctx context.Context, id int32) ([]kafkaclient.ConfigEntry, error) {
	if f.BrokerConfigFn == nil {
		return nil, ErrNotSet
	}
	return f.BrokerConfigFn(ctx, id)
}

// SetBrokerConfig calls SetBrokerConfigFn.
func (f *Fake) SetBrokerConfig(ctx context.Context, id int32, name string, value *string) error {
	if f.SetBrokerConfigFn == nil {
		return ErrNotSet
	}
	return f.SetBrokerConfigFn(ctx, id, name, value)
}

// StableOffsets calls StableFn.
func (f *Fake) StableOffsets(ctx context.Context, topic string) (map[int32]int64, error) {
	if f.StableFn == nil {
		return nil, ErrNotSet
	}
	return f.StableFn(ctx, topic)
}

// ACLsFor calls ACLsForFn.
func (f *Fake) ACLsFor(ctx context.Context, resourceType, name string) ([]kafkaclient.ACL, error) {
	if f.ACLsForFn == nil {
		return nil, ErrNotSet
	}
	return f.ACLsForFn(ctx, resourceType, name)
}
