package views

import (
	"context"

	"kscope/kafkaclient"
	"kscope/views/decode"
)

// The roles a view may ask of the cluster. Each view keeps only the roles
// it uses; kafkaclient.Client has them all.
type (
	// ConfigReader reads a topic's configuration.
	ConfigReader interface {
		TopicConfig(ctx context.Context, topic string) ([]kafkaclient.ConfigEntry, error)
	}
	// BrokerConfigReader reads a broker's configuration.
	BrokerConfigReader interface {
		BrokerConfig(ctx context.Context, id int32) ([]kafkaclient.ConfigEntry, error)
	}
	// BrokerAdmin changes a broker's own dynamic settings; the client
	// refuses it in read-only mode.
	BrokerAdmin interface {
		SetBrokerConfig(ctx context.Context, id int32, name string, value *string) error
	}
	// Tailer opens live tails; a tail ends when ctx ends.
	Tailer interface {
		Tail(ctx context.Context, spec kafkaclient.TailSpec) (*kafkaclient.Tail, error)
	}
	// GroupReader observes consumer groups with their lag.
	GroupReader interface {
		Groups(ctx context.Context) ([]kafkaclient.GroupInfo, error)
		Group(ctx context.Context, name string) (kafkaclient.GroupInfo, error)
	}
	// ACLReader lists the cluster's access-control bindings.
	ACLReader interface {
		ACLs(ctx context.Context) ([]kafkaclient.ACL, error)
		ACLsFor(ctx context.Context, resourceType, name string) ([]kafkaclient.ACL, error)
	}
	// ACLAdmin creates and deletes access-control bindings; the client
	// refuses it in read-only mode.
	ACLAdmin interface {
		CreateACL(ctx context.Context, a kafkaclient.ACL) error
		DeleteACL(ctx context.Context, a kafkaclient.ACL) (deleted int, err error)
	}
	// ScramReader lists the users' SCRAM credentials, without secrets.
	ScramReader interface {
		ScramCredentials(ctx context.Context) ([]kafkaclient.ScramCredential, error)
	}
	// QuotaReader lists the cluster's client quotas.
	QuotaReader interface {
		Quotas(ctx context.Context) ([]kafkaclient.Quota, error)
	}
	// TransactionReader lists the cluster's transactional ids and a
	// partition's active producers.
	TransactionReader interface {
		Transactions(ctx context.Context) ([]kafkaclient.Transaction, error)
		Producers(ctx context.Context, topic string, partition int32) ([]kafkaclient.ActiveProducer, error)
	}
	// TransactionAdmin aborts a partition's open transaction; the client
	// refuses it in read-only mode.
	TransactionAdmin interface {
		AbortTransaction(ctx context.Context, spec kafkaclient.AbortSpec) error
	}
	// Refresher asks for a metadata refresh now rather than at the next tick.
	Refresher interface {
		Refresh()
	}
	// TopicAdmin changes topics; the client refuses it in read-only mode.
	TopicAdmin interface {
		CreateTopic(ctx context.Context, s kafkaclient.TopicSpec) error
		DeleteTopic(ctx context.Context, name string) error
		AddPartitions(ctx context.Context, topic string, total int32) error
		SetTopicConfig(ctx context.Context, topic, name string, value *string) error
	}
	// StableReader reads a topic's last stable offsets on demand.
	StableReader interface {
		StableOffsets(ctx context.Context, topic string) (map[int32]int64, error)
	}
	// LeaderElector moves leadership back to preferred replicas; the
	// client refuses it in read-only mode.
	LeaderElector interface {
		ElectPreferredLeaders(ctx context.Context, parts []kafkaclient.TopicPartition) ([]kafkaclient.ElectionResult, error)
	}
	// Producer writes records.
	Producer interface {
		Produce(ctx context.Context, r kafkaclient.ProduceRequest) (kafkaclient.ProduceResult, error)
	}
	// GroupAdmin moves and deletes committed offsets and groups.
	GroupAdmin interface {
		PlanReset(ctx context.Context, group, topic string, partitions []int32, t kafkaclient.ResetTarget) (kafkaclient.ResetPlan, error)
		ApplyReset(ctx context.Context, p kafkaclient.ResetPlan) error
		DeleteGroupOffsets(ctx context.Context, group, topic string) error
		DeleteGroup(ctx context.Context, group string) error
	}
	// ShareAdmin moves and deletes share groups' start offsets; deleting
	// a share group is GroupAdmin's DeleteGroup.
	ShareAdmin interface {
		PlanShareReset(ctx context.Context, group, topic string, partitions []int32, t kafkaclient.ResetTarget) (kafkaclient.ResetPlan, error)
		ApplyShareReset(ctx context.Context, p kafkaclient.ResetPlan) error
		DeleteShareGroupOffsets(ctx context.Context, group, topic string) error
	}
)

// SchemaRegistry reads a Schema Registry's subjects and deletes their
// versions; kafkaclient.Registry has it, and refuses the delete in
// read-only mode.
type SchemaRegistry interface {
	Subjects(ctx context.Context) ([]kafkaclient.SubjectInfo, error)
	Versions(ctx context.Context, subject string) ([]kafkaclient.SubjectVersionInfo, error)
	SubjectSchema(ctx context.Context, subject string, version int) (*kafkaclient.Schema, kafkaclient.SubjectVersion, error)
	DeleteSchemaVersion(ctx context.Context, subject string, version int) error
}

// Client is the set of roles a session offers, each in its own field so
// a view's constructor takes just the ones it needs.
type Client struct {
	Configs      ConfigReader
	Tails        Tailer
	Groups       GroupReader
	Refresher    Refresher
	TopicAdmin   TopicAdmin
	Producer     Producer
	GroupAdmin   GroupAdmin
	ShareAdmin   ShareAdmin
	ACLs         ACLReader
	ACLAdmin     ACLAdmin
	Scram        ScramReader
	Quotas       QuotaReader
	Transactions TransactionReader
	TxnAdmin     TransactionAdmin
	Leaders      LeaderElector
	Stable       StableReader
	// BrokerConfigs and BrokerAdmin read and change brokers' own settings.
	BrokerConfigs BrokerConfigReader
	BrokerAdmin   BrokerAdmin
	// Registry is the session's Schema Registry and Schemas decodes
	// records with it; both nil in a session without one.
	Registry SchemaRegistry
	Schemas  *decode.Schemas
}

// FullClient has every role, as kafkaclient.Client does.
type FullClient interface {
	ConfigReader
	BrokerConfigReader
	BrokerAdmin
	Tailer
	GroupReader
	Refresher
	TopicAdmin
	Producer
	GroupAdmin
	ShareAdmin
	ACLReader
	ACLAdmin
	ScramReader
	QuotaReader
	TransactionReader
	TransactionAdmin
	LeaderElector
	StableReader
}

// ClientOf gives every role to c.
func ClientOf(c FullClient) Client {
	return Client{Configs: c, BrokerConfigs: c, BrokerAdmin: c, Tails: c, Groups: c, Refresher: c, TopicAdmin: c, Producer: c, GroupAdmin: c, ShareAdmin: c, ACLs: c, ACLAdmin: c, Scram: c, Quotas: c, Transactions: c, TxnAdmin: c, Leaders: c, Stable: c}
}
