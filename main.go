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
	"strings"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/IBM/sarama"
	xterm "github.com/charmbracelet/x/term"

	"kscope/config"
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
	tuneGC(os.Getenv, runsDemo(os.Args[1:]))
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// options are the command line's settings: the flags as given, then what
// parseFlags resolves them to once they are checked.
type options struct {
	brokers      string
	demo         bool
	command      string
	theme        string
	timeout      time.Duration
	refresh      time.Duration
	diskRefresh  time.Duration
	kafkaVersion string
	clientID     string
	version      bool
	tailRecords  int
	tailMiB      int
	tailReset    string
	groupsEvery  time.Duration
	groupEvery   time.Duration
	debug        string
	context      string
	config       string
	props        multiFlag
	propFiles    multiFlag
	readOnly     bool
	audit        string
	schemas      schemaOptions

	// start is the view -c opens; topics without it.
	start ui.Command
	// contexts are the config file's (or kaf's); target is the one to open,
	// empty under --demo, whose cluster openSession starts.
	contexts   *config.File
	target     config.Context
	palette    themes.Palette
	themeFixed bool
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
	fs.DurationVar(&o.diskRefresh, "disk-refresh", kafkaclient.DefaultDiskInterval, "how often the brokers' log dirs are read for disk use (0: never)")
	fs.StringVar(&o.kafkaVersion, "kafka-version", "", "Kafka protocol `version` to speak (default: detected from the cluster)")
	fs.StringVar(&o.clientID, "client-id", "", "client `id` sent to the brokers (default kscope)")
	fs.IntVar(&o.tailRecords, "tail-records", views.DefaultTailRecords, "records a tail keeps in memory, at most")
	fs.IntVar(&o.tailMiB, "tail-mib", views.DefaultTailBytes>>20, "MiB of record data a tail keeps in memory, at most")
	fs.StringVar(&o.tailReset, "tail-reset", "earliest", "where a tail restarts when its offset is gone from the log (`earliest` or latest)")
	fs.DurationVar(&o.groupsEvery, "groups-refresh", views.DefaultGroupsEvery, "how often the groups list is refreshed")
	fs.DurationVar(&o.groupEvery, "group-poll", views.DefaultGroupEvery, "how often an open group is observed for its timeline")
	fs.StringVar(&o.context, "context", "", "open the context `NAME` from the config file")
	fs.StringVar(&o.config, "config", "", "read contexts from `PATH` (default $XDG_CONFIG_HOME/kscope/config.yaml)")
	fs.Var(&o.props, "X", "set a librdkafka-style property `key=value` as kcat does (repeatable): security.protocol, sasl.*, ssl.*, client.id, schema.registry.*")
	fs.Var(&o.propFiles, "F", "read -X properties from `FILE` (key=value lines)")
	fs.BoolVar(&o.readOnly, "read-only", false, "refuse every change to the cluster")
	fs.StringVar(&o.audit, "audit", "", "append every change kscope makes to `FILE` (default $XDG_STATE_HOME/kscope/audit.jsonl)")
	fs.StringVar(&o.debug, "debug", "", "append the Kafka client's log to `FILE`, passwords redacted")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	o.defineSchemaFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "kscope — a terminal UI for Apache Kafka\n\nUsage:\n  kscope -b host:port[,host:port...] [-X key=value...] [flags]\n  kscope [--context NAME] [flags]      (contexts from the config file)\n  kscope --demo [flags]\n  kscope demo [--listen 127.0.0.1:9092]\n\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs, o
}

// run is kscope without the process around it, for tests: it returns the
// exit status.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) > 0 && args[0] == "demo" {
		return runDemo(args[1:], stdout, stderr)
	}
	o, code := parseFlags(args, stdout, stderr, getenv)
	if o == nil {
		return code
	}
	// tuneGC could only assume tails of the default size.
	fitMemoryLimit(getenv, o.demo, o.tailRecords, o.tailMiB<<20)
	// In a terminal the connecting screen shows what is tried; elsewhere
	// (a script, a test) kscope connects first and fails with exit 1.
	s, code := openSession(o, stderr, getenv, !isTerminal(stdout))
	if s == nil {
		return code
	}
	defer s.close()
	return runProgram(o, s, stderr, getenv)
}

