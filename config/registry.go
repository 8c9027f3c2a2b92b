package config

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"

	"kscope/kafkaclient"
)

// RegistrySource is a context's Schema Registry: where it is and where
// its credentials come from. They are read only when a session opens,
// with the same rules as a SASL password: at most one source each, never
// shown. At most one of the Password* fields and one of the Token*
// fields is set, and not both kinds.
type RegistrySource struct {
	// URLs may hold a user:password (as kcat's -r takes it); Resolve
	// moves it to basic authentication, so no URL shown holds one.
	URLs     []string
	Username string

	Password, PasswordFile, PasswordEnv, PasswordCommand string
	Token, TokenFile, TokenEnv, TokenCommand             string

	TLS *kafkaclient.TLS
}

// Resolve reads the credentials from their sources, within timeout for a
// command. Errors name the source, never a secret.
func (r *RegistrySource) Resolve(getenv func(string) string, timeout time.Duration) (*kafkaclient.RegistryConfig, error) {
	out := &kafkaclient.RegistryConfig{Username: r.Username, TLS: r.TLS, Timeout: kafkaclient.DefaultRegistryTimeout}
	for _, raw := range r.URLs {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, kafkaclient.CheckRegistryURL(raw)
		}
		if u.User != nil {
			if out.Username == "" {
				out.Username = u.User.Username()
			}
			if pw, ok := u.User.Password(); ok && out.Password == "" {
				out.Password = pw
			}
			u.User = nil
		}
		out.URLs = append(out.URLs, u.String())
	}
	var err error
	if r.hasPassword() {
		out.Password, err = secret("schema registry password", r.Password, r.PasswordFile, r.PasswordEnv, r.PasswordCommand, getenv, timeout)
	}
	if err == nil && r.hasToken() {
		out.Token, err = secret("schema registry token", r.Token, r.TokenFile, r.TokenEnv, r.TokenCommand, getenv, timeout)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (r *RegistrySource) hasPassword() bool {
	return r.Password != "" || r.PasswordFile != "" || r.PasswordEnv != "" || r.PasswordCommand != ""
}

func (r *RegistrySource) hasToken() bool {
	return r.Token != "" || r.TokenFile != "" || r.TokenEnv != "" || r.TokenCommand != ""
}

// secret reads a secret from the one source given: as written, a file,
// an environment variable or a command's output.
func secret(what, value, file, env, command string, getenv func(string) string, timeout time.Duration) (string, error) {
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s file: %w", what, err)
		}
		if v := strings.TrimRight(string(b), "\r\n"); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("%s file %s is empty", what, file)
	case env != "":
		if v := getenv(env); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("%s: environment variable %s is not set", what, env)
	case command != "":
		return runPasswordCommand(what, command, timeout)
	}
	return value, nil
}

