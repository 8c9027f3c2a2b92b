package main

import (
	"bytes"
	"io"
	"sync"
)

// redactor writes through to w with every known secret replaced, so the
// debug log can be shared without leaking a password. Secrets are added
// as they are resolved (a context switch reads a new one).
type redactor struct {
	mu      sync.Mutex
	w       io.Writer
	secrets [][]byte
}

// add makes s a secret from now on.
func (r *redactor) add(s string) {
	if s == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = append(r.secrets, []byte(s))
}

// Write implements io.Writer; it reports len(p) written, as callers gave p.
func (r *redactor) Write(p []byte) (int, error) {
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
