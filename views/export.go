package views

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
)

// exportedRecord is one JSON Lines row. Bytes that are not valid UTF-8
// are base64-encoded, and the matching *Encoding field says so.
type exportedRecord struct {
	Topic         string           `json:"topic"`
	Partition     int32            `json:"partition"`
	Offset        int64            `json:"offset"`
	Timestamp     string           `json:"timestamp"`
	TimestampType string           `json:"timestamp_type"`
	Key           *string          `json:"key"`
	KeyEncoding   string           `json:"key_encoding,omitempty"`
	Value         *string          `json:"value"`
	ValueEncoding string           `json:"value_encoding,omitempty"`
	Headers       []exportedHeader `json:"headers"`
}

type exportedHeader struct {
	Key           string `json:"key"`
	KeyEncoding   string `json:"key_encoding,omitempty"`
	Value         string `json:"value"`
	ValueEncoding string `json:"value_encoding,omitempty"`
}

// encodeBytes keeps valid UTF-8 as text and base64-encodes anything else.
func encodeBytes(b []byte) (string, string) {
	if utf8.Valid(b) {
		return string(b), ""
	}
	return base64.StdEncoding.EncodeToString(b), "base64"
}

// WriteJSONL writes records as JSON Lines. A nil key or value is null.
func WriteJSONL(w io.Writer, recs []kafkaclient.Record) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range recs {
		r := &recs[i]
		out := exportedRecord{
			Topic: r.Topic, Partition: r.Partition, Offset: r.Offset,
			Timestamp: r.Timestamp.UTC().Format(timestampLayout), TimestampType: "CreateTime",
			Headers: make([]exportedHeader, 0, len(r.Headers)),
		}
		if r.LogAppendTime {
			out.TimestampType = "LogAppendTime"
		}
		if r.Key != nil {
			k, e := encodeBytes(r.Key)
			out.Key, out.KeyEncoding = &k, e
		}
		if r.Value != nil {
			v, e := encodeBytes(r.Value)
			out.Value, out.ValueEncoding = &v, e
		}
		for _, h := range r.Headers {
			var eh exportedHeader
			eh.Key, eh.KeyEncoding = encodeBytes(h.Key)
			eh.Value, eh.ValueEncoding = encodeBytes(h.Value)
			out.Headers = append(out.Headers, eh)
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// exportFile writes to path with write; it never replaces an existing
// file unless overwrite is set.
func exportFile(path string, overwrite bool, write func(io.Writer) error) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if overwrite {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// exportJob is what an export prompt writes: a snapshot of the items,
// taken when the file name is confirmed, and how to write them.
type exportJob struct {
	n     int
	noun  string // the plural, ending in s: "records", "events"
	write func(io.Writer) error
}

// exportPrompt asks for a file name, then writes off the event loop; a
// file that exists is never replaced without asking.
type exportPrompt struct {
	c       *Common
	scope   Scope
	input   textinput.Model
	job     func() exportJob
	confirm string // the path waiting for an answer to "replace?"
}

// exportExists answers an export whose file already exists; its owner
// shows the prompt again, asking whether to replace it.
type exportExists struct {
	prompt *exportPrompt
	path   string
}

// reopen is the prompt asking whether to replace the file.
func (e exportExists) reopen() *exportPrompt {
	e.prompt.confirm = e.path
	return e.prompt
}

// newExportPrompt proposes a file named after name (a topic or group) and the time.
func newExportPrompt(c *Common, s Scope, job func() exportJob, name string, width int) *exportPrompt {
	in := textinput.New()
	in.Prompt = "export to: "
	in.SetWidth(max(width-len(in.Prompt)-1, 10))
	in.SetValue(proposedFileName(name, c.Now()))
	in.CursorEnd()
	return &exportPrompt{c: c, scope: s, input: in, job: job}
}

// maxFileStem bounds the part of a proposed file name taken from a cluster name.
const maxFileStem = 100

// proposedFileName names an export after a topic or group and the time.
// The name comes from the cluster, so anyone who can create a topic
// chooses it: only [A-Za-z0-9._-] are kept, each run of other characters
// becomes one '_', and a leading '.' or '-' is dropped, so the proposal is
// a visible, plain file in the current directory, never hidden, taken for
// an option, or drawn differently from what it is.
func proposedFileName(name string, now time.Time) string {
	var b strings.Builder
	replaced := false
	for _, r := range name {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
			replaced = false
		case !replaced:
			b.WriteByte('_')
			replaced = true
		}
		if b.Len() >= maxFileStem {
			break
		}
	}
	stem := strings.TrimLeft(b.String(), ".-")
	if stem == "" {
		stem = "export"
	}
	return stem + "-" + now.Format("20060102-150405") + ".jsonl"
}

func (p *exportPrompt) focus() tea.Cmd { return p.input.Focus() }

// update handles a key for the prompt; done means the prompt is
// finished. took is false for a key that only closed the question
// whether to replace a file (any key but y, n and esc): the question
// came back after the prompt had closed, so the key was meant for the
// view and its owner handles it as usual.
func (p *exportPrompt) update(km tea.KeyPressMsg) (cmd tea.Cmd, done, took bool) {
	if p.confirm != "" {
		cancelled := notify("export cancelled; "+p.confirm+" left as it was", false)
		switch km.String() {
		case "y", "Y":
			return p.write(p.confirm, true), true, true
		case "n", "N", "esc":
			return cancelled, true, true
		}
		return cancelled, true, false
	}
	switch km.String() {
	case "esc":
		return notify("export cancelled", false), true, true
	case "enter":
		path := strings.TrimSpace(p.input.Value())
		if path == "" {
			return notify("export needs a file name", true), false, true
		}
		if strings.HasPrefix(path, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				path = filepath.Join(home, path[2:])
			}
		}
		return p.write(path, false), true, true
	}
	p.input, cmd = p.input.Update(km)
	return cmd, false, true
}

// write exports to path; the file is opened exclusively unless overwrite
// is set, so whether it exists is learnt from the open itself.
func (p *exportPrompt) write(path string, overwrite bool) tea.Cmd {
	job := p.job()
	return p.scope.Do(func(context.Context) tea.Msg {
		err := exportFile(path, overwrite, job.write)
		switch {
		case errors.Is(err, fs.ErrExist):
			return exportExists{prompt: p, path: path}
		case err != nil:
			return Notice{Text: "export failed: " + err.Error(), Error: true}
		}
		return Notice{Text: fmt.Sprintf("wrote %s to %s", plural(int64(job.n), strings.TrimSuffix(job.noun, "s"), job.noun), path)}
	})
}

func (p *exportPrompt) view() string {
	if p.confirm != "" {
		// The path may hold whatever was typed or pasted into the prompt.
		path, _ := sanitize.Plain(p.confirm)
		return p.c.Styles.Warn.Render(fmt.Sprintf("%s exists. Replace it? (y/N)", path))
	}
	return p.input.View()
}
