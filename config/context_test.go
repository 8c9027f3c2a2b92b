package config

import (
	"strings"
	"testing"
)

func TestLabelHidesPassword(t *testing.T) {
	for _, tc := range []struct {
		ctx  Context
		want string
	}{
		{Context{Name: "staging", SASL: &SASLSource{Mechanism: "SCRAM-SHA-512", Username: "ops", Password: "hunter2"}}, "staging (ops@SCRAM-SHA-512)"},
		{Context{Name: "dev", SASL: &SASLSource{Mechanism: "PLAIN", Username: "me", PasswordCommand: "printf hunter2"}}, "dev (me@PLAIN)"},
		{Context{Name: "local"}, "local"},
	} {
		if got := tc.ctx.Label(); got != tc.want || strings.Contains(got, "hunter2") {
			t.Errorf("Label() = %q, want %q", got, tc.want)
		}
	}
}

func TestDefaultPath(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{"XDG_CONFIG_HOME", map[string]string{"XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u"}, "/xdg/kscope/config.yaml", false},
		{"relative XDG_CONFIG_HOME is ignored", map[string]string{"XDG_CONFIG_HOME": "xdg", "HOME": "/home/u"}, "/home/u/.config/kscope/config.yaml", false},
		{"HOME", map[string]string{"HOME": "/home/u"}, "/home/u/.config/kscope/config.yaml", false},
		{"neither", nil, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DefaultPath(fakeEnv(tc.env))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %q, %v; want %q (error: %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestFind(t *testing.T) {
	cfg := &File{Path: "/c.yaml", Contexts: []Context{{Name: "dev"}, {Name: "staging"}}}
	if c, err := cfg.Find("staging"); err != nil || c.Name != "staging" {
		t.Errorf("Find(staging) = %+v, %v", c, err)
	}
	if _, err := cfg.Find("prod"); err == nil || err.Error() != `no context "prod" (known: dev, staging)` {
		t.Errorf("Find(prod) error = %v", err)
	}
	empty := &File{Path: "/c.yaml"}
	if _, err := empty.Find("prod"); err == nil || err.Error() != `no context "prod": /c.yaml defines no contexts` {
		t.Errorf("Find on empty config error = %v", err)
	}
}
