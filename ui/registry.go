package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"kscope/kafkaclient"
	"kscope/views"
)

// command is one entry of the registry: everything the ':' bar, -c, the
// help and the error listing know of a command. Adding a view is one
// entry here and one file in views.
type command struct {
	name    string
	aliases []string
	arg     string // what the argument is, "" when there is none
	options string // usage of the options it takes
	help    string
	// complete lists the values the argument may take, for tab.
	complete func(m *Model) []string
	// check, when set, asks the cluster off the event loop whether the
	// command's argument exists; an error leaves the stack as it was.
	check func(ctx context.Context, client views.Client, c Command) error
	// open builds the view stack the command shows, bottom first; an error
	// leaves the stack as it was.
	open func(m *Model, c Command) ([]views.View, error)
}

func (e command) usage() string {
	s := e.name
	if e.arg != "" {
		s += " " + e.arg
	}
	if e.options != "" {
		s += " " + e.options
	}
	return s
}

// registry lists every command; ParseCommand, completion, help and run read it.
var registry = []command{
	{name: "topics", aliases: []string{"tp"}, help: "the cluster's topics",
		open: func(m *Model, _ Command) ([]views.View, error) {
			return []views.View{views.NewTopics(m.c)}, nil
		}},
	{name: "topic", arg: "NAME", help: "a topic's partitions", complete: topicNames,
		open: func(m *Model, c Command) ([]views.View, error) {
			if err := knownTopic(m, c.Arg); err != nil {
				return nil, err
			}
			return []views.View{views.NewTopics(m.c), views.NewPartitions(m.c, c.Arg)}, nil
		}},
	{name: "brokers", aliases: []string{"br"}, help: "the brokers and their leadership",
		open: func(m *Model, _ Command) ([]views.View, error) {
			return []views.View{views.NewBrokers(m.c)}, nil
		}},
	{name: "health", aliases: []string{"h"}, help: "what is wrong with the cluster, worst first",
		open: func(m *Model, _ Command) ([]views.View, error) {
			return []views.View{views.NewHealth(m.c)}, nil
		}},
	{name: "groups", aliases: []string{"gr", "cg"}, help: "consumer groups with lag and health",
		open: func(m *Model, _ Command) ([]views.View, error) {
			return []views.View{views.NewGroups(m.c)}, nil
		}},
	{name: "group", arg: "NAME", help: "one group: lag, members, rebalance timeline", complete: groupNames,
		check: groupExists,
		open: func(m *Model, c Command) ([]views.View, error) {
			return []views.View{views.NewGroups(m.c), views.NewGroup(m.c, c.Arg)}, nil
		}},
	{name: "contexts", aliases: []string{"ctx"}, help: "the config file's clusters",
		open: func(m *Model, _ Command) ([]views.View, error) {
			return []views.View{views.NewContexts(m.c, m.contexts)}, nil
		}},
	{name: "schemas", aliases: []string{"sr"}, help: "the Schema Registry's subjects, versions and schemas",
		open: func(m *Model, _ Command) ([]views.View, error) { return []views.View{views.NewSchemas(m.c)}, nil }},
	{name: "acls", aliases: []string{"acl"}, help: "the cluster's access-control bindings",
		open: func(m *Model, _ Command) ([]views.View, error) {
			return []views.View{views.NewACLs(m.c)}, nil
		}},
	{name: "users", help: "users with SCRAM credentials (never their secrets)",
		open: func(m *Model, _ Command) ([]views.View, error) {
			return []views.View{views.NewUsers(m.c)}, nil
		}},
	{name: "quotas", help: "client quotas of users, client ids and IPs",
		open: func(m *Model, _ Command) ([]views.View, error) {
			return []views.View{views.NewQuotas(m.c)}, nil
		}},
	{name: "transactions", aliases: []string{"txn"}, help: "transactional ids, open and hanging transactions",
		open: func(m *Model, _ Command) ([]views.View, error) {
			return []views.View{views.NewTransactions(m.c)}, nil
		}},
	{name: "history", aliases: []string{"hist"}, help: "changes kscope made to clusters",
		open: func(m *Model, _ Command) ([]views.View, error) {
			return []views.View{views.NewHistory(m.c)}, nil
		}},
	{name: "tail", arg: "TOPIC", options: "[--from latest|earliest|OFFSET|RFC3339|-15m|-N] [--partitions 0,3] [--filter EXPR…]",
		help: "a live tail of a topic", complete: topicNames,
		open: func(m *Model, c Command) ([]views.View, error) {
			if err := knownTopic(m, c.Arg); err != nil {
				return nil, err
			}
			from, err := kafkaclient.ParseFrom(c.From, m.c.Now())
			if err != nil {
				return nil, err
			}
			spec := kafkaclient.TailSpec{Topic: c.Arg, Partitions: c.Partitions, From: from}
			tail := views.NewTail(m.c, spec)
			if c.Filter != "" {
				if err := tail.FilterFirst(c.Filter); err != nil {
					return nil, err
				}
			}
			return []views.View{views.NewTopics(m.c), tail}, nil
		}},
	// quit opens nothing: run ends the program instead.
	{name: "quit", aliases: []string{"q", "q!", "exit"}, help: "leave kscope"},
}

// knownTopic refuses a topic the latest metadata does not list; before the
// first metadata arrives every name is given the benefit of the doubt.
func knownTopic(m *Model, name string) error {
	if snap := m.c.Snapshot; snap != nil && snap.Topic(name) == nil {
		return fmt.Errorf("no topic named %s in this cluster", plain(name))
	}
	return nil
}

// groupExists asks the group's coordinator about it: a group it does not
// know is an error, not an empty view offering to reset it. Any other
// failure opens the view, which shows what fails as it observes.
func groupExists(ctx context.Context, client views.Client, c Command) error {
	if client.Groups == nil {
		return nil
	}
	info, err := client.Groups.Group(ctx, c.Arg)
	if err == nil {
		err = info.Err
	}
	if errors.Is(err, kafkaclient.ErrNoSuchGroup) || err == nil && info.State == "Dead" && len(info.Members) == 0 && len(info.Offsets) == 0 {
		return fmt.Errorf("no group named %s in this cluster", plain(c.Arg))
	}
	return nil
}

func topicNames(m *Model) []string {
	if m.c.Snapshot == nil {
		return nil
	}
	names := make([]string, len(m.c.Snapshot.Topics))
	for i, t := range m.c.Snapshot.Topics {
		names[i] = t.Name
	}
	return names
}

// groupNames are the groups the groups list last saw, if one is open.
func groupNames(m *Model) []string {
	var names []string
	for _, f := range m.stack {
		if g, ok := f.view.(*views.Groups); ok {
			names = append(names, g.Names()...)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
