package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"go.yaml.in/yaml/v4"

	"kscope/kafkaclient"
	"kscope/themes"
)

// Context is one named cluster from the config file (or imported from kaf).
type Context struct {
	Name string
	// Source is the file the context came from.
	Source   string
	Brokers  []string
	ClientID string
	// KafkaVersion empty means the version is detected from the cluster.
	KafkaVersion string
	Theme        string
	ReadOnly     bool
	// SASL nil means no authentication.
	SASL *SASLSource
	// TLS nil means plaintext connections.
	TLS *kafkaclient.TLS
}

// SASLSource says where a password comes from; Resolve reads it only when a
// connection needs it, so a password store is not asked for contexts never used.
// At most one of Password, PasswordFile, PasswordEnv and PasswordCommand is set.
type SASLSource struct {
	Mechanism, Username                                  string
	Password, PasswordFile, PasswordEnv, PasswordCommand string
}

// passwordCommandTimeout bounds a passwordCommand: one waiting on a locked
// password store or a prompt nobody sees must not hang kscope.
var passwordCommandTimeout = 10 * time.Second

// Resolve fetches the password from its source. Errors name the source (the
// file, the variable, the command) but never a password or a command's stdout.
func (s *SASLSource) Resolve(getenv func(string) string) (*kafkaclient.SASL, error) {
	out := &kafkaclient.SASL{Mechanism: s.Mechanism, Username: s.Username, Password: s.Password}
	switch {
	case s.PasswordFile != "":
		b, err := os.ReadFile(s.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("SASL password file: %w", err)
		}
		out.Password = strings.TrimRight(string(b), "\r\n")
		if out.Password == "" {
			return nil, fmt.Errorf("SASL password file %s is empty", s.PasswordFile)
		}
	case s.PasswordEnv != "":
		out.Password = getenv(s.PasswordEnv)
		if out.Password == "" {
			return nil, fmt.Errorf("SASL password: environment variable %s is not set", s.PasswordEnv)
		}
	case s.PasswordCommand != "":
		pw, err := runPasswordCommand(s.PasswordCommand)
		if err != nil {
			return nil, err
		}
		out.Password = pw
	}
	return out, nil
}

// runPasswordCommand runs command with sh and returns what it printed. Its
// stdout is the secret, so only its stderr may explain a failure.
func runPasswordCommand(command string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), passwordCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A child the shell started can keep the pipes open after the shell is killed.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("SASL password command %q: no answer within %s", command, passwordCommandTimeout)
	case err != nil:
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("SASL password command %q: %v: %s", command, err, msg)
		}
		return "", fmt.Errorf("SASL password command %q: %v", command, err)
	}
	pw := strings.TrimRight(stdout.String(), "\r\n")
	if pw == "" {
		return "", fmt.Errorf("SASL password command %q printed nothing", command)
	}
	return pw, nil
}

// Label is how the UI shows the context, e.g. "staging (ops@SCRAM-SHA-512)".
func (c Context) Label() string {
	if c.SASL == nil || c.SASL.Username == "" {
		return c.Name
	}
	return fmt.Sprintf("%s (%s@%s)", c.Name, c.SASL.Username, c.SASL.Mechanism)
}

// Config is the config file: the contexts it names and what in it was ignored.
type Config struct {
	Path string
	// Current is the context to use when none is asked for; empty means none.
	Current  string
	Contexts []Context
	// Warnings report what was ignored and where, as file:line:col when known.
	Warnings []string
}

// Find returns the context called name, or an error listing the known ones.
func (c *Config) Find(name string) (Context, error) {
	for _, ctx := range c.Contexts {
		if ctx.Name == name {
			return ctx, nil
		}
	}
	if len(c.Contexts) == 0 {
		return Context{}, fmt.Errorf("no context %q: %s defines no contexts", name, c.Path)
	}
	return Context{}, fmt.Errorf("no context %q (known: %s)", name, strings.Join(c.names(), ", "))
}

func (c *Config) names() []string {
	names := make([]string, len(c.Contexts))
	for i, ctx := range c.Contexts {
		names[i] = ctx.Name
	}
	return names
}