// parseFlags reads and checks the command line, the -F files and the config
// file. A nil result means kscope is done (help, version, or a mistake
// already reported on stderr) with the exit status returned.
func parseFlags(args []string, stdout, stderr io.Writer, getenv func(string) string) (*options, int) {
	fs, o := flags(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, exitOK
		}
		return nil, exitUsage
	}
	if o.version {
		fmt.Fprintln(stdout, "kscope", version)
		return nil, exitOK
	}
	if fs.NArg() > 0 {
		return nil, usage(stderr, "unexpected argument %q", fs.Arg(0))
	}
	if err := o.check(); err != nil {
		return nil, usage(stderr, "%v", err)
	}
	props, err := readProps(o)
	if err != nil {
		return nil, usage(stderr, "%v", err)
	}
	if o.contexts, err = loadConfig(o, getenv); err != nil {
		// The error points into the config file, which --help cannot fix.
		fmt.Fprintf(stderr, "kscope: %v\n", err)
		return nil, exitUsage
	}
	if o.target, err = pickTarget(o, props); err != nil {
		return nil, usage(stderr, "%v", err)
	}
	o.palette, o.themeFixed, err = pickTheme(cmp.Or(o.theme, o.target.Theme), getenv("NO_COLOR") != "")
	if err != nil {
		return nil, usage(stderr, "%v", err)
	}
	return o, exitOK
}

// usage reports a mistake on the command line.
func usage(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "kscope: "+format+"\n", a...)
	fmt.Fprintln(stderr, "Run 'kscope --help' for usage.")
	return exitUsage
}

// check rejects flag values kscope cannot work with, then reads -c.
func (o *options) check() error {
	switch {
	case o.timeout <= 0:
		return errors.New("--timeout must be positive")
	case o.refresh < 500*time.Millisecond:
		return errors.New("--refresh must be at least 500ms")
	case o.diskRefresh != 0 && o.diskRefresh < 5*time.Second:
		return errors.New("--disk-refresh must be 0 (never) or at least 5s")
	case o.tailRecords < 1:
		return errors.New("--tail-records must be at least 1")
	case o.tailMiB < 1:
		return errors.New("--tail-mib must be at least 1")
	case o.tailReset != "earliest" && o.tailReset != "latest":
		return fmt.Errorf("--tail-reset %q: want earliest or latest", o.tailReset)
	case o.groupsEvery < time.Second:
		return errors.New("--groups-refresh must be at least 1s")
	case o.groupEvery < 100*time.Millisecond:
		return errors.New("--group-poll must be at least 100ms")
	}
	if o.kafkaVersion != "" {
		if err := kafkaclient.CheckVersion(o.kafkaVersion); err != nil {
			return fmt.Errorf("--kafka-version: %w", err)
		}
	}
	o.start = ui.Command{Name: "topics"}
	if o.command != "" {
		c, err := ui.ParseCommand(o.command)
		if err != nil {
			return fmt.Errorf("-c: %w", err)
		}
		o.start = c
	}
	return nil
}

// session is the cluster kscope shows and what has to be closed with it.
type session struct {
	opts    *options
	getenv  func(string) string
	secrets *config.Redactor
	// target is the context first opened: under --demo, the demo cluster.
	target config.Context
	// first is the session the UI starts on.
	first ui.Session
	// mu guards current, the last session opened: a switch happens in a
	// Cmd's goroutine, and only current is closed on the way out.
	mu          sync.Mutex
	current     ui.Session
	demoCluster *demo.Cluster
	debugLog    *os.File
}

// openSession opens the debug log, starts the demo cluster under --demo
// and connects. A nil result means kscope is done with the exit status
// returned: a debug log it cannot open is a usage error, a cluster that
// does not answer a failure.
func openSession(o *options, stderr io.Writer, getenv func(string) string, connectNow bool) (*session, int) {
	s := &session{opts: o, getenv: getenv, target: o.target, secrets: config.NewRedactor(io.Discard)}
	if o.debug != "" {
		f, err := os.OpenFile(o.debug, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, usage(stderr, "--debug: %v", err)
		}
		s.debugLog, s.secrets = f, config.NewRedactor(f)
		// sarama's logger is process-wide; kscope owns the process.
		sarama.Logger = log.New(s.secrets, "sarama ", log.LstdFlags|log.Lmicroseconds)
	}
	ctx := context.Background()
	if o.demo {
		cluster, err := demo.Start(ctx, demo.Options{})
		if err != nil {
			s.close()
			fmt.Fprintf(stderr, "kscope: demo cluster: %v\n", err)
			return nil, exitFailure
		}
		s.demoCluster = cluster
		s.target = config.Context{Name: "demo " + cluster.Addrs()[0], Brokers: cluster.Addrs(), SchemaRegistry: &config.RegistrySource{URLs: []string{cluster.RegistryURL()}}}
	}
	if !connectNow {
		return s, exitOK
	}
	first, err := s.connect(ctx, s.target)
	if err != nil {
		s.close()
		fmt.Fprintf(stderr, "kscope: %v\n", err)
		return nil, exitFailure
	}
	s.first, s.current = first, first
	return s, exitOK
}

