package config

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"kscope/kafkaclient"
)

// AuditFile appends one JSON line per change kscope made to a cluster, and
// reads them back for :history. It is the views' Audit.
type AuditFile struct {
	mu   sync.Mutex
	path string
}

// NewAuditFile keeps its entries at path, which is created, with its
// directories, at the first change recorded.
func NewAuditFile(path string) *AuditFile {
	return &AuditFile{path: path}
}

// DefaultAuditPath follows XDG: $XDG_STATE_HOME/kscope/audit.jsonl, else
// ~/.local/state/kscope/audit.jsonl.
func DefaultAuditPath(getenv func(string) string) (string, error) {
	path, err := statePath(getenv, "audit.jsonl")
	if err != nil {
		return "", fmt.Errorf("%w: give --audit PATH", err)
	}
	return path, nil
}

// statePath is where kscope keeps name among its state files, as XDG says.
func statePath(getenv func(string) string, name string) (string, error) {
	if dir := getenv("XDG_STATE_HOME"); dir != "" {
		return filepath.Join(dir, "kscope", name), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither XDG_STATE_HOME nor HOME is set")
	}
	return filepath.Join(home, ".local", "state", "kscope", name), nil
}

// Record appends e to the file.
func (a *AuditFile) Record(e kafkaclient.AuditEntry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(a.path), 0o700); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	f, err := os.OpenFile(a.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	line, err := json.Marshal(e)
	if err != nil {
		f.Close()
		return fmt.Errorf("audit: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("audit: %w", err)
	}
	return f.Close()
}

// Entries reads back every entry recorded, oldest first. A file not written
// yet has none, and a line that does not parse is skipped rather than
// hiding the others.
func (a *AuditFile) Entries() ([]kafkaclient.AuditEntry, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f, err := os.Open(a.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer f.Close()
	var out []kafkaclient.AuditEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e kafkaclient.AuditEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}
