package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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

// hasPassword tells whether any source of a password is given.
func (s *SASLSource) hasPassword() bool {
	return s.Password != "" || s.PasswordFile != "" || s.PasswordEnv != "" || s.PasswordCommand != ""
}

// Resolve fetches the password from its source; a password command gets at
// most timeout (kscope's --timeout), so one waiting on a locked password
// store or a prompt nobody sees cannot hang kscope. Errors name the kind of
// source and the file or variable, but never a password, a command (which
// may hold one, as in "printf PW"), or anything a command printed.
func (s *SASLSource) Resolve(getenv func(string) string, timeout time.Duration) (*kafkaclient.SASL, error) {
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
		pw, err := runPasswordCommand("SASL password", s.PasswordCommand, timeout)
		if err != nil {
			return nil, err
		}
		out.Password = pw
	}
	return out, nil
}

// runPasswordCommand runs command with sh and returns what it printed,
// all within timeout. Its stdout is the secret and its stderr may echo
// it, so neither ever reaches an error: only the exit status does. what
// names the secret in errors ("SASL password").
func runPasswordCommand(what, command string, timeout time.Duration) (string, error) {
	// A child the shell started can keep the pipes open after the shell
	// ended: Wait gives it a tenth of the time, within the whole.
	grace := timeout / 10
	ctx, cancel := context.WithTimeout(context.Background(), timeout-grace)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, io.Discard
	cmd.WaitDelay = grace
	err := cmd.Run()
	// The shell exited well and printed, but something it started still
	// holds the pipe: what it printed is the answer.
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		err = nil
	}
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("%s command: no answer within %s", what, timeout)
	case err != nil:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", fmt.Errorf("%s command failed (exit status %d)", what, exit.ExitCode())
		}
		return "", fmt.Errorf("%s command could not be run", what)
	}
	pw := strings.TrimRight(stdout.String(), "\r\n")
	if pw == "" {
		return "", fmt.Errorf("%s command printed nothing", what)
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
