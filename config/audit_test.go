package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"kscope/kafkaclient"
)

func TestAuditFileAppendsAndReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "kscope", "audit.jsonl")
	a := NewAuditFile(path)
	if es, err := a.Entries(); err != nil || len(es) != 0 {
		t.Fatalf("before any change: %v %v", es, err)
	}
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	for _, e := range []kafkaclient.AuditEntry{
		{Time: at, Context: "prod", Action: "create topic", Target: "orders", Result: "ok"},
		{Time: at.Add(time.Second), Context: "prod", Action: "delete topic", Target: "orders", Result: "read-only mode"},
	} {
		if err := a.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("not json\n")
	f.Close()
	es, err := a.Entries()
	if err != nil || len(es) != 2 || es[1].Action != "delete topic" || !es[0].Time.Equal(at) {
		t.Fatalf("entries %+v, %v", es, err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("audit file mode %v: it names clusters and topics, keep it private", info.Mode().Perm())
	}
}

func TestDefaultAuditPath(t *testing.T) {
	if p, _ := DefaultAuditPath(fakeEnv(map[string]string{"XDG_STATE_HOME": "/s", "HOME": "/h"})); p != "/s/kscope/audit.jsonl" {
		t.Errorf("XDG: %s", p)
	}
	if p, _ := DefaultAuditPath(fakeEnv(map[string]string{"HOME": "/h"})); p != "/h/.local/state/kscope/audit.jsonl" {
		t.Errorf("HOME: %s", p)
	}
	if _, err := DefaultAuditPath(fakeEnv(nil)); err == nil {
		t.Error("no HOME: want an error")
	}
}
