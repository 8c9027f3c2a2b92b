// Command kscope is a terminal UI for Apache Kafka clusters.
//
//	kscope -b host:port[,host:port...]   browse a cluster
//	kscope --demo                        browse an embedded demo cluster
//	kscope demo --listen 127.0.0.1:9092  run the demo cluster headless
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/IBM/sarama"

	"kscope/demo"
	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/ui"
	"kscope/views"
)

// version is replaced at release build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

type options struct {
	brokers      string
	demo         bool
	command      string
	theme        string
	timeout      time.Duration
	refresh      time.Duration
	kafkaVersion string
	clientID     string
	version      bool
	tailRecords  int
	tailMiB      int
	groupsEvery  time.Duration
	groupEvery   time.Duration
	debug        string
}

func flags(stderr io.Writer) (*flag.FlagSet, *options) {
	o := &options{}
	fs := flag.NewFlagSet("kscope", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.brokers, "b", "", "bootstrap brokers `host:port[,host:port...]`")
	fs.BoolVar(&o.demo, "demo", false, "start an embedded demo cluster with live traffic and browse it")
	fs.StringVar(&o.command, "c", "", "start in the view `COMMAND` opens ("+ui.KnownCommands()+")")
	fs.StringVar(&o.theme, "theme", "", "colour theme `NAME` ("+strings.Join(themes.Names(), ", ")+"); default follows the terminal background")
	fs.DurationVar(&o.timeout, "timeout", kafkaclient.DefaultConnectTimeout, "give up connecting after this `duration`")
	fs.DurationVar(&o.refresh, "refresh", kafkaclient.DefaultRefreshInterval, "metadata refresh `interval`")
	fs.StringVar(&o.kafkaVersion, "kafka-version", "", "Kafka protocol `version` to speak (default: detected from the cluster)")
	fs.StringVar(&o.clientID, "client-id", kafkaclient.DefaultClientID, "client `id` sent to the brokers")
	fs.IntVar(&o.tailRecords, "tail-records", views.DefaultTailRecords, "records a tail keeps in memory, at most")
	fs.IntVar(&o.tailMiB, "tail-mib", views.DefaultTailBytes>>20, "MiB of record data a tail keeps in memory, at most")
	fs.DurationVar(&o.groupsEvery, "groups-refresh", views.DefaultGroupsEvery, "how often the groups list is refreshed")
	fs.DurationVar(&o.groupEvery, "group-poll", views.DefaultGroupEvery, "how often an open group is observed for its timeline")
	fs.StringVar(&o.debug, "debug", "", "append the Kafka client's log to `FILE`, passwords redacted")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "kscope — a terminal UI for Apache Kafka\n\nUsage:\n  kscope -b host:port[,host:port...] [flags]\n  kscope --demo [flags]\n  kscope demo [--listen 127.0.0.1:9092]\n\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs, o
}

func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) > 0 && args[0] == "demo" {
		return runDemo(args[1:], stdout, stderr)
	}
	fs, o := flags(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if o.version {
		fmt.Fprintln(stdout, "kscope", version)
		return exitOK
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "kscope: "+format+"\n", a...)
		fmt.Fprintln(stderr, "Run 'kscope --help' for usage.")
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usage("unexpected argument %q", fs.Arg(0))
	}
	brokers := splitBrokers(o.brokers)
	switch {
	case o.demo && len(brokers) > 0:
		return usage("-b and --demo exclude each other")
	case !o.demo && len(brokers) == 0:
		return usage("no cluster given: use -b host:port or --demo")
	case o.timeout <= 0:
		return usage("--timeout must be positive")
	case o.refresh < 500*time.Millisecond:
		return usage("--refresh must be at least 500ms")
	case o.tailRecords < 1:
		return usage("--tail-records must be at least 1")
	case o.tailMiB < 1:
		return usage("--tail-mib must be at least 1")
	case o.groupsEvery < time.Second:
		return usage("--groups-refresh must be at least 1s")
	case o.groupEvery < 100*time.Millisecond:
		return usage("--group-poll must be at least 100ms")
	}
	for _, b := range brokers {
		if !strings.Contains(b, ":") {
			return usage("broker %q has no port (want host:port)", b)
		}
	}
	start := ui.Command{Name: "topics"}
	if o.command != "" {
		c, err := ui.ParseCommand(o.command)
		if err != nil {
			return usage("-c: %v", err)
		}
		start = c
	}
	palette, fixed, err := pickTheme(o.theme, getenv("NO_COLOR") != "")
	if err != nil {
		return usage("%v", err)
	}

	secrets := &redactor{w: io.Discard}
	if o.debug != "" {
		f, err := os.OpenFile(o.debug, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return usage("--debug: %v", err)
		}
		defer f.Close()
		secrets.w = f
		// sarama's logger is process-wide; kscope owns the process.
		sarama.Logger = log.New(secrets, "sarama ", log.LstdFlags|log.Lmicroseconds)
	}

	ctx := context.Background()
	label := strings.Join(brokers, ",")
	if o.demo {
		cluster, err := demo.Start(ctx, demo.Options{})
		if err != nil {
			fmt.Fprintf(stderr, "kscope: demo cluster: %v\n", err)
			return exitFailure
		}
		defer cluster.Close()
		brokers, label = cluster.Addrs(), "demo "+cluster.Addrs()[0]
	}
	client, err := kafkaclient.Connect(ctx, kafkaclient.Config{
		Brokers:         brokers,
		ClientID:        o.clientID,
		Version:         o.kafkaVersion,
		ConnectTimeout:  o.timeout,
		RefreshInterval: o.refresh,
	})
	if err != nil {
		fmt.Fprintf(stderr, "kscope: %v\n", err)
		return exitFailure
	}
	defer client.Close()

	model := ui.New(ui.Options{
		Session:    ui.Session{Events: client.Events(), Cluster: client, Label: label},
		Theme:      palette,
		ThemeFixed: fixed,
		Start:      start,

		TailRecords: o.tailRecords,
		TailBytes:   o.tailMiB << 20,
		GroupsEvery: o.groupsEvery,
		GroupEvery:  o.groupEvery,
	})
	if _, err := tea.NewProgram(model).Run(); err != nil {
		fmt.Fprintf(stderr, "kscope: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// pickTheme honours NO_COLOR first, then --theme; with neither the theme
// follows the terminal's background once it reports it.
func pickTheme(name string, noColor bool) (themes.Palette, bool, error) {
	if noColor {
		p, err := themes.Builtin("mono")
		return p, true, err
	}
	if name == "" {
		p, err := themes.Builtin(themes.Default)
		return p, false, err
	}
	p, err := themes.Builtin(name)
	return p, true, err
}

func splitBrokers(s string) []string {
	var out []string
	for _, b := range strings.Split(s, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}

// runDemo runs the demo cluster without the UI, for kcat or another kscope.
func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kscope demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:9092", "`host:port` of the first broker; the others take the next ports")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "kscope demo: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cluster, err := demo.Start(ctx, demo.Options{Listen: *listen})
	if err != nil {
		fmt.Fprintf(stderr, "kscope demo: %v\n", err)
		return exitFailure
	}
	defer cluster.Close()
	bootstrap := strings.Join(cluster.Addrs(), ",")
	fmt.Fprintf(stdout, "demo cluster running; bootstrap: %s\n", bootstrap)
	fmt.Fprintf(stdout, "  kscope -b %s\n  kcat -b %s -L\nctrl+c stops it.\n", bootstrap, bootstrap)
	<-ctx.Done()
	return exitOK
}
