package ui

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"kscope/kafkaclient"
)

// Command is a parsed ':' command (also what -c takes).
type Command struct {
	Name string // the canonical name of a registered command
	Arg  string
	// From, Partitions and Filter are tail's options; From is kept as
	// typed and resolved when the tail opens, so "-15m" counts from then.
	From       string
	Partitions []int32
	Filter     string
}

// filterOption is tail's --filter, which takes the rest of the line: a
// filter may hold spaces (`.tier == "gold"`).
var filterOption = regexp.MustCompile(`(^|\s)--filter(=|\s+|$)`)

// KnownCommands is the usage line shown with every command error.
func KnownCommands() string {
	parts := make([]string, len(registry))
	for i, e := range registry {
		parts[i] = e.usage()
	}
	return strings.Join(parts, ", ")
}

// lookup finds the command named or aliased word.
func lookup(word string) (*command, bool) {
	word = strings.ToLower(word)
	i := slices.IndexFunc(registry, func(e command) bool { return word == e.name || slices.Contains(e.aliases, word) })
	if i < 0 {
		return nil, false
	}
	return &registry[i], true
}

// ParseCommand parses one command line. It is pure so the language has
// its own table tests.
func ParseCommand(line string) (Command, error) {
	filter, hasFilter := "", false
	if loc := filterOption.FindStringIndex(line); loc != nil {
		line, filter, hasFilter = line[:loc[0]], strings.TrimSpace(line[loc[1]:]), true
	}
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return Command{}, fmt.Errorf("empty command; known: %s", KnownCommands())
	}
	s, ok := lookup(fields[0])
	if !ok {
		return Command{}, fmt.Errorf("unknown command %q; known: %s", fields[0], KnownCommands())
	}
	c := Command{Name: s.name, Filter: filter}
	switch {
	case hasFilter && !strings.Contains(s.options, "--filter"):
		return Command{}, fmt.Errorf("%s takes no --filter", s.name)
	case hasFilter && filter == "":
		return Command{}, fmt.Errorf("--filter needs an expression; usage: %s", s.usage())
	}
	var args []string
	rest := fields[1:]
	for len(rest) > 0 {
		f := rest[0]
		if !strings.HasPrefix(f, "--") {
			args = append(args, f)
			rest = rest[1:]
			continue
		}
		if s.options == "" {
			return Command{}, fmt.Errorf("%s takes no options (got %s)", s.name, f)
		}
		name, value, hasValue := strings.Cut(f, "=")
		if !hasValue {
			if len(rest) < 2 {
				return Command{}, fmt.Errorf("%s needs a value; usage: %s", name, s.usage())
			}
			value, rest = rest[1], rest[1:]
		}
		rest = rest[1:]
		switch name {
		case "--from":
			if _, err := kafkaclient.ParseFrom(value, time.Time{}); err != nil {
				return Command{}, err
			}
			c.From = value
		case "--partitions":
			ps, err := parsePartitions(value)
			if err != nil {
				return Command{}, err
			}
			c.Partitions = ps
		default:
			return Command{}, fmt.Errorf("unknown option %s; usage: %s", name, s.usage())
		}
	}
	switch {
	case s.arg == "" && len(args) > 0:
		return Command{}, fmt.Errorf("%s takes no argument (got %q)", s.name, strings.Join(args, " "))
	case s.arg != "" && len(args) == 0:
		return Command{}, fmt.Errorf("%s needs %s", s.name, s.arg)
	case s.arg != "" && len(args) > 1:
		return Command{}, fmt.Errorf("%s takes one %s (got %d words)", s.name, s.arg, len(args))
	}
	if len(args) == 1 {
		c.Arg = args[0]
	}
	return c, nil
}

func parsePartitions(s string) ([]int32, error) {
	var out []int32
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 32)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("bad --partitions %q: want partition numbers like 0,3,7", s)
		}
		if !slices.Contains(out, int32(n)) {
			out = append(out, int32(n))
		}
	}
	slices.Sort(out)
	return out, nil
}
