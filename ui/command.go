package ui

import (
	"fmt"
	"slices"
	"strings"
)

// Command is a parsed ':' command (also what -c takes).
type Command struct {
	Name string // canonical name: topics, topic, brokers, quit
	Arg  string
}

type commandSpec struct {
	name    string
	aliases []string
	arg     string // "" when the command takes no argument
}

var commandSpecs = []commandSpec{
	{name: "topics", aliases: []string{"tp"}},
	{name: "topic", arg: "NAME"},
	{name: "brokers", aliases: []string{"br"}},
	{name: "quit", aliases: []string{"q", "q!", "exit"}},
}

// KnownCommands is the usage line shown with every command error.
func KnownCommands() string {
	parts := make([]string, len(commandSpecs))
	for i, s := range commandSpecs {
		parts[i] = s.name
		if s.arg != "" {
			parts[i] += " " + s.arg
		}
	}
	return strings.Join(parts, ", ")
}

// ParseCommand parses one command line. It is pure so the language has
// its own table tests.
func ParseCommand(line string) (Command, error) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return Command{}, fmt.Errorf("empty command; known: %s", KnownCommands())
	}
	word := strings.ToLower(fields[0])
	for _, s := range commandSpecs {
		if word != s.name && !slices.Contains(s.aliases, word) {
			continue
		}
		args := fields[1:]
		switch {
		case s.arg == "" && len(args) > 0:
			return Command{}, fmt.Errorf("%s takes no argument (got %q)", s.name, strings.Join(args, " "))
		case s.arg != "" && len(args) == 0:
			return Command{}, fmt.Errorf("%s needs %s", s.name, s.arg)
		case s.arg != "" && len(args) > 1:
			return Command{}, fmt.Errorf("%s takes one %s (got %d words)", s.name, s.arg, len(args))
		}
		c := Command{Name: s.name}
		if len(args) == 1 {
			c.Arg = args[0]
		}
		return c, nil
	}
	return Command{}, fmt.Errorf("unknown command %q; known: %s", fields[0], KnownCommands())
}