// DefaultConfigPath is $XDG_CONFIG_HOME/kscope/config.yaml, or
// ~/.config/kscope/config.yaml when XDG_CONFIG_HOME is unset or, as the XDG
// spec asks, relative.
func DefaultConfigPath(getenv func(string) string) (string, error) {
	if dir := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "kscope", "config.yaml"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("cannot place the config file: neither XDG_CONFIG_HOME nor HOME is set")
	}
	return filepath.Join(home, ".config", "kscope", "config.yaml"), nil
}

// LoadConfig reads the config file at path. explicit says the user named
// the file, so its absence is an error; a missing default file instead
// yields kaf's clusters from ~/.kaf/config, or no contexts at all.
func LoadConfig(path string, explicit bool, getenv func(string) string) (*Config, error) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && explicit:
		return nil, fmt.Errorf("config file %s does not exist", path)
	case errors.Is(err, fs.ErrNotExist):
		return importKaf(path, getenv("HOME")), nil
	case err != nil:
		return nil, fmt.Errorf("reading config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(path, err)
	}
	f := &configFile{path: path, dir: filepath.Dir(path), home: getenv("HOME")}
	cfg := &Config{Path: path}
	if len(doc.Content) > 0 {
		if err := f.config(doc.Content[0], cfg); err != nil {
			return nil, err
		}
	}
	cfg.Warnings = f.warnings
	return cfg, nil
}

// yamlError puts the parser's position in front of its complaint, the way
// compilers do, so editors can jump to it.
func yamlError(path string, err error) error {
	var le *yaml.LoadError
	if !errors.As(err, &le) || le.Mark.Line == 0 {
		return fmt.Errorf("%s: %w", path, err)
	}
	msg := le.Message
	if le.ContextMsg != "" && le.ContextMark != le.Mark {
		msg += fmt.Sprintf(" (%s that starts at %d:%d)", le.ContextMsg, le.ContextMark.Line, le.ContextMark.Column)
	}
	return fmt.Errorf("%s:%d:%d: %s", path, le.Mark.Line, le.Mark.Column, msg)
}

// configFile walks one parsed config file, keeping positions for its errors.
type configFile struct {
	path, dir, home string
	warnings        []string
}

func (f *configFile) errAt(n *yaml.Node, format string, a ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", f.path, n.Line, n.Column, fmt.Sprintf(format, a...))
}

// field takes the value of the key name (qualified, as in "sasl.username").
type field func(name string, v *yaml.Node) error

// fields hands each key of mapping n to its field. An unknown key is only a
// warning, so a config written for a newer kscope still loads, but a typo
// does not go unnoticed.
func (f *configFile) fields(n *yaml.Node, what, prefix string, known map[string]field) error {
	if n.Kind != yaml.MappingNode {
		return f.errAt(n, "%s must be a mapping", what)
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if first, dup := seen[k.Value]; dup {
			return f.errAt(k, "%s%s given twice (first at %d:%d)", prefix, k.Value, first.Line, first.Column)
		}
		seen[k.Value] = k
		fn, ok := known[k.Value]
		if !ok {
			f.warnings = append(f.warnings, fmt.Sprintf("%s:%d:%d: unknown key %q (ignored%s)",
				f.path, k.Line, k.Column, prefix+k.Value, suggest(k.Value, prefix, known)))
			continue
		}
		if err := fn(prefix+k.Value, v); err != nil {
			return err
		}
	}
	return nil
}

// suggest names the known key that key differs from only in case, the
// likeliest slip with camelCase keys (clientId for clientID).
func suggest(key, prefix string, known map[string]field) string {
	for k := range known {
		if strings.EqualFold(k, key) {
			return fmt.Sprintf("; did you mean %q?", prefix+k)
		}
	}
	return ""
}

// deref follows YAML aliases, so an anchored block can be shared between contexts.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func (f *configFile) str(dst *string) field {
	return func(name string, v *yaml.Node) error {
		if v.Kind != yaml.ScalarNode {
			return f.errAt(v, "%s must be a string", name)
		}
		if v.ShortTag() != "!!null" {
			*dst = v.Value
		}
		return nil
	}
}

