// Command kscope is a terminal UI for Apache Kafka clusters.
//
//	kscope -b host:port[,host:port...]   browse a cluster
//	kscope --demo                        browse an embedded demo cluster
//	kscope demo --listen 127.0.0.1:9092  run the demo cluster headless
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
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
	tuneGC(os.Getenv)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// tuneGC trades some memory for a steadier screen. During a tail at full
// speed sarama allocates hundreds of MB/s; at Go's default GOGC=100 the
// collector runs so often that its assists stall the UI goroutine (key to
// frame up to ~100 ms, measured with BenchmarkKeyFrameDuringTail). At 200
// the worst case fell to ~20 ms, and the memory limit keeps a 5M-record
// tail within its budget. GOGC or GOMEMLIMIT set by the user win.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(192 << 20)
	}
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
	context      string
	config       string
	props        multiFlag
	propFiles    multiFlag
	readOnly     bool
	audit        string
}

func flags(stderr io.Writer) (*flag.FlagSet, *options) {
	o := &options{}
	fs := flag.NewFlagSet("kscope", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.brokers, "b", "", "bootstrap `brokers`: host:port[,host:port...]")
	fs.BoolVar(&o.demo, "demo", false, "start an embedded demo cluster with live traffic and browse it")
	fs.StringVar(&o.command, "c", "", "start in the view `COMMAND` opens ("+ui.KnownCommands()+")")
	fs.StringVar(&o.theme, "theme", "", "colour theme `NAME` ("+strings.Join(themes.Names(), ", ")+"); default follows the terminal background")
	fs.DurationVar(&o.timeout, "timeout", kafkaclient.DefaultConnectTimeout, "give up connecting after this `duration`")
	fs.DurationVar(&o.refresh, "refresh", kafkaclient.DefaultRefreshInterval, "metadata refresh `interval`")
	fs.StringVar(&o.kafkaVersion, "kafka-version", "", "Kafka protocol `version` to speak (default: detected from the cluster)")
	fs.StringVar(&o.clientID, "client-id", "", "client `id` sent to the brokers (default kscope)")
	fs.IntVar(&o.tailRecords, "tail-records", views.DefaultTailRecords, "records a tail keeps in memory, at most")
	fs.IntVar(&o.tailMiB, "tail-mib", views.DefaultTailBytes>>20, "MiB of record data a tail keeps in memory, at most")
	fs.DurationVar(&o.groupsEvery, "groups-refresh", views.DefaultGroupsEvery, "how often the groups list is refreshed")
	fs.DurationVar(&o.groupEvery, "group-poll", views.DefaultGroupEvery, "how often an open group is observed for its timeline")
	fs.StringVar(&o.context, "context", "", "open the context `NAME` from the config file")
	fs.StringVar(&o.config, "config", "", "read contexts from `PATH` (default $XDG_CONFIG_HOME/kscope/config.yaml)")
	fs.Var(&o.props, "X", "set a librdkafka-style property `key=value` as kcat does (repeatable): security.protocol, sasl.*, ssl.*, client.id")
	fs.Var(&o.propFiles, "F", "read -X properties from `FILE` (key=value lines)")
	fs.BoolVar(&o.readOnly, "read-only", false, "refuse every change to the cluster")
	fs.StringVar(&o.audit, "audit", "", "append every change kscope makes to `FILE` (default $XDG_STATE_HOME/kscope/audit.jsonl)")
	fs.StringVar(&o.debug, "debug", "", "append the Kafka client's log to `FILE`, passwords redacted")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "kscope — a terminal UI for Apache Kafka\n\nUsage:\n  kscope -b host:port[,host:port...] [-X key=value...] [flags]\n  kscope [--context NAME] [flags]      (contexts from the config file)\n  kscope --demo [flags]\n  kscope demo [--listen 127.0.0.1:9092]\n\nFlags:\n")
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
	switch {
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
	start := ui.Command{Name: "topics"}
	if o.command != "" {
		c, err := ui.ParseCommand(o.command)
		if err != nil {
			return usage("-c: %v", err)
		}
		start = c
	}
	props, err := readProps(o)
	if err != nil {
		return usage("%v", err)
	}
	cfg, err := loadConfig(o, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "kscope: %v\n", err)
		return exitUsage
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "kscope: warning: %s\n", w)
	}
	target, err := pickTarget(o, cfg, props)
	if err != nil {
		return usage("%v", err)
	}
	themeName := o.theme
	if themeName == "" {
		themeName = target.Theme
	}
	palette, fixed, err := pickTheme(themeName, getenv("NO_COLOR") != "")
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
	if o.demo {
		cluster, err := demo.Start(ctx, demo.Options{})
		if err != nil {
			fmt.Fprintf(stderr, "kscope: demo cluster: %v\n", err)
			return exitFailure
		}
		defer cluster.Close()
		target = Context{Name: "demo " + cluster.Addrs()[0], Brokers: cluster.Addrs()}
	}
	connect := func(ctx context.Context, c Context) (ui.Session, error) {
		kc, err := clientConfig(c, o, getenv)
		if err != nil {
			return ui.Session{}, err
		}
		if kc.SASL != nil {
			secrets.add(kc.SASL.Password)
		}
		client, err := kafkaclient.Connect(ctx, kc)
		if err != nil {
			return ui.Session{}, err
		}
		return ui.Session{Events: client.Events(), Client: views.ClientOf(client), Label: c.Label(), ReadOnly: kc.ReadOnly,
			Insecure: kc.TLS != nil && kc.TLS.InsecureSkipVerify, Close: client.Close}, nil
	}
	session, err := connect(ctx, target)
	if err != nil {
		fmt.Fprintf(stderr, "kscope: %v\n", err)
		return exitFailure
	}
	// The last session open, whichever it is after switches, is closed on the way out.
	// A switch happens in a Cmd's goroutine, hence the lock.
	var mu sync.Mutex
	current := session
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		current.Close()
	}()

	var audit views.Audit
	if path := o.audit; path != "" {
		audit = &auditFile{path: path}
	} else if path, err := defaultAuditPath(getenv); err == nil {
		audit = &auditFile{path: path}
	}
	model := ui.New(ui.Options{
		Session:  session,
		Audit:    audit,
		Contexts: contextInfos(cfg, target.Name),
		Switch: func(ctx context.Context, name string) (ui.Session, error) {
			c, err := cfg.Find(name)
			if err != nil {
				return ui.Session{}, err
			}
			s, err := connect(ctx, c)
			if err == nil {
				mu.Lock()
				current = s
				mu.Unlock()
			}
			return s, err
		},
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

// readProps gathers -F files and -X items, files first so -X wins.
func readProps(o *options) (*Props, error) {
	var pairs []string
	for _, f := range o.propFiles {
		p, err := ReadPropsFile(f)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, p...)
	}
	pairs = append(pairs, o.props...)
	return ParseProps(pairs)
}

// loadConfig reads --config, or the default file when it exists.
func loadConfig(o *options, getenv func(string) string) (*Config, error) {
	path, explicit := o.config, o.config != ""
	if !explicit {
		p, err := DefaultConfigPath(getenv)
		if err != nil {
			return &Config{}, nil
		}
		path = p
	}
	return LoadConfig(path, explicit, getenv)
}

// pickTarget decides which cluster to open: --demo, -b (with -X), a
// named --context, or the config's current context.
func pickTarget(o *options, cfg *Config, props *Props) (Context, error) {
	brokers := splitBrokers(o.brokers)
	for _, b := range brokers {
		if !strings.Contains(b, ":") {
			return Context{}, fmt.Errorf("broker %q has no port (want host:port)", b)
		}
	}
	named := o.context != ""
	switch {
	case o.demo && (len(brokers) > 0 || named):
		return Context{}, errors.New("--demo excludes -b and --context")
	case o.demo:
		return Context{}, nil
	case len(brokers) > 0 && named:
		return Context{}, errors.New("-b and --context exclude each other")
	}
	var c Context
	switch {
	case len(brokers) > 0:
		c = Context{Name: strings.Join(brokers, ","), Brokers: brokers}
	case named:
		found, err := cfg.Find(o.context)
		if err != nil {
			return Context{}, err
		}
		c = found
	case cfg.Current != "":
		found, err := cfg.Find(cfg.Current)
		if err != nil {
			return Context{}, err
		}
		c = found
	case len(props.Brokers) > 0:
		c = Context{Name: strings.Join(props.Brokers, ","), Brokers: props.Brokers}
	default:
		hint := "use -b host:port, --demo"
		if len(cfg.Contexts) > 0 {
			hint += ", or --context NAME (" + strings.Join(contextNames(cfg), ", ") + ")"
		}
		return Context{}, errors.New("no cluster given: " + hint)
	}
	return props.Apply(c)
}

func contextNames(cfg *Config) []string {
	out := make([]string, len(cfg.Contexts))
	for i, c := range cfg.Contexts {
		out[i] = c.Name
	}
	return out
}

// clientConfig turns a context and the flags into the client's settings;
// the password is read from its source only now.
func clientConfig(c Context, o *options, getenv func(string) string) (kafkaclient.Config, error) {
	kc := kafkaclient.Config{
		Brokers:         c.Brokers,
		ClientID:        cmp.Or(o.clientID, c.ClientID),
		Version:         cmp.Or(o.kafkaVersion, c.KafkaVersion),
		ConnectTimeout:  o.timeout,
		RefreshInterval: o.refresh,
		TLS:             c.TLS,
		ReadOnly:        o.readOnly || c.ReadOnly,
	}
	if c.SASL != nil {
		s, err := c.SASL.Resolve(getenv)
		if err != nil {
			return kafkaclient.Config{}, fmt.Errorf("context %s: %w", c.Name, err)
		}
		kc.SASL = s
	}
	return kc, nil
}

// contextInfos lists the config's contexts for :contexts, current marked.
func contextInfos(cfg *Config, current string) []views.ContextInfo {
	out := make([]views.ContextInfo, len(cfg.Contexts))
	for i, c := range cfg.Contexts {
		ci := views.ContextInfo{Name: c.Name, Brokers: strings.Join(c.Brokers, ","), ReadOnly: c.ReadOnly,
			TLS: c.TLS != nil, Source: c.Source, Current: c.Name == current}
		if c.SASL != nil {
			ci.Auth = c.SASL.Username + "@" + c.SASL.Mechanism
		}
		ci.Insecure = c.TLS != nil && c.TLS.InsecureSkipVerify
		out[i] = ci
	}
	return out
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

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
