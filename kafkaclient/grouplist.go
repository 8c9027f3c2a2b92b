package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// listedGroup is one group as its coordinator's ListGroups names it. Its
// type decides which describe request it gets.
type listedGroup struct {
	name, typ, protocolType, state string
}

// info is the group as listed, before any describe.
func (l listedGroup) info(coord int32, at time.Time) GroupInfo {
	return GroupInfo{Name: l.name, Type: l.typ, State: l.state, ProtocolType: l.protocolType,
		Coordinator: coord, Generation: -1, Epoch: -1, AssignmentEpoch: -1, At: at}
}

// listGroups asks every broker for the groups it coordinates.
func (c *Client) listGroups(ctx context.Context) (map[int32][]listedGroup, error) {
	// Asked right after Connect, before the first refresh has told the
	// pool the brokers, the metadata is read here.
	ids, err := c.brokerIDs()
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	var mu sync.Mutex
	out := map[int32][]listedGroup{}
	var errs []error
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			if ctx.Err() != nil {
				return
			}
			listed, err := c.listAt(ctx, id)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("broker %d: %w", id, err))
				return
			}
			if len(listed) > 0 {
				out[id] = listed
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(errs) == len(ids) {
		return nil, fmt.Errorf("list groups: %w", errors.Join(errs...))
	}
	c.rememberTypes(out, len(errs) == 0)
	return out, nil
}

// listAt asks broker id for the groups it coordinates: with their types
// and states where the cluster reports them (ListGroups v5, Kafka 3.8),
// over the franz-go connection since kscope's sarama does not send that
// version; with sarama's ListGroups otherwise, where every group is
// classic.
func (c *Client) listAt(ctx context.Context, id int32) ([]listedGroup, error) {
	var out []listedGroup
	var err error
	if c.franz.supports(apiKeyListGroups, listGroupsWithTypes) {
		var resp kmsg.Response
		resp, err = c.franz.request(ctx, id, kmsg.NewPtrListGroupsRequest())
		if err == nil {
			lr := resp.(*kmsg.ListGroupsResponse)
			err = kafkaError(lr.ErrorCode)
			for _, g := range lr.Groups {
				out = append(out, listedGroup{name: g.Group, typ: g.GroupType, protocolType: g.ProtocolType, state: g.GroupState})
			}
		}
	} else {
		var b *sarama.Broker
		var resp *sarama.ListGroupsResponse
		if b, err = c.pool.get(id); err == nil {
			resp, err = b.ListGroups(&sarama.ListGroupsRequest{})
		}
		if err == nil {
			err = kafkaError(int16(resp.Err))
			for name, protocolType := range resp.Groups {
				out = append(out, listedGroup{name: name, protocolType: protocolType})
			}
		}
	}
	c.pool.report(id, err)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listedType is a group's type as a listing said, and when.
type listedType struct {
	typ string
	at  time.Time
}

// typesFor is how long a group's listed type is taken as known. A group
// changes type rarely — a classic group upgraded online to the consumer
// protocol, one deleted and made again — and Kafka's describe of the old
// type then says the group is gone, which makes Group list it again at
// once; this bounds how long a broker that answers otherwise is believed.
const typesFor = 30 * time.Second

// listedAt is group as coordinator coord lists it, from what a recent
// listing said of its type unless fresh. A cluster that reports no types
// has only classic groups and is not asked.
func (c *Client) listedAt(ctx context.Context, coord int32, group string, fresh bool) (listedGroup, error) {
	if !c.franz.supports(apiKeyListGroups, listGroupsWithTypes) {
		return listedGroup{name: group}, nil
	}
	if !fresh {
		c.coordMu.Lock()
		t, ok := c.types[group]
		c.coordMu.Unlock()
		if ok && time.Since(t.at) < typesFor {
			return listedGroup{name: group, typ: t.typ}, nil
		}
	}
	listed, err := c.listAt(ctx, coord)
	if err != nil {
		return listedGroup{}, fmt.Errorf("list groups at %d: %w", coord, err)
	}
	c.rememberTypes(map[int32][]listedGroup{coord: listed}, false)
	for _, l := range listed {
		if l.name == group {
			return l, nil
		}
	}
	c.coordMu.Lock()
	delete(c.types, group)
	c.coordMu.Unlock()
	return listedGroup{}, fmt.Errorf("%w: %s", ErrNoSuchGroup, group)
}

// rememberTypes keeps the type of each group listed, and its coordinator:
// the broker that lists a group coordinates it, so opening it needs no
// FindCoordinator. A listing of the whole cluster replaces the types
// kept, so deleted groups are forgotten.
func (c *Client) rememberTypes(listed map[int32][]listedGroup, whole bool) {
	c.coordMu.Lock()
	defer c.coordMu.Unlock()
	if whole || c.types == nil {
		n := 0
		for _, ls := range listed {
			n += len(ls)
		}
		// Sized at once: growing it group by group was a tenth of a
		// refresh's CPU at 10,000 groups.
		c.types = make(map[string]listedType, n)
	}
	if c.coords == nil {
		c.coords = map[string]int32{}
	}
	now := time.Now()
	for coord, ls := range listed {
		for _, l := range ls {
			c.types[l.name] = listedType{typ: l.typ, at: now}
			c.coords[l.name] = coord
		}
	}
}