// schemaRegistry reads a context's schemaRegistry block.
func (f *configFile) schemaRegistry(n *yaml.Node) (*RegistrySource, error) {
	r := &RegistrySource{}
	var one string
	var urlNode *yaml.Node
	var passwords, tokens []passwordSource
	source := func(dst *string, into *[]passwordSource) field {
		return func(name string, v *yaml.Node) error {
			if err := f.str(dst)(name, v); err != nil {
				return err
			}
			if *dst != "" {
				*into = append(*into, passwordSource{name, v})
			}
			return nil
		}
	}
	err := f.fields(n, "schemaRegistry", "schemaRegistry.", map[string]field{
		"url":             at(&urlNode, f.str(&one)),
		"urls":            at(&urlNode, f.urls(&r.URLs)),
		"username":        f.str(&r.Username),
		"password":        source(&r.Password, &passwords),
		"passwordFile":    source(&r.PasswordFile, &passwords),
		"passwordEnv":     source(&r.PasswordEnv, &passwords),
		"passwordCommand": source(&r.PasswordCommand, &passwords),
		"token":           source(&r.Token, &tokens),
		"tokenFile":       source(&r.TokenFile, &tokens),
		"tokenEnv":        source(&r.TokenEnv, &tokens),
		"tokenCommand":    source(&r.TokenCommand, &tokens),
		"tls": func(_ string, v *yaml.Node) (err error) {
			r.TLS, err = f.registryTLS(v)
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	if one != "" {
		r.URLs = append([]string{one}, r.URLs...)
	}
	switch {
	case len(r.URLs) == 0:
		return nil, f.errAt(n, "schemaRegistry needs a url")
	case len(passwords) > 1:
		return nil, f.errAt(passwords[1].node, "%s and %s both give the password; keep one", passwords[0].name, passwords[1].name)
	case len(tokens) > 1:
		return nil, f.errAt(tokens[1].node, "%s and %s both give the token; keep one", tokens[0].name, tokens[1].name)
	case len(tokens) > 0 && (len(passwords) > 0 || r.Username != ""):
		return nil, f.errAt(tokens[0].node, "schemaRegistry takes a username and password or a token, not both")
	case len(passwords) > 0 && r.Username == "":
		return nil, f.errAt(passwords[0].node, "schemaRegistry.%s needs schemaRegistry.username", strings.TrimPrefix(passwords[0].name, "schemaRegistry."))
	}
	for _, u := range r.URLs {
		if err := kafkaclient.CheckRegistryURL(u); err != nil {
			return nil, f.errAt(urlNode, "%v", err)
		}
	}
	if r.PasswordFile != "" {
		r.PasswordFile = f.resolvePath(r.PasswordFile)
	}
	if r.TokenFile != "" {
		r.TokenFile = f.resolvePath(r.TokenFile)
	}
	return r, nil
}

func (f *configFile) urls(dst *[]string) field {
	return func(name string, v *yaml.Node) error {
		if v.Kind != yaml.SequenceNode {
			return f.errAt(v, "%s must be a list of URLs", name)
		}
		for _, item := range v.Content {
			item = deref(item)
			if item.Kind != yaml.ScalarNode || item.ShortTag() == "!!null" {
				return f.errAt(item, "%s must be a list of URLs", name)
			}
			*dst = append(*dst, item.Value)
		}
		return nil
	}
}

// registryTLS reads schemaRegistry.tls: an https URL turns TLS on, so
// unlike a cluster's tls block it has no enabled.
func (f *configFile) registryTLS(n *yaml.Node) (*kafkaclient.TLS, error) {
	return f.tlsBlock(n, "schemaRegistry.tls", nil)
}

// The -X properties of the registry, as Confluent's clients name them.
const (
	propRegistryURL  = "schema.registry.url"
	propRegistryAuth = "schema.registry.basic.auth.user.info"
	propRegistryCA   = "schema.registry.ssl.ca.location"
)

// applyRegistry lays the schema.registry.* properties over c's registry:
// a URL replaces its URLs, user info (user:password) its credentials.
func (p *Props) applyRegistry(c Context) (Context, error) {
	urls, hasURL := p.set[propRegistryURL]
	auth, hasAuth := p.set[propRegistryAuth]
	ca, hasCA := p.set[propRegistryCA]
	if !hasURL && !hasAuth && !hasCA {
		return c, nil
	}
	r := &RegistrySource{}
	if c.SchemaRegistry != nil {
		copied := *c.SchemaRegistry
		r = &copied
	}
	if hasURL {
		r.URLs = splitServers(urls)
	}
	if len(r.URLs) == 0 {
		return Context{}, fmt.Errorf("%s or %s needs %s (or -r URL)", propRegistryAuth, propRegistryCA, propRegistryURL)
	}
	if hasAuth {
		user, pw, _ := strings.Cut(auth, ":")
		*r = RegistrySource{URLs: r.URLs, TLS: r.TLS, Username: user, Password: pw}
	}
	if hasCA {
		t := kafkaclient.TLS{}
		if r.TLS != nil {
			t = *r.TLS
		}
		t.CAFile = ca
		r.TLS = &t
	}
	c.SchemaRegistry = r
	return c, nil
}

// checkRegistryProp checks a schema.registry.* value.
func checkRegistryProp(key, value string) error {
	switch key {
	case propRegistryURL:
		for _, u := range splitServers(value) {
			if err := kafkaclient.CheckRegistryURL(u); err != nil {
				return err
			}
		}
		if len(splitServers(value)) == 0 {
			return fmt.Errorf("%s is empty", key)
		}
	case propRegistryAuth:
		if user, _, ok := strings.Cut(value, ":"); !ok || user == "" {
			return fmt.Errorf("%s wants user:password", key)
		}
	}
	return nil
}
