package views

import (
	"regexp"
	"strings"
	"testing"

	"kscope/kafkaclient"
)

// safeName is what a file name proposed from a cluster name may be: the
// portable characters, not starting with '.' or '-', so it is neither
// hidden nor taken for an option, and never leaves the directory.
var safeName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)

// TestExportPromptProposesASafeName: a topic or group name with bidi
// overrides, invisible characters, slashes or a leading dash proposes a
// file name of safe characters, and nothing of it reaches the screen raw.
func TestExportPromptProposesASafeName(t *testing.T) {
	hostile := "-rf \u202eevil\u200b/../.ssh/x\x1b[2J"
	for _, tc := range []struct{ name, want string }{
		{"orders", "orders-20261121-090000.jsonl"},
		{"__consumer_offsets", "__consumer_offsets-20261121-090000.jsonl"},
		{"payments.eu-west-1.v2", "payments.eu-west-1.v2-20261121-090000.jsonl"},
		{hostile, "rf_evil_.._.ssh_x_2J-20261121-090000.jsonl"},
		{"..", "export-20261121-090000.jsonl"},
		{"日本語-timeline", "_-timeline-20261121-090000.jsonl"},
		{strings.Repeat("a", 500), strings.Repeat("a", maxFileStem) + "-20261121-090000.jsonl"},
	} {
		if got := proposedFileName(tc.name, t0); got != tc.want {
			t.Errorf("proposedFileName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}

	c := testCommon(t)
	v := NewTail(c, kafkaclient.TailSpec{Topic: hostile})
	v.SetSize(120, 20)
	v.Init(Scope{ID: 7, Ctx: t.Context()})
	v.Update(TailOpened{Tail: &kafkaclient.Tail{ID: 7}, gen: v.gen})
	feed(v, orders(0, 3)...)
	v.Update(press("w"))
	if v.export == nil {
		t.Fatal("w did not open the export prompt")
	}
	if name := v.export.input.Value(); !safeName.MatchString(name) {
		t.Errorf("proposed %q", name)
	}
	v.Update(exportExists{prompt: v.export, path: "/tmp/" + hostile})
	for _, s := range []string{v.View(), v.Title()} {
		for _, bad := range []string{"\u202e", "\u200b", "\x1b[2J"} {
			if strings.Contains(s, bad) {
				t.Errorf("%q reached the screen:\n%s", bad, s)
			}
		}
	}
}

// FuzzProposedFileName: whatever the name, the proposed file name is made
// of safe characters, bounded, and names a file in the current directory.
func FuzzProposedFileName(f *testing.F) {
	for _, s := range []string{"orders", "", ".", "..", "-", "--help", "a/b", "\u202e\u200b", "\xff\xfe", "x\x00y", "日本語", strings.Repeat("ab", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := proposedFileName(name, t0)
		stem, ok := strings.CutSuffix(got, "-20261121-090000.jsonl")
		if !ok || !safeName.MatchString(got) || len(stem) == 0 || len(stem) > maxFileStem {
			t.Fatalf("proposedFileName(%q) = %q", name, got)
		}
	})
}
