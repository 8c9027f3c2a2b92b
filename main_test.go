package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/twmb/franz-go/pkg/kfake"

	"kscope/themes"
)

func TestCommandLineErrors(t *testing.T) {
	noEnv := func(string) string { return "" }
	tests := []struct {
		args     []string
		code     int
		stderr   string
		stdout   string
		exitsNow bool
	}{
		{args: nil, code: exitUsage, stderr: "no cluster given: use -b host:port, --demo"},
		{args: []string{"-b", "a:1", "--demo"}, code: exitUsage, stderr: "--demo excludes -b and --context"},
		{args: []string{"-b", "a:1", "-X", "sasl.pasword=x"}, code: exitUsage, stderr: `unknown property "sasl.pasword"`},
		{args: []string{"--context", "prod"}, code: exitUsage, stderr: `no context "prod"`},
		{args: []string{"--config", "/nonexistent/kscope.yaml"}, code: exitUsage, stderr: "/nonexistent/kscope.yaml"},
		{args: []string{"-b", "localhost"}, code: exitUsage, stderr: `broker "localhost" has no port`},
		{args: []string{"-b", "127.0.0.1:99999"}, code: exitUsage, stderr: `broker "127.0.0.1:99999": port "99999" is not a number from 1 to 65535`},
		{args: []string{"-b", ":::"}, code: exitUsage, stderr: `broker ":::" is not host:port (an IPv6 address goes in brackets`},
		{args: []string{"-b", "a:1", "--kafka-version", "banana"}, code: exitUsage, stderr: `--kafka-version: kafka version "banana" is not a version such as 3.7.0`},
		{args: []string{"-b", "a:1", "--kafka-version", "9.9.9"}, code: exitUsage, stderr: `kafka version "9.9.9" is newer than kscope knows`},
		{args: []string{"-b", "a:1", "-X", "security.protocol=SSL", "-X", "ssl.ca.location=/nonexistent/ca.pem"}, code: exitUsage, stderr: `TLS CA file: stat /nonexistent/ca.pem`},
		{args: []string{"-b", "a:1", "-X", "sasl.username=u"}, code: exitUsage, stderr: `needs sasl.password`},
		{args: []string{"-b", "a:1", "-c", "frob"}, code: exitUsage, stderr: `unknown command "frob"; known: topics, topic NAME, brokers, health, groups, group NAME, contexts, schemas, acls, users, quotas, transactions, history, tail TOPIC [--from`},
		{args: []string{"-b", "a:1", "-c", "topic"}, code: exitUsage, stderr: "topic needs NAME"},
		{args: []string{"-b", "a:1", "--theme", "neon"}, code: exitUsage, stderr: `unknown theme "neon" (known: dark, light, high-contrast, mono)`},
		{args: []string{"-b", "a:1", "--timeout", "0s"}, code: exitUsage, stderr: "--timeout must be positive"},
		{args: []string{"-b", "a:1", "--disk-refresh", "1s"}, code: exitUsage, stderr: "--disk-refresh must be 0 (never) or at least 5s"},
		{args: []string{"-b", "a:1", "--debug", "/nonexistent/kscope/debug.log"}, code: exitUsage, stderr: "--debug: open /nonexistent/kscope/debug.log"},
		{args: []string{"-b", "a:1", "extra"}, code: exitUsage, stderr: `unexpected argument "extra"`},
		{args: []string{"--nosuchflag"}, code: exitUsage, stderr: "flag provided but not defined: -nosuchflag"},
		{args: []string{"--version"}, code: exitOK, stdout: "kscope " + version},
		{args: []string{"--help"}, code: exitOK, stderr: "kscope --demo"},
		{args: []string{"demo", "--listen", "10.1.2.3:9092"}, code: exitFailure, stderr: "kscope demo:"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr, noEnv)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tt.args, code, tt.code, stderr.String())
		}
		if !strings.Contains(stderr.String(), tt.stderr) || !strings.Contains(stdout.String(), tt.stdout) {
			t.Errorf("%v:\nstdout %q\nstderr %q\nwant stdout ⊇ %q, stderr ⊇ %q", tt.args, stdout.String(), stderr.String(), tt.stdout, tt.stderr)
		}
	}
}

