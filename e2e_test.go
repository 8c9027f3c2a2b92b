package main

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
)

// TestEndToEndPartitions runs the binary in a terminal against a kfake
// cluster, opens a topic's partitions and reads them off the screen.
func TestEndToEndPartitions(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(4, "orders"), kfake.SeedTopics(2, "audit"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.MoveTopicPartition("orders", 2, (c.LeaderFor("orders", 2)+1)%3); err != nil {
		t.Fatal(err)
	}

	tm := startTerm(t, "-b", strings.Join(c.ListenAddrs(), ","))
	tm.waitText("orders", 10*time.Second)
	tm.keys("/", "ord", "Enter")
	tm.waitText("topics (1 of 2)", 5*time.Second)
	tm.keys("Enter")
	s := tm.waitText("(4 partitions)", 5*time.Second)

	var header []string
	rows := map[int]string{}
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == "PARTITION" {
			header = f
		}
		if header != nil && len(f) >= 4 {
			if id, err := strconv.Atoi(f[0]); err == nil {
				rows[id] = line
			}
		}
	}
	if strings.Join(header[:4], " ") != "PARTITION LEADER REPLICAS ISR" {
		t.Fatalf("header %v", header)
	}
	if len(rows) != 4 {
		t.Fatalf("%d partition rows on screen:\n%s", len(rows), s)
	}
	for id, line := range rows {
		f := strings.Fields(line)
		if want := strconv.Itoa(int(c.LeaderFor("orders", int32(id)))); strings.TrimSuffix(f[1], "*") != want {
			t.Errorf("partition %d: leader %s on screen, cluster says %s", id, f[1], want)
		}
		if f[2] != f[3] {
			t.Errorf("partition %d: kfake keeps ISR = replicas, screen shows %s vs %s", id, f[2], f[3])
		}
	}

	// One key at a time: two ESC bytes in one write read as alt+esc.
	tm.keys("Escape")
	tm.waitText("filter: ord", 5*time.Second)
	tm.keys("Escape")
	tm.waitText("topics (2)", 5*time.Second)
	tm.keys("q")
	tm.waitFor("kscope to exit", 5*time.Second, func(s string) bool { return !strings.Contains(s, "topics (2)") })
}

// TestEndToEndTail opens a tail, produces records after it opened, one of
// them trying to set the terminal's title, clear the screen and ring the
// bell, and reads the screen and the terminal's title.
func TestEndToEndTail(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "live"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tm := startTerm(t, "-b", strings.Join(c.ListenAddrs(), ","), "-c", "tail live")
	tm.waitText("waiting for records", 10*time.Second)
	// Text is where a record's bytes could reach the terminal; auto would
	// show this many control bytes as hex.
	tm.keys("V")
	tm.waitText("value:json", 5*time.Second)
	tm.keys("V")
	tm.waitText("value:text", 5*time.Second)

	conf := sarama.NewConfig()
	conf.Version = sarama.V2_8_0_0
	conf.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(c.ListenAddrs(), conf)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, v := range []string{"hello-e2e", "evil\x1b]0;pwned\x07\x1b[2J\x1b[H\a-end"} {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: "live", Value: sarama.StringEncoder(v)}); err != nil {
			t.Fatal(err)
		}
	}
	s := tm.waitText("-end", 10*time.Second)
	if !strings.Contains(s, "hello-e2e") || !strings.Contains(s, "● LIVE · 2 records") {
		t.Errorf("records produced after the tail opened are missing:\n%s", s)
	}
	if !strings.HasPrefix(s, "kscope │") {
		t.Errorf("the screen was disturbed:\n%s", s)
	}
	if title := strings.TrimSpace(tm.tmux("display-message", "-p", "#{pane_title}")); title != "kscope" {
		t.Errorf("terminal title is %q, want kscope", title)
	}
}

// TestEndToEndCreateTopic creates a topic through the form in a real
// terminal, then checks the cluster has it and the audit file says so.
func TestEndToEndCreateTopic(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(1, "existing"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	audit := filepath.Join(t.TempDir(), "audit.jsonl")
	tm := startTerm(t, "-b", strings.Join(c.ListenAddrs(), ","), "--audit", audit)
	tm.waitText("existing", 10*time.Second)
	tm.keys("n")
	tm.waitText("Create a topic", 5*time.Second)
	tm.keys("invoices", "Tab", "BSpace", "4", "C-s")
	tm.waitText("created topic invoices (4 partitions, RF 3)", 10*time.Second)
	tm.waitFor("invoices in the list", 10*time.Second, func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if f := strings.Fields(l); len(f) > 2 && f[0] == "invoices" && f[1] == "4" && f[2] == "3" {
				return true
			}
		}
		return false
	})

	admin, err := sarama.NewClusterAdmin(c.ListenAddrs(), func() *sarama.Config {
		conf := sarama.NewConfig()
		conf.Version = sarama.V2_8_0_0
		return conf
	}())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	topics, err := admin.ListTopics()
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := topics["invoices"]; !ok || d.NumPartitions != 4 || d.ReplicationFactor != 3 {
		t.Errorf("cluster has %+v", topics["invoices"])
	}
	data, err := os.ReadFile(audit)
	if err != nil || !strings.Contains(string(data), `"action":"create topic","target":"invoices","result":"ok"`) {
		t.Errorf("audit file: %s (%v)", data, err)
	}
}

// TestCommandHistorySurvivesARestart types a command, quits, starts again
// and finds it with ↑ in the ':' bar.
func TestCommandHistorySurvivesARestart(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	state := t.TempDir()
	first := startTermState(t, state, kscopeBin, "-b", c.ListenAddrs()[0])
	first.waitText("orders", 10*time.Second)
	first.keys(":", "brokers", "Enter")
	first.waitText("brokers (1)", 5*time.Second)
	first.keys("q")
	first.waitFor("kscope to exit", 5*time.Second, func(s string) bool { return !strings.Contains(s, "brokers (1)") })
	if b, err := os.ReadFile(filepath.Join(state, "kscope", "commands")); err != nil || string(b) != "brokers\n" {
		t.Fatalf("history file %q, %v", b, err)
	}

	second := startTermState(t, state, kscopeBin, "-b", c.ListenAddrs()[0])
	second.waitText("orders", 10*time.Second)
	second.keys(":", "Up")
	second.waitText(":brokers", 5*time.Second)
}

// TestConnectingScreen points kscope at a broker that accepts and never
// answers: the screen says what it tries until ctrl+c gives up; then at a
// refused port, where it exits at once naming the reason.
func TestConnectingScreen(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	// Through a shell, which prints the exit status and keeps the pane
	// alive, so what kscope wrote as it left stays on screen.
	shell := func(args string) *term {
		return startTermCmd(t, "sh", "-c", kscopeBin+" "+args+"; echo exit $?; sleep 60")
	}
	tm := shell("-b " + silent.Addr().String() + " --timeout 30s")
	tm.waitText("Connecting to "+silent.Addr().String(), 10*time.Second)
	tm.waitText("trying 1 bootstrap broker for 2s", 10*time.Second)
	tm.keys("C-c")
	tm.waitText("kscope: gave up connecting to "+silent.Addr().String(), 5*time.Second)
	tm.waitText("exit 1", 5*time.Second)

	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := refused.Addr().String()
	refused.Close()
	tm = shell("-b " + addr)
	s := tm.waitText("exit 1", 10*time.Second)
	if !strings.Contains(s, "kscope: no bootstrap broker could be reached:") || !strings.Contains(s, addr) || !strings.Contains(s, "refused") {
		t.Errorf("the reason is not given:\n%s", s)
	}
}