// connectFirst starts opening the first session now, while the program
// sets up the terminal, and returns what the connecting screen waits on:
// the answer, or its own context's end, which abandons the connecting.
func (s *session) connectFirst() func(context.Context) (ui.Session, error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var first ui.Session
	var err error
	go func() {
		defer close(done)
		defer cancel()
		if first, err = s.connect(ctx, s.target); err == nil {
			s.mu.Lock()
			s.current = first
			s.mu.Unlock()
		}
	}()
	return func(wait context.Context) (ui.Session, error) {
		select {
		case <-done:
		case <-wait.Done():
			cancel()
			<-done
		}
		return first, err
	}
}

// connect opens a session on c. Its password is read only now, and from
// now on the debug log hides it.
func (s *session) connect(ctx context.Context, c config.Context) (ui.Session, error) {
	kc, err := clientConfig(c, s.opts, s.getenv)
	if err != nil {
		return ui.Session{}, err
	}
	if kc.SASL != nil {
		s.secrets.Add(kc.SASL.Password)
	}
	client, err := kafkaclient.Connect(ctx, kc)
	if err != nil {
		return ui.Session{}, err
	}
	return s.withRegistry(c, ui.Session{Events: client.Events(), Client: views.ClientOf(client), Label: c.Label(), ReadOnly: kc.ReadOnly,
		Insecure: kc.TLS != nil && kc.TLS.InsecureSkipVerify, Close: client.Close})
}

// switchTo connects to the context called name, for :contexts.
func (s *session) switchTo(ctx context.Context, name string) (ui.Session, error) {
	c, err := s.opts.contexts.Find(name)
	if err != nil {
		return ui.Session{}, err
	}
	next, err := s.connect(ctx, c)
	if err == nil {
		s.mu.Lock()
		s.current = next
		s.mu.Unlock()
	}
	return next, err
}

// close ends the session open now, then the demo cluster it may be on,
// then the debug log that may still be written to until then.
func (s *session) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current.Close != nil {
		s.current.Close()
	}
	if s.demoCluster != nil {
		s.demoCluster.Close()
	}
	if s.debugLog != nil {
		s.debugLog.Close()
	}
}

