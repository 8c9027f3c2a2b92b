package main

import (
	"context"
	"flag"
	"fmt"
	"sync"

	tea "charm.land/bubbletea/v2"

	"kscope/config"
	"kscope/kafkaclient"
	"kscope/ui"
	"kscope/views"
	"kscope/views/decode"
)

// schemaOptions are the Schema Registry's settings beyond its address,
// and the link through which schema fetches reach the running program.
type schemaOptions struct {
	exportRaw bool
	program   programLink
}

// defineSchemaFlags adds -r, kcat's spelling of -X schema.registry.url
// (so both go through the same checks, the later one winning), and
// --export-raw.
func (o *options) defineSchemaFlags(fs *flag.FlagSet) {
	fs.Func("r", "Schema Registry `URL` (as kcat's -r; the same as -X schema.registry.url=URL)", func(v string) error {
		o.props = append(o.props, "schema.registry.url="+v)
		return nil
	})
	fs.BoolVar(&o.schemas.exportRaw, "export-raw", false, "exports also write each schema-decoded key and value as its bytes, in base64")
}

// programLink hands messages to the program once it runs: a schema
// fetch ends on a goroutine of its own, and what waited for it is drawn
// again when its message arrives.
type programLink struct {
	mu   sync.Mutex
	send func(tea.Msg)
}

func (l *programLink) set(send func(tea.Msg)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.send = send
}

// post sends msg without waiting for the program to take it.
func (l *programLink) post(msg tea.Msg) {
	l.mu.Lock()
	send := l.send
	l.mu.Unlock()
	if send != nil {
		go send(msg)
	}
}

// runTea runs the program on model, linked for schema fetches.
func (s *session) runTea(model tea.Model, opts ...tea.ProgramOption) (tea.Model, error) {
	p := tea.NewProgram(model, opts...)
	s.opts.schemas.program.set(p.Send)
	defer s.opts.schemas.program.set(nil)
	return p.Run()
}

// withRegistry gives sess the context's Schema Registry, when it has
// one. Its credentials are read now and hidden in the debug log from now
// on. A registry that cannot be set up (a password source that fails)
// leaves the session usable: records framed for it say why they are not
// decoded. One that cannot be reached says so on the status line, once
// per schema it was asked for, and records stay readable as bytes.
func (s *session) withRegistry(c config.Context, sess ui.Session) (ui.Session, error) {
	if c.SchemaRegistry == nil {
		return sess, nil
	}
	broken := func(err error) (ui.Session, error) {
		sess.Client.Schemas = decode.BrokenSchemas(fmt.Errorf("context %s: %w", c.Name, err))
		return sess, nil
	}
	rc, err := c.SchemaRegistry.Resolve(s.getenv, s.opts.timeout)
	if err != nil {
		return broken(err)
	}
	s.secrets.Add(rc.Password)
	s.secrets.Add(rc.Token)
	rc.ReadOnly = sess.ReadOnly
	reg, err := kafkaclient.NewRegistry(*rc)
	if err != nil {
		return broken(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	link := &s.opts.schemas.program
	notify := func(e decode.SchemasChanged) {
		link.post(e)
		if e.Err != nil {
			link.post(views.Notice{Text: e.Err.Error(), Error: true})
		}
	}
	sess.Client.Registry = reg
	sess.Client.Schemas = decode.NewSchemas(ctx, reg, decode.SchemasOptions{Notify: notify, ExportRaw: s.opts.schemas.exportRaw})
	closeKafka := sess.Close
	sess.Close = func() {
		cancel()
		reg.Close()
		if closeKafka != nil {
			closeKafka()
		}
	}
	return sess, nil
}
