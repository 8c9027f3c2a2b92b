package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// TestPasswordNeverShows runs an authenticated session in a real terminal,
// through several views, a failed login and the debug log, then greps
// everything kscope printed and logged for the password.
func TestPasswordNeverShows(t *testing.T) {
	const password = "Sup3r-s3cret-pw"
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.EnableSASL(),
		kfake.Superuser("SCRAM-SHA-256", "ops", password), kfake.SeedTopics(2, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	debug := filepath.Join(dir, "debug.log")
	stderr := filepath.Join(dir, "stderr.txt")
	yaml := "currentContext: prod\ncontexts:\n" +
		"  - name: prod\n    brokers: [" + c.ListenAddrs()[0] + "]\n    sasl:\n      mechanism: SCRAM-SHA-256\n      username: ops\n      password: " + password + "\n" +
		"  - name: wrong\n    brokers: [" + c.ListenAddrs()[0] + "]\n    sasl:\n      mechanism: SCRAM-SHA-256\n      username: ops\n      password: " + password + "-typo\n"
	if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}

	var seen []string
	tm := startTermCmd(t, "sh", "-c", kscopeBin+" --config "+config+" --debug "+debug+" --timeout 3s 2>"+stderr+"; sleep 30")
	look := func(text string) {
		t.Helper()
		tm.waitText(text, 10*time.Second)
		seen = append(seen, tm.screen(), tm.styled())
	}
	look("ops@SCRAM-SHA-256")
	look("orders")
	tm.keys("Enter")
	look("(2 partitions)")
	tm.keys(":contexts", "Enter")
	look("contexts (2)")
	tm.keys("Down")
	tm.keys("Enter")
	look("could not switch to wrong")
	if !strings.Contains(tm.screen(), "authentication failed for user ops") {
		t.Errorf("a wrong password should say authentication failed:\n%s", tm.screen())
	}
	tm.keys(":tail orders --from earliest", "Enter")
	look("waiting for records")
	tm.keys("q")
	tm.close()

	for _, f := range []string{debug, stderr} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, string(data))
	}
	if data, _ := os.ReadFile(debug); len(data) == 0 {
		t.Error("the debug log is empty: nothing was checked there")
	}
	for i, s := range seen {
		if strings.Contains(s, "s3cret") {
			t.Errorf("the password shows in output %d:\n%s", i, s)
		}
	}
}
