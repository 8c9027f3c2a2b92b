package views

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// actionTimeout bounds one change as the user waits for it.
const actionTimeout = 30 * time.Second

// actionResult answers a dialog's change.
type actionResult struct {
	text  string
	err   error
	entry kafkaclient.AuditEntry
}

// Changed tells every view that a change was made to a topic or a group,
// so that the views showing it read it again at once.
type Changed struct{ Topic, Group string }

// dialog is a form or a confirmation pushed as a view of its own: it takes
// every key (esc cancels), runs its change on submit, and closes itself
// once the change is made; a refused change keeps it open with the error.
type dialog struct {
	c      *Common
	scope  Scope
	title  string
	form   *widget.Form
	ask    *widget.Confirm
	submit func(d *dialog) tea.Cmd
	// answer takes the answers of the Cmds submit and start started,
	// before the dialog's own handling; it reports whether it took msg.
	answer func(d *dialog, msg tea.Msg) (tea.Cmd, bool)
	// start, when set, is run once the dialog is open: a look-up that
	// completes what the dialog shows.
	start  func(d *dialog) tea.Cmd
	busy   bool
	width  int
	height int
}

// act makes the change entry describes off the event loop, under the
// dialog's context: it records it in the audit file whatever the outcome,
// with what it replaced, asks for a refresh after a success, and answers
// the dialog.
func (d *dialog) act(entry kafkaclient.AuditEntry, do func(ctx context.Context) (string, error)) tea.Cmd {
	c := d.c
	refresher, audit, label, now := c.Client.Refresher, c.Audit, c.Context, c.Now
	return d.scope.Do(func(ctx context.Context) tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, actionTimeout)
		defer cancel()
		text, err := do(ctx)
		entry.Time, entry.Context, entry.Result = now(), label, "ok"
		if err != nil {
			entry.Result = err.Error()
		} else if refresher != nil {
			refresher.Refresh()
		}
		if audit != nil {
			if aerr := audit.Record(entry); aerr != nil && err == nil {
				text += " (not recorded in the audit file: " + aerr.Error() + ")"
			}
		}
		return actionResult{text: text, err: err, entry: entry}
	})
}

// confirmChange is a dialog that makes one change once word is typed.
func confirmChange(c *Common, title, heading, explanation, word string, entry kafkaclient.AuditEntry, do func(ctx context.Context) (string, error)) tea.Cmd {
	d := &dialog{c: c, title: title, ask: widget.NewConfirm(c.Styles, heading, explanation, word)}
	d.submit = func(d *dialog) tea.Cmd { return d.act(entry, do) }
	return push(d)
}

// Init implements View.
func (d *dialog) Init(s Scope) tea.Cmd {
	d.scope = s
	var look tea.Cmd
	if d.start != nil {
		look = d.start(d)
	}
	if d.ask != nil {
		return tea.Batch(look, d.ask.Focus())
	}
	return tea.Batch(look, d.form.Focus())
}

// Title implements View.
func (d *dialog) Title() string { return d.title }

// CapturesInput implements InputCapturer: the dialog owns every key.
func (d *dialog) CapturesInput() bool { return true }

// SetSize implements View.
func (d *dialog) SetSize(w, h int) {
	d.width, d.height = w, h
	if d.form != nil {
		d.form.SetSize(w, h)
	}
	if d.ask != nil {
		d.ask.SetSize(w, h)
	}
}

// Update implements View.
func (d *dialog) Update(msg tea.Msg) (View, tea.Cmd) {
	if d.answer != nil {
		if cmd, ok := d.answer(d, msg); ok {
			return d, cmd
		}
	}
	switch msg := msg.(type) {
	case actionResult:
		d.busy = false
		if msg.err != nil {
			d.fail(msg.err)
			return d, nil
		}
		changed := Changed{Topic: msg.entry.Topic, Group: msg.entry.Group}
		return d, tea.Batch(pop, notify(msg.text, false), func() tea.Msg { return changed })
	case tea.KeyPressMsg, tea.PasteMsg:
		if d.busy {
			return d, nil
		}
		if d.ask != nil {
			cmd, done, ok := d.ask.Update(msg)
			switch {
			case done && d.ask.Informs():
				return d, pop
			case done && ok:
				d.busy = true
				return d, d.submit(d)
			case done:
				return d, tea.Batch(pop, notify("cancelled", false))
			}
			return d, cmd
		}
		cmd, done, ok := d.form.Update(msg)
		switch {
		case done && ok:
			if next := d.submit(d); next != nil {
				d.busy = true
				return d, next
			}
			return d, nil
		case done:
			return d, tea.Batch(pop, notify("cancelled", false))
		}
		return d, cmd
	}
	return d, nil
}

// confirm turns the dialog into a confirmation of what it will do.
func (d *dialog) confirm(heading, explanation, word string) tea.Cmd {
	d.ask = widget.NewConfirm(d.c.Styles, heading, explanation, word)
	d.ask.SetSize(d.width, d.height)
	return d.ask.Focus()
}

// fail shows an error where the user can act on it: beside the field a
// validation names, else for the whole dialog. After a confirmation the
// box keeps what was confirmed and says under it what failed; enter or
// esc then closes it.
func (d *dialog) fail(err error) {
	if d.ask != nil {
		d.ask.Fail(d.title + " failed: " + err.Error())
		return
	}
	if fes := kafkaclient.FieldErrors(err); len(fes) > 0 {
		for _, fe := range fes {
			d.form.SetError(fe.Field, fe.Msg)
		}
		return
	}
	d.form.SetFormError(err.Error())
}

// View implements View.
func (d *dialog) View() string {
	if d.ask != nil {
		return d.ask.View()
	}
	return d.form.View()
}

// ShortHelp implements help.KeyMap: the dialog draws its own keys.
func (d *dialog) ShortHelp() []key.Binding { return nil }

// FullHelp implements help.KeyMap.
func (d *dialog) FullHelp() [][]key.Binding { return nil }

func plainName(s string) string {
	p, _ := sanitize.Plain(s)
	return p
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
