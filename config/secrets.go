package config

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"

	"kscope/kafkaclient"
)

// SASLSource says where a password comes from; Resolve reads it only when a
// connection needs it, so a password store is not asked for contexts never used.
// At most one of Password, PasswordFile, PasswordEnv and PasswordCommand is set.
type SASLSource struct {
	Mechanism, Username                                  string
	Password, PasswordFile, PasswordEnv, PasswordCommand string
}

// passwordCommandTimeout bounds a passwordCommand: one waiting on a locked
// password store or a prompt nobody sees must not hang kscope.
const passwordCommandTimeout = 10 * time.Second

// Resolve fetches the password from its source. Errors name the source (the
// file, the variable, the command) but never a password or a command's stdout.
func (s *SASLSource) Resolve(getenv func(string) string) (*kafkaclient.SASL, error) {
	return s.resolve(getenv, passwordCommandTimeout)
}

// resolve takes the command's time limit so that a test of it need not wait
// the full ten seconds.
func (s *SASLSource) resolve(getenv func(string) string, commandTimeout time.Duration) (*kafkaclient.SASL, error) {
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
		pw, err := runPasswordCommand(s.PasswordCommand, commandTimeout)
		if err != nil {
			return nil, err
		}
		out.Password = pw
	}
	return out, nil
}

// runPasswordCommand runs command with sh and returns what it printed. Its
// stdout is the secret, so only its stderr may explain a failure.
func runPasswordCommand(command string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A child the shell started can keep the pipes open after the shell is killed.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("SASL password command %q: no answer within %s", command, timeout)
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

// sasl reads a context's sasl block; a password from two sources would
// leave the user guessing which one is used, so exactly one is required.
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
