package views

import (
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
)

type memAudit []kafkaclient.AuditEntry

func (m *memAudit) Record(e kafkaclient.AuditEntry) error      { *m = append(*m, e); return nil }
func (m *memAudit) Entries() ([]kafkaclient.AuditEntry, error) { return *m, nil }

func TestHistoryNewestFirst(t *testing.T) {
	c := testCommon(t)
	c.Audit = &memAudit{
		{Time: t0, Context: "prod", Action: "create topic", Target: "orders", Result: "ok"},
		{Time: t0.Add(time.Minute), Context: "prod", Action: "delete topic", Target: "orders", Result: "delete topic orders: read-only mode"},
	}
	v := NewHistory(c)
	v.SetSize(120, 10)
	v.Update(v.Init(Scope{ID: 1, Ctx: t.Context()})().(Answer).Msg)
	s := plain(v)
	if strings.Index(s, "delete topic") > strings.Index(s, "create topic") {
		t.Errorf("newest first:\n%s", s)
	}
	if !strings.Contains(s, "history (2 changes)") && !strings.Contains(v.Title(), "2 changes") {
		t.Errorf("title %q", v.Title())
	}
}
