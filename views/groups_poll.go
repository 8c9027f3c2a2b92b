package views

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
)

// groupsPoll observes every group, at the groups list's pace, while the
// view it serves is not covered: the groups list and :health each embed
// one. Its observations arrive as GroupsLoaded, its ticks as groupsTick.
type groupsPoll struct {
	c      *Common
	scope  Scope
	reader GroupReader
	// loading is set while an observation is on its way; paused while
	// another view covers the one served; tickGen numbers the tick chain.
	loading, paused bool
	tickGen         int
}

// groupsTick asks for the next observation; gen tells a tick scheduled
// before a pause from the current chain.
type groupsTick struct{ gen int }

// load starts an observation.
func (p *groupsPoll) load() tea.Cmd {
	if p.reader == nil {
		return nil
	}
	p.loading = true
	reader, now := p.reader, p.c.Now
	return p.scope.Do(func(ctx context.Context) tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		gs, err := reader.Groups(ctx)
		return GroupsLoaded{Groups: gs, Err: err, At: now()}
	})
}

// every is how often the groups are observed; the groups' health windows
// are sized for it.
func (p *groupsPoll) every() time.Duration {
	if p.c.GroupsEvery > 0 {
		return p.c.GroupsEvery
	}
	return DefaultGroupsEvery
}

// arrived notes an observation's arrival and schedules the next, unless
// the view is covered.
func (p *groupsPoll) arrived() tea.Cmd {
	p.loading = false
	if p.paused {
		return nil
	}
	return p.scope.After(p.every(), groupsTick{p.tickGen})
}

// tick answers a groupsTick of the current chain.
func (p *groupsPoll) tick(t groupsTick) tea.Cmd {
	if t.gen != p.tickGen || p.paused || p.loading {
		return nil
	}
	return p.load()
}

// now observes at once, in a new tick chain, unless an observation is on
// its way or the view is covered (it catches up when uncovered).
func (p *groupsPoll) now() tea.Cmd {
	if p.paused || p.loading {
		return nil
	}
	p.tickGen++
	return p.load()
}

// Pause implements Pauser: describing every group is the costliest poll
// kscope makes, and nobody sees the view while another covers it.
func (p *groupsPoll) Pause() { p.paused = true }

// Resume implements Pauser: the groups are observed at once, and the tick
// chain from before the pause is dropped so only one chain runs.
func (p *groupsPoll) Resume() tea.Cmd {
	p.paused = false
	p.tickGen++
	if p.loading {
		return nil
	}
	return p.load()
}