// TestConfigThemeIsABuiltinTheme checks that the config file's themes are
// the ones kscope has, though the config package knows none.
func TestConfigThemeIsABuiltinTheme(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("contexts:\n  - name: a\n    brokers: [a:1]\n    theme: neon\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"--config", path, "--context", "a"}, &stdout, &stderr, func(string) string { return "" })
	want := path + `:4:12: unknown theme "neon" (known: dark, light, high-contrast, mono)`
	if code != exitUsage || !strings.Contains(stderr.String(), want) {
		t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), exitUsage, want)
	}
}

// TestMisspeltSafetySettingStopsKscope: a context that says readonly
// instead of readOnly must not connect with every write key working.
func TestMisspeltSafetySettingStopsKscope(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("contexts:\n  - name: prod\n    brokers: [127.0.0.1:1]\n    readonly: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"--config", path, "--context", "prod"}, &stdout, &stderr, func(string) string { return "" })
	want := path + `:4:5: unknown key "readonly"; did you mean "readOnly"?`
	if code != exitUsage || !strings.Contains(stderr.String(), want) {
		t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), exitUsage, want)
	}
}

func TestNoColorPicksMonoTheme(t *testing.T) {
	p, fixed, err := pickTheme("light", true)
	if err != nil || p.Name != "mono" || !fixed {
		t.Fatalf("NO_COLOR: %v %v %v", p.Name, fixed, err)
	}
	p, fixed, err = pickTheme("", false)
	if err != nil || p.Name != "dark" || fixed {
		t.Fatalf("default: %v %v %v", p.Name, fixed, err)
	}
}

// TestUnreachableBrokersExitPromptly runs the binary: with nothing
// listening it must exit 1 within the timeout, naming each broker.
func TestUnreachableBrokersExitPromptly(t *testing.T) {
	start := time.Now()
	cmd := exec.Command(kscopeBin, "-b", "127.0.0.1:1,127.0.0.1:2", "--timeout", "1s")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	exitErr, ok := err.(*exec.ExitError)
	if !ok || exitErr.ExitCode() != exitFailure {
		t.Fatalf("err = %v, want exit status 1", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s with --timeout 1s", took)
	}
	for _, want := range []string{"127.0.0.1:1: ", "127.0.0.1:2: ", "connection refused"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q lacks %q", stderr.String(), want)
		}
	}
}

// TestColourProfileDetectedOnce runs the binary in tmux with a tmux on
// its PATH that notes each call: the colour profile is detected, which
// under tmux means running `tmux info`, once, and the header still has
// the dark theme's background in the 256 colours the pane offers.
func TestColourProfileDetectedOnce(t *testing.T) {
	realTmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Fatal("tmux is required for end-to-end tests (apt-get install tmux)")
	}
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	script := "#!/bin/sh\necho \"$*\" >> " + calls + "\nexec " + realTmux + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "tmux"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	tm := startTermCmd(t, "env", "PATH="+dir+":"+os.Getenv("PATH"), kscopeBin, "-b", strings.Join(c.ListenAddrs(), ","))
	tm.waitText("orders", 10*time.Second)
	log, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(log), "info\n"); n != 1 {
		t.Errorf("tmux info ran %d times, want once:\n%s", n, log)
	}

	dark, err := themes.Builtin("dark")
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	w := &colorprofile.Writer{Forward: &want, Profile: colorprofile.ANSI256}
	if _, err := io.WriteString(w, themes.New(dark).Header.Render(" ")); err != nil {
		t.Fatal(err)
	}
	bg := regexp.MustCompile(`48;5;\d+`).FindString(want.String())
	if s := tm.styled(); bg == "" || !strings.Contains(s, bg+"m") {
		t.Errorf("header background %q (the dark theme in 256 colours) not on screen:\n%q", bg, s)
	}
}
