package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"

	"kscope/kafkaclient"
)

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
func importKaf(path, home string) *File {
	cfg := &File{Path: path}
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
	if slices.Contains(cfg.Names(), kc.CurrentCluster) {
		cfg.Current = kc.CurrentCluster
	}
	return cfg
}
