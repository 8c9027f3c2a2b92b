package widget

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"kscope/themes"
)

func testStyles(t *testing.T) *themes.Styles {
	t.Helper()
	p, err := themes.Builtin("dark")
	if err != nil {
		t.Fatal(err)
	}
	return themes.New(p)
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
}

var (
	keyTab      = tea.KeyPressMsg{Code: tea.KeyTab}
	keyShiftTab = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	keyCtrlS    = tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	keyDown     = tea.KeyPressMsg{Code: tea.KeyDown}
	keyLeft     = tea.KeyPressMsg{Code: tea.KeyLeft}
	keyRight    = tea.KeyPressMsg{Code: tea.KeyRight}
)

// typeText sends s one key at a time, as a terminal would.
func typeText(update func(tea.Msg), s string) {
	for _, r := range s {
		update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func topicForm(t *testing.T) *Form {
	t.Helper()
	f := NewForm(testStyles(t), "Create a topic", []Field{
		{Name: "name", Label: "Name", Required: true, Help: "letters, digits, '.', '_' and '-'"},
		{Name: "partitions", Label: "Partitions", Kind: FieldNumber, Value: "3", Required: true},
		{Name: "rf", Label: "Replication factor", Kind: FieldNumber, Value: "1", Help: "at most 1 (brokers up)"},
		{Name: "cleanup", Label: "Cleanup policy", Kind: FieldChoice, Choices: []string{"delete", "compact", "compact,delete"}},
		{Name: "configs", Label: "Configs", Kind: FieldMultiline, Help: "one key=value a line"},
		{Name: "dry", Label: "Dry run", Kind: FieldBool},
	}, "create")
	f.SetSize(80, 20)
	f.Focus()
	return f
}

// formSender returns a function that feeds a message to f and fails the
// test if the form finished.
func formSender(t *testing.T, f *Form) func(tea.Msg) {
	return func(msg tea.Msg) {
		t.Helper()
		if _, done, _ := f.Update(msg); done {
			t.Fatalf("form finished on %v", msg)
		}
	}
}

func formText(f *Form) string { return ansi.Strip(f.View()) }

// checkFits fails unless view is exactly w×h cells.
func checkFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d:\n%s", len(lines), h, ansi.Strip(view))
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("line %d is %d cells wide, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}

func TestFormTypesAndMovesBetweenFields(t *testing.T) {
	f := topicForm(t)
	update := formSender(t, f)
	typeText(update, "orders")
	update(keyTab)
	update(press("0"))
	update(keyTab)
	update(keyShiftTab)
	update(press("0"))
	update(keyDown)
	update(keyDown)
	update(tea.KeyPressMsg{Code: tea.KeyUp})
	update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	update(press("2"))
	if got := f.Values(); got["name"] != "orders" || got["partitions"] != "300" || got["rf"] != "2" {
		t.Errorf("values %v", got)
	}
	if !strings.Contains(formText(f), "› Replication factor") {
		t.Errorf("focus not shown on the third field:\n%s", formText(f))
	}
	update(keyShiftTab)
	update(keyShiftTab)
	update(keyShiftTab)
	if !strings.Contains(formText(f), "› Dry run") {
		t.Errorf("shift+tab from the first field should wrap to the last:\n%s", formText(f))
	}
	if f.Value("missing") != "" {
		t.Error("a field the form does not have has a value")
	}
}

func TestFormNumberFieldTakesOnlyNumbers(t *testing.T) {
	f := NewForm(testStyles(t), "n", []Field{{Name: "n", Label: "N", Kind: FieldNumber}}, "ok")
	f.SetSize(40, 10)
	f.Focus()
	update := formSender(t, f)
	typeText(update, "-1a2-.3 e")
	update(tea.PasteMsg{Content: "45x"})
	update(tea.PasteMsg{Content: "67"})
	if got := f.Value("n"); got != "-12367" {
		t.Errorf("value %q, want -12367", got)
	}
}

func TestFormChoiceCycles(t *testing.T) {
	f := topicForm(t)
	update := formSender(t, f)
	for range 3 {
		update(keyTab)
	}
	if !strings.Contains(formText(f), "◂ delete ▸") {
		t.Errorf("first choice not shown:\n%s", formText(f))
	}
	update(keyRight)
	update(press("space"))
	if got := f.Value("cleanup"); got != "compact,delete" {
		t.Errorf("after → and space: %q", got)
	}
	update(keyRight)
	if got := f.Value("cleanup"); got != "delete" {
		t.Errorf("→ past the last choice should wrap: %q", got)
	}
	update(keyLeft)
	if got := f.Value("cleanup"); got != "compact,delete" {
		t.Errorf("← from the first choice should wrap: %q", got)
	}
	update(press("x"))
	if got := f.Value("cleanup"); got != "compact,delete" {
		t.Errorf("typing changed a choice: %q", got)
	}

	// A value missing from the choices stays, rather than being replaced unseen.
	g := NewForm(testStyles(t), "c", []Field{{Name: "c", Kind: FieldChoice, Value: "compact", Choices: []string{"delete"}}}, "ok")
	if got := g.Value("c"); got != "compact" {
		t.Errorf("unlisted initial value became %q", got)
	}
}

func TestFormBoolToggles(t *testing.T) {
	f := NewForm(testStyles(t), "b", []Field{{Name: "b", Label: "Flag", Kind: FieldBool, Value: "true"}}, "ok")
	f.SetSize(40, 8)
	f.Focus()
	update := formSender(t, f)
	if f.Value("b") != "true" || !strings.Contains(formText(f), "[x]") {
		t.Fatalf("initial true not shown:\n%s", formText(f))
	}
	update(press("space"))
	if f.Value("b") != "false" || !strings.Contains(formText(f), "[ ]") {
		t.Errorf("space did not toggle:\n%s", formText(f))
	}
}

func TestFormMultiline(t *testing.T) {
	f := topicForm(t)
	update := formSender(t, f)
	for range 4 {
		update(keyTab)
	}
	typeText(update, "retention.ms=1")
	update(press("enter"))
	typeText(update, "cleanup.policy=compact")
	update(tea.KeyPressMsg{Code: tea.KeyUp})
	typeText(update, "0")
	if got, want := f.Value("configs"), "retention.ms=10\ncleanup.policy=compact"; got != want {
		t.Errorf("value %q, want %q", got, want)
	}
	view := formText(f)
	if !strings.Contains(view, "retention.ms=10") || !strings.Contains(view, "cleanup.policy=compact") {
		t.Errorf("both lines should show:\n%s", view)
	}
	update(keyTab)
	update(press("space"))
	if f.Value("dry") != "true" {
		t.Error("tab should leave the multiline field for the next one")
	}

	// A value taller than the area scrolls to keep the cursor in sight.
	f.SetValue("configs", strings.Repeat("line\n", 30)+"last")
	update(keyShiftTab)
	if view := formText(f); !strings.Contains(view, "last") {
		t.Errorf("the cursor's line is out of sight:\n%s", view)
	}
	checkFits(t, f.View(), 80, 20)
}

func TestFormRequiredFieldsBlockSubmit(t *testing.T) {
	f := topicForm(t)
	update := formSender(t, f)
	update(keyTab)
	update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	update(keyCtrlS)
	view := formText(f)
	if strings.Count(view, "required") != 2 {
		t.Errorf("both blank required fields should say so:\n%s", view)
	}
	typeText(update, "topic")
	if !strings.Contains(formText(f), "› Name") {
		t.Errorf("the first blank field should have the focus:\n%s", formText(f))
	}
	if strings.Count(formText(f), "required") != 1 {
		t.Errorf("editing a field should clear its error:\n%s", formText(f))
	}
	update(keyTab)
	update(press("4"))
	if _, done, ok := f.Update(keyCtrlS); !done || !ok {
		t.Fatalf("ctrl+s with every required field filled: done %v submitted %v", done, ok)
	}
	if got := f.Values(); got["name"] != "topic" || got["partitions"] != "4" || got["cleanup"] != "delete" || got["dry"] != "false" || got["configs"] != "" {
		t.Errorf("values %v", got)
	}
}

func TestFormErrors(t *testing.T) {
	f := topicForm(t)
	f.SetError("rf", "at most 1 broker is up")
	f.SetFormError("TOPIC_ALREADY_EXISTS: Topic 'orders' already exists.")
	view := formText(f)
	lines := strings.Split(view, "\n")
	at := -1
	for i, l := range lines {
		if strings.Contains(l, "Replication factor") {
			at = i
		}
	}
	if at < 0 || !strings.Contains(lines[at+1], "at most 1 broker is up") {
		t.Errorf("error should be under its field:\n%s", view)
	}
	if strings.Contains(view, "(brokers up)") {
		t.Errorf("the error takes the place of the help:\n%s", view)
	}
	if !strings.Contains(view, "already exists") {
		t.Errorf("form error missing:\n%s", view)
	}
	checkFits(t, f.View(), 80, 20)

	f.SetError("rf", "")
	f.SetError("nonesuch", "unknown config")
	view = formText(f)
	if strings.Contains(view, "at most 1 broker is up") || !strings.Contains(view, "nonesuch: unknown config") {
		t.Errorf("cleared error still shown or unknown field's error lost:\n%s", view)
	}
}

func TestFormSubmitAndCancel(t *testing.T) {
	fields := []Field{{Name: "a", Label: "A"}, {Name: "b", Label: "B"}}
	f := NewForm(testStyles(t), "t", fields, "ok")
	f.Focus()
	typeText(formSender(t, f), "x")
	if _, done, _ := f.Update(press("enter")); done {
		t.Fatal("enter on the first field should move on, not submit")
	}
	typeText(formSender(t, f), "y")
	if _, done, ok := f.Update(press("enter")); !done || !ok {
		t.Fatalf("enter on the last field: done %v submitted %v", done, ok)
	}
	if got := f.Values(); got["a"] != "x" || got["b"] != "y" {
		t.Errorf("values %v", got)
	}

	f = NewForm(testStyles(t), "t", fields, "ok")
	f.Focus()
	if _, done, ok := f.Update(press("esc")); !done || ok {
		t.Errorf("esc: done %v submitted %v", done, ok)
	}
}

func TestFormFitsAnySize(t *testing.T) {
	f := topicForm(t)
	typeText(formSender(t, f), strings.Repeat("wide名前", 20))
	f.SetError("partitions", strings.Repeat("too many ", 20))
	f.SetFormError(strings.Repeat("the broker says no. ", 20))
	for _, size := range [][2]int{{80, 20}, {40, 12}, {24, 6}, {12, 4}, {5, 2}} {
		f.SetSize(size[0], size[1])
		checkFits(t, f.View(), size[0], size[1])
	}
}

func TestFormShowsHostileValuesEscaped(t *testing.T) {
	hostile := "a\u202eb\u0301"
	f := NewForm(testStyles(t), "Set x on \x1b]0;pwned\x07", []Field{
		{Name: "v", Label: "Value", Value: hostile, Help: "current: " + hostile},
		{Name: "m", Label: "Multi", Kind: FieldMultiline, Value: hostile},
	}, "set")
	f.SetSize(60, 12)
	f.Focus()
	view := f.View()
	if strings.Contains(view, "\u202e") || strings.Contains(view, "\x1b]0;") {
		t.Errorf("raw controls reached the screen: %q", view)
	}
	if text := ansi.Strip(view); strings.Count(text, `\u202e`) != 3 || !strings.Contains(text, `\x1b]0;pwned\x07`) {
		t.Errorf("escapes not shown:\n%s", text)
	}
	checkFits(t, view, 60, 12)
}

func TestFormGolden(t *testing.T) {
	f := topicForm(t)
	typeText(formSender(t, f), "orders")
	golden.RequireEqual(t, f.View())
}

// TestTextFieldsTakeSpacesAndArrows: space and → are text in a text field;
// they change only choices.
func TestTextFieldsTakeSpacesAndArrows(t *testing.T) {
	f := NewForm(testStyles(t), "t", []Field{{Name: "name"}, {Name: "pick", Kind: FieldChoice, Choices: []string{"a", "b"}}}, "ok")
	f.Focus()
	for _, k := range []tea.KeyPressMsg{{Code: 'h', Text: "h"}, {Code: 'a', Text: "a"}, {Code: ' ', Text: " "}, {Code: 's', Text: "s"}} {
		f.Update(k)
	}
	f.Update(tea.KeyPressMsg{Code: tea.KeyLeft})
	f.Update(tea.KeyPressMsg{Code: tea.KeyRight})
	f.Update(tea.KeyPressMsg{Code: 'x', Text: "x"})
	if got := f.Value("name"); got != "ha sx" {
		t.Errorf("text field: %q, want %q", got, "ha sx")
	}
	f.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	f.Update(tea.KeyPressMsg{Code: ' ', Text: " "})
	if got := f.Value("pick"); got != "b" {
		t.Errorf("choice after space: %q", got)
	}
}
