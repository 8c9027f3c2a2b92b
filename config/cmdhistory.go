package config

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// commandHistoryLines bounds what the command history keeps.
const commandHistoryLines = 500

// CommandHistory keeps the ':' commands typed, one a line, oldest first,
// so that ↑ in the bar finds them again after a restart.
type CommandHistory struct {
	mu   sync.Mutex
	path string
}

// NewCommandHistory keeps the history at path ("": nowhere).
func NewCommandHistory(path string) *CommandHistory { return &CommandHistory{path: path} }

// DefaultCommandHistory is the history in kscope's XDG state directory,
// or one kept nowhere when there is none.
func DefaultCommandHistory(getenv func(string) string) *CommandHistory {
	path, err := statePath(getenv, "commands")
	if err != nil {
		path = ""
	}
	return NewCommandHistory(path)
}

// Lines are the commands kept, oldest first; a history never written is empty.
func (h *CommandHistory) Lines() ([]string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.read()
}

func (h *CommandHistory) read() ([]string, error) {
	if h.path == "" {
		return nil, nil
	}
	f, err := os.Open(h.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("command history: %w", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("command history: %w", err)
	}
	return lines[max(len(lines)-commandHistoryLines, 0):], nil
}

// Add appends line, dropping the oldest lines past the bound. A line the
// same as the last one is kept once.
func (h *CommandHistory) Add(line string) error {
	line = strings.TrimSpace(strings.ReplaceAll(line, "\n", " "))
	if h.path == "" || line == "" {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	lines, err := h.read()
	if err != nil {
		return err
	}
	if n := len(lines); n > 0 && lines[n-1] == line {
		return nil
	}
	lines = append(lines, line)
	lines = lines[max(len(lines)-commandHistoryLines, 0):]
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err != nil {
		return fmt.Errorf("command history: %w", err)
	}
	// Written whole to a temporary file and renamed, so that two kscopes
	// closing at once leave one history or the other, never a mix.
	tmp := h.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return fmt.Errorf("command history: %w", err)
	}
	if err := os.Rename(tmp, h.path); err != nil {
		return fmt.Errorf("command history: %w", err)
	}
	return nil
}
