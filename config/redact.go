package config

import (
	"bytes"
	"io"
	"sync"
)

// Redactor writes through to its writer with every known secret replaced,
// so the debug log can be shared without leaking a password. Secrets are
// added as they are resolved (a context switch reads a new one).
type Redactor struct {
	mu      sync.Mutex
	w       io.Writer
	secrets [][]byte
}

// NewRedactor writes to w what is written to it, once secrets are added
// with their values replaced by [redacted].
func NewRedactor(w io.Writer) *Redactor {
	return &Redactor{w: w}
}

// Add makes s a secret from now on; an empty s hides nothing.
func (r *Redactor) Add(s string) {
	if s == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = append(r.secrets, []byte(s))
}

// Write implements io.Writer; it reports len(p) written, as callers gave p.
func (r *Redactor) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := p
	for _, s := range r.secrets {
		out = bytes.ReplaceAll(out, s, []byte("[redacted]"))
	}
	if _, err := r.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
