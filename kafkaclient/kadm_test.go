package kafkaclient

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The franz-go connection is secured as sarama's are: over SASL with each
// mechanism, plain and over TLS, it lists, describes and alters a share
// group.
func TestFranzConnectionIsSecuredAsSaramaIs(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	clusters := map[string]*kfake.Cluster{
		"plaintext": newCluster(t, 1, append(saslUsers(), kfake.SeedTopics(2, "jobs"))...),
		"TLS":       newCluster(t, 1, append(saslUsers(), kfake.SeedTopics(2, "jobs"), kfake.TLS(ca.server(t, time.Now().Add(time.Hour))))...),
	}
	for transport, c := range clusters {
		for mech, pass := range passwords {
			t.Run(transport+"/"+mech, func(t *testing.T) {
				var tlsConf *TLS
				if transport == "TLS" {
					tlsConf = &TLS{CAFile: ca.file}
				}
				cl, err := Connect(context.Background(), secureConfig(c, &SASL{Mechanism: mech, Username: "alice", Password: pass}, tlsConf))
				if err != nil {
					t.Fatal(err)
				}
				defer cl.Close()
				ctx := context.Background()
				group := "queue-" + strings.ToLower(mech)
				plan, err := cl.PlanShareReset(ctx, group, "jobs", nil, ResetTarget{Kind: ResetEarliest})
				if err != nil {
					t.Fatal(err)
				}
				if err := cl.ApplyShareReset(ctx, plan); err != nil {
					t.Fatal(err)
				}
				gs, err := cl.Groups(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, g := range gs {
					if g.Name == group && (g.Type != TypeShare || g.Err != nil || len(g.Offsets) != 2) {
						t.Errorf("%s: %s, %d offsets, %v", group, g.Type, len(g.Offsets), g.Err)
					}
				}
			})
		}
	}
}

func TestFranzLogHidesThePassword(t *testing.T) {
	t.Parallel()
	l := franzLogger{secret: "hunter2"}
	line := l.line(kgo.LogLevelInfo, "connection opened hunter2", "addr", "b:9092", "pass", "xhunter2x")
	if strings.Contains(line, "hunter2") || line != "franz-go INFO connection opened [redacted] addr=b:9092 pass=x[redacted]x" {
		t.Errorf("log line %q", line)
	}
	if got := (franzLogger{}).line(kgo.LogLevelWarn, "m", "k", 1); got != "franz-go WARN m k=1" {
		t.Errorf("log line %q", got)
	}
}

func TestFranzOptionsRefuseWhatSaramaRefuses(t *testing.T) {
	t.Parallel()
	if _, err := (Config{SASL: &SASL{Mechanism: "GSSAPI", Username: "u"}}).franzOptions(); err == nil || !strings.Contains(err.Error(), "unknown mechanism") {
		t.Errorf("unknown mechanism: %v", err)
	}
	if _, err := (Config{TLS: &TLS{CAFile: "/nonexistent/ca.pem"}}).franzOptions(); err == nil || !strings.Contains(err.Error(), "CA file") {
		t.Errorf("missing CA file: %v", err)
	}
	// A client closed refuses to open the connection again.
	f := newFranz(Config{Brokers: []string{"127.0.0.1:1"}}, nil)
	f.close()
	if _, err := f.client(); !errors.Is(err, errClosed) {
		t.Errorf("after close: %v", err)
	}
}
