package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"kscope/kafkaclient"
)

// Load reads the config file at path. explicit says the user named the
// file, so its absence is an error; a missing default file instead yields
// kaf's clusters from ~/.kaf/config, or no contexts at all. getenv gives
// HOME, for ~ in paths and for kaf's file. checkTheme rejects a theme name
// with the error to show: config knows no themes, its caller does.
func Load(path string, explicit bool, getenv func(string) string, checkTheme func(string) error) (*File, error) {
	data, err := readSmall(path)
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
	f := &configFile{path: path, dir: filepath.Dir(path), home: getenv("HOME"), checkTheme: checkTheme}
	cfg := &File{Path: path}
	if len(doc.Content) > 0 {
		if err := f.config(doc.Content[0], cfg); err != nil {
			return nil, err
		}
	}
	cfg.Warnings = f.warnings
	return cfg, nil
}

// maxConfigBytes bounds the config file: a few hundred contexts fit in a
// tenth of it, and a file much larger is most likely not a config file.
const maxConfigBytes = 1 << 20

// readSmall reads path unless it is larger than maxConfigBytes.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("%s is larger than %d MiB: is it the right config file?", path, maxConfigBytes>>20)
	}
	return data, nil
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
	checkTheme      func(string) error
	warnings        []string
}

func (f *configFile) errAt(n *yaml.Node, format string, a ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", f.path, n.Line, n.Column, fmt.Sprintf(format, a...))
}

// field takes the value of the key name (qualified, as in "sasl.username").
type field func(name string, v *yaml.Node) error

// fields hands each key of mapping n to its field. An unknown key stops
// the load: a misspelt safety setting (readonly for readOnly) must never
// be dropped quietly, so the user hears of it before anything connects.
func (f *configFile) fields(n *yaml.Node, what, prefix string, known map[string]field) error {
	if n.Kind != yaml.MappingNode {
		return f.errAt(n, "%s must be a mapping", what)
	}
	seen := map[string]*yaml.Node{}
	var firstErr error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if first, dup := seen[k.Value]; dup {
			return f.errAt(k, "%s%s given twice (first at %d:%d)", prefix, k.Value, first.Line, first.Column)
		}
		seen[k.Value] = k
		fn, ok := known[k.Value]
		if !ok {
			return &unknownKeyError{f.errAt(k, "unknown key %q%s", prefix+k.Value, suggest(k.Value, prefix, known))}
		}
		// A bad value spoils its context but not the reading of the keys
		// after it: an unknown key further on still stops the load, and the
		// context's name is still learnt.
		if err := fn(prefix+k.Value, v); err != nil {
			var unknown *unknownKeyError
			if errors.As(err, &unknown) {
				return err
			}
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	return firstErr
}

// unknownKeyError is a key the config file should not have; it stops the
// whole load, where a bad value only makes its context unusable.
type unknownKeyError struct{ error }

func (e *unknownKeyError) Unwrap() error { return e.error }

// suggest names the known key closest to key: one that differs only in
// case (clientId for clientID, readonly for readOnly), else one within two
// edits (passwrd for password); else it lists the keys known there.
func suggest(key, prefix string, known map[string]field) string {
	names := slices.Sorted(maps.Keys(known))
	best, bestDist := "", 3
	for _, k := range names {
		if strings.EqualFold(k, key) {
			return fmt.Sprintf("; did you mean %q?", prefix+k)
		}
		if d := editDistance(strings.ToLower(k), strings.ToLower(key)); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("; did you mean %q?", prefix+best)
	}
	for i := range names {
		names[i] = prefix + names[i]
	}
	return "; known here: " + strings.Join(names, ", ")
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
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

func (f *configFile) config(root *yaml.Node, cfg *File) error {
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
				if ctx.Unusable != nil {
					f.warnings = append(f.warnings, fmt.Sprintf("context %q cannot be used: %v", ctx.Name, ctx.Unusable))
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
		return f.errAt(current, "currentContext %q names no context (known: %s)", cfg.Current, cfg.SomeNames())
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
		"schemaRegistry": func(_ string, v *yaml.Node) (err error) {
			c.SchemaRegistry, err = f.schemaRegistry(v)
			return err
		},
	})
	var unknown *unknownKeyError
	switch {
	case errors.As(err, &unknown), c.Name == "" && err != nil:
		return c, nil, err
	case c.Name == "":
		return c, nil, f.errAt(n, "context has no name")
	case err != nil:
	case len(c.Brokers) == 0 && brokersNode != nil:
		err = f.errAt(brokersNode, "context %q has no brokers", c.Name)
	case len(c.Brokers) == 0:
		err = f.errAt(n, "context %q has no brokers", c.Name)
	case c.KafkaVersion != "":
		if verr := kafkaclient.CheckVersion(c.KafkaVersion); verr != nil {
			err = f.errAt(versionNode, "kafkaVersion: %v", verr)
		}
	}
	if err == nil && c.Theme != "" {
		if terr := f.checkTheme(c.Theme); terr != nil {
			err = f.errAt(themeNode, "%v", terr)
		}
	}
	// One context's mistake leaves the others usable: it is kept, marked
	// with its reason, and refused only when it is picked.
	c.Unusable = err
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
			if err := CheckBroker(item.Value); err != nil {
				return f.errAt(item, "%v", err)
			}
			*dst = append(*dst, item.Value)
		}
		return nil
	}
}

