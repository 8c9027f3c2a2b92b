package config

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

func TestCommandHistoryKeepsTheLatestLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "kscope", "commands")
	h := NewCommandHistory(path)
	if lines, err := h.Lines(); err != nil || len(lines) != 0 {
		t.Fatalf("a new history: %q, %v", lines, err)
	}
	for _, l := range []string{"topics", "tail orders", "tail orders", " group shop \n"} {
		if err := h.Add(l); err != nil {
			t.Fatal(err)
		}
	}
	lines, err := NewCommandHistory(path).Lines()
	if want := []string{"topics", "tail orders", "group shop"}; err != nil || !reflect.DeepEqual(lines, want) {
		t.Errorf("lines %q, %v; want %q", lines, err, want)
	}
	for i := range commandHistoryLines + 10 {
		if err := h.Add(fmt.Sprintf("topic t%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	lines, _ = h.Lines()
	if len(lines) != commandHistoryLines || lines[len(lines)-1] != fmt.Sprintf("topic t%d", commandHistoryLines+9) {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}

func TestCommandHistoryFollowsXDG(t *testing.T) {
	env := fakeEnv(map[string]string{"XDG_STATE_HOME": "/state", "HOME": "/home/u"})
	if h := DefaultCommandHistory(env); h.path != "/state/kscope/commands" {
		t.Errorf("path %q", h.path)
	}
	if h := DefaultCommandHistory(fakeEnv(nil)); h.path != "" {
		t.Errorf("with no home: %q", h.path)
	}
	if err := DefaultCommandHistory(fakeEnv(nil)).Add("topics"); err != nil {
		t.Errorf("a history kept nowhere: %v", err)
	}
}
