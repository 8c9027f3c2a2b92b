// Package config holds what kscope reads and writes in the user's own
// files: the contexts of its config file (or kaf's), kcat-style -X and -F
// properties, where SASL passwords come from and how they are kept out of
// logs, and the audit file of the changes made to clusters.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"kscope/kafkaclient"
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
	// SchemaRegistry nil means records are not decoded with schemas.
	SchemaRegistry *RegistrySource
	// Unusable says why the context cannot be connected to (a mechanism
	// kscope does not speak, a missing password source…); the file's other
	// contexts still can.
	Unusable error
}

// Label is how the UI shows the context, e.g. "staging (ops@SCRAM-SHA-512)".
func (c Context) Label() string {
	if c.SASL == nil || c.SASL.Username == "" {
		return c.Name
	}
	return fmt.Sprintf("%s (%s@%s)", c.Name, c.SASL.Username, c.SASL.Mechanism)
}

// File is the config file: the contexts it names and what in it was ignored.
type File struct {
	Path string
	// Current is the context to use when none is asked for; empty means none.
	Current  string
	Contexts []Context
	// Warnings report what was ignored and where, as file:line:col when known.
	Warnings []string
}

// Find returns the context called name, or an error listing the known ones.
func (f *File) Find(name string) (Context, error) {
	for _, ctx := range f.Contexts {
		if ctx.Name == name && ctx.Unusable != nil {
			return ctx, fmt.Errorf("context %q cannot be used: %w", name, ctx.Unusable)
		}
		if ctx.Name == name {
			return ctx, nil
		}
	}
	if len(f.Contexts) == 0 {
		return Context{}, fmt.Errorf("no context %q: %s defines no contexts", name, f.Path)
	}
	return Context{}, fmt.Errorf("no context %q (known: %s)", name, f.SomeNames())
}

// SomeNames lists the first few contexts' names, for an error message
// that stays readable however many there are.
func (f *File) SomeNames() string {
	const most = 10
	names := f.Names()
	if len(names) <= most {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … and %d more", strings.Join(names[:most], ", "), len(names)-most)
}

// Names lists the contexts' names in the order the file gives them.
func (f *File) Names() []string {
	names := make([]string, len(f.Contexts))
	for i, ctx := range f.Contexts {
		names[i] = ctx.Name
	}
	return names
}

// DefaultPath is $XDG_CONFIG_HOME/kscope/config.yaml, or
// ~/.config/kscope/config.yaml when XDG_CONFIG_HOME is unset or, as the XDG
// spec asks, relative.
func DefaultPath(getenv func(string) string) (string, error) {
	if dir := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "kscope", "config.yaml"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("cannot place the config file: neither XDG_CONFIG_HOME nor HOME is set")
	}
	return filepath.Join(home, ".config", "kscope", "config.yaml"), nil
}

// CheckFiles tells whether the files the context's TLS settings (its
// cluster's and its schema registry's) name can be read, so that a
// missing one is reported before anything connects.
func (c Context) CheckFiles() error {
	type file struct{ what, path string }
	var files []file
	if t := c.TLS; t != nil {
		files = append(files, file{"TLS CA file", t.CAFile}, file{"TLS certificate file", t.CertFile}, file{"TLS key file", t.KeyFile})
	}
	if r := c.SchemaRegistry; r != nil && r.TLS != nil {
		t := r.TLS
		files = append(files, file{"schema registry CA file", t.CAFile}, file{"schema registry certificate file", t.CertFile},
			file{"schema registry key file", t.KeyFile})
	}
	for _, f := range files {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return fmt.Errorf("context %q: %s: %w", c.Name, f.what, err)
		}
	}
	return nil
}