func (f *configFile) boolean(dst *bool) field {
	return func(name string, v *yaml.Node) error {
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
			return f.errAt(v, "%s must be true or false", name)
		}
		return v.Decode(dst)
	}
}

// at wraps fn to also record where its value is, for checks made once the
// whole mapping is read.
func at(pos **yaml.Node, fn field) field {
	return func(name string, v *yaml.Node) error {
		*pos = v
		return fn(name, v)
	}
}

func (f *configFile) config(root *yaml.Node, cfg *Config) error {
	var current *yaml.Node
	names := map[string]*yaml.Node{}
	err := f.fields(root, "the config", "", map[string]field{
		"currentContext": at(&current, f.str(&cfg.Current)),
		"contexts": func(_ string, v *yaml.Node) error {
			if v.ShortTag() == "!!null" {
				return nil
			}
			if v.Kind != yaml.SequenceNode {
				return f.errAt(v, "contexts must be a list of contexts")
			}
			for _, item := range v.Content {
				ctx, nameNode, err := f.context(deref(item))
				if err != nil {
					return err
				}
				if first, dup := names[ctx.Name]; dup {
					return f.errAt(nameNode, "context %q defined twice (first at %d:%d)", ctx.Name, first.Line, first.Column)
				}
				names[ctx.Name] = nameNode
				cfg.Contexts = append(cfg.Contexts, ctx)
			}
			return nil
		},
	})
	if err != nil {
		return err
	}
	if cfg.Current != "" && names[cfg.Current] == nil {
		if len(cfg.Contexts) == 0 {
			return f.errAt(current, "currentContext %q names no context: there are none", cfg.Current)
		}
		return f.errAt(current, "currentContext %q names no context (known: %s)", cfg.Current, strings.Join(cfg.names(), ", "))
	}
	return nil
}

// context reads one entry of contexts; it also returns where the name is,
// for the duplicate check.
func (f *configFile) context(n *yaml.Node) (Context, *yaml.Node, error) {
	c := Context{Source: f.path}
	var nameNode, brokersNode, versionNode, themeNode *yaml.Node
	err := f.fields(n, "a context", "", map[string]field{
		"name":         at(&nameNode, f.str(&c.Name)),
		"brokers":      at(&brokersNode, f.brokers(&c.Brokers)),
		"clientID":     f.str(&c.ClientID),
		"kafkaVersion": at(&versionNode, f.str(&c.KafkaVersion)),
		"readOnly":     f.boolean(&c.ReadOnly),
		"theme":        at(&themeNode, f.str(&c.Theme)),
		"sasl": func(_ string, v *yaml.Node) (err error) {
			c.SASL, err = f.sasl(v)
			return err
		},
		"tls": func(_ string, v *yaml.Node) (err error) {
			c.TLS, err = f.tls(v)
			return err
		},
	})
	switch {
	case err != nil:
		return c, nil, err
	case c.Name == "":
		return c, nil, f.errAt(n, "context has no name")
	case len(c.Brokers) == 0 && brokersNode != nil:
		return c, nil, f.errAt(brokersNode, "context %q has no brokers", c.Name)
	case len(c.Brokers) == 0:
		return c, nil, f.errAt(n, "context %q has no brokers", c.Name)
	}
	if c.KafkaVersion != "" {
		if _, err := sarama.ParseKafkaVersion(c.KafkaVersion); err != nil {
			return c, nil, f.errAt(versionNode, "kafkaVersion %q is not a Kafka version (want e.g. 3.6.0)", c.KafkaVersion)
		}
	}
	if c.Theme != "" {
		if _, err := themes.Builtin(c.Theme); err != nil {
			return c, nil, f.errAt(themeNode, "%v", err)
		}
	}
	return c, nameNode, nil
}

func (f *configFile) brokers(dst *[]string) field {
	return func(name string, v *yaml.Node) error {
		if v.Kind != yaml.SequenceNode {
			return f.errAt(v, "%s must be a list of host:port", name)
		}
		for _, item := range v.Content {
			item = deref(item)
			if item.Kind != yaml.ScalarNode || item.ShortTag() == "!!null" {
				return f.errAt(item, "%s must be a list of host:port", name)
			}
			if err := checkBroker(item.Value); err != nil {
				return f.errAt(item, "%v", err)
			}
			*dst = append(*dst, item.Value)
		}
		return nil
	}
}

