package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/IBM/sarama"
)

// pool keeps one connection per broker id, learned from metadata, and
// remembers whether the last request to each one failed.
type pool struct {
	conf *sarama.Config

	mu      sync.Mutex
	seed    *sarama.Broker
	brokers map[int32]*sarama.Broker
	errs    map[int32]error
}

func newPool(conf *sarama.Config, seed *sarama.Broker) *pool {
	return &pool{conf: conf, seed: seed, brokers: map[int32]*sarama.Broker{}, errs: map[int32]error{}}
}

// update adopts the broker list of a metadata response: new ids and
// changed addresses get a connection, departed ids are closed.
func (p *pool) update(meta []*sarama.Broker) {
	p.mu.Lock()
	defer p.mu.Unlock()
	seen := make(map[int32]bool, len(meta))
	for _, m := range meta {
		seen[m.ID()] = true
		if old, ok := p.brokers[m.ID()]; ok && old.Addr() == m.Addr() {
			continue
		} else if ok {
			retire(old)
		}
		p.brokers[m.ID()] = sarama.NewBroker(m.Addr())
	}
	for id, b := range p.brokers {
		if !seen[id] {
			retire(b)
			delete(p.brokers, id)
			delete(p.errs, id)
		}
	}
}

// errUnknownBroker is get's answer for an id no metadata named yet.
var errUnknownBroker = errors.New("unknown broker")

// get returns an open connection to broker id, reopening it if it dropped.
func (p *pool) get(id int32) (*sarama.Broker, error) {
	p.mu.Lock()
	b, ok := p.brokers[id]
	p.mu.Unlock()
	if !ok {
		return nil, errUnknownBroker
	}
	return b, ensureOpen(b, p.conf)
}

// any returns connections to try in order for a request any broker can
// answer: the bootstrap connection first, then the known brokers.
func (p *pool) any() []*sarama.Broker {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*sarama.Broker, 0, len(p.brokers)+1)
	out = append(out, p.seed)
	for _, b := range p.brokers {
		out = append(out, b)
	}
	return out
}

// anyID is the broker id behind b, or -1 for the bootstrap connection.
func (p *pool) anyID(b *sarama.Broker) int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, x := range p.brokers {
		if x == b {
			return id
		}
	}
	return -1
}

func (p *pool) report(id int32, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.brokers[id]; !ok {
		return
	}
	if err == nil {
		delete(p.errs, id)
	} else {
		p.errs[id] = err
	}
}

func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	retire(p.seed)
	for _, b := range p.brokers {
		retire(b)
	}
}

// retire closes a broker the pool no longer hands out.
func retire(b *sarama.Broker) {
	_ = b.Close()
	reopening.Delete(b)
}

// askAny sends a request with ask to the first broker that answers it;
// one that cannot be reached, or fails the exchange, passes it on to the
// next. The error names each broker tried.
func (c *Client) askAny(ctx context.Context, ask func(*sarama.Broker) error) error {
	var errs []error
	for _, b := range c.pool.any() {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := ensureOpen(b, c.sconf)
		if err == nil {
			if err = ask(b); err == nil {
				return nil
			}
		}
		errs = append(errs, fmt.Errorf("%s: %w", b.Addr(), err))
	}
	return errors.Join(errs...)
}

// reopening holds a lock for each broker ensureOpen was called on.
var reopening sync.Map // *sarama.Broker → *sync.Mutex

// ensureOpen reconnects a broker whose connection is closed or failed;
// sarama does not redial on its own. Callers of one broker take turns:
// one that found it closed would otherwise close the connection another
// had just opened, and that one would fail with "not connected".
func ensureOpen(b *sarama.Broker, conf *sarama.Config) error {
	if ok, _ := b.Connected(); ok {
		return nil
	}
	mu, _ := reopening.LoadOrStore(b, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	if ok, _ := b.Connected(); ok {
		return nil
	}
	_ = b.Close()
	if err := b.Open(conf); err != nil && !errors.Is(err, sarama.ErrAlreadyConnected) {
		return err
	}
	// Open dials in the background; Connected waits for the dial to finish.
	if ok, err := b.Connected(); !ok {
		if err == nil {
			err = errors.New("not connected")
		}
		return err
	}
	return nil
}

// ids lists the known brokers.
func (p *pool) ids() []int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]int32, 0, len(p.brokers))
	for id := range p.brokers {
		out = append(out, id)
	}
	return out
}
