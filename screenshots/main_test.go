package main

import (
	"slices"
	"testing"
)

func TestShotsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range shots {
		if s.name == "" || seen[s.name] {
			t.Errorf("shot name %q is empty or repeated", s.name)
		}
		seen[s.name] = true
		if s.waitFor == "" {
			t.Errorf("shot %q waits for nothing", s.name)
		}
		if (len(s.keys) > 0) != (s.then != "") {
			t.Errorf("shot %q must have both keys and then, or neither", s.name)
		}
	}
}

func TestSelectShots(t *testing.T) {
	all := []shot{{name: "a"}, {name: "b"}, {name: "c"}}
	got, err := selectShots(all, nil)
	if err != nil || len(got) != 3 {
		t.Errorf("selectShots(all, nil) = %v, %v; want all", got, err)
	}
	got, err = selectShots(all, []string{"c", "a"})
	if err != nil || !slices.EqualFunc(got, []shot{{name: "c"}, {name: "a"}}, func(x, y shot) bool { return x.name == y.name }) {
		t.Errorf("selectShots(all, c a) = %v, %v", got, err)
	}
	if _, err := selectShots(all, []string{"x"}); err == nil || err.Error() != `no shot called "x"; there are: a, b, c` {
		t.Errorf("selectShots(all, x) error = %v", err)
	}
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "kscope"},
		{[]string{"--demo", "-c", "topics"}, "kscope --demo -c topics"},
		{[]string{"--demo", "-c", "topic orders"}, `kscope --demo -c "topic orders"`},
		{[]string{"-c", ""}, `kscope -c ""`},
	}
	for _, tt := range tests {
		if got := commandLine(tt.args); got != tt.want {
			t.Errorf("commandLine(%q) = %s, want %s", tt.args, got, tt.want)
		}
	}
}