// checkBroker catches a broker that could never be dialled before a
// connection attempt times out on it.
func checkBroker(b string) error {
	_, port, err := net.SplitHostPort(b)
	if err != nil || port == "" {
		return fmt.Errorf("broker %q has no port (want host:port)", b)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("broker %q: port %q is not a number from 1 to 65535", b, port)
	}
	return nil
}

// saslMechanisms are the mechanisms kafkaclient speaks.
var saslMechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}

// saslMechanism normalises name to its canonical spelling; empty means
// PLAIN, as librdkafka has it.
func saslMechanism(name string) (string, error) {
	if name == "" {
		return "PLAIN", nil
	}
	if m := strings.ToUpper(name); slices.Contains(saslMechanisms, m) {
		return m, nil
	}
	return "", fmt.Errorf("unknown SASL mechanism %q (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", name)
}

// passwordSource is one way a sasl block gives its password.
type passwordSource struct {
	name string
	node *yaml.Node
}

func (f *configFile) sasl(n *yaml.Node) (*SASLSource, error) {
	s := &SASLSource{}
	var mechNode *yaml.Node
	var sources []passwordSource
	source := func(dst *string) field {
		return func(name string, v *yaml.Node) error {
			if err := f.str(dst)(name, v); err != nil {
				return err
			}
			if *dst != "" {
				sources = append(sources, passwordSource{name, v})
			}
			return nil
		}
	}
	err := f.fields(n, "sasl", "sasl.", map[string]field{
		"mechanism":       at(&mechNode, f.str(&s.Mechanism)),
		"username":        f.str(&s.Username),
		"password":        source(&s.Password),
		"passwordFile":    source(&s.PasswordFile),
		"passwordEnv":     source(&s.PasswordEnv),
		"passwordCommand": source(&s.PasswordCommand),
	})
	if err != nil {
		return nil, err
	}
	if s.Mechanism, err = saslMechanism(s.Mechanism); err != nil {
		return nil, f.errAt(mechNode, "%v", err)
	}
	switch {
	case s.Username == "":
		return nil, f.errAt(n, "sasl needs a username")
	case len(sources) == 0:
		return nil, f.errAt(n, "sasl needs a password: one of password, passwordFile, passwordEnv or passwordCommand")
	case len(sources) > 1:
		return nil, f.errAt(sources[1].node, "%s and %s both give the password; keep one", sources[0].name, sources[1].name)
	}
	if s.PasswordFile != "" {
		s.PasswordFile = f.resolvePath(s.PasswordFile)
	}
	return s, nil
}

func (f *configFile) tls(n *yaml.Node) (*kafkaclient.TLS, error) {
	t := &kafkaclient.TLS{}
	var enabled bool
	var enabledNode, certNode, keyNode *yaml.Node
	err := f.fields(n, "tls", "tls.", map[string]field{
		"enabled":            at(&enabledNode, f.boolean(&enabled)),
		"caFile":             f.str(&t.CAFile),
		"certFile":           at(&certNode, f.str(&t.CertFile)),
		"keyFile":            at(&keyNode, f.str(&t.KeyFile)),
		"serverName":         f.str(&t.ServerName),
		"insecureSkipVerify": f.boolean(&t.InsecureSkipVerify),
	})
	switch {
	case err != nil:
		return nil, err
	case t.CertFile != "" && t.KeyFile == "":
		return nil, f.errAt(certNode, "tls.certFile needs tls.keyFile")
	case t.KeyFile != "" && t.CertFile == "":
		return nil, f.errAt(keyNode, "tls.keyFile needs tls.certFile")
	case !enabled:
		// Settings without enabled look like TLS is on while it is not.
		if enabledNode == nil && *t != (kafkaclient.TLS{}) {
			f.warnings = append(f.warnings, fmt.Sprintf("%s:%d:%d: tls settings ignored: tls.enabled is not true", f.path, n.Line, n.Column))
		}
		return nil, nil
	}
	for _, p := range []*string{&t.CAFile, &t.CertFile, &t.KeyFile} {
		if *p != "" {
			*p = f.resolvePath(*p)
		}
	}
	return t, nil
}