// runProgram builds the root model on the open session and runs it until
// the user quits.
func runProgram(o *options, s *session, stderr io.Writer, getenv func(string) string) int {
	var audit views.Audit
	if path := o.audit; path != "" {
		audit = config.NewAuditFile(path)
	} else if path, err := config.DefaultAuditPath(getenv); err == nil {
		audit = config.NewAuditFile(path)
	}
	var connect func(context.Context) (ui.Session, error)
	if s.first.Client == (views.Client{}) {
		connect = s.connectFirst()
	}
	model := ui.New(ui.Options{
		Session:    s.first,
		Connect:    connect,
		Target:     s.target.Label(),
		Brokers:    s.target.Brokers,
		Audit:      audit,
		Contexts:   contextInfos(o.contexts, s.target.Name),
		Switch:     s.switchTo,
		Theme:      o.palette,
		ThemeFixed: o.themeFixed,
		Start:      o.start,
		Warnings:   o.contexts.Warnings,
		History:    config.DefaultCommandHistory(getenv),

		TailRecords: o.tailRecords,
		TailBytes:   o.tailMiB << 20,
		TailReset:   map[string]kafkaclient.OutOfRange{"earliest": kafkaclient.OutOfRangeEarliest, "latest": kafkaclient.OutOfRangeLatest}[o.tailReset],
		GroupsEvery: o.groupsEvery,
		DiskOff:     o.diskRefresh == 0,
		GroupEvery:  o.groupEvery,
	})
	// The profile lipgloss detected on loading: detecting again runs `tmux
	// info` under tmux. Frames go out at the renderer's ticks; at 120 a
	// second a frame waits half as long as at the default 60.
	if _, err := s.runTea(model, tea.WithColorProfile(lipgloss.Writer.Profile), tea.WithFPS(120)); err != nil {
		fmt.Fprintf(stderr, "kscope: %v\n", err)
		return exitFailure
	}
	if err := model.ConnectErr(); err != nil {
		fmt.Fprintf(stderr, "kscope: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && xterm.IsTerminal(f.Fd())
}

// readProps gathers -F files and -X items, files first so -X wins.
func readProps(o *options) (*config.Props, error) {
	var pairs []string
	for _, f := range o.propFiles {
		p, err := config.ReadPropsFile(f)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, p...)
	}
	pairs = append(pairs, o.props...)
	return config.ParseProps(pairs)
}

// loadConfig reads --config, or the default file when it exists.
func loadConfig(o *options, getenv func(string) string) (*config.File, error) {
	path, explicit := o.config, o.config != ""
	if !explicit {
		p, err := config.DefaultPath(getenv)
		if err != nil {
			return &config.File{}, nil
		}
		path = p
	}
	return config.Load(path, explicit, getenv, checkTheme)
}

// checkTheme rejects a context's theme that is not built in.
func checkTheme(name string) error {
	_, err := themes.Builtin(name)
	return err
}

// pickTarget decides which cluster to open: --demo, -b (with -X), a
// named --context, or the config's current context.
func pickTarget(o *options, props *config.Props) (config.Context, error) {
	cfg := o.contexts
	brokers := splitBrokers(o.brokers)
	for _, b := range brokers {
		if err := config.CheckBroker(b); err != nil {
			return config.Context{}, err
		}
	}
	named := o.context != ""
	switch {
	case o.demo && (len(brokers) > 0 || named):
		return config.Context{}, errors.New("--demo excludes -b and --context")
	case o.demo:
		return config.Context{}, nil
	case len(brokers) > 0 && named:
		return config.Context{}, errors.New("-b and --context exclude each other")
	}
	var c config.Context
	switch {
	case len(brokers) > 0:
		c = config.Context{Name: strings.Join(brokers, ","), Brokers: brokers}
	case named:
		found, err := cfg.Find(o.context)
		if err != nil {
			return config.Context{}, err
		}
		c = found
	case cfg.Current != "":
		found, err := cfg.Find(cfg.Current)
		if err != nil {
			return config.Context{}, err
		}
		c = found
	case len(props.Brokers) > 0:
		c = config.Context{Name: strings.Join(props.Brokers, ","), Brokers: props.Brokers}
	default:
		hint := "use -b host:port, --demo"
		if len(cfg.Contexts) > 0 {
			hint += ", or --context NAME (" + cfg.SomeNames() + ")"
		}
		return config.Context{}, errors.New("no cluster given: " + hint)
	}
	c, err := props.Apply(c)
	if err != nil {
		return c, err
	}
	return c, c.CheckFiles()
}

// clientConfig turns a context and the flags into the client's settings;
// the password is read from its source only now.
func clientConfig(c config.Context, o *options, getenv func(string) string) (kafkaclient.Config, error) {
	kc := kafkaclient.Config{
		Brokers:         c.Brokers,
		ClientID:        cmp.Or(o.clientID, c.ClientID),
		Version:         cmp.Or(o.kafkaVersion, c.KafkaVersion),
		ConnectTimeout:  o.timeout,
		RefreshInterval: o.refresh,
		// --disk-refresh 0 turns the reads off: a negative interval.
		DiskInterval:   cmp.Or(o.diskRefresh, -1),
		HealthInterval: kafkaclient.DefaultHealthInterval,
		TLS:            c.TLS,
		ReadOnly:       o.readOnly || c.ReadOnly,
	}
	if c.SASL != nil {
		s, err := c.SASL.Resolve(getenv, o.timeout)
		if err != nil {
			return kafkaclient.Config{}, fmt.Errorf("context %s: %w", c.Name, err)
		}
		kc.SASL = s
	}
	return kc, nil
}

// contextInfos lists the config's contexts for :contexts, current marked.
func contextInfos(cfg *config.File, current string) []views.ContextInfo {
	out := make([]views.ContextInfo, len(cfg.Contexts))
	for i, c := range cfg.Contexts {
		ci := views.ContextInfo{Name: c.Name, Brokers: strings.Join(c.Brokers, ","), ReadOnly: c.ReadOnly,
			TLS: c.TLS != nil, Source: c.Source, Current: c.Name == current}
		if c.SASL != nil {
			ci.Auth = c.SASL.Username + "@" + c.SASL.Mechanism
		}
		ci.Insecure = c.TLS != nil && c.TLS.InsecureSkipVerify
		if c.Unusable != nil {
			ci.Unusable = c.Unusable.Error()
		}
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
	fmt.Fprintf(stdout, "demo cluster running; bootstrap: %s; schema registry: %s\n", bootstrap, cluster.RegistryURL())
	fmt.Fprintf(stdout, "  kscope -b %s -r %s\n  kcat -b %s -L\nctrl+c stops it.\n", bootstrap, cluster.RegistryURL(), bootstrap)
	<-ctx.Done()
	return exitOK
}
