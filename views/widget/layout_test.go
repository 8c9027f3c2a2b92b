package widget

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// groupColumns are declared as a groups list would: the name first and
// essential, numbers never cut, a sparkline drawn whole or not at all and
// given up first.
var groupColumns = []Column{
	{Title: "GROUP", Priority: 10, Essential: true, Cut: CutMiddle, Min: 12},
	{Title: "STATE", Priority: 3, Essential: true},
	{Title: "TYPE/ASSIGNOR", Short: "TYPE", Priority: 1, Min: 8},
	{Title: "MEMBERS", Short: "MEM", Right: true, Cut: CutNever, Priority: 2},
	{Title: "LAG", Right: true, Cut: CutNever, Essential: true, Priority: 5},
	{Title: "TREND", Width: 12, Min: 12},
	{Title: "STATUS", Essential: true, Priority: 4},
}

func TestLayoutGivesNamesTheirRoomAndNumbersTheirDigits(t *testing.T) {
	content := []int{28, 19, 22, 1, 9, 12, 6}
	got := Layout(groupColumns, content, 80, -1)
	if got[0] != 28 {
		t.Errorf("the name got %d cells of the 28 it needs: %v", got[0], got)
	}
	if got[4] != 9 || got[3] < 3 {
		t.Errorf("numbers were cut: %v", got)
	}
	for i, c := range groupColumns {
		if c.Essential && got[i] == 0 {
			t.Errorf("essential column %s hidden at 80: %v", c.Title, got)
		}
	}
	if sum(got) > 80 {
		t.Errorf("%v is wider than 80", got)
	}
	// The sparkline is the first to go: lowest priority, rightmost among equals.
	if got[5] != 0 {
		t.Errorf("TREND kept %d cells while others were short: %v", got[5], got)
	}
}

func TestLayoutAtTwoHundredColumnsIsAsWideAsTheValues(t *testing.T) {
	content := []int{28, 19, 22, 1, 9, 12, 6}
	got := Layout(groupColumns, content, 200, -1)
	want := []int{28, 19, 22, 7, 9, 12, 6}
	if !slices.Equal(got, want) {
		t.Errorf("at 200 columns %v, want %v: the room left over stays free", got, want)
	}
}

func TestLayoutCutsEssentialsOnlyWhenNothingElseIsLeft(t *testing.T) {
	content := []int{40, 19, 22, 1, 9, 12, 6}
	got := Layout(groupColumns, content, 40, -1)
	for i, c := range groupColumns {
		if c.Essential != (got[i] > 0) {
			t.Errorf("at 40: column %s got %d: %v", c.Title, got[i], got)
		}
	}
	if sum(got) > 40 || got[0] < 1 {
		t.Errorf("at 40: %v", got)
	}
}

func TestLayoutCountsTheSortMark(t *testing.T) {
	cols := []Column{{Title: "NAME"}, {Title: "LAG", Right: true}}
	if got := Layout(cols, []int{3, 2}, 80, 1); got[1] != 4 {
		t.Errorf("sorted LAG got %d cells, want room for LAG▲", got[1])
	}
}

func sum(xs []int) int {
	total, shown := 0, 0
	for _, x := range xs {
		total += x
		if x > 0 {
			shown++
		}
	}
	return total + ColumnGap*max(shown-1, 0)
}

func TestFitCutKeepsBothEndsOfAName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		w    int
		want string
	}{
		{"user-events-v2", 11, "user-…ts-v2"},
		{"user-events", 8, "user…nts"},
		{"short", 8, "short   "},
		{"日本語のトピック名", 9, "日本…ク名"},
	} {
		got := FitCut(tc.in, tc.w, false, CutMiddle)
		if ansi.Strip(got) != tc.want && strings.TrimRight(ansi.Strip(got), " ") != strings.TrimRight(tc.want, " ") {
			t.Errorf("FitCut(%q, %d) = %q, want %q", tc.in, tc.w, got, tc.want)
		}
		if w := ansi.StringWidth(got); w != tc.w {
			t.Errorf("FitCut(%q, %d) is %d cells", tc.in, tc.w, w)
		}
	}
	styled := "\x1b[1morders-eu-west\x1b[m"
	if got := FitCut(styled, 9, false, CutMiddle); ansi.Strip(got) != "orde…west" || !strings.HasPrefix(got, "\x1b[1m") {
		t.Errorf("styled name cut to %q", got)
	}
}

func TestTableHidesAndShortensWhatDoesNotFit(t *testing.T) {
	tb := NewTable(testStyles(t), testKeys(), groupColumns)
	tb.SetRows([]Row{{Key: "a", Cells: FixedCells("inventory-sync-eu-west-1-consumers", "Stable", "consumer/cooperative-sticky", "3", "1,234,567", "▁▂▃▄▅▆▇█", "OK")}})
	tb.SetSize(80, 5)
	lines := strings.Split(ansi.Strip(tb.View()), "\n")
	for _, want := range []string{"GROUP", "STATE", "LAG", "STATUS"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("header lost %s:\n%s", want, lines[0])
		}
	}
	if !strings.Contains(lines[1], "…") || !strings.Contains(lines[1], "inventory") || !strings.Contains(lines[1], "1,234,567") {
		t.Errorf("row:\n%s", lines[1])
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("line wider than 80: %q", l)
		}
	}
}