// resolvePath expands a leading ~ and reads a relative path from the config
// file's directory, so the file means the same wherever kscope is started.
func (f *configFile) resolvePath(p string) string {
	if f.home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		return filepath.Join(f.home, p[1:])
	}
	if filepath.IsAbs(p) || strings.HasPrefix(p, "~") {
		return p
	}
	return filepath.Join(f.dir, p)
}

// kafConfig is the part of kaf's ~/.kaf/config that maps onto a Context.
type kafConfig struct {
	CurrentCluster string `yaml:"current-cluster"`
	Clusters       []struct {
		Name    string   `yaml:"name"`
		Version string   `yaml:"version"`
		Brokers []string `yaml:"brokers"`
		SASL    *struct {
			Mechanism string `yaml:"mechanism"`
			Username  string `yaml:"username"`
			Password  string `yaml:"password"`
		} `yaml:"SASL"`
		TLS *struct {
			CAFile   string `yaml:"cafile"`
			CertFile string `yaml:"clientfile"`
			KeyFile  string `yaml:"clientkeyfile"`
			Insecure bool   `yaml:"insecure"`
		} `yaml:"TLS"`
		SecurityProtocol string `yaml:"security-protocol"`
	} `yaml:"clusters"`
}

// importKaf offers kaf's clusters to someone who has no kscope config yet.
// A kaf config kscope cannot read is only a warning: the user did not ask
// for it, and -b still works.
func importKaf(path, home string) *Config {
	cfg := &Config{Path: path}
	if home == "" {
		return cfg
	}
	kafPath := filepath.Join(home, ".kaf", "config")
	data, err := os.ReadFile(kafPath)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg
	}
	warn := func(format string, a ...any) {
		cfg.Warnings = append(cfg.Warnings, fmt.Sprintf(format, a...))
	}
	if err != nil {
		warn("kaf clusters not imported: %v", err)
		return cfg
	}
	var kc kafConfig
	if err := yaml.Unmarshal(data, &kc); err != nil {
		warn("kaf clusters not imported: %v", yamlError(kafPath, err))
		return cfg
	}
	for _, c := range kc.Clusters {
		if c.Name == "" {
			warn("%s: a kaf cluster has no name (not imported)", kafPath)
			continue
		}
		if len(c.Brokers) == 0 {
			warn("%s: kaf cluster %q has no brokers (not imported)", kafPath, c.Name)
			continue
		}
		ctx := Context{Name: c.Name, Source: kafPath, Brokers: c.Brokers, KafkaVersion: c.Version}
		// kaf turns TLS on for a TLS block as well as for the protocol.
		proto := strings.ToUpper(c.SecurityProtocol)
		if c.TLS != nil || proto == "SSL" || proto == "SASL_SSL" {
			ctx.TLS = &kafkaclient.TLS{}
			if c.TLS != nil {
				*ctx.TLS = kafkaclient.TLS{CAFile: c.TLS.CAFile, CertFile: c.TLS.CertFile, KeyFile: c.TLS.KeyFile, InsecureSkipVerify: c.TLS.Insecure}
			}
		}
		// Newer kaf uses a SASL block whatever the protocol, older kaf only
		// for SASL_*; an explicit non-SASL protocol is the one case both skip it.
		if c.SASL != nil && proto != "PLAINTEXT" && proto != "SSL" {
			mech, err := saslMechanism(c.SASL.Mechanism)
			if err != nil {
				warn("%s: kaf cluster %q: %v (not imported)", kafPath, c.Name, err)
				continue
			}
			ctx.SASL = &SASLSource{Mechanism: mech, Username: c.SASL.Username, Password: c.SASL.Password}
		}
		cfg.Contexts = append(cfg.Contexts, ctx)
	}
	if slices.Contains(cfg.names(), kc.CurrentCluster) {
		cfg.Current = kc.CurrentCluster
	}
	return cfg
}