// CheckBroker tells whether b is a broker address kscope can dial, so one
// that never could be is refused before a connection attempt times out.
func CheckBroker(b string) error {
	host, port, err := net.SplitHostPort(b)
	var addrErr *net.AddrError
	switch {
	case err != nil && errors.As(err, &addrErr) && addrErr.Err == "missing port in address", err == nil && port == "":
		return fmt.Errorf("broker %q has no port (want host:port)", b)
	case err != nil && strings.Count(b, ":") > 1 && !strings.HasPrefix(b, "["):
		return fmt.Errorf("broker %q is not host:port (an IPv6 address goes in brackets: [::1]:9092)", b)
	case err != nil:
		return fmt.Errorf("broker %q is not host:port", b)
	case host == "":
		return fmt.Errorf("broker %q has no host (want host:port)", b)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("broker %q: port %q is not a number from 1 to 65535", b, port)
	}
	return nil
}

func (f *configFile) tls(n *yaml.Node) (*kafkaclient.TLS, error) {
	var enabled bool
	var enabledNode *yaml.Node
	t, err := f.tlsBlock(n, "tls", map[string]field{"enabled": at(&enabledNode, f.boolean(&enabled))})
	switch {
	case err != nil:
		return nil, err
	case !enabled:
		// Settings without enabled look like TLS is on while it is not.
		if enabledNode == nil && *t != (kafkaclient.TLS{}) {
			f.warnings = append(f.warnings, fmt.Sprintf("%s:%d:%d: tls settings ignored: tls.enabled is not true", f.path, n.Line, n.Column))
		}
		return nil, nil
	}
	return t, nil
}

// tlsBlock reads a block of TLS settings named what, with the keys every
// such block has and extra ones, checks that a client certificate comes
// with its key, and reads its files from the config file's directory.
func (f *configFile) tlsBlock(n *yaml.Node, what string, extra map[string]field) (*kafkaclient.TLS, error) {
	t := &kafkaclient.TLS{}
	var certNode, keyNode *yaml.Node
	known := map[string]field{
		"caFile":             f.str(&t.CAFile),
		"certFile":           at(&certNode, f.str(&t.CertFile)),
		"keyFile":            at(&keyNode, f.str(&t.KeyFile)),
		"serverName":         f.str(&t.ServerName),
		"insecureSkipVerify": f.boolean(&t.InsecureSkipVerify),
	}
	maps.Copy(known, extra)
	err := f.fields(n, what, what+".", known)
	switch {
	case err != nil:
		return nil, err
	case t.CertFile != "" && t.KeyFile == "":
		return nil, f.errAt(certNode, "%s.certFile needs %s.keyFile", what, what)
	case t.KeyFile != "" && t.CertFile == "":
		return nil, f.errAt(keyNode, "%s.keyFile needs %s.certFile", what, what)
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
